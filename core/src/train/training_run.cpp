#include "memrec/training_run.h"

#include "memrec/early_stopping.h"

namespace memrec {

namespace {

// The progress callback, noting whether it asked to stop (the trainer only says the epoch is incomplete).
ProgressFn watched(const ProgressFn& progress, bool& stopped) {
    if (!progress) return {};
    return [&progress, &stopped](const Progress& p) {
        const bool go_on = progress(p);
        if (!go_on) stopped = true;
        return go_on;
    };
}

TrainingOutcome train_with_early_stopping(Trainer& trainer, Model& model, const Dataset& data, const Split& split,
                                          uint64_t split_seed, const TrainingCallbacks& callbacks) {
    const TrainConfig& tc = trainer.config();
    const Split fit = carve_validation(split.train, tc.validation_fraction, split_seed);
    if (callbacks.on_validation_slice) callbacks.on_validation_slice(fit);
    bool stopped = false;
    const EarlyStoppingResult r =
        fit_early_stopping(trainer, model, data, fit.train, fit.eval, tc.early_stopping,
                           watched(callbacks.progress, stopped), [&](const EpochStats& e) {
                               if (callbacks.on_epoch && !callbacks.on_epoch(e)) stopped = true;
                               return !stopped;
                           });
    TrainingOutcome out;
    out.early_stopping = true;
    out.completed = !stopped;
    out.best_epoch = r.best_epoch;
    out.epochs_run = r.epochs_run;
    out.best_validation = r.best_validation;
    return out;
}

TrainingOutcome train_all_epochs(Trainer& trainer, const Dataset& data, const Split& split,
                                 const TrainingCallbacks& callbacks) {
    TrainingOutcome out;
    bool stopped = false;
    const ProgressFn progress = watched(callbacks.progress, stopped);
    while (static_cast<int>(trainer.history().size()) < trainer.config().epochs) {
        bool completed = true;
        const EpochStats e = trainer.train_epoch(data, split.train, split.eval, progress, &completed);
        if (!completed) break;
        ++out.epochs_run;
        if (callbacks.on_epoch && !callbacks.on_epoch(e)) {
            stopped = static_cast<int>(trainer.history().size()) < trainer.config().epochs;
            break;
        }
    }
    out.completed = !stopped;
    out.best_epoch = static_cast<int>(trainer.history().size());
    return out;
}

}  // namespace

TrainingOutcome run_training(Trainer& trainer, Model& model, const Dataset& data, const Split& split,
                             uint64_t split_seed, const TrainingCallbacks& callbacks) {
    if (trainer.config().early_stopping > 0)
        return train_with_early_stopping(trainer, model, data, split, split_seed, callbacks);
    return train_all_epochs(trainer, data, split, callbacks);
}

}  // namespace memrec
