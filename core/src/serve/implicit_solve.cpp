// The ALS step for one row (implicit_fit.h): the row's normal equations from the shared Gram matrix plus
// the positives' rank-alpha update, solved by Cholesky, all in float (the systems are dim x dim and lambda
// keeps them well conditioned). Training solves every row with it; the browser solves a visitor's.
//
// Alone in its file, with nothing that allocates or throws: in the wasm build (JS-emulated exceptions,
// -fexceptions) every non-inlined call made where something must be destroyed on unwinding goes through a
// JavaScript trampoline, which made an LLT over heap matrices 3-4x slower than hand-written code. Here
// Eigen::Map over the caller's buffers and an in-place LLT<Ref<>> own nothing. (Eigen's blocked kernels
// inside the LLT and the rank update still declare stack buffers of their own; if they show up in the
// browser's profile, this file can be compiled with -fno-exceptions, as nothing in it throws.)
#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "memrec/implicit_fit.h"

namespace memrec {

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

}  // namespace memrec
