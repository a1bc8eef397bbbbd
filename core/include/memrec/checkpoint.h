// Training checkpoints: everything needed to continue a training run after its process died, so that the
// resumed run ends with exactly the parameters an uninterrupted run would have had.
//
// A checkpoint is taken at an epoch boundary and holds the run's settings (model and training configs,
// split fraction and seed, where the data came from and a fingerprint of it), the completed epochs'
// history, every parameter, and Adam's state (first and second moments, the global step count and the
// lazy mode's per-row step counts). No random generator state is needed: the Trainer reseeds its shuffle
// for epoch e from (seed, e), the split is a function of (data, fraction, split seed), and the initial
// weights are overwritten by the saved ones. The byte layout is documented in core/src/checkpoint.cpp;
// a field added to ModelConfig, TableConfig, TrainConfig or AdamConfig must be added there too (a unit test
// watches their sizes to remind whoever adds one).
//
// Parsing checks every count and size against the bytes that remain before allocating, and throws
// FormatError ("PATH: FIELD: ...") for a bad magic, a version from the future, truncation, a
// checksum mismatch or values out of range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memrec/adam.h"
#include "memrec/dataset.h"
#include "memrec/model.h"
#include "memrec/model_file.h"
#include "memrec/trainer.h"

namespace memrec {

// What the data looked like, to refuse resuming on different data.
struct DataFingerprint {
    int64_t ratings = 0;
    int32_t users = 0;
    int32_t items = 0;
    uint64_t hash = 0;  // over the rating columns and both vocabularies
};
DataFingerprint fingerprint(const Dataset& data);

// One Param and its Adam state, rows x cols without the row padding.
struct ParamState {
    std::string name;
    int64_t rows = 0;
    int32_t cols = 0;
    std::vector<float> values, m, v;
    std::vector<int32_t> steps;  // lazy Adam's per-row step counts (empty in dense mode)
};

struct Checkpoint {
    // The run.
    std::string preset;       // preset the config started from
    std::string data_source;  // the ratings path as resolved at training time
    std::string data_format;  // Dataset::format
    double train_fraction = 0.85;
    uint64_t split_seed = 42;
    DataFingerprint data;
    // How the ratings were read (version 4): the reading flags and the given bounds, as a model file records
    // them, with reading.eval_data the --eval-data path as the run was given it ("" none). Older files
    // recorded none (reading_recorded false): a resume then reads with the flags it is given.
    bool reading_recorded = true;
    ReadingInfo reading;
    float min_rating = 1.0f, max_rating = 5.0f;  // the bounds used when reading.min_given / max_given
    ModelConfig model;
    TrainConfig train;  // train.seed seeds initialisation and shuffling; train.epochs is the target
    // Its state after history.size() completed epochs.
    std::vector<EpochStats> history;
    int64_t adam_steps = 0;
    std::vector<ParamState> params;  // in Model::params() order

    int epochs_done() const { return static_cast<int>(history.size()); }
};

// Copies the parameters and the optimiser state of a model being trained into `out.params` and
// `out.adam_steps`.
void capture_state(const Model& model, const Adam& adam, Checkpoint& out);
// Copies a checkpoint's parameters and optimiser state into a model built from `checkpoint.model` on the
// same data, and into its optimiser. Throws FormatError if the shapes or the Adam mode do not match.
void restore_state(const Checkpoint& checkpoint, Model& model, Adam& adam);

std::string serialize_checkpoint(const Checkpoint& checkpoint);
// `name` starts every error message (the file's path when read from one).
Checkpoint parse_checkpoint(const uint8_t* data, size_t size, const std::string& name = "checkpoint");
// The checkpoint file inside a checkpoint directory.
std::string checkpoint_file(const std::string& dir);
// Reads DIR's checkpoint; throws DataError if there is none, FormatError if it is damaged.
Checkpoint load_checkpoint(const std::string& dir);
// Writes DIR's checkpoint atomically (a temporary file renamed into place); DIR must exist.
void save_checkpoint(const Checkpoint& checkpoint, const std::string& dir);

// The first setting that differs between a checkpoint and a run about to continue it, as
// "item table dim: 64 in the checkpoint, 32 now"; "" when they agree. Epochs and threads may differ.
std::string settings_difference(const Checkpoint& saved, const ModelConfig& model, const TrainConfig& train);

}  // namespace memrec
