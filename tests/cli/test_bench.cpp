// memrec bench: which optimisers a preset is measured with. By default each preset's own (`fast` is
// AdaGrad, the reference's presets Adam in each of --modes); --optimizers names others, each pair once.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <utility>

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::slurp;
using memrec_test::TempDir;

namespace {

// The (preset, optimizer, adam) rows of a bench run's JSON.
std::multiset<std::string> rows_of(const std::string& json_text) {
    std::multiset<std::string> rows;
    // Kept in a variable: a range over a member of the temporary would dangle.
    const nlohmann::json j = nlohmann::json::parse(json_text);
    for (const auto& r : j.at("training"))
        rows.insert(r.at("preset").get<std::string>() + " " + r.at("optimizer").get<std::string>() + " " +
                    r.at("adam").get<std::string>());
    return rows;
}

}  // namespace

TEST_CASE("bench measures each preset with its own optimiser unless told otherwise", "[cli][bench]") {
    TempDir dir;
    const std::vector<std::string> synth{"synth", "--users", "120", "--items", "150", "--ratings", "4000",
                                         "--min-per-user", "10", "--seed", "2", "--out", dir.file("r.csv"), "-q"};
    REQUIRE(run_memrec(synth, dir.path()).status == 0);
    auto bench = [&](std::vector<std::string> extra) {
        std::vector<std::string> a{"bench",   "--data",  dir.file("r.csv"), "--threads", "1", "--epochs", "1",
                                   "--reads", "1",       "--json",          dir.file("b.json")};
        a.insert(a.end(), extra.begin(), extra.end());
        const RunResult r = run_memrec(a, dir.path());
        INFO(describe(r));
        REQUIRE(r.status == 0);
        return rows_of(slurp(dir.file("b.json")));
    };
    CHECK(bench({"--presets", "fast,baseline"}) ==
          std::multiset<std::string>{"fast adagrad -", "baseline adam lazy", "baseline adam dense"});
    CHECK(bench({"--presets", "fast", "--optimizers", "adam,preset,adagrad", "--modes", "lazy"}) ==
          std::multiset<std::string>{"fast adam lazy", "fast adagrad -"});
    CHECK(bench({"--presets", "baseline", "--optimizers", "sgd", "--modes", "lazy"}) ==
          std::multiset<std::string>{"baseline sgd -"});
}
