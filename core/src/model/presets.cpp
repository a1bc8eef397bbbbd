#include <algorithm>

#include "memrec/error.h"
#include "memrec/presets.h"

namespace memrec {

namespace {

TrainConfig reference_training() {
    TrainConfig t;
    t.epochs = 3;
    t.batch_size = 128;
    t.adam.learning_rate = 0.001;
    t.adam.mode = AdamMode::Dense;
    return t;
}

Preset baseline() {
    Preset p{"baseline", "the reference's model A: full 64-dim user and item tables", {}, reference_training()};
    p.model.user.kind = TableKind::Full;
    p.model.item.kind = TableKind::Full;
    return p;
}

Preset memeff() {
    Preset p{"memeff",
             "the reference's model B: quotient-remainder users (users/50 buckets, mult), mixed-dimension "
             "items (blocks 400 / 1300 / rest at 64 / 32 / 16 dims)",
             {},
             reference_training()};
    p.model.user.kind = TableKind::QuotientRemainder;
    p.model.user.buckets = 0;  // rows / 50, as the reference
    p.model.user.combiner = Combiner::Mult;
    p.model.item.kind = TableKind::MixedDimension;
    p.model.item.block_ends = {400, 1700};
    p.item_blocks_for = kReferenceItems;  // fewer movies: the ends shrink in proportion (fit_to_data)
    p.model.item.block_dims = {64, 32, 16};
    p.model.item.projection_bias = true;
    return p;
}

// Beyond the reference: global and per-user/item biases, lazy L2 on the rows of each batch, the reference's
// dense Adam (for `large` with the learning rate decayed every epoch), and the epoch chosen by early
// stopping (patience 3) on a 2% validation slice of the training split. The L2 and learning rates were chosen on that validation slice; docs/accuracy.md has the
// measurements and the commands behind them.
TrainConfig tuned_training(double l2, double lr, double lr_decay = 1.0) {
    TrainConfig t;
    t.epochs = 100;  // at most: early stopping picks the epoch
    t.batch_size = 128;
    t.adam.learning_rate = lr;
    t.adam.mode = AdamMode::Dense;
    t.adam.l2 = l2;
    t.adam.lr_decay = lr_decay;
    t.early_stopping = 3;
    t.validation_fraction = 0.02;
    return t;
}

Preset full_with_biases(std::string name, std::string description, int dim, TrainConfig train) {
    Preset p{std::move(name), std::move(description), {}, std::move(train)};
    p.model.user.kind = p.model.item.kind = TableKind::Full;
    p.model.user.dim = p.model.item.dim = dim;
    p.model.global_bias = p.model.user_bias = p.model.item_bias = true;
    return p;
}

Preset large() {
    return full_with_biases("large",
                            "the most accurate: full 256-dim tables with biases, L2, lr decay, early stopping", 256,
                            tuned_training(0.0005, 0.0005, 0.8));
}

Preset small() {
    return full_with_biases("small", "at most 118,000 parameters: full 11-dim tables with biases, L2, early stopping",
                            11, tuned_training(0.0006, 0.001));
}

Preset tiny() {
    return full_with_biases("tiny", "an int8 model file under 64 KB: full 4-dim tables with biases, L2, early stopping",
                            4, tuned_training(0.0003, 0.0005));
}

// Implicit ALS for top-N (memrec/als.h): full tables, no biases; `iterations` is stored as the epochs. The
// settings were picked on a validation slice of the training users only (docs/ranking.md has the grid).
Preset als_preset(const char* name, const char* description, int dim, double alpha, double lambda) {
    Preset p;
    p.name = name;
    p.description = description;
    p.model.user.dim = p.model.item.dim = dim;
    p.model.objective = Objective::Implicit;
    p.model.implicit.alpha = alpha;
    p.model.implicit.lambda = lambda;
    p.train.epochs = 10;
    return p;
}

Preset rank() {
    return als_preset("rank", "the most accurate top N: implicit ALS, 64 factors, alpha 5, lambda 30", 64, 5, 30);
}

Preset rank_small() {
    return als_preset("rank-small", "top N in an int8 file under 150 KB: implicit ALS, 35 factors, alpha 3, lambda 20",
                      35, 3, 20);
}

Preset rank_tiny() {
    return als_preset("rank-tiny", "top N in an int8 file under 64 KB: implicit ALS, 12 factors, alpha 5, lambda 30",
                      12, 5, 30);
}

// AdaGrad with LIBMF's per-row step sizes on the block schedule (every core), at most 30 epochs with early
// stopping: the time-to-accuracy presets. `l2` on rows and biases alike.
TrainConfig adagrad_training(double l2, double lr) {
    TrainConfig t = tuned_training(l2, lr);
    t.epochs = 30;
    t.adam.optimizer = Optimizer::AdaGrad;
    t.adam.mode = AdamMode::Lazy;
    t.adam.l2_bias = l2;
    return t;
}

// Time to 0.853. lr 0.07 and L2 0.05 chosen on the validation slice, with the row rules' per-example steps
// (example_steps.h), from a grid of lr 0.05-0.1 x L2 0.05-0.1 x lr decay 0.8-1 (bench/tta_grid.sh 0.853):
// the fewest epochs to validation RMSE 0.853 (3), and among those the lowest validation RMSE at that epoch,
// the most margin (docs/performance.md, "Per-example steps").
Preset fast() {
    const TrainConfig t = adagrad_training(0.05, 0.07);
    return full_with_biases("fast", "time to accuracy: full 64-dim tables with biases, per-row AdaGrad on every core", 64,
                            t);
}

// Time to 0.845: `fast` with the linear link (LIBMF's plain dot product, centred on the scale), whose
// AdaGrad goes on improving where the sigmoid's stops at 0.848. 128 dims, lr 0.06 decayed by 0.9 an epoch
// and L2 0.06, chosen as `fast`'s settings from 96 and 128 dims x lr 0.05-0.09 x L2 0.06-0.1 x lr decay
// 0.7-1: the fewest epochs to validation RMSE 0.845 (4; 96 dims at lr 0.07 and L2 0.06 took 3 there but
// never reached it on the eval split), then the lowest validation RMSE at that epoch.
Preset fast_linear() {
    TrainConfig t = adagrad_training(0.06, 0.06);
    t.adam.lr_decay = 0.9;
    Preset p = full_with_biases(
        "fast-linear",
        "time to 0.845: full 128-dim tables with biases, linear link, per-row AdaGrad on every core", 128, t);
    p.model.link = Link::Linear;
    return p;
}

// The small-file target of 32 KB (issue 17), met by exporting as product codes (docs/ranking.md, "pq
// files"): rank-small's alpha and lambda at 20 factors. Factors and codes chosen on the validation slice
// (the 64 KB target needs no preset of its own: rank-small at pq 7 x 8 was the validation slice's best).
Preset rank_32k() {
    return als_preset("rank-32k",
                      "top N in a file under 32 KB: implicit ALS, 20 factors, alpha 3, lambda 20; export --quantize pq "
                      "--pq-subspaces 5 --pq-bits 7",
                      20, 3, 20);
}

}  // namespace

namespace {

void fit_blocks(const Preset& p, const char* side, TableConfig& t, int64_t& written_for, int64_t ids) {
    if (t.kind != TableKind::MixedDimension || written_for <= 0 || ids >= written_for) return;
    const int64_t blocks = static_cast<int64_t>(t.block_ends.size()) + 1;
    if (ids < blocks)
        throw ConfigError((p.name.empty() ? std::string("the") : "the " + p.name + " preset's") + " " + side +
                          " table has " + std::to_string(blocks) + " mixed-dimension blocks, more than the data's " +
                          std::to_string(ids) + " " + side + "s");
    int64_t prev = 0;
    for (size_t b = 0; b < t.block_ends.size(); ++b) {
        const int64_t scaled = (t.block_ends[b] * ids + written_for / 2) / written_for;  // rounded
        // At least one id per block, before and after this end.
        const int64_t last = ids - (blocks - 1 - static_cast<int64_t>(b));
        prev = t.block_ends[b] = std::min(std::max(scaled, prev + 1), last);
    }
    written_for = 0;  // fitted: the ends are now the data's
}

}  // namespace

void fit_to_data(Preset& p, int64_t users, int64_t items) {
    fit_blocks(p, "user", p.model.user, p.user_blocks_for, users);
    fit_blocks(p, "item", p.model.item, p.item_blocks_for, items);
}

std::vector<std::string> preset_names() {
    return {"baseline",    "memeff", "large",      "small",     "tiny",    "fast",
            "fast-linear", "rank",   "rank-small", "rank-tiny", "rank-32k"};
}

Preset preset(const std::string& name) {
    if (name == "baseline") return baseline();
    if (name == "memeff") return memeff();
    if (name == "large") return large();
    if (name == "small") return small();
    if (name == "tiny") return tiny();
    if (name == "rank") return rank();
    if (name == "rank-small") return rank_small();
    if (name == "rank-tiny") return rank_tiny();
    if (name == "fast") return fast();
    if (name == "fast-linear") return fast_linear();
    if (name == "rank-32k") return rank_32k();
    std::string known;
    for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("unknown preset '" + name + "' (known: " + known + ")");
}

}  // namespace memrec
