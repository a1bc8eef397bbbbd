// Compile-time choice of the kernel variant behind memrec::kernels::*, and the kernels built from others.
#include "memrec/kernels.h"

#include <algorithm>

#if !defined(__EMSCRIPTEN__)
// Training threads call the GEMMs below on their own side's rows: Eigen must not start threads of its own.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>
#endif

namespace memrec::kernels {

#if defined(MEMREC_AVX2)
namespace impl = avx2;
const char* active() { return "avx2"; }
#elif defined(MEMREC_SIMD128)
namespace impl = simd128;
const char* active() { return "simd128"; }
#else
namespace impl = scalar;
const char* active() { return "scalar"; }
#endif

float dot(const float* a, const float* b, int64_t n) { return impl::dot(a, b, n); }
void axpy(float a, const float* x, float* y, int64_t n) { impl::axpy(a, x, y, n); }
void mul_axpy(float a, const float* x, const float* z, float* y, int64_t n) { impl::mul_axpy(a, x, z, y, n); }
void mul(const float* x, const float* z, float* out, int64_t n) { impl::mul(x, z, out, n); }
void adam_update(float* w, float* m, float* v, const float* g, int64_t n, const AdamStep& s) {
    impl::adam_update(w, m, v, g, n, s);
}
void adam_update_l2(float* w, float* m, float* v, const float* g, float l2, int64_t n, const AdamStep& s) {
    impl::adam_update_l2(w, m, v, g, l2, n, s);
}
void adam_catchup(float* w, float* m, float* v, int64_t n, float c, float b1k, float b2k, float eps) {
#if defined(MEMREC_AVX2)
    avx2::adam_catchup(w, m, v, n, c, b1k, b2k, eps);
#else
    scalar::adam_catchup(w, m, v, n, c, b1k, b2k, eps);  // training only: no simd128 variant needed
#endif
}

void adagrad_rates(const float* G, float lr, float* out, int64_t n) {
#if defined(MEMREC_AVX2)
    avx2::adagrad_rates(G, lr, out, n);
#else
    scalar::adagrad_rates(G, lr, out, n);  // training only: no simd128 variant needed
#endif
}

float scaled_gradient(float d, const float* o, float l2, const float* w, float* g, int64_t n) {
#if defined(MEMREC_AVX2)
    return avx2::scaled_gradient(d, o, l2, w, g, n);
#else
    for (int64_t c = 0; c < n; ++c) g[c] = d * o[c] + l2 * w[c];
    return impl::dot(g, g, n);
#endif
}

void qr_mult_backward(float d, const float* o, const float* q, const float* r, float* gq, float* gr,
                      int64_t n) {
#if defined(MEMREC_AVX2)
    avx2::qr_mult_backward(d, o, q, r, gq, gr, n);
#else
    constexpr int64_t kChunk = 64;  // g a piece at a time (n and so every piece a multiple of 16)
    alignas(64) float g[kChunk];
    for (int64_t c = 0; c < n; c += kChunk) {
        const int64_t m = std::min(kChunk, n - c);
        for (int64_t j = 0; j < m; ++j) g[j] = d * o[c + j];
        impl::mul_axpy(1.0f, g, r + c, gq + c, m);
        impl::mul_axpy(1.0f, g, q + c, gr + c, m);
    }
#endif
}

namespace by_rows {

void project(const float* x, int k, const float* P, int64_t stride, const float* bias, float* out, int64_t n) {
    for (int64_t j = 0; j < n; ++j) out[j] = bias ? bias[j] : 0.0f;
    for (int i = 0; i < k; ++i) impl::axpy(x[i], P + i * stride, out, n);
}

void project_backward(const float* x, int k, const float* P, int64_t stride, const float* g, int64_t n,
                      float* gx, float* gP, float* gbias) {
    for (int i = 0; i < k; ++i) {
        if (gx) gx[i] += impl::dot(g, P + i * stride, n);
        impl::axpy(x[i], g, gP + i * stride, n);
    }
    if (gbias) impl::axpy(1.0f, g, gbias, n);
}

void project_batch(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* bias, float* Y) {
    for (int64_t r = 0; r < n; ++r) project(X + r * k, k, P, stride, bias, Y + r * stride, stride);
}

void project_batch_backward(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* G,
                            float* GX, float* gP, float* gbias) {
    for (int64_t r = 0; r < n; ++r) {
        for (int i = 0; i < k; ++i) GX[r * k + i] = 0.0f;
        project_backward(X + r * k, k, P, stride, G + r * stride, stride, GX + r * k, gP, gbias);
    }
}

}  // namespace by_rows

// The gradient stays on the row kernels in every build: Eigen's GEMV plus rank-1 update measured slower
// natively (bench/bench_kernels.cpp, README's kernel table).
void project_backward(const float* x, int k, const float* P, int64_t stride, const float* g, int64_t n,
                      float* gx, float* gP, float* gbias) {
    by_rows::project_backward(x, k, P, stride, g, n, gx, gP, gbias);
}

#if defined(__EMSCRIPTEN__)
// Eigen has no wasm SIMD back-end: its GEMV would run scalar there, the row kernels run simd128.
void project(const float* x, int k, const float* P, int64_t stride, const float* bias, float* out, int64_t n) {
    by_rows::project(x, k, P, stride, bias, out, n);
}
void project_batch(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* bias, float* Y) {
    by_rows::project_batch(X, n, k, P, stride, bias, Y);
}
void project_batch_backward(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* G,
                            float* GX, float* gP, float* gbias) {
    by_rows::project_batch_backward(X, n, k, P, stride, G, GX, gP, gbias);
}
#else
// Natively Eigen's GEMV beats an axpy per row of P (bench/bench_kernels.cpp).
void project(const float* x, int k, const float* P, int64_t stride, const float* bias, float* out, int64_t n) {
    using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const Matrix, Eigen::Aligned64, Eigen::OuterStride<>> Pm(P, k, n, Eigen::OuterStride<>(stride));
    Eigen::Map<Eigen::VectorXf> o(out, n);
    if (bias) o = Eigen::Map<const Eigen::VectorXf>(bias, n);
    else o.setZero();
    o.noalias() += Pm.transpose() * Eigen::Map<const Eigen::VectorXf>(x, k);
}

namespace {
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRows = Eigen::Map<const RowMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;
using Rows = Eigen::Map<RowMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;
}  // namespace

// A block's rows of a batch at once: one GEMM instead of a GEMV (forward) or k dots and k axpys (backward)
// per row, so P and the gradient of P stay in registers and cache across the rows (README's kernel table).
void project_batch(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* bias, float* Y) {
    const ConstRows Xm(X, n, k, Eigen::OuterStride<>(k));
    const ConstRows Pm(P, k, stride, Eigen::OuterStride<>(stride));
    Rows Ym(Y, n, stride, Eigen::OuterStride<>(stride));
    if (bias) Ym.rowwise() = Eigen::Map<const Eigen::RowVectorXf>(bias, stride);
    else Ym.setZero();
    Ym.noalias() += Xm * Pm;
}

void project_batch_backward(const float* X, int64_t n, int k, const float* P, int64_t stride, const float* G,
                            float* GX, float* gP, float* gbias) {
    const ConstRows Xm(X, n, k, Eigen::OuterStride<>(k));
    const ConstRows Pm(P, k, stride, Eigen::OuterStride<>(stride));
    const ConstRows Gm(G, n, stride, Eigen::OuterStride<>(stride));
    Rows GXm(GX, n, k, Eigen::OuterStride<>(k));
    Rows gPm(gP, k, stride, Eigen::OuterStride<>(stride));
    GXm.noalias() = Gm * Pm.transpose();
    gPm.noalias() += Xm.transpose() * Gm;
    if (gbias) Eigen::Map<Eigen::RowVectorXf>(gbias, stride) += Gm.colwise().sum();
}
#endif

}  // namespace memrec::kernels
