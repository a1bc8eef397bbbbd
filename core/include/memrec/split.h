// The train/eval split of the reference: each rating independently goes to train with probability
// `train_fraction`, decided by a seeded generator, so a (seed, fraction) pair gives the same split on
// every machine and in the browser.
#pragma once

#include <cstdint>
#include <vector>

#include "memrec/dataset.h"

namespace memrec {

struct Split {
    std::vector<uint32_t> train;  // indices into the dataset's columns, in file order
    std::vector<uint32_t> eval;
};

// Throws ConfigError when either side would be empty (a fraction too close to 0 or 1 for the data's size).
Split split_dataset(const Dataset& data, double train_fraction = 0.85, uint64_t seed = 42);

// Carves a validation slice off a training split (for early stopping and tuning: the eval split is never
// used for choices). Each training rating goes to validation with probability `fraction`.
Split carve_validation(const std::vector<uint32_t>& train, double fraction, uint64_t seed);

// Ratings per user and per item counted over `indices` only.
std::vector<int64_t> count_items(const Dataset& data, const std::vector<uint32_t>& indices);
std::vector<int64_t> count_users(const Dataset& data, const std::vector<uint32_t>& indices);

}  // namespace memrec
