// "Because you liked": a folded-in visitor's score splits into one term per rated item. The terms (plus the
// part that belongs to no rating) add up to the score the fit gives, each implicit term is the closed form
// (1 + alpha) y_i' A^-1 y_j computed here with Eigen from scratch, and on item vectors in clear clusters the
// liked item of the recommended item's own cluster is the one named.
#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include "memrec/als.h"
#include "memrec/error.h"
#include "memrec/fold_in.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {

constexpr int kDim = 4, kItems = 16, kUsers = 30;

// Item i lies along axis i / 4 at a length that grows with i % 4 (items 12..15: along minus the first axis,
// twice as far, so that their kernel with item 0 outweighs the user bias the rating model's items share), with a little noise in every coordinate; the other rows (users, biases) are uniform(-0.5, 0.5).
void clustered(Model& m) {
    Rng rng(11);
    for (Param* p : m.params())
        for (int64_t r = 0; r < p->rows; ++r)
            for (int k = 0; k < p->cols; ++k) p->row(r)[k] = rng.uniform(-0.5f, 0.5f);
    for (Param* p : m.params()) {
        if (p->side != Side::Item || p->role != Role::Embedding) continue;
        for (int64_t i = 0; i < p->rows; ++i)
            for (int k = 0; k < kDim; ++k) {
                const int axis = int(i / 4) % 3;
                const float length = (i / 4 == 3 ? -2.0f : 1.0f) * (0.8f + 0.1f * float(i % 4));
                p->row(i)[k] = (k == axis ? length : 0.0f) + rng.uniform(-0.05f, 0.05f);
            }
    }
}

Model implicit_model() {
    AlsConfig c;
    c.factors = kDim;
    c.feedback.alpha = 3;
    c.feedback.lambda = 0.5;
    Model m = als_model(c, kUsers, kItems, 5.0f);
    clustered(m);
    return m;
}

Model rating_model(Link link = Link::Sigmoid) {
    ModelConfig c;
    c.link = link;
    c.user.dim = c.item.dim = kDim;
    c.user_bias = c.item_bias = c.global_bias = true;
    Model m(c, kUsers, kItems, 5.0f, std::vector<int64_t>(kItems, 1), std::vector<int64_t>(kUsers, 1), 3);
    clustered(m);
    return m;
}

double sum(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
}

}  // namespace

TEST_CASE("An implicit visitor's score is the sum of (1 + alpha) y_i' A^-1 y_j over their positives", "[explain]") {
    const Model m = implicit_model();
    const FoldIn fold_in(m);
    // Two positives, a rating below the threshold (no term) and a repeat of a positive (no second term).
    const FoldIn::Visitor v = fold_in.fit({{1, 5.0f}, {6, 4.0f}, {9, 2.0f}, {1, 5.0f}});
    const std::vector<float> scores = fold_in.scores(v);

    const AlignedVector<float> y = m.item_vectors();
    const int stride = m.item_table().stride();
    auto vec = [&](int i) { return Eigen::Map<const Eigen::VectorXf>(y.data() + i * stride, kDim).cast<double>().eval(); };
    Eigen::MatrixXd A = 0.5 * Eigen::MatrixXd::Identity(kDim, kDim);
    for (int i = 0; i < kItems; ++i) A += vec(i) * vec(i).transpose();
    for (int j : {1, 6}) A += 3.0 * vec(j) * vec(j).transpose();
    const Eigen::MatrixXd Ainv = A.inverse();
    for (int32_t item = 0; item < kItems; ++item) {
        const FoldIn::ScoreTerms t = fold_in.explain(v, item);
        REQUIRE(t.terms.size() == 4);
        CHECK(t.rest == 0.0);
        CHECK(t.terms[0] == Approx(4.0 * vec(item).dot(Ainv * vec(1))).margin(1e-5));
        CHECK(t.terms[1] == Approx(4.0 * vec(item).dot(Ainv * vec(6))).margin(1e-5));
        CHECK(t.terms[2] == 0.0);
        CHECK(t.terms[3] == 0.0);
        CHECK(sum(t.terms) == Approx(scores[size_t(item)]).margin(1e-4));
    }
    CHECK_THROWS_AS(fold_in.explain(v, kItems), ConfigError);
}

TEST_CASE("A rating visitor's logit is the prior's part plus one term per rating", "[explain]") {
    for (Link link : {Link::Sigmoid, Link::Linear}) {
        INFO("link " << to_string(link));
        const Model m = rating_model(link);
        VisitorOptions converged;
        converged.max_iterations = 200;
        converged.tolerance = 0;
        const FoldIn fold_in(m, converged);
        const FoldIn::Visitor v = fold_in.fit({{0, 5.0f}, {5, 1.0f}, {10, 4.0f}, {13, 2.0f}});
        const AlignedVector<float> y = m.item_vectors();
        const int stride = m.item_table().stride();
        for (int32_t item = 0; item < kItems; ++item) {
            const FoldIn::ScoreTerms t = fold_in.explain(v, item);
            const float logit =
                m.logit(v.profile.vector.data(), y.data() + item * stride, -1, item) + v.profile.bias;
            CHECK(t.rest + sum(t.terms) == Approx(logit).margin(1e-4));
            for (double term : t.terms) CHECK(term != 0.0);
        }
    }
}

TEST_CASE("because names the liked item of the recommended item's own cluster, or none", "[explain]") {
    for (const Model& m : {implicit_model(), rating_model()}) {
        const FoldIn fold_in(m);
        // Liked: item 0 (axis 0) and item 5 (axis 1); item 9 (axis 2) rated 1 is never a reason.
        const FoldIn::Visitor v = fold_in.fit({{0, 5.0f}, {5, 5.0f}, {9, 1.0f}});
        CHECK(fold_in.because(v, {3, 1, 7, 6}) == std::vector<int32_t>{0, 0, 1, 1});
        CHECK(fold_in.because(v, {10}) != std::vector<int32_t>{2});
        // Only item 0 liked: the items opposite it owe it nothing.
        const FoldIn::Visitor one = fold_in.fit({{0, 5.0f}, {9, 1.0f}});
        CHECK(fold_in.because(one, {12, 13, 14, 15}) == std::vector<int32_t>{-1, -1, -1, -1});
        // A threshold of 1 makes the 1 a liked rating, but its term is not positive, even on its own axis.
        for (int32_t b : fold_in.because(one, {10, 11}, 1.0f)) CHECK(b != 1);
    }
}
