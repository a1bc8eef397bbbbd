// memrec recommend --ratings / --ratings-file: a visitor folded in through the binary gives the list that
// FoldIn + top_k give in the library (what the page's recommendVisitor runs), for a rating and an implicit
// model, the rated movies left out; ids the model lacks are named.
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

void write_data(const TempDir& dir) { memrec_test::write_taste_groups(dir); }

// Each printed row's movie id, or with `reasons` its "because you liked" movie ("" for a row without one),
// best first.
std::vector<std::string> listed(const std::string& out, bool reasons = false) {
    std::vector<std::string> ids;
    std::istringstream lines(out);
    const std::regex row(R"(^\s+\d+\s+-?[0-9.]+\s+(\S+)(?:\s+because you liked (\S+))?$)");
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, row)) ids.push_back(m[reasons ? 2 : 1]);
    }
    return ids;
}

// What the page would list: FoldIn with default options, then top_k leaving out the rated items; with
// `reasons`, each item's FoldIn::because instead of the item ("" for none).
std::vector<std::string> library_list(const std::string& path, const std::vector<std::pair<std::string, float>>& r,
                                      int k, bool reasons = false) {
    const memrec::ModelFile f = memrec::load_model(path);
    std::vector<memrec::VisitorRating> ratings;
    std::vector<int32_t> rated;
    for (const auto& [id, rating] : r) {
        ratings.push_back({f.items.find(id), rating});
        rated.push_back(f.items.find(id));
    }
    const memrec::FoldIn fold_in(*f.model);
    const memrec::FoldIn::Visitor visitor = fold_in.fit(ratings);
    std::vector<int32_t> items;
    for (const auto& s : memrec::top_k(fold_in.scores(visitor), k, rated)) items.push_back(s.item);
    const std::vector<int32_t> because = fold_in.because(visitor, items);
    std::vector<std::string> ids;
    for (size_t i = 0; i < items.size(); ++i)
        ids.push_back(!reasons ? f.items.id(items[i]) : because[i] < 0 ? "" : r[size_t(because[i])].first);
    return ids;
}

}  // namespace

TEST_CASE("recommend --ratings folds a visitor in as the page does", "[cli][recommend]") {
    TempDir dir;
    write_data(dir);
    const std::vector<std::pair<std::string, float>> ratings{{"2", 5}, {"5", 5}, {"11", 4}, {"40", 1}};
    const std::string list = "2:5, 5:5,11:4,40:1";
    dir.write("mine.csv", "item,rating\n2,5\n5:5\n\n# a comment\n11,4\n40,1\n");
    for (const std::vector<std::string> objective : {std::vector<std::string>{"--preset", "tiny", "--epochs", "5"},
                                                     std::vector<std::string>{"--objective", "als", "--dim", "8"}}) {
        std::vector<std::string> train{"train", "--data", dir.file("ml"), "--threads", "1", "--out", dir.file("m.mrec")};
        train.insert(train.end(), objective.begin(), objective.end());
        REQUIRE(run_memrec(train, dir.path()).status == 0);

        const RunResult r = run_memrec({"recommend", dir.file("m.mrec"), "--ratings", list, "-k", "8"}, dir.path());
        INFO(describe(r));
        REQUIRE(r.status == 0);
        CHECK_THAT(r.out, Contains("visitor with 4 ratings: top 8 of 50 movies, leaving out the rated ones"));
        const std::vector<std::string> ids = listed(r.out);
        CHECK(ids == library_list(dir.file("m.mrec"), ratings, 8));
        for (const auto& [id, rating] : ratings) CHECK(std::find(ids.begin(), ids.end(), id) == ids.end());
        // Each line says which liked movie (rated 4 or 5, never the 1) contributes most to its score.
        const std::vector<std::string> why = listed(r.out, true);
        CHECK(why == library_list(dir.file("m.mrec"), ratings, 8, true));
        CHECK(std::count(why.begin(), why.end(), "") < 8);
        CHECK(std::count(why.begin(), why.end(), "40") == 0);
        // A visitor who likes low ids is recommended low ids first (by ALS: the tiny rating model, 5 epochs on
        // 1,200 ratings, has barely left its initialisation).
        if (objective[0] == "--objective")
            for (size_t i = 0; i < 4; ++i) CHECK(std::stoi(ids.at(i)) <= 25);

        const RunResult f = run_memrec({"recommend", dir.file("m.mrec"), "--ratings-file", dir.file("mine.csv"),
                                        "-k", "8"}, dir.path());
        INFO(describe(f));
        CHECK(f.out == r.out);
    }
}

TEST_CASE("recommend --ratings names unknown ids and rejects malformed input", "[cli][recommend][bad-input]") {
    TempDir dir;
    write_data(dir);
    REQUIRE(run_memrec({"train", "--data", dir.file("ml"), "--objective", "als", "--dim", "4", "--threads", "1",
                        "--out", dir.file("m.mrec")}, dir.path()).status == 0);
    dir.write("bad.csv", "2,5\nfive stars\n");
    const std::string m = dir.file("m.mrec");
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"recommend", m, "--ratings", "2:5,999:4,777:1"}, "item ids not in the model: 999, 777"},
        {{"recommend", m, "--ratings", "2:5,3"}, "'3' is not item:rating"},
        {{"recommend", m, "--ratings", "2:x"}, "'2:x' is not item:rating"},
        {{"recommend", m, "--ratings-file", dir.file("bad.csv")}, "bad.csv:2: 'five stars' is not item,rating"},
        {{"recommend", m, "--ratings-file", dir.file("none.csv")}, "cannot open ratings file"},
    };
    for (const auto& [args, message] : cases) {
        const RunResult r = run_memrec(args, dir.path());
        INFO(describe(r));
        CHECK(r.status == 1);
        CHECK_THAT(r.err, Contains(message));
    }
    const RunResult both = run_memrec({"recommend", m, "--user", "1", "--ratings", "2:5"}, dir.path());
    CHECK(both.status == 2);
    CHECK_THAT(both.err, Contains("excludes"));
}

TEST_CASE("train --protocol stores its top-N figures in the model file and inspect prints them", "[cli][topn]") {
    TempDir dir;
    write_data(dir);
    const RunResult t = run_memrec({"train", "--data", dir.file("ml"), "--preset", "rank-tiny", "--threads", "1",
                                    "--protocol", "visitors", "--out", dir.file("m.mrec")}, dir.path());
    INFO(describe(t));
    REQUIRE(t.status == 0);
    std::smatch m;
    REQUIRE(std::regex_search(t.out, m, std::regex(R"(\n  model +([0-9.]+) +([0-9.]+) +([0-9.]+) +(\d+))")));
    const RunResult i = run_memrec({"inspect", dir.file("m.mrec")}, dir.path());
    INFO(describe(i));
    REQUIRE(i.status == 0);
    CHECK_THAT(i.out, Contains("preset        rank-tiny"));
    CHECK_THAT(i.out, Contains("top-N         visitors protocol: recall@20 " + m[1].str() + "  ndcg@100 " +
                               m[2].str() + "  hr@10 " + m[3].str() + "  coverage@10 " + m[4].str()));
    CHECK_THAT(i.out, Contains("6 users (0 skipped), positives rated >= 4"));
    // Without --protocol nothing is stored.
    REQUIRE(run_memrec({"train", "--data", dir.file("ml"), "--preset", "rank-tiny", "--threads", "1", "--out",
                        dir.file("n.mrec")}, dir.path()).status == 0);
    CHECK_THAT(run_memrec({"inspect", dir.file("n.mrec")}, dir.path()).out, !Contains("top-N"));
}
