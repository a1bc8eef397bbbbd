// The .mrec model file: everything needed to use a trained model without the training data (tables,
// vocabularies, optional titles, item popularity, training settings, history and metrics), in a versioned
// binary container. The byte layout is documented in core/src/model_file.cpp's header comment; every
// version bump gets a line in CHANGELOG.md.
//
// Loading from bytes is the primary entry (the browser has bytes, not files); the path overload wraps it.
// The loader checks every count and size against the bytes that remain before allocating and throws
// FormatError naming the field (expected vs got) for bad magic, unknown or future versions, truncation,
// overlapping sections and checksum mismatches.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "memrec/dataset.h"
#include "memrec/model.h"
#include "memrec/pq.h"
#include "memrec/reader.h"
#include "memrec/topn.h"
#include "memrec/trainer.h"

namespace memrec {

// How table parameters are stored in the file. In memory, loaded tables are always f32. Int4 stores the
// embedding parameters of 9 columns or more as int4 rows and every other parameter as Int8 does. Pq stores
// the embedding parameters whose columns split into the PqOptions' subspaces as product codes (memrec/pq.h;
// the loaded model keeps the codes too, for scoring) and every other parameter as Int8 does.
enum class Storage : uint8_t { F32 = 0, F16 = 1, Int8 = 2, Int4 = 3, Pq = 4 };
const char* to_string(Storage s);
Storage parse_storage(const std::string& s);  // "f32", "f16", "int8", "int4", "pq"; throws ConfigError

// How the ratings were read (memrec train's reading flags) and evaluated, when not as a MovieLens file is by
// default: model file section 12 ("reading"), written only when some field differs from the defaults, so
// a MovieLens model's bytes are what they were. `memrec inspect` shows it; eval, predict, recommend and
// train --init re-read data with it when no reading flag is given.
struct ReadingInfo {
    bool delimited = false;        // read as a delimited file with `columns` (--delimiter, --user-column...)
    DelimitedOptions columns;      // meaningful when delimited
    DuplicatePolicy duplicates = DuplicatePolicy::Error;
    bool min_given = false, max_given = false;  // --min-rating / --max-rating: TrainingInfo's bounds
    std::string eval_data;         // base name of the --eval-data file: trained on all of the data ("" none)
    bool is_default() const {
        return !delimited && duplicates == DuplicatePolicy::Error && !min_given && !max_given && eval_data.empty();
    }
};

// How the model was trained: enough to rebuild the same split and say what the numbers mean.
struct TrainingInfo {
    std::string preset;           // preset name the config started from ("" if none)
    std::string data_source;      // the base name of the ratings folder or file ("ml-1m"): never a path,
                                  // which a deployed file would show every visitor (older files: a path)
    std::string data_hash;        // content_hash() of the ratings file's bytes ("" unknown: older files)
    std::string parent_hash;      // content_hash() of the model file it was warm-started from ("" none)
    std::string data_format;      // Dataset::format
    double train_fraction = 0.85;
    uint64_t split_seed = 42;
    uint64_t seed = 42;
    TrainConfig train;            // epochs, batch, Adam settings, threads
    float min_rating = 1.0f, max_rating = 5.0f;
    ReadingInfo reading;          // how the ratings were read; with an eval file, train_fraction and
                                  // split_seed are unused (every rating of the data was trained on)
};

// The final model's top-N figures, when training computed them (memrec train --protocol).
struct RankingFigures {
    std::string protocol;             // "visitors" or "ratings"; "" when none were computed
    float positive_threshold = 4.0f;  // a target rated at least this was a positive
    TopNMetrics metrics;
};

struct ModelFile {
    std::unique_ptr<Model> model;
    Vocabulary users;
    Vocabulary items;
    std::vector<std::string> titles;    // by dense item index; empty when the file has no titles
    std::vector<int64_t> item_counts;   // training ratings per item (popularity), by dense item index
    TrainingInfo info;
    std::vector<EpochStats> history;
    Metrics eval;                       // eval metrics of the final model (count 0 if unknown)
    RankingFigures ranking;             // top-N figures of the final model (protocol "" if unknown)
    // Whether eval and ranking were measured on this file's own stored tables (memrec export --data) rather
    // than on the trained f32 model before storage (what training stores, and export copies without data).
    bool figures_of_stored_tables = false;
    Storage storage = Storage::F32;     // how the tables were stored in the file this was loaded from
    uint32_t format_version = 0;        // the format version of the file this was loaded from (0: not loaded)
};

// The newest format version this build reads (see CHANGELOG.md). A file is written at the oldest version
// that holds it: version 4 for int4 tables, 5 only for what version 5 added (pq tables, BPR models, models
// trained with AdaGrad or SGD), 6 only for rating models with the linear link, so other files stay readable
// by older readers.
constexpr uint32_t kModelFormatVersion = 6;
// The oldest version that holds a file of this storage, objective, optimizer and link: what serialize_model
// writes. 3, but 4 for int4 tables, 5 for pq tables, BPR models and models trained with AdaGrad or SGD (whose
// optimizer only version 5 stores), and 6 for the linear link. Readers ask it of a storage alone (the
// defaults add nothing).
uint32_t format_version_for(Storage storage, Objective objective = Objective::Rating,
                            Optimizer optimizer = Optimizer::Adam, Link link = Link::Sigmoid);

// One entry of a model file's section table, for `memrec inspect`.
struct SectionInfo {
    uint32_t id = 0;
    std::string name;  // "config", "users", "tables", ... ("unknown" for ids this version does not know)
    uint64_t offset = 0;
    uint64_t size = 0;
};
// The section table after the same checks parse_model starts with (magic, version, bounds, checksum).
std::vector<SectionInfo> model_sections(const uint8_t* data, size_t size);

// Serialises `file` with its tables stored as `storage` (quantising f32 to f16 or int8 row-wise). Storage::Pq
// reads `pq`: a parameter whose model keeps product codes (loaded from a pq file) is written from them when
// `pq` is unset (subspaces 0) or asks for the same subspaces, bits and codebook; otherwise k-means trains new
// ones (subspaces 0 then is an error).
std::string serialize_model(const ModelFile& file, Storage storage = Storage::F32, bool with_titles = true,
                            const PqOptions& pq = {});
ModelFile parse_model(const uint8_t* data, size_t size);
ModelFile load_model(const std::string& path);
// Renumbers the dense indices of each side whose table is full so that its ids are in ascending order
// (numerically when every id is a decimal number, else bytewise). The side's vocabulary, its parameters'
// rows (and their product codes), and for items the titles and popularity follow, so every prediction by
// id is unchanged. Sorted decimal ids compress to runs (MovieLens's movie ids come in data order, 2 bytes
// an item; sorted, the 3,706 of ml-1m take a few dozen). Tables that map an index to shared rows (QR,
// hashed, mixed-dimension) keep their order. Returns whether anything moved.
bool order_ids(ModelFile& file);

// Atomic: written to a temporary file, then renamed over `path`.
void save_model(const ModelFile& file, const std::string& path, Storage storage = Storage::F32,
                bool with_titles = true, const PqOptions& pq = {});

}  // namespace memrec
