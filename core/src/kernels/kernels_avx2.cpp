// AVX2/FMA kernels, built when MEMREC_AVX2 compiles the library with -mavx2 -mfma (core/CMakeLists.txt).
// Lengths are multiples of kRowFloats (16): two 8-lane vectors per step, no tail loop.
#if defined(MEMREC_AVX2)
#include <immintrin.h>

#include <cassert>

#include "memrec/kernels.h"

namespace memrec::kernels::avx2 {

namespace {
inline float hsum(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    __m128 sh = _mm_movehdup_ps(lo);
    lo = _mm_add_ps(lo, sh);
    sh = _mm_movehl_ps(sh, lo);
    return _mm_cvtss_f32(_mm_add_ss(lo, sh));
}
}  // namespace

float dot(const float* a, const float* b, int64_t n) {
    assert(n % 16 == 0);
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    return hsum(_mm256_add_ps(s0, s1));
}

void axpy(float a, const float* x, float* y, int64_t n) {
    assert(n % 16 == 0);
    const __m256 va = _mm256_set1_ps(a);
    for (int64_t i = 0; i < n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
}

void mul_axpy(float a, const float* x, const float* z, float* y, int64_t n) {
    assert(n % 16 == 0);
    const __m256 va = _mm256_set1_ps(a);
    for (int64_t i = 0; i < n; i += 8) {
        __m256 xz = _mm256_mul_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(z + i));
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, xz, _mm256_loadu_ps(y + i)));
    }
}

void mul(const float* x, const float* z, float* out, int64_t n) {
    assert(n % 16 == 0);
    for (int64_t i = 0; i < n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(z + i)));
}

void adam_update(float* w, float* m, float* v, const float* g, int64_t n, const AdamStep& s) {
    assert(n % 16 == 0);
    const __m256 b1 = _mm256_set1_ps(s.beta1), c1 = _mm256_set1_ps(1.0f - s.beta1);
    const __m256 b2 = _mm256_set1_ps(s.beta2), c2 = _mm256_set1_ps(1.0f - s.beta2);
    const __m256 alpha = _mm256_set1_ps(s.alpha), eps = _mm256_set1_ps(s.epsilon);
    for (int64_t i = 0; i < n; i += 8) {
        const __m256 gi = _mm256_loadu_ps(g + i);
        // Same operation order as the scalar reference: b*m + c*g, rounded the same way under FMA.
        __m256 mi = _mm256_fmadd_ps(b1, _mm256_loadu_ps(m + i), _mm256_mul_ps(c1, gi));
        __m256 vi = _mm256_fmadd_ps(b2, _mm256_loadu_ps(v + i), _mm256_mul_ps(_mm256_mul_ps(c2, gi), gi));
        __m256 den = _mm256_add_ps(_mm256_sqrt_ps(vi), eps);
        __m256 wi = _mm256_sub_ps(_mm256_loadu_ps(w + i), _mm256_div_ps(_mm256_mul_ps(alpha, mi), den));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(w + i, wi);
    }
}

// adam_update with g + l2 w computed on the fly (axpy's FMA), so the step reads each of w, m, v once.
void adam_update_l2(float* w, float* m, float* v, const float* g, float l2, int64_t n, const AdamStep& s) {
    assert(n % 16 == 0);
    const __m256 b1 = _mm256_set1_ps(s.beta1), c1 = _mm256_set1_ps(1.0f - s.beta1);
    const __m256 b2 = _mm256_set1_ps(s.beta2), c2 = _mm256_set1_ps(1.0f - s.beta2);
    const __m256 alpha = _mm256_set1_ps(s.alpha), eps = _mm256_set1_ps(s.epsilon), vl2 = _mm256_set1_ps(l2);
    for (int64_t i = 0; i < n; i += 8) {
        const __m256 w0 = _mm256_loadu_ps(w + i);
        const __m256 gi = _mm256_fmadd_ps(vl2, w0, _mm256_loadu_ps(g + i));
        __m256 mi = _mm256_fmadd_ps(b1, _mm256_loadu_ps(m + i), _mm256_mul_ps(c1, gi));
        __m256 vi = _mm256_fmadd_ps(b2, _mm256_loadu_ps(v + i), _mm256_mul_ps(_mm256_mul_ps(c2, gi), gi));
        __m256 den = _mm256_add_ps(_mm256_sqrt_ps(vi), eps);
        __m256 wi = _mm256_sub_ps(w0, _mm256_div_ps(_mm256_mul_ps(alpha, mi), den));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(w + i, wi);
    }
}

void adam_catchup(float* w, float* m, float* v, int64_t n, float c, float b1k, float b2k, float eps) {
    assert(n % 16 == 0);
    const __m256 vc = _mm256_set1_ps(c), vb1 = _mm256_set1_ps(b1k), vb2 = _mm256_set1_ps(b2k);
    const __m256 veps = _mm256_set1_ps(eps);
    for (int64_t i = 0; i < n; i += 8) {
        const __m256 mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i);
        const __m256 den = _mm256_add_ps(_mm256_sqrt_ps(vi), veps);
        _mm256_storeu_ps(w + i, _mm256_sub_ps(_mm256_loadu_ps(w + i), _mm256_div_ps(_mm256_mul_ps(vc, mi), den)));
        _mm256_storeu_ps(m + i, _mm256_mul_ps(mi, vb1));
        _mm256_storeu_ps(v + i, _mm256_mul_ps(vi, vb2));
    }
}

// Square root and division are correctly rounded in both, so these are the scalar reference's bits.
void adagrad_rates(const float* G, float lr, float* out, int64_t n) {
    assert(n % 8 == 0);
    const __m256 one = _mm256_set1_ps(1.0f), vlr = _mm256_set1_ps(lr);
    for (int64_t i = 0; i < n; i += 8) {
        const __m256 root = _mm256_sqrt_ps(_mm256_add_ps(one, _mm256_loadu_ps(G + i)));
        _mm256_storeu_ps(out + i, _mm256_div_ps(vlr, root));
    }
}

// g = d o + l2 w as the scalar code rounds it (-ffp-contract=off: two products, then the sum), and dot(g, g)
// with dot()'s two accumulators and final sum, from the registers just computed.
float scaled_gradient(float d, const float* o, float l2, const float* w, float* g, int64_t n) {
    assert(n % 16 == 0);
    const __m256 vd = _mm256_set1_ps(d), vl2 = _mm256_set1_ps(l2);
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 16) {
        const __m256 g0 = _mm256_add_ps(_mm256_mul_ps(vd, _mm256_loadu_ps(o + i)),
                                        _mm256_mul_ps(vl2, _mm256_loadu_ps(w + i)));
        const __m256 g1 = _mm256_add_ps(_mm256_mul_ps(vd, _mm256_loadu_ps(o + i + 8)),
                                        _mm256_mul_ps(vl2, _mm256_loadu_ps(w + i + 8)));
        _mm256_storeu_ps(g + i, g0);
        _mm256_storeu_ps(g + i + 8, g1);
        s0 = _mm256_fmadd_ps(g0, g0, s0);
        s1 = _mm256_fmadd_ps(g1, g1, s1);
    }
    return hsum(_mm256_add_ps(s0, s1));
}

// g = d o (rounded), then gq += g r and gr += g q as mul_axpy(1, ...) rounds them (the product, then an FMA
// with 1), g held in registers between the two.
void qr_mult_backward(float d, const float* o, const float* q, const float* r, float* gq, float* gr,
                      int64_t n) {
    assert(n % 16 == 0);
    const __m256 vd = _mm256_set1_ps(d), one = _mm256_set1_ps(1.0f);
    for (int64_t i = 0; i < n; i += 8) {
        const __m256 g = _mm256_mul_ps(vd, _mm256_loadu_ps(o + i));
        const __m256 g_r = _mm256_mul_ps(g, _mm256_loadu_ps(r + i));
        const __m256 g_q = _mm256_mul_ps(g, _mm256_loadu_ps(q + i));
        _mm256_storeu_ps(gq + i, _mm256_fmadd_ps(one, g_r, _mm256_loadu_ps(gq + i)));
        _mm256_storeu_ps(gr + i, _mm256_fmadd_ps(one, g_q, _mm256_loadu_ps(gr + i)));
    }
}

}  // namespace memrec::kernels::avx2
#endif
