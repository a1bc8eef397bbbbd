// The .mrec model file, format version 6 (versions 1 to 5 are still read: version 1 lacks what version 2
// added, vocabulary encoding 2, table storage 3 and three training settings; both lack version 3's
// objective in the config section and hold rating models). Version 4 adds int4 tables (file storage 3,
// parameter storage 4) and nothing else. Version 5 adds product-quantised tables (file storage 4, parameter
// storage 5), objective 2 (BPR) and three training settings (the optimizer, BPR negatives per positive,
// negative sampling power). Version 6 adds a rating model's link (sigmoid or linear). A writer gives a file
// the oldest version that holds it (format_version_for), so only int4 files are version 4, only pq files,
// BPR models and models trained with AdaGrad or SGD are version 5, and only linear-link models version 6.
//
// Conventions: every integer is little-endian. varint = unsigned LEB128 (at most 10 bytes); svarint = a
// zigzag-encoded varint (0, -1, 1, -2 -> 0, 1, 2, 3); str = varint byte length, then that many UTF-8 bytes;
// f16 / f32 / f64 = IEEE 754 binary16 / binary32 / binary64. Nothing is aligned.
//
//   offset    size    field
//   0         4       magic "MREC"
//   4         4       u32 format version (6 for linear-link models, else 5 for pq files, BPR models and
//                     AdaGrad/SGD-trained models, else 4 for int4 files, else 3; a reader rejects versions
//                     newer than its own)
//   8         4       u32 section count N (1..64)
//   12        1       u8 storage the tables were written at: 0 f32, 1 f16, 2 int8, 3 int4 (version 4 on),
//                     4 pq (version 5 on); each table also says its own
//   13        3       reserved, zero
//   16        20 * N  section table, one entry per section: u32 id, u64 offset, u64 size (bytes)
//   16+20N    ...     the sections, in table order, contiguous: the first starts right after the table, each
//                     next one where the previous ended, and the last ends where the checksum starts
//   size-4    4       u32 CRC-32 (IEEE, as zlib's crc32) of every byte before it
//
// Sections (ids); each must be read to its last byte, a section that appears twice is an error, and ids
// this version does not know are skipped (a later writer may add optional sections without a new version):
//   1 config (required)
//       f32 rating scale (a rating model's prediction = sigmoid(logit) * scale, or scale / 2 + logit)
//       u8 bias flags: bit 0 global bias, bit 1 per-user bias, bit 2 per-item bias
//       version 3 only: u8 objective: 0 rating (sigmoid(logit) * scale), 1 implicit (the logit, a
//         preference score; full tables, no biases), 2 bpr (version 5 only; the logit, fitted by BPR; a full
//         user table, any item table, no biases), then for implicit and bpr: f64 alpha, f64 lambda, f32
//         positive threshold, u8 all rated items positive (0/1): what a visitor's fold-in needs (a BPR
//         model's visitors are folded in by the same solve)
//       version 6 only, rating models only: u8 link: 0 sigmoid (scale * sigmoid(logit)), 1 linear (scale / 2
//         + logit, unbounded)
//       varint user rows, varint item rows (the vocabulary sizes, 1..2^31-1). An implicit or BPR model stores
//         the item side only: 0 user rows, so the users section has 0 ids and the user table 0 rows
//         (its users are folded in from their ratings, never looked up)
//       then the user table's config and the item table's config, each:
//         u8 kind: 0 full, 1 quotient-remainder, 2 mixed-dimension, 3 hashed
//         varint dim (1..4096)
//         qr:   varint buckets (remainder rows; the quotient table has max(buckets, ceil(rows/buckets))),
//               u8 combiner: 0 mult, 1 add, 2 concat
//         hash: varint buckets
//         md:   varint block count B (1..255), B-1 varint block lengths (the block ends as differences,
//               all but the last block), B varint block dims, u8 projection bias (0/1),
//               u8 order source: 0 = ids by decreasing popularity (the popularity section, ties by index;
//               item table only), 1 = an explicit permutation in the order section
//   2 users, 3 items (required): the vocabularies, raw ids by dense index
//       u8 encoding, varint count (= the config's rows), then
//         encoding 0: count svarints, each id minus the previous one (the first minus 0): every id is a
//                     canonical decimal integer below 10^18 (no sign, no leading zero)
//         encoding 1: count strs
//         encoding 2: runs of consecutive decimal ids (as encoding 0's, canonical and below 10^18):
//                     varint run count R, then R times: svarint first id of the run minus the id after the
//                     previous run (0 for the first), varint run length (>= 1); the lengths sum to count.
//                     MovieLens user ids 1..6040 are one run. Writers pick 0 or 2, whichever is shorter;
//                     readers refuse runs holding more than 2^20 ids (their bytes do not bound the count;
//                     larger vocabularies are written with encoding 0).
//   4 popularity (required): varint count (0 = unknown, else the item rows), then count varints: training
//       ratings per item
//   5 order (when a mixed-dimension table has order source 1): for each such table, user table first,
//       varint count (= its rows) then count varints, a permutation of 0..rows-1, most frequent first
//   6 titles (optional): varint count (= item rows), then count strs, by dense item index
//   7 tables (required): varint param count (= what the config builds), then each parameter in the order
//       of Model::params() (user table, item table, global, user, item biases):
//         str name ("user.quotient"), varint rows, varint cols (must match the config's shape),
//         u8 storage: 0 f32: rows*cols f32
//                     1 f16: rows*cols f16
//                     2 int8: rows f16 scales, then rows*cols int8 (row-major); value = q * row's scale
//                     3 int8: cols f16 scales, then rows*cols int8 (row-major); value = q * column's scale
//                     4 int4 (version 4 only): u8 code width (4), then rows times FBGEMM's fused 4-bit row:
//                       ceil(cols/2) bytes of codes q in 0..15 (value 2k in the low nibble of byte k, 2k+1 in
//                       the high one; an odd row's last high nibble is 0), f16 scale (finite, >= 0), f16
//                       offset (finite); value = q * scale + offset
//                     5 pq (version 5 on; embedding parameters of at least 1 row only): u8 subspaces M (divides
//                       cols), u8 code width B (4..8), varint centroids K (1..min(2^B, rows)), u8 codebook
//                       encoding E (0 f16, 1 int8); then M codebooks, subspace 0 first, each K centroids of
//                       cols/M values: E 0: K*cols/M f16 (finite); E 1: f16 scale (finite, >= 0), then K*cols/M
//                       int8, value = q * scale; then ceil(rows*M*B / 8) bytes of codes, row after row and
//                       subspace after subspace, B bits each, least significant bit first (code t occupies
//                       bits t*B .. t*B+B-1 of the little-endian bit stream); every code < K, the bits after
//                       the last code 0. Row r's values are the concatenation of its M codes' centroids.
//       Only `cols` values per row are stored (no in-memory padding). A writer asked for int8 stores
//       parameters of 16 columns or more with row scales (at most 2 bytes in 18 of overhead, and each row
//       keeps its own precision) and narrower ones, bias vectors among them, with column scales: a row
//       scale would cost 2 bytes per row, as much as the values of a 2-dim row. A writer asked for int4
//       stores embedding parameters (not projections or biases) of 9 columns or more as int4 rows, where
//       ceil(cols/2) + 4 bytes beat int8's cols, with offset = the row's min and scale = (max - offset) / 15,
//       both rounded to f16, and every other parameter as int8 does. A writer asked for pq (export
//       --pq-subspaces M --pq-bits B) stores embedding parameters whose cols are a multiple of M as product
//       codes (k-means per subspace, seeded; codes assigned against the centroids as stored) and every other
//       parameter as int8 does.
//   8 training (required)
//       str preset, str data source, str data format
//       f64 train fraction (in (0, 1)), u64 split seed, u64 seed
//       training config: varint epochs, varint batch size, f64 learning rate, f64 beta1, f64 beta2,
//         f64 epsilon, u8 Adam mode (0 dense, 1 lazy, 2 dense-sweep), f64 weight decay, f64 l2,
//         f64 l2 on biases, varint threads, u64 shuffle seed, u8 shuffle (0/1), varint early-stopping
//         patience (0 = off), f64 validation fraction
//         version 2 only: f64 l2 of the user table, f64 l2 of the item table (negative = the l2 above),
//         f64 learning-rate decay per epoch (1 = none)
//         version 5 only: u8 optimizer (0 adam, 1 adagrad, 2 sgd), varint BPR negatives per positive,
//         f64 BPR negative sampling power (a file is version 5 only when it needs to be: see
//         format_version_for)
//       f32 min rating, f32 max rating
//       final eval metrics: f64 mse, f64 rmse, f64 mae, varint count
//       version 3 only: u8 top-N figures stored (0/1), then when 1 (memrec train --protocol): str protocol
//         ("visitors" or "ratings"), f32 positive threshold, f64 recall@20, f64 NDCG@100, f64 HR@10,
//         varint coverage of the top-10 lists, f64 mean popularity percentile, varint users evaluated,
//         varint users skipped
//   9 history (required): varint epochs, then per epoch: varint epoch, f64 train loss, f64 train mae,
//       f64 eval mse, f64 eval rmse, f64 eval mae, varint eval count, f64 seconds, f64 ratings per second
//   10 provenance (optional; added without a new version, so older readers skip it): str content hash of
//       the ratings file ("fnv1a64:" and 16 hex digits; "" unknown), u8 figures source: 0 the training
//       section's eval and top-N figures are the trained f32 model's, before storage; 1 they were measured
//       on this file's own stored tables (memrec export --data). Files without it: "" and 0.
//   11 parent (optional, added without a new version; written only for a warm-started model, memrec train
//       --init): str content hash of the parent model file's bytes ("fnv1a64:" and 16 hex digits), never
//       empty. Files without it have no parent.
//   12 reading (optional, added without a new version; written only when one of its fields differs from
//       the defaults: a MovieLens file read as it is has none): how the ratings were read and evaluated.
//       u8 delimited (0/1: read as a delimited file by the columns below); when 1: u8 delimiter (a byte
//       other than '"', CR or LF), str user column, str item column, str rating column (header names or
//       1-based numbers, non-empty), u8 header (0/1);
//       u8 duplicates policy: 0 error, 1 last, 2 mean, 3 count;
//       u8 scale given: bit 0 the min rating, bit 1 the max rating was given (the training section's
//       bounds are then the given ones), other bits 0;
//       str eval data: the base name of a separate eval file (memrec train --eval-data); non-empty means
//       every rating of the data was trained on and the training section's fraction and split seed are
//       unused. Files without it: a MovieLens or auto-detected file, duplicates refused, the format's or
//       data's scale, a random split.
//
// Code: model_container.cpp (header, section table, checksum), config_codec.cpp (config, order),
// vocabulary_codec.cpp, item_lists_codec.cpp (popularity, titles), param_codec.cpp and pq_codec.cpp (tables),
// training_codec.cpp (training, history; the settings come from train_fields.h); the shapes the tables
// section must have come from Model::param_specs.
//
// The loader checks the structure first (magic, version, section table against the file size), then the
// checksum, then parses each section, checking every count against the bytes that remain before it
// allocates and every table shape against the config before it builds the model.
#include "memrec/model_file.h"

#include <algorithm>

#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/io.h"
#include "model_sections.h"

namespace memrec {

using namespace detail;

namespace {

void check_serializable(const ModelFile& file) {
    if (!file.model) throw Error("serialize_model: the model file has no model");
    const Model& m = *file.model;
    if (!item_side_only(m.config().objective) && file.users.size() != m.users())
        throw Error("serialize_model: " + std::to_string(file.users.size()) + " user ids for " +
                    std::to_string(m.users()) + " user rows");
    if (file.items.size() != m.items())
        throw Error("serialize_model: " + std::to_string(file.items.size()) + " item ids for " +
                    std::to_string(m.items()) + " item rows");
    if (!file.item_counts.empty() && static_cast<int64_t>(file.item_counts.size()) != m.items())
        throw Error("serialize_model: item counts must be empty or one per item");
    if (!file.titles.empty() && static_cast<int64_t>(file.titles.size()) != m.items())
        throw Error("serialize_model: titles must be empty or one per item");
    for (int64_t c : file.item_counts)
        if (c < 0) throw Error("serialize_model: negative item count");
}

// The sections of a parsed file, found by id.
class SectionSet {
public:
    SectionSet(const uint8_t* data, std::vector<Section> sections) : data_(data), sections_(std::move(sections)) {}
    const Section* find(uint32_t id, bool required) const {
        for (const auto& s : sections_)
            if (s.id == id) return &s;
        if (required)
            throw FormatError(section_name(id), "required section (id " + std::to_string(id) + ") is missing");
        return nullptr;
    }
    ByteReader reader(const Section& s) const {
        return ByteReader(data_ + s.offset, static_cast<size_t>(s.size), section_name(s.id));
    }
    ByteReader reader(uint32_t id) const { return reader(*find(id, true)); }

private:
    const uint8_t* data_;
    std::vector<Section> sections_;
};

// The permutations of the mixed-dimension tables: from the order section, or the item table's from
// the popularity section.
std::pair<std::vector<int32_t>, std::vector<int32_t>> read_orders(const SectionSet& sections, const ConfigSection& c,
                                                                  const std::vector<int64_t>& item_counts) {
    std::vector<int32_t> user_order, item_order;
    const Section* s = sections.find(kOrder, false);
    const bool user_md = c.user.config.kind == TableKind::MixedDimension;
    const bool item_md = c.item.config.kind == TableKind::MixedDimension;
    const bool needed = user_md || (item_md && c.item.explicit_order);
    if (needed && !s) throw FormatError("order", "required by a mixed-dimension table but missing");
    if (!needed && s) throw FormatError("order", "present but no table has an explicit order");
    if (s) {
        ByteReader r = sections.reader(*s);
        if (user_md) user_order = read_permutation(r, "user", c.users);
        if (item_md && c.item.explicit_order) item_order = read_permutation(r, "item", c.items);
        r.expect_end();
    }
    if (item_md && !c.item.explicit_order) {
        if (item_counts.empty())
            throw FormatError("config.item.order source", "expected 1 (explicit): the popularity section is empty");
        item_order = MixedDimensionEmbedding::frequency_order(item_counts);
    }
    return {std::move(user_order), std::move(item_order)};
}

std::unique_ptr<EmbeddingTable> build_table(const TableSpec& spec, int64_t rows, const char* prefix,
                                            std::vector<int32_t> order) {
    try {
        if (spec.config.kind == TableKind::MixedDimension)
            return std::make_unique<MixedDimensionEmbedding>(rows, spec.config.dim, std::move(order),
                                                             spec.config.block_ends, spec.config.block_dims,
                                                             spec.config.projection_bias, prefix);
        return make_fixed_shape_table(spec.config, rows, prefix);
    } catch (const ConfigError& e) {
        throw FormatError(std::string("config.") + prefix, e.what());
    }
}

// Builds the model the config describes and fills it from the tables section, every stored shape checked
// against the config's Model::param_specs before anything is allocated for it.
std::unique_ptr<Model> read_model(const SectionSet& sections, const ConfigSection& c,
                                  std::pair<std::vector<int32_t>, std::vector<int32_t>> orders, uint32_t version) {
    ModelConfig mc;
    mc.user = c.user.config;
    mc.item = c.item.config;
    mc.global_bias = c.bias_flags & 1;
    mc.user_bias = c.bias_flags & 2;
    mc.item_bias = c.bias_flags & 4;
    mc.objective = c.objective;
    mc.link = c.link;
    mc.implicit = c.implicit;
    ByteReader tr = sections.reader(kTables);
    const std::vector<StoredParam> stored = read_tables(tr, Model::param_specs(mc, c.users, c.items), version);
    auto user_table = build_table(c.user, c.users, "user", std::move(orders.first));
    auto item_table = build_table(c.item, c.items, "item", std::move(orders.second));
    mc.user = user_table->config();
    mc.item = item_table->config();
    auto model = std::make_unique<Model>(mc, std::move(user_table), std::move(item_table), c.scale);
    // The tables' constructors build their params from the same per-kind specs the stored shapes matched.
    const auto params = model->params();
    for (size_t i = 0; i < params.size(); ++i) {
        fill_param(*params[i], stored[i]);
        if (stored[i].pq) model->set_product_codes(i, stored[i].pq);
    }
    return model;
}

}  // namespace

const char* to_string(Storage s) { return enum_entry(kStorages, s).name; }

uint32_t format_version_for(Storage storage, Objective objective, Optimizer optimizer, Link link) {
    if (link != Link::Sigmoid) return 6;
    // Version 5 holds the optimizer: a model trained with Adam needs no version 5 reader.
    if (storage == Storage::Pq || objective == Objective::Bpr || optimizer != Optimizer::Adam) return 5;
    return storage == Storage::Int4 ? 4 : 3;
}

Storage parse_storage(const std::string& s) {
    if (const auto* e = enum_by_name(kStorages, s)) return e->value;
    throw ConfigError("unknown storage '" + s + "' (expected " + enum_list(kStorages, false) + ")");
}

std::string serialize_model(const ModelFile& file, Storage storage, bool with_titles, const PqOptions& pq) {
    check_serializable(file);
    if (storage == Storage::Pq && pq.subspaces != 0) pq.validate();
    const Model& m = *file.model;
    const bool item_order_from_popularity = order_follows_popularity(m.item_table(), file.item_counts);
    std::vector<std::pair<uint32_t, ByteWriter>> sections;
    auto section = [&](uint32_t id) -> ByteWriter& {
        sections.emplace_back(id, ByteWriter{});
        return sections.back().second;
    };
    const uint32_t version =
        format_version_for(storage, m.config().objective, file.info.train.adam.optimizer, m.config().link);
    write_config(section(kConfig), m, item_order_from_popularity, version);
    write_vocabulary(section(kUsers), item_side_only(m.config().objective) ? Vocabulary{} : file.users);
    write_vocabulary(section(kItems), file.items);
    write_popularity(section(kPopularity), file.item_counts);
    std::vector<const MixedDimensionEmbedding*> explicit_orders;
    if (const auto* mu = dynamic_cast<const MixedDimensionEmbedding*>(&m.user_table())) explicit_orders.push_back(mu);
    if (const auto* mi = dynamic_cast<const MixedDimensionEmbedding*>(&m.item_table()))
        if (!item_order_from_popularity) explicit_orders.push_back(mi);
    if (!explicit_orders.empty()) write_order(section(kOrder), explicit_orders);
    if (with_titles && !file.titles.empty()) write_titles(section(kTitles), file.titles);
    {
        ByteWriter& w = section(kTables);
        const auto params = m.params();
        w.varint(params.size());
        for (size_t i = 0; i < params.size(); ++i) {
            const Param* p = params[i];
            if (p->side == Side::User && item_side_only(m.config().objective))
                write_param(w, Param(p->name, 0, p->cols, p->access, p->init, p->role, p->side), storage, pq, nullptr);
            else
                write_param(w, *p, storage, pq, m.product_codes(i));
        }
    }
    write_training(section(kTraining), file, version);
    write_history(section(kHistory), file.history);
    write_provenance(section(kProvenance), file);
    if (!file.info.parent_hash.empty()) write_parent(section(kParent), file);
    if (!file.info.reading.is_default()) write_reading(section(kReading), file);
    return write_container(sections, storage, version);
}

std::vector<SectionInfo> model_sections(const uint8_t* data, size_t size) {
    std::vector<SectionInfo> out;
    for (const Section& s : read_structure(data, size, nullptr, nullptr)) out.push_back({s.id, section_name(s.id), s.offset, s.size});
    return out;
}

ModelFile parse_model(const uint8_t* data, size_t size) {
    ModelFile file;
    const SectionSet sections(data, read_structure(data, size, &file.storage, &file.format_version));
    ByteReader cr = sections.reader(kConfig);
    const ConfigSection config = read_config(cr, file.format_version);
    {
        ByteReader r = sections.reader(kUsers);
        file.users = read_vocabulary(r, config.users);
    }
    {
        ByteReader r = sections.reader(kItems);
        file.items = read_vocabulary(r, config.items);
    }
    {
        ByteReader r = sections.reader(kPopularity);
        file.item_counts = read_popularity(r, config.items);
    }
    auto orders = read_orders(sections, config, file.item_counts);
    if (const Section* s = sections.find(kTitles, false)) {
        ByteReader r = sections.reader(*s);
        file.titles = read_titles(r, config.items);
    }
    file.model = read_model(sections, config, std::move(orders), file.format_version);
    {
        ByteReader r = sections.reader(kTraining);
        read_training(r, file);
    }
    {
        ByteReader r = sections.reader(kHistory);
        file.history = read_history(r);
    }
    if (const Section* s = sections.find(kProvenance, false)) {
        ByteReader r = sections.reader(*s);
        read_provenance(r, file);
    }
    if (const Section* s = sections.find(kParent, false)) {
        ByteReader r = sections.reader(*s);
        read_parent(r, file);
    }
    if (const Section* s = sections.find(kReading, false)) {
        ByteReader r = sections.reader(*s);
        read_reading(r, file);
    }
    return file;
}

ModelFile load_model(const std::string& path) {
    const std::string bytes = read_file(path);
    try {
        return parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const FormatError& e) {
        // Keep the field, name the file: "model file PATH: FIELD: MESSAGE".
        const std::string what = e.what();
        const size_t prefix = std::string("model file: ").size() + e.field().size() + 2;
        throw FormatError("model file " + path, e.field(), what.size() > prefix ? what.substr(prefix) : what);
    }
}

void save_model(const ModelFile& file, const std::string& path, Storage storage, bool with_titles,
                const PqOptions& pq) {
    write_file_atomic(path, serialize_model(file, storage, with_titles, pq));
}

}  // namespace memrec
