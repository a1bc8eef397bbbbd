// WebAssembly simd128 kernels: the browser build's counterpart of kernels_avx2.cpp. Compiled only under
// Emscripten with -msimd128 (see core/CMakeLists.txt). Lengths are multiples of kRowFloats (16): four
// 4-lane vectors per step, no tail loop. simd128 has no fused multiply-add, so each lane rounds exactly as
// the scalar reference does; only dot() differs, by summing in four accumulators.
#if defined(MEMREC_SIMD128)
#include <wasm_simd128.h>

#include <cassert>

#include "memrec/kernels.h"

namespace memrec::kernels::simd128 {

namespace {
inline float hsum(v128_t v) {
    return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
           wasm_f32x4_extract_lane(v, 3);
}
inline v128_t load(const float* p) { return wasm_v128_load(p); }
inline void store(float* p, v128_t v) { wasm_v128_store(p, v); }
}  // namespace

float dot(const float* a, const float* b, int64_t n) {
    assert(n % 16 == 0);
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
    for (int64_t i = 0; i < n; i += 16) {
        s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(load(a + i), load(b + i)));
        s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(load(a + i + 4), load(b + i + 4)));
        s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(load(a + i + 8), load(b + i + 8)));
        s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(load(a + i + 12), load(b + i + 12)));
    }
    return hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
}

void axpy(float a, const float* x, float* y, int64_t n) {
    assert(n % 16 == 0);
    const v128_t va = wasm_f32x4_splat(a);
    for (int64_t i = 0; i < n; i += 4) store(y + i, wasm_f32x4_add(load(y + i), wasm_f32x4_mul(va, load(x + i))));
}

void mul_axpy(float a, const float* x, const float* z, float* y, int64_t n) {
    assert(n % 16 == 0);
    const v128_t va = wasm_f32x4_splat(a);
    for (int64_t i = 0; i < n; i += 4) {
        const v128_t xz = wasm_f32x4_mul(load(x + i), load(z + i));
        store(y + i, wasm_f32x4_add(load(y + i), wasm_f32x4_mul(va, xz)));
    }
}

void mul(const float* x, const float* z, float* out, int64_t n) {
    assert(n % 16 == 0);
    for (int64_t i = 0; i < n; i += 4) store(out + i, wasm_f32x4_mul(load(x + i), load(z + i)));
}

void adam_update(float* w, float* m, float* v, const float* g, int64_t n, const AdamStep& s) {
    assert(n % 16 == 0);
    const v128_t b1 = wasm_f32x4_splat(s.beta1), c1 = wasm_f32x4_splat(1.0f - s.beta1);
    const v128_t b2 = wasm_f32x4_splat(s.beta2), c2 = wasm_f32x4_splat(1.0f - s.beta2);
    const v128_t alpha = wasm_f32x4_splat(s.alpha), eps = wasm_f32x4_splat(s.epsilon);
    for (int64_t i = 0; i < n; i += 4) {
        const v128_t gi = load(g + i);
        // Same operation order as the scalar reference: b*m + c*g and b*v + (c*g)*g.
        const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(b1, load(m + i)), wasm_f32x4_mul(c1, gi));
        const v128_t vi =
            wasm_f32x4_add(wasm_f32x4_mul(b2, load(v + i)), wasm_f32x4_mul(wasm_f32x4_mul(c2, gi), gi));
        const v128_t den = wasm_f32x4_add(wasm_f32x4_sqrt(vi), eps);
        const v128_t wi = wasm_f32x4_sub(load(w + i), wasm_f32x4_div(wasm_f32x4_mul(alpha, mi), den));
        store(m + i, mi);
        store(v + i, vi);
        store(w + i, wi);
    }
}

void adam_update_l2(float* w, float* m, float* v, const float* g, float l2, int64_t n, const AdamStep& s) {
    assert(n % 16 == 0);
    const v128_t b1 = wasm_f32x4_splat(s.beta1), c1 = wasm_f32x4_splat(1.0f - s.beta1);
    const v128_t b2 = wasm_f32x4_splat(s.beta2), c2 = wasm_f32x4_splat(1.0f - s.beta2);
    const v128_t alpha = wasm_f32x4_splat(s.alpha), eps = wasm_f32x4_splat(s.epsilon);
    const v128_t vl2 = wasm_f32x4_splat(l2);
    for (int64_t i = 0; i < n; i += 4) {
        const v128_t w0 = load(w + i);
        const v128_t gi = wasm_f32x4_add(load(g + i), wasm_f32x4_mul(vl2, w0));  // axpy's y + a x
        const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(b1, load(m + i)), wasm_f32x4_mul(c1, gi));
        const v128_t vi =
            wasm_f32x4_add(wasm_f32x4_mul(b2, load(v + i)), wasm_f32x4_mul(wasm_f32x4_mul(c2, gi), gi));
        const v128_t den = wasm_f32x4_add(wasm_f32x4_sqrt(vi), eps);
        const v128_t wi = wasm_f32x4_sub(w0, wasm_f32x4_div(wasm_f32x4_mul(alpha, mi), den));
        store(m + i, mi);
        store(v + i, vi);
        store(w + i, wi);
    }
}

}  // namespace memrec::kernels::simd128
#endif
