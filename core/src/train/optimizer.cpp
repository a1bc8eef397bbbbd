// The row rules beside Adam (adam.h): LIBMF-style AdaGrad with one accumulator per row, and plain SGD
// with the learning-rate schedule. Both step only the rows with a gradient, with lazy L2 on those rows.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "memrec/adam.h"
#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/kernels.h"
#include "prefetch.h"

namespace memrec {

namespace {
constexpr int kRuleChunk = 16;  // rows whose step sizes update_rows computes at once
// How far ahead update_rows fetches rows. `memrec bench --presets fast,fast-linear --epochs 5`, 2 threads,
// two rounds, 1 / 2 / 4 / 8 rows ahead: fast-linear 8.57-8.73M / 8.95-9.14M / 8.96-9.18M / 8.60-8.93M
// ratings/s; fast 12.5-12.7M / 12.6-12.7M / 11.8-12.6M / 11.4-12.9M.
constexpr size_t kRuleFetchAhead = 2;
}  // namespace

const char* to_string(Optimizer o) { return enum_entry(kOptimizers, o).name; }

Optimizer parse_optimizer(const std::string& s) {
    if (const auto* e = enum_by_name(kOptimizers, s)) return e->value;
    throw ConfigError("unknown optimizer '" + s + "' (expected " + enum_list(kOptimizers, false) + ")");
}

// The row rules on the listed rows: g += l2 w; then AdaGrad: G += mean(g²), w -= lr g / sqrt(1 + G); SGD:
// w -= lr g. The gradient rows are left zeroed. The mean runs over the row's columns (padding lanes are zero
// in both w and g).
void Adam::update_rows(size_t param, ParamGrad& grad, const int32_t* rows, size_t n, int64_t t) {
    if (config_.optimizer == Optimizer::Adam) {
        lazy_rows(param, grad, rows, n, t);
        return;
    }
    const float lr = static_cast<float>(learning_rate(config_, t));
    AdamState& s = state_[param];
    int32_t* counts = counts_of(s, grad);
    Param& p = *params_[param];
    const int stride = p.stride;
    const float l2 = l2_[param];
    const bool adagrad = config_.optimizer == Optimizer::AdaGrad;
    float* accumulators = adagrad ? s.v.data() : nullptr;
    // Rows kRuleFetchAhead ahead are fetched: the row's parameters, its gradient in the buffer (not a direct
    // row's, which is where the backward pass just wrote it) and its AdaGrad accumulator.
    auto fetch = [&](int32_t r) {
        const int64_t off = int64_t(r) * stride;
        const bool direct = grad.allow_direct && grad.direct[size_t(r)];
        for (int64_t c = 0; c < stride; c += 16) {
            prefetch_for_write(p.data.data() + off + c);
            if (!direct) prefetch_for_write(grad.data.data() + off + c);
        }
        if (accumulators) prefetch_for_write(accumulators + int64_t(r) * kAccumulatorStride);
    };
    for (size_t k = 0; k < std::min(n, kRuleFetchAhead); ++k) fetch(rows[k]);
    // Rows in chunks of kRuleChunk, in two passes. The first adds L2 to each gradient row and, for AdaGrad,
    // adds its mean square to the row's accumulator; the chunk's step sizes lr / sqrt(1 + G) then come from
    // one vector kernel; the second pass steps the rows and clears their gradients. Taken row by row, each
    // row's step waited on its own square root and divisions (most of the 27% of a fast-linear epoch's
    // samples that the row-by-row step held). Each row's arithmetic is unchanged: the same bits.
    // A row used once in the batch (ParamGrad::direct) steps from a copy of its gradient where the backward
    // pass computed it, L2 added as it is copied: no adding it into the buffer row, reading it back and
    // zeroing it. The loops are simple ones the compiler vectorises, the update and the clearing fused
    // (separate axpy, dot, axpy and fill calls once took about a third of an AdaGrad epoch).
    thread_local AlignedVector<float> copies;
    if (grad.allow_direct && copies.size() < size_t(kRuleChunk) * size_t(stride))
        copies.resize(size_t(kRuleChunk) * size_t(stride));
    alignas(64) float G[kRuleChunk];
    alignas(64) float rate[kRuleChunk];
    float* g_of[kRuleChunk];
    for (size_t k0 = 0; k0 < n; k0 += kRuleChunk) {
        const size_t m = std::min(n - k0, size_t(kRuleChunk));
        const int32_t* chunk = rows + k0;
        for (size_t j = 0; j < m; ++j) {
            if (k0 + j + kRuleFetchAhead < n) fetch(rows[k0 + j + kRuleFetchAhead]);
            const int32_t r = chunk[j];
            const float* __restrict w = p.row(r);
            float* __restrict g = grad.data.data() + int64_t(r) * grad.stride;
            if (const float* __restrict direct = grad.allow_direct ? grad.direct[size_t(r)] : nullptr) {
                g = copies.data() + j * size_t(stride);
                if (l2 > 0.0f)
                    for (int c = 0; c < stride; ++c) g[c] = direct[c] + l2 * w[c];
                else
                    std::copy_n(direct, stride, g);
                grad.direct[size_t(r)] = nullptr;
            } else if (l2 > 0.0f) {
                for (int c = 0; c < stride; ++c) g[c] += l2 * w[c];
            }
            g_of[j] = g;
            if (adagrad) {
                float& acc = accumulators[size_t(r) * kAccumulatorStride];
                acc += kernels::dot(g, g, stride) / static_cast<float>(p.cols);
                G[j] = acc;
            }
        }
        if (adagrad) {
            std::fill(G + m, G + kRuleChunk, 0.0f);
            kernels::adagrad_rates(G, lr, rate, kRuleChunk);
        } else {
            std::fill_n(rate, kRuleChunk, lr);
        }
        for (size_t j = 0; j < m; ++j) {
            const int32_t r = chunk[j];
            float* __restrict w = p.row(r);
            float* __restrict g = g_of[j];
            const float step = rate[j];
            for (int c = 0; c < stride; ++c) {
                w[c] -= step * g[c];
                g[c] = 0.0f;
            }
            ++counts[static_cast<size_t>(r)];
        }
    }
}

Adam::RowRule Adam::row_rule(size_t param, ParamGrad& grad, int64_t t) {
    if (config_.optimizer == Optimizer::Adam) throw std::logic_error("row_rule: Adam is not a row rule");
    AdamState& s = state_[param];
    RowRule r;
    r.param = params_[param];
    r.accumulators = config_.optimizer == Optimizer::AdaGrad ? s.v.data() : nullptr;
    r.counts = counts_of(s, grad);
    r.lr = static_cast<float>(learning_rate(config_, t));
    r.l2 = l2_[param];
    r.cols = static_cast<float>(r.param->cols);
    return r;
}

// Lazy Adam on the listed rows at step t, as lazy_param steps them (lazy_row: the global step's bias
// correction, decoupled decay, L2 on the row), each gradient row then zeroed (or its direct source let go).
void Adam::lazy_rows(size_t param, ParamGrad& grad, const int32_t* rows, size_t n, int64_t t) {
    Param& p = *params_[param];
    AdamState& s = state_[param];
    const AdamStep st{lazy_alpha(t), static_cast<float>(config_.beta1), static_cast<float>(config_.beta2),
                      static_cast<float>(config_.epsilon)};
    const float decay = static_cast<float>(learning_rate(config_, t) * config_.weight_decay);
    const float l2 = l2_[param];
    int32_t* counts = counts_of(s, grad);
    for (size_t i = 0; i < n; ++i) {
        const int32_t r = rows[i];
        if (const float* direct = grad.allow_direct ? grad.direct[size_t(r)] : nullptr) {
            lazy_row(p, s, r, direct, l2, decay, st);
            grad.direct[size_t(r)] = nullptr;
        } else {
            float* g = grad.data.data() + static_cast<int64_t>(r) * p.stride;
            lazy_row(p, s, r, g, l2, decay, st);
            std::fill_n(g, p.stride, 0.0f);
        }
        ++counts[static_cast<size_t>(r)];
    }
}

// AdaGrad's shared rows on the block schedule (block_schedule.cpp) hold still for a round while every thread
// adds its batches' gradients here (Adam and SGD sum theirs in place: add_round_l2); the L2 term is the
// row's as it stands, which is what each single step would have added too.
void Adam::add_to_round(size_t param, float* __restrict g, float* __restrict sum, float& sq, int32_t row) const {
    const Param& p = *params_[param];
    const float* __restrict w = p.row(row);
    const int n = p.stride;
    const float l2 = l2_[param];
    if (l2 > 0.0f)
        for (int c = 0; c < n; ++c) g[c] += l2 * w[c];
    sq += kernels::dot(g, g, n) / static_cast<float>(p.cols);
    for (int c = 0; c < n; ++c) {
        sum[c] += g[c];
        g[c] = 0.0f;
    }
}

// The block schedule's shared rows summed over a round in place (Adam and SGD): the L2 term each of the
// `batches` batches would have added, the row held still, l2 w each.
void Adam::add_round_l2(size_t param, float* __restrict sum, int32_t batches, int32_t row) const {
    const float l2 = l2_[param];
    if (l2 <= 0.0f) return;
    const Param& p = *params_[param];
    kernels::axpy(l2 * static_cast<float>(batches), p.row(row), sum, p.stride);
}

// One step for a round of `batches` gradients summing to S with squares summing to Q, from G0:
//  - AdaGrad: G = G0 + Q, w -= d 2 lr S / (sqrt(1 + G0) + sqrt(1 + G)). For a gradient that holds still over
//    the round this is what the single steps lr g / sqrt(1 + G) add up to as G grows from G0 to G0 + Q (the
//    integral); since |S| <= sqrt(batches Q) it moves a row by at most 2 lr sqrt(batches). d = min(1, 16 /
//    batches) damps rows in more than 16 batches of the round, whose gradient does not hold still.
//  - SGD: w -= lr S / batches, one step with the round's mean batch gradient: the sum (what single steps
//    on a still gradient add up to) diverges on rows in every batch, such as the global bias.
void Adam::step_round(size_t param, float* __restrict sum, float sq, int32_t batches, int32_t row, int64_t t) {
    Param& p = *params_[param];
    float* __restrict w = p.row(row);
    const int n = p.stride;
    const float lr = static_cast<float>(learning_rate(config_, t));
    if (config_.optimizer == Optimizer::Adam) {
        // Lazy Adam: the round's mean batch gradient (L2 already in it), stepped min(batches, 8) times at the
        // round's last step: about what the single steps add up to when the gradient holds still, damped for
        // rows in many of the round's batches. On 2 threads (rounds of 2 x 16 batches), `compare --adam lazy`'s
        // compressed model (every user row shared) ended at eval MSE 0.8495 / 0.8322 / 0.8281 / 0.8332 /
        // 0.8372 with at most 1 / 4 / 8 / 12 / 16 steps; the two-side schedule's figure is 0.8294.
        constexpr int32_t kAdamRoundSteps = 8;
        const float inv = 1.0f / static_cast<float>(batches);
        for (int c = 0; c < n; ++c) sum[c] *= inv;
        const AdamStep st{lazy_alpha(t), static_cast<float>(config_.beta1), static_cast<float>(config_.beta2),
                          static_cast<float>(config_.epsilon)};
        const float decay = static_cast<float>(lr * config_.weight_decay);
        AdamState& s = state_[param];
        const int64_t off = static_cast<int64_t>(row) * n;
        const int k = std::min(batches, kAdamRoundSteps);
        for (int j = 0; j < k; ++j) {
            if (decay > 0.0f) kernels::axpy(-decay, w, w, n);
            kernels::adam_update(w, s.m.data() + off, s.v.data() + off, sum, n, st);
        }
        std::fill_n(sum, n, 0.0f);
        s.steps[static_cast<size_t>(row)] += batches;
        return;
    }
    // Rows in more batches than kFullRoundBatches (the global bias, projections, popular buckets) step as if
    // the round had that many: their stale gradients overshoot otherwise (quotient rows in every batch
    // threw the sigmoid into saturation at lr 0.1).
    constexpr float kFullRoundBatches = 16.0f;
    const float damp = std::min(1.0f, kFullRoundBatches / static_cast<float>(batches));
    float step = lr / static_cast<float>(batches);
    if (config_.optimizer == Optimizer::AdaGrad) {
        float& G = state_[param].v[static_cast<size_t>(row) * kAccumulatorStride];
        const float before = std::sqrt(1.0f + G);
        G += sq;
        step = damp * 2.0f * lr / (before + std::sqrt(1.0f + G));
    }
    for (int c = 0; c < n; ++c) {
        w[c] -= step * sum[c];
        sum[c] = 0.0f;
    }
    state_[param].steps[static_cast<size_t>(row)] += batches;
}

}  // namespace memrec
