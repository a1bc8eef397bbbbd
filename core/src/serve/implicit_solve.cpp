// The ALS step for one row (implicit_fit.h): the row's normal equations from the shared Gram matrix plus
// the positives' rank-alpha update, in float (the systems are dim x dim and lambda keeps them well
// conditioned), and training's solve of them by an in-place float Cholesky.
//
// Alone in its file, with nothing that allocates or throws: in the wasm build (JS-emulated exceptions,
// -fexceptions) every non-inlined call made where something must be destroyed on unwinding goes through a
// JavaScript trampoline. Eigen::Map over the caller's buffers owns nothing, so the file can be compiled
// without exceptions there like core/src/linalg (wasm/CMakeLists.txt). A visitor's fold-in builds its
// system here but solves it with linalg::solve_spd, the browser's measured-fast Cholesky.
#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "memrec/implicit_fit.h"

namespace memrec {

void implicit_system(const float* item_vectors, int stride, int dim, const float* gram, float alpha, float lambda,
                     const int32_t* positives, int64_t n, float* workspace, float* b) {
    Eigen::Map<Eigen::MatrixXf> A(workspace, dim, dim);
    Eigen::Map<Eigen::MatrixXf> P(workspace + int64_t(dim) * dim, dim, n);  // the positives, one per column
    for (int64_t k = 0; k < n; ++k)
        P.col(k) = Eigen::Map<const Eigen::VectorXf>(item_vectors + int64_t(positives[k]) * stride, dim);
    A = Eigen::Map<const Eigen::MatrixXf>(gram, dim, dim);
    // Only the lower triangle is updated. (Eigen's rank update divides by the depth: skipped at 0.)
    if (n > 0) A.selfadjointView<Eigen::Lower>().rankUpdate(P, alpha);
    A.diagonal().array() += lambda;
    Eigen::Map<Eigen::VectorXf>(b, dim) = (1.0f + alpha) * P.rowwise().sum();
}

bool solve_implicit_row(const float* item_vectors, int stride, int dim, const float* gram, float alpha,
                        float lambda, const int32_t* positives, int64_t n, float* workspace, float* x) {
    implicit_system(item_vectors, stride, dim, gram, alpha, lambda, positives, n, workspace, x);
    Eigen::Map<Eigen::MatrixXf> A(workspace, dim, dim);
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXf>, Eigen::Lower> llt(A);  // factorises A in place
    if (llt.info() != Eigen::Success || !A.diagonal().allFinite()) return false;
    llt.solveInPlace(Eigen::Map<Eigen::VectorXf>(x, dim));
    return true;
}

}  // namespace memrec
