// Top-N evaluation: what a person is shown (the first 10 or 20 recommendations) judged against what they
// went on to rate highly. Two protocols build the per-user cases:
//  - visitors (memrec/visitor_split.h): each held-out user is folded in from their fold-in ratings
//    (FoldIn, the page's code); positives are their targets rated >= the threshold;
//  - ratings (memrec/split.h, the 85/15 split of the reference): each user's own trained vector;
//    positives are their eval ratings >= the threshold, their training items excluded.
// Items a user already rated (fold-in or training items) are never recommended. Results do not depend on
// the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "memrec/dataset.h"
#include "memrec/fold_in.h"
#include "memrec/recommend.h"
#include "memrec/split.h"
#include "memrec/visitor.h"
#include "memrec/visitor_split.h"

namespace memrec {

struct TopNMetrics {
    double recall20 = 0;   // mean of hits in the top 20 / min(20, positives)
    double ndcg100 = 0;    // mean NDCG of the top 100, binary relevance, ideal DCG over min(100, positives)
    double hr10 = 0;       // share of users with at least one positive in their top 10
    int64_t coverage10 = 0;               // distinct items over every evaluated user's top 10
    double popularity_percentile = 0;     // mean over recommended top-10 items (100 = most rated in training)
    int64_t users = 0;                    // users evaluated
    int64_t skipped = 0;                  // users with no positive target
};

// One user to rank for, in the model's item indices.
struct RankingCase {
    int32_t user = -1;                   // the model's user index (ratings protocol), -1 for a visitor
    std::vector<VisitorRating> known;    // fold-in ratings (visitors) or training ratings: never recommended
    std::vector<int32_t> positives;      // target items rated >= the threshold that the model knows
    int64_t unreachable = 0;             // positives the model does not know: count as misses
};

// `item_map` maps the data's item indices to the model's (-1: unknown to the model); empty: the same.
// Known ratings of unknown items are dropped. Users with no positive are included (the evaluation skips
// and counts them).
std::vector<RankingCase> visitor_cases(const Dataset& data, const VisitorSplit& split, float positive_threshold,
                                       const std::vector<int32_t>& item_map = {});
// `user_map` likewise for users; a user unknown to the model is left out.
std::vector<RankingCase> rating_cases(const Dataset& data, const Split& split, float positive_threshold,
                                      const std::vector<int32_t>& user_map = {},
                                      const std::vector<int32_t>& item_map = {});

// The k best items for one case, best first (excluding case.known). Called from several threads at once.
using Recommender = std::function<std::vector<ScoredItem>(const RankingCase&, int k)>;

// The metrics of `recommend` over `cases`; `item_counts` (training ratings per model item) ranks the
// popularity percentile. threads <= 1: serial.
TopNMetrics evaluate_topn(const std::vector<RankingCase>& cases, const Recommender& recommend,
                          const std::vector<int64_t>& item_counts, int threads = 1);

// Recommenders: the visitor fold-in, a trained user's own vector, and the most popular items.
Recommender fold_in_recommender(const FoldIn& fold_in);
Recommender user_recommender(const Model& model, const AlignedVector<float>& item_vectors);
Recommender popularity_recommender(const std::vector<int64_t>& item_counts);

}  // namespace memrec
