// The numeric kernels of training and inference, in one place. Every kernel has a scalar reference in
// kernels::scalar, always built; the default entry points use AVX2/FMA (native builds with MEMREC_AVX2)
// or wasm simd128 (the WebAssembly build), chosen at compile time. Vector kernels take lengths that are a
// multiple of kRowFloats (rows are padded, see param.h), so they have no tail loops; the scalar
// reference accepts any length. tests/unit/test_kernels.cpp holds each variant to the reference.
#pragma once

#include <cstdint>

namespace memrec {

// Adam hyper-parameters for one step; `alpha` already folds in the bias corrections:
// alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t), as Keras computes it.
struct AdamStep {
    float alpha;
    float beta1;
    float beta2;
    float epsilon;
};

namespace kernels {

// Which implementation the default entry points use: "avx2", "simd128" or "scalar".
const char* active();

float dot(const float* a, const float* b, int64_t n);
// y += a * x
void axpy(float a, const float* x, float* y, int64_t n);
// y += a * (x ⊙ z)   (element-wise product, for the quotient-remainder "mult" combiner)
void mul_axpy(float a, const float* x, const float* z, float* y, int64_t n);
// out = x ⊙ z
void mul(const float* x, const float* z, float* out, int64_t n);
// m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g²;  w -= alpha m / (sqrt(v) + eps)
void adam_update(float* w, float* m, float* v, const float* g, int64_t n, const AdamStep& s);
// adam_update with the L2 term folded in, in one pass over w, m, v: g' = g + l2 w (w before the step),
// then adam_update with g'. The gradient row stays read-only (the trainer's lazy Adam reads it where the
// backward pass wrote it, see ParamGrad::direct). Same results as axpy(l2, w, g) followed by adam_update.
void adam_update_l2(float* w, float* m, float* v, const float* g, float l2, int64_t n, const AdamStep& s);
// k skipped dense steps at once (see adam.cpp): w -= c m / (sqrt(v) + eps); m *= b1k; v *= b2k.
void adam_catchup(float* w, float* m, float* v, int64_t n, float c, float b1k, float b2k, float eps);
// AdaGrad's step sizes from the rows' accumulators: out[i] = lr / sqrt(1 + G[i]).
void adagrad_rates(const float* G, float lr, float* out, int64_t n);
// One example's row gradient for the row rules' per-example steps: g = d o + l2 w (each product rounded,
// then the sum), and its sum of squares, the bits dot(g, g, n) gives. Natively in one pass: the squares
// are taken from registers, not read back from g.
float scaled_gradient(float d, const float* o, float l2, const float* w, float* g, int64_t n);
// A quotient-remainder (Mult) embedding's gradient for one example: with g = d o, gq += g * r and gr += g * q
// elementwise: the bits of forming g and then mul_axpy(1, g, r, gq) and mul_axpy(1, g, q, gr), natively in
// one pass that keeps g in registers.
void qr_mult_backward(float d, const float* o, const float* q, const float* r, float* gq, float* gr,
                      int64_t n);
// out = x P + bias, with P a (k x stride) row-major matrix of which `n` columns are used; bias may be null.
void project(const float* x, int k, const float* P, int64_t stride, const float* bias, float* out, int64_t n);
// Gradient of `project`: gx[i] += <g, P_i> (if gx), gP_i += x[i] g, gbias += g (if gbias).
void project_backward(const float* x, int k, const float* P, int64_t stride, const float* g, int64_t n,
                      float* gx, float* gP, float* gbias);
// The same over a batch of n rows of one block, as matrices (row-major, contiguous): X (n x k, leading
// dimension k), Y and G (n x stride), GX (n x k). project_batch: Y = X P + bias (bias may be null).
// project_batch_backward: GX = G P^T (overwritten), gP += X^T G, gbias += column sums of G (if gbias).
// Natively Eigen's GEMM; in the wasm build (and as by_rows::) the row kernels, one row at a time.
void project_batch(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* bias, float* Y);
void project_batch_backward(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* G,
                            float* GX, float* gP, float* gbias);
// The same two built from the row kernels (an axpy or dot per row of P). The default `project` is Eigen's
// GEMV natively and this in the wasm build, where Eigen would run scalar; `project_backward` is this one.
namespace by_rows {
void project(const float* x, int k, const float* P, int64_t stride, const float* bias, float* out, int64_t n);
void project_backward(const float* x, int k, const float* P, int64_t stride, const float* g, int64_t n,
                      float* gx, float* gP, float* gbias);
void project_batch(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* bias, float* Y);
void project_batch_backward(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* G,
                            float* GX, float* gP, float* gbias);
}  // namespace by_rows

namespace scalar {
float dot(const float* a, const float* b, int64_t n);
void axpy(float a, const float* x, float* y, int64_t n);
void mul_axpy(float a, const float* x, const float* z, float* y, int64_t n);
void mul(const float* x, const float* z, float* out, int64_t n);
void adam_update(float* w, float* m, float* v, const float* g, int64_t n, const AdamStep& s);
void adam_update_l2(float* w, float* m, float* v, const float* g, float l2, int64_t n, const AdamStep& s);
void adam_catchup(float* w, float* m, float* v, int64_t n, float c, float b1k, float b2k, float eps);
void adagrad_rates(const float* G, float lr, float* out, int64_t n);
}  // namespace scalar

#if defined(MEMREC_AVX2)
namespace avx2 {
float dot(const float* a, const float* b, int64_t n);
void axpy(float a, const float* x, float* y, int64_t n);
void mul_axpy(float a, const float* x, const float* z, float* y, int64_t n);
void mul(const float* x, const float* z, float* out, int64_t n);
void adam_update(float* w, float* m, float* v, const float* g, int64_t n, const AdamStep& s);
void adam_update_l2(float* w, float* m, float* v, const float* g, float l2, int64_t n, const AdamStep& s);
void adam_catchup(float* w, float* m, float* v, int64_t n, float c, float b1k, float b2k, float eps);
void adagrad_rates(const float* G, float lr, float* out, int64_t n);
float scaled_gradient(float d, const float* o, float l2, const float* w, float* g, int64_t n);
void qr_mult_backward(float d, const float* o, const float* q, const float* r, float* gq, float* gr,
                      int64_t n);
}  // namespace avx2
#endif

#if defined(MEMREC_SIMD128)
namespace simd128 {
float dot(const float* a, const float* b, int64_t n);
void axpy(float a, const float* x, float* y, int64_t n);
void mul_axpy(float a, const float* x, const float* z, float* y, int64_t n);
void mul(const float* x, const float* z, float* out, int64_t n);
void adam_update(float* w, float* m, float* v, const float* g, int64_t n, const AdamStep& s);
void adam_update_l2(float* w, float* m, float* v, const float* g, float l2, int64_t n, const AdamStep& s);
}  // namespace simd128
#endif

}  // namespace kernels
}  // namespace memrec
