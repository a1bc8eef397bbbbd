// Product quantisation of an embedding parameter (Jegou, Douze and Schmid 2011; fastText.zip, Joulin et al.
// 2016): the columns are cut into M subspaces of cols / M columns, each subspace gets a codebook of K <= 2^B
// centroids found by k-means, and each row is stored as M codes of B bits. A row is the concatenation of its
// codes' centroids. Scoring every row against one vector u needs no decoded table: per subspace a lookup table
// LUT[m][c] = <u_m, centroid_m[c]>, then each row's dot is the sum of M table entries.
#pragma once

#include <cstdint>
#include <vector>

#include "memrec/param.h"

namespace memrec {

// How a model file stores the centroids (both measured in docs/ranking.md, "pq files").
enum class PqCodebook : uint8_t { F16 = 0, Int8 = 1 };

struct PqOptions {
    int subspaces = 0;   // M; 0 = not given (export requires it for --quantize pq)
    int bits = 8;        // B, 4..8: up to 2^B centroids per subspace
    uint64_t seed = 42;  // k-means++ seeding
    int iterations = 25; // Lloyd iterations at most (stops early when no code changes)
    PqCodebook codebook = PqCodebook::Int8;

    void validate() const;  // throws ConfigError
};

constexpr int kPqMinBits = 4, kPqMaxBits = 8;

struct ProductCodes {
    int64_t rows = 0;
    int cols = 0;
    int subspaces = 0;          // M, divides cols
    int bits = 8;               // B
    int centroids = 0;          // K, 1..2^B
    PqCodebook codebook = PqCodebook::Int8;
    std::vector<float> codebooks;  // M x K x (cols / M): subspace m's centroid c at (m * K + c) * sub_dim()
    std::vector<uint8_t> codes;    // rows x M, each < K

    int sub_dim() const { return cols / subspaces; }
    const float* centroid(int m, int c) const {
        return codebooks.data() + (static_cast<size_t>(m) * size_t(centroids) + size_t(c)) * size_t(sub_dim());
    }
    // Row r as floats (cols of them) into out.
    void decode_row(int64_t r, float* out) const;
    // out[r] = <u, row r> for every row, from per-subspace lookup tables (u has cols floats).
    void dots(const float* u, float* out) const;
};

// Whether a parameter of this shape is product-quantised for `options` (embedding rows only, cols a multiple
// of M with at least one column per subspace, at least one row); other parameters are stored as int8.
bool pq_applies(const Param& p, const PqOptions& options);

// k-means per subspace (k-means++ seeding from options.seed, Lloyd iterations; an empty cluster takes the
// row farthest from its centroid), centroids rounded to the stored codebook precision, then every row coded
// against the rounded centroids. Deterministic for a given seed. Throws Error for NaN or infinite values.
ProductCodes train_product_codes(const Param& p, const PqOptions& options);

// Rounds centroid values to what the file stores (f16, or int8 with one f16 scale per subspace), in place.
// Idempotent: rounding rounded values changes nothing.
void round_codebooks(ProductCodes& pq);

}  // namespace memrec
