// Training loop: epochs of shuffled mini-batches, Adam, per-epoch evaluation and history.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "memrec/adam.h"
#include "memrec/dataset.h"
#include "memrec/model.h"

namespace memrec {

struct TrainConfig {
    int epochs = 3;
    int64_t batch_size = 128;
    AdamConfig adam;
    int threads = 1;     // dense Adam trains on up to 2 (one per side); lazy Adam, AdaGrad and SGD on all (the
                         // block schedule); evaluation uses all with OpenMP
    uint64_t seed = 42;  // shuffling: epoch e uses a generator seeded from (seed, e), so runs can resume
    bool shuffle = true;
    // Early stopping, as run_training (training_run.h) applies it: when patience > 0, train on the training
    // split minus a validation slice of this fraction and keep the epoch with the best validation RMSE;
    // stop after `patience` epochs without improvement.
    int early_stopping = 0;
    double validation_fraction = 0.05;
    // BPR only (memrec/bpr.h): negatives sampled per positive, and the sampling power: an item is drawn with
    // probability proportional to (its training positives + 1)^power (0: uniform).
    int bpr_negatives = 1;
    double negative_power = 0.0;

    void validate() const;  // throws ConfigError
};

struct Metrics {
    double mse = 0, rmse = 0, mae = 0;
    int64_t count = 0;
};

struct EpochStats {
    int epoch = 0;              // 1-based
    double train_loss = 0;      // mean squared error over the epoch's batches (as Keras reports it)
    double train_mae = 0;
    Metrics eval;               // on the eval split after the epoch (count 0 if none)
    double seconds = 0;         // training time of the epoch, its shuffle included, evaluation excluded
    double ratings_per_second = 0;
};

struct Progress {
    int epoch = 0, epochs = 0;
    int64_t done = 0, total = 0;  // ratings processed in this epoch
    double loss = 0, mae = 0;     // running means over the epoch so far
    double seconds = 0;           // since the epoch started
};

// Called every few thousand ratings; return false to stop training after the current batch. It runs while
// the epoch does: the model is mid-update then (on the block schedule with several threads a full table's
// rows are even in another order, block_rows.h), so read it between epochs, not from here.
using ProgressFn = std::function<bool(const Progress&)>;

// A training rating as the block schedule keeps it at scale (Trainer::BlockPlan::entries): the rows of its
// user and item for the epoch, and its value.
struct PlannedRating {
    int32_t user, item;
    float rating;
};

Metrics evaluate(const Model& model, const Dataset& data, const std::vector<uint32_t>& indices, int threads = 1);

class Trainer {
public:
    Trainer(Model& model, const TrainConfig& config);

    // Trains one epoch on `train` and evaluates on `eval` (may be empty). Returns false in `completed` when
    // the progress callback asked to stop (the epoch is then incomplete and not added to the history).
    EpochStats train_epoch(const Dataset& data, const std::vector<uint32_t>& train,
                           const std::vector<uint32_t>& eval, const ProgressFn& progress, bool* completed = nullptr);
    // All configured epochs (continuing from history().size()).
    std::vector<EpochStats> fit(const Dataset& data, const std::vector<uint32_t>& train,
                                const std::vector<uint32_t>& eval, const ProgressFn& progress = {});

    const std::vector<EpochStats>& history() const { return history_; }
    std::vector<EpochStats>& history() { return history_; }
    Adam& optimizer() { return adam_; }
    const TrainConfig& config() const { return config_; }
    // Whether epochs run the stratified block schedule (lazy Adam, AdaGrad, SGD: any number of threads,
    // deterministic for a given number) rather than dense Adam's one thread per side (the same bits on 1 and
    // 2 threads, which the reference reproduction relies on). On 1 thread both give the same bits.
    bool uses_block_schedule() const;
    // The block schedule takes a cell's ratings sub-cell by sub-cell when the rows of its blocks would not
    // stay in the cache (block_schedule.cpp). The row rules (AdaGrad, SGD) split its user and item blocks
    // into as many sub-blocks as keep the rows one sub-cell reaches (parameters and the optimiser's per-row
    // state) within this many bytes; lazy Adam splits only its user blocks, once the user rows exceed it. A
    // machine's setting, not the run's, so not in TrainConfig. It changes the order of updates at
    // MovieLens-25M's size; at ml-1m's, only `large` with lazy Adam on one thread (2 user sub-blocks).
    static constexpr int64_t kSubCellBytes = int64_t(8) << 20;
    void set_sub_cell_bytes(int64_t bytes) { sub_cell_bytes_ = bytes; }
    // The row rules (AdaGrad, SGD) on full tables step each example's rows as soon as its gradient is known,
    // in place (LIBMF's order, example_steps.h); off, they step a batch's rows at once from its summed
    // gradients, as every other model does. On by default; off for tests and measurements that compare the
    // two (with one example a batch they give the same bits).
    void set_example_steps(bool on) { example_steps_ = on; }
    // The last epoch's sub-blocks per user block and per item block (1: none).
    int user_sub_blocks() const { return plan_.user_subs; }
    int item_sub_blocks() const { return plan_.item_subs; }

private:
    // The stratified block schedule of lazy Adam, AdaGrad and SGD (block_schedule.cpp): users and items dealt into P
    // blocks each, P threads each own one user block and one item block at a time.
    struct BlockPlan {
        int parts = 0;
        const Dataset* data = nullptr;
        size_t train_size = 0;
        uint64_t train_hash = 0;  // of the training positions it was made for
        int64_t sub_cell_bytes = 0;  // the budget the sub-blocks were chosen for
        // Each user block's ids in user_subs sub-blocks, each item block's in item_subs: a cell is
        // user_subs x item_subs sub-cells.
        int user_subs = 1, item_subs = 1;
        std::vector<int32_t> user_block, item_block;
        // Per rating of `data`: its cell (stratum s, thread t) as s P + t, times user_subs item_subs, plus
        // its sub-cell (user sub-block a, item sub-block b) as a item_subs + b, so that an epoch buckets its
        // shuffled order with one load per rating instead of four scattered ones.
        // Left empty with sub-cells, whose epochs read `entries` instead.
        std::vector<uint16_t> cell_of;
        // With sub-cells (a table's rows far beyond the cache, and so likely the ratings too): the training
        // ratings themselves, grouped by that same number, each with the rows its ids have while an epoch runs
        // (user_row / item_row applied), in `train`'s order within a group; group q's are at
        // [entry_start[q], entry_start[q + 1]). An epoch shuffles positions within each group and reads a
        // batch's ratings from one small region instead of data's three arrays at scattered places.
        std::vector<PlannedRating> entries;
        std::vector<int64_t> entry_start;
        std::vector<std::vector<uint8_t>> shared;  // per param: rows reached from more than one block
        std::vector<size_t> shared_params;         // params with shared rows (and every whole param)
        // Per full-table side, each id's row while an epoch runs (block_rows.h), or empty: the side keeps its
        // order (or, mixed-dimension, moves its block tables' rows: below).
        std::vector<int32_t> user_row, item_row;
        // Per mixed-dimension side, each block table's new row of each row while an epoch runs
        // (MixedDimensionEmbedding::rows_by_rank), or empty. The ids stay as they are.
        std::vector<std::vector<int32_t>> user_table_rows, item_table_rows;
    };
    void plan_blocks(const Dataset& data, const std::vector<uint32_t>& train, int parts);
    void shuffle_order(const std::vector<uint32_t>& train, int epoch);  // order_: epoch's order of `train`
    EpochStats train_epoch_blocks(const Dataset& data, const std::vector<uint32_t>& train,
                                  const std::vector<uint32_t>& eval, const ProgressFn& progress, EpochStats st,
                                  std::chrono::steady_clock::time_point t0, bool* completed);
    // An epoch's closing, shared by both schedules: its rates from what was trained (`done` ratings, the sums
    // of their losses and absolute errors) and, unless `stopped`, its evaluation on `eval` and its entry in
    // the history.
    EpochStats finish_epoch(EpochStats st, int64_t done, double loss_sum, double mae_sum, bool stopped,
                            const Dataset& data, const std::vector<uint32_t>& eval, bool* completed);

    Model& model_;
    TrainConfig config_;
    Adam adam_;
    std::vector<ParamGrad> grads_;
    BatchBuffers buffers_[2];  // alternate batches use alternate buffers (see train_epoch)
    std::vector<uint32_t> order_;
    BlockPlan plan_;
    std::vector<std::vector<ParamGrad>> thread_grads_;  // threads 1.. of the block schedule (0 uses grads_)
    // The block schedule's epoch order, bucketed by cell (kept: 85 MB at 25M): data's rating numbers, or
    // with sub-cells, positions in plan_.entries.
    std::vector<uint32_t> cell_order_;
    std::vector<uint16_t> cell_scratch_;  // each position's bucket (cell, sub-cell) while bucketing
    std::vector<char> row_scratch_;       // a table's rows while they move to their block order and back
    int64_t sub_cell_bytes_ = kSubCellBytes;
    bool example_steps_ = true;
    std::vector<BatchBuffers> thread_buffers_;
    std::vector<EpochStats> history_;
};

}  // namespace memrec
