// memrec.train: the command line's `memrec train` options, parsed and applied by the command's own code
// (native/cli.h: the flag table, range checks, presets and objective defaults), then the same training
// calls: run_training for rating models, train_als for --objective als, train_bpr for --objective bpr.
#pragma once

#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "memrec/trainer.h"
#include "py_model.h"

namespace memrec::python {

// `args` are command-line options ("--data", "u.data", "--epochs", "3", ...), as memrec/__init__.py builds
// them from keyword arguments. `on_epoch` (None or a callable) gets each epoch's figures as a dict and
// stops training by returning False.
PyModel train(const std::vector<std::string>& args, const pybind11::object& on_epoch);

// Figures as Python dicts: {"mse", "rmse", "mae", "count"}, and one epoch's {"epoch", "train_loss",
// "train_mae", "eval", "seconds"} (on_epoch's argument and an entry of info()["history"]).
pybind11::dict metrics_dict(const Metrics& m);
pybind11::dict epoch_dict(const EpochStats& e);

}  // namespace memrec::python
