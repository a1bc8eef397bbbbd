// The two questions every front-end asks a trained model about one user, with one policy for a user the
// model has never seen (the command line's predict and recommend and the browser's bindings all call
// these): a predicted rating, and a top-k list. An unknown user gets the popularity fallback: for a rating,
// the item's mean predicted rating over every user the model knows; for a list, the items with most
// training ratings. The answer says when it is the fallback, so the front-end can say so too.
#pragma once

#include <cstdint>
#include <vector>

#include "memrec/model.h"
#include "memrec/recommend.h"

namespace memrec {

struct RatingAnswer {
    float rating = 0;
    bool fallback = false;  // the user is unknown: the item's mean prediction over the known users
};

// `user` is a dense user index, -1 for a user the model has never seen; `item` a dense item index.
RatingAnswer predict_rating(const Model& model, int32_t user, int32_t item);

struct RecommendAnswer {
    std::vector<ScoredItem> items;  // best first
    bool fallback = false;          // the user is unknown: most_popular(), score = training count
};

// The k best items for `user` (-1: unknown) by predicted rating, leaving out `exclude` (dense item indices);
// for an unknown user the k most-rated in `item_counts` (none when the model has no counts).
// `item_vectors` is Model::item_vectors() when the caller keeps it across calls (nullptr: computed here).
RecommendAnswer recommend(const Model& model, const std::vector<int64_t>& item_counts, int32_t user, int k,
                          const std::vector<int32_t>& exclude, const AlignedVector<float>* item_vectors = nullptr);

}  // namespace memrec
