// The front-ends' questions with their policy for unknown users (serve.h): a known user gets the model's
// own answer, an unknown one (-1) the popularity fallback, flagged as such.
#include <catch2/catch.hpp>

#include "memrec/error.h"
#include "memrec/serve.h"

using namespace memrec;

namespace {
Model random_model() {
    ModelConfig c;
    c.user.dim = c.item.dim = 4;
    c.user_bias = c.item_bias = true;
    Model m(c, 6, 10, 5.0f, {}, {}, 2);
    Rng rng(4);
    for (Param* p : m.params())
        for (int64_t r = 0; r < p->rows; ++r)
            for (int k = 0; k < p->cols; ++k) p->row(r)[k] = rng.uniform(-1.0f, 1.0f);
    return m;
}
}  // namespace

TEST_CASE("predict_rating: the model's prediction, or the item's mean over known users", "[serve]") {
    const Model m = random_model();
    const RatingAnswer known = predict_rating(m, 2, 7);
    CHECK_FALSE(known.fallback);
    CHECK(known.rating == m.predict(2, 7));
    const RatingAnswer unknown = predict_rating(m, -1, 7);
    CHECK(unknown.fallback);
    double sum = 0;
    for (int32_t u = 0; u < m.users(); ++u) sum += m.predict(u, 7);
    CHECK(unknown.rating == Approx(sum / double(m.users())).epsilon(1e-6));
    CHECK_THROWS_AS(predict_rating(m, 0, 10), Error);
    CHECK_THROWS_AS(predict_rating(m, 6, 0), Error);
}

TEST_CASE("recommend: top k by prediction, or the most-rated items for an unknown user", "[serve]") {
    const Model m = random_model();
    const std::vector<int32_t> exclude{3, 5};
    const RecommendAnswer known = recommend(m, {}, 1, 4, exclude);
    CHECK_FALSE(known.fallback);
    REQUIRE(known.items.size() == 4);
    for (const ScoredItem& s : known.items) {
        CHECK(s.item != 3);
        CHECK(s.item != 5);
        CHECK(s.score == Approx(m.predict(1, s.item)).epsilon(1e-6));
    }
    for (size_t i = 1; i < known.items.size(); ++i) CHECK(known.items[i - 1].score >= known.items[i].score);
    const auto vectors = m.item_vectors();
    const RecommendAnswer cached = recommend(m, {}, 1, 4, exclude, &vectors);
    for (size_t i = 0; i < 4; ++i) CHECK(cached.items[i].item == known.items[i].item);

    const std::vector<int64_t> counts{5, 9, 1, 40, 7, 30, 0, 2, 8, 3};
    const RecommendAnswer unknown = recommend(m, counts, -1, 3, exclude);
    CHECK(unknown.fallback);
    REQUIRE(unknown.items.size() == 3);
    CHECK(unknown.items[0].item == 1);  // 3 and 5 are excluded
    CHECK(unknown.items[0].score == 9.0f);
    CHECK(unknown.items[1].item == 8);
    CHECK(unknown.items[2].item == 4);
    CHECK(recommend(m, {}, -1, 3, {}).items.empty());
}
