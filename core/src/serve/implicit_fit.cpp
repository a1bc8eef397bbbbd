// What surrounds the one-row solve (implicit_solve.cpp): the shared Gram matrix, which ratings are
// positives, and the checked, allocating entry point for a visitor.
#include "memrec/implicit_fit.h"

#include <algorithm>
#include <string>

#include <Eigen/Core>

#include "memrec/error.h"
#include "memrec/linalg.h"

namespace memrec {

std::vector<float> implicit_gram(const float* item_vectors, int64_t items, int stride, int dim) {
    std::vector<float> gram(size_t(dim) * size_t(dim), 0.0f);
    // A rank update (SYRK) rather than Y.transpose() * Y: Eigen's GEMM splits its work by the OpenMP thread
    // count, and the sums must not depend on it (ALS results are the same for every thread count).
    linalg::rank_update_lower(item_vectors, long(items), stride, dim, 1.0f, gram.data());
    Eigen::Map<Eigen::MatrixXf> G(gram.data(), dim, dim);
    G.triangularView<Eigen::StrictlyUpper>() = G.transpose();
    return gram;
}

std::vector<int32_t> implicit_positives(const std::vector<std::pair<int32_t, float>>& rated,
                                        const ImplicitConfig& config) {
    std::vector<int32_t> out;
    for (const auto& [item, rating] : rated)
        if (config.positive(rating) && std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    return out;
}

AlignedVector<float> fit_implicit_user(const AlignedVector<float>& item_vectors, int64_t items, int stride, int dim,
                                       const std::vector<float>& gram, const ImplicitConfig& config,
                                       const std::vector<int32_t>& positives) {
    if (item_vectors.size() != size_t(items) * size_t(stride) || gram.size() != size_t(dim) * size_t(dim) ||
        dim > stride)
        throw ConfigError("implicit fold-in: item vectors or Gram matrix do not match the model");
    for (int32_t i : positives)
        if (i < 0 || i >= items)
            throw ConfigError("implicit fold-in: item index " + std::to_string(i) + " out of range 0.." +
                              std::to_string(items - 1));
    AlignedVector<float> workspace(size_t(implicit_workspace_floats(dim, int64_t(positives.size()))));
    AlignedVector<float> x(size_t(stride), 0.0f);
    implicit_system(item_vectors.data(), stride, dim, gram.data(), float(config.alpha), float(config.lambda),
                    positives.data(), int64_t(positives.size()), workspace.data(), x.data());
    // solve_spd reads both triangles: mirror the lower one (a symmetric matrix is the same in either order).
    const size_t n = size_t(dim);
    std::vector<double> A(n * n), b(x.begin(), x.begin() + dim), work(n * n);
    for (size_t c = 0; c < n; ++c)
        for (size_t r = c; r < n; ++r) A[r * n + c] = A[c * n + r] = workspace[c * n + r];
    if (!linalg::solve_spd(A.data(), b.data(), dim, work.data()))
        throw Error("implicit fold-in: the system is not positive definite (non-finite item vectors?)");
    std::copy(b.begin(), b.end(), x.begin());
    return x;
}

}  // namespace memrec
