// Product codes as the loaded model keeps them: decoding a row, scoring every row from lookup tables, and the
// codebook rounding the model file stores. The k-means that makes them is pq_train.cpp (natively only).
#include <cmath>

#include "memrec/error.h"
#include "memrec/pq.h"
#include "memrec/quantize.h"

namespace memrec {

void PqOptions::validate() const {
    if (subspaces < 1 || subspaces > 4096)
        throw ConfigError("pq subspaces must be in 1..4096, got " + std::to_string(subspaces));
    if (bits < kPqMinBits || bits > kPqMaxBits)
        throw ConfigError("pq bits must be in " + std::to_string(kPqMinBits) + ".." + std::to_string(kPqMaxBits) +
                          ", got " + std::to_string(bits));
    if (iterations < 0) throw ConfigError("pq iterations must be >= 0");
}

bool pq_applies(const Param& p, const PqOptions& options) {
    return p.role == Role::Embedding && options.subspaces >= 1 && p.rows >= 1 && p.cols >= options.subspaces &&
           p.cols % options.subspaces == 0;
}

void ProductCodes::decode_row(int64_t r, float* out) const {
    const int d = sub_dim();
    for (int m = 0; m < subspaces; ++m) {
        const float* c = centroid(m, codes[size_t(r) * size_t(subspaces) + size_t(m)]);
        for (int j = 0; j < d; ++j) out[m * d + j] = c[j];
    }
}

void ProductCodes::dots(const float* u, float* out) const {
    const int d = sub_dim(), k = centroids, ms = subspaces;
    // LUT[m][c] = <u_m, centroid_m[c]>: M * K * d multiply-adds, once per vector.
    std::vector<float> lut(static_cast<size_t>(ms) * size_t(k));
    for (int m = 0; m < ms; ++m) {
        const float* um = u + m * d;
        for (int c = 0; c < k; ++c) {
            const float* v = centroid(m, c);
            float s = 0.0f;
            for (int j = 0; j < d; ++j) s += um[j] * v[j];
            lut[size_t(m) * size_t(k) + size_t(c)] = s;
        }
    }
    // Then M table reads per row, subspace after subspace in the order the codes are stored.
    const uint8_t* code = codes.data();
    for (int64_t r = 0; r < rows; ++r, code += ms) {
        float s = 0.0f;
        const float* t = lut.data();
        for (int m = 0; m < ms; ++m, t += k) s += t[code[m]];
        out[r] = s;
    }
}

void round_codebooks(ProductCodes& pq) {
    const size_t per_subspace = size_t(pq.centroids) * size_t(pq.sub_dim());
    for (int m = 0; m < pq.subspaces; ++m) {
        float* v = pq.codebooks.data() + size_t(m) * per_subspace;
        if (pq.codebook == PqCodebook::F16) {
            for (size_t i = 0; i < per_subspace; ++i) v[i] = half_to_float(float_to_half(v[i]));
            continue;
        }
        float max_abs = 0.0f;
        for (size_t i = 0; i < per_subspace; ++i) max_abs = std::fmax(max_abs, std::fabs(v[i]));
        uint16_t scale_bits = 0;
        if (!int8_scale(max_abs, &scale_bits)) throw Error("pq codebook: values beyond the f16 range");
        const float scale = half_to_float(scale_bits);
        for (size_t i = 0; i < per_subspace; ++i) v[i] = float(quantize_int8(v[i], scale)) * scale;
    }
}

}  // namespace memrec
