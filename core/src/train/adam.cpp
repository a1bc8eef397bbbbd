#include <algorithm>
#include <cmath>
#include <numeric>

#include "memrec/adam.h"
#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/kernels.h"
#include "memrec/train_fields.h"
#include "prefetch.h"

namespace memrec {

const char* to_string(AdamMode mode) { return enum_entry(kAdamModes, mode).name; }

AdamMode parse_adam_mode(const std::string& s) {
    if (const auto* e = enum_by_name(kAdamModes, s)) return e->value;
    throw ConfigError("unknown Adam mode '" + s + "' (expected " + enum_list(kAdamModes, false) + ")");
}

void AdamConfig::validate() const {
    TrainConfig t;  // the field list describes the Adam settings within the training settings
    t.adam = *this;
    check_ranges(t);
    if (decay_steps < 0) throw ConfigError("decay steps must be >= 0");
    if (weight_decay > 0.0 && optimizer != Optimizer::Adam)
        throw ConfigError("weight decay is an Adam setting (AdaGrad and SGD regularise with --l2)");
    if (weight_decay > 0.0 && mode == AdamMode::Dense && optimizer == Optimizer::Adam)
        throw ConfigError("weight decay needs --adam lazy or dense-sweep (dense's closed form has no decay term)");
}

// The L2 coefficient of a parameter, from its role and side: none on the global bias, l2_bias on the
// per-user / per-item biases, and on a table's params (rows, projections) its side's l2 when given.
double Adam::l2_of(const Param& p) const {
    if (p.role == Role::GlobalBias) return 0.0;
    if (p.role == Role::Bias) return config_.l2_bias;
    const double side_l2 = p.side == Side::User ? config_.l2_user : config_.l2_item;
    return side_l2 >= 0.0 ? side_l2 : config_.l2;
}

Adam::Adam(const AdamConfig& config, std::vector<Param*> params) : config_(config), params_(std::move(params)) {
    config_.validate();
    state_.resize(params_.size());
    l2_.resize(params_.size());
    for (size_t i = 0; i < params_.size(); ++i) {
        l2_[i] = static_cast<float>(l2_of(*params_[i]));
        const size_t n = params_[i]->data.size();
        if (config_.optimizer == Optimizer::Adam) {
            state_[i].m.assign(n, 0.0f);
            state_[i].v.assign(n, 0.0f);
        } else if (config_.optimizer == Optimizer::AdaGrad) {
            state_[i].v.assign(static_cast<size_t>(params_[i]->rows) * kAccumulatorStride, 0.0f);
        }
        if (config_.mode != AdamMode::DenseSweep || config_.optimizer != Optimizer::Adam) state_[i].steps.assign(static_cast<size_t>(params_[i]->rows), 0);
    }
}

double Adam::learning_rate(const AdamConfig& c, int64_t t) {
    if (c.lr_decay == 1.0 || c.decay_steps <= 0 || t < 1) return c.learning_rate;
    return c.learning_rate * std::pow(c.lr_decay, static_cast<double>((t - 1) / c.decay_steps));
}

double Adam::alpha(const AdamConfig& c, int64_t t) {
    const double td = static_cast<double>(t);
    return learning_rate(c, t) * std::sqrt(1.0 - std::pow(c.beta2, td)) / (1.0 - std::pow(c.beta1, td));
}

void Adam::set_decay_steps(int64_t steps) {
    if (steps == config_.decay_steps) return;
    config_.decay_steps = steps;
    // The step-size tables were computed for the old schedule.
    alpha_by_step_.clear();
    future_.clear();
    r_pow_.clear();
    b1_pow_.clear();
    b2_pow_.clear();
}

void Adam::reserve_steps(int64_t last_step) {
    if (config_.optimizer != Optimizer::Adam) return;
    if (config_.mode == AdamMode::Dense) ensure_tables(last_step);
    if (config_.mode == AdamMode::Lazy)
        while (static_cast<int64_t>(alpha_by_step_.size()) <= last_step)
            alpha_by_step_.push_back(static_cast<float>(alpha(config_, static_cast<int64_t>(alpha_by_step_.size()))));
}

// Grows the closed-form tables to cover steps 0..steps. U(t) is computed backwards from a horizon where
// r^j has vanished (r^400 < 1e-18 for Keras' betas), so each table entry is exact to double precision.
void Adam::ensure_tables(int64_t steps) {
    if (static_cast<int64_t>(future_.size()) > steps) return;
    const int64_t n = std::max<int64_t>(steps + 1, 2 * static_cast<int64_t>(future_.size()) + 1024);
    const double r = config_.beta1 / std::sqrt(config_.beta2);
    int64_t tail = 0;  // steps beyond n needed for U(n-1) to converge
    for (double rp = 1.0; rp > 1e-20 && tail < 100000; rp *= r) ++tail;
    std::vector<double> u(static_cast<size_t>(n + tail + 1), 0.0);
    for (int64_t t = n + tail - 1; t >= 0; --t) u[size_t(t)] = r * (alpha(config_, t + 1) + u[size_t(t + 1)]);
    future_.assign(u.begin(), u.begin() + n);
    r_pow_.resize(size_t(n));
    b1_pow_.resize(size_t(n));
    b2_pow_.resize(size_t(n));
    double rp = 1.0, b1 = 1.0, b2 = 1.0;
    for (int64_t k = 0; k < n; ++k) {
        r_pow_[size_t(k)] = rp;
        b1_pow_[size_t(k)] = b1 < 1e-30 ? 0.0f : static_cast<float>(b1);  // no denormals in the moments
        b2_pow_[size_t(k)] = b2 < 1e-30 ? 0.0f : static_cast<float>(b2);
        rp *= r;
        b1 *= config_.beta1;
        b2 *= config_.beta2;
    }
}

void Adam::catch_up_row(Param& p, AdamState& s, int64_t row, int64_t to_step) {
    const int64_t from = s.steps[size_t(row)];
    const int64_t k = to_step - from;
    if (k <= 0) return;
    s.steps[size_t(row)] = static_cast<int32_t>(to_step);
    const double c = future_[size_t(from)] - r_pow_[size_t(k)] * future_[size_t(to_step)];
    const int64_t off = row * p.stride;
    kernels::adam_catchup(p.data.data() + off, s.m.data() + off, s.v.data() + off, p.stride, static_cast<float>(c),
                          b1_pow_[size_t(k)], b2_pow_[size_t(k)], static_cast<float>(config_.epsilon));
}

void Adam::begin_step() {
    if (config_.optimizer != Optimizer::Adam) {  // no step tables
        ++step_;
        return;
    }
    ++step_;
    reserve_steps(step_);
}

bool Adam::takes_direct_rows() const {
    if (config_.optimizer != Optimizer::Adam) return true;  // the row rules (update_rows)
    return config_.weight_decay == 0.0 && (config_.mode == AdamMode::Lazy || config_.mode == AdamMode::Dense);
}

namespace {
// step(r) for each of `rows` in order, fetching the next row's parameters and moments while the current
// one steps.
template <class Step>
void each_row_prefetching(const Param& p, const AdamState& s, const std::vector<int32_t>& rows, Step step) {
    const float* const full[] = {p.data.data(), s.m.data(), s.v.data()};
    each_row_prefetching(rows.data(), rows.size(), p.stride, full, step);
}
}  // namespace

void Adam::prepare(size_t param, ParamGrad& marked, int64_t t) {
    if (config_.mode != AdamMode::Dense || config_.optimizer != Optimizer::Adam || marked.whole) return;  // whole params are updated every step
    Param& p = *params_[param];
    AdamState& s = state_[param];
    each_row_prefetching(p, s, marked.touched, [&](int32_t r) { catch_up_row(p, s, r, t - 1); });
}

void Adam::update(size_t param, ParamGrad& grad, int64_t t, int threads) {
    if (config_.optimizer != Optimizer::Adam) {  // the row rules (optimizer.cpp)
        if (grad.whole) {  // every row: the global bias, projections
            thread_local std::vector<int32_t> all;
            const int32_t rows = params_[param]->rows;
            if (all.size() < size_t(rows)) {
                all.resize(size_t(rows));
                std::iota(all.begin(), all.end(), 0);
            }
            update_rows(param, grad, all.data(), size_t(rows), t);
        } else {
            update_rows(param, grad, grad.touched.data(), grad.touched.size(), t);
        }
        grad.forget();  // update_rows zeroed each row it stepped
        return;
    }
    if (l2_[param] > 0.0f) {  // lazy L2: g += l2 * w on the rows being updated
        Param& p = *params_[param];
        const float c = l2_[param];
        if (grad.whole) {
            kernels::axpy(c, p.data.data(), grad.data.data(), static_cast<int64_t>(p.data.size()));
        } else {
            for (int32_t r : grad.touched) {
                if (grad.allow_direct && grad.direct[size_t(r)]) continue;  // L2 folded into the step's kernel
                const int64_t off = static_cast<int64_t>(r) * p.stride;
                kernels::axpy(c, p.data.data() + off, grad.data.data() + off, p.stride);
            }
        }
    }
    switch (config_.mode) {
        case AdamMode::Dense: dense_param(*params_[param], state_[param], grad, t, threads, l2_[param]); break;
        case AdamMode::DenseSweep: sweep_param(*params_[param], state_[param], grad, t, threads); break;
        case AdamMode::Lazy: lazy_param(*params_[param], state_[param], grad, t, l2_[param]); break;
    }
    grad.clear();
}

void Adam::step(std::vector<ParamGrad>& grads, int threads) {
    begin_step();
    for (size_t i = 0; i < params_.size(); ++i) {
        prepare(i, grads[i], step_);
        update(i, grads[i], step_, threads);
    }
}

void Adam::synchronize(int threads) {
    if (config_.mode != AdamMode::Dense || config_.optimizer != Optimizer::Adam) return;
    ensure_tables(step_);
    for (size_t i = 0; i < params_.size(); ++i) {
        Param& p = *params_[i];
        if (p.access == Access::Whole) continue;  // stepped every time, never behind
        AdamState& s = state_[i];
        const int64_t rows = p.rows;
#if defined(MEMREC_OPENMP)
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && rows > 1024)
#else
        (void)threads;
#endif
        for (int64_t r = 0; r < rows; ++r) catch_up_row(p, s, r, step_);
    }
}

// Untouched rows have a zero gradient buffer, and b*m + (1-b)*0 == b*m exactly, so one adam_update over the
// whole contiguous buffer is the literal dense step: decay for absent rows, full update for present ones.
void Adam::sweep_param(Param& p, AdamState& s, ParamGrad& g, int64_t t, int threads) {
    AdamStep st{static_cast<float>(alpha(config_, t)), static_cast<float>(config_.beta1),
                static_cast<float>(config_.beta2), static_cast<float>(config_.epsilon)};
    const float decay = static_cast<float>(learning_rate(config_, t) * config_.weight_decay);
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

void Adam::dense_param(Param& p, AdamState& s, ParamGrad& g, int64_t t, int threads, float l2) {
    if (g.whole) {  // small dense matrices (projections, biases) step every time, literally
        sweep_param(p, s, g, t, threads);
        return;
    }
    const AdamStep st{static_cast<float>(alpha(config_, t)), static_cast<float>(config_.beta1),
                      static_cast<float>(config_.beta2), static_cast<float>(config_.epsilon)};
    each_row_prefetching(p, s, g.touched, [&](int32_t r) {
        catch_up_row(p, s, r, t - 1);  // no-op when prepare() ran; keeps step() alone correct
        const int64_t off = static_cast<int64_t>(r) * p.stride;
        if (g.allow_direct && g.direct[size_t(r)])  // L2 not yet added (update() skipped direct rows)
            kernels::adam_update_l2(p.data.data() + off, s.m.data() + off, s.v.data() + off, g.direct[size_t(r)],
                                    l2, p.stride, st);
        else
            kernels::adam_update(p.data.data() + off, s.m.data() + off, s.v.data() + off, g.data.data() + off,
                                 p.stride, st);
        s.steps[size_t(r)] = static_cast<int32_t>(t);
    });
}

void Adam::lazy_param(Param& p, AdamState& s, ParamGrad& g, int64_t t, float l2) {
    AdamStep st{0.0f, static_cast<float>(config_.beta1), static_cast<float>(config_.beta2),
                static_cast<float>(config_.epsilon)};
    const float decay = static_cast<float>(learning_rate(config_, t) * config_.weight_decay);
    // Bias correction from the global step, as TF's LazyAdam and PyTorch's SparseAdam do. (Per-row counts
    // were tried: they shrink early steps of rarely seen rows, and the baseline's eval MSE after the
    // reference's 3 epochs was 0.850 against 0.756 with the global step.)
    st.alpha = lazy_alpha(t);
    int32_t* counts = counts_of(s, g);
    auto update_row = [&](int32_t r) {
        ++counts[static_cast<size_t>(r)];
        if (g.allow_direct && g.direct[size_t(r)])  // L2 not yet added (update() skipped direct rows)
            lazy_row(p, s, r, g.direct[size_t(r)], l2, decay, st);
        else
            lazy_row(p, s, r, g.data.data() + static_cast<int64_t>(r) * p.stride, 0.0f, decay, st);
    };
    if (g.whole) {  // projections, biases: one sweep over the contiguous buffer, the same elementwise step
        for (int64_t r = 0; r < p.rows; ++r) ++counts[static_cast<size_t>(r)];
        const int64_t n = p.rows * p.stride;
        if (decay > 0.0f) kernels::axpy(-decay, p.data.data(), p.data.data(), n);
        kernels::adam_update(p.data.data(), s.m.data(), s.v.data(), g.data.data(), n, st);
    } else {
        each_row_prefetching(p, s, g.touched, update_row);
    }
}

void Adam::lazy_row(Param& p, AdamState& s, int32_t r, const float* g, float l2, float decay,
                    const AdamStep& st) {
    const int64_t off = static_cast<int64_t>(r) * p.stride;
    float* w = p.data.data() + off;
    if (decay > 0.0f) kernels::axpy(-decay, w, w, p.stride);
    if (l2 != 0.0f)
        kernels::adam_update_l2(w, s.m.data() + off, s.v.data() + off, g, l2, p.stride, st);
    else
        kernels::adam_update(w, s.m.data() + off, s.v.data() + off, g, p.stride, st);
}

}  // namespace memrec
