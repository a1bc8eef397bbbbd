// Crash-safe training for `memrec train`: --checkpoint DIR writes a checkpoint after every epoch, --resume
// DIR continues one, and Ctrl-C stops after the current batch and says how to resume.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli.h"
#include "memrec/checkpoint.h"
#include "memrec/training_run.h"

namespace memrec::cli {

struct CheckpointOptions {
    std::string dir;     // --checkpoint
    std::string resume;  // --resume
    std::vector<std::string> model_flags;  // flags that define the model and its training

    void add_to(CLI::App& app);
    // Call right after registering the model and training flags: the options added since `first` are the
    // ones that must agree with a checkpoint when they are given along with --resume.
    void note_model_flags(const CLI::App& app, size_t first);
};

// One training run that may continue a checkpoint and may write them.
class ResumableRun {
public:
    // Checks the checkpoint flags. With --resume, loads the checkpoint and makes `preset` and `data` the
    // checkpoint's: settings, reading flags and --eval-data given on the command line must agree with it
    // (UsageError), those not given are taken from it; --epochs may raise the target and --threads may change. Early stopping keeps its
    // best epoch in memory only, so it combines with neither flag (UsageError).
    // `model` rebuilds the preset from the checkpoint's preset name when flags but no --preset are given.
    ResumableRun(const CheckpointOptions& options, const CLI::App& app, const ModelOptions& model, Preset& preset,
                 DataOptions& data);

    bool resuming() const { return resuming_; }
    const Checkpoint& checkpoint() const { return saved_; }
    // Fingerprints the data; when resuming, throws DataError if they are not the data of the checkpoint.
    void use_data(const Dataset& data);
    // When resuming: the checkpoint's parameters, optimiser state and history into `model` and `trainer`.
    void restore(Model& model, Trainer& trainer) const;
    // The training run (run_training) with `report` showing it, writing a checkpoint after each epoch when
    // checkpointing. When resuming, first shows the epochs already done (unless quiet). Without early
    // stopping, Ctrl-C stops it after the current batch: the outcome is then incomplete (exit status 130),
    // and stderr has said what was saved and how to resume. With `interrupted` (the Python module's), that
    // is polled in place of catching SIGINT, and a stop says nothing (the caller reports it).
    TrainingOutcome train(Trainer& trainer, Model& model, const Dataset& data, const Split& split,
                          const TrainingCallbacks& report, bool quiet, const std::function<bool()>& interrupted = {});

private:
    // With --resume: the checkpoint's reading flags and --eval-data into `data` when none is given; UsageError
    // when those given read the data otherwise.
    void read_as_saved(const std::string& dir, DataOptions& data) const;
    void save(Trainer& trainer, const Model& model) const;
    void report_interrupt(int epoch, int epochs, int done, const std::string& saved_in) const;

    const CLI::App& app_;
    const Preset& preset_;
    const DataOptions& data_options_;
    std::string write_dir_;  // where checkpoints go ("" = nowhere)
    std::string resume_dir_;
    bool resuming_ = false;
    Checkpoint saved_;       // the checkpoint resumed from
    DataFingerprint fingerprint_;
    std::string data_source_, data_format_;
    float min_rating_ = 1.0f, max_rating_ = 5.0f;  // the data's bounds (use_data), for the checkpoint
};

// The command line that repeats this run with --resume DIR in place of --checkpoint.
std::string resume_command(const CLI::App& app, const std::string& dir);

}  // namespace memrec::cli
