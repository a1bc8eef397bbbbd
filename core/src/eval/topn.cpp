// Top-N metrics. Each case is ranked independently (in parallel when asked) into its own slot, and the
// slots are summed in case order afterwards, so the figures are the same for any number of threads.
#include <algorithm>
#include <cmath>
#include <exception>
#include <unordered_set>

#include "memrec/error.h"
#include "memrec/topn.h"

namespace memrec {

namespace {

constexpr int kRecall = 20, kNdcg = 100, kHit = 10;

int32_t mapped(const std::vector<int32_t>& map, int32_t i) { return map.empty() ? i : map[size_t(i)]; }

// Adds one rating to a case: known, or a target that is a positive when rated >= the threshold.
void add_known(RankingCase& c, const Dataset& data, uint32_t k, const std::vector<int32_t>& item_map) {
    const int32_t item = mapped(item_map, data.item[k]);
    if (item >= 0) c.known.push_back({item, data.rating[k]});
}
void add_target(RankingCase& c, const Dataset& data, uint32_t k, float threshold, const std::vector<int32_t>& item_map) {
    if (data.rating[k] < threshold) return;
    const int32_t item = mapped(item_map, data.item[k]);
    if (item >= 0) c.positives.push_back(item);
    else ++c.unreachable;
}

// One user's figures, summed over users afterwards.
struct CaseResult {
    bool evaluated = false;
    double recall = 0, ndcg = 0, hit = 0;
    std::vector<int32_t> top10;
};

CaseResult score_case(const RankingCase& c, const Recommender& recommend) {
    CaseResult r;
    const int64_t positives = int64_t(c.positives.size()) + c.unreachable;
    if (positives == 0) return r;
    r.evaluated = true;
    const std::unordered_set<int32_t> relevant(c.positives.begin(), c.positives.end());
    const std::vector<ScoredItem> top = recommend(c, kNdcg);
    double dcg = 0;
    int hits20 = 0;
    for (size_t rank = 0; rank < top.size(); ++rank) {
        if (rank < size_t(kHit)) r.top10.push_back(top[rank].item);
        if (!relevant.count(top[rank].item)) continue;
        dcg += 1.0 / std::log2(double(rank) + 2.0);
        if (rank < size_t(kRecall)) ++hits20;
        if (rank < size_t(kHit)) r.hit = 1;
    }
    double ideal = 0;
    for (int64_t rank = 0; rank < std::min<int64_t>(kNdcg, positives); ++rank) ideal += 1.0 / std::log2(double(rank) + 2.0);
    r.ndcg = dcg / ideal;
    r.recall = double(hits20) / double(std::min<int64_t>(kRecall, positives));
    return r;
}

// Percentile of each item's training count among all items': 100 x (items with count <= its) / items.
std::vector<double> popularity_percentiles(const std::vector<int64_t>& counts) {
    std::vector<int64_t> sorted = counts;
    std::sort(sorted.begin(), sorted.end());
    std::vector<double> out(counts.size());
    for (size_t i = 0; i < counts.size(); ++i) {
        const auto at_most = std::upper_bound(sorted.begin(), sorted.end(), counts[i]) - sorted.begin();
        out[i] = 100.0 * double(at_most) / double(counts.size());
    }
    return out;
}

std::vector<int32_t> known_items(const RankingCase& c) {
    std::vector<int32_t> out;
    out.reserve(c.known.size());
    for (const VisitorRating& r : c.known) out.push_back(r.item);
    return out;
}

}  // namespace

std::vector<RankingCase> visitor_cases(const Dataset& data, const VisitorSplit& split, float positive_threshold,
                                       const std::vector<int32_t>& item_map) {
    std::vector<RankingCase> cases(split.visitors.size());
    for (size_t v = 0; v < split.visitors.size(); ++v) {
        for (uint32_t k : split.foldin[v]) add_known(cases[v], data, k, item_map);
        for (uint32_t k : split.targets[v]) add_target(cases[v], data, k, positive_threshold, item_map);
    }
    return cases;
}

std::vector<RankingCase> rating_cases(const Dataset& data, const Split& split, float positive_threshold,
                                      const std::vector<int32_t>& user_map, const std::vector<int32_t>& item_map) {
    std::vector<RankingCase> by_user(static_cast<size_t>(data.users.size()));
    for (size_t u = 0; u < by_user.size(); ++u) by_user[u].user = mapped(user_map, static_cast<int32_t>(u));
    for (uint32_t k : split.train) add_known(by_user[size_t(data.user[k])], data, k, item_map);
    for (uint32_t k : split.eval) add_target(by_user[size_t(data.user[k])], data, k, positive_threshold, item_map);
    std::vector<RankingCase> cases;
    for (RankingCase& c : by_user)
        if (c.user >= 0) cases.push_back(std::move(c));
    return cases;
}

TopNMetrics evaluate_topn(const std::vector<RankingCase>& cases, const Recommender& recommend,
                          const std::vector<int64_t>& item_counts, int threads) {
    std::vector<CaseResult> results(cases.size());
    std::exception_ptr failure;
    const int64_t n = static_cast<int64_t>(cases.size());
#if defined(MEMREC_OPENMP)
#pragma omp parallel for schedule(dynamic, 8) num_threads(std::max(1, threads))
#endif
    for (int64_t i = 0; i < n; ++i) {
        try {
            results[size_t(i)] = score_case(cases[size_t(i)], recommend);
        } catch (...) {
#if defined(MEMREC_OPENMP)
#pragma omp critical(memrec_topn_failure)
#endif
            if (!failure) failure = std::current_exception();
        }
    }
    (void)threads;
    if (failure) std::rethrow_exception(failure);

    const std::vector<double> percentile = popularity_percentiles(item_counts);
    TopNMetrics m;
    std::vector<uint8_t> shown(item_counts.size(), 0);
    double popularity = 0;
    int64_t recommended = 0;
    for (const CaseResult& r : results) {
        if (!r.evaluated) {
            ++m.skipped;
            continue;
        }
        ++m.users;
        m.recall20 += r.recall;
        m.ndcg100 += r.ndcg;
        m.hr10 += r.hit;
        for (int32_t item : r.top10) {
            if (size_t(item) >= item_counts.size())
                throw Error("top-N: item " + std::to_string(item) + " has no training count");
            m.coverage10 += !shown[size_t(item)];
            shown[size_t(item)] = 1;
            popularity += percentile[size_t(item)];
            ++recommended;
        }
    }
    if (m.users > 0) {
        m.recall20 /= double(m.users);
        m.ndcg100 /= double(m.users);
        m.hr10 /= double(m.users);
    }
    if (recommended > 0) m.popularity_percentile = popularity / double(recommended);
    return m;
}

Recommender fold_in_recommender(const FoldIn& fold_in) {
    return [&fold_in](const RankingCase& c, int k) { return top_k(fold_in.scores(c.known), k, known_items(c)); };
}

Recommender user_recommender(const Model& model, const AlignedVector<float>& item_vectors) {
    return [&model, &item_vectors](const RankingCase& c, int k) {
        const AlignedVector<float> u = model.user_vector(c.user);
        return top_k(score_items(model, u.data(), c.user, item_vectors), k, known_items(c));
    };
}

Recommender popularity_recommender(const std::vector<int64_t>& item_counts) {
    return [&item_counts](const RankingCase& c, int k) { return most_popular(item_counts, k, known_items(c)); };
}

}  // namespace memrec
