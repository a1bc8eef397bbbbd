// A += alpha * sum_r y_r y_r' on the lower triangle: Eigen's rank update (SYRK) natively, plain loops in
// the browser build, where Eigen has no SIMD back-end and its blocked SYRK would add ~20 KB to a .wasm
// that has a 200 KB budget for a product of a few dozen rows (a visitor's positives) or one Gram matrix
// per model. Both sum in a fixed order whatever the thread count.
#include <cstddef>

#include <Eigen/Core>

#include "memrec/linalg.h"

namespace memrec::linalg {

void rank_update_lower(const float* Y, long rows, int stride, int dim, float alpha, float* A) noexcept {
#ifdef __EMSCRIPTEN__
    const std::size_t n = static_cast<std::size_t>(dim);
    for (long r = 0; r < rows; ++r) {
        const float* y = Y + static_cast<std::size_t>(r) * static_cast<std::size_t>(stride);
        for (std::size_t c = 0; c < n; ++c) {
            const float ay = alpha * y[c];
            float* col = A + c * n;
            for (std::size_t i = c; i < n; ++i) col[i] += ay * y[i];
        }
    }
#else
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>> rowsY(Y, rows, dim, Eigen::OuterStride<>(stride));
    Eigen::Map<Eigen::MatrixXf> a(A, dim, dim);
    // (Eigen's rank update divides by the depth: nothing to do for no rows.)
    if (rows > 0) a.selfadjointView<Eigen::Lower>().rankUpdate(rowsY.transpose(), alpha);
#endif
}

}  // namespace memrec::linalg
