// The row rules beside Adam (adam.h): LIBMF-style AdaGrad with one accumulator per row, and plain SGD
// with the learning-rate schedule. Both step only the rows with a gradient, with lazy L2 on those rows.
#include <cmath>

#include "memrec/adam.h"
#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/kernels.h"

namespace memrec {

const char* to_string(Optimizer o) { return enum_entry(kOptimizers, o).name; }

Optimizer parse_optimizer(const std::string& s) {
    if (const auto* e = enum_by_name(kOptimizers, s)) return e->value;
    throw ConfigError("unknown optimizer '" + s + "' (expected " + enum_list(kOptimizers, false) + ")");
}

// g += l2 w; then AdaGrad: G += mean(g²), w -= lr g / sqrt(1 + G); SGD: w -= lr g. The gradient row is
// left zeroed. The mean runs over the row's columns (padding lanes are zero in both w and g).
void Adam::row_rule_step(size_t param, float* __restrict g, int32_t row, float lr) {
    Param& p = *params_[param];
    float* __restrict w = p.row(row);
    const int n = p.stride;
    const float l2 = l2_[param];
    // Simple loops the compiler vectorises, the update and the clearing fused: profiling showed separate
    // axpy, dot, axpy and fill calls at about a third of an AdaGrad epoch.
    if (l2 > 0.0f)
        for (int c = 0; c < n; ++c) g[c] += l2 * w[c];
    float step = lr;
    if (config_.optimizer == Optimizer::AdaGrad) {
        float& G = state_[param].v[static_cast<size_t>(row) * size_t(n)];
        G += kernels::dot(g, g, n) / static_cast<float>(p.cols);
        step = lr / std::sqrt(1.0f + G);
    }
    for (int c = 0; c < n; ++c) {
        w[c] -= step * g[c];
        g[c] = 0.0f;
    }
    ++state_[param].steps[static_cast<size_t>(row)];
}

void Adam::update_rows(size_t param, ParamGrad& grad, const int32_t* rows, size_t n, int64_t t) {
    const float lr = static_cast<float>(learning_rate(config_, t));
    for (size_t i = 0; i < n; ++i)
        row_rule_step(param, grad.data.data() + static_cast<int64_t>(rows[i]) * grad.stride, rows[i], lr);
}

}  // namespace memrec
