// The ALS user step for one row (implicit_fit.h): build the row's normal equations from the shared Gram
// matrix plus the positives' rank-alpha update, then solve them by Cholesky, all in float (the systems are
// 64 x 64-sized and lambda keeps them well conditioned).
#include "memrec/implicit_fit.h"

#include <algorithm>
#include <string>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "memrec/error.h"

namespace memrec {

std::vector<float> implicit_gram(const float* item_vectors, int64_t items, int stride, int dim) {
    std::vector<float> gram(size_t(dim) * size_t(dim), 0.0f);
    Eigen::Map<Eigen::MatrixXf> G(gram.data(), dim, dim);
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>> Y(item_vectors, items, dim, Eigen::OuterStride<>(stride));
    // A rank update (SYRK) rather than Y.transpose() * Y: Eigen's GEMM splits its work by the OpenMP thread
    // count, and the sums must not depend on it (ALS results are the same for every thread count).
    G.selfadjointView<Eigen::Lower>().rankUpdate(Y.transpose());
    G.triangularView<Eigen::StrictlyUpper>() = G.transpose();
    return gram;
}

bool solve_implicit_row(const float* item_vectors, int stride, int dim, const float* gram, float alpha,
                        float lambda, const int32_t* positives, int64_t n, float* workspace, float* x) {
    Eigen::Map<Eigen::MatrixXf> A(workspace, dim, dim);
    Eigen::Map<Eigen::MatrixXf> P(workspace + int64_t(dim) * dim, dim, n);  // the positives, one per column
    Eigen::Map<Eigen::VectorXf> b(x, dim);
    for (int64_t k = 0; k < n; ++k)
        P.col(k) = Eigen::Map<const Eigen::VectorXf>(item_vectors + int64_t(positives[k]) * stride, dim);
    A = Eigen::Map<const Eigen::MatrixXf>(gram, dim, dim);
    // The lower triangle is all the LLT reads. (Eigen's rank update divides by the depth: skipped at 0.)
    if (n > 0) A.selfadjointView<Eigen::Lower>().rankUpdate(P, alpha);
    A.diagonal().array() += lambda;
    b = (1.0f + alpha) * P.rowwise().sum();
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXf>, Eigen::Lower> llt(A);  // factorises A in place
    if (llt.info() != Eigen::Success || !A.diagonal().allFinite()) return false;
    llt.solveInPlace(b);
    return true;
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
    if (!solve_implicit_row(item_vectors.data(), stride, dim, gram.data(), float(config.alpha), float(config.lambda),
                            positives.data(), int64_t(positives.size()), workspace.data(), x.data()))
        throw Error("implicit fold-in: the system is not positive definite (non-finite item vectors?)");
    return x;
}

}  // namespace memrec
