// memrec sweep --storages: every entry stored and measured at each storage asked for, and the frontier over
// every (entry, storage) pair obeys its definition: a marked pair is beaten by no pair of at most its bytes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "run_memrec.h"
#include "taste_groups.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::slurp;
using memrec_test::TempDir;
using Catch::Contains;

TEST_CASE("sweep --storages measures every entry at each storage and marks the frontier over all", "[cli][sweep]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    dir.write("grid.txt",
              "--objective als --dim 12\n"
              "--objective als --dim 16 --als-lambda 5\n"
              "--dim 12 --biases --epochs 2\n");
    const RunResult r = run_memrec({"sweep", "--data", dir.file("ml"), "--grid", dir.file("grid.txt"), "--storages",
                                    "f16,int4,pq4x8", "--threads", "1", "--json", dir.file("s.json")}, dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("every storage (frontier over all of them):"));

    const nlohmann::json j = nlohmann::json::parse(slurp(dir.file("s.json")));
    REQUIRE(j["results"].size() == 3);
    struct Point {
        double bytes, rmse, recall;
        bool on_rmse, on_recall;
    };
    std::vector<Point> points;
    for (const auto& row : j["results"]) {
        const auto& st = row["storages"];
        REQUIRE(st.size() == 5);
        std::map<std::string, double> bytes;
        for (const auto& s : st) {
            bytes[s["storage"].get<std::string>()] = s["bytes"].get<double>();
            points.push_back({s["bytes"].get<double>(), s["eval_rmse"].is_null() ? 1e9 : s["eval_rmse"].get<double>(),
                              s["recall20"].get<double>(), s["frontier_rmse"].get<bool>(), s["frontier_recall"].get<bool>()});
        }
        // Sizes fall with the bits: f32 > f16 > int8 > int4 (12- and 16-wide rows are 4-bit rows).
        CHECK(bytes["f32"] > bytes["f16"]);
        CHECK(bytes["f16"] > bytes["int8"]);
        CHECK(bytes["int8"] > bytes["int4"]);
        CHECK(bytes["f32"] > bytes["pq4x8"]);  // product codes: 4 bytes per row and small codebooks
        CHECK(row["bytes_int8"].get<double>() == bytes["int8"]);  // the first table's columns are the same figures
        CHECK(row["storages"][0]["recall20"].get<double>() == row["recall20"].get<double>());
    }
    int on_rmse = 0, on_recall = 0;
    for (const Point& p : points) {
        on_rmse += p.on_rmse;
        on_recall += p.on_recall;
        for (const Point& q : points) {
            if (p.on_recall) CHECK_FALSE((q.bytes <= p.bytes && q.recall > p.recall));
            if (p.on_rmse) CHECK_FALSE((q.bytes <= p.bytes && q.rmse < p.rmse));
        }
    }
    CHECK(on_recall >= 1);
    CHECK(on_rmse >= 1);
    // The smallest pair of all is on the recall frontier whatever its figure.
    const auto smallest = std::min_element(points.begin(), points.end(),
                                           [](const Point& a, const Point& b) { return a.bytes < b.bytes; });
    CHECK(smallest->on_recall);
}

TEST_CASE("sweep --storages refuses a storage it does not know", "[cli][sweep]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    const RunResult r = run_memrec({"sweep", "--data", dir.file("ml"), "--storages", "int3", "--budget", "1"},
                                   dir.path());
    INFO(describe(r));
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("int3"));
    for (const std::string bad : {"pq", "pq8", "pq8x8x"}) {
        const RunResult p = run_memrec({"sweep", "--data", dir.file("ml"), "--storages", bad, "--budget", "1"}, dir.path());
        INFO(describe(p));
        CHECK(p.status == 2);
        CHECK_THAT(p.err, Contains("pqMxB"));
    }
}
