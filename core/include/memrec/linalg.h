// Dense linear algebra the core needs: the small symmetric positive-definite solves of the visitor fit and
// of the ranking models' fold-in, the inverse behind the visitor prior, and the rank updates that build
// implicit ALS systems. Natively they are Eigen's LLT;
// the browser build uses the scalar reference below (why: core/src/linalg/spd_solve.cpp).
//
// The functions take plain row-major buffers, allocate nothing, never throw and are noexcept: the wasm
// module is built with Emscripten's JavaScript-emulated C++ exceptions, under which a call that may throw,
// made from a scope with something to destroy, goes out through a JS trampoline. This file's translation
// unit is compiled without exceptions in that build (wasm/CMakeLists.txt), so its calls never do.
#pragma once

namespace memrec::linalg {

// Solves A x = b for a symmetric positive-definite n x n A (row-major, both triangles filled): b is
// overwritten by x. `work` is n * n doubles of scratch (A itself is not changed). False, with b unchanged,
// when A is not positive definite (or holds NaN).
bool solve_spd(const double* A, double* b, int n, double* work) noexcept;

// out = A^-1 for a symmetric positive-definite n x n A (row-major); out may not alias A. `work` is n * n
// doubles of scratch. False, with out unchanged, when A is not positive definite.
bool invert_spd(const double* A, double* out, int n, double* work) noexcept;

// A += alpha * sum_r y_r y_r' for the `rows` rows y_r of Y (dim floats each, `stride` floats apart), on
// the lower triangle of the dim x dim column-major A (the upper triangle is not touched). The sums do not
// depend on any thread count.
void rank_update_lower(const float* Y, long rows, int stride, int dim, float alpha, float* A) noexcept;

// solve_spd on Eigen's LLT, whichever build (the native solve_spd); for tests and benchmarks.
bool solve_spd_eigen(const double* A, double* b, int n, double* work) noexcept;

// The scalar reference: Cholesky-Crout factorisation into the lower triangle of L (n * n, row-major; the
// upper triangle keeps A's values) and the two triangular substitutions.
namespace reference {
bool factor(const double* A, int n, double* L) noexcept;
void substitute(const double* L, double* b, int n) noexcept;
bool solve_spd(const double* A, double* b, int n, double* work) noexcept;
}  // namespace reference

}  // namespace memrec::linalg
