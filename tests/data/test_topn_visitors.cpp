// Top-N for new visitors on the real ml-1m (issue 12): `memrec train --preset tiny --protocol visitors`
// holds 604 users out (split seed 42), folds each in from 80% of their ratings as the page does, and ranks
// the catalogue for them; `memrec eval --protocol visitors` reproduces the figures from the model file.
// The popularity baseline is the (about 0.18 Recall@20, 0.23 NDCG@100, 50 distinct movies).
// About 20 s on two cores.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::data_path;
using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::TempDir;
using Catch::Contains;

namespace {

struct Row {
    std::string text;
    double recall20 = 0, ndcg100 = 0, hr10 = 0, coverage10 = 0, popularity = 0;
};

Row table_row(const std::string& out, const std::string& name) {
    std::smatch m;
    const std::regex re("\\n  " + name + " +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9]+) +([0-9.]+)\\n");
    Row r;
    if (!std::regex_search(out, m, re)) return r;
    r.text = m[0].str();
    r.recall20 = std::stod(m[1].str());
    r.ndcg100 = std::stod(m[2].str());
    r.hr10 = std::stod(m[3].str());
    r.coverage10 = std::stod(m[4].str());
    r.popularity = std::stod(m[5].str());
    return r;
}

// The tiny preset trained once for every test here.
struct TinyRun {
    TempDir dir;
    RunResult train;
    Row model, popularity;
    TinyRun() {
        train = run_memrec({"train", "--data", data_path("ml-1m"), "--preset", "tiny", "--protocol", "visitors",
                            "--threads", "2", "-q", "--out", dir.file("tiny.mrec")},
                           dir.path());
        model = table_row(train.out, "model");
        popularity = table_row(train.out, "popularity");
    }
};

const TinyRun& tiny_run() {
    static const TinyRun run;
    return run;
}

}  // namespace

TEST_CASE("ml-1m visitors: popularity's figures, and the model's reproduced by eval", "[data][topn]") {
    const TinyRun& t = tiny_run();
    INFO(describe(t.train));
    REQUIRE(t.train.status == 0);
    CHECK_THAT(t.train.out, Contains("top-N (visitors, fold-in): 601 users, 3 skipped (no target rated >= 4)"));
    REQUIRE(!t.model.text.empty());
    REQUIRE(!t.popularity.text.empty());
    CHECK(t.popularity.recall20 == Approx(0.18).margin(0.01));
    CHECK(t.popularity.ndcg100 == Approx(0.23).margin(0.01));
    CHECK(t.popularity.coverage10 <= 80);
    CHECK(t.popularity.popularity > 99.0);
    // A model of tastes spreads its lists over more of the catalogue than one list for everyone.
    CHECK(t.model.coverage10 > 2 * t.popularity.coverage10);
    CHECK(t.model.recall20 > 0.05);  // random lists get about 20 / 3,700 of the positives

    // --data: a model file names its data without the path (model-files.md).
    const RunResult e = run_memrec({"eval", t.dir.file("tiny.mrec"), "--data", data_path("ml-1m"), "--protocol",
                                    "visitors", "-q"}, t.dir.path());
    INFO(describe(e));
    REQUIRE(e.status == 0);
    CHECK(table_row(e.out, "model").text == t.model.text);
    CHECK(table_row(e.out, "popularity").text == t.popularity.text);
}

// The rating objective ranks obscure movies a visitor would rate well above the ones they go on to rate
// (issue 12's complaint): measured 0.087 Recall@20 against popularity's 0.183 for tiny. Reported, not
// failed, until a ranking objective gives a preset that beats popularity; then it belongs above.
TEST_CASE("ml-1m visitors: the tiny preset's Recall@20 beats popularity's", "[data][topn][!mayfail]") {
    const TinyRun& t = tiny_run();
    REQUIRE(t.train.status == 0);
    INFO("tiny " << t.model.recall20 << ", popularity " << t.popularity.recall20);
    CHECK(t.model.recall20 > t.popularity.recall20);
}
