// The .mrec model file, format version 2 (version 1 files are still read: they lack only what version 2
// added, vocabulary encoding 2, table storage 3 and three training settings).
//
// Conventions: every integer is little-endian. varint = unsigned LEB128 (at most 10 bytes); svarint = a
// zigzag-encoded varint (0, -1, 1, -2 -> 0, 1, 2, 3); str = varint byte length, then that many UTF-8 bytes;
// f16 / f32 / f64 = IEEE 754 binary16 / binary32 / binary64. Nothing is aligned.
//
//   offset    size    field
//   0         4       magic "MREC"
//   4         4       u32 format version (2; a reader rejects versions newer than its own)
//   8         4       u32 section count N (1..64)
//   12        1       u8 storage the tables were written at: 0 f32, 1 f16, 2 int8 (each table also says its own)
//   13        3       reserved, zero
//   16        20 * N  section table, one entry per section: u32 id, u64 offset, u64 size (bytes)
//   16+20N    ...     the sections, in table order, contiguous: the first starts right after the table, each
//                     next one where the previous ended, and the last ends where the checksum starts
//   size-4    4       u32 CRC-32 (IEEE, as zlib's crc32) of every byte before it
//
// Sections (ids); each must be read to its last byte, a section that appears twice is an error, and ids
// this version does not know are skipped (a later writer may add optional sections without a new version):
//   1 config (required)
//       f32 rating scale (prediction = sigmoid(logit) * scale)
//       u8 bias flags: bit 0 global bias, bit 1 per-user bias, bit 2 per-item bias
//       varint user rows, varint item rows (the vocabulary sizes, 1..2^31-1)
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
//       Only `cols` values per row are stored (no in-memory padding). A writer asked for int8 stores
//       parameters of 16 columns or more with row scales (at most 2 bytes in 18 of overhead, and each row
//       keeps its own precision) and narrower ones, bias vectors among them, with column scales: a row
//       scale would cost 2 bytes per row, as much as the values of a 2-dim row.
//   8 training (required)
//       str preset, str data source, str data format
//       f64 train fraction (in (0, 1)), u64 split seed, u64 seed
//       training config: varint epochs, varint batch size, f64 learning rate, f64 beta1, f64 beta2,
//         f64 epsilon, u8 Adam mode (0 dense, 1 lazy, 2 dense-sweep), f64 weight decay, f64 l2,
//         f64 l2 on biases, varint threads, u64 shuffle seed, u8 shuffle (0/1), varint early-stopping
//         patience (0 = off), f64 validation fraction
//         version 2 only: f64 l2 of the user table, f64 l2 of the item table (negative = the l2 above),
//         f64 learning-rate decay per epoch (1 = none)
//       f32 min rating, f32 max rating
//       final eval metrics: f64 mse, f64 rmse, f64 mae, varint count
//   9 history (required): varint epochs, then per epoch: varint epoch, f64 train loss, f64 train mae,
//       f64 eval mse, f64 eval rmse, f64 eval mae, varint eval count, f64 seconds, f64 ratings per second
//
// The loader checks the structure first (magic, version, section table against the file size), then the
// checksum, then parses each section, checking every count against the bytes that remain before it
// allocates and every table shape against the config before it builds the model.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "byte_io.h"
#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/io.h"
#include "memrec/model_file.h"
#include "memrec/quantize.h"
#include "memrec/tables.h"
#include "settings_codec.h"

namespace memrec {

using detail::ByteReader;
using detail::ByteWriter;
using detail::read_code;

namespace {

constexpr char kMagic[4] = {'M', 'R', 'E', 'C'};
constexpr size_t kHeaderBytes = 16;
constexpr size_t kEntryBytes = 20;
constexpr size_t kChecksumBytes = 4;
constexpr uint32_t kMaxSections = 64;
constexpr uint64_t kMaxRows = std::numeric_limits<int32_t>::max();
constexpr uint64_t kMaxDecimalId = 999999999999999999ULL;  // 10^18 - 1
constexpr uint64_t kMaxRunIds = uint64_t(1) << 20;  // ids a run-encoded vocabulary may hold
constexpr int kRowScaleMinCols = 16;  // int8 parameters at least this wide get one scale per row

// A parameter's storage in the tables section (the file-wide Storage plus column-scaled int8).
enum : uint8_t { kStoreF32 = 0, kStoreF16 = 1, kStoreInt8Rows = 2, kStoreInt8Cols = 3 };

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
    kLastKnown = kHistory
};

const char* section_name(uint32_t id) {
    switch (id) {
        case kConfig: return "config";
        case kUsers: return "users";
        case kItems: return "items";
        case kPopularity: return "popularity";
        case kOrder: return "order";
        case kTitles: return "titles";
        case kTables: return "tables";
        case kTraining: return "training";
        case kHistory: return "history";
    }
    return "unknown";
}

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

std::string shape_str(int64_t rows, int64_t cols) { return std::to_string(rows) + " x " + std::to_string(cols); }

// ---- shapes the config implies, computed without building anything -----------------------------------

struct Shape {
    std::string name;
    int64_t rows;
    int64_t cols;
};

std::vector<int64_t> block_sizes(const TableConfig& c, int64_t rows) {
    std::vector<int64_t> ends = c.block_ends, sizes;
    ends.push_back(rows);
    int64_t begin = 0;
    for (int64_t e : ends) {
        sizes.push_back(e - begin);
        begin = e;
    }
    return sizes;
}

// Mirrors the table constructors (tables.h); parse_model checks the built model against it again.
void add_table_shapes(const TableConfig& c, int64_t rows, const std::string& prefix, std::vector<Shape>& out) {
    switch (c.kind) {
        case TableKind::Full: out.push_back({prefix + ".embedding", rows, c.dim}); break;
        case TableKind::QuotientRemainder: {
            const int qdim = c.combiner == Combiner::Concat ? (c.dim + 1) / 2 : c.dim;
            const int rdim = c.combiner == Combiner::Concat ? c.dim - qdim : c.dim;
            out.push_back({prefix + ".quotient", std::max(c.buckets, (rows + c.buckets - 1) / c.buckets), qdim});
            out.push_back({prefix + ".remainder", c.buckets, rdim});
            break;
        }
        case TableKind::Hashed: out.push_back({prefix + ".hashed", c.buckets, c.dim}); break;
        case TableKind::MixedDimension: {
            const auto sizes = block_sizes(c, rows);
            for (size_t b = 0; b < sizes.size(); ++b) {
                const std::string name = prefix + ".block" + std::to_string(b);
                out.push_back({name, sizes[b] + 1, c.block_dims[b]});
                if (c.block_dims[b] != c.dim) {
                    out.push_back({name + ".projection", c.block_dims[b], c.dim});
                    if (c.projection_bias) out.push_back({name + ".bias", 1, c.dim});
                }
            }
            break;
        }
    }
}

// ---- writing ------------------------------------------------------------------------------------------

bool canonical_decimal(const std::string& s) {
    if (s.empty() || s.size() > 18) return false;
    if (s.size() > 1 && s[0] == '0') return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void write_vocabulary(ByteWriter& w, const Vocabulary& v) {
    const auto& ids = v.ids();
    if (!std::all_of(ids.begin(), ids.end(), canonical_decimal)) {
        w.u8(1);
        w.varint(ids.size());
        for (const auto& id : ids) w.str(id);
        return;
    }
    // Both encodings, to keep the shorter: differences, and runs of consecutive ids.
    ByteWriter deltas, runs;
    std::vector<std::pair<int64_t, int64_t>> spans;  // (first id, length)
    int64_t prev = 0;
    for (const auto& id : ids) {
        const int64_t x = std::stoll(id);
        deltas.svarint(x - prev);
        prev = x;
        if (!spans.empty() && spans.back().first + spans.back().second == x)
            ++spans.back().second;
        else
            spans.push_back({x, 1});
    }
    runs.varint(spans.size());
    int64_t next = 0;
    for (const auto& [first, length] : spans) {
        runs.svarint(first - next);
        runs.varint(static_cast<uint64_t>(length));
        next = first + length;
    }
    const bool use_runs = runs.data().size() < deltas.data().size() && ids.size() <= kMaxRunIds;
    w.u8(use_runs ? 2 : 0);
    w.varint(ids.size());
    const std::string& body = use_runs ? runs.data() : deltas.data();
    w.bytes(body.data(), body.size());
}

void write_table_config(ByteWriter& w, const EmbeddingTable& t, bool order_from_popularity) {
    const TableConfig c = t.config();
    w.u8(enum_entry(kTableKinds, c.kind).code);
    w.varint(static_cast<uint64_t>(c.dim));
    switch (c.kind) {
        case TableKind::Full: break;
        case TableKind::QuotientRemainder:
            w.varint(static_cast<uint64_t>(c.buckets));
            w.u8(enum_entry(kCombiners, c.combiner).code);
            break;
        case TableKind::Hashed: w.varint(static_cast<uint64_t>(c.buckets)); break;
        case TableKind::MixedDimension: {
            w.varint(c.block_dims.size());
            int64_t prev = 0;
            for (int64_t e : c.block_ends) {
                w.varint(static_cast<uint64_t>(e - prev));
                prev = e;
            }
            for (int d : c.block_dims) w.varint(static_cast<uint64_t>(d));
            w.u8(c.projection_bias ? 1 : 0);
            w.u8(order_from_popularity ? 0 : 1);
            break;
        }
    }
}

// Whether a mixed-dimension table's order is what the popularity section reproduces.
bool order_follows_popularity(const EmbeddingTable& t, const std::vector<int64_t>& counts) {
    const auto* md = dynamic_cast<const MixedDimensionEmbedding*>(&t);
    return md && static_cast<int64_t>(counts.size()) == t.rows() &&
           MixedDimensionEmbedding::frequency_order(counts) == md->order();
}

void write_param(ByteWriter& w, const Param& p, Storage storage) {
    w.str(p.name);
    w.varint(static_cast<uint64_t>(p.rows));
    w.varint(static_cast<uint64_t>(p.cols));
    const uint8_t code = storage == Storage::F32   ? kStoreF32
                         : storage == Storage::F16 ? kStoreF16
                         : p.cols >= kRowScaleMinCols ? kStoreInt8Rows
                                                      : kStoreInt8Cols;
    w.u8(code);
    auto out_of_range = [&](int64_t r) {
        return Error("cannot store " + p.name + " row " + std::to_string(r) + " as " + to_string(storage) +
                     ": it holds NaN, infinity or values beyond the f16 range");
    };
    switch (storage) {
        case Storage::F32:
            for (int64_t r = 0; r < p.rows; ++r)
                for (int c = 0; c < p.cols; ++c) w.f32(p.row(r)[c]);
            break;
        case Storage::F16:
            for (int64_t r = 0; r < p.rows; ++r)
                for (int c = 0; c < p.cols; ++c) {
                    const float x = p.row(r)[c];
                    const uint16_t h = float_to_half(x);
                    if (std::isfinite(x) && !std::isfinite(half_to_float(h))) throw out_of_range(r);
                    w.u16(h);
                }
            break;
        case Storage::Int8: {
            std::string q(static_cast<size_t>(p.rows) * static_cast<size_t>(p.cols), '\0');
            if (code == kStoreInt8Cols) {
                for (int c = 0; c < p.cols; ++c) {
                    float max_abs = 0.0f;
                    for (int64_t r = 0; r < p.rows; ++r) {
                        if (!std::isfinite(p.row(r)[c])) throw out_of_range(r);
                        max_abs = std::fmax(max_abs, std::fabs(p.row(r)[c]));
                    }
                    uint16_t scale = 0;
                    if (!int8_scale(max_abs, &scale)) throw out_of_range(0);
                    w.u16(scale);
                    const float s = half_to_float(scale);
                    for (int64_t r = 0; r < p.rows; ++r)
                        q[size_t(r) * size_t(p.cols) + size_t(c)] = static_cast<char>(quantize_int8(p.row(r)[c], s));
                }
                w.bytes(q.data(), q.size());
                break;
            }
            for (int64_t r = 0; r < p.rows; ++r) {
                uint16_t scale = 0;
                if (!quantize_row_int8(p.row(r), p.cols, reinterpret_cast<int8_t*>(&q[size_t(r) * size_t(p.cols)]),
                                       &scale))
                    throw out_of_range(r);
                w.u16(scale);
            }
            w.bytes(q.data(), q.size());
            break;
        }
    }
}

void write_training(ByteWriter& w, const TrainingInfo& info, const Metrics& eval) {
    w.str(info.preset);
    w.str(info.data_source);
    w.str(info.data_format);
    w.f64(info.train_fraction);
    w.u64(info.split_seed);
    w.u64(info.seed);
    detail::write_model_settings(w, info.train);
    w.f32(info.min_rating);
    w.f32(info.max_rating);
    w.f64(eval.mse);
    w.f64(eval.rmse);
    w.f64(eval.mae);
    w.varint(static_cast<uint64_t>(std::max<int64_t>(0, eval.count)));
}

void write_history(ByteWriter& w, const std::vector<EpochStats>& history) {
    w.varint(history.size());
    for (const auto& e : history) {
        w.varint(static_cast<uint64_t>(std::max(0, e.epoch)));
        w.f64(e.train_loss);
        w.f64(e.train_mae);
        w.f64(e.eval.mse);
        w.f64(e.eval.rmse);
        w.f64(e.eval.mae);
        w.varint(static_cast<uint64_t>(std::max<int64_t>(0, e.eval.count)));
        w.f64(e.seconds);
        w.f64(e.ratings_per_second);
    }
}

// ---- reading ------------------------------------------------------------------------------------------

struct Section {
    uint32_t id;
    uint64_t offset, size;
};

// Magic, version, header and section table, checked against the file size; then the checksum.
std::vector<Section> read_structure(const uint8_t* data, size_t size, Storage* storage, uint32_t* version_out) {
    ByteReader h(data, size, "");
    const uint8_t* magic = h.take(4, "magic");
    if (std::memcmp(magic, kMagic, 4) != 0) {
        std::string got;
        for (int i = 0; i < 4; ++i) got += (magic[i] >= 0x20 && magic[i] < 0x7f) ? char(magic[i]) : '?';
        throw FormatError("magic", "expected \"MREC\", got \"" + got + "\" (not a memrec model file)");
    }
    const uint32_t version = h.u32("version");
    if (version == 0 || version > kModelFormatVersion)
        throw FormatError("version", "expected 1.." + std::to_string(kModelFormatVersion) + ", got " +
                                         std::to_string(version) +
                                         (version > kModelFormatVersion ? " (written by a newer memrec)" : ""));
    const uint32_t n = h.u32("section count");
    if (n == 0 || n > kMaxSections)
        throw FormatError("section count", "expected 1.." + std::to_string(kMaxSections) + ", got " + std::to_string(n));
    const Storage s = read_code(h, kStorages, "storage");
    if (storage) *storage = s;
    if (version_out) *version_out = version;
    const uint8_t* reserved = h.take(3, "reserved");
    if (reserved[0] || reserved[1] || reserved[2]) throw FormatError("reserved", "expected zero bytes");

    const size_t table_end = kHeaderBytes + kEntryBytes * n;
    if (size < table_end + kChecksumBytes)
        throw FormatError("section table", "needs " + std::to_string(table_end + kChecksumBytes) +
                                               " bytes with the checksum, the file has " + std::to_string(size) +
                                               " (truncated)");
    const uint64_t sections_end = size - kChecksumBytes;
    std::vector<Section> out;
    uint64_t expected = table_end;
    for (uint32_t i = 0; i < n; ++i) {
        const std::string field = "section table[" + std::to_string(i) + "]";
        Section sec{h.u32(field + ".id"), h.u64(field + ".offset"), h.u64(field + ".size")};
        const std::string name = field + " (" + section_name(sec.id) + ")";
        for (const auto& prev : out)
            if (prev.id == sec.id && sec.id <= kLastKnown)
                throw FormatError(name + ".id", "section " + std::to_string(sec.id) + " appears twice");
        if (sec.offset != expected)
            throw FormatError(name + ".offset",
                              "expected " + std::to_string(expected) +
                                  (i == 0 ? " (right after the section table)" : " (where the previous section ends)") +
                                  ", got " + std::to_string(sec.offset) +
                                  (sec.offset < expected ? ": sections overlap" : ""));
        if (sec.size > sections_end - sec.offset)
            throw FormatError(name + ".size", "section of " + std::to_string(sec.size) + " bytes at offset " +
                                                  std::to_string(sec.offset) + " runs past the end of the sections (" +
                                                  std::to_string(sections_end) + "): truncated or corrupt");
        expected = sec.offset + sec.size;
        out.push_back(sec);
    }
    if (expected != sections_end)
        throw FormatError("section table", "sections end at " + std::to_string(expected) + ", expected " +
                                               std::to_string(sections_end) + " (where the checksum starts)");
    ByteReader tail(data + sections_end, kChecksumBytes, "");
    const uint32_t stored = tail.u32("checksum");
    const uint32_t computed = detail::crc32(data, static_cast<size_t>(sections_end));
    if (stored != computed)
        throw FormatError("checksum", "expected " + hex32(computed) + " (CRC-32 of the content), got " +
                                          hex32(stored) + ": the file is corrupt");
    return out;
}

struct TableSpec {
    TableConfig config;
    bool explicit_order = false;
};

TableSpec read_table_config(ByteReader& r, const std::string& table, int64_t rows) {
    TableSpec spec;
    TableConfig& c = spec.config;
    c.kind = read_code(r, kTableKinds, table + ".kind");
    c.dim = static_cast<int>(r.varint_in(table + ".dim", 1, 4096));
    if (c.kind == TableKind::QuotientRemainder || c.kind == TableKind::Hashed)
        c.buckets = static_cast<int64_t>(r.varint_in(table + ".buckets", 1, kMaxRows));
    if (c.kind == TableKind::QuotientRemainder) {
        c.combiner = read_code(r, kCombiners, table + ".combiner");
        if (c.combiner == Combiner::Concat && c.dim < 2) r.fail(table + ".dim", "the concat combiner needs dim >= 2");
    }
    if (c.kind == TableKind::MixedDimension) {
        const auto blocks = r.varint_in(table + ".blocks", 1, std::min<uint64_t>(255, uint64_t(rows)));
        int64_t end = 0;
        for (uint64_t b = 0; b + 1 < blocks; ++b) {
            const std::string f = table + ".block" + std::to_string(b) + ".length";
            end += static_cast<int64_t>(r.varint_in(f, 1, uint64_t(rows - 1 - end)));
            if (end >= rows) r.fail(f, "block ends must stay below the rows (" + std::to_string(rows) + ")");
            c.block_ends.push_back(end);
        }
        for (uint64_t b = 0; b < blocks; ++b)
            c.block_dims.push_back(
                static_cast<int>(r.varint_in(table + ".block" + std::to_string(b) + ".dim", 1, uint64_t(c.dim))));
        const uint8_t pb = r.u8(table + ".projection bias");
        if (pb > 1) r.fail(table + ".projection bias", "expected 0 or 1, got " + std::to_string(pb));
        c.projection_bias = pb == 1;
        const uint8_t os = r.u8(table + ".order source");
        if (os > 1) r.fail(table + ".order source", "expected 0 (popularity) or 1 (explicit), got " + std::to_string(os));
        if (os == 0 && table != "item")
            r.fail(table + ".order source", "expected 1 (explicit): only the item table can follow popularity");
        spec.explicit_order = os == 1;
    }
    try {
        c.validate(rows);
    } catch (const ConfigError& e) {
        r.fail(table, e.what());
    }
    return spec;
}

Vocabulary read_vocabulary(ByteReader& r, int64_t rows) {
    const uint8_t enc = r.u8("encoding");
    if (enc > 2)
        r.fail("encoding", "expected 0 (decimal), 1 (strings) or 2 (decimal runs), got " + std::to_string(enc));
    // Encodings 0 and 1 take a byte or more per id, so the bytes that remain bound the count; runs do not,
    // so their count has a limit of its own (a corrupt file must not make the loader build 2^31 ids).
    const uint64_t n = enc == 2 ? r.varint("count") : r.count("count", 1);
    if (n != uint64_t(rows))
        r.fail("count", "expected " + std::to_string(rows) + " (the config's rows), got " + std::to_string(n));
    if (enc == 2 && n > kMaxRunIds)
        r.fail("count", std::to_string(n) + " ids in runs, more than the limit of " + std::to_string(kMaxRunIds));
    Vocabulary v;
    v.reserve(static_cast<size_t>(n));
    auto add = [&](const std::string& id, uint64_t i) {
        if (v.add(id) != static_cast<int32_t>(i))
            r.fail("id", "entry " + std::to_string(i) + " repeats id '" + id + "' (entry " +
                             std::to_string(v.find(id)) + ")");
    };
    // prev + delta, failing unless it is a decimal id (below 10^18); both operands are checked first so
    // the sum cannot overflow.
    auto offset_id = [&](int64_t prev, int64_t delta, const std::string& field, const std::string& what) {
        if (delta > int64_t(kMaxDecimalId) || delta < -int64_t(kMaxDecimalId) || prev + delta < 0 ||
            prev + delta > int64_t(kMaxDecimalId))
            r.fail(field, what + " is out of range (expected 0..10^18-1)");
        return prev + delta;
    };
    if (enc == 2) {
        const uint64_t runs = r.count("runs", 2);
        if (runs > n) r.fail("runs", "expected at most " + std::to_string(n) + " (one id each), got " +
                                         std::to_string(runs));
        uint64_t i = 0;
        int64_t next = 0;
        for (uint64_t k = 0; k < runs; ++k) {
            const std::string run = "run " + std::to_string(k);
            const int64_t first = offset_id(next, r.svarint("run start"), "run start", run);
            const uint64_t length = r.varint("run length");
            if (length == 0 || length > n - i)
                r.fail("run length", run + ": expected 1.." + std::to_string(n - i) + " (ids left), got " +
                                         std::to_string(length));
            if (uint64_t(first) + length - 1 > kMaxDecimalId)
                r.fail("run length", run + " runs past the largest id (10^18-1)");
            for (uint64_t j = 0; j < length; ++j, ++i) add(std::to_string(first + int64_t(j)), i);
            next = first + int64_t(length);
        }
        if (i != n) r.fail("runs", "the runs hold " + std::to_string(i) + " ids, expected " + std::to_string(n));
        r.expect_end();
        return v;
    }
    int64_t prev = 0;
    for (uint64_t i = 0; i < n; ++i) {
        std::string id;
        if (enc == 0) {
            prev = offset_id(prev, r.svarint("id"), "id", "entry " + std::to_string(i));
            id = std::to_string(prev);
        } else {
            id = r.str("id");
        }
        add(id, i);
    }
    r.expect_end();
    return v;
}

std::vector<int32_t> read_permutation(ByteReader& r, const std::string& table, int64_t rows) {
    const uint64_t n = r.count(table + ".count", 1);
    if (n != uint64_t(rows))
        r.fail(table + ".count", "expected " + std::to_string(rows) + " (the table's rows), got " + std::to_string(n));
    std::vector<int32_t> order(static_cast<size_t>(n));
    std::vector<uint8_t> seen(static_cast<size_t>(n), 0);
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t id = r.varint(table + ".id");
        if (id >= n) r.fail(table + ".id", "entry " + std::to_string(i) + ": expected 0.." + std::to_string(n - 1) +
                                               ", got " + std::to_string(id));
        if (seen[size_t(id)]) r.fail(table + ".id", "entry " + std::to_string(i) + " repeats " + std::to_string(id));
        seen[size_t(id)] = 1;
        order[size_t(i)] = static_cast<int32_t>(id);
    }
    return order;
}

struct StoredParam {
    uint8_t storage;  // kStore*
    const uint8_t* data;
};

std::vector<StoredParam> read_tables(ByteReader& r, const std::vector<Shape>& expected) {
    const uint64_t n = r.count("count", 4);
    if (n != expected.size())
        r.fail("count", "expected " + std::to_string(expected.size()) + " parameters (from the config), got " +
                            std::to_string(n));
    std::vector<StoredParam> out;
    for (const Shape& s : expected) {
        const std::string name = r.str(s.name + ".name");
        if (name != s.name) r.fail(s.name + ".name", "expected '" + s.name + "', got '" + name + "'");
        const uint64_t rows = r.varint(s.name + ".rows");
        const uint64_t cols = r.varint(s.name + ".cols");
        if (rows != uint64_t(s.rows) || cols != uint64_t(s.cols))
            r.fail(s.name + ".shape", "expected " + shape_str(s.rows, s.cols) + " (from the config), got " +
                                          std::to_string(rows) + " x " + std::to_string(cols));
        const uint8_t st = r.u8(s.name + ".storage");
        if (st > kStoreInt8Cols)
            r.fail(s.name + ".storage", "expected 0 (f32), 1 (f16), 2 (int8, row scales) or 3 (int8, column "
                                        "scales), got " + std::to_string(st));
        // rows < 2^31 and cols <= 4096: no overflow.
        const uint64_t values = rows * cols;
        const uint64_t bytes = st == kStoreF32         ? 4 * values
                               : st == kStoreF16       ? 2 * values
                               : st == kStoreInt8Rows  ? 2 * rows + values
                                                       : 2 * cols + values;
        if (bytes > r.remaining())
            r.fail(s.name + ".data", "needs " + std::to_string(bytes) + " bytes for " + shape_str(s.rows, s.cols) +
                                         " at storage " + std::to_string(st) + ", only " +
                                         std::to_string(r.remaining()) + " remain");
        out.push_back({st, r.take(static_cast<size_t>(bytes), s.name + ".data")});
    }
    r.expect_end();
    return out;
}

void fill_param(Param& p, const StoredParam& s) {
    const uint8_t* d = s.data;
    auto le32 = [](const uint8_t* b) {
        return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
    };
    auto le16 = [](const uint8_t* b) { return static_cast<uint16_t>(b[0] | b[1] << 8); };
    const size_t cols = static_cast<size_t>(p.cols);
    std::vector<float> col_scale;  // int8 with column scales: decoded once, not per row
    if (s.storage == kStoreInt8Cols)
        for (size_t c = 0; c < cols; ++c) col_scale.push_back(half_to_float(le16(d + 2 * c)));
    for (int64_t r = 0; r < p.rows; ++r) {
        float* row = p.row(r);
        switch (s.storage) {
            case kStoreF32:
                for (size_t c = 0; c < cols; ++c) {
                    const uint32_t b = le32(d + 4 * (size_t(r) * cols + c));
                    std::memcpy(&row[c], &b, 4);
                }
                break;
            case kStoreF16:
                for (size_t c = 0; c < cols; ++c) row[c] = half_to_float(le16(d + 2 * (size_t(r) * cols + c)));
                break;
            case kStoreInt8Rows:
                dequantize_row_int8(reinterpret_cast<const int8_t*>(d + 2 * size_t(p.rows) + size_t(r) * cols),
                                    p.cols, le16(d + 2 * size_t(r)), row);
                break;
            case kStoreInt8Cols:
                for (size_t c = 0; c < cols; ++c)
                    row[c] = static_cast<float>(static_cast<int8_t>(d[2 * cols + size_t(r) * cols + c])) * col_scale[c];
                break;
        }
    }
}

void read_training(ByteReader& r, TrainingInfo& info, Metrics& eval, uint32_t version) {
    info.preset = r.str("preset");
    info.data_source = r.str("data source");
    info.data_format = r.str("data format");
    info.train_fraction = r.f64("train fraction");
    if (!(info.train_fraction > 0.0 && info.train_fraction < 1.0))
        r.fail("train fraction", "expected a value in (0, 1), got " + std::to_string(info.train_fraction));
    info.split_seed = r.u64("split seed");
    info.seed = r.u64("seed");
    detail::read_model_settings(r, info.train, version);
    info.min_rating = r.f32("min rating");
    info.max_rating = r.f32("max rating");
    eval.mse = r.f64("eval mse");
    eval.rmse = r.f64("eval rmse");
    eval.mae = r.f64("eval mae");
    eval.count = static_cast<int64_t>(r.varint_in("eval count", 0, uint64_t(std::numeric_limits<int64_t>::max())));
    r.expect_end();
}

std::vector<EpochStats> read_history(ByteReader& r) {
    constexpr size_t kMinEpochBytes = 1 + 8 * 5 + 1 + 8 * 2;
    const uint64_t n = r.count("epochs", kMinEpochBytes);
    std::vector<EpochStats> out(static_cast<size_t>(n));
    for (auto& e : out) {
        e.epoch = static_cast<int>(r.varint_in("epoch", 0, kMaxRows));
        e.train_loss = r.f64("train loss");
        e.train_mae = r.f64("train mae");
        e.eval.mse = r.f64("eval mse");
        e.eval.rmse = r.f64("eval rmse");
        e.eval.mae = r.f64("eval mae");
        e.eval.count = static_cast<int64_t>(r.varint_in("eval count", 0, uint64_t(std::numeric_limits<int64_t>::max())));
        e.seconds = r.f64("seconds");
        e.ratings_per_second = r.f64("ratings per second");
    }
    r.expect_end();
    return out;
}

}  // namespace

const char* to_string(Storage s) { return enum_entry(kStorages, s).name; }

Storage parse_storage(const std::string& s) {
    if (const auto* e = enum_by_name(kStorages, s)) return e->value;
    throw ConfigError("unknown storage '" + s + "' (expected " + enum_list(kStorages, false) + ")");
}

std::string serialize_model(const ModelFile& file, Storage storage, bool with_titles) {
    if (!file.model) throw Error("serialize_model: the model file has no model");
    const Model& m = *file.model;
    if (file.users.size() != m.users())
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

    const bool item_order_from_popularity = order_follows_popularity(m.item_table(), file.item_counts);
    std::vector<std::pair<uint32_t, ByteWriter>> sections;
    auto section = [&](uint32_t id) -> ByteWriter& {
        sections.emplace_back(id, ByteWriter{});
        return sections.back().second;
    };

    {
        ByteWriter& w = section(kConfig);
        w.f32(m.scale());
        const ModelConfig& c = m.config();
        w.u8(static_cast<uint8_t>((c.global_bias ? 1 : 0) | (c.user_bias ? 2 : 0) | (c.item_bias ? 4 : 0)));
        w.varint(static_cast<uint64_t>(m.users()));
        w.varint(static_cast<uint64_t>(m.items()));
        write_table_config(w, m.user_table(), false);
        write_table_config(w, m.item_table(), item_order_from_popularity);
    }
    write_vocabulary(section(kUsers), file.users);
    write_vocabulary(section(kItems), file.items);
    {
        ByteWriter& w = section(kPopularity);
        w.varint(file.item_counts.size());
        for (int64_t c : file.item_counts) w.varint(static_cast<uint64_t>(c));
    }
    {
        const auto* mu = dynamic_cast<const MixedDimensionEmbedding*>(&m.user_table());
        const auto* mi = dynamic_cast<const MixedDimensionEmbedding*>(&m.item_table());
        if (mu || (mi && !item_order_from_popularity)) {
            ByteWriter& w = section(kOrder);
            for (const auto* md : {mu, item_order_from_popularity ? nullptr : mi}) {
                if (!md) continue;
                w.varint(md->order().size());
                for (int32_t id : md->order()) w.varint(static_cast<uint64_t>(id));
            }
        }
    }
    if (with_titles && !file.titles.empty()) {
        ByteWriter& w = section(kTitles);
        w.varint(file.titles.size());
        for (const auto& t : file.titles) w.str(t);
    }
    {
        ByteWriter& w = section(kTables);
        const auto params = m.params();
        w.varint(params.size());
        for (const Param* p : params) write_param(w, *p, storage);
    }
    write_training(section(kTraining), file.info, file.eval);
    write_history(section(kHistory), file.history);

    ByteWriter out;
    out.bytes(kMagic, 4);
    out.u32(kModelFormatVersion);
    out.u32(static_cast<uint32_t>(sections.size()));
    out.u8(enum_entry(kStorages, storage).code);
    out.u8(0);
    out.u8(0);
    out.u8(0);
    uint64_t offset = kHeaderBytes + kEntryBytes * sections.size();
    for (auto& [id, w] : sections) {
        out.u32(id);
        out.u64(offset);
        out.u64(w.size());
        offset += w.size();
    }
    for (auto& s : sections) out.bytes(s.second.data().data(), s.second.size());
    out.u32(detail::crc32(reinterpret_cast<const uint8_t*>(out.data().data()), out.size()));
    return std::move(out.data());
}

std::vector<SectionInfo> model_sections(const uint8_t* data, size_t size) {
    std::vector<SectionInfo> out;
    for (const Section& s : read_structure(data, size, nullptr, nullptr)) out.push_back({s.id, section_name(s.id), s.offset, s.size});
    return out;
}

ModelFile parse_model(const uint8_t* data, size_t size) {
    ModelFile file;
    const std::vector<Section> sections = read_structure(data, size, &file.storage, &file.format_version);
    const uint32_t version = file.format_version;
    auto find = [&](uint32_t id, bool required) -> const Section* {
        for (const auto& s : sections)
            if (s.id == id) return &s;
        if (required)
            throw FormatError(section_name(id), "required section (id " + std::to_string(id) + ") is missing");
        return nullptr;
    };
    auto reader = [&](const Section& s) {
        return ByteReader(data + s.offset, static_cast<size_t>(s.size), section_name(s.id));
    };

    // config
    ByteReader cr = reader(*find(kConfig, true));
    const float scale = cr.f32("scale");
    if (!(scale > 0.0f) || !std::isfinite(scale))
        cr.fail("scale", "expected a positive finite number, got " + std::to_string(scale));
    const uint8_t flags = cr.u8("bias flags");
    if (flags > 7) cr.fail("bias flags", "expected bits 0..2 only, got " + std::to_string(flags));
    const int64_t users = static_cast<int64_t>(cr.varint_in("user rows", 1, kMaxRows));
    const int64_t items = static_cast<int64_t>(cr.varint_in("item rows", 1, kMaxRows));
    const TableSpec user_spec = read_table_config(cr, "user", users);
    const TableSpec item_spec = read_table_config(cr, "item", items);
    cr.expect_end();
    if (user_spec.config.dim != item_spec.config.dim)
        throw FormatError("config.item.dim", "expected " + std::to_string(user_spec.config.dim) +
                                                 " (the user table's dim), got " + std::to_string(item_spec.config.dim));

    // vocabularies, popularity, order, titles
    {
        ByteReader r = reader(*find(kUsers, true));
        file.users = read_vocabulary(r, users);
    }
    {
        ByteReader r = reader(*find(kItems, true));
        file.items = read_vocabulary(r, items);
    }
    {
        ByteReader r = reader(*find(kPopularity, true));
        const uint64_t n = r.count("count", 1);
        if (n != 0 && n != uint64_t(items))
            r.fail("count", "expected 0 or " + std::to_string(items) + " (the item rows), got " + std::to_string(n));
        file.item_counts.resize(static_cast<size_t>(n));
        for (auto& c : file.item_counts)
            c = static_cast<int64_t>(r.varint_in("item count", 0, uint64_t(std::numeric_limits<int64_t>::max())));
        r.expect_end();
    }
    std::vector<int32_t> user_order, item_order;
    {
        const Section* s = find(kOrder, false);
        const bool needed = user_spec.config.kind == TableKind::MixedDimension ||
                            (item_spec.config.kind == TableKind::MixedDimension && item_spec.explicit_order);
        if (needed && !s) throw FormatError("order", "required by a mixed-dimension table but missing");
        if (!needed && s) throw FormatError("order", "present but no table has an explicit order");
        if (s) {
            ByteReader r = reader(*s);
            if (user_spec.config.kind == TableKind::MixedDimension) user_order = read_permutation(r, "user", users);
            if (item_spec.config.kind == TableKind::MixedDimension && item_spec.explicit_order)
                item_order = read_permutation(r, "item", items);
            r.expect_end();
        }
        if (item_spec.config.kind == TableKind::MixedDimension && !item_spec.explicit_order) {
            if (file.item_counts.empty())
                throw FormatError("config.item.order source", "expected 1 (explicit): the popularity section is empty");
            item_order = MixedDimensionEmbedding::frequency_order(file.item_counts);
        }
    }
    if (const Section* s = find(kTitles, false)) {
        ByteReader r = reader(*s);
        const uint64_t n = r.count("count", 1);
        if (n != uint64_t(items))
            r.fail("count", "expected " + std::to_string(items) + " (the item rows), got " + std::to_string(n));
        file.titles.resize(static_cast<size_t>(n));
        for (auto& t : file.titles) t = r.str("title");
        r.expect_end();
    }

    // tables: every stored shape is checked against the config before anything is allocated for it
    std::vector<Shape> shapes;
    add_table_shapes(user_spec.config, users, "user", shapes);
    add_table_shapes(item_spec.config, items, "item", shapes);
    if (flags & 1) shapes.push_back({"bias.global", 1, 1});
    if (flags & 2) shapes.push_back({"bias.user", users, 1});
    if (flags & 4) shapes.push_back({"bias.item", items, 1});
    ByteReader tr = reader(*find(kTables, true));
    const std::vector<StoredParam> stored = read_tables(tr, shapes);

    auto build = [](const TableSpec& spec, int64_t rows, const char* prefix, std::vector<int32_t> order) {
        try {
            if (spec.config.kind == TableKind::MixedDimension)
                return std::unique_ptr<EmbeddingTable>(std::make_unique<MixedDimensionEmbedding>(
                    rows, spec.config.dim, std::move(order), spec.config.block_ends, spec.config.block_dims,
                    spec.config.projection_bias, prefix));
            return make_table(spec.config, rows, prefix);
        } catch (const ConfigError& e) {
            throw FormatError(std::string("config.") + prefix, e.what());
        }
    };
    ModelConfig mc;
    mc.global_bias = flags & 1;
    mc.user_bias = flags & 2;
    mc.item_bias = flags & 4;
    auto user_table = build(user_spec, users, "user", std::move(user_order));
    auto item_table = build(item_spec, items, "item", std::move(item_order));
    mc.user = user_table->config();
    mc.item = item_table->config();
    file.model = std::make_unique<Model>(mc, std::move(user_table), std::move(item_table), scale);
    const auto params = file.model->params();
    if (params.size() != shapes.size())
        throw FormatError("tables.count", "the rebuilt model has " + std::to_string(params.size()) +
                                              " parameters, the config implies " + std::to_string(shapes.size()));
    for (size_t i = 0; i < params.size(); ++i) {
        Param& p = *params[i];
        if (p.name != shapes[i].name || p.rows != shapes[i].rows || p.cols != shapes[i].cols)
            throw FormatError("tables." + shapes[i].name, "the rebuilt model has " + p.name + " " +
                                                              shape_str(p.rows, p.cols) + ", expected " +
                                                              shape_str(shapes[i].rows, shapes[i].cols));
        fill_param(p, stored[i]);
    }

    {
        ByteReader r = reader(*find(kTraining, true));
        read_training(r, file.info, file.eval, version);
    }
    {
        ByteReader r = reader(*find(kHistory, true));
        file.history = read_history(r);
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

void save_model(const ModelFile& file, const std::string& path, Storage storage, bool with_titles) {
    write_file_atomic(path, serialize_model(file, storage, with_titles));
}

}  // namespace memrec
