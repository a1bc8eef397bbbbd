// One-parameter Adam steps against values worked out by hand (Keras' formulas in float64, see the table
// below), in every mode. Dense mode moves a row that is absent from the batch; lazy mode leaves it alone
// (bias correction from the global step).
#include <catch2/catch.hpp>

#include "memrec/adam.h"
#include "memrec/error.h"

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
    Param p("w", 2, 1, Access::Rows, Init::Zero);
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
}
