// Training a small model with the row rules (AdaGrad, SGD) or lazy Adam on the block schedule, as the thread-count
// tests do: the trained parameters (for bit-for-bit comparisons) and the eval RMSE after the last and the best epoch,
// and the RMSE of predicting the training mean (what a model must beat to have learned anything).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "memrec/split.h"
#include "memrec/trainer.h"

namespace memrec_test {

struct ScheduleRun {
    std::vector<float> params;  // every parameter, flattened in the model's order
    double rmse = 0;            // eval RMSE after the last epoch
    double best = 0;            // the best epoch's eval RMSE (small sets overfit late)
    int user_subs = 1;          // the block schedule's sub-blocks per user block (Trainer::user_sub_blocks)
    int item_subs = 1;          // and per item block
};

// Full 16-dim tables with a global bias and per-user and per-item biases (the global bias is a shared row).
inline memrec::ModelConfig full_model() {
    memrec::ModelConfig mc;
    mc.user.dim = mc.item.dim = 16;
    mc.global_bias = mc.user_bias = mc.item_bias = true;
    return mc;
}

// Batch 32, lr 0.05 for AdaGrad, 0.01 for SGD and 0.003 for (lazy) Adam, L2 0.02 on rows and biases (Adam:
// 0.02 / 32), model seed 3. sub_cell_bytes > 0 replaces Trainer::kSubCellBytes.
inline ScheduleRun train_schedule(const memrec::Dataset& d, const memrec::Split& s, const memrec::ModelConfig& mc,
                                  memrec::Optimizer opt, int threads, int epochs,
                                  int64_t sub_cell_bytes = 0) {
    using namespace memrec;
    Model m(mc, d.users.size(), d.items.size(), 5.0f, count_items(d, s.train), count_users(d, s.train), 3);
    TrainConfig tc;
    tc.epochs = epochs;
    tc.batch_size = 32;
    tc.adam.optimizer = opt;
    tc.adam.mode = AdamMode::Lazy;  // Adam's mode on the block schedule (dense Adam trains one thread per side)
    tc.adam.learning_rate = opt == Optimizer::AdaGrad ? 0.05 : opt == Optimizer::Sgd ? 0.01 : 0.003;
    // Adam's gradient is the batch mean, the row rules' the batch sum: the same L2 per example is 32x smaller.
    tc.adam.l2 = tc.adam.l2_bias = opt == Optimizer::Adam ? 0.02 / 32 : 0.02;
    tc.threads = threads;
    Trainer t(m, tc);
    if (sub_cell_bytes > 0) t.set_sub_cell_bytes(sub_cell_bytes);
    t.fit(d, s.train, s.eval);
    ScheduleRun r;
    for (Param* p : m.params()) r.params.insert(r.params.end(), p->data.begin(), p->data.end());
    r.rmse = r.best = t.history().back().eval.rmse;
    for (const EpochStats& e : t.history()) r.best = std::min(r.best, e.eval.rmse);
    r.user_subs = t.user_sub_blocks();
    r.item_subs = t.item_sub_blocks();
    return r;
}

// The eval RMSE of predicting every rating as the training ratings' mean.
inline double mean_predictor_rmse(const memrec::Dataset& d, const memrec::Split& s) {
    double mean = 0, se = 0;
    for (uint32_t k : s.train) mean += d.rating[k];
    mean /= double(s.train.size());
    for (uint32_t k : s.eval) se += (d.rating[k] - mean) * (d.rating[k] - mean);
    return std::sqrt(se / double(s.eval.size()));
}

}  // namespace memrec_test
