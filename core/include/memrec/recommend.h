// Questions a trained model answers, shared by the command line and the browser: the predicted rating of
// every item for a user, the top k of those excluding items the user already rated, and the popularity
// fallback for users the model has never seen. Plain data in and out; nothing here prints.
#pragma once

#include <cstdint>
#include <vector>

#include "memrec/model.h"

namespace memrec {

struct ScoredItem {
    int32_t item = 0;   // dense item index
    float score = 0;    // predicted rating, or for most_popular() the training count
};

// Predicted rating of every item for the user vector `user_vec` (model.dim() floats, e.g. from
// Model::user_vector or fitted in the browser). `user` indexes the per-user bias (-1: none, as for a new
// user). `item_vectors` is Model::item_vectors(), computed once for many users.
std::vector<float> score_items(const Model& model, const float* user_vec, int32_t user,
                               const AlignedVector<float>& item_vectors);

// The k best entries of `scores` (best first, ties by lower index), skipping the indices in `exclude`
// (any order, duplicates and out-of-range entries ignored). Fewer than k when fewer remain.
std::vector<ScoredItem> top_k(const std::vector<float>& scores, int k, const std::vector<int32_t>& exclude);

// top_k over score_items for a user the model knows.
std::vector<ScoredItem> recommend_for_user(const Model& model, int32_t user, int k,
                                           const std::vector<int32_t>& exclude);

// The fallback for an unknown user: the k items with most training ratings, score = that count.
std::vector<ScoredItem> most_popular(const std::vector<int64_t>& item_counts, int k,
                                     const std::vector<int32_t>& exclude = {});

// For each of `items`, its mean predicted rating over every user the model knows: what the model expects
// an arbitrary user to give it, the prediction for an unknown user.
std::vector<float> mean_predictions(const Model& model, const std::vector<int32_t>& items);

}  // namespace memrec
