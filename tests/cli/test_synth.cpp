// memrec synth: a file the other commands read and train on, the same bytes for a seed, and refused
// shapes named with exit status 2.
#include <catch2/catch.hpp>

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::slurp;
using memrec_test::TempDir;
using Catch::Contains;

TEST_CASE("synth writes a file that memrec trains on", "[cli][synth]") {
    TempDir dir;
    const std::vector<std::string> args{"synth", "--users", "200", "--items", "300", "--ratings", "12000",
                                        "--min-per-user", "15", "--seed", "3"};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> a = args;
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    const RunResult s = run_memrec(with({"--out", dir.file("r.csv")}), dir.path());
    INFO(describe(s));
    REQUIRE(s.status == 0);
    CHECK_THAT(s.out, Contains("12,000 ratings by 200 users of 300 items"));
    CHECK(slurp(dir.file("r.csv")).rfind("userId,movieId,rating,timestamp\n", 0) == 0);
    REQUIRE(run_memrec(with({"--out", dir.file("again.csv"), "-q"}), dir.path()).status == 0);
    CHECK(slurp(dir.file("again.csv")) == slurp(dir.file("r.csv")));

    REQUIRE(run_memrec(with({"--format", "dat", "--out", dir.file("r.dat"), "-q"}), dir.path()).status == 0);
    const RunResult t = run_memrec({"train", "--data", dir.file("r.dat"), "--preset", "tiny", "--epochs", "2",
                                    "--threads", "1"}, dir.path());
    INFO(describe(t));
    REQUIRE(t.status == 0);
    CHECK_THAT(t.out, Contains("12,000 ratings, 200 users"));
    CHECK_THAT(t.out, Contains("eval rmse"));
}

TEST_CASE("synth refuses a shape it cannot draw, naming it", "[cli][synth]") {
    TempDir dir;
    const RunResult r = run_memrec({"synth", "--users", "10", "--items", "20", "--ratings", "500", "--min-per-user", "5", "--out",
                                    dir.file("r.csv")}, dir.path());
    INFO(describe(r));
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("ratings (500) must be at most users times half the items (100)"));
    CHECK(!std::filesystem::exists(dir.file("r.csv")));
    const RunResult like = run_memrec({"synth", "--like", "ml-2m", "--out", dir.file("r.csv")}, dir.path());
    CHECK(like.status == 2);
}
