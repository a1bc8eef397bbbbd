// memrec.train: `memrec train` itself. Its options are parsed by the command's own code (the flag table,
// range checks, presets and objective defaults) and run by the command's own run (native/train_job.h:
// split, --eval-data, --protocol, --init, --checkpoint/--resume, the three objectives, --history, --out),
// silently; Ctrl-C raises KeyboardInterrupt within a few thousand ratings.
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
