// Lossy storage of float parameters: IEEE 754 half precision (f16), symmetric int8 with f16 scales, one
// per row (wide tables) or one per column (narrow tables and bias vectors, see model_file.cpp), and
// row-wise int4 with an f16 scale and offset per row (FBGEMM's fused 4-bit rows). The model file stores tables this way; in memory tables are always f32. Both
// conversions are exact inverses on their own output, so quantising an already-quantised row gives the
// same bytes again (save -> load -> save is stable at every storage).
#pragma once

#include <cstddef>
#include <cstdint>

namespace memrec {

// Round to nearest, ties to even; overflow gives +-inf, NaN stays NaN, subnormals are kept.
uint16_t float_to_half(float x);
float half_to_float(uint16_t h);

constexpr int kInt8Levels = 127;  // q in [-127, 127]: symmetric, so 0 is exact

// The f16 scale for values whose largest magnitude is max_abs (max_abs / 127, at least 2^-14); false if
// beyond the f16 range.
bool int8_scale(float max_abs, uint16_t* scale);
// round(x / scale), clamped to [-127, 127].
int8_t quantize_int8(float x, float scale);

// One row as int8: scale = max|x| / 127 rounded to f16, q = round(x / scale), value = q * scale.
// Returns false (and writes nothing useful) if the row holds NaN/inf or a scale beyond the f16 range.
bool quantize_row_int8(const float* x, int n, int8_t* q, uint16_t* scale);
void dequantize_row_int8(const int8_t* q, int n, uint16_t scale, float* out);

constexpr int kInt4Levels = 15;  // q in [0, 15]: asymmetric, value = q * scale + offset

// One int4 row of n values in bytes, as FBGEMM's fused 4-bit rows: ceil(n/2) bytes of codes (value 2k in the
// low nibble of byte k, 2k+1 in the high one; an odd row's last high nibble is zero), then the f16 scale and
// the f16 offset. f16 rather than f32: at dim 35 the pair costs 4 bytes against 18 of codes instead of 8,
// and its rounding error (2^-11 of the range) is tiny next to a 4-bit step (1/15 of the range).
inline size_t int4_row_bytes(int n) { return static_cast<size_t>(n + 1) / 2 + 4; }
// One row as int4 into `row` (int4_row_bytes(n) bytes): offset = min rounded to f16, scale = (max - offset)
// / 15 rounded to f16, q = round((x - offset) / scale) clamped to 0..15. Returns false if the row holds
// NaN/inf or a range beyond the f16 range. Re-quantising a dequantised row gives the same bytes.
bool quantize_row_int4(const float* x, int n, uint8_t* row);
void dequantize_row_int4(const uint8_t* row, int n, float* out);

}  // namespace memrec
