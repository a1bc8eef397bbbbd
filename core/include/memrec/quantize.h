// Lossy storage of float parameters: IEEE 754 half precision (f16) and symmetric int8 with f16 scales, one
// per row (wide tables) or one per column (narrow tables and bias vectors, see model_file.cpp). The model file stores tables this way; in memory tables are always f32. Both
// conversions are exact inverses on their own output, so quantising an already-quantised row gives the
// same bytes again (save -> load -> save is stable at every storage).
#pragma once

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

}  // namespace memrec
