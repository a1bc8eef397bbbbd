// A new visitor's fitted vector: the fit is a minimum of its stated objective (checked by finite
// differences, with the objective written out independently here), it recovers a user whose ratings it is
// given, and the prior is the users' mean and inverse covariance.
#include <catch2/catch.hpp>
#include <cmath>

#include "memrec/error.h"
#include "memrec/visitor.h"

using namespace memrec;

namespace {

constexpr int kDim = 8;
constexpr int kUsers = 60;
constexpr int kItems = 40;

// A model with full tables whose rows are spread over uniform(-0.6, 0.6) (not Keras' tiny init), so
// predictions vary across the rating scale.
Model spread_model(bool biases, uint64_t seed, Link link = Link::Sigmoid) {
    ModelConfig c;
    c.link = link;
    c.user.dim = c.item.dim = kDim;
    c.user_bias = c.item_bias = c.global_bias = biases;
    Model m(c, kUsers, kItems, 5.0f, std::vector<int64_t>(kItems, 1), std::vector<int64_t>(kUsers, 1), seed);
    Rng rng(seed + 1);
    for (Param* p : m.params())
        for (int64_t r = 0; r < p->rows; ++r)
            for (int k = 0; k < p->cols; ++k) p->row(r)[k] = rng.uniform(-0.6f, 0.6f);
    return m;
}

// The objective fit_visitor documents, computed in double from scratch.
double objective(const Model& m, const std::vector<VisitorRating>& ratings, const VisitorPrior& prior, double l2,
                 const std::vector<double>& theta) {
    const int n = static_cast<int>(theta.size());
    double loss = 0;
    const AlignedVector<float> v = m.item_vectors();
    for (const auto& r : ratings) {
        double z = 0;
        for (int k = 0; k < kDim; ++k) z += theta[size_t(k)] * v[size_t(r.item) * size_t(m.item_table().stride()) + size_t(k)];
        if (m.user_bias()) z += theta[size_t(kDim)];
        if (m.global_bias()) z += m.global_bias()->data[0];
        if (m.item_bias()) z += m.item_bias()->row(r.item)[0];
        const double e = (m.config().link == Link::Linear ? 2.5 + z : 5.0 / (1.0 + std::exp(-z))) - r.rating;
        loss += e * e;
    }
    double reg = 0;
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) {
            const double da = theta[size_t(a)] - (a < kDim ? prior.vector[size_t(a)] : prior.bias);
            const double db = theta[size_t(b)] - (b < kDim ? prior.vector[size_t(b)] : prior.bias);
            reg += da * prior.precision[size_t(a) * size_t(n) + size_t(b)] * db;
        }
    return loss + l2 * reg;
}

std::vector<double> theta_of(const VisitorProfile& v, bool bias) {
    std::vector<double> t(v.vector.begin(), v.vector.begin() + kDim);
    if (bias) t.push_back(v.bias);
    return t;
}

}  // namespace

TEST_CASE("the visitor fit is a minimum of its objective", "[visitor]") {
    for (auto [biases, link] :
         {std::pair{false, Link::Sigmoid}, std::pair{true, Link::Sigmoid}, std::pair{true, Link::Linear}}) {
        INFO("biases " << biases << ", link " << to_string(link));
        const Model m = spread_model(biases, 11, link);
        const AlignedVector<float> items = m.item_vectors();
        const VisitorPrior prior = user_prior(m);
        const std::vector<VisitorRating> ratings{{3, 5.0f}, {7, 1.0f}, {12, 4.0f}, {20, 2.0f}, {33, 4.5f}};
        VisitorOptions opt;
        opt.l2 = 0.5f;
        const VisitorProfile v = fit_visitor(m, items, ratings, prior, opt);
        const std::vector<double> theta = theta_of(v, biases);
        const double f0 = objective(m, ratings, prior, opt.l2, theta);
        CHECK(v.loss == Approx(f0).epsilon(1e-4));
        // Central differences: the gradient vanishes at the solution (relative to the objective's scale).
        for (size_t a = 0; a < theta.size(); ++a) {
            const double h = 1e-3;
            auto tp = theta, tm = theta;
            tp[a] += h;
            tm[a] -= h;
            const double g = (objective(m, ratings, prior, opt.l2, tp) - objective(m, ratings, prior, opt.l2, tm)) / (2 * h);
            CHECK(std::fabs(g) < 2e-3 * std::max(1.0, f0));
        }
        // And moving anywhere nearby only makes it worse.
        Rng rng(5);
        for (int t = 0; t < 20; ++t) {
            auto tp = theta;
            for (auto& x : tp) x += rng.uniform(-0.05f, 0.05f);
            CHECK(objective(m, ratings, prior, opt.l2, tp) >= f0 - 1e-6);
        }
        CHECK(v.iterations >= 1);
    }
}

TEST_CASE("a visitor given a user's ratings of every item predicts like that user", "[visitor]") {
    for (Link link : {Link::Sigmoid, Link::Linear}) {
        INFO("link " << to_string(link));
        const Model m = spread_model(false, 3, link);
        const AlignedVector<float> items = m.item_vectors();
        const VisitorPrior prior = user_prior(m);
        const int32_t user = 17;
        std::vector<VisitorRating> ratings;
        for (int32_t i = 0; i < kItems; ++i) ratings.push_back({i, m.predict(user, i)});
        VisitorOptions opt;
        opt.l2 = 1e-3f;  // the data determine the answer
        const VisitorProfile v = fit_visitor(m, items, ratings, prior, opt);
        std::vector<float> scores(kItems);
        score_visitor(m, items, v, scores.data());
        for (int32_t i = 0; i < kItems; ++i)
            CHECK(scores[size_t(i)] == Approx(m.predict(user, i)).margin(0.02));
    }
}

TEST_CASE("with no ratings a visitor is the typical user; bad input is rejected", "[visitor]") {
    const Model m = spread_model(true, 8);
    const AlignedVector<float> items = m.item_vectors();
    const VisitorPrior prior = user_prior(m);
    const VisitorProfile v = fit_visitor(m, items, {}, prior);
    for (int k = 0; k < kDim; ++k) CHECK(v.vector[size_t(k)] == prior.vector[size_t(k)]);
    CHECK(v.bias == prior.bias);
    CHECK_THROWS_AS(fit_visitor(m, items, {{kItems, 3.0f}}, prior), ConfigError);
    CHECK_THROWS_AS(fit_visitor(m, items, {{-1, 3.0f}}, prior), ConfigError);
    CHECK_THROWS_AS(fit_visitor(m, items, {{0, std::nanf("")}}, prior), ConfigError);
    VisitorPrior wrong = prior;
    wrong.precision.pop_back();
    CHECK_THROWS_AS(fit_visitor(m, items, {{0, 3.0f}}, wrong), ConfigError);
}

TEST_CASE("the prior is the users' mean and inverse (shrunk) covariance", "[visitor]") {
    const Model m = spread_model(true, 21);
    const double shrinkage = 0.05;
    const VisitorPrior prior = user_prior(m, shrinkage);
    constexpr int n = kDim + 1;
    std::vector<double> mean(n, 0.0), cov(n * n, 0.0);
    auto theta = [&](int u, int a) { return a < kDim ? double(m.user_vector(u)[size_t(a)]) : double(m.user_bias()->row(u)[0]); };
    for (int u = 0; u < kUsers; ++u)
        for (int a = 0; a < n; ++a) mean[size_t(a)] += theta(u, a) / kUsers;
    for (int u = 0; u < kUsers; ++u)
        for (int a = 0; a < n; ++a)
            for (int b = 0; b < n; ++b)
                cov[size_t(a * n + b)] += (theta(u, a) - mean[size_t(a)]) * (theta(u, b) - mean[size_t(b)]) / (kUsers - 1);
    double trace = 0;
    for (int a = 0; a < n; ++a) trace += cov[size_t(a * n + a)];
    for (int a = 0; a < n; ++a) cov[size_t(a * n + a)] += shrinkage * trace / n;
    for (int a = 0; a < kDim; ++a) CHECK(prior.vector[size_t(a)] == Approx(mean[size_t(a)]).margin(1e-6));
    CHECK(prior.bias == Approx(mean[kDim]).margin(1e-6));
    REQUIRE(prior.precision.size() == size_t(n * n));
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) {
            double s = 0;
            for (int c = 0; c < n; ++c) s += prior.precision[size_t(a * n + c)] * cov[size_t(c * n + b)];
            CHECK(s == Approx(a == b ? 1.0 : 0.0).margin(1e-4));
        }
}
