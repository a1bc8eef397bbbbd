#include "memrec/training_run.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "memrec/early_stopping.h"

namespace memrec {

namespace {

// The first parameter holding a value that is not finite ("" if none).
std::string non_finite_param(const Model& model) {
    for (const Param* p : model.params())
        for (int64_t r = 0; r < p->rows; ++r) {
            const float* row = p->row(r);
            for (int c = 0; c < p->cols; ++c)
                if (!std::isfinite(row[c])) return p->name;
        }
    return {};
}

// Throws TrainingDiverged when epoch `e` ended with a non-finite loss or parameter: a model that goes on
// from there only predicts NaN, so the run stops before the epoch is reported, checkpointed or saved.
void check_diverged(const EpochStats& e, const Model& model, const TrainConfig& tc) {
    std::string what;
    if (!std::isfinite(e.train_loss) || !std::isfinite(e.train_mae)) {
        what = "the training loss is not finite";
    } else {
        const std::string param = non_finite_param(model);
        if (param.empty()) return;
        what = param + " holds a value that is not finite";
    }
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", tc.adam.learning_rate);
    std::string hint = std::string("; try a lower learning rate than ") + rate;
    if (tc.adam.l2 > 0 || tc.adam.l2_user > 0 || tc.adam.l2_item > 0 || tc.adam.l2_bias > 0)
        hint += " or a smaller L2 penalty";
    throw TrainingDiverged(e.epoch, "training diverged in epoch " + std::to_string(e.epoch) + " of " +
                                        std::to_string(tc.epochs) + ": " + what + hint);
}

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
                               check_diverged(e, model, tc);
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

TrainingOutcome train_all_epochs(Trainer& trainer, const Model& model, const Dataset& data, const Split& split,
                                 const TrainingCallbacks& callbacks) {
    TrainingOutcome out;
    bool stopped = false;
    const ProgressFn progress = watched(callbacks.progress, stopped);
    while (static_cast<int>(trainer.history().size()) < trainer.config().epochs) {
        bool completed = true;
        const EpochStats e = trainer.train_epoch(data, split.train, split.eval, progress, &completed);
        if (!completed) break;
        check_diverged(e, model, trainer.config());
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

// This machine's physical memory in bytes (2 GiB where it cannot be asked: a wasm module's ceiling).
int64_t physical_memory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return int64_t(1) << 31;
    return static_cast<int64_t>(pages) * static_cast<int64_t>(page);
}

std::string gigabytes(int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GB", double(bytes) / 1e9);
    return buf;
}

}  // namespace

int64_t batch_buffer_bytes(const Model& model, int64_t batch, int64_t train_size) {
    const int64_t b = std::max<int64_t>(1, std::min(batch, train_size));
    const int64_t stride = model.user_table().stride();
    // Two BatchBuffers (vectors and gradients of both sides, dz, two bias columns) and the batch's ids,
    // ratings and dz of the training threads.
    return b * (2 * (4 * stride + 3) * int64_t(sizeof(float)) + 2 * 4 * int64_t(sizeof(float)));
}

std::string batch_memory_problem(const Model& model, int64_t batch, int64_t train_size, int64_t available) {
    const int64_t need = batch_buffer_bytes(model, batch, train_size);
    if (need <= available) return {};
    return "a batch of " + std::to_string(std::min(batch, train_size)) + " ratings at dim " +
           std::to_string(model.dim()) + " needs " + gigabytes(need) + " for its buffers, more than the " +
           gigabytes(available) + " of memory here; use a smaller batch size";
}

TrainingOutcome run_training(Trainer& trainer, Model& model, const Dataset& data, const Split& split,
                             uint64_t split_seed, const TrainingCallbacks& callbacks) {
    const std::string memory = batch_memory_problem(model, trainer.config().batch_size,
                                                    static_cast<int64_t>(split.train.size()), physical_memory());
    if (!memory.empty()) throw ConfigError(memory);
    if (trainer.config().early_stopping > 0)
        return train_with_early_stopping(trainer, model, data, split, split_seed, callbacks);
    return train_all_epochs(trainer, model, data, split, callbacks);
}

}  // namespace memrec
