// Reading one's own files from the command line (--delimiter, --user-column, --item-column,
// --rating-column, --no-header, --min/--max-rating, --duplicates), a separate eval file (--eval-data) and
// warm starts (--init), through the real binary on small written files; with the bad inputs of each flag.
#include <catch2/catch.hpp>

#include <string>

#include "low_rank_data.h"
#include "memrec/rng.h"
#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::slurp;
using memrec_test::TempDir;

namespace {

// 40 users x 30 items with opaque ids (SKU-like items, hashed-looking users), 15 distinct items each.
std::string own_csv(const std::string& header, char sep, int users = 40, int first_user = 0) {
    std::string s = header.empty() ? "" : header + "\n";
    for (int u = first_user; u < first_user + users; ++u)
        for (int j = 0; j < 15; ++j) {
            const int i = (u * 3 + j * 7) % 30;
            s += "h" + std::to_string(u * 7919 % 10007) + "@x";
            s += sep;
            s += "SKU-" + std::to_string(1000 + i);
            s += sep;
            s += std::to_string(1 + (u + i) % 5) + "\n";
        }
    return s;
}

bool has(const std::string& text, const std::string& words) { return text.find(words) != std::string::npos; }

}  // namespace

TEST_CASE("own data: a header 'user,item,score' is read with --rating-column score", "[cli][own-data]") {
    TempDir dir;
    const std::string data = dir.write("ratings.csv", own_csv("user,item,score", ','));
    auto refused = run_memrec({"train", "--data", data, "--epochs", "1", "--threads", "1"}, dir.path());
    CHECK(refused.status != 0);
    CHECK(has(refused.err, "--rating-column"));
    auto r = run_memrec({"train", "--data", data, "--rating-column", "score", "--epochs", "1", "--threads", "1"},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "600 ratings, 40 users, 30 items, scale 1..5 (from the data)"));
}

TEST_CASE("own data: columns by number, no header, tab delimiter, given scale", "[cli][own-data]") {
    TempDir dir;
    // item, user, rating order; no header
    std::string text;
    for (int u = 0; u < 20; ++u)
        for (int j = 0; j < 10; ++j)
            text += "item" + std::to_string((u + j * 3) % 25) + "\tuser" + std::to_string(u) + "\t" +
                    std::to_string(2 * (1 + (u + j) % 5)) + "\n";
    const std::string data = dir.write("events.tsv", text);
    auto r = run_memrec({"train", "--data", data, "--delimiter", "tab", "--no-header", "--user-column", "2",
                         "--item-column", "1", "--rating-column", "3", "--min-rating", "1", "--max-rating", "10",
                         "--epochs", "1", "--threads", "1"},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "200 ratings, 20 users, 25 items, scale 1..10 (given)"));
}

TEST_CASE("own data: --duplicates error (default), last, mean, count", "[cli][own-data]") {
    TempDir dir;
    std::string text = own_csv("user,item,rating", ',');
    text += "h0@x,SKU-1000,1\nh0@x,SKU-1000,5\n";  // SKU-1000 already rated 1 by h0@x: 3 lines for the pair
    const std::string data = dir.write("dups.csv", text);
    auto refused = run_memrec({"split", "--data", data, "--out", dir.file("s")}, dir.path());
    CHECK(refused.status == 1);
    CHECK(has(refused.err, "rated once"));
    for (const std::string policy : {"last", "mean", "count"}) {
        auto r = run_memrec({"train", "--data", data, "--duplicates", policy, "--epochs", "1", "--threads", "1"},
                            dir.path());
        INFO(policy << "\n" << describe(r));
        REQUIRE(r.status == 0);
        CHECK(has(r.out, "600 ratings"));
        CHECK(has(r.out, "2 lines merged (--duplicates " + policy + ")"));
        if (policy == "count") CHECK(has(r.out, "scale 1..3 (from the data)"));
    }
}

TEST_CASE("own data: --eval-data counts unseen users and items", "[cli][own-data][eval-data]") {
    TempDir dir;
    const std::string train = dir.write("train.csv", own_csv("user,item,rating", ','));
    // 5 known users x known items, plus 2 ratings of an unseen user and 1 of an unseen item
    std::string test = "user,item,rating\n";
    for (int u = 0; u < 5; ++u) test += "h" + std::to_string(u * 7919 % 10007) + "@x,SKU-" + std::to_string(1000 + u) + ",3\n";
    test += "stranger,SKU-1000,4\nstranger,SKU-1001,2\nh0@x,SKU-9999,5\n";
    const std::string eval = dir.write("test.csv", test);
    auto r = run_memrec({"train", "--data", train, "--eval-data", eval, "--epochs", "1", "--threads", "1"}, dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "8 ratings, 1 users (2 ratings) and 1 items (1 ratings) unseen in training, 3 ratings not "
                     "evaluated, 5 evaluated"));
    CHECK(has(r.out, "split: 600 train (all of --data), 5 eval (--eval-data)"));
    CHECK(has(r.out, "eval mse"));
    auto none = run_memrec({"train", "--data", train, "--eval-data", dir.write("alien.csv", "user,item,rating\nx,y,3\n"),
                            "--epochs", "1"},
                           dir.path());
    CHECK(none.status == 2);
    CHECK(has(none.err, "no rating has a user and an item seen in training"));
}

TEST_CASE("own data: warm start extends the vocabularies and records its parent", "[cli][own-data][warm]") {
    TempDir dir;
    const std::string a = dir.write("a.csv", own_csv("user,item,rating", ',', 40, 0));
    const std::string ab = dir.write("ab.csv", own_csv("user,item,rating", ',', 50, 0));
    auto parent = run_memrec({"train", "--data", a, "--epochs", "2", "--threads", "1", "--out", dir.file("a.mrec")},
                             dir.path());
    REQUIRE(parent.status == 0);
    auto r = run_memrec({"train", "--init", dir.file("a.mrec"), "--data", ab, "--epochs", "1", "--threads", "1",
                         "--out", dir.file("ab.mrec")},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "warm start: 40 users and 30 items from the parent, 10 new users and 0 new items"));
    const std::string child = slurp(dir.file("ab.mrec"));
    CHECK(has(child, "fnv1a64:"));
    auto dim = run_memrec({"train", "--init", dir.file("a.mrec"), "--data", ab, "--dim", "8"}, dir.path());
    CHECK(dim.status == 2);
    CHECK(has(dim.err, "--dim with --init"));
    auto md = run_memrec({"train", "--data", a, "--preset", "memeff", "--blocks", "10,20", "--epochs", "1",
                          "--out", dir.file("md.mrec")},
                         dir.path());
    REQUIRE(md.status == 0);
    auto refused = run_memrec({"train", "--init", dir.file("md.mrec"), "--data", ab}, dir.path());
    CHECK(refused.status == 2);
    CHECK(has(refused.err, "mixed-dimension"));
}

TEST_CASE("own data: bad values of the new flags are one clear line", "[cli][own-data][errors]") {
    TempDir dir;
    const std::string data = dir.write("r.csv", own_csv("user,item,rating", ','));
    struct Case {
        std::vector<std::string> args;
        int status;
        std::string words;
    };
    const std::vector<Case> cases = {
        {{"--delimiter", "::"}, 2, "--delimiter: expected one character"},
        {{"--delimiter", "\""}, 2, "--delimiter: a quote"},
        {{"--user-column", "0"}, 2, "--user-column: column numbers start at 1"},
        {{"--user-column", "9"}, 1, "no column '9'"},
        {{"--item-column", "customer"}, 1, "header has no column 'customer'"},
        {{"--user-column", "item"}, 2, "the user and item columns are the same column"},
        {{"--no-header", "--user-column", "user_id"}, 2, "names its columns by number"},
        {{"--duplicates", "sum"}, 2, "--duplicates: expected error, last, mean or count"},
        {{"--duplicates", "count", "--rating-column", "rating"}, 2, "counting events reads no rating column"},
        {{"--min-rating", "4", "--max-rating", "2"}, 2, "is above --max-rating"},
        {{"--max-rating", "3"}, 1, "outside the scale"},
        {{"--min-rating", "nan"}, 2, "--min-rating"},
        {{"--eval-data", "missing.csv"}, 1, "no such file"},
        {{"--init", "missing.mrec"}, 1, "missing.mrec"},
        {{"--init", "r.csv"}, 1, "r.csv"},
    };
    for (const Case& c : cases) {
        std::vector<std::string> args = {"train", "--data", data, "--epochs", "1", "--threads", "1"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        auto r = run_memrec(args, dir.path());
        INFO(describe(r));
        CHECK(r.status == c.status);
        CHECK(has(r.err, c.words));
        CHECK(r.err.find('\n') == r.err.size() - 1);
    }
}

namespace {
// The eval RMSE of the last epoch line ("... | eval mse 0.81 rmse 0.90 mae ...").
double last_eval_rmse(const std::string& out) {
    const size_t at = out.rfind("eval mse");
    REQUIRE(at != std::string::npos);
    return std::stod(out.substr(out.find("rmse ", at) + 5));
}
}  // namespace

TEST_CASE("warm start: trained on A, continued on A+B, as accurate on B's eval ratings as from scratch in fewer "
          "epochs",
          "[cli][own-data][warm]") {
    TempDir dir;
    // Rank-3 ratings, each to A (60%), B (25%) or B's eval set (15%).
    const memrec::Dataset d = memrec_test::low_rank_data(300, 120, 7);
    memrec::Rng rng(11);
    std::string a = "user,item,rating\n", b, eval = "user,item,rating\n";
    for (size_t k = 0; k < d.size(); ++k) {
        const std::string line = "u" + d.users.id(d.user[k]) + ",i" + d.items.id(d.item[k]) + "," +
                                 std::to_string(d.rating[k]) + "\n";
        const float x = rng.uniform();
        (x < 0.6f ? a : x < 0.85f ? b : eval) += line;
    }
    const std::string fa = dir.write("a.csv", a), fab = dir.write("ab.csv", a + b), fe = dir.write("b-eval.csv", eval);
    const std::vector<std::string> common = {"--eval-data", fe, "--min-rating", "1", "--max-rating", "5",
                                             "--dim", "16", "--threads", "1", "--lr", "0.01"};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), common.begin(), common.end());
        return args;
    };
    auto parent = run_memrec(with({"train", "--data", fa, "--epochs", "4", "--out", dir.file("a.mrec")}), dir.path());
    REQUIRE(parent.status == 0);
    auto scratch = run_memrec(with({"train", "--data", fab, "--epochs", "4"}), dir.path());
    REQUIRE(scratch.status == 0);
    std::vector<std::string> warm_args = {"train", "--init", dir.file("a.mrec"), "--data", fab, "--epochs", "2", "--lr", "0.001",
                                          "--eval-data", fe, "--threads", "1", "--min-rating", "1", "--max-rating", "5"};
    auto warm = run_memrec(warm_args, dir.path());
    INFO(describe(parent) << describe(scratch) << describe(warm));
    REQUIRE(warm.status == 0);
    const double rmse_scratch = last_eval_rmse(scratch.out), rmse_warm = last_eval_rmse(warm.out),
                 rmse_parent = last_eval_rmse(parent.out);
    INFO("parent " << rmse_parent << ", scratch (4 epochs) " << rmse_scratch << ", warm (2 epochs) " << rmse_warm);
    CHECK(rmse_warm <= rmse_scratch * 1.01);
    CHECK(rmse_warm < rmse_parent);  // B's ratings were learnt from
}
