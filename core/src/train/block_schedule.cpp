// The stratified block schedule of lazy Adam and the row rules (AdaGrad, SGD), after DSGD (Gemulla et al.
// 2011) and LIBMF: users and items are dealt into P blocks each (P = threads), so the training ratings fall
// into a P x P grid. An epoch is P strata; in stratum s, thread i trains on the cell (user block i, item
// block (i + s) mod P), so no two threads read or write the same user row or item row, and the P strata
// cover every cell once (the row rules take the strata one after the other; Adam alternates them every
// round). Each thread runs mini-batches through the ordinary pipeline (mark, lookup, loss, backward) into
// its own gradient buffers and steps the rows it owns at once; the row rules on full tables instead step
// each example's rows in place as soon as its gradient is known (example_steps.h).
//
// Rows that more than one block reaches (quotient-remainder rows, hashed buckets, the mixed-dimension
// projections and every other whole param, the global bias) are found by marking each block's ids through
// the tables themselves, so every table kind is covered without knowing its layout. Those rows hold still
// during a round (kRoundRatings per thread): each thread sums its batches' gradients of them (in its own
// gradient rows; AdaGrad, which also needs each batch's squares, in round sums of their own through
// Adam::add_to_round); after the round the threads meet at a barrier, and each thread takes its range of
// every shared param's rows: it adds the other threads' sums of a row to thread 0's in thread order and
// steps the row once (Adam::step_round). A second barrier releases the next round. Everything is in a
// fixed order for a given P and seed, so a run repeats
// bit for bit; a different P changes the blocks and so the order of updates (docs/architecture.md,
// "Threads", has what that costs in accuracy per table kind). On one thread the schedule is the shuffled
// order in batches, as dense Adam's, and lazy Adam gives the same bits on both (unless its users are in
// sub-blocks, below).
//
// Sub-cells: at MovieLens-25M's size a block's rows (parameters and the optimiser's per-row state) are far
// larger than the cache, and a cell in shuffled order misses on nearly every row. A cell is then split into
// sub-cells and taken sub-cell by sub-cell, in an order drawn per epoch, as LIBMF takes its blocks. The
// ratings are then read from the plan's own copy, grouped by sub-cell (BlockPlan::entries), each sub-cell in
// an order drawn per epoch, rather than from the data set at scattered places.
// - The row rules deal both the user and the item block into as many sub-blocks as keep one sub-cell's rows
//   within Trainer::kSubCellBytes. They step each row with the sum of its ratings' gradients, so
//   concentrating a row's ratings in fewer batches leaves its total step as it was.
// - Adam splits only the user block, once the user rows overflow kSubCellBytes. Adam steps a row once per
//   batch by a normalised amount, so a popular item whose ratings crowd into the batches of its sub-cells
//   gets fewer, not larger, steps: on the 25M shape, item sub-blocks made lazy Adam 0.007-0.03 eval RMSE
//   worse after 3 epochs. A user has few ratings, and its sub-blocks keep at least kAdamUsersPerSlot
//   batches' worth of users, so a user's ratings seldom share a batch. On the 25M shape lazy Adam then
//   converged faster, not slower, likely as a user's ratings come close together against items that hardly
//   moved meanwhile (docs/performance.md). Its sub-cells come in one order per user block, so a thread's P
//   cells, which it alternates, work through the same users at a time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <optional>
#include <thread>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "memrec/kernels.h"
#include "memrec/rng.h"
#include "memrec/trainer.h"
#include "block_rows.h"
#include "example_steps.h"
#include "fetch_ahead.h"
#include "spin_barrier.h"

namespace memrec {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMaxParts = 64;             // P x P cells: more threads than this share blocks' work no better
constexpr int64_t kProgressEvery = 32768;  // ratings between progress callbacks
// Ratings each thread trains on between two steps of the shared rows. A barrier per batch cost more than
// the batch on a loaded 2-core machine (a descheduled partner holds everyone up); the shared rows then
// step with the summed gradient of P x kRoundRatings ratings, which the row rules take in their stride.
constexpr int64_t kRoundRatings = 2048;
constexpr int64_t kMinAdamRounds = 16;
// Ratings each thread trains on between two of Adam's stratum switches on 2 threads when no row is shared.
// Each switch moves the item blocks' rows and state to the other core's cache. `compare --adam lazy`'s
// full-table model on 2 threads (docs/performance.md, "Adam's strata switched less often"): every 2,048 /
// 4,096 / 8,192 / 16,384 / 32,768 ratings, eval MSE 0.7567 / 0.7566 / 0.7567 / 0.7565 / 0.7580 and 12.6M /
// 13.8M / 15.2M / 15.7M / 17.4M ratings/s in the machine's slow state. With shared rows the round also sets
// how often they step (memeff lost 0.004 eval MSE at 8,192: 0.8324 against 0.8281), and with more threads
// each switch pairs every user block with another item block, whose drift grew with the span (8 threads:
// 0.7569 at 2,048, 0.7664 at 4,096; 3 threads: 0.7576 and 0.7595): those keep kRoundRatings.
constexpr int64_t kAdamSwitchRatings = 8192;
// Adam's user sub-blocks: rows of at most 1/kAdamUserShare of the budget each (the item block's popular rows
// share the cache), and at least kAdamUsersPerSlot x the batch users each (a user then has 1/16 of a rating
// per batch of its sub-cell on average). The lazy baseline on the 25M shape (2 threads, 3 epochs) with user
// sub-blocks of 8, 2 and 1 MB: 1.06x, 1.27x and 1.41x whole cells' epoch rate (medians of 3 alternated
// pairs), eval RMSE 0.5938, 0.5946 and 0.5970 against 0.6004; with both limits (39 sub-blocks of 1.6 MB),
// 0.5953 (docs/performance.md).
constexpr int64_t kAdamUserShare = 8;
constexpr int64_t kAdamUsersPerSlot = 16;
constexpr int kMaxFine = 128;  // parts x sub-blocks: at most kMaxFine^2 / P^2 = 4,096 sub-cells on 2 threads

void flush_denormals() {
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ | DAZ, as the Adam trainer's threads
#endif
}

// Ids dealt into `parts` blocks of about equal rating counts: shuffled by the seed, sorted by count (the
// shuffle breaks ties), then dealt in a snake order (0, 1, .., P-1, P-1, .., 0, ...).
std::vector<int32_t> deal(const std::vector<int64_t>& counts, int parts, uint64_t seed) {
    std::vector<int32_t> ids(counts.size());
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
    Rng rng(seed);
    for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[size_t(rng.below(i))]);
    std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return counts[size_t(a)] > counts[size_t(b)]; });
    std::vector<int32_t> block(counts.size());
    for (size_t k = 0; k < ids.size(); ++k) {
        const size_t round = k / size_t(parts), pos = k % size_t(parts);
        block[size_t(ids[k])] = static_cast<int32_t>(round % 2 == 0 ? pos : size_t(parts) - 1 - pos);
    }
    return block;
}

// Bytes of the rows one id reaches on `side` through the params whose rows are the ids (full tables and
// biases): each row's parameters and the optimiser's state.
int64_t id_bytes(const Model& model, const Adam& adam, Side side) {
    const auto params = model.params();
    const Optimizer rule = adam.config().optimizer;
    int64_t floats = 0;
    for (size_t p : model.id_row_params(side)) {
        const Param& par = *params[p];
        floats += par.stride;
        if (rule == Optimizer::Adam) floats += 2 * par.stride;  // the two moments
        if (rule == Optimizer::AdaGrad) floats += kAccumulatorStride;
    }
    return floats * int64_t(sizeof(float));
}

// The training positions hashed, in order: the plan is kept between epochs only for the same ones (an epoch
// may be given any training set; with sub-cells the plan holds that set's ratings). Four lanes of
// xor-multiply (each step a bijection of the lane, so sets differing in one position differ), then mixed.
uint64_t hash_of(const std::vector<uint32_t>& train) {
    constexpr uint64_t kOdd = 0x9e3779b97f4a7c15ULL;
    uint64_t lane[4] = {1, 2, 3, 4};
    size_t i = 0;
    for (; i + 4 <= train.size(); i += 4)
        for (int l = 0; l < 4; ++l) lane[l] = (lane[l] ^ train[i + size_t(l)]) * kOdd;
    for (; i < train.size(); ++i) lane[0] = (lane[0] ^ train[i]) * kOdd;
    uint64_t h = train.size();
    for (uint64_t x : lane) {
        h ^= x;
        h = Rng::splitmix64(h);
    }
    return h;
}

}  // namespace

void Trainer::plan_blocks(const Dataset& data, const std::vector<uint32_t>& train, int parts) {
    const uint64_t train_hash = hash_of(train);
    if (plan_.parts == parts && plan_.data == &data && plan_.train_size == train.size() &&
        plan_.train_hash == train_hash && plan_.sub_cell_bytes == sub_cell_bytes_)
        return;
    plan_ = BlockPlan();  // the old plan's copy of the ratings (255 MB at 25M) goes first
    BlockPlan plan;
    plan.parts = parts;
    plan.sub_cell_bytes = sub_cell_bytes_;
    plan.data = &data;
    plan.train_size = train.size();
    plan.train_hash = train_hash;
    std::vector<int64_t> user_counts(size_t(model_.users()), 0), item_counts(size_t(model_.items()), 0);
    for (uint32_t k : train) {
        ++user_counts[size_t(data.user[k])];
        ++item_counts[size_t(data.item[k])];
    }
    // Sub-blocks (see the top of this file). The row rules split both sides into as few as keep the rows a
    // thread reaches in one sub-cell within sub_cell_bytes_. Adam splits only the users, and only once the
    // user rows overflow the budget; then into sub-blocks of 1/kAdamUserShare of it, at most most_subs.
    const bool adam = config_.adam.optimizer == Optimizer::Adam;
    const int64_t user_bytes = int64_t(model_.users()) * id_bytes(model_, adam_, Side::User);
    const int64_t all_bytes = user_bytes + int64_t(model_.items()) * id_bytes(model_, adam_, Side::Item);
    const int64_t split_bytes = adam ? (user_bytes > sub_cell_bytes_ ? user_bytes : 0) : all_bytes;
    const int64_t sub_bytes = adam ? sub_cell_bytes_ / kAdamUserShare : sub_cell_bytes_;
    const int64_t slot_users = kAdamUsersPerSlot * std::max<int64_t>(1, config_.batch_size);
    const int64_t most_subs = adam ? std::max<int64_t>(1, model_.users() / (parts * slot_users)) : kMaxFine;
    int subs = 1;
    while (subs < kMaxFine / parts && subs < most_subs && split_bytes > sub_bytes * parts * subs) ++subs;
    plan.user_subs = subs;
    plan.item_subs = adam ? 1 : subs;
    // Dealt into parts x subs fine blocks: an id in fine block f is in block f mod parts, sub-block f / parts
    // (with subs = 1, the blocks as dealt into parts).
    plan.user_block = deal(user_counts, parts * plan.user_subs, config_.seed ^ 0x75736572626c6b73ULL);
    plan.item_block = deal(item_counts, parts * plan.item_subs, config_.seed ^ 0x6974656d626c6b73ULL);
    std::vector<int32_t> user_sub(plan.user_block.size()), item_sub(plan.item_block.size());
    for (auto [block, sub] : {std::pair{&plan.user_block, &user_sub}, std::pair{&plan.item_block, &item_sub}})
        for (size_t i = 0; i < block->size(); ++i) {
            (*sub)[i] = (*block)[i] / parts;
            (*block)[i] %= parts;
        }
    // A rating's number is below (parts x user_subs) (parts x item_subs) <= kMaxFine^2.
    static_assert(kMaxFine * kMaxFine <= 65536, "cells and sub-cells are numbered in 16 bits");
    const uint32_t cell_subs = uint32_t(plan.user_subs) * uint32_t(plan.item_subs);
    plan.cell_of.assign(data.size(), 0);
    for (uint32_t k : train) {
        const size_t user = size_t(data.user[k]), item = size_t(data.item[k]);
        const int u = plan.user_block[user], i = plan.item_block[item];
        const uint32_t cell = uint32_t(((i - u + parts) % parts) * parts + u);
        const uint32_t sub = uint32_t(user_sub[user] * plan.item_subs + item_sub[item]);
        plan.cell_of[k] = static_cast<uint16_t>(cell * cell_subs + sub);
    }

    // Which rows more than one block reaches, found through the tables' own marking.
    const std::vector<Param*> params = model_.params();
    plan.shared.assign(params.size(), {});
    std::vector<std::vector<int32_t>> owner(params.size());
    for (size_t p = 0; p < params.size(); ++p)
        if (params[p]->access == Access::Rows) owner[p].assign(size_t(params[p]->rows), -1);
    std::vector<ParamGrad> marks(params.size());
    for (size_t p = 0; p < params.size(); ++p) marks[p].resize(*params[p]);
    for (Side side : {Side::User, Side::Item}) {
        const std::vector<int32_t>& block = side == Side::User ? plan.user_block : plan.item_block;
        for (int b = 0; b < parts; ++b) {
            std::vector<int32_t> ids;
            for (size_t i = 0; i < block.size(); ++i)
                if (block[i] == b) ids.push_back(static_cast<int32_t>(i));
            model_.mark_rows(side, ids.data(), static_cast<int64_t>(ids.size()), marks);
            for (size_t p = 0; p < params.size(); ++p) {
                if (marks[p].whole) continue;
                for (int32_t r : marks[p].touched) {
                    int32_t& o = owner[p][size_t(r)];
                    if (o >= 0 && o != b) {
                        if (plan.shared[p].empty()) plan.shared[p].assign(size_t(params[p]->rows), 0);
                        plan.shared[p][size_t(r)] = 1;
                    }
                    o = b;
                }
                marks[p].clear();
            }
        }
    }
    for (size_t p = 0; p < params.size(); ++p)
        if (params[p]->access == Access::Whole || !plan.shared[p].empty()) plan.shared_params.push_back(p);
    // One thread has no other's rows to keep apart from.
    if (parts > 1 && renumberable(model_, Side::User, plan.shared))
        plan.user_row = block_row_order(plan.user_block, user_sub);
    if (parts > 1 && renumberable(model_, Side::Item, plan.shared))
        plan.item_row = block_row_order(plan.item_block, item_sub);
    if (parts > 1 && table_rows_movable(model_, Side::User, plan.shared))
        plan.user_table_rows = dynamic_cast<const MixedDimensionEmbedding&>(model_.user_table())
                                   .rows_by_rank(block_row_order(plan.user_block, user_sub));
    if (parts > 1 && table_rows_movable(model_, Side::Item, plan.shared))
        plan.item_table_rows = dynamic_cast<const MixedDimensionEmbedding&>(model_.item_table())
                                   .rows_by_rank(block_row_order(plan.item_block, item_sub));
    // With sub-cells, the ratings themselves grouped by that number (BlockPlan::entries), in place of cell_of.
    if (cell_subs > 1) {
        const size_t groups = size_t(parts) * size_t(parts) * cell_subs;
        plan.entry_start.assign(groups + 1, 0);
        for (uint32_t k : train) ++plan.entry_start[size_t(plan.cell_of[k]) + 1];
        for (size_t q = 0; q < groups; ++q) plan.entry_start[q + 1] += plan.entry_start[q];
        std::vector<int64_t> next(plan.entry_start.begin(), plan.entry_start.end() - 1);
        plan.entries.resize(train.size());
        for (uint32_t k : train) {
            const int32_t u = data.user[k], i = data.item[k];
            plan.entries[size_t(next[plan.cell_of[k]]++)] = {plan.user_row.empty() ? u : plan.user_row[size_t(u)],
                                                             plan.item_row.empty() ? i : plan.item_row[size_t(i)],
                                                             data.rating[k]};
        }
        std::vector<uint16_t>().swap(plan.cell_of);
    }
    plan_ = std::move(plan);
}

EpochStats Trainer::train_epoch_blocks(const Dataset& data, const std::vector<uint32_t>& train,
                                       const std::vector<uint32_t>& eval, const ProgressFn& progress, EpochStats st,
                                       Clock::time_point t0, bool* completed) {
    const int P = std::max(1, std::min(config_.threads, kMaxParts));
    const bool adam = config_.adam.optimizer == Optimizer::Adam;
    plan_blocks(data, train, P);
    // With sub-cells the epoch reads plan_.entries in an order of its own (below), not order_.
    const bool stored = !plan_.entries.empty();
    if (stored) {
        std::vector<uint32_t>().swap(order_);
        std::vector<uint16_t>().swap(cell_scratch_);
    } else {
        shuffle_order(train, st.epoch);
    }
    const int64_t B = config_.batch_size;
    const int64_t total = static_cast<int64_t>(train.size());

    // The shuffled order, stably bucketed into the P x P cells: in stratum s, thread t trains on the cell
    // (user block t, item block (t + s) mod P), numbered s P + t. A cell of sub-cells takes them one after
    // the other, in an order drawn per epoch and cell (without shuffling, in their numbers' order). Adam's
    // sub-cells are user sub-blocks, drawn per user block: a thread alternates its P cells, which then work
    // through the same users at a time.
    const size_t cells_n = size_t(P) * size_t(P);
    const uint32_t subs2 = uint32_t(plan_.user_subs) * uint32_t(plan_.item_subs);
    // A rating's bucket, by its cell and sub-cell number: the cell's buckets, the sub-cells in its order.
    std::vector<uint16_t> bucket_of(cells_n * subs2);
    for (size_t c = 0; c < cells_n; ++c) {
        uint16_t* bucket = bucket_of.data() + c * subs2;
        for (uint32_t j = 0; j < subs2; ++j) bucket[j] = static_cast<uint16_t>(c * subs2 + j);
        if (subs2 == 1 || !config_.shuffle) continue;
        const uint64_t drawn_for = adam ? c % size_t(P) : c;
        Rng rng(config_.seed ^ 0x737562636c6c73ULL ^ (uint64_t(st.epoch) << 16) ^ drawn_for);
        for (size_t j = subs2; j > 1; --j) std::swap(bucket[j - 1], bucket[size_t(rng.below(j))]);
    }
    std::vector<int64_t> bucket_start(cells_n * subs2 + 1, 0);
    if (stored) {
        for (size_t q = 0; q < cells_n * subs2; ++q)
            bucket_start[size_t(bucket_of[q]) + 1] = plan_.entry_start[q + 1] - plan_.entry_start[q];
    } else {
        cell_scratch_.resize(order_.size());
        for (size_t j = 0; j < order_.size(); ++j) {
            const uint16_t b = bucket_of[plan_.cell_of[order_[j]]];
            cell_scratch_[j] = b;
            ++bucket_start[size_t(b) + 1];
        }
    }
    for (size_t b = 0; b < cells_n * subs2; ++b) bucket_start[b + 1] += bucket_start[b];
    std::vector<int64_t> cell_start(cells_n + 1);
    for (size_t c = 0; c <= cells_n; ++c) cell_start[c] = bucket_start[c * subs2];
    cell_order_.resize(train.size());
    const std::vector<uint32_t>& cells = cell_order_;
    if (!stored)
        for (size_t j = 0; j < order_.size(); ++j)
            cell_order_[size_t(bucket_start[cell_scratch_[j]]++)] = order_[j];
    auto cell = [&](int thread, int stratum) { return size_t(stratum) * size_t(P) + size_t(thread); };
    // With sub-cells each thread lays out its own cells as it starts: each sub-cell's positions in
    // plan_.entries where its bucket begins, shuffled by a generator drawn from the seed, the epoch and the
    // sub-cell (a uniform order within a sub-cell, as the shuffled order bucketed gives). A thread reads
    // only its own cells, so it need not wait for the others'.
    auto lay_out = [&](int tid) {
        for (int s = 0; s < P; ++s)
            for (uint32_t j = 0; j < subs2; ++j) {
                const size_t q = cell(tid, s) * subs2 + j;
                const int64_t begin = plan_.entry_start[q], n = plan_.entry_start[q + 1] - begin;
                uint32_t* out = cell_order_.data() + bucket_start[bucket_of[q]];
                for (int64_t k = 0; k < n; ++k) out[k] = static_cast<uint32_t>(begin + k);
                if (!config_.shuffle) continue;
                Rng rng(config_.seed ^ 0x7375626f72646572ULL ^ (uint64_t(st.epoch) << 24) ^ q);
                for (int64_t k = n; k > 1; --k) std::swap(out[k - 1], out[rng.below(uint64_t(k))]);
            }
    };
    // The epoch as rounds: in each round every thread trains one batch (or none, when its cell has run out),
    // and after some rounds the threads meet (`sync`) to step the shared rows and report. The row rules take
    // the strata one after the other, meeting every round_batches rounds when rows are shared, else at the
    // end of each stratum. Adam alternates strata every round_batches rounds, meeting at each switch: taken
    // one after the other, each stratum's slice of users and items drifted on its own (a pure dot-product
    // model's user and item blocks pair up in each cell and settle on directions of their own), and
    // `compare --adam lazy` on 2 threads lost 0.02 eval MSE against the two-side schedule.
    const bool has_shared = P > 1 && !plan_.shared_params.empty();
    // Adam's rounds are also at most 1/kMinAdamRounds of a thread's epoch, so that on a small set a shared row
    // (the global bias) still steps often: 8 threads on 34,000 ratings otherwise made two rounds an epoch.
    // With two threads and no shared row, a round only sets how often Adam switches strata, and each switch
    // hands every item block to the other core: kAdamSwitchRatings.
    const int64_t per_thread = (total + P * B - 1) / (P * B);  // a thread's batches per epoch
    const int64_t adam_round = has_shared || P > 2 ? kRoundRatings : kAdamSwitchRatings;
    const int64_t round_batches = std::max<int64_t>(
        1, adam ? std::min(adam_round / B, per_thread / kMinAdamRounds) : kRoundRatings / B);
    struct Batch {
        const uint32_t* idx;
        int64_t n;
    };
    std::vector<Batch> batch_of;  // round r's batch for thread t at r P + t
    std::vector<uint8_t> sync;    // per round: the threads meet after it
    std::vector<uint8_t> stratum_of;  // per round: its stratum (P <= kMaxParts)
    {
        std::vector<int64_t> next(cells_n, 0);  // each cell's batches taken so far
        auto cell_batches = [&](size_t c) { return (cell_start[c + 1] - cell_start[c] + B - 1) / B; };
        auto add_round = [&](int stratum, bool meet) {
            for (int t = 0; t < P; ++t) {
                const size_t c = cell(t, stratum);
                const int64_t begin = next[c] * B, size = cell_start[c + 1] - cell_start[c];
                const int64_t n = std::max<int64_t>(0, std::min(B, size - begin));
                batch_of.push_back({cells.data() + cell_start[c] + std::min(begin, size), n});
                if (n > 0) ++next[c];
            }
            sync.push_back(meet);
            stratum_of.push_back(uint8_t(stratum));
        };
        auto stratum_rounds = [&](int stratum) {  // its longest cell's batches left
            int64_t r = 0;
            for (int t = 0; t < P; ++t) r = std::max(r, cell_batches(cell(t, stratum)) - next[cell(t, stratum)]);
            return r;
        };
        if (adam && P > 1) {
            for (bool more = true; more;) {
                more = false;
                for (int s = 0; s < P; ++s) {
                    const int64_t k = std::min(round_batches, stratum_rounds(s));
                    for (int64_t r = 0; r < k; ++r) add_round(s, r + 1 == k);
                    more = more || stratum_rounds(s) > 0;
                }
            }
        } else {
            // One thread meets only itself (the barrier returns at once), so it reports every round_batches
            // rounds too: progress and a stop request come mid-epoch, as on the two-side schedule.
            const bool often = has_shared || P == 1;
            for (int s = 0; s < P; ++s) {
                const int64_t k = stratum_rounds(s);
                for (int64_t r = 0; r < k; ++r)
                    add_round(s, often ? (r + 1) % round_batches == 0 || r + 1 == k : r + 1 == k);
            }
        }
    }
    const int64_t all_rounds = static_cast<int64_t>(sync.size());
    // Optimiser steps per round: the row rules count rounds; Adam counts batches, as its two-side schedule
    // does (thread i's batch of round r is step r P + i + 1 of the epoch), so its bias correction ramps up
    // over the same number of ratings whatever P is. (Counted in rounds, P = 2 took twice the data to ramp:
    // eval MSE after `compare --adam lazy`'s 3 epochs 0.776 against 0.756.)
    const int64_t round_steps = adam ? P : 1;
    const int64_t first_step = adam_.steps() + 1;
    if (config_.adam.lr_decay != 1.0) adam_.set_decay_steps(all_rounds * round_steps);  // the decay is per epoch
    adam_.reserve_steps(first_step + all_rounds * round_steps);  // lazy Adam's bias corrections

    const std::vector<Param*> params = model_.params();
    if (int(thread_grads_.size()) < P - 1) {
        thread_grads_.resize(size_t(P - 1));
        for (auto& g : thread_grads_)
            if (g.empty())
                for (Param* p : params) {
                    g.emplace_back();
                    g.back().allow_direct = adam_.takes_direct_rows();  // as thread 0's grads_
                    g.back().resize(*p);
                }
    }
    thread_buffers_.resize(size_t(P));
    for (auto& b : thread_buffers_) b.reserve(B, model_.user_table().stride());
    auto grads_of = [&](int tid) -> std::vector<ParamGrad>& { return tid == 0 ? grads_ : thread_grads_[size_t(tid - 1)]; };
    // On several threads each counts its rows' updates in its own array (ParamGrad::counts), added into
    // AdamState::steps in thread order after the epoch.
    for (int tid = 0; P > 1 && tid < P; ++tid)
        for (size_t p = 0; p < params.size(); ++p) {
            const size_t rows = size_t(params[p]->rows);
            std::vector<int32_t>& c = grads_of(tid)[p].counts;
            if (adam_.state()[p].steps.size() == rows && c.size() != rows) c.assign(rows, 0);
        }
    auto merge_counts = [&] {
        for (int tid = 0; P > 1 && tid < P; ++tid)
            for (size_t p = 0; p < params.size(); ++p) {
                std::vector<int32_t>& c = grads_of(tid)[p].counts;
                std::vector<int32_t>& steps = adam_.state()[p].steps;
                for (size_t r = 0; r < c.size(); ++r) steps[r] += c[r];
                std::fill(c.begin(), c.end(), 0);
            }
    };
    struct alignas(64) ThreadSums {  // a cache line each: every thread adds to its own after each batch
        double loss = 0, mae = 0;
        int64_t done = 0;
    };
    std::vector<ThreadSums> sums(static_cast<size_t>(P));
    auto summed = [&sums] {  // the threads' sums added in thread order (a fixed order: the same bits each run)
        ThreadSums all;
        for (const ThreadSums& s : sums) {
            all.done += s.done;
            all.loss += s.loss;
            all.mae += s.mae;
        }
        return all;
    };
    std::atomic<int64_t> stop_after{std::numeric_limits<int64_t>::max()};
    SpinBarrier barrier(P);
    int64_t next_report = kProgressEvery;
    int64_t rounds_done = 0;  // thread 0's count of completed rounds

    // Each thread's sums of the round's gradients of the shared rows (per shared param, in the order of
    // plan_.shared_params): each row's count of batches and the rows with any, in first-touch order; for
    // AdaGrad also each row's sum of squares, and the sums apart (`own`, Adam::add_to_round). Adam and SGD
    // read neither squares nor single batches, so their shared rows' batch gradients add up over the round
    // in the thread's own gradient rows (`sum` is grads_of(tid)[p]) with no copy per batch; the L2 term,
    // the same each batch as the rows hold still, is added once at the step (Adam::add_round_l2). Copied
    // per batch, the copies held 4.4% of memeff's 2-thread epoch.
    const bool accumulate = config_.adam.optimizer != Optimizer::AdaGrad;
    struct RoundSums {
        ParamGrad* sum = nullptr;
        ParamGrad own;
        std::vector<float> sq;
        std::vector<int32_t> batches;
        std::vector<int32_t> rows;
        float* own_row(int32_t r) { return own.data.data() + int64_t(r) * own.stride; }
    };
    std::vector<std::vector<RoundSums>> rounds_of(has_shared ? size_t(P) : 0);
    std::vector<int> shared_slot(params.size(), -1);
    for (size_t j = 0; j < plan_.shared_params.size(); ++j) shared_slot[plan_.shared_params[j]] = int(j);
    for (int tid = 0; tid < int(rounds_of.size()); ++tid) {
        std::vector<RoundSums>& per_thread = rounds_of[size_t(tid)];
        per_thread.resize(plan_.shared_params.size());
        for (size_t j = 0; j < plan_.shared_params.size(); ++j) {
            const Param& par = *params[plan_.shared_params[j]];
            RoundSums& r = per_thread[j];
            r.batches.assign(size_t(par.rows), 0);
            if (accumulate) {
                r.sum = &grads_of(tid)[plan_.shared_params[j]];
                continue;
            }
            r.own.resize(par);
            r.sq.assign(size_t(par.rows), 0.0f);
            r.sum = &r.own;
        }
    }

    // Every thread between the barriers, on its own share of each shared param's rows (a range of them):
    // add the other threads' round sums of a row to thread 0's in thread order, then step the row once with
    // them (Adam::step_round). Each row's arithmetic is the same whichever thread takes it, so the bits do
    // not depend on the split; taken by thread 0 alone, the other threads spun meanwhile (memeff on 2
    // threads steps about 290 rows of 64 floats a round, each up to 8 Adam steps).
    auto step_shared = [&](int tid, int64_t t) {
        for (size_t j = 0; has_shared && j < plan_.shared_params.size(); ++j) {
            const size_t p = plan_.shared_params[j];
            const int32_t rows = static_cast<int32_t>(params[p]->rows);
            const int32_t lo = int32_t(int64_t(rows) * tid / P), hi = int32_t(int64_t(rows) * (tid + 1) / P);
            RoundSums& into = rounds_of[0][j];
            const int64_t stride = into.sum->stride;
            auto step_row = [&](int32_t r) {
                if (r < lo || r >= hi) return;
                float* sum = into.sum->data.data() + r * stride;
                for (int k = 1; k < P; ++k) {
                    RoundSums& from = rounds_of[size_t(k)][j];
                    if (from.batches[size_t(r)] == 0) continue;
                    float* src = from.sum->data.data() + r * stride;
                    kernels::axpy(1.0f, src, sum, stride);
                    std::fill_n(src, stride, 0.0f);
                    into.batches[size_t(r)] += from.batches[size_t(r)];
                    from.batches[size_t(r)] = 0;
                    if (accumulate) continue;
                    into.sq[size_t(r)] += from.sq[size_t(r)];
                    from.sq[size_t(r)] = 0.0f;
                }
                const int32_t batches = into.batches[size_t(r)];
                if (batches == 0) return;  // no batch had it, or taken already (another list)
                if (accumulate) adam_.add_round_l2(p, sum, batches, r);
                adam_.step_round(p, sum, accumulate ? 0.0f : into.sq[size_t(r)], batches, r, t);
                into.batches[size_t(r)] = 0;
                if (!accumulate) into.sq[size_t(r)] = 0.0f;
            };
            if (into.sum->whole) {
                for (int32_t r = lo; r < hi; ++r) step_row(r);
                continue;
            }
            for (int k = 0; k < P; ++k)  // a row any thread touched is in that thread's list
                for (int32_t r : rounds_of[size_t(k)][j].rows) step_row(r);
        }
    };
    // Each thread forgets its own lists of the round's rows once every thread has read them (the second
    // barrier); their sums were zeroed as they stepped.
    auto forget_round = [&](int tid) {
        for (size_t j = 0; has_shared && j < plan_.shared_params.size(); ++j)
            rounds_of[size_t(tid)][j].rows.clear();
    };
    auto report = [&](int64_t round) {
        const auto [loss, mae, done] = summed();
        if (progress && done > 0 && (done >= next_report || done == total)) {
            next_report = done + kProgressEvery;
            Progress pr{st.epoch, config_.epochs, done, total, loss / double(done), mae / double(done),
                        std::chrono::duration<double>(Clock::now() - t0).count()};
            if (!progress(pr)) stop_after.store(round, std::memory_order_relaxed);
        }
        rounds_done = round + 1;
    };

    // Full tables' vectors are read in place (Model::lookup): a thread's rows are its own until it steps
    // them. Not once the rows overflow the cache budget (sub-cells): the copy's back-to-back loads then
    // overlap the misses that the fetch a round ahead left better than the loss's dot products do (the lazy
    // baseline on the 25M shape, 3 alternated pairs: 0.81x-1.04x an epoch in place; on ml-1m, 6 pairs,
    // 1.02x-1.18x).
    const bool in_place = plan_.user_subs == 1 && plan_.item_subs == 1;
    const bool marks_in_backward[2] = {model_.backward_marks_rows(Side::User),
                                       model_.backward_marks_rows(Side::Item)};
    // The row rules on full tables step example by example in place (example_steps.h).
    const bool per_example = example_steps_ && ExampleSteps::applies(model_, adam_);
    auto worker = [&](int tid) {
        flush_denormals();
        std::vector<ParamGrad>& grads = grads_of(tid);
        BatchBuffers& buf = thread_buffers_[size_t(tid)];
        std::vector<int32_t> owned;
        std::vector<float> dz(static_cast<size_t>(B));
        ThreadSums& mine = sums[size_t(tid)];
        // Each round's batch is gathered and its rows fetched a round ahead (fetch_ahead.h).
        auto mine_batch = [&](int64_t round) -> const Batch& { return batch_of[size_t(round * P + tid)]; };
        FetchAhead ahead(model_, adam_, params, grads, true, true, B);
        ahead.renumber(plan_.user_row, plan_.item_row);
        if (stored) lay_out(tid);
        std::optional<ExampleSteps> examples;
        if (per_example) examples.emplace(model_);
        const PlannedRating* entries = plan_.entries.data();
        auto gather = [&](int64_t k) {
            const Batch& b = mine_batch(k);
            if (stored)
                ahead.gather(entries, b.idx, b.n, int(k & 1));
            else
                ahead.gather(data, b.idx, b.n, int(k & 1));
        };
        auto prefetch_entries = [&](int64_t k) {
            const Batch& b = mine_batch(k);
            if (stored)
                FetchAhead::prefetch_entries(entries, b.idx, b.n);
            else
                FetchAhead::prefetch_entries(data, b.idx, b.n);
        };
        // Not the rows of a round on another stratum: its items are another thread's until the threads meet.
        auto fetch = [&](int64_t k) {  // round k's batch two rounds ahead: its data entries; one ahead: gather, rows
            if (k + 2 < all_rounds) prefetch_entries(k + 2);
            if (k + 1 < all_rounds) {
                gather(k + 1);
                if (stratum_of[size_t(k + 1)] == stratum_of[size_t(k)])
                    ahead.prefetch_rows(int((k + 1) & 1), mine_batch(k + 1).n);
            }
        };
        if (all_rounds > 0) gather(0);
        if (all_rounds > 1) prefetch_entries(1);
        for (int64_t round = 0; round < all_rounds; ++round) {
            const int64_t t = first_step + round * round_steps + (adam ? tid : 0);
            const int64_t round_end = first_step + (round + 1) * round_steps - 1;  // the round's last step
            const int64_t n = mine_batch(round).n;
            fetch(round);
            if (n > 0) {
                const int32_t* users = ahead.users(int(round & 1));
                const int32_t* items = ahead.items(int(round & 1));
                const float* ratings = ahead.ratings(int(round & 1));
                BatchSums bs;
                if (examples) {
                    bs = examples->run(adam_, grads, users, items, ratings, n, t);
                } else {
                    // The steps come after the backward pass, which marks a quotient-remainder or hashed
                    // side's rows itself (in the same order): a second pass over its ids held 3% of memeff's
                    // epoch.
                    if (!marks_in_backward[0]) model_.mark_rows(Side::User, users, n, grads);
                    if (!marks_in_backward[1]) model_.mark_rows(Side::Item, items, n, grads);
                    model_.lookup(Side::User, users, n, buf, in_place);
                    model_.lookup(Side::Item, items, n, buf, in_place);
                    // The row rules take per-example gradients (the batch's sum); Adam, Keras' batch mean.
                    bs = model_.loss_gradient(users, items, ratings, 0, n, adam ? 1.0f / float(n) : 1.0f, buf,
                                              dz.data());
                    model_.backward(Side::User, users, n, dz.data(), grads, buf);
                    model_.backward(Side::Item, items, n, dz.data(), grads, buf);
                }
                mine.loss += bs.squared_error;
                mine.mae += bs.absolute_error;
                mine.done += n;
                for (size_t p = 0; p < grads.size(); ++p) {
                    ParamGrad& g = grads[p];
                    const int slot = has_shared ? shared_slot[p] : -1;
                    if (slot < 0) {  // one thread, or no shared rows here: every row is this thread's
                        if (g.whole || !g.touched.empty()) adam_.update(p, g, t);
                        continue;
                    }
                    // Owned rows step now; shared ones count this batch in the thread's round sums (and,
                    // for AdaGrad, add it there).
                    RoundSums& acc = rounds_of[size_t(tid)][size_t(slot)];
                    const int64_t stride = g.stride;
                    if (g.whole) {
                        for (int32_t row = 0; row < params[p]->rows; ++row) {
                            float* gr = g.data.data() + row * stride;
                            if (!accumulate)
                                adam_.add_to_round(p, gr, acc.own_row(row), acc.sq[size_t(row)], row);
                            ++acc.batches[size_t(row)];
                        }
                        continue;
                    }
                    const std::vector<uint8_t>& shared = plan_.shared[p];
                    owned.clear();
                    for (int32_t row : g.touched) {
                        if (!shared[size_t(row)]) {
                            owned.push_back(row);
                            continue;
                        }
                        float* gr = g.data.data() + row * stride;
                        if (g.allow_direct && g.direct[size_t(row)]) {  // into the row (the round's so far)
                            kernels::axpy(1.0f, g.direct[size_t(row)], gr, stride);
                            g.direct[size_t(row)] = nullptr;
                        }
                        if (!accumulate)
                            adam_.add_to_round(p, gr, acc.own_row(row), acc.sq[size_t(row)], row);
                        if (acc.batches[size_t(row)]++ == 0) acc.rows.push_back(row);
                    }
                    adam_.update_rows(p, g, owned.data(), owned.size(), t);
                    g.forget();
                }
            }
            if (sync[size_t(round)]) {
                barrier.wait();
                step_shared(tid, round_end);
                if (tid == 0) report(round);
                barrier.wait();
                forget_round(tid);
                if (round >= stop_after.load(std::memory_order_relaxed)) return;
            }
        }
    };
    // The rows of each full-table side in block order while the threads run (block_rows.h).
    const std::vector<int32_t>* const new_rows[2] = {&plan_.user_row, &plan_.item_row};
    const RowsMoved::TableMoves* const table_rows[2] = {&plan_.user_table_rows, &plan_.item_table_rows};
    RowsMoved moved(model_, adam_, new_rows, table_rows, row_scratch_);
    std::vector<std::thread> others;
    try {
        for (int tid = 1; tid < P; ++tid) others.emplace_back(worker, tid);
        worker(0);
    } catch (...) {
        for (auto& th : others) th.join();
        merge_counts();
        // Round sums left in the threads' gradient rows (accumulate): the next epoch starts from zero.
        for (int tid = 0; accumulate && tid < int(rounds_of.size()); ++tid)
            for (size_t p : plan_.shared_params) {
                ParamGrad& g = grads_of(tid)[p];
                std::fill(g.data.begin(), g.data.end(), 0.0f);
                g.forget();
            }
        throw;
    }
    for (auto& th : others) th.join();
    merge_counts();
    moved.restore();  // before the evaluation, and before anyone else sees the model

    const auto [loss, mae, done] = summed();
    const bool stopped = done < total;
    adam_.set_steps(first_step - 1 + rounds_done * round_steps);
    st.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return finish_epoch(st, done, loss, mae, stopped, data, eval, completed);
}

}  // namespace memrec
