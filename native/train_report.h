// What `memrec train` shows while a training run (memrec/training_run.h) goes: the console side of its
// callbacks, and the closing line of a run with early stopping.
#pragma once

#include <string>

#include "cli.h"
#include "memrec/als.h"
#include "memrec/training_run.h"

namespace memrec::cli {

// A progress bar (unless quiet) and one line per completed epoch (print_epoch), also when quiet.
TrainingCallbacks epoch_printer(bool quiet);

// For --early-stopping: the sizes of the validation slice (unless quiet), then each epoch's validation
// figures beside its eval figures on split.eval (measured only to show them: the choice of epoch uses the
// validation slice), also when quiet.
TrainingCallbacks early_stopping_printer(const TrainConfig& config, const Model& model, const Dataset& data,
                                         const Split& split, bool quiet);

// For --objective als: the settings, one line per iteration (loss and seconds), and the total.
void print_als_plan(const AlsConfig& config);
AlsIterationFn als_iteration_printer();
void print_als_total(const std::vector<EpochStats>& history);

// The update rule as a plan line names it: "dense Adam", "lazy Adam", "AdaGrad" or "SGD".
std::string optimizer_text(const AdamConfig& adam);

// "best epoch 4 of 7 (validation rmse ...): eval mse ..." for the model as the run left it.
void print_best_epoch(const TrainingOutcome& outcome, const Model& model, const Dataset& data, const Split& split,
                      int threads);

}  // namespace memrec::cli
