// Top-N metrics against figures worked out by hand on a catalogue of 25 items, the cases built from a
// small dataset, and the fold-in entry point against the visitor functions it wraps.
#include <catch2/catch.hpp>
#include <cmath>

#include "memrec/topn.h"

using namespace memrec;

namespace {

constexpr int kItems = 25;

// Item i has 25 - i training ratings: item 0 is the most popular, and its popularity percentile is
// 100 x (items with at most its count) / 25 = 4 (25 - i).
std::vector<int64_t> descending_counts() {
    std::vector<int64_t> c(kItems);
    for (int i = 0; i < kItems; ++i) c[size_t(i)] = kItems - i;
    return c;
}

// Ranks items by index (lower first), skipping the known ones.
std::vector<ScoredItem> by_index(const RankingCase& c, int k) {
    std::vector<float> scores(kItems);
    for (int i = 0; i < kItems; ++i) scores[size_t(i)] = -float(i);
    std::vector<int32_t> known;
    for (const auto& r : c.known) known.push_back(r.item);
    return top_k(scores, k, known);
}

std::vector<RankingCase> hand_cases() {
    RankingCase a;  // list 1, 2, ..., 24: item 2 at rank 2, item 21 at rank 21 (outside the top 20)
    a.known = {{0, 5.0f}};
    a.positives = {2, 21};
    RankingCase b;  // list 0, 1, ..., 24: item 24 at rank 25; one more positive the model does not know
    b.positives = {24};
    b.unreachable = 1;
    RankingCase c;  // no positive: skipped
    c.known = {{3, 4.0f}};
    return {a, b, c};
}

Dataset tiny_data() {
    // users u0..u2, items i0..i3; ratings in file order
    Dataset d;
    const char* rows[][3] = {{"u0", "i0", "5"}, {"u0", "i1", "3"}, {"u1", "i2", "4"}, {"u0", "i2", "4"},
                             {"u1", "i3", "2"}, {"u2", "i0", "1"}, {"u1", "i0", "5"}};
    for (auto& r : rows) {
        d.user.push_back(d.users.add(r[0]));
        d.item.push_back(d.items.add(r[1]));
        d.rating.push_back(std::stof(r[2]));
    }
    return d;
}

}  // namespace

TEST_CASE("top-N metrics match hand-computed values", "[topn]") {
    const TopNMetrics m = evaluate_topn(hand_cases(), by_index, descending_counts());
    CHECK(m.users == 2);
    CHECK(m.skipped == 1);
    // a: 1 hit in the top 20 of min(20, 2) positives; b: none of 2.
    CHECK(m.recall20 == Approx(0.25));
    // a: DCG 1/log2(3) + 1/log2(22), ideal 1 + 1/log2(3); b: DCG 1/log2(26) over the same ideal.
    const double ideal = 1 + 1 / std::log2(3.0);
    const double ndcg_a = (1 / std::log2(3.0) + 1 / std::log2(22.0)) / ideal;
    const double ndcg_b = (1 / std::log2(26.0)) / ideal;
    CHECK(m.ndcg100 == Approx((ndcg_a + ndcg_b) / 2));
    CHECK(m.hr10 == Approx(0.5));
    // Top 10s: items 1..10 and 0..9, so 11 distinct items.
    CHECK(m.coverage10 == 11);
    // Percentiles 4 (25 - i): sum over 1..10 is 780, over 0..9 is 820; mean over 20 entries 80.
    CHECK(m.popularity_percentile == Approx(80.0));
}

TEST_CASE("top-N metrics do not depend on the number of threads", "[topn]") {
    std::vector<RankingCase> cases;
    for (int r = 0; r < 50; ++r)
        for (const RankingCase& c : hand_cases()) cases.push_back(c);
    const TopNMetrics one = evaluate_topn(cases, by_index, descending_counts(), 1);
    const TopNMetrics two = evaluate_topn(cases, by_index, descending_counts(), 2);
    CHECK(one.users == 100);
    CHECK(one.recall20 == two.recall20);
    CHECK(one.ndcg100 == two.ndcg100);
    CHECK(one.popularity_percentile == two.popularity_percentile);
}

TEST_CASE("popularity recommends the most rated items the user has not rated", "[topn]") {
    const std::vector<int64_t> counts = descending_counts();
    const TopNMetrics m = evaluate_topn(hand_cases(), popularity_recommender(counts), counts);
    // The popularity order is the index order here, so the figures are the hand-computed ones.
    CHECK(m.recall20 == Approx(0.25));
    CHECK(m.coverage10 == 11);
    RankingCase c;
    c.known = {{0, 5.0f}, {2, 1.0f}};
    const auto top = popularity_recommender(counts)(c, 3);
    REQUIRE(top.size() == 3);
    CHECK(top[0].item == 1);
    CHECK(top[1].item == 3);
    CHECK(top[2].item == 4);
}

TEST_CASE("rating cases: training items known, eval ratings >= threshold positive", "[topn]") {
    const Dataset d = tiny_data();
    Split s;
    s.train = {0, 2, 4, 5};
    s.eval = {1, 3, 6};
    const auto cases = rating_cases(d, s, 4.0f);
    REQUIRE(cases.size() == 3);
    CHECK(cases[0].user == 0);
    REQUIRE(cases[0].known.size() == 1);
    CHECK(cases[0].known[0].item == 0);
    CHECK(cases[0].positives == std::vector<int32_t>{2});  // i1 rated 3 is below the threshold
    CHECK(cases[1].positives == std::vector<int32_t>{0});
    CHECK(cases[1].known.size() == 2);
    CHECK(cases[2].positives.empty());
    // Item i2 unknown to the model, user u1 too.
    const auto mapped = rating_cases(d, s, 4.0f, {0, -1, 1}, {0, 1, -1, 2});
    REQUIRE(mapped.size() == 2);
    CHECK(mapped[0].positives.empty());
    CHECK(mapped[0].unreachable == 1);
    CHECK(mapped[1].user == 1);
}

TEST_CASE("visitor cases: fold-in known, targets >= threshold positive", "[topn]") {
    const Dataset d = tiny_data();
    VisitorSplit s;
    s.visitors = {0, 1};
    s.foldin = {{0, 3}, {4}};
    s.targets = {{1}, {2, 6}};
    const auto cases = visitor_cases(d, s, 4.0f, {3, 2, 1, 0});
    REQUIRE(cases.size() == 2);
    CHECK(cases[0].user == -1);
    REQUIRE(cases[0].known.size() == 2);
    CHECK(cases[0].known[0].item == 3);
    CHECK(cases[0].known[1].item == 1);
    CHECK(cases[0].positives.empty());
    CHECK(cases[1].positives == std::vector<int32_t>{1, 3});
}

TEST_CASE("fold-in scores are the visitor fit's scores and never recommend fold-in items", "[topn]") {
    ModelConfig c;
    c.user.dim = c.item.dim = 4;
    Model model(c, 30, kItems, 5.0f, std::vector<int64_t>(kItems, 1), std::vector<int64_t>(30, 1), 7);
    Rng rng(3);
    for (Param* p : model.params())
        for (int64_t r = 0; r < p->rows; ++r)
            for (int k = 0; k < p->cols; ++k) p->row(r)[k] = rng.uniform(-0.8f, 0.8f);
    const FoldIn fold_in(model);
    const std::vector<VisitorRating> ratings = {{1, 5.0f}, {4, 1.0f}, {7, 4.0f}};
    const AlignedVector<float> items = model.item_vectors();
    const VisitorProfile p = fit_visitor(model, items, ratings, user_prior(model));
    std::vector<float> expected(kItems);
    score_visitor(model, items, p, expected.data());
    CHECK(fold_in.scores(ratings) == expected);

    RankingCase rc;
    rc.known = ratings;
    const auto top = fold_in_recommender(fold_in)(rc, kItems);
    CHECK(top.size() == size_t(kItems - 3));
    for (const auto& s : top) CHECK((s.item != 1 && s.item != 4 && s.item != 7));
}
