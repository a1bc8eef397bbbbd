#include "train_report.h"

#include <cstdio>

#include "memrec/train_fields.h"

namespace memrec::cli {

TrainingCallbacks epoch_printer(bool quiet) {
    TrainingCallbacks c;
    c.progress = progress_printer(quiet);
    c.on_epoch = [](const EpochStats& e) {
        print_epoch(e);
        return true;
    };
    return c;
}

TrainingCallbacks early_stopping_printer(const TrainConfig& config, const Model& model, const Dataset& data,
                                         const Split& split, bool quiet) {
    TrainingCallbacks c;
    c.progress = progress_printer(quiet);
    if (!quiet)
        c.on_validation_slice = [patience = config.early_stopping, fraction = config.validation_fraction](const Split& fit) {
            std::printf("early stopping: patience %d, %zu training ratings, %zu validation (fraction %.2f)\n",
                        patience, fit.train.size(), fit.eval.size(), fraction);
        };
    c.on_epoch = [&model, &data, &split, threads = config.threads](const EpochStats& e) {
        const Metrics ev = evaluate(model, data, split.eval, threads);
        std::printf("  epoch %d: train loss %.4f mae %.4f | validation rmse %.4f | eval rmse %.4f mae %.4f | %.2f s\n",
                    e.epoch, e.train_loss, e.train_mae, e.eval.rmse, ev.rmse, ev.mae, e.seconds);
        std::fflush(stdout);
        return true;
    };
    return c;
}

void print_als_plan(const AlsConfig& c) {
    std::printf("training: implicit ALS, dim %d, alpha %g, lambda %g, positives: %s, %d iterations, %d threads\n",
                c.factors, c.feedback.alpha, c.feedback.lambda,
                c.feedback.all_rated_positive ? "every rated item"
                                              : ("ratings >= " + shortest_number(c.feedback.positive_threshold)).c_str(),
                c.iterations, c.threads);
    std::fflush(stdout);
}

std::string optimizer_text(const AdamConfig& adam) {
    switch (adam.optimizer) {
        case Optimizer::AdaGrad: return "AdaGrad";
        case Optimizer::Sgd: return "SGD";
        case Optimizer::Adam: break;
    }
    return std::string(to_string(adam.mode)) + " Adam";
}

AlsIterationFn als_iteration_printer() {
    return [](const EpochStats& e) {
        std::printf("  iteration %d: loss %.4f per positive | %.2f s\n", e.epoch, e.train_loss, e.seconds);
        std::fflush(stdout);
        return true;
    };
}

void print_als_total(const std::vector<EpochStats>& history) {
    double seconds = 0;
    for (const EpochStats& e : history) seconds += e.seconds;
    std::printf("trained %zu iterations in %.2f s\n", history.size(), seconds);
    std::fflush(stdout);
}

void print_best_epoch(const TrainingOutcome& outcome, const Model& model, const Dataset& data, const Split& split,
                      int threads) {
    const Metrics ev = evaluate(model, data, split.eval, threads);
    std::printf("best epoch %d of %d (validation rmse %.4f): eval mse %.4f rmse %.4f mae %.4f\n", outcome.best_epoch,
                outcome.epochs_run, outcome.best_validation.rmse, ev.mse, ev.rmse, ev.mae);
    std::fflush(stdout);
}

}  // namespace memrec::cli
