// memrec export --quantize pq on a small ranking model: a version 5 file that inspect, eval and recommend read,
// its usage errors, and re-exporting the pq file keeping its codes (the same bytes).
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "memrec/io.h"
#include "run_memrec.h"
#include "taste_groups.h"
#include "test_files.h"

using Catch::Contains;
using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::slurp;
using memrec_test::TempDir;

// Taste-group ratings in dir/ml and a rank-tiny model trained on them in dir/m.mrec; returns a runner of
// memrec in dir.
static std::function<RunResult(std::vector<std::string>)> trained_rank_tiny(const TempDir& dir) {
    memrec_test::write_taste_groups(dir);
    auto run = [&dir](std::vector<std::string> args) { return run_memrec(args, dir.path()); };
    REQUIRE(run({"train", "--data", dir.file("ml"), "--preset", "rank-tiny", "--threads", "1", "-q", "--protocol",
                 "visitors", "--out", dir.file("m.mrec")})
                .status == 0);
    return run;
}

TEST_CASE("export --quantize pq writes a version 5 file that inspect, eval and recommend read", "[cli][export][pq]") {
    TempDir dir;
    const auto run = trained_rank_tiny(dir);
    // rank-tiny: 12 factors, so 4 subspaces of 3 columns.
    RunResult r = run({"export", dir.file("m.mrec"), "--quantize", "pq", "--pq-subspaces", "4", "--pq-bits", "5",
                       "--no-titles", "--out", dir.file("pq.mrec")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("pq tables, no titles"));
    r = run({"inspect", dir.file("pq.mrec")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("format version 5, tables stored as pq"));
    CHECK_THAT(r.out, Contains("bytes at pq, "));
    r = run({"eval", dir.file("pq.mrec"), "--data", dir.file("ml"), "--protocol", "visitors"});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("recall@20"));
    dir.write("ratings.csv", "1,5\n2,4\n3,5\n");
    r = run({"recommend", dir.file("pq.mrec"), "--ratings-file", dir.file("ratings.csv"), "-k", "5", "-q"});
    INFO(describe(r));
    CHECK(r.status == 0);
    // Exported again with the same options, the file keeps its codes: the same bytes.
    REQUIRE(run({"export", dir.file("pq.mrec"), "--quantize", "pq", "--pq-subspaces", "4", "--pq-bits", "5",
                 "--no-titles", "-q", "--out", dir.file("pq2.mrec")})
                .status == 0);
    CHECK(slurp(dir.file("pq2.mrec")) == slurp(dir.file("pq.mrec")));
    // Usage errors.
    r = run({"export", dir.file("m.mrec"), "--quantize", "pq", "--out", dir.file("x.mrec")});
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Contains("--pq-subspaces"));
    r = run({"export", dir.file("m.mrec"), "--quantize", "pq", "--pq-subspaces", "4", "--pq-bits", "9", "--out",
             dir.file("x.mrec")});
    CHECK(r.status != 0);
    r = run({"export", dir.file("m.mrec"), "--quantize", "int8", "--pq-subspaces", "4", "--out", dir.file("x.mrec")});
    CHECK(r.status != 0);
    CHECK_THAT(r.err, Contains("--pq-subspaces applies to --quantize pq"));
}

// The number after `label` on the line that starts with it (commas removed), or -1.
static double size_row_bytes(const std::string& out, const std::string& label) {
    for (size_t at = out.find("\n  " + label + " "); at != std::string::npos; at = std::string::npos) {
        std::string digits;
        for (size_t i = at + 3 + label.size(); i < out.size() && out[i] != '\n'; ++i) {
            if (out[i] >= '0' && out[i] <= '9') digits += out[i];
            else if (out[i] != ',' && !digits.empty()) break;
        }
        return digits.empty() ? -1 : std::stod(digits);
    }
    return -1;
}

TEST_CASE("inspect's size table has a pq row: a chosen subspace count, or a pq file's own", "[cli][inspect][pq]") {
    TempDir dir;
    const auto run = trained_rank_tiny(dir);
    // rank-tiny's 12 factors: 3 subspaces (of 4), the divisor nearest a quarter; 8 bits.
    RunResult r = run({"inspect", dir.file("m.mrec")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    const double pq = size_row_bytes(r.out, "pq 3x8");  // above int8 here: 256 centroids outweigh 30 items
    CHECK(pq > 0);
    // It is the size export writes with those options (titles included, as the table's first rows).
    REQUIRE(run({"export", dir.file("m.mrec"), "--quantize", "pq", "--pq-subspaces", "3", "--pq-bits", "8", "-q",
                 "--out", dir.file("pq38.mrec")})
                .status == 0);
    CHECK(pq == double(slurp(dir.file("pq38.mrec")).size()));
    // A pq file's row is its own codes, written as they are: its own size.
    REQUIRE(run({"export", dir.file("m.mrec"), "--quantize", "pq", "--pq-subspaces", "4", "--pq-bits", "5", "-q",
                 "--out", dir.file("pq45.mrec")})
                .status == 0);
    r = run({"inspect", dir.file("pq45.mrec")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(size_row_bytes(r.out, "pq 4x5") == double(slurp(dir.file("pq45.mrec")).size()));
}

TEST_CASE("inspect's size table is what export writes at every storage", "[cli][inspect][export]") {
    TempDir dir;
    const auto run = trained_rank_tiny(dir);
    RunResult r = run({"inspect", dir.file("m.mrec")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    for (const std::string storage : {"f32", "f16", "int8", "int4"}) {
        INFO(storage);
        REQUIRE(run({"export", dir.file("m.mrec"), "--quantize", storage, "-q", "--out", dir.file(storage + ".mrec")})
                    .status == 0);
        CHECK(size_row_bytes(r.out, storage) == double(slurp(dir.file(storage + ".mrec")).size()));
    }
}
