#include "train_early_stopping.h"

#include <cstdio>

namespace memrec::cli {

EarlyStoppingResult train_early_stopping(Trainer& trainer, Model& model, const Dataset& data, const Split& split,
                                         uint64_t split_seed, const ProgressFn& progress, bool quiet) {
    const TrainConfig& tc = trainer.config();
    const Split fit = carve_validation(split.train, tc.validation_fraction, split_seed);
    if (!quiet)
        std::printf("early stopping: patience %d, %zu training ratings, %zu validation (fraction %.2f)\n",
                    tc.early_stopping, fit.train.size(), fit.eval.size(), tc.validation_fraction);
    const int threads = tc.threads;
    auto on_epoch = [&](const EpochStats& e) {
        // The eval split is evaluated only to report it; the choice of epoch uses the validation slice.
        const Metrics ev = evaluate(model, data, split.eval, threads);
        std::printf("  epoch %d: train loss %.4f mae %.4f | validation rmse %.4f | eval rmse %.4f mae %.4f | %.2f s\n",
                    e.epoch, e.train_loss, e.train_mae, e.eval.rmse, ev.rmse, ev.mae, e.seconds);
        std::fflush(stdout);
    };
    EarlyStoppingResult r =
        fit_early_stopping(trainer, model, data, fit.train, fit.eval, tc.early_stopping, progress, on_epoch);
    const Metrics ev = evaluate(model, data, split.eval, threads);
    std::printf("best epoch %d of %d (validation rmse %.4f): eval mse %.4f rmse %.4f mae %.4f\n", r.best_epoch,
                r.epochs_run, r.best_validation.rmse, ev.mse, ev.rmse, ev.mae);
    std::fflush(stdout);
    return r;
}

}  // namespace memrec::cli
