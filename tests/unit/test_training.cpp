// End-to-end training on a synthetic low-rank dataset, and the split's reproducibility.
#include <catch2/catch.hpp>
#include <cmath>

#include "memrec/split.h"
#include "memrec/trainer.h"
#include "low_rank_data.h"

using namespace memrec;
using memrec_test::low_rank_data;

namespace {

double variance(const Dataset& d, const std::vector<uint32_t>& idx) {
    double mean = 0, sq = 0;
    for (uint32_t i : idx) mean += d.rating[i];
    mean /= double(idx.size());
    for (uint32_t i : idx) sq += (d.rating[i] - mean) * (d.rating[i] - mean);
    return sq / double(idx.size());
}

}  // namespace

TEST_CASE("training recovers a low-rank rating matrix", "[training]") {
    Dataset d = low_rank_data(300, 200, 7);
    Split s = split_dataset(d, 0.85, 1);
    for (AdamMode mode : {AdamMode::Lazy, AdamMode::Dense}) {
        DYNAMIC_SECTION("adam " << to_string(mode)) {
            ModelConfig mc;
            mc.user.dim = mc.item.dim = 8;
            Model m(mc, 300, 200, 5.0f, count_items(d, s.train), {}, 3);
            TrainConfig tc;
            tc.epochs = 25;
            tc.batch_size = 64;
            tc.adam.learning_rate = 0.01;
            tc.adam.mode = mode;
            Trainer t(m, tc);
            auto history = t.fit(d, s.train, s.eval);
            REQUIRE(history.size() == 25);
            // Predicting the mean scores the ratings' variance (about 0.8 here); the generating model scores
            // the noise variance, 0.01. A model that learned the rank-3 structure from ~25k ratings lands well
            // under 0.1; one that learned little stays near the variance.
            const double var = variance(d, s.eval);
            INFO("eval mse " << history.back().eval.mse << " variance " << var);
            CHECK(var > 0.5);
            CHECK(history.back().eval.mse < 0.1);
            CHECK(history.back().eval.rmse == Approx(std::sqrt(history.back().eval.mse)));
            CHECK(history.back().train_loss < history.front().train_loss);
        }
    }
}

TEST_CASE("one thread gives bit-identical training run to run", "[training]") {
    Dataset d = low_rank_data(60, 40, 9);
    Split s = split_dataset(d, 0.85, 2);
    auto run = [&] {
        ModelConfig mc;
        mc.user.kind = TableKind::QuotientRemainder;
        mc.user.buckets = 8;
        mc.item.kind = TableKind::MixedDimension;
        mc.item.block_ends = {10, 25};
        mc.item.block_dims = {16, 8, 4};
        mc.user.dim = mc.item.dim = 16;
        Model m(mc, 60, 40, 5.0f, count_items(d, s.train), {}, 4);
        TrainConfig tc;
        tc.epochs = 2;
        tc.adam.mode = AdamMode::Lazy;
        Trainer t(m, tc);
        t.fit(d, s.train, s.eval);
        std::vector<float> all;
        for (Param* p : m.params()) all.insert(all.end(), p->data.begin(), p->data.end());
        return all;
    };
    CHECK(run() == run());
}

TEST_CASE("split is a seeded Bernoulli draw per rating", "[split]") {
    Dataset d = low_rank_data(100, 100, 1);
    Split a = split_dataset(d, 0.85, 42), b = split_dataset(d, 0.85, 42), c = split_dataset(d, 0.85, 43);
    CHECK(a.train == b.train);
    CHECK(a.eval == b.eval);
    CHECK(a.train != c.train);
    CHECK(a.train.size() + a.eval.size() == d.size());
    const double frac = double(a.train.size()) / double(d.size());
    CHECK(frac == Approx(0.85).margin(0.02));  // ~5,000 ratings: 3 standard deviations is 0.015
    Split v = carve_validation(a.train, 0.1, 5);
    CHECK(v.train.size() + v.eval.size() == a.train.size());
    CHECK_THROWS(split_dataset(d, 1.5, 1));
    CHECK_THROWS(split_dataset(d, 0.0, 1));
}

TEST_CASE("deferred dense Adam trains like the literal every-row sweep", "[training][adam]") {
    // Dense mode catches absent rows up in closed form; DenseSweep steps every row every time, as Keras.
    // Over thousands of steps with rows absent for hundreds of steps at a time they must stay together:
    // the closed form only differs in how eps scales over skipped steps (relative effect ~eps/sqrt(v)).
    Dataset d = low_rank_data(120, 90, 4);
    Split s = split_dataset(d, 0.85, 3);
    auto run = [&](AdamMode mode, double lr_decay) {
        ModelConfig mc;
        mc.user.kind = TableKind::QuotientRemainder;
        mc.user.buckets = 12;
        mc.item.kind = TableKind::MixedDimension;
        mc.item.block_ends = {20, 50};
        mc.item.block_dims = {16, 8, 4};
        mc.user.dim = mc.item.dim = 16;
        mc.global_bias = mc.user_bias = mc.item_bias = true;
        Model m(mc, 120, 90, 5.0f, count_items(d, s.train), {}, 4);
        TrainConfig tc;
        tc.epochs = 3;
        tc.batch_size = 16;  // ~1,400 steps
        tc.adam.learning_rate = 0.003;
        tc.adam.mode = mode;
        tc.adam.lr_decay = lr_decay;
        Trainer t(m, tc);
        auto h = t.fit(d, s.train, s.eval);
        std::vector<float> all;
        for (Param* p : m.params()) all.insert(all.end(), p->data.begin(), p->data.end());
        return std::make_pair(all, h.back().eval.mse);
    };
    double constant_mse = 0;
    // Also under a learning-rate schedule (halved every epoch): the closed form sums the scheduled steps.
    for (double lr_decay : {1.0, 0.5}) {
        INFO("lr decay " << lr_decay);
        auto [deferred, mse_deferred] = run(AdamMode::Dense, lr_decay);
        auto [sweep, mse_sweep] = run(AdamMode::DenseSweep, lr_decay);
        REQUIRE(deferred.size() == sweep.size());
        double max_diff = 0;
        size_t worst = 0;
        for (size_t i = 0; i < sweep.size(); ++i)
            if (std::fabs(deferred[i] - sweep[i]) > max_diff) max_diff = std::fabs(deferred[i] - sweep[i]), worst = i;
        INFO("largest weight difference " << max_diff << " at float " << worst << ": " << deferred[worst] << " vs "
                                          << sweep[worst]);
        CHECK(max_diff < 1e-3);  // weights are O(0.1-1)
        CHECK(mse_deferred == Approx(mse_sweep).epsilon(1e-3));
        if (lr_decay == 1.0) constant_mse = mse_sweep;
        else CHECK(std::fabs(mse_sweep - constant_mse) > 1e-4);  // the schedule does change training
    }
}

TEST_CASE("the trainer's epoch is the batches of its order stepped one after another", "[training]") {
    // Both schedules gather each batch's ids a batch early into alternating slots and fetch rows ahead;
    // none of that may change which ratings a batch holds. Reference: the same batches (no shuffle, a short
    // last batch) through the model's passes and Adam::step, one at a time. Dense Adam's schedule (one
    // thread per side; the literal sweep, which needs no catching up before the lookups) on 1 and 2 threads;
    // lazy Adam's block schedule on 1 thread, where its one cell is the whole order.
    const AdamMode mode = GENERATE(AdamMode::Lazy, AdamMode::DenseSweep);
    Dataset d = low_rank_data(50, 30, 5);
    Split s = split_dataset(d, 0.85, 4);
    const int64_t B = int64_t(s.train.size()) % 7 != 0 ? 7 : 8;  // a short last batch
    REQUIRE(int64_t(s.train.size()) % B != 0);
    ModelConfig mc;
    mc.user.dim = mc.item.dim = 16;
    mc.global_bias = mc.user_bias = mc.item_bias = true;
    TrainConfig tc;
    tc.epochs = 2;
    tc.batch_size = int(B);
    tc.shuffle = false;
    tc.adam.mode = mode;
    tc.adam.learning_rate = 0.01;
    auto params_of = [](Model& m) {
        std::vector<float> all;
        for (Param* p : m.params()) all.insert(all.end(), p->data.begin(), p->data.end());
        return all;
    };
    Model ref(mc, 50, 30, 5.0f, count_items(d, s.train), {}, 4);
    {
        Adam adam(tc.adam, ref.params());
        std::vector<ParamGrad> grads;
        for (Param* p : ref.params()) {
            grads.emplace_back();
            grads.back().resize(*p);
        }
        BatchBuffers buf;
        buf.reserve(B, ref.user_table().stride());
        std::vector<int32_t> u(B), it(B);
        std::vector<float> r(B), dz(B);
        for (int e = 0; e < tc.epochs; ++e)
            for (size_t begin = 0; begin < s.train.size(); begin += size_t(B)) {
                const int64_t n = std::min<int64_t>(B, int64_t(s.train.size() - begin));
                for (int64_t i = 0; i < n; ++i) {
                    const uint32_t k = s.train[begin + size_t(i)];
                    u[size_t(i)] = d.user[k];
                    it[size_t(i)] = d.item[k];
                    r[size_t(i)] = d.rating[k];
                }
                for (Side side : {Side::User, Side::Item}) {
                    ref.mark_rows(side, side == Side::User ? u.data() : it.data(), n, grads);
                    ref.lookup(side, side == Side::User ? u.data() : it.data(), n, buf);
                }
                ref.loss_gradient(u.data(), it.data(), r.data(), 0, n, 1.0f / float(n), buf, dz.data());
                for (Side side : {Side::User, Side::Item})
                    ref.backward(side, side == Side::User ? u.data() : it.data(), n, dz.data(), grads, buf);
                adam.step(grads);
            }
    }
    const std::vector<float> want = params_of(ref);
    for (int threads : {1, 2}) {
        if (mode == AdamMode::Lazy && threads > 1) continue;
        INFO(to_string(mode) << " Adam, " << threads << " threads");
        Model m(mc, 50, 30, 5.0f, count_items(d, s.train), {}, 4);
        tc.threads = threads;
        Trainer t(m, tc);
        CHECK(t.uses_block_schedule() == (mode == AdamMode::Lazy));
        t.fit(d, s.train, s.eval);
        CHECK(params_of(m) == want);
    }
}
