#include <algorithm>
#include <cmath>

#include "memrec/adam.h"
#include "memrec/error.h"
#include "memrec/kernels.h"

namespace memrec {

const char* to_string(AdamMode mode) { return mode == AdamMode::Dense ? "dense" : "lazy"; }

AdamMode parse_adam_mode(const std::string& s) {
    if (s == "dense") return AdamMode::Dense;
    if (s == "lazy") return AdamMode::Lazy;
    throw ConfigError("unknown Adam mode '" + s + "' (expected dense or lazy)");
}

void AdamConfig::validate() const {
    if (!(learning_rate > 0.0) || !std::isfinite(learning_rate))
        throw ConfigError("learning rate must be a positive number, got " + std::to_string(learning_rate));
    if (!(beta1 >= 0.0 && beta1 < 1.0)) throw ConfigError("beta1 must be in [0, 1)");
    if (!(beta2 >= 0.0 && beta2 < 1.0)) throw ConfigError("beta2 must be in [0, 1)");
    if (!(epsilon > 0.0) || !std::isfinite(epsilon)) throw ConfigError("epsilon must be positive");
    if (!(weight_decay >= 0.0) || !std::isfinite(weight_decay)) throw ConfigError("weight decay must be >= 0");
}

Adam::Adam(const AdamConfig& config, std::vector<Param*> params) : config_(config), params_(std::move(params)) {
    config_.validate();
    state_.resize(params_.size());
    for (size_t i = 0; i < params_.size(); ++i) {
        const size_t n = params_[i]->data.size();
        state_[i].m.assign(n, 0.0f);
        state_[i].v.assign(n, 0.0f);
        if (config_.mode == AdamMode::Lazy) state_[i].steps.assign(static_cast<size_t>(params_[i]->rows), 0);
    }
}

double Adam::alpha(const AdamConfig& c, int64_t t) {
    const double td = static_cast<double>(t);
    return c.learning_rate * std::sqrt(1.0 - std::pow(c.beta2, td)) / (1.0 - std::pow(c.beta1, td));
}

float Adam::lazy_alpha(int32_t t) {
    while (static_cast<int32_t>(alpha_by_step_.size()) <= t)
        alpha_by_step_.push_back(static_cast<float>(alpha(config_, static_cast<int64_t>(alpha_by_step_.size()))));
    return alpha_by_step_[static_cast<size_t>(t)];
}

void Adam::step(std::vector<ParamGrad>& grads, int threads) {
    ++step_;
    for (size_t i = 0; i < params_.size(); ++i) {
        if (config_.mode == AdamMode::Dense)
            dense_param(*params_[i], state_[i], grads[i], threads);
        else
            lazy_param(*params_[i], state_[i], grads[i]);
        grads[i].clear();
    }
}

// Untouched rows have a zero gradient buffer, and b*m + (1-b)*0 == b*m exactly, so one adam_update over the
// whole contiguous buffer is the dense step: decay for absent rows, full update for present ones.
void Adam::dense_param(Param& p, AdamState& s, ParamGrad& g, int threads) {
    AdamStep st{static_cast<float>(alpha(config_, step_)), static_cast<float>(config_.beta1),
                static_cast<float>(config_.beta2), static_cast<float>(config_.epsilon)};
    const float decay = static_cast<float>(config_.learning_rate * config_.weight_decay);
    const int64_t rows = p.rows;
    const int stride = p.stride;
    // Chunks of whole rows, large enough that a thread's share streams through memory.
    constexpr int64_t kChunkRows = 256;
    const int64_t chunks = (rows + kChunkRows - 1) / kChunkRows;
#if defined(MEMREC_OPENMP)
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && chunks > 1)
#else
    (void)threads;
#endif
    for (int64_t c = 0; c < chunks; ++c) {
        const int64_t r0 = c * kChunkRows, r1 = std::min(rows, r0 + kChunkRows);
        const int64_t off = r0 * stride, n = (r1 - r0) * stride;
        if (decay > 0.0f) kernels::axpy(-decay, p.data.data() + off, p.data.data() + off, n);
        kernels::adam_update(p.data.data() + off, s.m.data() + off, s.v.data() + off, g.data.data() + off, n, st);
    }
}

void Adam::lazy_param(Param& p, AdamState& s, ParamGrad& g) {
    AdamStep st{0.0f, static_cast<float>(config_.beta1), static_cast<float>(config_.beta2),
                static_cast<float>(config_.epsilon)};
    const float decay = static_cast<float>(config_.learning_rate * config_.weight_decay);
    auto update_row = [&](int32_t r) {
        st.alpha = lazy_alpha(++s.steps[static_cast<size_t>(r)]);
        const int64_t off = static_cast<int64_t>(r) * p.stride;
        if (decay > 0.0f) kernels::axpy(-decay, p.data.data() + off, p.data.data() + off, p.stride);
        kernels::adam_update(p.data.data() + off, s.m.data() + off, s.v.data() + off, g.data.data() + off,
                             p.stride, st);
    };
    if (g.whole) {
        for (int64_t r = 0; r < p.rows; ++r) update_row(static_cast<int32_t>(r));
    } else {
        for (int32_t r : g.touched) update_row(r);
    }
}

}  // namespace memrec
