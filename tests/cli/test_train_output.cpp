// What `memrec train` and `memrec compare` print and write, through the real binary on a small file.
#include <catch2/catch.hpp>

#include <string>

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::slurp;
using memrec_test::TempDir;

namespace {
// 60 users x 40 items, every user rating 20 distinct items, as "user::item::rating".
std::string small_ratings() {
    std::string s;
    for (int u = 1; u <= 60; ++u)
        for (int j = 0; j < 20; ++j) {
            const int i = 1 + (u * 3 + j * 7) % 40;
            s += std::to_string(u) + "::" + std::to_string(i) + "::" + std::to_string(1 + (u + i) % 5) + "\n";
        }
    return s;
}
}  // namespace

TEST_CASE("train prints the model summary, progress, per-epoch eval and writes the history", "[cli][train]") {
    TempDir dir;
    const std::string data = dir.write("ml/ratings.dat", small_ratings());
    auto r = run_memrec({"train", "--data", dir.file("ml"), "--preset", "memeff", "--blocks", "10,25",
                         "--epochs", "2", "--history", dir.file("h.json"), "--threads", "1"},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(r.out.find("1,200 ratings, 60 users, 40 items") != std::string::npos);
    // Summary: every component with its shape and the total (QR 2 x (buckets = 60/50 = 1 -> quotient 60)).
    CHECK(r.out.find("user.quotient") != std::string::npos);
    CHECK(r.out.find("item.block1.projection") != std::string::npos);
    CHECK(r.out.find("total") != std::string::npos);
    // Progress lines (stdout is not a terminal: plain lines) and one eval line per epoch.
    CHECK(r.out.find("epoch 1/2") != std::string::npos);
    CHECK(r.out.find("ratings/s") != std::string::npos);
    CHECK(r.out.find("epoch 1: train loss") != std::string::npos);
    CHECK(r.out.find("epoch 2: train loss") != std::string::npos);
    const std::string h = slurp(dir.file("h.json"));
    CHECK(h.find("\"epoch\": 2") != std::string::npos);
    CHECK(h.find("\"eval_rmse\"") != std::string::npos);
    CHECK(h.find("\"ratings_per_second\"") != std::string::npos);
}

TEST_CASE("train's plan line names the update rule: dense or lazy Adam, AdaGrad, SGD", "[cli][train]") {
    TempDir dir;
    dir.write("ml/ratings.dat", small_ratings());
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--preset", "baseline"}, ", dense Adam, "},
        {{"--preset", "baseline", "--adam", "lazy"}, ", lazy Adam, "},
        {{"--preset", "fast"}, ", AdaGrad, "},
        {{"--preset", "baseline", "--optimizer", "sgd"}, ", SGD, "}};
    for (const auto& [flags, rule] : cases) {
        std::vector<std::string> args{"train", "--data", dir.file("ml"), "--epochs", "1", "--threads", "1"};
        args.insert(args.end(), flags.begin(), flags.end());
        auto r = run_memrec(args, dir.path());
        INFO(describe(r));
        REQUIRE(r.status == 0);
        const size_t plan = r.out.find("training: ");
        REQUIRE(plan != std::string::npos);
        CHECK(r.out.substr(plan, r.out.find('\n', plan) - plan).find(rule) != std::string::npos);
    }
}

TEST_CASE("train --link linear writes a version 6 model that inspect and export describe", "[cli][train]") {
    TempDir dir;
    dir.write("ml/ratings.dat", small_ratings());
    auto r = run_memrec({"train", "--data", dir.file("ml"), "--preset", "fast-linear", "--dim", "4",
                         "--epochs", "2", "--threads", "2", "--out", dir.file("m.mrec"), "-q"},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    const std::string bytes = slurp(dir.file("m.mrec"));
    REQUIRE(bytes.size() > 8);
    CHECK(bytes[4] == 6);  // the format version: the link came in 6
    r = run_memrec({"inspect", dir.file("m.mrec")}, dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    const std::string output = "output        2.5 + <user, item> + global, user, item biases (linear)";
    CHECK(r.out.find(output) != std::string::npos);
    r = run_memrec({"train", "--data", dir.file("ml"), "--link", "linear", "--objective", "als"}, dir.path());
    CHECK(r.status != 0);
    CHECK(r.err.find("--link sets a rating model's output") != std::string::npos);
    r = run_memrec({"train", "--data", dir.file("ml"), "--link", "tanh"}, dir.path());
    CHECK(r.status != 0);
    CHECK(r.err.find("--link") != std::string::npos);
}

TEST_CASE("compare trains the presets on one split and prints them side by side", "[cli][compare]") {
    TempDir dir;
    dir.write("ml/ratings.dat", small_ratings());
    auto r = run_memrec({"compare", "--data", dir.file("ml"), "--epochs", "1", "--presets", "baseline", "-q",
                         "--json", dir.file("c.json")},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(r.out.find("parameters") != std::string::npos);
    CHECK(r.out.find("6,400") != std::string::npos);  // (60 + 40) x 64
    CHECK(r.out.find("epoch 1 eval MSE / MAE") != std::string::npos);
    CHECK(r.out.find("ratings/s") != std::string::npos);
    CHECK(slurp(dir.file("c.json")).find("\"parameters\": 6400") != std::string::npos);
}

TEST_CASE("compare reports early-stopping presets by their best validation epoch", "[cli][compare]") {
    TempDir dir;
    dir.write("ml/ratings.dat", small_ratings());
    // The tuned preset first: the per-epoch rows come from the presets that train a fixed number of epochs.
    auto r = run_memrec({"compare", "--data", dir.file("ml"), "--presets", "tiny,baseline", "--epochs", "4", "-q",
                         "--json", dir.file("c.json")},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(r.out.find("(early stop)") != std::string::npos);
    CHECK(r.out.find("epoch 4 eval MSE / MAE") != std::string::npos);
    CHECK(r.out.find("final eval MSE / MAE") != std::string::npos);
    const std::string j = slurp(dir.file("c.json"));
    CHECK(j.find("\"early_stopping\": true") != std::string::npos);
    CHECK(j.find("\"early_stopping\": false") != std::string::npos);
}

TEST_CASE("train --objective als prints each iteration and writes an item-side-only model", "[cli][train][als]") {
    TempDir dir;
    dir.write("ml/ratings.dat", small_ratings());
    auto r = run_memrec({"train", "--data", dir.file("ml"), "--objective", "als", "--dim", "8", "--iterations", "3",
                         "--als-alpha", "2", "--als-lambda", "5", "--positive-threshold", "3", "--threads", "2",
                         "--out", dir.file("als.mrec")},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    for (const char* s : {"implicit ALS, dim 8, alpha 2, lambda 5, positives: ratings >= 3, 3 iterations, 2 threads",
                          "iteration 1: loss", "iteration 3: loss", "trained 3 iterations in", "saved model"})
        CHECK(r.out.find(s) != std::string::npos);
    CHECK(r.out.find("iteration 4") == std::string::npos);

    r = run_memrec({"inspect", dir.file("als.mrec")}, dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    for (const char* s : {"format version 3", "item side only (fold-in model)", "user.embedding             0 x 8",
                          "implicit: alpha 2, lambda 5, positives rated >= 3"})
        CHECK(r.out.find(s) != std::string::npos);

    r = run_memrec({"export", dir.file("als.mrec"), "--quantize", "int8", "--out", dir.file("als8.mrec")}, dir.path());
    INFO(describe(r));
    CHECK(r.status == 0);
    r = run_memrec({"inspect", dir.file("als8.mrec")}, dir.path());
    CHECK(r.out.find("tables stored as int8") != std::string::npos);
    CHECK(r.out.find("item side only (fold-in model)") != std::string::npos);

    // ALS settings without --objective als, and table kinds with it, are usage errors.
    r = run_memrec({"train", "--data", dir.file("ml"), "--als-alpha", "2"}, dir.path());
    CHECK(r.status == 2);
    CHECK(r.err.find("need --objective als") != std::string::npos);
    r = run_memrec({"train", "--data", dir.file("ml"), "--objective", "als", "--item-table", "md"}, dir.path());
    CHECK(r.status == 2);
    r = run_memrec({"train", "--data", dir.file("ml"), "--objective", "als", "--als-lambda", "0"}, dir.path());
    CHECK(r.status == 2);
}
