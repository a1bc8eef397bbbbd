// `memrec train --early-stopping PATIENCE`: trains on the training split minus a validation slice, keeps
// the epoch with the best validation RMSE (the eval split is only reported, never used for the choice).
#pragma once

#include "cli.h"
#include "memrec/early_stopping.h"

namespace memrec::cli {

// Carves the validation slice (train_config.validation_fraction, seeded by split_seed) off split.train,
// runs fit_early_stopping printing each epoch's validation and eval figures, leaves the best epoch's
// parameters in `model` and prints its eval metrics. Returns the result.
EarlyStoppingResult train_early_stopping(Trainer& trainer, Model& model, const Dataset& data, const Split& split,
                                         uint64_t split_seed, const ProgressFn& progress, bool quiet);

}  // namespace memrec::cli
