// The ALS step for one row (implicit_fit.h): the row's normal equations from the shared Gram matrix plus
// the positives' rank-alpha update, in float (the systems are dim x dim and lambda keeps them well
// conditioned), and training's solve of them by an in-place float Cholesky.
//
// Alone in its file, with nothing that allocates or throws: in the wasm build (JS-emulated exceptions,
// -fexceptions) every non-inlined call made where something must be destroyed on unwinding goes through a
// JavaScript trampoline. Eigen::Map over the caller's buffers owns nothing, so the file can be compiled
// without exceptions there like core/src/linalg (wasm/CMakeLists.txt). A visitor's fold-in builds its
// system here but solves it with linalg::solve_spd, the browser's measured-fast Cholesky.
#include <algorithm>
#include <cstddef>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "memrec/implicit_fit.h"
#include "memrec/linalg.h"

namespace memrec {

void implicit_system(const float* item_vectors, int stride, int dim, const float* gram, float alpha, float lambda,
                     const int32_t* positives, int64_t n, float* workspace, float* b) {
    // Plain copies and sums around the rank update: the same speed as Eigen expressions natively, and
    // no Eigen code in the browser's .wasm (budget 200 KB) beyond what it needs.
    const size_t d = size_t(dim);
    float* P = workspace + d * d;  // the positives, one per column
    std::fill(b, b + d, 0.0f);
    for (int64_t k = 0; k < n; ++k) {
        const float* y = item_vectors + int64_t(positives[k]) * stride;
        std::copy(y, y + d, P + size_t(k) * d);
        for (size_t i = 0; i < d; ++i) b[i] += y[i];
    }
    for (size_t i = 0; i < d; ++i) b[i] *= 1.0f + alpha;
    std::copy(gram, gram + d * d, workspace);
    // Only the lower triangle is updated; P's columns are the rows y_r of the update.
    linalg::rank_update_lower(P, long(n), dim, dim, alpha, workspace);
    for (size_t i = 0; i < d; ++i) workspace[i * d + i] += lambda;
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
