#include <cmath>
#include <cstring>

#include "memrec/quantize.h"

namespace memrec {

uint16_t float_to_half(float x) {
    uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
    uint32_t a = bits & 0x7fffffffu;
    if (a >= 0x7f800000u)  // inf, or NaN (kept quiet, top payload bits kept)
        return static_cast<uint16_t>(sign | 0x7c00u | (a > 0x7f800000u ? 0x200u | ((a >> 13) & 0x3ffu) : 0u));
    if (a >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // >= 65520 rounds to inf
    if (a < 0x38800000u) {
        // Below the smallest normal half (2^-14): a subnormal counts units of 2^-24. Scaling by 2^24 is exact
        // and nearbyint rounds ties to even in the default rounding mode. 0x400 is the smallest normal.
        float f;
        std::memcpy(&f, &a, sizeof f);
        return static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(f * 16777216.0f)));
    }
    // Normal: drop 13 mantissa bits rounding to nearest even (a carry correctly bumps the exponent), then
    // rebias the exponent from 127 to 15.
    a += 0xfffu + ((a >> 13) & 1u);
    a -= 112u << 23;
    return static_cast<uint16_t>(sign | (a >> 13));
}

float half_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        const float f = std::ldexp(static_cast<float>(mant), -24);
        std::memcpy(&bits, &f, sizeof bits);
        bits |= sign;
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 112u) << 23) | (mant << 13);
    }
    float out;
    std::memcpy(&out, &bits, sizeof out);
    return out;
}

bool int8_scale(float max_abs, uint16_t* scale) {
    // Scales stay at or above the smallest normal half (2^-14): a subnormal scale is too coarse to round
    // back to itself when the values are quantised again, and values that small (max |x| < 0.008) lose at
    // most 2^-15 each.
    const float wanted = std::fmax(max_abs / static_cast<float>(kInt8Levels), 0x1.0p-14f);
    const uint16_t h = float_to_half(wanted);
    if (!std::isfinite(half_to_float(h))) return false;
    *scale = h;
    return true;
}

int8_t quantize_int8(float x, float scale) {
    // A scale that rounded down a little can push the largest value just past 127: clamp.
    const float v = std::nearbyint(x / scale);
    return static_cast<int8_t>(std::fmax(-float(kInt8Levels), std::fmin(float(kInt8Levels), v)));
}

bool quantize_row_int8(const float* x, int n, int8_t* q, uint16_t* scale) {
    float max_abs = 0.0f;
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(x[i])) return false;
        max_abs = std::fmax(max_abs, std::fabs(x[i]));
    }
    if (!int8_scale(max_abs, scale)) return false;
    const float s = half_to_float(*scale);
    for (int i = 0; i < n; ++i) q[i] = quantize_int8(x[i], s);
    return true;
}

void dequantize_row_int8(const int8_t* q, int n, uint16_t scale, float* out) {
    const float s = half_to_float(scale);
    for (int i = 0; i < n; ++i) out[i] = static_cast<float>(q[i]) * s;
}

namespace {

// A row's int4 range as stored (f16 bits) and as used (their float values).
struct Int4Range {
    uint16_t scale_bits = 0, offset_bits = 0;
    float scale = 0.0f, offset = 0.0f;
};

// The f16 offset and scale for values in [lo, hi]. The scale is taken from the rounded offset so that
// offset + 15 * scale lands on hi. False if either is beyond the f16 range.
bool int4_range(float lo, float hi, Int4Range* r) {
    r->offset_bits = float_to_half(lo);
    r->offset = half_to_float(r->offset_bits);
    r->scale_bits = float_to_half(std::fmax(hi - r->offset, 0.0f) / static_cast<float>(kInt4Levels));
    r->scale = half_to_float(r->scale_bits);
    return std::isfinite(r->offset) && std::isfinite(r->scale);
}

uint8_t int4_code(float x, const Int4Range& r) {
    if (r.scale == 0.0f) return 0;  // a constant row: every value is the offset
    const float q = std::nearbyint((x - r.offset) / r.scale);
    return static_cast<uint8_t>(std::fmax(0.0f, std::fmin(static_cast<float>(kInt4Levels), q)));
}

float int4_value(uint8_t q, const Int4Range& r) { return static_cast<float>(q) * r.scale + r.offset; }

}  // namespace

bool quantize_row_int4(const float* x, int n, uint8_t* row) {
    float lo = 0.0f, hi = 0.0f;
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(x[i])) return false;
        lo = i == 0 ? x[i] : std::fmin(lo, x[i]);
        hi = i == 0 ? x[i] : std::fmax(hi, x[i]);
    }
    // min..max rather than a clipped range that minimises the squared error: clipping halved the int4
    // RMSE loss of the rating presets but cost the ranking presets Recall@20 (docs/ranking.md).
    Int4Range range;
    if (!int4_range(lo, hi, &range)) return false;
    const size_t code_bytes = static_cast<size_t>(n + 1) / 2;
    for (size_t k = 0; k < code_bytes; ++k) {
        const size_t i = 2 * k;
        const uint8_t low = int4_code(x[i], range);
        const uint8_t high = i + 1 < size_t(n) ? int4_code(x[i + 1], range) : 0;
        row[k] = static_cast<uint8_t>(low | high << 4);
    }
    row[code_bytes] = static_cast<uint8_t>(range.scale_bits & 0xff);
    row[code_bytes + 1] = static_cast<uint8_t>(range.scale_bits >> 8);
    row[code_bytes + 2] = static_cast<uint8_t>(range.offset_bits & 0xff);
    row[code_bytes + 3] = static_cast<uint8_t>(range.offset_bits >> 8);
    return true;
}

void dequantize_row_int4(const uint8_t* row, int n, float* out) {
    const size_t code_bytes = static_cast<size_t>(n + 1) / 2;
    Int4Range r;
    r.scale = half_to_float(static_cast<uint16_t>(row[code_bytes] | row[code_bytes + 1] << 8));
    r.offset = half_to_float(static_cast<uint16_t>(row[code_bytes + 2] | row[code_bytes + 3] << 8));
    for (int i = 0; i < n; ++i) out[i] = int4_value(static_cast<uint8_t>((row[i / 2] >> (4 * (i % 2))) & 0xf), r);
}

}  // namespace memrec
