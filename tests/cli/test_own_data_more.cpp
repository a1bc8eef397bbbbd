// Issue 15, the rest: presets whose mixed-dimension blocks fit small data (train, compare, sweep), table
// flags the model's kinds would ignore, `eval --eval-data`, the reading flags and eval file a model
// records (inspect shows them; eval and train --init re-read with them), the parent hash in inspect, and
// the batch training actually uses.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "memrec/io.h"
#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::slurp;
using memrec_test::TempDir;

namespace {

bool has(const std::string& text, const std::string& words) { return text.find(words) != std::string::npos; }

// MovieLens '::' ratings: `users` users rating `per_user` of `items` items each (every item rated).
std::string dat_ratings(int users, int items, int per_user, int first_user = 1) {
    std::string s;
    for (int u = 0; u < users; ++u)
        for (int j = 0; j < per_user; ++j) {
            const int i = (u * 37 + j * 7) % items;
            s += std::to_string(first_user + u) + "::" + std::to_string(i + 1) + "::" +
                 std::to_string(1 + (u + i) % 5) + "\n";
        }
    return s;
}

// The number after `key` on the first line of `text` that has it (NaN when none).
double number_after(const std::string& text, const std::string& key) {
    const size_t at = text.find(key);
    return at == std::string::npos ? std::nan("") : std::strtod(text.c_str() + at + key.size(), nullptr);
}

}  // namespace

TEST_CASE("memeff's blocks fit a set of 101 items: train, compare and sweep run", "[cli][own-data][presets]") {
    TempDir dir;
    dir.write("ratings.dat", dat_ratings(200, 101, 20));
    // 400 * 101 / 3692 = 10.9 and 1700 * 101 / 3692 = 46.5: blocks of 11, 36 and 54 items, each with one
    // extra out-of-vocabulary row.
    auto r = run_memrec({"train", "--data", "ratings.dat", "--preset", "memeff", "--epochs", "1", "--threads", "1"},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(has(r.out, "12 x 64"));
    CHECK(has(r.out, "37 x 32"));
    CHECK(has(r.out, "55 x 16"));
    auto c = run_memrec({"compare", "--data", "ratings.dat", "--epochs", "1", "--threads", "1", "-q"}, dir.path());
    INFO(describe(c));
    CHECK(c.status == 0);
    CHECK(has(c.out, "memeff"));
    dir.write("grid.txt", "--preset memeff --epochs 1\n--dim 8 --item-table md --epochs 1\n");
    auto s = run_memrec({"sweep", "--data", "ratings.dat", "--grid", "grid.txt", "--threads", "1", "-q"}, dir.path());
    INFO(describe(s));
    CHECK(s.status == 0);
    // Blocks given that do not fit are refused, naming the grid line and the flag.
    dir.write("bad-grid.txt", "--preset memeff --epochs 1\n--item-table md --blocks 400,1700 --epochs 1\n");
    auto bad = run_memrec({"sweep", "--data", "ratings.dat", "--grid", "bad-grid.txt", "-q"}, dir.path());
    CHECK(bad.status == 2);
    CHECK(has(bad.err, "bad-grid.txt:2: "));
    CHECK(has(bad.err, "(--blocks 400,1700) do not fit the data's 101 items: they must increase strictly within 1..100"));
}

TEST_CASE("eval --eval-data: a separate file, ids the model lacks counted", "[cli][own-data][eval-data]") {
    TempDir dir;
    dir.write("train.dat", dat_ratings(60, 40, 12));
    // 4 ratings the model can score, 2 of an unseen user, 1 of an unseen item (id 99).
    dir.write("test.dat", "1::2::4\n2::5::3\n3::7::5\n4::9::2\n999::1::4\n999::2::3\n5::99::4\n");
    auto t = run_memrec({"train", "--data", "train.dat", "--dim", "8", "--epochs", "2", "--threads", "1", "-q",
                         "--out", "m.mrec"},
                        dir.path());
    REQUIRE(t.status == 0);
    auto e = run_memrec({"eval", "m.mrec", "--eval-data", "test.dat"}, dir.path());
    INFO(describe(e));
    REQUIRE(e.status == 0);
    CHECK(has(e.out, "7 ratings, 1 users (2 ratings) and 1 items (1 ratings) unseen by the model, 3 ratings not "
                     "evaluated, 4 evaluated"));
    CHECK(has(e.out, "(4 ratings, f32 tables)"));

    // Trained with --eval-data: the model records the eval file, not a split, and `eval` alone uses it,
    // giving the figures training stored.
    auto te = run_memrec({"train", "--data", "train.dat", "--eval-data", "test.dat", "--dim", "8", "--epochs", "2",
                          "--threads", "1", "-q", "--out", "e.mrec"},
                         dir.path());
    REQUIRE(te.status == 0);
    auto inspect = run_memrec({"inspect", "e.mrec"}, dir.path());
    REQUIRE(inspect.status == 0);
    CHECK(has(inspect.out, "split         none: trained on all of train.dat, evaluated on test.dat (--eval-data)"));
    CHECK_FALSE(has(inspect.out, "fraction 0.85"));
    auto again = run_memrec({"eval", "e.mrec"}, dir.path());
    INFO(describe(again));
    REQUIRE(again.status == 0);
    CHECK(has(again.out, "4 evaluated"));
    const double stored = number_after(inspect.out, "rmse "), measured = number_after(again.out, "rmse ");
    CHECK(stored == Approx(measured).margin(1e-4));

    // --data given wins over the recorded eval file: the eval split of those other ratings...
    dir.write("other.dat", dat_ratings(60, 40, 10));
    auto other = run_memrec({"eval", "e.mrec", "--data", "other.dat"}, dir.path());
    INFO(describe(other));
    REQUIRE(other.status == 0);
    CHECK_FALSE(has(other.out, "eval data:"));
    CHECK(has(other.out, "split: "));
    CHECK(has(other.err, "other.dat is not the ratings file the model was trained on"));
    // ...unless they are the training ratings moved elsewhere: a split of them would score trained-on ratings.
    dir.write("moved/train.dat", dat_ratings(60, 40, 12));
    auto moved = run_memrec({"eval", "e.mrec", "--data", "moved/train.dat"}, dir.path());
    INFO(describe(moved));
    REQUIRE(moved.status == 0);
    CHECK(has(moved.out, "4 evaluated"));
}

TEST_CASE("a model records its reading flags: inspect shows them, eval and --init read with them",
          "[cli][own-data][reading]") {
    TempDir dir;
    auto own = [](int users, int first) {
        std::string s = "score;sku;customer\n";
        for (int u = first; u < first + users; ++u)
            for (int j = 0; j < 12; ++j) {
                const int i = (u * 5 + j * 3) % 30;
                s += std::to_string(1 + (u + i) % 5) + ";SKU-" + std::to_string(i) + ";c" + std::to_string(u) + "\n";
            }
        return s;
    };
    // Every customer rates 2 of their SKUs twice (j and j + 10 name the same one): --duplicates mean merges
    // them, and more.csv is read that way too when --init gives no reading flags.
    dir.write("own.csv", own(40, 0));
    dir.write("more.csv", own(50, 0));
    const std::vector<std::string> flags{"--delimiter", ";", "--user-column", "customer", "--item-column", "sku",
                                         "--rating-column", "score", "--duplicates", "mean"};
    std::vector<std::string> train{"train", "--data", "own.csv", "--dim", "4", "--epochs", "1", "--threads", "1",
                                   "--out", "own.mrec"};
    train.insert(train.end(), flags.begin(), flags.end());
    auto t = run_memrec(train, dir.path());
    INFO(describe(t));
    REQUIRE(t.status == 0);
    auto inspect = run_memrec({"inspect", "own.mrec"}, dir.path());
    REQUIRE(inspect.status == 0);
    CHECK(has(inspect.out, "read as       --delimiter ';' --user-column 'customer' --item-column 'sku' "
                           "--rating-column 'score' --duplicates mean"));
    // No reading flag given: the model's own (without them ';' is no separator and the file is refused).
    auto e = run_memrec({"eval", "own.mrec"}, dir.path());
    INFO(describe(e));
    CHECK(e.status == 0);
    CHECK(has(e.out, "eval: mse"));
    auto p = run_memrec({"predict", "own.mrec", "--user", "c1", "--movie", "SKU-5"}, dir.path());
    CHECK(p.status == 0);
    auto w = run_memrec({"train", "--init", "own.mrec", "--data", "more.csv", "--epochs", "1", "--threads", "1",
                         "--out", "more.mrec"},
                        dir.path());
    INFO(describe(w));
    REQUIRE(w.status == 0);
    CHECK(has(w.out, "10 new users and 0 new items"));
    // The child records its parent, and inspect shows the parent file's content hash.
    auto child = run_memrec({"inspect", "more.mrec"}, dir.path());
    REQUIRE(child.status == 0);
    CHECK(has(child.out, "parent        " + memrec::content_hash(slurp(dir.file("own.mrec")))));
    CHECK(has(child.out, "--duplicates mean"));  // read as its parent's data was
    // A MovieLens model records no reading flags.
    dir.write("ml.dat", dat_ratings(30, 20, 8));
    REQUIRE(run_memrec({"train", "--data", "ml.dat", "--dim", "4", "--epochs", "1", "-q", "--out", "ml.mrec"},
                       dir.path()).status == 0);
    auto ml = run_memrec({"inspect", "ml.mrec"}, dir.path());
    CHECK(has(ml.out, "read as       as its format reads it (no reading flags)"));
    CHECK_FALSE(has(ml.out, "parent "));
}

TEST_CASE("train prints the batch it uses: a larger one is capped at the training ratings", "[cli][own-data]") {
    TempDir dir;
    dir.write("ratings.dat", dat_ratings(50, 30, 10));
    auto r = run_memrec({"train", "--data", "ratings.dat", "--dim", "4", "--epochs", "1", "--threads", "1", "--batch",
                         "100000"},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    const long train = std::lround(number_after(r.out, "split: "));
    REQUIRE(train > 300);
    CHECK(has(r.out, "batch " + std::to_string(train) + " (--batch 100000 capped at the " + std::to_string(train) +
                         " training ratings)"));
    auto small = run_memrec({"train", "--data", "ratings.dat", "--dim", "4", "--epochs", "1", "--batch", "64"},
                            dir.path());
    CHECK(has(small.out, "batch 64, lr"));
}
