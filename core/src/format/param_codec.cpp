// The tables section: each parameter's name, shape and values at f32, f16, int8 (row or column scales),
// int4 (rows with an f16 scale and offset) or product codes (pq_codec.cpp).
#include <cmath>
#include <cstring>

#include "memrec/quantize.h"
#include "model_sections.h"

namespace memrec::detail {

namespace {

constexpr int kRowScaleMinCols = 16;  // int8 parameters at least this wide get one scale per row
// int4 rows cost ceil(cols/2) + 4 bytes, fewer than int8's cols (column scales) from 9 columns on.
constexpr int kInt4MinCols = 9;
constexpr uint8_t kInt4Bits = 4;  // the code width stored before int4 rows (FBGEMM's fused rows also have 2)

// A parameter's storage in the tables section (the file-wide Storage made concrete per parameter).
enum : uint8_t { kStoreF32 = 0, kStoreF16 = 1, kStoreInt8Rows = 2, kStoreInt8Cols = 3, kStoreInt4Rows = 4, kStorePq = 5 };

std::string shape_str(int64_t rows, int64_t cols) { return std::to_string(rows) + " x " + std::to_string(cols); }

// Only embedding rows go to int4: projections and biases touch every row of their table and are a small
// part of the file, so they keep int8's precision.
// Stored codes are reused when no pq options are given or when they ask for what the codes already are.
bool reuse_codes(const ProductCodes* codes, const PqOptions& pq) {
    return codes && (pq.subspaces == 0 || (pq.subspaces == codes->subspaces && pq.bits == codes->bits &&
                                           pq.codebook == codes->codebook));
}

// Pq: as int4 does, only embedding rows, and only those whose columns split into the subspaces; the rest
// (projections, biases, a table of another width) as int8.
uint8_t storage_code(const Param& p, Storage storage, const PqOptions& pq, const ProductCodes* codes) {
    switch (storage) {
        case Storage::F32: return kStoreF32;
        case Storage::F16: return kStoreF16;
        case Storage::Pq:
            if (reuse_codes(codes, pq) || pq_applies(p, pq)) return kStorePq;
            if (pq.subspaces == 0 && p.role == Role::Embedding && p.rows > 0)
                throw ConfigError("cannot store " + p.name + " as pq: no subspace count given and no stored codes");
            break;
        case Storage::Int4:
            if (p.role == Role::Embedding && p.cols >= kInt4MinCols) return kStoreInt4Rows;
            [[fallthrough]];
        case Storage::Int8: break;
    }
    return p.cols >= kRowScaleMinCols ? kStoreInt8Rows : kStoreInt8Cols;
}

Error out_of_range(const Param& p, Storage storage, int64_t r) {
    return Error("cannot store " + p.name + " row " + std::to_string(r) + " as " + to_string(storage) +
                 ": it holds NaN, infinity or values beyond the f16 range");
}

void write_f16(ByteWriter& w, const Param& p) {
    for (int64_t r = 0; r < p.rows; ++r)
        for (int c = 0; c < p.cols; ++c) {
            const float x = p.row(r)[c];
            const uint16_t h = float_to_half(x);
            if (std::isfinite(x) && !std::isfinite(half_to_float(h)))
                throw Error("cannot store " + p.name + " row " + std::to_string(r) + " as f16: a value (" +
                            std::to_string(x) + ") exceeds 65504, the largest f16");
            w.u16(h);
        }
}

void write_int8_cols(ByteWriter& w, const Param& p, Storage storage) {
    std::string q(static_cast<size_t>(p.rows) * static_cast<size_t>(p.cols), '\0');
    for (int c = 0; c < p.cols; ++c) {
        float max_abs = 0.0f;
        for (int64_t r = 0; r < p.rows; ++r) {
            if (!std::isfinite(p.row(r)[c])) throw out_of_range(p, storage, r);
            max_abs = std::fmax(max_abs, std::fabs(p.row(r)[c]));
        }
        uint16_t scale = 0;
        if (!int8_scale(max_abs, &scale)) throw out_of_range(p, storage, 0);
        w.u16(scale);
        const float s = half_to_float(scale);
        for (int64_t r = 0; r < p.rows; ++r)
            q[size_t(r) * size_t(p.cols) + size_t(c)] = static_cast<char>(quantize_int8(p.row(r)[c], s));
    }
    w.bytes(q.data(), q.size());
}

void write_int8_rows(ByteWriter& w, const Param& p, Storage storage) {
    std::string q(static_cast<size_t>(p.rows) * static_cast<size_t>(p.cols), '\0');
    for (int64_t r = 0; r < p.rows; ++r) {
        uint16_t scale = 0;
        if (!quantize_row_int8(p.row(r), p.cols, reinterpret_cast<int8_t*>(&q[size_t(r) * size_t(p.cols)]), &scale))
            throw out_of_range(p, storage, r);
        w.u16(scale);
    }
    w.bytes(q.data(), q.size());
}

void write_int4_rows(ByteWriter& w, const Param& p) {
    w.u8(kInt4Bits);
    std::vector<uint8_t> row(int4_row_bytes(p.cols));
    for (int64_t r = 0; r < p.rows; ++r) {
        if (!quantize_row_int4(p.row(r), p.cols, row.data())) throw out_of_range(p, Storage::Int4, r);
        w.bytes(row.data(), row.size());
    }
}

// Every int4 row's scale and offset finite (the scale >= 0) and an odd row's padding nibble zero, so a
// loaded row never holds NaN or infinity and each row has one encoding.
void check_int4_rows(const ByteReader& r, const std::string& name, const uint8_t* data, uint64_t rows, int cols) {
    const size_t row_bytes = int4_row_bytes(cols), codes = row_bytes - 4;
    for (uint64_t i = 0; i < rows; ++i) {
        const uint8_t* row = data + i * row_bytes;
        auto field = [&](const char* part) { return name + ".data[row " + std::to_string(i) + "]." + part; };
        const float scale = half_to_float(static_cast<uint16_t>(row[codes] | row[codes + 1] << 8));
        const float offset = half_to_float(static_cast<uint16_t>(row[codes + 2] | row[codes + 3] << 8));
        if (!std::isfinite(scale) || scale < 0.0f)
            r.fail(field("scale"), "expected a finite f16 >= 0, got " + std::to_string(scale));
        if (!std::isfinite(offset)) r.fail(field("offset"), "expected a finite f16, got " + std::to_string(offset));
        if (cols % 2 == 1 && (row[codes - 1] >> 4) != 0)
            r.fail(field("padding"), "expected 0 in the high nibble after the last code, got " +
                                           std::to_string(row[codes - 1] >> 4));
    }
}

// Every stored f32 value, f16 value and int8 scale finite, so a loaded model never predicts NaN: the
// first that is not is named with its row (or column, for column scales).
void check_finite(const ByteReader& r, const std::string& name, uint8_t storage, const uint8_t* d, uint64_t rows,
                  uint64_t cols) {
    auto f32_bad = [&](uint64_t i) { return (d[4 * i + 3] & 0x7F) == 0x7F && (d[4 * i + 2] & 0x80) != 0; };
    auto f16_bad = [&](uint64_t i) { return (d[2 * i + 1] & 0x7C) == 0x7C; };
    auto fail = [&](const std::string& field, const char* what) {
        r.fail(name + ".data" + field, std::string("expected a finite ") + what + ", got NaN or infinity");
    };
    switch (storage) {
        case kStoreF32:
            for (uint64_t i = 0; i < rows * cols; ++i)
                if (f32_bad(i)) fail("[row " + std::to_string(i / cols) + "]", "value");
            break;
        case kStoreF16:
            for (uint64_t i = 0; i < rows * cols; ++i)
                if (f16_bad(i)) fail("[row " + std::to_string(i / cols) + "]", "value");
            break;
        case kStoreInt8Rows:
            for (uint64_t i = 0; i < rows; ++i)
                if (f16_bad(i)) fail("[row " + std::to_string(i) + "].scale", "f16 scale");
            break;
        case kStoreInt8Cols:
            for (uint64_t i = 0; i < cols; ++i)
                if (f16_bad(i)) fail("[column " + std::to_string(i) + "].scale", "f16 scale");
            break;
        default: break;  // int4: check_int4_rows
    }
}

}  // namespace

void write_param(ByteWriter& w, const Param& p, Storage storage, const PqOptions& pq, const ProductCodes* codes) {
    w.str(p.name);
    w.varint(static_cast<uint64_t>(p.rows));
    w.varint(static_cast<uint64_t>(p.cols));
    const uint8_t code = storage_code(p, storage, pq, codes);
    w.u8(code);
    switch (code) {
        case kStoreF32:
            for (int64_t r = 0; r < p.rows; ++r)
                for (int c = 0; c < p.cols; ++c) w.f32(p.row(r)[c]);
            break;
        case kStoreF16: write_f16(w, p); break;
        case kStoreInt8Rows: write_int8_rows(w, p, storage); break;
        case kStoreInt8Cols: write_int8_cols(w, p, storage); break;
        case kStoreInt4Rows: write_int4_rows(w, p); break;
        case kStorePq: write_pq(w, reuse_codes(codes, pq) ? *codes : train_product_codes(p, pq)); break;
    }
}

std::vector<StoredParam> read_tables(ByteReader& r, const std::vector<ParamSpec>& expected, uint32_t version) {
    const uint64_t n = r.count("count", 4);
    if (n != expected.size())
        r.fail("count", "expected " + std::to_string(expected.size()) + " parameters (from the config), got " +
                            std::to_string(n));
    std::vector<StoredParam> out;
    for (const ParamSpec& s : expected) {
        const std::string name = r.str(s.name + ".name");
        if (name != s.name) r.fail(s.name + ".name", "expected '" + s.name + "', got '" + name + "'");
        const uint64_t rows = r.varint(s.name + ".rows");
        const uint64_t cols = r.varint(s.name + ".cols");
        if (rows != uint64_t(s.rows) || cols != uint64_t(s.cols))
            r.fail(s.name + ".shape", "expected " + shape_str(s.rows, s.cols) + " (from the config), got " +
                                          std::to_string(rows) + " x " + std::to_string(cols));
        const uint8_t st = r.u8(s.name + ".storage");
        const uint8_t last = version >= format_version_for(Storage::Pq)     ? kStorePq
                             : version >= format_version_for(Storage::Int4) ? kStoreInt4Rows
                                                                            : kStoreInt8Cols;
        if (st > last)
            r.fail(s.name + ".storage", std::string("expected 0 (f32), 1 (f16), 2 (int8, row scales)") +
                                            (last == kStorePq         ? ", 3 (int8, column scales), 4 (int4 rows) or 5 (pq)"
                                             : last == kStoreInt4Rows ? ", 3 (int8, column scales) or 4 (int4 rows)"
                                                                      : " or 3 (int8, column scales)") +
                                            ", got " + std::to_string(st));
        if (st == kStorePq) {
            if (s.role != Role::Embedding || rows == 0)
                r.fail(s.name + ".storage", "5 (pq) holds embedding rows only, and at least one");
            out.push_back({st, nullptr, read_pq(r, s.name, rows, s.cols)});
            continue;
        }
        const uint8_t bits = st == kStoreInt4Rows ? r.u8(s.name + ".bits") : kInt4Bits;
        if (bits != kInt4Bits)
            r.fail(s.name + ".bits", "expected a code width of " + std::to_string(kInt4Bits) + ", got " +
                                         std::to_string(bits));
        // rows < 2^31 and cols <= 4096: no overflow.
        const uint64_t values = rows * cols;
        const uint64_t bytes = st == kStoreF32        ? 4 * values
                               : st == kStoreF16      ? 2 * values
                               : st == kStoreInt8Rows ? 2 * rows + values
                               : st == kStoreInt8Cols ? 2 * cols + values
                                                      : rows * int4_row_bytes(s.cols);
        if (bytes > r.remaining())
            r.fail(s.name + ".data", "needs " + std::to_string(bytes) + " bytes for " + shape_str(s.rows, s.cols) +
                                         " at storage " + std::to_string(st) + ", only " +
                                         std::to_string(r.remaining()) + " remain");
        out.push_back({st, r.take(static_cast<size_t>(bytes), s.name + ".data"), nullptr});
        if (st == kStoreInt4Rows) check_int4_rows(r, s.name, out.back().data, rows, s.cols);
        else check_finite(r, s.name, st, out.back().data, rows, cols);
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
            case kStoreInt4Rows: dequantize_row_int4(d + size_t(r) * int4_row_bytes(p.cols), p.cols, row); break;
            case kStorePq: s.pq->decode_row(r, row); break;
        }
    }
}

}  // namespace memrec::detail
