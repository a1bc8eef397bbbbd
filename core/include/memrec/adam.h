// Adam in the two modes memrec trains with.
//  - Dense: what Keras does. Every step, every row's moments decay and every row moves, whether or not
//    it was in the batch; one global step count drives the bias correction. Reproduces the reference.
//  - Lazy: only rows that received a gradient are touched (moments and weights), each with its own step
//    count for the bias correction. Much faster on large tables and, for embeddings, as accurate.
// Both use Keras' formulation: alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t), w -= alpha_t m / (sqrt(v) + eps).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memrec/param.h"

namespace memrec {

enum class AdamMode { Dense, Lazy };
const char* to_string(AdamMode mode);
AdamMode parse_adam_mode(const std::string& s);  // "dense" or "lazy"; throws ConfigError

struct AdamConfig {
    double learning_rate = 0.001;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-7;  // Keras' default
    AdamMode mode = AdamMode::Dense;
    // Decoupled weight decay per step on the rows being updated (0 = off), applied as w -= lr * wd * w.
    double weight_decay = 0.0;

    void validate() const;  // throws ConfigError
};

// Optimiser state of one Param: first and second moments shaped like it, and per-row step counts.
struct AdamState {
    AlignedVector<float> m, v;
    std::vector<int32_t> steps;  // Lazy: updates received by each row
};

class Adam {
public:
    Adam(const AdamConfig& config, std::vector<Param*> params);

    // Applies one step with `grads` (one per param, as filled by Model::accumulate_gradients), then clears
    // them. `threads` > 1 splits the dense sweep across OpenMP threads.
    void step(std::vector<ParamGrad>& grads, int threads = 1);

    const AdamConfig& config() const { return config_; }
    int64_t steps() const { return step_; }
    void set_steps(int64_t s) { step_ = s; }
    std::vector<AdamState>& state() { return state_; }
    const std::vector<AdamState>& state() const { return state_; }

    // Keras' bias-corrected step size for step t (1-based).
    static double alpha(const AdamConfig& c, int64_t t);

private:
    float lazy_alpha(int32_t t);
    void dense_param(Param& p, AdamState& s, ParamGrad& g, int threads);
    void lazy_param(Param& p, AdamState& s, ParamGrad& g);

    AdamConfig config_;
    std::vector<Param*> params_;
    std::vector<AdamState> state_;
    int64_t step_ = 0;
    std::vector<float> alpha_by_step_;  // cache of alpha(t) for the lazy mode's per-row counts
};

}  // namespace memrec
