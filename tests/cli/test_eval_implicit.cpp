// memrec eval on an implicit (ALS) model: its scores are not ratings, so without --protocol it reports the
// visitors protocol's top-N figures (those of --protocol visitors) and no RMSE.
#include <catch2/catch.hpp>

#include "run_memrec.h"
#include "taste_groups.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::TempDir;
using Catch::Contains;

TEST_CASE("eval of an implicit model defaults to the visitors protocol, with no RMSE", "[cli][topn]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    REQUIRE(run_memrec({"train", "--data", dir.file("ml"), "--objective", "als", "--dim", "8", "--threads", "1", "-q",
                        "--out", dir.file("m.mrec")}, dir.path()).status == 0);
    const RunResult r = run_memrec({"eval", dir.file("m.mrec"), "--data", dir.file("ml")}, dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("implicit model: its scores are not ratings (no RMSE)"));
    CHECK_THAT(r.out, !Contains("rmse"));
    const RunResult v = run_memrec({"eval", dir.file("m.mrec"), "--data", dir.file("ml"), "--protocol", "visitors"},
                                   dir.path());
    INFO(describe(v));
    REQUIRE(v.status == 0);
    const auto table = [](const std::string& out) { return out.substr(out.find("top-N (visitors")); };
    CHECK(table(r.out) == table(v.out));
}
