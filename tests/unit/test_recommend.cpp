// Model queries shared by the CLI and the browser: top-k with exclusions and ties, the popularity
// fallback, and scores that agree with Model::predict.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "memrec/error.h"
#include "memrec/recommend.h"

using namespace memrec;

namespace {
std::vector<int32_t> items_of(const std::vector<ScoredItem>& v) {
    std::vector<int32_t> out;
    for (const auto& s : v) out.push_back(s.item);
    return out;
}

Model small_model() {
    ModelConfig c;
    c.user.dim = c.item.dim = 5;
    c.item_bias = c.user_bias = c.global_bias = true;
    Model m(c, 9, 14, 5.0f, {}, {}, 3);
    Rng rng(8);
    for (Param* p : m.params())
        for (int64_t r = 0; r < p->rows; ++r)
            for (int k = 0; k < p->cols; ++k) p->row(r)[k] = rng.uniform(-1.0f, 1.0f);
    return m;
}
}  // namespace

TEST_CASE("top_k: best first, ties by lower index, exclusions skipped", "[recommend]") {
    const std::vector<float> s{0.5f, 2.0f, 1.0f, 2.0f, -1.0f, 3.0f};
    CHECK(items_of(top_k(s, 3, {})) == std::vector<int32_t>{5, 1, 3});
    CHECK(items_of(top_k(s, 3, {5, 1, 1, 99, -4})) == std::vector<int32_t>{3, 2, 0});
    CHECK(top_k(s, 3, {})[0].score == 3.0f);
    CHECK(top_k(s, 10, {0, 1, 2, 3}).size() == 2);
    CHECK(top_k(s, 0, {}).empty());
    CHECK(top_k({}, 5, {}).empty());
}

TEST_CASE("most_popular ranks by count as integers, excluding", "[recommend]") {
    const std::vector<int64_t> counts{5, 16777217, 16777216, 0, 5};  // 2^24 + 1 and 2^24 tie as floats
    CHECK(items_of(most_popular(counts, 5)) == std::vector<int32_t>{1, 2, 0, 4, 3});
    CHECK(items_of(most_popular(counts, 2, {1})) == std::vector<int32_t>{2, 0});
}

TEST_CASE("score_items and recommend_for_user agree with Model::predict", "[recommend]") {
    const Model m = small_model();
    const auto iv = m.item_vectors();
    for (int32_t u = 0; u < m.users(); ++u) {
        const auto uv = m.user_vector(u);
        const auto scores = score_items(m, uv.data(), u, iv);
        std::vector<float> expected;
        for (int32_t i = 0; i < m.items(); ++i) expected.push_back(m.predict(u, i));
        for (size_t i = 0; i < scores.size(); ++i) CHECK(scores[i] == Approx(expected[i]).epsilon(1e-6));

        std::vector<int32_t> order(size_t(m.items()));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return expected[a] > expected[b]; });
        const std::vector<int32_t> exclude{order[0], order[3]};
        const auto rec = recommend_for_user(m, u, 4, exclude);
        const std::vector<int32_t> want{order[1], order[2], order[4], order[5]};
        CHECK(items_of(rec) == want);
    }
    CHECK_THROWS_AS(recommend_for_user(m, 9, 3, {}), Error);
}

TEST_CASE("mean_predictions averages the prediction over every user", "[recommend]") {
    const Model m = small_model();
    const auto means = mean_predictions(m, {0, 13, 4});
    for (size_t k = 0; k < 3; ++k) {
        const int32_t item = std::vector<int32_t>{0, 13, 4}[k];
        double sum = 0;
        for (int32_t u = 0; u < m.users(); ++u) sum += m.predict(u, item);
        CHECK(means[k] == Approx(sum / double(m.users())).epsilon(1e-6));
    }
    CHECK_THROWS_AS(mean_predictions(m, {14}), Error);
}
