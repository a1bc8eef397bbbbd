// memrec bench --time-to RMSE: the wall time, reading the ratings included, until the model chosen on the
// validation slice first reaches an eval RMSE, per preset and optimizer (median over repeats).
#include "bench_time_to.h"

#include <chrono>
#include <cstdio>
#include <limits>

#include "memrec/io.h"
#include "memrec/reader.h"
#include "memrec/trainer.h"

namespace memrec::cli {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

// One run from nothing: read, split, carve the validation slice (the preset's fraction; 0.02 when the
// preset has none), train epoch by epoch. After each epoch the chosen model is the best on validation so
// far; the run's time is when a chosen model's eval RMSE first reaches the target. Stops at the preset's
// epochs or its early-stopping patience.
TimeToRun time_to_rmse(const std::string& path, const DataOptions& data_options, Preset p, double target) {
    TimeToRun out;
    const auto t0 = Clock::now();
    const Dataset data = read_dataset(path);
    const Split split = split_dataset(data, data_options.train_fraction, data_options.split_seed);
    const double fraction = p.train.early_stopping > 0 ? p.train.validation_fraction : 0.02;
    const Split fit = carve_validation(split.train, fraction, data_options.split_seed);
    fit_preset_to_data(p, data);
    Model model(p.model, data.users.size(), data.items.size(), data.max_rating, count_items(data, split.train),
                count_users(data, split.train), p.train.seed);
    Trainer trainer(model, p.train);
    out.read_seconds = since(t0);
    double best_validation = std::numeric_limits<double>::infinity();
    int since_best = 0;
    for (int e = 1; e <= p.train.epochs; ++e) {
        const EpochStats st = trainer.train_epoch(data, fit.train, fit.eval, {});
        if (st.eval.rmse < best_validation) {
            best_validation = st.eval.rmse;
            since_best = 0;
            const Metrics m = evaluate(model, data, split.eval, p.train.threads);
            out.chosen_rmse = m.rmse;
            out.chosen_epoch = e;
            if (m.rmse <= target) {
                out.reached = true;
                out.seconds = since(t0);
                return out;
            }
        } else if (p.train.early_stopping > 0 && ++since_best >= p.train.early_stopping) {
            break;
        }
        out.epochs = e;
    }
    out.seconds = since(t0);
    return out;
}

}  // namespace memrec::cli
