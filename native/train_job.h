// One `memrec train` run, shared by the command (cmd_train.cpp: its flags and its console) and the Python
// module's memrec.train (python/src/py_train.cpp): the options as the command parses them, then the split
// (--eval-data, --protocol), the model (preset, flags, --init), the training for the objective (rating with
// checkpoints and early stopping, ALS, BPR), the top-N figures (--protocol), --history and --out, and the
// trained model with everything its file stores.
#pragma once

#include <functional>
#include <string>

#include "cli.h"
#include "eval_data.h"
#include "memrec/model_file.h"
#include "memrec/training_run.h"
#include "topn_cli.h"
#include "train_checkpoint.h"
#include "warm_start.h"

namespace memrec::cli {

// Every option of `memrec train`.
struct TrainJobOptions {
    DataOptions data;
    ModelOptions model;
    std::string history;  // --history
    std::string out;      // --out
    TopNOptions topn;     // --protocol, --positive-threshold
    bool quiet = false;
    CheckpointOptions checkpoint;
    WarmStartOptions warm;  // --init
    // Registers them on `app` (the command's flags, help and order); the range checks are add_value_checks'.
    void add_to(CLI::App& app);
};

// How a run shows itself and how it is stopped. The command leaves it default: its console output (less
// with --quiet), and Ctrl-C caught while a rating model trains (a SIGINT handler for the run).
struct TrainJobReport {
    // Nothing on stdout (as --quiet, and without the lines --quiet keeps). For callers that show the run
    // their own way.
    bool silent = false;
    // When set: the run's warnings (the eval file's ratings not evaluated, --init's) come here, not to
    // stderr.
    Warn warn;
    // After each epoch (ALS: iteration) of any objective, with its figures; false stops the run there.
    std::function<bool(const EpochStats&)> on_epoch;
    // When set: polled within epochs (every few thousand ratings; ALS: rows) and after each; true stops the
    // run as
    // Ctrl-C does (a checkpointed run keeps its last epoch's checkpoint), and no SIGINT handler is
    // installed. The stop then says nothing: the caller reports it.
    std::function<bool()> interrupted;
};

struct TrainJobResult {
    ModelFile file;          // the trained model (f32 in memory) and what --out stores with it
    bool completed = true;   // false: stopped (Ctrl-C, `interrupted` or on_epoch) before its epochs were done
    bool interrupted = false;  // stopped by Ctrl-C or `interrupted`
    // --eval-data: the file read and what became of its ratings (eval_data_path "" without one).
    std::string eval_data_path;
    EvalDataCounts eval_data;
};

// Runs `memrec train` with `options` as parsed into `app` (which flags were given matters: presets,
// --init, --resume). Throws UsageError, ConfigError, DataError... as the command reports them.
TrainJobResult run_train_job(TrainJobOptions& options, const CLI::App& app, const TrainJobReport& report = {});

}  // namespace memrec::cli
