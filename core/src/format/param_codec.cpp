// The tables section: each parameter's name, shape and values at f32, f16 or int8 (row or column scales).
#include <cmath>
#include <cstring>

#include "memrec/quantize.h"
#include "model_sections.h"

namespace memrec::detail {

namespace {

constexpr int kRowScaleMinCols = 16;  // int8 parameters at least this wide get one scale per row

// A parameter's storage in the tables section (the file-wide Storage plus column-scaled int8).
enum : uint8_t { kStoreF32 = 0, kStoreF16 = 1, kStoreInt8Rows = 2, kStoreInt8Cols = 3 };

std::string shape_str(int64_t rows, int64_t cols) { return std::to_string(rows) + " x " + std::to_string(cols); }

}  // namespace

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

std::vector<StoredParam> read_tables(ByteReader& r, const std::vector<ParamSpec>& expected) {
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

}  // namespace memrec::detail
