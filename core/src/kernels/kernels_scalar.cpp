// Scalar reference kernels: the definition of what every SIMD variant must compute.
#include <cmath>

#include "memrec/kernels.h"

namespace memrec::kernels::scalar {

float dot(const float* a, const float* b, int64_t n) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

void axpy(float a, const float* x, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

void mul_axpy(float a, const float* x, const float* z, float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += a * (x[i] * z[i]);
}

void mul(const float* x, const float* z, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * z[i];
}

void adam_update(float* w, float* m, float* v, const float* g, int64_t n, const AdamStep& s) {
    const float c1 = 1.0f - s.beta1, c2 = 1.0f - s.beta2;
    for (int64_t i = 0; i < n; ++i) {
        const float gi = g[i];
        m[i] = s.beta1 * m[i] + c1 * gi;
        v[i] = s.beta2 * v[i] + c2 * gi * gi;
        w[i] -= s.alpha * m[i] / (std::sqrt(v[i]) + s.epsilon);
    }
}

void adam_update_l2(float* w, float* m, float* v, const float* g, float l2, int64_t n, const AdamStep& s) {
    const float c1 = 1.0f - s.beta1, c2 = 1.0f - s.beta2;
    for (int64_t i = 0; i < n; ++i) {
        const float gi = g[i] + l2 * w[i];  // axpy's y += a * x
        m[i] = s.beta1 * m[i] + c1 * gi;
        v[i] = s.beta2 * v[i] + c2 * gi * gi;
        w[i] -= s.alpha * m[i] / (std::sqrt(v[i]) + s.epsilon);
    }
}

void adam_catchup(float* w, float* m, float* v, int64_t n, float c, float b1k, float b2k, float eps) {
    for (int64_t i = 0; i < n; ++i) {
        w[i] -= c * m[i] / (std::sqrt(v[i]) + eps);
        m[i] *= b1k;
        v[i] *= b2k;
    }
}

void adagrad_rates(const float* G, float lr, float* out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = lr / std::sqrt(1.0f + G[i]);
}

}  // namespace memrec::kernels::scalar
