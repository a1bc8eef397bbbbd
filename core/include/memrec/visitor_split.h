// The "visitors" split (strong generalisation, the demo page's situation): a share of the users is held
// out whole and never trained on; each held-out user's ratings are split again into fold-in ratings (what
// the visitor tells the page) and targets (what the recommendations are judged against). Seeded through
// memrec/rng.h only, so a seed gives the same split on every platform and standard library.
#pragma once

#include <cstdint>
#include <vector>

#include "memrec/dataset.h"

namespace memrec {

struct VisitorSplit {
    std::vector<uint32_t> train;    // ratings of the training users (indices into the columns), file order
    std::vector<int32_t> visitors;  // held-out user indices, ascending
    // Per visitor (same order as `visitors`): rating indices of the fold-in and of the targets, file order.
    std::vector<std::vector<uint32_t>> foldin, targets;
};

// round(holdout_users x users) users held out (at least one when there are two or more users, never all);
// each one's round(foldin_fraction x ratings) ratings, chosen at random, are the fold-in.
VisitorSplit split_visitors(const Dataset& data, double holdout_users = 0.1, double foldin_fraction = 0.8,
                            uint64_t seed = 42);

// The training users' ratings as a dataset of their own: users re-indexed in order of first appearance
// (so a model trained on it has no row for a visitor), items, scale and titles unchanged (the item
// indices stay those of `data`, so the visitors' fold-in and targets apply to the model as they are).
Dataset training_users_data(const Dataset& data, const VisitorSplit& split);

}  // namespace memrec
