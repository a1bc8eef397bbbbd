// Bayesian personalised ranking (Rendle, Freudenthaler, Gantner and Schmidt-Thieme 2009) trained with the
// model's own tables and Adam: for a positive (user u, item i: rated at least the model's positive
// threshold, as implicit ALS reads ratings) and a sampled negative j (an item u has no positive for),
// the loss is -log sigmoid(<x_u, y_i> - <x_u, y_j>). Every vector comes from EmbeddingTable::lookup and its
// gradient goes back through EmbeddingTable::backward, so full, quotient-remainder, mixed-dimension and
// hashed item tables train unchanged; the parameters step with memrec's Adam (adam.h), any mode.
//
// Negatives are drawn with probability proportional to (the item's training positives + 1)^power
// (TrainConfig::negative_power; 0 is uniform), TrainConfig::bpr_negatives of them per positive, each pair
// weighted 1 / negatives. The user table only serves training: BPR models store the item side, and a
// visitor (held-out users too) is folded in by the implicit-ALS solve on the trained item vectors with the
// model's alpha and lambda (fold_in.h), on the command line as in the browser.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "memrec/dataset.h"
#include "memrec/model.h"
#include "memrec/trainer.h"

namespace memrec {

// Called after each epoch with its stats (train_loss: the mean BPR loss of the epoch's pairs); return
// false to stop after it.
using BprEpochFn = std::function<bool(const EpochStats&)>;

// The BPR loss of one pair and its derivative in the score difference d = <x_u, y_i> - <x_u, y_j>:
// loss = log(1 + exp(-d)), d loss / d d = -sigmoid(-d). Stable for large |d|.
double bpr_pair_loss(double d);
double bpr_pair_slope(double d);

// Scratch of bpr_batch_gradients, reused across batches.
struct BprBuffers {
    AlignedVector<float> user_vec, user_grad, item_vec, item_grad;
};

// The forward and backward pass of one batch: users[b] with positive items[b] and negatives
// items[n + b * negatives + s] (s < negatives), all through the model's tables. Adds to `grads` (one per
// Model::params(), sized) the gradient of the batch's summed loss (each pair's weighted 1 / negatives) and
// returns that loss. The tables' rows must be up to date (Adam's dense mode: prepared).
double bpr_batch_gradients(const Model& model, const int32_t* users, int64_t n, const int32_t* items, int negatives,
                           std::vector<ParamGrad>& grads, BprBuffers& buf);

// Runs config.epochs epochs of BPR on `model` (Objective::Bpr, built with data's users and items) over
// the ratings `indices` of `data`; batches of config.batch_size positives in a seeded shuffled order
// (config.seed and the epoch), config.adam for the steps. Users without positives are never looked up.
// Returns one EpochStats per epoch run (eval left empty). `stop`, when set, is polled within each epoch
// (every few thousand positives): true ends the run there, mid-epoch, with the epochs completed so far
// (the model then holds the partial epoch's steps). Throws ConfigError for a model or config it cannot
// train and when the ratings hold no positive.
std::vector<EpochStats> train_bpr(Model& model, const Dataset& data, const std::vector<uint32_t>& indices,
                                  const TrainConfig& config, const BprEpochFn& on_epoch = {},
                                  const std::function<bool()>& stop = {});

// The batch train_bpr steps with: config.batch_size positives, capped at the positives among `indices`
// (an epoch is never less than one batch).
int64_t bpr_batch_size(const Dataset& data, const std::vector<uint32_t>& indices, const ImplicitConfig& feedback,
                       const TrainConfig& config);

// The training positives per item (ratings of `indices` the model counts as positives): what the negative
// sampler's popularity is.
std::vector<int64_t> positive_counts(const Dataset& data, const std::vector<uint32_t>& indices,
                                     const ImplicitConfig& feedback);

}  // namespace memrec
