// One user's vector of an implicit-feedback model (Hu, Koren and Volinsky 2008) with the item vectors
// frozen: the ALS user step for one row. ALS training (als.h) runs it for every user each iteration, and a
// visitor's fold-in is this one solve, in the browser as on the command line.
//
// With Y the item vectors (items x dim), P the user's positive items, each with confidence 1 + alpha and
// preference 1 (every other item: confidence 1, preference 0), the user vector x solves
//     (Y'Y + alpha * sum_{i in P} y_i y_i' + lambda I) x = (1 + alpha) * sum_{i in P} y_i.
// Y'Y does not depend on the user: compute it once per model (implicit_gram) and reuse it.
#pragma once

#include <cstdint>
#include <vector>

#include "memrec/model.h"
#include "memrec/param.h"

namespace memrec {

// Y'Y of `items` item vectors of `dim` floats each, `stride` floats apart: dim x dim, column-major, both
// triangles filled.
std::vector<float> implicit_gram(const float* item_vectors, int64_t items, int stride, int dim);

// Floats of workspace solve_implicit_row needs for `positives` items at `dim`.
inline int64_t implicit_workspace_floats(int dim, int64_t positives) {
    return int64_t(dim) * dim + int64_t(dim) * positives;
}

// The row's system, allocating nothing: A (dim x dim, column-major, lower triangle filled) into the first
// dim * dim floats of `workspace` (implicit_workspace_floats(dim, n) floats; the rest is scratch) and the
// right-hand side into `b` (dim floats). Item indices are trusted (the callers check them).
void implicit_system(const float* item_vectors, int stride, int dim, const float* gram, float alpha, float lambda,
                     const int32_t* positives, int64_t n, float* workspace, float* b);

// Training's solve of one row (implicit_system, then an in-place float Cholesky): x (dim floats) receives
// the row. False if the system was not positive definite (only with non-finite vectors: lambda > 0).
// Both allocate nothing and own nothing with a destructor, so that in the wasm module (JS-emulated
// exceptions) their calls need no JavaScript trampolines (implicit_solve.cpp).
bool solve_implicit_row(const float* item_vectors, int stride, int dim, const float* gram, float alpha,
                        float lambda, const int32_t* positives, int64_t n, float* workspace, float* x);

// The items of `rated` (dense item indices with their ratings) that the config counts as positives, in
// the order given, each once.
std::vector<int32_t> implicit_positives(const std::vector<std::pair<int32_t, float>>& rated,
                                        const ImplicitConfig& config);

// A visitor's user vector (stride floats, padding zero) fitted to the positive items `positives` with the
// item vectors `item_vectors` (items x stride, Model::item_vectors()) and their Gram matrix frozen: the
// system of implicit_system solved by linalg::solve_spd (in double; the browser's Cholesky). Throws
// ConfigError for an item index out of range or a gram of the wrong size.
AlignedVector<float> fit_implicit_user(const AlignedVector<float>& item_vectors, int64_t items, int stride, int dim,
                                       const std::vector<float>& gram, const ImplicitConfig& config,
                                       const std::vector<int32_t>& positives);

}  // namespace memrec
