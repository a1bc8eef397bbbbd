// Top-N evaluation through the real binary on a small ratings folder: split writes the visitors split as
// CSV, train --protocol visitors never trains on the visitors and prints the figures that eval then
// reproduces from the model file, and eval --split scores a model on the CSV files with the same figures.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "run_memrec.h"
#include "taste_groups.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::slurp;
using memrec_test::TempDir;
using Catch::Contains;

namespace {

void write_data(const TempDir& dir) { memrec_test::write_taste_groups(dir); }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string l; std::getline(ss, l);) out.push_back(l);
    return out;
}

std::set<std::string> users_of(const std::string& csv) {
    std::set<std::string> out;
    const auto rows = lines(csv);
    for (size_t k = 1; k < rows.size(); ++k) out.insert(rows[k].substr(0, rows[k].find(',')));
    return out;
}

// The line of the top-N table that starts with `row` ("model" or "popularity").
std::string table_row(const std::string& out, const std::string& row) {
    std::smatch m;
    const std::regex re("\\n  " + row + " +([^\\n]*)\\n");
    return std::regex_search(out, m, re) ? m[1].str() : "";
}

struct Data {
    TempDir dir;
    Data() { write_data(dir); }
    RunResult run(std::vector<std::string> args) const { return run_memrec(args, dir.path()); }
};

}  // namespace

TEST_CASE("split writes the visitors split as three CSV files", "[cli][topn]") {
    const Data d;
    const RunResult r = d.run({"split", "--data", d.dir.file("ml"), "--out", d.dir.file("s"), "--seed", "7"});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    const std::string train = slurp(d.dir.file("s/train.csv")), foldin = slurp(d.dir.file("s/foldin.csv")),
                      targets = slurp(d.dir.file("s/targets.csv"));
    for (const std::string* f : {&train, &foldin, &targets}) CHECK(lines(*f).at(0) == "user,item,rating");
    // 6 of 60 users held out; each has 20 ratings: 16 folded in, 4 targets.
    CHECK(lines(train).size() == 1 + 54 * 20);
    CHECK(lines(foldin).size() == 1 + 6 * 16);
    CHECK(lines(targets).size() == 1 + 6 * 4);
    const std::set<std::string> visitors = users_of(foldin);
    CHECK(visitors.size() == 6);
    CHECK(users_of(targets) == visitors);
    for (const std::string& u : users_of(train)) CHECK(visitors.count(u) == 0);
    CHECK_THAT(foldin, Contains("\n") && !Contains(".0"));  // ratings as written: 5, not 5.0

    SECTION("the same seed writes the same files, another seed others") {
        REQUIRE(d.run({"split", "--data", d.dir.file("ml"), "--out", d.dir.file("t"), "--seed", "7", "-q"}).status == 0);
        CHECK(slurp(d.dir.file("t/foldin.csv")) == foldin);
        REQUIRE(d.run({"split", "--data", d.dir.file("ml"), "--out", d.dir.file("u"), "--seed", "8", "-q"}).status == 0);
        CHECK(slurp(d.dir.file("u/foldin.csv")) != foldin);
    }
}

TEST_CASE("train --protocol visitors prints top-N figures that eval and eval --split reproduce", "[cli][topn]") {
    const Data d;
    const RunResult t = d.run({"train", "--data", d.dir.file("ml"), "--preset", "tiny", "--epochs", "5", "--threads",
                               "1", "--protocol", "visitors", "--out", d.dir.file("m.mrec")});
    INFO(describe(t));
    REQUIRE(t.status == 0);
    CHECK_THAT(t.out, Contains("visitors: 6 users held out (seed 42), 96 fold-in and 24 target ratings; 54 training users"));
    CHECK_THAT(t.out, Contains("top-N (visitors, fold-in): 6 users, 0 skipped"));
    const std::string model = table_row(t.out, "model"), popularity = table_row(t.out, "popularity");
    REQUIRE(!model.empty());
    REQUIRE(!popularity.empty());

    // The visitors have no row in the model: eval does not warn that it was trained on them.
    const RunResult e = d.run({"eval", d.dir.file("m.mrec"), "--protocol", "visitors", "--threads", "2"});
    INFO(describe(e));
    REQUIRE(e.status == 0);
    CHECK(table_row(e.out, "model") == model);
    CHECK(table_row(e.out, "popularity") == popularity);
    CHECK_THAT(e.err, !Contains("trained on"));

    REQUIRE(d.run({"split", "--data", d.dir.file("ml"), "--out", d.dir.file("s"), "-q"}).status == 0);
    const RunResult s = d.run({"eval", d.dir.file("m.mrec"), "--split", d.dir.file("s")});
    INFO(describe(s));
    REQUIRE(s.status == 0);
    CHECK_THAT(s.out, Contains("6 visitors, 96 fold-in ratings (0 of movies the model does not know"));
    CHECK(table_row(s.out, "model") == model);
    CHECK(table_row(s.out, "popularity") == popularity);
}

TEST_CASE("eval --split counts movies the model does not know and warns about trained visitors", "[cli][topn]") {
    const Data d;
    REQUIRE(d.run({"train", "--data", d.dir.file("ml"), "--preset", "tiny", "--epochs", "2", "--threads", "1", "-q",
                   "--out", d.dir.file("m.mrec")})
                .status == 0);
    // Visitor 2 is a user the model was trained on; movie 999 is unknown; visitor 77 has no positive.
    d.dir.write("s/foldin.csv", "user,item,rating\n2,1,5\n2,999,4\n77,3,2\n");
    d.dir.write("s/targets.csv", "user,item,rating\n2,4,5\n2,999,5\n2,5,1\n77,6,3\n");
    const RunResult r = d.run({"eval", d.dir.file("m.mrec"), "--split", d.dir.file("s")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("2 visitors, 3 fold-in ratings (1 of movies the model does not know, left out), "
                               "4 targets (1 positives the model does not know, counted as misses)"));
    CHECK_THAT(r.out, Contains("1 users, 1 skipped"));
    CHECK_THAT(r.err, Contains("trained on 1 of the 2 held-out visitors"));
}

TEST_CASE("eval --protocol ratings ranks each user's own vector", "[cli][topn]") {
    const Data d;
    REQUIRE(d.run({"train", "--data", d.dir.file("ml"), "--preset", "tiny", "--epochs", "2", "--threads", "1", "-q",
                   "--out", d.dir.file("m.mrec")})
                .status == 0);
    const RunResult r = d.run({"eval", d.dir.file("m.mrec"), "--protocol", "ratings", "--positive-threshold", "5"});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("eval: mse"));
    CHECK_THAT(r.out, Contains("top-N (ratings, own vectors)"));
    CHECK_THAT(r.out, Contains("(no target rated >= 5)"));
    CHECK(!table_row(r.out, "model").empty());
}

TEST_CASE("top-N flags are checked", "[cli][topn]") {
    const Data d;
    CHECK(d.run({"eval", "m.mrec", "--protocol", "users"}).status == 2);
    CHECK(d.run({"split", "--data", d.dir.file("ml")}).status == 2);  // no --out
    CHECK(d.run({"split", "--data", d.dir.file("ml"), "--out", d.dir.file("s"), "--protocol", "ratings"}).status == 2);
    d.dir.write("s/x", "");
    CHECK(d.run({"eval", "m.mrec", "--split", d.dir.file("s"), "--protocol", "visitors"}).status == 2);
    d.dir.write("file", "");
    const RunResult r = d.run({"split", "--data", d.dir.file("ml"), "--out", d.dir.file("file")});
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("not a directory"));
}
