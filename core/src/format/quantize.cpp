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

}  // namespace memrec
