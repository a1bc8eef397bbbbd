// Implicit ALS (Hu, Koren and Volinsky 2008): alternating least squares on implicit feedback derived from
// ratings. Each iteration solves every user row with the items fixed, then every item row with the users
// fixed; each row is one small linear system (implicit_fit.h), solved by Cholesky, rows in parallel with
// OpenMP. A row's solve reads only the other side, so the result is the same whatever the thread count.
//
// The factors live in an ordinary Model with full tables and Objective::Implicit: export, quantisation,
// inspect and the wasm module use it like any other model.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "memrec/dataset.h"
#include "memrec/model.h"
#include "memrec/trainer.h"

namespace memrec {

struct AlsConfig {
    int factors = 64;
    // alpha, lambda and which ratings are positives. Confidence is 1 + alpha * signal with signal 1 for a
    // positive (binary, not the rating's size: a rating says what was watched and liked, not how much
    // more; the prototype's 0.40 Recall@20 on ml-1m used this), preference 1 for a positive.
    ImplicitConfig feedback;
    int iterations = 10;
    uint64_t seed = 42;  // the initial factors
    int threads = 1;

    void validate() const;  // throws ConfigError
};

// The ALS settings a model config (Objective::Implicit: dim, alpha, lambda, positives) and a training
// config (epochs as iterations, seed, threads) describe: how model files and the command line record them.
AlsConfig als_config(const ModelConfig& model, const TrainConfig& train);

// The model ALS starts from: full tables of config.factors, Objective::Implicit with config.feedback,
// initialised from config.seed. `scale` is the data's rating scale, kept for what files record.
Model als_model(const AlsConfig& config, int64_t users, int64_t items, float scale);

// Called after each iteration with its stats (train_loss: the weighted squared error plus the L2 terms,
// per positive); return false to stop after it.
using AlsIterationFn = std::function<bool(const EpochStats&)>;

// Runs config.iterations ALS iterations on `model` (from als_model, with data's users and items) over the
// ratings `indices` of `data`; the others (held-out users among them) see no data: their rows solve to 0.
// Returns one EpochStats per iteration run (eval left empty). `stop`, when set, is polled by the calling
// thread while it solves rows (every few hundred of them, inside the parallel region: it must not throw):
// true ends the run there, mid-iteration, with the iterations completed so far (the model then holds a
// partial iteration).
std::vector<EpochStats> train_als(Model& model, const Dataset& data, const std::vector<uint32_t>& indices,
                                  const AlsConfig& config, const AlsIterationFn& on_iteration = {},
                                  const std::function<bool()>& stop = {});

}  // namespace memrec
