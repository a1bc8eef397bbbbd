// Crash-safe training through the real binary: a run killed with SIGKILL in the middle of an epoch, or
// stopped with Ctrl-C, and then resumed, ends with exactly the parameters and optimiser state of an
// uninterrupted single-thread run; and --resume refuses data or settings that are not the checkpoint's.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "memrec/checkpoint.h"
#include "run_memrec.h"
#include "test_files.h"

using memrec_test::Child;
using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::TempDir;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// `users` users rating `per_user` distinct items each out of `items`, "u::i::r" lines: no duplicates.
std::string synthetic_ratings(int users, int items, int per_user) {
    std::string s;
    s.reserve(size_t(users) * size_t(per_user) * 16);
    for (int u = 0; u < users; ++u) {
        const int start = (u * 37) % items;
        for (int j = 0; j < per_user; ++j) {
            const int i = (start + j * 7) % items;  // 7 is coprime with `items` below: distinct items
            s += std::to_string(u + 1) + "::" + std::to_string(i + 1) + "::" + std::to_string(1 + (u * 7 + i * 3) % 5) +
                 "\n";
        }
    }
    return s;
}

bool same_bytes(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The final state of two runs: parameters, Adam moments and step counts, and the per-epoch metrics that do
// not depend on timing, identical to the last bit.
// With `parallel_eval`, the evaluation ran on several threads, whose sums may differ in the last bits.
void check_same_training(const memrec::Checkpoint& a, const memrec::Checkpoint& b, bool parallel_eval = false) {
    REQUIRE(a.epochs_done() == b.epochs_done());
    REQUIRE(a.params.size() == b.params.size());
    CHECK(a.adam_steps == b.adam_steps);
    for (size_t i = 0; i < a.params.size(); ++i) {
        INFO("parameter " << a.params[i].name);
        CHECK(a.params[i].name == b.params[i].name);
        CHECK(same_bytes(a.params[i].values, b.params[i].values));
        CHECK(same_bytes(a.params[i].m, b.params[i].m));
        CHECK(same_bytes(a.params[i].v, b.params[i].v));
        CHECK(a.params[i].steps == b.params[i].steps);
    }
    for (size_t e = 0; e < a.history.size(); ++e) {
        INFO("epoch " << e + 1);
        CHECK(a.history[e].train_loss == b.history[e].train_loss);
        if (parallel_eval) {
            CHECK(a.history[e].eval.mse == Approx(b.history[e].eval.mse).epsilon(1e-12));
            CHECK(a.history[e].eval.mae == Approx(b.history[e].eval.mae).epsilon(1e-12));
        } else {
            CHECK(a.history[e].eval.mse == b.history[e].eval.mse);
            CHECK(a.history[e].eval.mae == b.history[e].eval.mae);
        }
    }
}

// Reads the child's progress until it reports from inside epoch 2 (the first epoch's checkpoint is then on
// disk and the second epoch is under way).
void wait_for_epoch_2(Child& child) {
    std::string line;
    while (child.read_line(line))
        if (line.rfind("  epoch 2/3 ", 0) == 0) return;
    FAIL("the training never reported progress in epoch 2");
}

std::vector<std::string> plus(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

TEST_CASE("train --checkpoint: killed or interrupted mid-epoch, resumed, equals the uninterrupted run",
          "[cli][checkpoint]") {
    TempDir dir;
    // An epoch of the memory-efficient model takes about half a second: ~1M ratings natively, a quarter of
    // that under the sanitizers (which slow memrec down more than 4x). The signal is sent on the first
    // progress line of epoch 2 (after 32768 ratings), so it lands well inside the epoch.
    dir.write("ratings.dat", synthetic_ratings(kSanitized ? 2000 : 8000, 3001, 125));
    const std::vector<std::string> run{"train",     "--data",    "ratings.dat", "--preset", "memeff",
                                       "--threads", "1",         "--epochs",    "3"};

    const auto straight = run_memrec(plus(run, {"--checkpoint", "straight", "-q"}), dir.path());
    REQUIRE(straight.exited);
    REQUIRE(straight.status == 0);
    const memrec::Checkpoint reference = memrec::load_checkpoint(dir.file("straight"));
    REQUIRE(reference.epochs_done() == 3);

    {  // SIGKILL in the middle of epoch 2, then --resume.
        {
            Child child(plus(run, {"--checkpoint", "killed"}), dir.path(), dir.file("killed.err"));
            wait_for_epoch_2(child);
            child.signal(SIGKILL);
            const auto r = child.wait();
            INFO(describe(r));
            REQUIRE_FALSE(r.exited);  // it was still training
            REQUIRE(r.status == SIGKILL);
        }
        const memrec::Checkpoint at_kill = memrec::load_checkpoint(dir.file("killed"));
        CHECK(at_kill.epochs_done() >= 1);
        CHECK(at_kill.epochs_done() < 3);

        const auto resumed = run_memrec(plus(run, {"--resume", "killed", "-q"}), dir.path());
        INFO(describe(resumed));
        REQUIRE(resumed.exited);
        REQUIRE(resumed.status == 0);
        check_same_training(reference, memrec::load_checkpoint(dir.file("killed")));
    }

    {  // Ctrl-C in the middle of epoch 2: exit 130, says how to resume; then the command it printed.
        dir.write("history.json", "known content\n");
        std::string err;
        {
            Child child(plus(run, {"--checkpoint", "stopped", "--history", "history.json"}), dir.path(),
                        dir.file("stopped.err"));
            wait_for_epoch_2(child);
            child.signal(SIGINT);
            const auto r = child.wait();
            err = memrec_test::slurp(dir.file("stopped.err"));
            INFO(describe(r) << err);
            REQUIRE(r.exited);
            REQUIRE(r.status == 130);
        }
        INFO(err);
        CHECK_THAT(err, Catch::Contains("memrec: interrupted during epoch 2 of 3"));
        CHECK_THAT(err, Catch::Contains("epoch 1 of 3 is saved in stopped; to resume:"));
        // The resume command it prints is this command with --resume in place of --checkpoint.
        const std::string expected =
            "memrec train --data ratings.dat --preset memeff --epochs 3 --threads 1 --history history.json "
            "--resume stopped";
        const size_t at = err.find("\n  memrec train ");
        REQUIRE(at != std::string::npos);
        const std::string printed = err.substr(at + 3, err.find('\n', at + 3) - at - 3);
        // Flag order follows the command's option order; compare as sets of words.
        auto words = [](const std::string& s) {
            std::vector<std::string> w;
            for (size_t b = 0, e; b < s.size(); b = e + 1) {
                e = s.find(' ', b);
                if (e == std::string::npos) e = s.size();
                w.push_back(s.substr(b, e - b));
            }
            std::sort(w.begin(), w.end());
            return w;
        };
        CHECK(words(printed) == words(expected));
        CHECK(memrec_test::slurp(dir.file("history.json")) == "known content\n");  // untouched when interrupted
        CHECK(memrec::load_checkpoint(dir.file("stopped")).epochs_done() == 1);

        std::vector<std::string> args;
        for (size_t b = std::strlen("memrec "), e; b < printed.size(); b = e + 1) {
            e = printed.find(' ', b);
            if (e == std::string::npos) e = printed.size();
            args.push_back(printed.substr(b, e - b));
        }
        const auto resumed = run_memrec(args, dir.path());
        INFO(describe(resumed));
        REQUIRE(resumed.exited);
        REQUIRE(resumed.status == 0);
        CHECK_THAT(resumed.out, Catch::Contains("resuming from stopped: 1 of 3 epochs done"));
        check_same_training(reference, memrec::load_checkpoint(dir.file("stopped")));
        CHECK(memrec_test::slurp(dir.file("history.json")).find("\"epoch\": 3") != std::string::npos);
    }

    {  // Ctrl-C with two training threads (each owns one side): both stop at the same batch, nothing hangs;
       // two threads train to the same parameters as one, so the resumed run still equals the reference.
        const std::vector<std::string> two{"train",     "--data", "ratings.dat", "--preset", "memeff",
                                           "--threads", "2",      "--epochs",    "3"};
        {
            Child child(plus(two, {"--checkpoint", "two"}), dir.path(), dir.file("two.err"));
            wait_for_epoch_2(child);
            child.signal(SIGINT);
            const auto r = child.wait();
            INFO(describe(r) << memrec_test::slurp(dir.file("two.err")));
            REQUIRE(r.exited);
            REQUIRE(r.status == 130);
        }
        const auto resumed = run_memrec(plus(two, {"--resume", "two", "-q"}), dir.path());
        INFO(describe(resumed));
        REQUIRE(resumed.status == 0);
        check_same_training(reference, memrec::load_checkpoint(dir.file("two")), true);
    }
}

TEST_CASE("train --resume refuses other data or settings and says why", "[cli][checkpoint]") {
    TempDir dir;
    dir.write("a/ratings.dat", synthetic_ratings(300, 101, 20));
    dir.write("b/ratings.dat", synthetic_ratings(300, 101, 21));
    const std::vector<std::string> run{"train", "--data", "a/ratings.dat", "--dim", "8", "--epochs", "1",
                                       "--threads", "1", "-q"};
    REQUIRE(run_memrec(plus(run, {"--checkpoint", "ck"}), dir.path()).status == 0);
    const std::string before = memrec_test::slurp(memrec::checkpoint_file(dir.file("ck")));

    auto check = [&](const std::vector<std::string>& args, int status, const std::string& words) {
        const auto r = run_memrec(args, dir.path());
        INFO(memrec_test::command_text(args) << "\n" << describe(r));
        CHECK(r.exited);
        CHECK(r.status == status);
        CHECK_THAT(r.err, Catch::Contains(words));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(memrec_test::slurp(memrec::checkpoint_file(dir.file("ck"))) == before);
    };
    check({"train", "--data", "b/ratings.dat", "--resume", "ck"}, 1, "not the data the checkpoint was trained on");
    check({"train", "--resume", "ck", "--dim", "16"}, 2, "table dim: 8 in the checkpoint, 16 now");
    check({"train", "--resume", "ck", "--dim", "8", "--lr", "0.01"}, 2, "learning rate: 0.001 in the checkpoint, 0.01 now");
    check({"train", "--resume", "ck", "--split-seed", "7"}, 2, "--split-seed 7 differs from the checkpoint's 42");
    check({"train", "--data", "a/ratings.dat", "--checkpoint", "ck"}, 2, "already holds a checkpoint (1 of 1 epochs)");
    check({"train", "--resume", "nothing-here"}, 1, "nothing-here: no such checkpoint directory");

    // Without flags the checkpoint's settings and data path are used; --epochs raises the target.
    const auto more = run_memrec({"train", "--resume", "ck", "--epochs", "2", "-q"}, dir.path());
    INFO(describe(more));
    CHECK(more.status == 0);
    CHECK(memrec::load_checkpoint(dir.file("ck")).epochs_done() == 2);
    // A finished run resumes to nothing left to do.
    const auto done = run_memrec({"train", "--resume", "ck"}, dir.path());
    CHECK(done.status == 0);
    CHECK_THAT(done.out, Catch::Contains("resuming from ck: 2 of 2 epochs done"));
}

TEST_CASE("train --optimizer adagrad on 3 threads: a run resumed after 2 epochs equals the straight one",
          "[cli][checkpoint]") {
    TempDir dir;
    dir.write("ratings.dat", synthetic_ratings(600, 401, 40));
    const std::vector<std::string> run{"train", "--data", "ratings.dat", "--preset", "fast", "--dim", "8",
                                       "--threads", "3", "--early-stopping", "0", "-q"};
    const auto straight = run_memrec(plus(run, {"--epochs", "3", "--checkpoint", "straight"}), dir.path());
    INFO(describe(straight));
    REQUIRE(straight.status == 0);
    const auto first = run_memrec(plus(run, {"--epochs", "2", "--checkpoint", "resumed"}), dir.path());
    REQUIRE(first.status == 0);
    const auto second = run_memrec(plus(run, {"--epochs", "3", "--resume", "resumed"}), dir.path());
    INFO(describe(second));
    REQUIRE(second.status == 0);
    const memrec::Checkpoint a = memrec::load_checkpoint(dir.file("straight"));
    CHECK(a.train.adam.optimizer == memrec::Optimizer::AdaGrad);
    check_same_training(a, memrec::load_checkpoint(dir.file("resumed")), true);

    const auto bad = run_memrec(plus(run, {"--optimizer", "adadelta"}), dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Catch::Contains("adadelta"));
}

TEST_CASE("train --resume reads the data as the checkpointed run did: its reading flags and --eval-data",
          "[cli][checkpoint][own-data]") {
    TempDir dir;
    // A file of one's own: ';'-separated, named columns, ratings 1..10, and a separate eval file.
    auto own = [](const std::string& ratings) {
        std::string s = "stars;customer;product\n";
        for (size_t at = 0; at < ratings.size();) {
            const size_t end = ratings.find('\n', at);
            const std::string line = ratings.substr(at, end - at);
            const size_t a = line.find("::"), b = line.find("::", a + 2);
            const int r = std::stoi(line.substr(b + 2));
            s += std::to_string(2 * r) + ";c" + line.substr(0, a) + ";p" + line.substr(a + 2, b - a - 2) + "\n";
            at = end + 1;
        }
        return s;
    };
    dir.write("ratings.csv", own(synthetic_ratings(200, 101, 20)));
    dir.write("test.csv", own(synthetic_ratings(200, 101, 23)));
    const std::vector<std::string> run{"train", "--data", "ratings.csv", "--delimiter", "semicolon",
                                       "--user-column", "customer", "--item-column", "product", "--rating-column",
                                       "stars", "--max-rating", "10", "--eval-data", "test.csv", "--dim", "8",
                                       "--threads", "1", "-q"};
    REQUIRE(run_memrec(plus(run, {"--epochs", "2", "--checkpoint", "straight"}), dir.path()).status == 0);
    REQUIRE(run_memrec(plus(run, {"--epochs", "1", "--checkpoint", "resumed"}), dir.path()).status == 0);

    // --resume alone: the recorded flags and eval file, so the same training as the straight run.
    const auto resumed = run_memrec({"train", "--resume", "resumed", "--epochs", "2", "-q"}, dir.path());
    INFO(describe(resumed));
    REQUIRE(resumed.status == 0);
    const memrec::Checkpoint straight = memrec::load_checkpoint(dir.file("straight"));
    CHECK(straight.reading.eval_data == "test.csv");
    CHECK(straight.reading.columns.delimiter == ';');
    CHECK(straight.max_rating == 10.0f);
    check_same_training(straight, memrec::load_checkpoint(dir.file("resumed")));
    // The original run's flags given again agree.
    const auto again = run_memrec(plus(run, {"--epochs", "3", "--resume", "resumed"}), dir.path());
    INFO(describe(again));
    CHECK(again.status == 0);

    // Other reading flags or another eval file are refused, naming both.
    auto refused = [&](const std::vector<std::string>& args, const std::string& words) {
        const auto r = run_memrec(args, dir.path());
        INFO(memrec_test::command_text(args) << "\n" << describe(r));
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::Contains(words));
    };
    refused({"train", "--resume", "resumed", "--delimiter", "semicolon", "--user-column", "customer",
             "--item-column", "product", "--rating-column", "stars"},
            "the checkpoint read its ratings with --delimiter ';' --user-column 'customer' --item-column 'product' "
            "--rating-column 'stars' --max-rating 10, this command with --delimiter ';' --user-column 'customer' "
            "--item-column 'product' --rating-column 'stars'; give the original run's reading flags, or none");
    refused({"train", "--resume", "resumed", "--eval-data", "ratings.csv"},
            "--eval-data ratings.csv differs from the checkpoint's --eval-data test.csv");
}
