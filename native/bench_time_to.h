// memrec bench --time-to (bench_time_to.cpp).
#pragma once

#include <string>

#include "cli.h"
#include "memrec/presets.h"

namespace memrec::cli {

struct TimeToRun {
    bool reached = false;
    double seconds = 0;        // wall time from before reading to the epoch that reached the target (or the end)
    double read_seconds = 0;   // of which reading, splitting and building the model
    double chosen_rmse = 0;    // eval RMSE of the model chosen on validation when the run ended
    int chosen_epoch = 0, epochs = 0;
};

TimeToRun time_to_rmse(const std::string& path, const DataOptions& data_options, Preset p, double target);

}  // namespace memrec::cli
