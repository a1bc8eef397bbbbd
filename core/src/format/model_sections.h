// Private to the model file: the section ids and one codec per kind of section, each in its own file
// (the byte layout they implement is documented at the top of model_file.cpp).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "byte_io.h"
#include "memrec/md_embedding.h"
#include "memrec/model_file.h"

namespace memrec::detail {

constexpr uint64_t kMaxRows = std::numeric_limits<int32_t>::max();

enum : uint32_t {
    kConfig = 1,
    kUsers = 2,
    kItems = 3,
    kPopularity = 4,
    kOrder = 5,
    kTitles = 6,
    kTables = 7,
    kTraining = 8,
    kHistory = 9,
    kProvenance = 10,
    kParent = 11,
    kReading = 12,
    kLastKnown = kReading
};
const char* section_name(uint32_t id);

// ---- the container (model_container.cpp): header, section table, checksum ------------------------------

struct Section {
    uint32_t id;
    uint64_t offset, size;
};
// Magic, version, header and section table, checked against the file size; then the checksum.
std::vector<Section> read_structure(const uint8_t* data, size_t size, Storage* storage, uint32_t* version_out);
// The whole file: header, section table, the sections in order, checksum.
// `version`: format_version_for(storage, objective, optimizer).
std::string write_container(std::vector<std::pair<uint32_t, ByteWriter>>& sections, Storage storage,
                            uint32_t version);

// ---- the config section (config_codec.cpp) ---------------------------------------------------------

struct TableSpec {
    TableConfig config;
    bool explicit_order = false;
};
struct ConfigSection {
    float scale = 1.0f;
    uint8_t bias_flags = 0;  // bit 0 global, bit 1 user, bit 2 item
    Objective objective = Objective::Rating;  // files before version 3 hold rating models
    Link link = Link::Sigmoid;                // files before version 6 hold sigmoid-link models
    ImplicitConfig implicit;
    int64_t users = 0, items = 0;
    TableSpec user, item;
};
// Whether a mixed-dimension table's order is what the popularity section reproduces.
bool order_follows_popularity(const EmbeddingTable& t, const std::vector<int64_t>& counts);
// `version`: the file's, which decides whether a rating model's link is written (6 on).
void write_config(ByteWriter& w, const Model& m, bool item_order_from_popularity, uint32_t version);
ConfigSection read_config(ByteReader& r, uint32_t version);
// The order section: the permutation of each mixed-dimension table not derived from popularity.
void write_order(ByteWriter& w, const std::vector<const MixedDimensionEmbedding*>& tables);
std::vector<int32_t> read_permutation(ByteReader& r, const std::string& table, int64_t rows);

// ---- vocabularies (vocabulary_codec.cpp), popularity and titles (item_lists_codec.cpp) -----------------

void write_vocabulary(ByteWriter& w, const Vocabulary& v);
Vocabulary read_vocabulary(ByteReader& r, int64_t rows);
void write_popularity(ByteWriter& w, const std::vector<int64_t>& counts);
std::vector<int64_t> read_popularity(ByteReader& r, int64_t items);
void write_titles(ByteWriter& w, const std::vector<std::string>& titles);
std::vector<std::string> read_titles(ByteReader& r, int64_t items);

// ---- the tables section: parameters at f32, f16, int8 or int4 (param_codec.cpp) ---------------------

// `codes`: the product codes the model keeps for p (null: none), reused at Storage::Pq when they match `pq`.
void write_param(ByteWriter& w, const Param& p, Storage storage, const PqOptions& pq, const ProductCodes* codes);
struct StoredParam {
    uint8_t storage;  // a parameter's storage code (f32, f16, int8 with row or column scales, int4 rows, pq)
    const uint8_t* data;
    std::shared_ptr<const ProductCodes> pq;  // parsed and checked product codes (storage pq only)
};
// Every stored shape is checked against `expected` (Model::param_specs of the config) before anything is
// allocated for it; storage codes are checked against the file's format version.
std::vector<StoredParam> read_tables(ByteReader& r, const std::vector<ParamSpec>& expected, uint32_t version);
void fill_param(Param& p, const StoredParam& s);

// ---- a product-quantised parameter (pq_codec.cpp) ------------------------------------------------------

void write_pq(ByteWriter& w, const ProductCodes& pq);
// Header, codebooks and codes of a parameter of this shape, every field checked (names start with `name`).
std::shared_ptr<const ProductCodes> read_pq(ByteReader& r, const std::string& name, uint64_t rows, int cols);

// ---- training settings, metrics and history (training_codec.cpp) ------------------------------------

void write_training(ByteWriter& w, const ModelFile& file, uint32_t version);  // the version written
void read_training(ByteReader& r, ModelFile& file);  // file.format_version says which layout
void write_history(ByteWriter& w, const std::vector<EpochStats>& history);
std::vector<EpochStats> read_history(ByteReader& r);
void write_provenance(ByteWriter& w, const ModelFile& file);
void read_provenance(ByteReader& r, ModelFile& file);
void write_parent(ByteWriter& w, const ModelFile& file);
void read_parent(ByteReader& r, ModelFile& file);
// The reading section (reading_codec.cpp): TrainingInfo::reading.
void write_reading(ByteWriter& w, const ModelFile& file);
void read_reading(ByteReader& r, ModelFile& file);
// Its fields alone, which a checkpoint stores too (checkpoint.cpp).
void write_reading_fields(ByteWriter& w, const ReadingInfo& reading);
void read_reading_fields(ByteReader& r, ReadingInfo& out);

}  // namespace memrec::detail
