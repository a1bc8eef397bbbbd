// The multi-threaded paths: training dense Adam with two threads (the user/item split, the parallel Adam
// sweeps and catch-ups) gives the same parameters as one thread bit for bit, and the parallel evaluation the same
// metrics up to summation order. Their names start with "threads:" so that scripts/sanitize.sh runs them
// under ThreadSanitizer (ctest -R threads), where they must also be free of data races.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "memrec/rng.h"
#include "memrec/split.h"
#include "memrec/trainer.h"

using namespace memrec;

namespace {

// Tables past 1024 rows, so the parallel sweeps over rows really split (they stay serial below that).
Dataset threads_data(int users = 1500, int items = 1100, int per_user = 8) {
    Dataset d;
    for (int u = 0; u < users; ++u) d.users.add(std::to_string(u));
    for (int i = 0; i < items; ++i) d.items.add(std::to_string(i));
    Rng rng(17);
    for (int u = 0; u < users; ++u)
        for (int j = 0; j < per_user; ++j) {
            const int i = (u * 31 + j * 13) % items;
            d.user.push_back(u);
            d.item.push_back(i);
            d.rating.push_back(1.0f + float(rng.below(5)));
        }
    return d;
}

ModelConfig compressed_model() {
    ModelConfig mc;
    mc.user.kind = TableKind::QuotientRemainder;
    mc.user.buckets = 40;
    mc.item.kind = TableKind::MixedDimension;
    mc.item.block_ends = {100, 400};
    mc.item.block_dims = {16, 8, 4};
    mc.user.dim = mc.item.dim = 16;
    mc.global_bias = mc.user_bias = mc.item_bias = true;
    return mc;
}

ModelConfig full_model() {
    ModelConfig mc;
    mc.user.dim = mc.item.dim = 16;
    return mc;
}

struct Result {
    std::vector<float> params;
    std::vector<EpochStats> history;
};

Result train(const Dataset& d, const Split& s, const ModelConfig& mc, AdamMode mode, int threads) {
    Model m(mc, d.users.size(), d.items.size(), 5.0f, count_items(d, s.train), count_users(d, s.train), 3);
    TrainConfig tc;
    tc.epochs = 2;
    tc.batch_size = 64;
    tc.adam.mode = mode;
    tc.adam.learning_rate = 0.005;
    tc.threads = threads;
    Trainer t(m, tc);
    int calls = 0;
    t.fit(d, s.train, s.eval, [&calls](const Progress&) { return ++calls > 0; });
    Result r;
    for (Param* p : m.params()) r.params.insert(r.params.end(), p->data.begin(), p->data.end());
    r.history = t.history();
    return r;
}

}  // namespace

TEST_CASE("threads: dense Adam on 2 threads gives the parameters of 1 thread bit for bit", "[threads]") {
    const Dataset d = threads_data();
    const Split s = split_dataset(d, 0.85, 5);
    // Dense Adam's one thread per side (lazy Adam trains on the block schedule, test_block_schedule.cpp).
    const AdamMode mode = GENERATE(AdamMode::Dense, AdamMode::DenseSweep);
    const bool compressed = GENERATE(false, true);
    INFO(to_string(mode) << " Adam, " << (compressed ? "qr + md tables with biases" : "full tables"));
    const ModelConfig mc = compressed ? compressed_model() : full_model();
    const Result one = train(d, s, mc, mode, 1);
    const Result two = train(d, s, mc, mode, 2);
    REQUIRE(one.params.size() == two.params.size());
    CHECK(std::memcmp(one.params.data(), two.params.data(), one.params.size() * sizeof(float)) == 0);
    REQUIRE(one.history.size() == two.history.size());
    for (size_t e = 0; e < one.history.size(); ++e) {
        CHECK(one.history[e].train_loss == Approx(two.history[e].train_loss).epsilon(1e-12));
        CHECK(one.history[e].eval.mse == Approx(two.history[e].eval.mse).epsilon(1e-12));
    }
}

TEST_CASE("threads: parallel evaluation matches the serial one", "[threads]") {
    const Dataset d = threads_data();
    const Split s = split_dataset(d, 0.5, 5);
    Model m(compressed_model(), d.users.size(), d.items.size(), 5.0f, count_items(d, s.train),
            count_users(d, s.train), 9);
    const Metrics one = evaluate(m, d, s.eval, 1);
    const Metrics two = evaluate(m, d, s.eval, 2);
    const Metrics four = evaluate(m, d, s.eval, 4);
    CHECK(one.count == static_cast<int64_t>(s.eval.size()));
    for (const Metrics& x : {two, four}) {
        CHECK(x.count == one.count);
        CHECK(x.mse == Approx(one.mse).epsilon(1e-12));
        CHECK(x.mae == Approx(one.mae).epsilon(1e-12));
    }
}

TEST_CASE("threads: stopping from the progress callback leaves the threads joined", "[threads]") {
    // More training ratings than the trainer's progress interval (32768), so the callback runs mid-epoch, on
    // both schedules (dense Adam: one thread per side; lazy Adam: the blocks) and on 1 and 2 threads.
    const Dataset d = threads_data(1500, 1100, 30);
    const Split s = split_dataset(d, 0.85, 5);
    const AdamMode mode = GENERATE(AdamMode::Dense, AdamMode::Lazy);
    const int threads = GENERATE(1, 2);
    INFO(to_string(mode) << " Adam, " << threads << " threads");
    Model m(full_model(), d.users.size(), d.items.size(), 5.0f, count_items(d, s.train), count_users(d, s.train), 3);
    TrainConfig tc;
    tc.epochs = 3;
    tc.batch_size = 64;
    tc.threads = threads;
    tc.adam.mode = mode;
    Trainer t(m, tc);
    bool completed = true;
    int64_t stopped_at = 0;
    t.train_epoch(d, s.train, s.eval, [&](const Progress& p) { stopped_at = p.done; return false; }, &completed);
    CHECK_FALSE(completed);
    CHECK(stopped_at < int64_t(s.train.size()));
    CHECK(t.history().empty());
    // The trainer is still usable: a full epoch after the stopped one.
    t.train_epoch(d, s.train, s.eval, {}, &completed);
    CHECK(completed);
    CHECK(t.history().size() == 1);
}
