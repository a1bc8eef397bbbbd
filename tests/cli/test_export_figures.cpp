// memrec export --data: a quantised file keeps its own figures, measured on its stored tables with the split
// of its training info (the same numbers `memrec eval` gives on it), not the f32 model's copied ones;
// without --data the copied figures stay and inspect says whose they are.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "memrec/model_file.h"
#include "run_memrec.h"
#include "taste_groups.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::TempDir;
using Catch::Contains;

namespace {

RunResult run_ok(const std::vector<std::string>& args, const TempDir& dir) {
    const RunResult r = run_memrec(args, dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    return r;
}

}  // namespace

TEST_CASE("export --data stores the quantised model's own eval RMSE, as eval measures it", "[cli][export]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    run_ok({"train", "--data", dir.file("ml"), "--preset", "tiny", "--epochs", "5", "--threads", "1", "-q", "--out",
            dir.file("m.mrec")}, dir);
    run_ok({"export", dir.file("m.mrec"), "--quantize", "int8", "--data", dir.file("ml"), "-q", "--out",
            dir.file("m8.mrec")}, dir);
    run_ok({"export", dir.file("m.mrec"), "--quantize", "int8", "-q", "--out", dir.file("c8.mrec")}, dir);
    const memrec::ModelFile f32 = memrec::load_model(dir.file("m.mrec")), own = memrec::load_model(dir.file("m8.mrec")),
                            copied = memrec::load_model(dir.file("c8.mrec"));
    CHECK(own.figures_of_stored_tables);
    CHECK_FALSE(copied.figures_of_stored_tables);
    CHECK(copied.eval.rmse == f32.eval.rmse);
    CHECK(own.eval.rmse != f32.eval.rmse);
    CHECK(own.eval.count == f32.eval.count);
    const RunResult e = run_ok({"eval", dir.file("m8.mrec"), "--data", dir.file("ml"), "-q"}, dir);
    std::smatch m;
    REQUIRE(std::regex_search(e.out, m, std::regex(R"(eval: mse ([0-9.]+)  rmse ([0-9.]+))")));
    CHECK(own.eval.rmse == Approx(std::stod(m[2].str())).margin(1e-6));
    CHECK_THAT(run_ok({"inspect", dir.file("m8.mrec")}, dir).out, Contains("measured on this file's int8 tables"));
    CHECK_THAT(run_ok({"inspect", dir.file("c8.mrec")}, dir).out, Contains("the source model's, before storage"));
}

TEST_CASE("export --data stores the quantised model's own top-N figures, as eval --protocol measures them",
          "[cli][export][topn]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    run_ok({"train", "--data", dir.file("ml"), "--preset", "rank-tiny", "--threads", "1", "--protocol", "visitors",
            "-q", "--out", dir.file("m.mrec")}, dir);
    run_ok({"export", dir.file("m.mrec"), "--quantize", "int8", "--data", dir.file("ml"), "-q", "--out",
            dir.file("m8.mrec")}, dir);
    const memrec::ModelFile own = memrec::load_model(dir.file("m8.mrec"));
    REQUIRE(own.ranking.protocol == "visitors");
    CHECK(own.figures_of_stored_tables);
    const RunResult e = run_ok({"eval", dir.file("m8.mrec"), "--data", dir.file("ml"), "--protocol", "visitors"}, dir);
    std::smatch m;
    REQUIRE(std::regex_search(e.out, m, std::regex(R"(\n  model +([0-9.]+) +([0-9.]+) +([0-9.]+) +(\d+) +([0-9.]+))")));
    CHECK(own.ranking.metrics.recall20 == Approx(std::stod(m[1].str())).margin(5e-5));
    CHECK(own.ranking.metrics.ndcg100 == Approx(std::stod(m[2].str())).margin(5e-5));
    CHECK(own.ranking.metrics.coverage10 == std::stoll(m[4].str()));
    CHECK(own.ranking.metrics.popularity_percentile == Approx(std::stod(m[5].str())).margin(0.05));
}
