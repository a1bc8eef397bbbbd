// Implicit ALS: a row's solve is the minimum of the weighted loss it documents (its gradient, written out
// here over every item, vanishes), ALS ranks each user's own cluster first on data with two clusters, a
// training user's fold-in lands on their trained vector, and the factors do not depend on the thread count.
#include <catch2/catch.hpp>
#include <cmath>
#include <algorithm>
#include <cstring>

#include "memrec/als.h"
#include "memrec/error.h"
#include "memrec/fold_in.h"
#include "memrec/implicit_fit.h"
#include "memrec/recommend.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {

constexpr int kUsers = 40, kItems = 30;

// Users 0..19 rate a random two thirds of items 0..14 with 5 and a few of items 15..29 with 2 (not
// positives at threshold 4); users 20..39 the other way round.
Dataset two_clusters() {
    Dataset d;
    for (int u = 0; u < kUsers; ++u) d.users.add(std::to_string(u + 1));
    for (int i = 0; i < kItems; ++i) d.items.add(std::to_string(i + 1));
    Rng rng(7);
    for (int u = 0; u < kUsers; ++u) {
        const int own = u < kUsers / 2 ? 0 : kItems / 2, other = kItems / 2 - own;
        for (int i = 0; i < kItems / 2; ++i) {
            if (rng.uniform() < 0.67) d.user.push_back(u), d.item.push_back(own + i), d.rating.push_back(5.0f);
            else if (rng.uniform() < 0.2) d.user.push_back(u), d.item.push_back(other + i), d.rating.push_back(2.0f);
        }
    }
    return d;
}

std::vector<uint32_t> all_ratings(const Dataset& d) {
    std::vector<uint32_t> out(d.rating.size());
    for (size_t k = 0; k < out.size(); ++k) out[k] = uint32_t(k);
    return out;
}

// Rank 2, the rank of the data: a larger rank could fit each user's unrated items individually.
AlsConfig small_config(int threads) {
    AlsConfig c;
    c.factors = 2;
    c.feedback.alpha = 3;
    c.feedback.lambda = 0.5;
    c.iterations = 30;
    c.threads = threads;
    return c;
}

Model trained(const Dataset& d, int threads) {
    const AlsConfig c = small_config(threads);
    Model m = als_model(c, kUsers, kItems, 5.0f);
    train_als(m, d, all_ratings(d), c);
    return m;
}

}  // namespace

TEST_CASE("an implicit row solve zeroes the gradient of its weighted loss over every item", "[als]") {
    const int dim = 5, items = 12, stride = padded_cols(dim);
    Rng rng(3);
    AlignedVector<float> Y(size_t(items) * size_t(stride), 0.0f);
    for (int i = 0; i < items; ++i)
        for (int a = 0; a < dim; ++a) Y[size_t(i * stride + a)] = rng.uniform(-1.0f, 1.0f);
    const std::vector<int32_t> positives = {1, 4, 5, 9};
    const double alpha = 2.5, lambda = 0.7;
    const std::vector<float> gram = implicit_gram(Y.data(), items, stride, dim);
    AlignedVector<float> ws(size_t(implicit_workspace_floats(dim, 4)));
    std::vector<float> x(dim);
    REQUIRE(solve_implicit_row(Y.data(), stride, dim, gram.data(), float(alpha), float(lambda), positives.data(), 4,
                               ws.data(), x.data()));
    // d/dx [sum_i c_i (p_i - x.y_i)^2 + lambda |x|^2] / 2 = sum_i c_i (x.y_i - p_i) y_i + lambda x
    for (int a = 0; a < dim; ++a) {
        double g = lambda * x[size_t(a)];
        for (int i = 0; i < items; ++i) {
            const bool pos = std::find(positives.begin(), positives.end(), i) != positives.end();
            double s = 0;
            for (int b = 0; b < dim; ++b) s += double(x[size_t(b)]) * Y[size_t(i * stride + b)];
            g += (pos ? 1 + alpha : 1.0) * (s - (pos ? 1.0 : 0.0)) * Y[size_t(i * stride + a)];
        }
        CHECK(std::fabs(g) < 1e-4);
    }
}

TEST_CASE("ALS ranks each user's own cluster first", "[als]") {
    const Dataset d = two_clusters();
    const Model m = trained(d, 1);
    CHECK(m.config().objective == Objective::Implicit);
    const AlignedVector<float> v = m.item_vectors();
    int users_checked = 0;
    for (int32_t u = 0; u < kUsers; ++u) {
        std::vector<int32_t> rated;
        for (size_t k = 0; k < d.rating.size(); ++k)
            if (d.user[k] == u) rated.push_back(d.item[k]);
        const int own = u < kUsers / 2 ? 0 : kItems / 2;
        int unrated_own = 0;
        for (int i = own; i < own + kItems / 2; ++i)
            unrated_own += std::find(rated.begin(), rated.end(), i) == rated.end();
        // Every unrated item of the user's cluster ranks above every item of the other cluster.
        const auto top = top_k(score_items(m, m.user_vector(u).data(), u, v), unrated_own, rated);
        for (const ScoredItem& s : top) CHECK((s.item >= own && s.item < own + kItems / 2));
        users_checked += unrated_own > 0;
    }
    CHECK(users_checked > kUsers / 2);
    // The output of an implicit model is the plain dot product.
    const AlignedVector<float> u0 = m.user_vector(0);
    CHECK(m.predict(0, 3) == Approx(m.logit(u0.data(), v.data() + 3 * m.item_table().stride(), 0, 3)));
}

TEST_CASE("the fold-in of a training user's own positives gives their trained vector", "[als]") {
    const Dataset d = two_clusters();
    const Model m = trained(d, 1);
    const AlignedVector<float> v = m.item_vectors();
    const int stride = m.item_table().stride();
    const std::vector<float> gram = implicit_gram(v.data(), m.items(), stride, m.dim());
    for (int32_t u : {0, 7, 25, 39}) {
        std::vector<std::pair<int32_t, float>> rated;
        for (size_t k = 0; k < d.rating.size(); ++k)
            if (d.user[k] == u) rated.push_back({d.item[k], d.rating[k]});
        const std::vector<int32_t> positives = implicit_positives(rated, m.config().implicit);
        const AlignedVector<float> x = fit_implicit_user(v, m.items(), stride, m.dim(), gram, m.config().implicit,
                                                         positives);
        const AlignedVector<float> trained_x = m.user_vector(u);
        double diff = 0, norm = 0;
        for (int a = 0; a < m.dim(); ++a) {
            diff += std::pow(double(x[size_t(a)]) - trained_x[size_t(a)], 2);
            norm += std::pow(double(trained_x[size_t(a)]), 2);
        }
        CHECK(norm > 0.01);
        CHECK(std::sqrt(diff / norm) < 0.02);
    }
    CHECK_THROWS_AS(fit_implicit_user(v, m.items(), stride, m.dim(), gram, m.config().implicit, {kItems}),
                    ConfigError);
}

TEST_CASE("FoldIn scores a visitor of an implicit model by the dot product with their fitted vector", "[als]") {
    const Dataset d = two_clusters();
    const Model m = trained(d, 1);
    const FoldIn fold_in(m);
    // Two positives of the first cluster and one rating below the threshold, which counts for nothing.
    const std::vector<float> s = fold_in.scores({{1, 5.0f}, {2, 4.0f}, {20, 2.0f}});
    const AlignedVector<float> v = m.item_vectors();
    const int stride = m.item_table().stride();
    const AlignedVector<float> x = fit_implicit_user(v, m.items(), stride, m.dim(),
                                                     implicit_gram(v.data(), m.items(), stride, m.dim()),
                                                     m.config().implicit, {1, 2});
    REQUIRE(s.size() == size_t(kItems));
    for (int i = 0; i < kItems; ++i) {
        double dot = 0;
        for (int a = 0; a < m.dim(); ++a) dot += double(x[size_t(a)]) * v[size_t(i * stride + a)];
        CHECK(s[size_t(i)] == Approx(dot).margin(1e-5));
    }
    // The visitor likes the first cluster: its best item is one of it.
    CHECK(std::max_element(s.begin(), s.end()) - s.begin() < kItems / 2);
}

TEST_CASE("ALS factors are the same bits with 1 and 2 threads", "[als]") {
    const Dataset d = two_clusters();
    const Model a = trained(d, 1), b = trained(d, 2);
    const auto pa = a.params(), pb = b.params();
    REQUIRE(pa.size() == pb.size());
    for (size_t i = 0; i < pa.size(); ++i)
        CHECK(std::memcmp(pa[i]->data.data(), pb[i]->data.data(), pa[i]->data.size() * sizeof(float)) == 0);
}

TEST_CASE("ALS settings are checked", "[als]") {
    AlsConfig c;
    c.feedback.lambda = 0;
    CHECK_THROWS_AS(c.validate(), ConfigError);
    c = AlsConfig{};
    c.factors = 0;
    CHECK_THROWS_AS(c.validate(), ConfigError);
    ModelConfig mc;
    mc.objective = Objective::Implicit;
    mc.user_bias = true;
    CHECK_THROWS_AS(mc.validate(), ConfigError);
}
