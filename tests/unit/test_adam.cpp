// One-parameter Adam steps against values worked out by hand (Keras' formulas in float64, see the table
// below), in every mode. Dense mode moves a row that is absent from the batch; lazy mode leaves it alone
// (bias correction from the global step).
#include <catch2/catch.hpp>
#include <cmath>

#include "memrec/adam.h"
#include "memrec/error.h"
#include "memrec/kernels.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {

// lr 0.1, beta1 0.9, beta2 0.999, eps 1e-7; w starts at [1, 2]; gradients per step:
//   step 1: row 0 = 0.5            step 2: row 0 = -1.0, row 1 = 0.2            step 3: row 0 = 0.3
// alpha_t = lr sqrt(1 - 0.999^t) / (1 - 0.9^t); m = 0.9 m + 0.1 g; v = 0.999 v + 0.001 g^2;
// w -= alpha_t m / (sqrt(v) + 1e-7). Dense: t is the global step for every row, absent rows use g = 0.
// Lazy: absent rows are untouched; t is the global step (row 1's first update is at step 2, with alpha_2).
struct Expected {
    double row0, row1;
};
const Expected kDense[3] = {{0.900000632, 2.0}, {0.936610882, 1.925587494}, {0.947377972, 1.868066412}};
const Expected kLazy[3] = {{0.900000632, 2.0}, {0.936610882, 1.925587494}, {0.947377972, 1.925587494}};

void run(AdamMode mode, const Expected* expected) {
    Param p("w", 2, 1, Access::Rows, Init::Zero, Role::Embedding);
    p.row(0)[0] = 1.0f;
    p.row(1)[0] = 2.0f;
    AdamConfig c;
    c.learning_rate = 0.1;
    c.mode = mode;
    Adam adam(c, {&p});
    std::vector<ParamGrad> g(1);
    g[0].resize(p);
    const std::vector<std::vector<std::pair<int, float>>> steps{{{0, 0.5f}}, {{0, -1.0f}, {1, 0.2f}}, {{0, 0.3f}}};
    for (size_t s = 0; s < steps.size(); ++s) {
        for (auto [row, grad] : steps[s]) g[0].row(row)[0] += grad;
        adam.step(g);
        adam.synchronize();  // Dense mode defers absent rows' steps until read; bring them up to date
        INFO("step " << s + 1);
        CHECK(p.row(0)[0] == Approx(expected[s].row0).epsilon(1e-6));
        CHECK(p.row(1)[0] == Approx(expected[s].row1).epsilon(1e-6));
        CHECK(g[0].touched.empty());  // the step clears the gradient
        CHECK(g[0].data[0] == 0.0f);
    }
    CHECK(adam.steps() == 3);
}

}  // namespace

TEST_CASE("dense Adam matches hand-computed steps and moves absent rows", "[adam]") {
    run(AdamMode::DenseSweep, kDense);
    run(AdamMode::Dense, kDense);  // the deferred closed form gives the same steps
}

TEST_CASE("lazy Adam matches hand-computed steps and leaves absent rows", "[adam]") { run(AdamMode::Lazy, kLazy); }

TEST_CASE("Adam bias-corrected step size follows Keras", "[adam]") {
    AdamConfig c;
    c.learning_rate = 0.001;
    CHECK(Adam::alpha(c, 1) == Approx(0.001 * 0.0316227766 / 0.1));
    CHECK(Adam::alpha(c, 100000) == Approx(0.001).epsilon(1e-4));
}

TEST_CASE("the learning rate decays by a factor per period of steps", "[adam]") {
    AdamConfig c;
    c.learning_rate = 0.01;
    CHECK(Adam::learning_rate(c, 1) == 0.01);
    c.lr_decay = 0.5;
    CHECK(Adam::learning_rate(c, 500) == 0.01);  // no period set: constant
    c.decay_steps = 10;
    CHECK(Adam::learning_rate(c, 1) == 0.01);
    CHECK(Adam::learning_rate(c, 10) == 0.01);
    CHECK(Adam::learning_rate(c, 11) == 0.005);
    CHECK(Adam::learning_rate(c, 21) == 0.0025);
    AdamConfig flat = c;
    flat.lr_decay = 1.0;
    CHECK(Adam::alpha(c, 25) == Approx(0.25 * Adam::alpha(flat, 25)));

    // Lazy mode's steps follow the schedule: with a constant gradient sign, each step moves w by about alpha.
    Param p("w", 1, 1, Access::Rows, Init::Zero, Role::Embedding);
    AdamConfig lazy = c;
    lazy.mode = AdamMode::Lazy;
    lazy.decay_steps = 0;
    Adam adam(lazy, {&p});
    adam.set_decay_steps(2);
    std::vector<ParamGrad> g(1);
    g[0].resize(p);
    std::vector<float> moves;
    for (int t = 1; t <= 4; ++t) {
        const float before = p.row(0)[0];
        g[0].row(0)[0] += 1.0f;
        adam.step(g);
        moves.push_back(before - p.row(0)[0]);
    }
    CHECK(moves[0] == Approx(0.01).epsilon(1e-3));
    CHECK(moves[1] == Approx(0.01).epsilon(1e-3));
    CHECK(moves[2] == Approx(0.005).epsilon(1e-3));
    CHECK(moves[3] == Approx(0.005).epsilon(1e-3));
}

TEST_CASE("Adam rejects bad hyper-parameters", "[adam][config]") {
    AdamConfig c;
    c.learning_rate = std::nan("");
    CHECK_THROWS_AS(c.validate(), ConfigError);
    c.learning_rate = -1;
    CHECK_THROWS_AS(c.validate(), ConfigError);
    c = AdamConfig{};
    c.beta1 = 1.0;
    CHECK_THROWS_AS(c.validate(), ConfigError);
    CHECK_THROWS_AS(parse_adam_mode("sparse"), ConfigError);
    c = AdamConfig{};
    c.lr_decay = 0.0;
    CHECK_THROWS_AS(c.validate(), ConfigError);
    c.lr_decay = 1.5;
    CHECK_THROWS_AS(c.validate(), ConfigError);
}

// Lazy L2 is defined as a gradient term: a step with l2 equals a step without it whose gradient has
// l2 * w added on the rows being updated (and only those: absent rows are not pulled towards zero).
TEST_CASE("L2 adds l2 * w to the gradient of the rows in the batch, per table", "[adam][l2]") {
    for (AdamMode mode : {AdamMode::Lazy, AdamMode::Dense, AdamMode::DenseSweep}) {
        INFO(to_string(mode));
        auto make = [](const char* name, Role role, Side side) {
            Param p(name, 3, 2, Access::Rows, Init::Zero, role, side);
            for (int r = 0; r < 3; ++r)
                for (int c = 0; c < 2; ++c) p.row(r)[c] = 0.5f * float(r + 1) - 0.3f * float(c);
            return p;
        };
        Param user_a = make("user.embedding", Role::Embedding, Side::User);
        Param item_a = make("item.embedding", Role::Embedding, Side::Item);
        Param bias_a = make("bias.user", Role::Bias, Side::User);
        Param user_b = make("user.embedding", Role::Embedding, Side::User);
        Param item_b = make("item.embedding", Role::Embedding, Side::Item);
        Param bias_b = make("bias.user", Role::Bias, Side::User);
        AdamConfig with;
        with.learning_rate = 0.05;
        with.mode = mode;
        with.l2 = 0.4;
        with.l2_user = 0.1;   // the user table's own coefficient
        with.l2_bias = 0.25;  // bias rows
        AdamConfig without = with;
        without.l2 = 0.0;
        without.l2_user = -1.0;
        without.l2_bias = 0.0;
        Adam a(with, {&user_a, &item_a, &bias_a});
        Adam b(without, {&user_b, &item_b, &bias_b});
        std::vector<ParamGrad> ga(3), gb(3);
        for (int i = 0; i < 3; ++i) {
            ga[size_t(i)].resize(i == 0 ? user_a : i == 1 ? item_a : bias_a);
            gb[size_t(i)].resize(i == 0 ? user_b : i == 1 ? item_b : bias_b);
        }
        const Param* pb[3] = {&user_b, &item_b, &bias_b};
        const float coef[3] = {0.1f, 0.4f, 0.25f};
        const std::vector<std::vector<int>> rows{{0}, {0, 2}, {1}, {2}};  // row 1 absent until step 3
        for (size_t s = 0; s < rows.size(); ++s) {
            for (int i = 0; i < 3; ++i)
                for (int r : rows[s]) {
                    const float g = 0.2f * float(s + 1) - 0.1f * float(r);
                    for (int c = 0; c < 2; ++c) {
                        ga[size_t(i)].row(r)[c] += g;
                        gb[size_t(i)].row(r)[c] += g + coef[i] * pb[i]->row(r)[c];
                    }
                }
            a.step(ga);
            b.step(gb);
            a.synchronize();
            b.synchronize();
            INFO("step " << s + 1);
            for (int r = 0; r < 3; ++r)
                for (int c = 0; c < 2; ++c) {
                    CHECK(user_a.row(r)[c] == Approx(user_b.row(r)[c]).epsilon(1e-5));
                    CHECK(item_a.row(r)[c] == Approx(item_b.row(r)[c]).epsilon(1e-5));
                    CHECK(bias_a.row(r)[c] == Approx(bias_b.row(r)[c]).epsilon(1e-5));
                }
        }
    }
}

// The trainer's Full tables leave a row used once in a batch where the backward pass computed it
// (ParamGrad::direct) and Adam folds its L2 term into the step's kernel: the same bits as adding every row
// into the gradient buffer first, in lazy and dense mode, with repeated rows in the batches.
TEST_CASE("direct gradient rows step exactly as rows added into the buffer", "[adam]") {
    for (AdamMode mode : {AdamMode::Lazy, AdamMode::Dense}) {
        INFO("mode " << to_string(mode));
        const int rows = 9, cols = 20;
        Param pa("w", rows, cols, Access::Rows, Init::Zero, Role::Embedding);
        Rng init(5);
        for (float& x : pa.data) x = init.uniform(-0.5f, 0.5f);
        for (int r = 0; r < rows; ++r)
            for (int c = cols; c < pa.stride; ++c) pa.row(r)[c] = 0.0f;
        Param pb = pa;
        AdamConfig c;
        c.learning_rate = 0.01;
        c.mode = mode;
        c.l2 = 0.03;
        Adam a(c, {&pa}), b(c, {&pb});
        REQUIRE(b.takes_direct_rows());
        std::vector<ParamGrad> ga(1), gb(1);
        ga[0].resize(pa);
        gb[0].allow_direct = true;
        gb[0].resize(pb);
        Rng rng(11);
        int direct = 0, added = 0;
        for (int step = 1; step <= 6; ++step) {
            const std::vector<int32_t> ids{int32_t(rng.below(rows)), int32_t(rng.below(rows)), 3, 3, int32_t(step % rows)};
            std::vector<AlignedVector<float>> src(ids.size(), AlignedVector<float>(size_t(pa.stride), 0.0f));
            for (auto& s : src)
                for (int k = 0; k < cols; ++k) s[size_t(k)] = rng.uniform(-1.0f, 1.0f);
            for (int32_t r : ids) {
                ga[0].mark_once(r);
                gb[0].mark_once(r);
            }
            for (size_t i = 0; i < ids.size(); ++i) {
                CHECK_FALSE(ga[0].add_row(ids[i], src[i].data()));  // not allowed: always added
                if (gb[0].add_row(ids[i], src[i].data())) ++direct;
                else ++added;
            }
            for (size_t i = 0; i < ids.size(); ++i) {
                const float* g = gb[0].gradient_row(ids[i]);
                for (int k = 0; k < cols; ++k) CHECK(g[k] == ga[0].gradient_row(ids[i])[k]);
            }
            a.step(ga);
            b.step(gb);
            a.synchronize();
            b.synchronize();
            INFO("step " << step);
            REQUIRE(pa.data == pb.data);
            CHECK(gb[0].touched.empty());
            for (const float* d : gb[0].direct) CHECK(d == nullptr);
            for (float x : gb[0].data) CHECK(x == 0.0f);
        }
        CHECK(direct > 0);  // both paths were exercised
        CHECK(added >= 12);  // row 3 twice a batch
    }
}

// AdaGrad and SGD step their rows in chunks (Adam::update_rows): each row's step sizes come from one vector
// kernel per chunk. The results must be those of the formulas taken row by row, bit for bit, with L2, over
// more rows than a chunk, for a table's listed rows (with and without direct gradient rows) and for a whole
// param. The reference: g' = g + l2 w; AdaGrad G += dot(g', g') / cols, w -= lr / sqrt(1 + G) g'; SGD
// w -= lr g'.
TEST_CASE("the row rules step each row as their formulas, row by row", "[adam][adagrad]") {
    for (Optimizer rule : {Optimizer::AdaGrad, Optimizer::Sgd}) {
        for (bool allow_direct : {false, true}) {
            INFO(to_string(rule) << (allow_direct ? ", direct rows" : ""));
            const int rows = 41, cols = 20;
            Param table("user.embedding", rows, cols, Access::Rows, Init::Zero, Role::Embedding);
            Param whole("item.block1.projection", 19, 7, Access::Whole, Init::Zero, Role::Embedding,
                        Side::Item);
            Rng init(3);
            for (Param* p : {&table, &whole})
                for (int64_t r = 0; r < p->rows; ++r)
                    for (int c = 0; c < p->cols; ++c) p->row(r)[c] = init.uniform(-0.5f, 0.5f);
            Param ref_table = table, ref_whole = whole;
            AdamConfig c;
            c.optimizer = rule;
            c.mode = AdamMode::Lazy;
            c.learning_rate = 0.07;
            c.l2 = 0.05;
            Adam adam(c, {&table, &whole});
            std::vector<ParamGrad> g(2);
            g[0].allow_direct = g[1].allow_direct = allow_direct;
            g[0].resize(table);
            g[1].resize(whole);
            std::vector<float> acc_table(rows, 0.0f), acc_whole(size_t(whole.rows), 0.0f);
            auto reference = [&](Param& p, std::vector<float>& acc, int32_t r, const float* grad) {
                AlignedVector<float> gp(size_t(p.stride), 0.0f);
                float* w = p.row(r);
                for (int k = 0; k < p.stride; ++k) gp[size_t(k)] = grad[k] + 0.05f * w[k];
                float step = 0.07f;
                if (rule == Optimizer::AdaGrad) {
                    acc[size_t(r)] += kernels::dot(gp.data(), gp.data(), p.stride) / float(p.cols);
                    step = 0.07f / std::sqrt(1.0f + acc[size_t(r)]);
                }
                for (int k = 0; k < p.stride; ++k) w[k] -= step * gp[size_t(k)];
            };
            Rng rng(8);
            int direct = 0;
            for (int step = 1; step <= 4; ++step) {
                // About 36 of the 41 rows in a shuffled order, two of them twice (never direct): two chunks
                // and part of a third.
                std::vector<int32_t> ids;
                for (int32_t r = 0; r < rows; ++r)
                    if (rng.below(8) != 0) ids.push_back(r);
                for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[size_t(rng.below(i))]);
                ids.push_back(ids[0]);
                ids.push_back(ids[5]);
                std::vector<AlignedVector<float>> src(ids.size(),
                                                      AlignedVector<float>(size_t(table.stride), 0.0f));
                for (auto& s : src)
                    for (int k = 0; k < cols; ++k) s[size_t(k)] = rng.uniform(-1.0f, 1.0f);
                for (int32_t r : ids) g[0].mark_once(r);
                for (size_t i = 0; i < ids.size(); ++i) direct += g[0].add_row(ids[i], src[i].data()) ? 1 : 0;
                // The reference's gradients, in the order update_rows visits the rows (first touch).
                std::vector<AlignedVector<float>> sums;
                for (int32_t r : g[0].touched) {
                    const float* gr = g[0].gradient_row(r);
                    sums.emplace_back(gr, gr + table.stride);
                }
                for (int64_t r = 0; r < whole.rows; ++r)
                    for (int k = 0; k < whole.cols; ++k) g[1].row(int32_t(r))[k] = rng.uniform(-1.0f, 1.0f);
                AlignedVector<float> whole_grad = g[1].data;
                const std::vector<int32_t> order = g[0].touched;
                adam.step(g);
                for (size_t i = 0; i < order.size(); ++i)
                    reference(ref_table, acc_table, order[i], sums[i].data());
                for (int32_t r = 0; r < int32_t(whole.rows); ++r)
                    reference(ref_whole, acc_whole, r, whole_grad.data() + int64_t(r) * whole.stride);
                INFO("step " << step);
                REQUIRE(table.data == ref_table.data);
                REQUIRE(whole.data == ref_whole.data);
                CHECK(g[0].touched.empty());
                for (float x : g[0].data) CHECK(x == 0.0f);
                for (float x : g[1].data) CHECK(x == 0.0f);
                for (const float* d : g[0].direct) CHECK(d == nullptr);
            }
            CHECK((direct > 0) == allow_direct);
            for (int32_t r = 0; r < rows; ++r) CHECK(adam.state()[0].steps[size_t(r)] >= 1);
        }
    }
}
