// memrec sweep with top-N figures: ALS entries (no RMSE) turn ranking on; the table gains Recall@20 and
// NDCG@100 columns, and the "recall" frontier mark obeys its definition: no marked row is dominated in int8
// bytes and int8 Recall@20 by another row (exact figures from the JSON; the table rounds them).
#include <catch2/catch.hpp>
#include <sstream>

#include "run_memrec.h"
#include "taste_groups.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::TempDir;
using Catch::Contains;

namespace {

struct TableRow {
    double recall_int8 = -1;
    std::string rmse, frontier;
};

std::string trim(const std::string& s) {
    const auto a = s.find_first_not_of(' '), b = s.find_last_not_of(' ');
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// The results table: every column is right-aligned under its header, so a value ends where its header does.
std::vector<TableRow> parse_table(const std::string& out) {
    std::istringstream in(out);
    std::string line, header;
    std::vector<TableRow> rows;
    while (std::getline(in, line)) {
        if (line.rfind("model ", 0) == 0) {
            header = line;
            continue;
        }
        if (header.empty() || line.size() < header.size() - 8 || line.rfind("implicit", 0) == 0) continue;
        const auto field = [&](const std::string& name, size_t width) {
            const size_t end = header.find(name) + name.size();
            return trim(line.substr(end - width, width));
        };
        TableRow r;
        r.rmse = field("rmse ", 7);
        const std::string recall = field("r@20 int8", 9);
        if (recall != "-") r.recall_int8 = std::stod(recall);
        const size_t frontier = header.find("r@20 int8") + 10;
        r.frontier = line.size() > frontier ? trim(line.substr(frontier)) : "";
        rows.push_back(r);
    }
    return rows;
}

struct JsonRow {
    double bytes = 0, recall = -1;
    bool frontier_recall = false;
};

// The results of sweep's JSON: one object per row, each starting at its "bytes_f32" key (keys are sorted).
std::vector<JsonRow> parse_json(const std::string& json) {
    std::vector<JsonRow> rows;
    const std::string start = "\"bytes_f32\"";
    const auto number = [](const std::string& chunk, const std::string& key) {
        const auto at = chunk.find("\"" + key + "\": ");
        return at == std::string::npos ? -1.0 : std::stod(chunk.substr(at + key.size() + 4));
    };
    for (size_t at = json.find(start); at != std::string::npos;) {
        const size_t next = json.find(start, at + 1);
        const std::string chunk = json.substr(at, next == std::string::npos ? std::string::npos : next - at);
        rows.push_back({number(chunk, "bytes_int8"), number(chunk, "recall20_int8"),
                        chunk.find("\"frontier_recall\": true") != std::string::npos});
        at = next;
    }
    return rows;
}

}  // namespace

TEST_CASE("sweep ranks ALS and rating entries for visitors and marks the Recall@20 frontier", "[cli][topn]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    dir.write("grid.txt",
              "--objective als --dim 2\n--objective als --dim 4\n--objective als --dim 8 --epochs 3\n"
              "--dim 4 --epochs 2\n--dim 2 --epochs 2 --biases\n");
    const RunResult r = run_memrec({"sweep", "--data", dir.file("ml"), "--grid", dir.file("grid.txt"), "--threads",
                                    "1", "--json", dir.file("sweep.json")},
                                   dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("recall@20") && Contains("ndcg@100") && Contains("r@20 int8"));
    CHECK_THAT(r.out, Contains("visitors:"));
    CHECK_THAT(r.out, Contains("they have no RMSE"));

    const std::vector<TableRow> rows = parse_table(r.out);
    const std::vector<JsonRow> exact = parse_json(memrec_test::slurp(dir.file("sweep.json")));
    REQUIRE(rows.size() == 5);
    REQUIRE(exact.size() == 5);
    int marked = 0, als = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        als += rows[i].rmse == "-";
        REQUIRE(rows[i].recall_int8 >= 0);  // every row ranked
        // The table and the JSON list the rows in the same order (by int8 bytes) with the same marks.
        CHECK(exact[i].frontier_recall == (rows[i].frontier.find("recall") != std::string::npos));
    }
    CHECK(als == 3);
    double best = -1;
    for (const JsonRow& a : exact) best = std::max(best, a.recall);
    double smallest_best = 1e300;
    for (const JsonRow& a : exact)
        if (a.recall == best) smallest_best = std::min(smallest_best, a.bytes);
    for (const JsonRow& a : exact) {
        if (a.recall == best && a.bytes == smallest_best) CHECK(a.frontier_recall);
        if (!a.frontier_recall) continue;
        ++marked;
        for (const JsonRow& b : exact) {
            const bool dominates =
                (b.bytes <= a.bytes && b.recall > a.recall) || (b.bytes < a.bytes && b.recall >= a.recall);
            INFO("marked " << a.bytes << " B, " << a.recall << " vs " << b.bytes << " B, " << b.recall);
            CHECK_FALSE(dominates);
        }
    }
    CHECK(marked >= 1);
    // An ALS row's RMSE is null in the JSON, a ranked row has its top-N figures.
    const std::string json = memrec_test::slurp(dir.file("sweep.json"));
    CHECK_THAT(json, Contains("\"eval_rmse\": null") && Contains("\"ndcg100\""));
}

TEST_CASE("sweep without ALS entries or --topn prints no top-N columns; --topn adds them", "[cli][topn]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    dir.write("grid.txt", "--dim 2 --epochs 2\n");
    const RunResult plain = run_memrec(
        {"sweep", "--data", dir.file("ml"), "--grid", dir.file("grid.txt"), "--threads", "1"}, dir.path());
    INFO(describe(plain));
    REQUIRE(plain.status == 0);
    CHECK_THAT(plain.out, !Contains("recall@20") && !Contains("visitors:"));
    const RunResult ranked = run_memrec(
        {"sweep", "--data", dir.file("ml"), "--grid", dir.file("grid.txt"), "--threads", "1", "--topn"}, dir.path());
    INFO(describe(ranked));
    REQUIRE(ranked.status == 0);
    CHECK_THAT(ranked.out, Contains("recall@20") && Contains("visitors:"));
}
