// One training run as every front-end runs it. Without early stopping: the configured epochs (continuing
// from the trainer's history) on split.train, split.eval measured after each. With early stopping
// (TrainConfig::early_stopping > 0): a validation slice of TrainConfig::validation_fraction is carved off
// split.train (seeded by the split seed, so a run reproduces), the epochs train on the rest, and the model
// ends with the parameters of its best validation epoch (early_stopping.h); split.eval is never used for
// that choice. The run reports through callbacks and never prints: the command line draws a bar and
// writes checkpoints from them, the browser would update a progress element.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "memrec/dataset.h"
#include "memrec/error.h"
#include "memrec/model.h"
#include "memrec/split.h"
#include "memrec/trainer.h"

namespace memrec {

// Every member is optional.
struct TrainingCallbacks {
    // Early stopping only, before the first epoch: the slice carved (fit.train trains, fit.eval validates).
    std::function<void(const Split& fit)> on_validation_slice;
    // Within an epoch, every few thousand ratings; false stops the run after the current batch (that epoch
    // is then incomplete and not in the history).
    ProgressFn progress;
    // After each completed epoch (with early stopping its eval metrics are validation metrics); false stops
    // the run before the next epoch.
    std::function<bool(const EpochStats&)> on_epoch;
};

struct TrainingOutcome {
    bool early_stopping = false;
    bool completed = true;    // false: a callback stopped the run before it was done
    int best_epoch = 0;       // the epoch whose parameters the model holds (0: none completed)
    int epochs_run = 0;       // epochs completed by this call
    Metrics best_validation;  // early stopping: the kept epoch's validation metrics
};

// Training that diverged: an epoch ended with a non-finite training loss or parameter. The run stops
// there (the epoch is neither reported through on_epoch nor in the outcome); what() names the epoch and
// suggests a lower learning rate. The model then holds non-finite values: do not save it.
class TrainingDiverged : public Error {
public:
    TrainingDiverged(int epoch, const std::string& message) : Error(message), epoch_(epoch) {}
    int epoch() const { return epoch_; }

private:
    int epoch_;
};

// The bytes the trainer's batch buffers take for `batch` ratings at the model's dim; a batch is capped at
// the training set's size (a larger one is the whole epoch in one step).
int64_t batch_buffer_bytes(const Model& model, int64_t batch, int64_t train_size);
// Why those buffers cannot be allocated within `available` bytes ("" when they can): the amount needed.
std::string batch_memory_problem(const Model& model, int64_t batch, int64_t train_size, int64_t available);

// Trains `model` through `trainer` (built on it with the run's TrainConfig) as described above. Throws
// ConfigError before training when the batch buffers would not fit in this machine's memory, and
// TrainingDiverged when an epoch ends with non-finite values.
TrainingOutcome run_training(Trainer& trainer, Model& model, const Dataset& data, const Split& split,
                             uint64_t split_seed, const TrainingCallbacks& callbacks = {});

}  // namespace memrec
