// Compile-time choice of the kernel variant behind memrec::kernels::*, and the kernels built from others.
#include "memrec/kernels.h"

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
void adam_catchup(float* w, float* m, float* v, int64_t n, float c, float b1k, float b2k, float eps) {
#if defined(MEMREC_AVX2)
    avx2::adam_catchup(w, m, v, n, c, b1k, b2k, eps);
#else
    scalar::adam_catchup(w, m, v, n, c, b1k, b2k, eps);  // training only: no simd128 variant needed
#endif
}

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

}  // namespace memrec::kernels
