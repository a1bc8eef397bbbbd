// Early stopping on a validation slice carved from the training split (split.h's carve_validation): the
// epoch count is chosen on data the model does not train on and that is not the eval split, so eval figures
// stay honest. After each epoch the model is evaluated on the validation slice; the parameters of the best
// epoch are kept and restored at the end; training stops after `patience` epochs without improvement.
#pragma once

#include <functional>
#include <vector>

#include "memrec/model.h"
#include "memrec/trainer.h"

namespace memrec {

struct EarlyStoppingResult {
    int best_epoch = 0;             // 1-based epoch whose parameters the model holds at the end
    int epochs_run = 0;
    Metrics best_validation;        // validation metrics of that epoch
    std::vector<Metrics> validation;  // per epoch run
};

// A copy of every parameter of a model, to restore the best epoch.
struct ParamSnapshot {
    std::vector<AlignedVector<float>> data;
    void save(const Model& model);
    void restore(Model& model) const;
};

// Trains at most trainer.config().epochs epochs (continuing from its history) on `train`, evaluating on
// `validation` after each (the history's eval metrics are then validation metrics). `patience` 0 runs every
// epoch and still restores the best. `on_epoch` (optional) sees each epoch's stats as it ends and returns false
// to stop there. Returns early when a callback asks to stop (the model then keeps the best completed epoch,
// if any).
EarlyStoppingResult fit_early_stopping(Trainer& trainer, Model& model, const Dataset& data,
                                       const std::vector<uint32_t>& train, const std::vector<uint32_t>& validation,
                                       int patience, const ProgressFn& progress = {},
                                       const std::function<bool(const EpochStats&)>& on_epoch = {});

}  // namespace memrec
