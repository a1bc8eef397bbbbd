// memrec train --objective bpr: trains (with a quotient-remainder item table too), saves a format-5 file
// that inspect calls item side only, exports to int8, and recommends for a visitor exactly what the
// library's FoldIn (the page's path) lists; BPR's flags are checked.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "memrec/fold_in.h"
#include "memrec/model_file.h"
#include "memrec/recommend.h"
#include "run_memrec.h"
#include "taste_groups.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::TempDir;
using Catch::Contains;

namespace {

std::vector<std::string> listed(const std::string& out) {
    std::vector<std::string> ids;
    std::istringstream lines(out);
    const std::regex row(R"(^\s+\d+\s+-?[0-9.]+\s+(\S+))");
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, row)) ids.push_back(m[1]);
    }
    return ids;
}

std::vector<std::string> library_list(const std::string& path, const std::vector<std::pair<std::string, float>>& r, int k) {
    const memrec::ModelFile f = memrec::load_model(path);
    std::vector<memrec::VisitorRating> ratings;
    std::vector<int32_t> rated;
    for (const auto& [id, rating] : r) {
        ratings.push_back({f.items.find(id), rating});
        rated.push_back(f.items.find(id));
    }
    const memrec::FoldIn fold_in(*f.model);
    std::vector<std::string> ids;
    for (const auto& s : memrec::top_k(fold_in.scores(ratings), k, rated)) ids.push_back(f.items.id(s.item));
    return ids;
}

}  // namespace

TEST_CASE("train --objective bpr, export int8, inspect and recommend a visitor", "[cli][bpr]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    const std::vector<std::pair<std::string, float>> ratings{{"2", 5}, {"5", 5}, {"11", 4}, {"40", 1}};
    for (const std::string table : {"full", "qr"}) {
        INFO("item table " << table);
        const RunResult t = run_memrec({"train", "--data", dir.file("ml"), "--objective", "bpr", "--item-table", table,
                                        "--dim", "8", "--epochs", "30", "--lr", "0.03", "--batch", "64",
                                        "--negatives", "2", "--als-lambda", "10", "--threads", "1", "--out", dir.file("m.mrec")},
                                       dir.path());
        INFO(describe(t));
        REQUIRE(t.status == 0);
        CHECK_THAT(t.out, Contains("training: BPR, 30 epochs, batch 64, lr 0.03, lazy Adam"));
        CHECK_THAT(t.out, Contains("2 negatives"));
        const RunResult e = run_memrec({"export", dir.file("m.mrec"), "--quantize", "int8", "--out", dir.file("m8.mrec")},
                                       dir.path());
        INFO(describe(e));
        REQUIRE(e.status == 0);
        const RunResult i = run_memrec({"inspect", dir.file("m8.mrec")}, dir.path());
        INFO(describe(i));
        REQUIRE(i.status == 0);
        CHECK_THAT(i.out, Contains("format version 5, tables stored as int8"));
        CHECK_THAT(i.out, Contains("item side only (fold-in model)"));
        CHECK_THAT(i.out, Contains("(bpr: alpha 3, lambda 10, positives rated >= 4)"));
        const RunResult r = run_memrec({"recommend", dir.file("m8.mrec"), "--ratings", "2:5,5:5,11:4,40:1", "-k", "8"},
                                       dir.path());
        INFO(describe(r));
        REQUIRE(r.status == 0);
        const std::vector<std::string> ids = listed(r.out);
        REQUIRE(ids.size() == 8u);
        CHECK(ids == library_list(dir.file("m8.mrec"), ratings, 8));
        // The visitor likes low ids (the even users' taste): BPR puts low ids first.
        for (size_t k = 0; k < 5; ++k) CHECK(std::stoi(ids[k]) <= 25);
    }
}

TEST_CASE("train --objective bpr refuses what it does not train", "[cli][bpr][bad-input]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    const std::string data = dir.file("ml");
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"train", "--data", data, "--objective", "bpr", "--user-table", "qr"}, "the user table is full"},
        {{"train", "--data", data, "--objective", "bpr", "--biases"}, "has no biases"},
        {{"train", "--data", data, "--objective", "bpr", "--iterations", "3"}, "--iterations is ALS's"},
        {{"train", "--data", data, "--objective", "bpr", "--negatives", "0"}, "--negatives"},
        {{"train", "--data", data, "--objective", "bpr", "--negative-power", "1.5"}, "--negative-power"},
        {{"train", "--data", data, "--objective", "bpr", "--checkpoint", dir.file("ck")}, "do not apply to --objective bpr"},
    };
    for (const auto& [args, message] : cases) {
        const RunResult r = run_memrec(args, dir.path());
        INFO(describe(r));
        CHECK(r.status != 0);
        CHECK_THAT(r.err, Contains(message));
    }
}

TEST_CASE("sweep takes a BPR grid entry: ranked, no RMSE, its objective in the JSON", "[cli][bpr][topn]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    dir.write("grid.txt", "--objective bpr --item-table qr --dim 8 --epochs 5\n--preset tiny --epochs 1\n");
    const RunResult r = run_memrec({"sweep", "--data", dir.file("ml"), "--grid", dir.file("grid.txt"), "--threads",
                                    "1", "--json", dir.file("sweep.json")},
                                   dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("bpr, user full, item qr"));
    CHECK_THAT(r.out, Contains("recall@20"));
    CHECK_THAT(r.out, Contains("implicit (ALS, BPR) models score preferences"));
    const std::string json = memrec_test::slurp(dir.file("sweep.json"));
    CHECK_THAT(json, Contains("\"objective\": \"bpr\""));
}

TEST_CASE("train --objective bpr prints the batch it trains with: --batch capped at the training positives",
          "[cli][bpr]") {
    TempDir dir;
    memrec_test::write_taste_groups(dir);
    // Trained on all of ml/ratings.dat (--eval-data): its 5-star ratings are the positives (599 of 1,200).
    const std::string ratings = memrec_test::slurp(dir.file("ml/ratings.dat"));
    int positives = 0;
    for (size_t at = ratings.find("::5::978300760"); at != std::string::npos; at = ratings.find("::5::978300760", at + 1)) ++positives;
    REQUIRE(positives == 599);
    dir.write("eval.dat", "2::1::5::978300760\n3::30::5::978300760\n");
    auto train = [&](const std::string& batch) {
        return run_memrec({"train", "--data", dir.file("ml"), "--eval-data", dir.file("eval.dat"), "--objective",
                           "bpr", "--dim", "8", "--epochs", "1", "--batch", batch, "--threads", "1"},
                          dir.path());
    };
    RunResult r = train("4096");
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("training: BPR, 1 epochs, batch 599 (--batch 4096 capped at the 599 training positives), "));
    r = train("64");
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("training: BPR, 1 epochs, batch 64, "));
}
