// k-means codebooks for product quantisation, with Eigen: per subspace, k-means++ seeding (Arthur and
// Vassilvitskii 2007) from the options' seed, then Lloyd iterations whose assignment step is one matrix
// product (|x - c|^2 = |x|^2 - 2 <x, c> + |c|^2). Single-threaded and seeded: the same table and options give
// the same codes on every run.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "memrec/error.h"
#include "memrec/pq.h"
#include "memrec/rng.h"

namespace memrec {

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Nearest centroid of each row of x (ties: the lower index) and its squared distance.
void assign(const Matrix& x, const Matrix& c, std::vector<int>& code, std::vector<float>& dist) {
    const Eigen::VectorXf xn = x.rowwise().squaredNorm();
    const Eigen::VectorXf cn = c.rowwise().squaredNorm();
    const Matrix dots = x * c.transpose();
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        int best = 0;
        float best_d = std::numeric_limits<float>::infinity();
        for (Eigen::Index k = 0; k < c.rows(); ++k) {
            const float d = cn[k] - 2.0f * dots(i, k);
            if (d < best_d) best_d = d, best = int(k);
        }
        code[size_t(i)] = best;
        dist[size_t(i)] = std::max(0.0f, best_d + xn[i]);
    }
}

Matrix kmeans_pp(const Matrix& x, int k, Rng& rng) {
    const Eigen::Index n = x.rows();
    Matrix c(k, x.cols());
    c.row(0) = x.row(Eigen::Index(rng.below(uint64_t(n))));
    std::vector<double> d2(static_cast<size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) d2[size_t(i)] = (x.row(i) - c.row(0)).squaredNorm();
    for (int j = 1; j < k; ++j) {
        double total = 0;
        for (double d : d2) total += d;
        Eigen::Index pick = 0;
        if (total > 0) {  // a row with probability proportional to its squared distance to the nearest centroid
            double target = rng.uniform() * total;
            for (pick = 0; pick + 1 < n; ++pick) {
                target -= d2[size_t(pick)];
                if (target < 0 && d2[size_t(pick)] > 0) break;
            }
        } else {
            pick = Eigen::Index(rng.below(uint64_t(n)));  // every row already a centroid: duplicates are harmless
        }
        c.row(j) = x.row(pick);
        for (Eigen::Index i = 0; i < n; ++i)
            d2[size_t(i)] = std::min(d2[size_t(i)], double((x.row(i) - c.row(j)).squaredNorm()));
    }
    return c;
}

// Lloyd iterations from c; returns the final centroids.
Matrix lloyd(const Matrix& x, Matrix c, int iterations) {
    const Eigen::Index n = x.rows(), k = c.rows();
    std::vector<int> code(static_cast<size_t>(n), -1), prev;
    std::vector<float> dist(static_cast<size_t>(n));
    for (int it = 0; it < iterations; ++it) {
        prev = code;
        assign(x, c, code, dist);
        if (it > 0 && code == prev) break;
        Matrix sum = Matrix::Zero(k, x.cols());
        std::vector<int64_t> count(static_cast<size_t>(k), 0);
        for (Eigen::Index i = 0; i < n; ++i) {
            sum.row(code[size_t(i)]) += x.row(i);
            ++count[size_t(code[size_t(i)])];
        }
        for (Eigen::Index j = 0; j < k; ++j) {
            if (count[size_t(j)] > 0) {
                c.row(j) = sum.row(j) / float(count[size_t(j)]);
                continue;
            }
            // An empty cluster takes the row now farthest from its centroid (that row's distance is then 0,
            // so a second empty cluster takes another).
            const auto far = std::max_element(dist.begin(), dist.end()) - dist.begin();
            c.row(j) = x.row(far);
            dist[size_t(far)] = 0.0f;
        }
    }
    return c;
}

}  // namespace

ProductCodes train_product_codes(const Param& p, const PqOptions& options) {
    options.validate();
    if (!pq_applies(p, options))
        throw ConfigError("cannot product-quantise " + p.name + " (" + std::to_string(p.rows) + " x " +
                          std::to_string(p.cols) + ") into " + std::to_string(options.subspaces) + " subspaces");
    for (int64_t r = 0; r < p.rows; ++r)
        for (int c = 0; c < p.cols; ++c)
            if (!std::isfinite(p.row(r)[c]))
                throw Error("cannot store " + p.name + " row " + std::to_string(r) + " as pq: it holds NaN or infinity");
    ProductCodes pq;
    pq.rows = p.rows;
    pq.cols = p.cols;
    pq.subspaces = options.subspaces;
    pq.bits = options.bits;
    pq.codebook = options.codebook;
    pq.centroids = int(std::min<int64_t>(int64_t(1) << options.bits, p.rows));
    const int d = pq.sub_dim(), k = pq.centroids;
    pq.codebooks.assign(size_t(pq.subspaces) * size_t(k) * size_t(d), 0.0f);
    Rng rng(options.seed);
    std::vector<Matrix> xs;
    for (int m = 0; m < pq.subspaces; ++m) {
        Matrix x(p.rows, d);
        for (int64_t r = 0; r < p.rows; ++r)
            for (int j = 0; j < d; ++j) x(r, j) = p.row(r)[m * d + j];
        const Matrix c = lloyd(x, kmeans_pp(x, k, rng), options.iterations);
        for (int j = 0; j < k; ++j)
            for (int t = 0; t < d; ++t) pq.codebooks[(size_t(m) * size_t(k) + size_t(j)) * size_t(d) + size_t(t)] = c(j, t);
        xs.push_back(std::move(x));
    }
    // Codes against the centroids as stored, so rounding the codebook costs as little as it can.
    round_codebooks(pq);
    pq.codes.assign(size_t(p.rows) * size_t(pq.subspaces), 0);
    std::vector<int> code(static_cast<size_t>(p.rows));
    std::vector<float> dist(static_cast<size_t>(p.rows));
    for (int m = 0; m < pq.subspaces; ++m) {
        const Eigen::Map<const Matrix> c(pq.centroid(m, 0), k, d);
        assign(xs[size_t(m)], c, code, dist);
        for (int64_t r = 0; r < p.rows; ++r) pq.codes[size_t(r) * size_t(pq.subspaces) + size_t(m)] = uint8_t(code[size_t(r)]);
    }
    return pq;
}

}  // namespace memrec
