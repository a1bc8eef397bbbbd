// Shared by the subcommands that write or read model files (train --out, compare, export, inspect, eval,
// predict, recommend): building a ModelFile from a training run, sizes at each storage, and re-reading the
// data a model was trained on with the model's own vocabularies and split.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"
#include "memrec/error.h"
#include "memrec/model_file.h"

namespace memrec::cli {

// Bytes after gzip -9 (what a web server would send compressed); -1 when built without zlib.
int64_t gzip_size(std::string_view bytes);

struct StoredSize {
    Storage storage = Storage::F32;
    int64_t bytes = 0;
    int64_t gzip = -1;
};
// Each file at f32, f16, int8 and int4 (in that order), serialised in memory and gzipped; the pieces of
// work are shared by this thread and one more, largest first.
std::vector<std::vector<StoredSize>> stored_sizes(const std::vector<const ModelFile*>& files, bool with_titles);

// Starts hashing the ratings file that `opts` names (content_hash_of_file) on another thread, so that it
// runs while the file is parsed; training_metadata then takes the hash from there. Does nothing when the
// file cannot be found (reading it reports why).
void start_ratings_hash(const DataOptions& opts);

// Everything a model file holds besides the model, for a run that just trained on `data` with `split`.
ModelFile training_metadata(const Preset& preset, const Dataset& data, const Split& split, const DataOptions& opts,
                            const std::vector<EpochStats>& history);

// Runs fn(file) with `model` moved into file.model and moved back afterwards (also when fn throws), so a
// model that a Trainer still refers to can be serialised without a copy.
template <class Fn>
auto with_model(ModelFile& file, Model& model, Fn fn) {
    file.model = std::make_unique<Model>(std::move(model));
    struct Back {
        Model& model;
        ModelFile& file;
        ~Back() {
            model = std::move(*file.model);
            file.model.reset();
        }
    } back{model, file};
    return fn(file);
}

// The data a model was trained on, re-read: --data if given, else the path stored in the model when it
// still exists, else the usual default. The split uses the stored fraction and seed unless the command
// line gave them. Dense indices are mapped to the model's (-1: not in the model's vocabulary).
// The data options of a model's training run: --data if given, else the stored path when it still exists;
// the stored fraction and seed unless the command line gave them.
DataOptions stored_data_options(const ModelFile& file, DataOptions opts, const CLI::App& app);

struct ModelData {
    Dataset data;
    Split split;
    std::vector<int32_t> user_to_model, item_to_model;
    int64_t unknown_users = 0, unknown_items = 0;  // data ids missing from the model
    bool same_popularity = true;  // the training split's item counts equal the model's
};
ModelData load_model_data(const ModelFile& file, DataOptions opts, const CLI::App& app, bool quiet);

// MSE / RMSE / MAE of the file's model on md's eval split, over the ratings whose user and movie it knows
// (`skipped` counts the others). Throws Error when it knows none.
Metrics eval_split_metrics(const ModelFile& file, const ModelData& md, int threads, int64_t& skipped);

// "1193" or "1193 One Flew Over the Cuckoo's Nest (1975)".
std::string item_label(const ModelFile& file, int32_t item);
// "One Flew Over the Cuckoo's Nest (1975)", or the id for a file without titles.
std::string item_title(const ModelFile& file, int32_t item);

}  // namespace memrec::cli
