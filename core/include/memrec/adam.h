// Adam in the modes memrec trains with. All use Keras' formulation:
//   alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t);  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g²;
//   w -= alpha_t m / (sqrt(v) + eps)
//  - Dense: Keras' semantics. Every step, every row's moments decay and every row moves, whether or not
//    it was in the batch; one global step count. Computed lazily: a row absent for k steps is brought up
//    to date in O(1) when next read (or at synchronize()), using the closed form of k steps with g = 0:
//      w -= C(t0, k) m0 / (sqrt(v0) + eps),  m = b1^k m0,  v = b2^k v0,
//      C(t0, k) = sum_{j=1..k} alpha_{t0+j} r^j,  r = b1 / sqrt(b2).
//    This equals the step-by-step result except that eps is scaled along with sqrt(v) over the skipped
//    steps (a relative change below eps / sqrt(v0), ~1e-4 for real gradients). Reproduces the reference
//    at the cost of a sparse optimiser.
//  - DenseSweep: the same semantics computed literally, every row every step. Slow; it is the reference
//    the Dense mode is tested against, and what a reader of Keras' code would write.
//  - Lazy: only rows that received a gradient are touched (moments and weights), with the global step
//    for the bias correction, as TF's LazyAdam and PyTorch's SparseAdam. Absent rows do not coast on
//    their momentum, so at the same learning rate it moves rare rows less than dense Adam does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memrec/param.h"

namespace memrec {

struct AdamStep;  // kernels.h

enum class AdamMode { Dense, DenseSweep, Lazy };
const char* to_string(AdamMode mode);
AdamMode parse_adam_mode(const std::string& s);  // "dense", "dense-sweep" or "lazy"; throws ConfigError

// The update rule (optimizer.cpp has the two beside Adam). Adam follows `mode`. The other two are
// LIBMF's: per-example gradients (the loss is the batch's sum, not its mean), lazy L2 on the rows
// stepped, and only rows with a gradient move:
//  - AdaGrad, one accumulator per row as LIBMF keeps it: G += mean over the row's columns of g²,
//    w -= lr g / sqrt(1 + G) (LIBMF starts G at 1). G lives in `v`, kAccumulatorStride floats per row.
//  - Sgd: w -= lr_t g, with lr_t the scheduled rate (lr_decay per epoch).
// Both train with the stratified block schedule over any number of threads (trainer.cpp).
enum class Optimizer { Adam, AdaGrad, Sgd };
const char* to_string(Optimizer o);
Optimizer parse_optimizer(const std::string& s);  // "adam", "adagrad" or "sgd"; throws ConfigError

struct AdamConfig {
    double learning_rate = 0.001;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-7;  // Keras' default
    AdamMode mode = AdamMode::Dense;
    // Decoupled weight decay per step on the rows being updated (0 = off), applied as w -= lr * wd * w.
    // Not supported with Dense (its closed form has no decay term): use DenseSweep or Lazy.
    double weight_decay = 0.0;
    // L2 regularisation added to the gradient of the rows being updated ("lazy" L2, as in classic matrix
    // factorisation): g += l2 * w on embedding-table rows and l2_bias * w on user/item bias rows. Rows not
    // in the batch are not regularised, so frequent ids are pulled towards zero as often as they are seen.
    double l2 = 0.0;
    double l2_bias = 0.0;
    // Per-table L2 overriding `l2` for the user or the item table's params (negative: use `l2`). Shared rows
    // (quotient-remainder, hashed) are in nearly every batch, so compressed tables want a smaller one.
    double l2_user = -1.0;
    double l2_item = -1.0;
    // Step decay of the learning rate: lr * lr_decay^floor((t - 1) / decay_steps) at step t (1 = off). The
    // trainer sets decay_steps to the batches of one epoch, so lr_decay is the factor per epoch. Every mode
    // follows the schedule exactly (dense mode's closed form sums the scheduled step sizes).
    double lr_decay = 1.0;
    int64_t decay_steps = 0;
    Optimizer optimizer = Optimizer::Adam;

    void validate() const;  // throws ConfigError
};

// AdaGrad's accumulators are kAccumulatorStride floats (a cache line) apart, row r's at v[r * stride]: the
// block schedule deals rows to threads at random, and with the accumulators packed, 16 rows of a line
// belonged to both threads, so a step's read-modify-write of one moved the line between cores
// (docs/performance.md, "AdaGrad's accumulators a line apart").
constexpr int kAccumulatorStride = 16;

// Optimiser state of one Param: Adam's first and second moments shaped like it (AdaGrad: `v` holds one
// accumulator per row, kAccumulatorStride apart, and `m` is empty; SGD: both empty), and one count per row:
// Lazy and the row rules: the updates the row received (informational); Dense: the step the row is up to
// date with.
struct AdamState {
    AlignedVector<float> m, v;
    std::vector<int32_t> steps;
};

class Adam {
public:
    Adam(const AdamConfig& config, std::vector<Param*> params);

    // One optimiser step with `grads` (one per param, as filled by Model::accumulate_gradients), then
    // clears them. For Dense mode the caller must have called begin_step() and prepare() before computing
    // the gradients (the rows read must be up to date); step() alone is right when nothing was read.
    void step(std::vector<ParamGrad>& grads, int threads = 1);

    // The pieces of step(), for the trainer, which runs them per param on different threads with an
    // explicit step number t (1-based) and calls set_steps() afterwards. Thread-safe for distinct params
    // once reserve_steps() has covered every t used.
    void begin_step();                                        // t = steps() + 1, tables grown
    void reserve_steps(int64_t last_step);                    // grow the step tables up to last_step
    void prepare(size_t param, ParamGrad& marked, int64_t t);  // Dense: bring marked rows up to step t - 1
    void update(size_t param, ParamGrad& grad, int64_t t, int threads = 1);  // apply step t, clear grad
    // The block schedule's owned rows (AdaGrad, SGD, lazy Adam): step the listed rows of `grad` (zeroing
    // those gradient rows, leaving the marks to the caller). Thread-safe for disjoint rows of one param.
    void update_rows(size_t param, ParamGrad& grad, const int32_t* rows, size_t n, int64_t t);
    // AdaGrad / SGD / lazy Adam on rows the block schedule shares between threads, which step once per round
    // (optimizer.cpp). add_to_round (AdaGrad's, which reads each batch's squares): add one batch's gradient
    // row `g` (L2 added, then zeroed) to the round's `sum` row and its mean square to `sq`. step_round: step
    // the row once with the round's `batches` gradients. Thread-safe for disjoint rows (and disjoint sums).
    void add_to_round(size_t param, float* g, float* sum, float& sq, int32_t row) const;
    void step_round(size_t param, float* sum, float sq, int32_t batches, int32_t row, int64_t t);
    // Adam and SGD, whose round sums add up in place (no add_to_round): the L2 term of `batches` batches
    // of the row as it stands, added to `sum` before step_round.
    void add_round_l2(size_t param, float* sum, int32_t batches, int32_t row) const;
    // AdaGrad or SGD on one param as the block schedule's per-example steps take it (example_steps.h): the
    // rule's values at step t and where its state lies, for update_rows' arithmetic a row at a time. Row r
    // steps by g += l2 w; G[r] += dot(g, g) / cols (AdaGrad); w -= lr g / sqrt(1 + G[r]) (SGD: lr g); and
    // counts[r] grows by one.
    struct RowRule {
        Param* param = nullptr;
        float* accumulators = nullptr;  // AdaGrad's, row r's at r * kAccumulatorStride; null for SGD
        int32_t* counts = nullptr;      // `grad`'s counts, or the state's steps (counts_of)
        float lr = 0.0f, l2 = 0.0f, cols = 1.0f;
    };
    RowRule row_rule(size_t param, ParamGrad& grad, int64_t t);
    // Dense: bring every row up to the current step (before evaluating, saving or checkpointing).
    void synchronize(int threads = 1);

    // Whether update() reads ParamGrad::direct rows (AdaGrad, SGD, lazy and dense Adam without weight
    // decay): the trainer then sets ParamGrad::allow_direct on its gradients.
    bool takes_direct_rows() const;

    const AdamConfig& config() const { return config_; }
    int64_t steps() const { return step_; }
    void set_steps(int64_t s) { step_ = s; }
    std::vector<AdamState>& state() { return state_; }
    const std::vector<AdamState>& state() const { return state_; }

    // Keras' bias-corrected step size for step t (1-based), with the learning rate of step t.
    static double alpha(const AdamConfig& c, int64_t t);
    // The (scheduled) learning rate of step t.
    static double learning_rate(const AdamConfig& c, int64_t t);
    // Sets the steps per decay period: the trainer sets the batches of an epoch before each epoch (a resumed
    // run, whose optimiser starts at the checkpoint's step, sets the same value the interrupted run had).
    void set_decay_steps(int64_t steps);

private:
    float lazy_alpha(int64_t t) const { return alpha_by_step_[static_cast<size_t>(t)]; }
    void ensure_tables(int64_t steps);
    double l2_of(const Param& p) const;
    void catch_up_row(Param& p, AdamState& s, int64_t row, int64_t to_step);
    void sweep_param(Param& p, AdamState& s, ParamGrad& g, int64_t t, int threads);
    void lazy_param(Param& p, AdamState& s, ParamGrad& g, int64_t t, float l2);
    void dense_param(Param& p, AdamState& s, ParamGrad& g, int64_t t, int threads, float l2);
    void lazy_rows(size_t param, ParamGrad& grad, const int32_t* rows, size_t n, int64_t t);  // update_rows' Adam
    // One lazy-Adam step of row r (lazy_param's and lazy_rows'): decoupled decay, then the step with gradient
    // g + l2 w (l2 = 0 when update() has already added it).
    void lazy_row(Param& p, AdamState& s, int32_t r, const float* g, float l2, float decay,
                  const AdamStep& st);
    // Where the per-row update counts of `grad`'s rows go: its own counts when it has them, else s.steps.
    static int32_t* counts_of(AdamState& s, ParamGrad& grad) {
        return grad.counts.empty() ? s.steps.data() : grad.counts.data();
    }

    AdamConfig config_;
    std::vector<Param*> params_;
    std::vector<AdamState> state_;
    std::vector<float> l2_;  // L2 coefficient per param, from its role and side (l2_of)
    int64_t step_ = 0;
    std::vector<float> alpha_by_step_;  // alpha(t) for the lazy mode's per-row counts
    // Dense mode's closed-form tables, indexed by step or by skipped-step count, grown on demand.
    std::vector<double> future_;  // U(t) = sum_{j>=1} alpha_{t+j} r^j
    std::vector<double> r_pow_;   // r^k
    std::vector<float> b1_pow_, b2_pow_;
};

}  // namespace memrec
