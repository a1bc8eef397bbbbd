// Cholesky solves over caller-owned row-major buffers (see memrec/linalg.h for why they allocate nothing
// and are noexcept). Two implementations, as for the kernels: Eigen's LLT in the native build, and plain
// loops (the scalar reference, always compiled, held to Eigen's result by tests/unit/test_linalg.cpp) in
// the browser build.
//
// Why not Eigen in the browser too: measured in the wasm module (fit a visitor from 5 ratings + score 1,200
// items, node, tests/node/wasm.test.mjs), Eigen's blocked LLT took 17-27 ms, its unblocked LLT 16-18 ms and
// a Crout factorisation written with Eigen row-segment dot products ~60 ms, against 4-5 ms for the same
// factorisation in plain loops. Eigen 3.4 has no WebAssembly SIMD back-end, so its scalar fallback is all
// the browser gets, and that fallback is slower there than simple loops. The same Eigen object code is fast
// in a small standalone wasm program; the cause inside the module was not found.
#include <cmath>
#include <cstddef>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "memrec/linalg.h"

namespace memrec::linalg {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using InPlaceLLT = Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>>;

// A symmetric matrix reads the same row-major or column-major, so the row-major input is factored as
// Eigen's default column-major matrix without a transpose. LLT stops at a non-positive pivot but lets a NaN
// one through, hence the finiteness check on L's diagonal.
bool eigen_factor(const double* A, int n, Eigen::Map<Eigen::MatrixXd>& L) noexcept {
    L = Eigen::Map<const Eigen::MatrixXd>(A, n, n);
    const InPlaceLLT llt(L);
    return llt.info() == Eigen::Success && L.diagonal().allFinite();
}

}  // namespace

namespace reference {

bool factor(const double* A, int n, double* L) noexcept {
    const std::size_t m = static_cast<std::size_t>(n);
    for (std::size_t i = 0; i < m * m; ++i) L[i] = A[i];
    for (std::size_t j = 0; j < m; ++j) {
        double d = L[j * m + j];
        for (std::size_t k = 0; k < j; ++k) d -= L[j * m + k] * L[j * m + k];
        if (!(d > 0.0)) return false;  // also false for NaN
        d = std::sqrt(d);
        L[j * m + j] = d;
        for (std::size_t i = j + 1; i < m; ++i) {
            double s = L[i * m + j];
            for (std::size_t k = 0; k < j; ++k) s -= L[i * m + k] * L[j * m + k];
            L[i * m + j] = s / d;
        }
    }
    return true;
}

void substitute(const double* L, double* b, int n) noexcept {
    const std::size_t m = static_cast<std::size_t>(n);
    for (std::size_t i = 0; i < m; ++i) {
        double s = b[i];
        for (std::size_t k = 0; k < i; ++k) s -= L[i * m + k] * b[k];
        b[i] = s / L[i * m + i];
    }
    for (std::size_t i = m; i-- > 0;) {
        double s = b[i];
        for (std::size_t k = i + 1; k < m; ++k) s -= L[k * m + i] * b[k];
        b[i] = s / L[i * m + i];
    }
}

bool solve_spd(const double* A, double* b, int n, double* work) noexcept {
    if (!factor(A, n, work)) return false;
    substitute(work, b, n);
    return true;
}

}  // namespace reference

bool solve_spd_eigen(const double* A, double* b, int n, double* work) noexcept {
    Eigen::Map<Eigen::MatrixXd> L(work, n, n);
    if (!eigen_factor(A, n, L)) return false;
    Eigen::Map<Eigen::VectorXd> x(b, n);
    L.triangularView<Eigen::Lower>().solveInPlace(x);
    L.triangularView<Eigen::Lower>().adjoint().solveInPlace(x);
    return true;
}

bool solve_spd(const double* A, double* b, int n, double* work) noexcept {
#ifdef __EMSCRIPTEN__
    return reference::solve_spd(A, b, n, work);
#else
    return solve_spd_eigen(A, b, n, work);
#endif
}

bool invert_spd(const double* A, double* out, int n, double* work) noexcept {
#ifdef __EMSCRIPTEN__
    if (!reference::factor(A, n, work)) return false;
    const std::size_t m = static_cast<std::size_t>(n);
    // Column j of the inverse solves A x = e_j, built in place in column j (read through a strided copy).
    for (std::size_t j = 0; j < m; ++j) {
        double* col = out + j * m;  // row j as scratch, then transposed below
        for (std::size_t i = 0; i < m; ++i) col[i] = i == j ? 1.0 : 0.0;
        reference::substitute(work, col, n);
    }
    // Row j now holds column j of the inverse: transpose so out(i, j) is column j at row i.
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = i + 1; j < m; ++j) std::swap(out[i * m + j], out[j * m + i]);
    return true;
#else
    Eigen::Map<Eigen::MatrixXd> L(work, n, n);
    if (!eigen_factor(A, n, L)) return false;
    // Solved row-major, so out(i, j) is column j of the inverse at row i however rounding breaks symmetry.
    Eigen::Map<RowMatrix> X(out, n, n);
    X.setIdentity();
    L.triangularView<Eigen::Lower>().solveInPlace(X);
    L.triangularView<Eigen::Lower>().adjoint().solveInPlace(X);
    return true;
#endif
}

}  // namespace memrec::linalg
