// Holds the WebAssembly simd128 kernels to the scalar reference, inside the wasm build (the native Catch2
// test covers AVX2). Built as build-wasm/wasm/memrec_wasm_kernel_check.js and run by wasm.test.mjs under
// node; prints one line per kernel and exits 1 if any result differs by more than 1e-5 relative.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "memrec/kernels.h"
#include "memrec/param.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {

int failures = 0;

double rel(double got, double want) { return std::fabs(got - want) / std::max(1.0, std::fabs(want)); }

void report(const char* name, int64_t n, double worst) {
    const bool ok = worst <= 1e-5;
    std::printf("%s %s n=%lld max_rel_err=%.3g\n", ok ? "ok" : "FAIL", name, (long long)n, worst);
    if (!ok) ++failures;
}

double worst_of(const AlignedVector<float>& got, const AlignedVector<float>& want) {
    double w = 0;
    for (size_t i = 0; i < got.size(); ++i) w = std::max(w, rel(got[i], want[i]));
    return w;
}

AlignedVector<float> random_vector(Rng& rng, int64_t n, float lo, float hi) {
    AlignedVector<float> v(static_cast<size_t>(n));
    for (auto& x : v) x = rng.uniform(lo, hi);
    return v;
}

}  // namespace

int main() {
#if !defined(MEMREC_SIMD128)
    std::printf("FAIL built without MEMREC_SIMD128\n");
    return 1;
#else
    namespace simd = kernels::simd128;
    namespace ref = kernels::scalar;
    std::printf("active kernels: %s\n", kernels::active());
    Rng rng(7);
    const AdamStep step{0.001f * 0.3f, 0.9f, 0.999f, 1e-7f};
    for (int64_t n : {16, 64, 128, 1024}) {
        const auto a = random_vector(rng, n, -1, 1), b = random_vector(rng, n, -1, 1);
        const auto z = random_vector(rng, n, -1, 1);
        // dot: relative to the sum of |a_i b_i|, the scale of its rounding error.
        double mag = 0;
        for (int64_t i = 0; i < n; ++i) mag += std::fabs(double(a[size_t(i)]) * b[size_t(i)]);
        report("dot", n, std::fabs(simd::dot(a.data(), b.data(), n) - ref::dot(a.data(), b.data(), n)) /
                             std::max(1.0, mag));

        auto y1 = b, y2 = b;
        simd::axpy(0.37f, a.data(), y1.data(), n);
        ref::axpy(0.37f, a.data(), y2.data(), n);
        report("axpy", n, worst_of(y1, y2));

        y1 = b, y2 = b;
        simd::mul_axpy(-1.3f, a.data(), z.data(), y1.data(), n);
        ref::mul_axpy(-1.3f, a.data(), z.data(), y2.data(), n);
        report("mul_axpy", n, worst_of(y1, y2));

        simd::mul(a.data(), z.data(), y1.data(), n);
        ref::mul(a.data(), z.data(), y2.data(), n);
        report("mul", n, worst_of(y1, y2));

        auto w1 = a, w2 = a;
        auto m1 = random_vector(rng, n, -0.01f, 0.01f), m2 = m1;
        auto v1 = random_vector(rng, n, 0.0f, 1e-4f), v2 = v1;
        const auto g = random_vector(rng, n, -0.1f, 0.1f);
        for (int t = 0; t < 5; ++t) {
            simd::adam_update(w1.data(), m1.data(), v1.data(), g.data(), n, step);
            ref::adam_update(w2.data(), m2.data(), v2.data(), g.data(), n, step);
        }
        report("adam_update", n, std::max({worst_of(w1, w2), worst_of(m1, m2), worst_of(v1, v2)}));
    }
    return failures == 0 ? 0 : 1;
#endif
}
