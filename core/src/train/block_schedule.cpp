// The stratified block schedule of the row rules (AdaGrad, SGD), after DSGD (Gemulla et al. 2011) and
// LIBMF: users and items are dealt into P blocks each (P = threads), so the training ratings fall into a
// P x P grid. An epoch is P strata; in stratum s, thread i trains on the cell (user block i, item block
// (i + s) mod P), so no two threads read or write the same user row or item row, and the P strata cover
// every cell once. Each thread runs mini-batches through the ordinary pipeline (mark, lookup, loss,
// backward) into its own gradient buffers and steps the rows it owns at once.
//
// Rows that more than one block reaches (quotient-remainder rows, hashed buckets, the mixed-dimension
// projections and every other whole param, the global bias) are found by marking each block's ids through
// the tables themselves, so every table kind is covered without knowing its layout. Those rows hold still
// during a round (kRoundRatings per thread): each thread adds its batches' gradients of them to its own
// round sums (Adam::add_to_round); after the round the threads meet at a barrier, thread 0 adds the
// others' sums to its own in thread order and steps each shared row once (Adam::step_round), and a second
// barrier releases the next round. Everything is in a fixed order for a given P and seed, so a run repeats
// bit for bit; a different P changes the blocks and so the order of updates (docs/architecture.md,
// "Threads", has what that costs in accuracy per table kind).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <thread>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "memrec/kernels.h"
#include "memrec/rng.h"
#include "memrec/trainer.h"
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

}  // namespace

void Trainer::plan_blocks(const Dataset& data, const std::vector<uint32_t>& train, int parts) {
    if (plan_.parts == parts && plan_.data == &data && plan_.train_size == train.size()) return;
    BlockPlan plan;
    plan.parts = parts;
    plan.data = &data;
    plan.train_size = train.size();
    std::vector<int64_t> user_counts(size_t(model_.users()), 0), item_counts(size_t(model_.items()), 0);
    for (uint32_t k : train) {
        ++user_counts[size_t(data.user[k])];
        ++item_counts[size_t(data.item[k])];
    }
    plan.user_block = deal(user_counts, parts, config_.seed ^ 0x75736572626c6b73ULL);
    plan.item_block = deal(item_counts, parts, config_.seed ^ 0x6974656d626c6b73ULL);

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
    plan_ = std::move(plan);
}

EpochStats Trainer::train_epoch_blocks(const Dataset& data, const std::vector<uint32_t>& train,
                                       const std::vector<uint32_t>& eval, const ProgressFn& progress, EpochStats st,
                                       bool* completed) {
    const int P = std::max(1, std::min(config_.threads, kMaxParts));
    plan_blocks(data, train, P);
    const int64_t B = config_.batch_size;
    const int64_t total = static_cast<int64_t>(order_.size());

    // The shuffled order, stably bucketed into the P x P cells.
    std::vector<int64_t> cell_start(size_t(P * P) + 1, 0);
    auto cell_of = [&](uint32_t k) {
        return size_t(plan_.user_block[size_t(data.user[k])]) * size_t(P) + size_t(plan_.item_block[size_t(data.item[k])]);
    };
    for (uint32_t k : order_) ++cell_start[cell_of(k) + 1];
    for (size_t c = 0; c < size_t(P * P); ++c) cell_start[c + 1] += cell_start[c];
    std::vector<uint32_t> cells(order_.size());
    {
        std::vector<int64_t> at(cell_start.begin(), cell_start.end() - 1);
        for (uint32_t k : order_) cells[size_t(at[cell_of(k)]++)] = k;
    }
    auto cell = [&](int thread, int stratum) { return size_t(thread) * size_t(P) + size_t((thread + stratum) % P); };
    // Rounds per stratum: the longest cell's batches.
    std::vector<int64_t> rounds(static_cast<size_t>(P), 0);
    int64_t all_rounds = 0;
    for (int s = 0; s < P; ++s) {
        for (int i = 0; i < P; ++i) {
            const size_t c = cell(i, s);
            rounds[size_t(s)] = std::max(rounds[size_t(s)], (cell_start[c + 1] - cell_start[c] + B - 1) / B);
        }
        all_rounds += rounds[size_t(s)];
    }
    const int64_t first_step = adam_.steps() + 1;
    if (config_.adam.lr_decay != 1.0) adam_.set_decay_steps(all_rounds);  // the decay is per epoch

    const std::vector<Param*> params = model_.params();
    if (int(thread_grads_.size()) < P - 1) {
        thread_grads_.resize(size_t(P - 1));
        for (auto& g : thread_grads_)
            if (g.empty())
                for (Param* p : params) {
                    g.emplace_back();
                    g.back().resize(*p);
                }
    }
    thread_buffers_.resize(size_t(P));
    for (auto& b : thread_buffers_) b.reserve(B, model_.user_table().stride());
    auto grads_of = [&](int tid) -> std::vector<ParamGrad>& { return tid == 0 ? grads_ : thread_grads_[size_t(tid - 1)]; };
    const bool has_shared = P > 1 && !plan_.shared_params.empty();
    const int64_t round_batches = std::max<int64_t>(1, kRoundRatings / B);

    struct ThreadSums {
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
    const auto t0 = Clock::now();
    std::atomic<int64_t> stop_after{std::numeric_limits<int64_t>::max()};
    SpinBarrier barrier(P);
    int64_t next_report = kProgressEvery;
    int64_t rounds_done = 0;  // thread 0's count of completed rounds

    // Each thread's sums of the round's gradients of the shared rows (per shared param, in the order of
    // plan_.shared_params), with each row's sum of squares and count of batches.
    struct RoundSums {
        ParamGrad sum;
        std::vector<float> sq;
        std::vector<int32_t> batches;
    };
    std::vector<std::vector<RoundSums>> rounds_of(has_shared ? size_t(P) : 0);
    std::vector<int> shared_slot(params.size(), -1);
    for (size_t j = 0; j < plan_.shared_params.size(); ++j) shared_slot[plan_.shared_params[j]] = int(j);
    for (auto& per_thread : rounds_of)
        for (size_t p : plan_.shared_params) {
            RoundSums r;
            r.sum.resize(*params[p]);
            r.sq.assign(size_t(params[p]->rows), 0.0f);
            r.batches.assign(size_t(params[p]->rows), 0);
            per_thread.push_back(std::move(r));
        }

    // Thread 0 between the barriers: add the other threads' round sums to its own in thread order, step each
    // shared row once with them (Adam::step_round), then report.
    auto reduce_and_report = [&](int64_t round, int64_t t) {
        for (size_t j = 0; has_shared && j < plan_.shared_params.size(); ++j) {
            const size_t p = plan_.shared_params[j];
            RoundSums& into = rounds_of[0][j];
            const int64_t stride = into.sum.stride;
            auto add_row = [&](RoundSums& from, int32_t r) {
                if (from.batches[size_t(r)] == 0) return;
                float* dst = into.sum.whole ? into.sum.data.data() + r * stride : into.sum.row(r);
                kernels::axpy(1.0f, from.sum.data.data() + r * stride, dst, stride);
                std::fill_n(from.sum.data.data() + r * stride, stride, 0.0f);
                into.sq[size_t(r)] += from.sq[size_t(r)];
                into.batches[size_t(r)] += from.batches[size_t(r)];
                from.sq[size_t(r)] = 0.0f;
                from.batches[size_t(r)] = 0;
            };
            for (int k = 1; k < P; ++k) {
                RoundSums& from = rounds_of[size_t(k)][j];
                if (from.sum.whole) {
                    for (int32_t r = 0; r < params[p]->rows; ++r) add_row(from, r);
                } else {
                    for (int32_t r : from.sum.touched) add_row(from, r);
                    for (int32_t r : from.sum.touched) from.sum.mark[size_t(r)] = 0;
                    from.sum.touched.clear();
                }
            }
            auto step_row = [&](int32_t r) {
                if (into.batches[size_t(r)] == 0) return;
                adam_.step_round(p, into.sum.data.data() + r * stride, into.sq[size_t(r)], into.batches[size_t(r)], r, t);
                into.sq[size_t(r)] = 0.0f;
                into.batches[size_t(r)] = 0;
            };
            if (into.sum.whole) {
                for (int32_t r = 0; r < params[p]->rows; ++r) step_row(r);
            } else {
                for (int32_t r : into.sum.touched) step_row(r);
                for (int32_t r : into.sum.touched) into.sum.mark[size_t(r)] = 0;
                into.sum.touched.clear();
            }
        }
        const auto [loss, mae, done] = summed();
        if (progress && done > 0 && (done >= next_report || done == total)) {
            next_report = done + kProgressEvery;
            Progress pr{st.epoch, config_.epochs, done, total, loss / double(done), mae / double(done),
                        std::chrono::duration<double>(Clock::now() - t0).count()};
            if (!progress(pr)) stop_after.store(round, std::memory_order_relaxed);
        }
        rounds_done = round + 1;
    };

    auto worker = [&](int tid) {
        flush_denormals();
        std::vector<ParamGrad>& grads = grads_of(tid);
        BatchBuffers& buf = thread_buffers_[size_t(tid)];
        std::vector<int32_t> users(static_cast<size_t>(B)), items(static_cast<size_t>(B)), owned;
        std::vector<float> ratings(static_cast<size_t>(B)), dz(static_cast<size_t>(B));
        ThreadSums& mine = sums[size_t(tid)];
        int64_t round = 0;  // across strata
        for (int s = 0; s < P; ++s) {
            const size_t c = cell(tid, s);
            const int64_t begin_cell = cell_start[c], size = cell_start[c + 1] - begin_cell;
            for (int64_t r = 0; r < rounds[size_t(s)]; ++r, ++round) {
                const int64_t t = first_step + round;
                const int64_t begin = r * B, n = std::min(B, size - begin);
                if (n > 0) {
                    for (int64_t i = 0; i < n; ++i) {
                        const uint32_t k = cells[size_t(begin_cell + begin + i)];
                        users[size_t(i)] = data.user[k];
                        items[size_t(i)] = data.item[k];
                        ratings[size_t(i)] = data.rating[k];
                    }
                    model_.mark_rows(Side::User, users.data(), n, grads);
                    model_.mark_rows(Side::Item, items.data(), n, grads);
                    model_.lookup(Side::User, users.data(), n, buf);
                    model_.lookup(Side::Item, items.data(), n, buf);
                    // The row rules take per-example gradients: the batch's sum, not its mean.
                    const BatchSums bs = model_.loss_gradient(users.data(), items.data(), ratings.data(), 0, n,
                                                              1.0f, buf, dz.data());
                    model_.backward(Side::User, users.data(), n, dz.data(), grads, buf);
                    model_.backward(Side::Item, items.data(), n, dz.data(), grads, buf);
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
                        // Owned rows step now; shared ones add this batch to the thread's round sums.
                        RoundSums& acc = rounds_of[size_t(tid)][size_t(slot)];
                        const int64_t stride = g.stride;
                        if (g.whole) {
                            for (int32_t row = 0; row < params[p]->rows; ++row) {
                                adam_.add_to_round(p, g.data.data() + row * stride, acc.sum.data.data() + row * stride,
                                                   acc.sq[size_t(row)], row);
                                ++acc.batches[size_t(row)];
                            }
                            continue;
                        }
                        const std::vector<uint8_t>& shared = plan_.shared[p];
                        owned.clear();
                        for (int32_t row : g.touched) {
                            if (shared[size_t(row)]) {
                                adam_.add_to_round(p, g.data.data() + row * stride, acc.sum.row(row),
                                                   acc.sq[size_t(row)], row);
                                ++acc.batches[size_t(row)];
                            } else {
                                owned.push_back(row);
                            }
                        }
                        adam_.update_rows(p, g, owned.data(), owned.size(), t);
                        for (int32_t row : g.touched) g.mark[size_t(row)] = 0;
                        g.touched.clear();
                    }
                }
                if (has_shared && ((r + 1) % round_batches == 0 || r + 1 == rounds[size_t(s)])) {
                    barrier.wait();
                    if (tid == 0) reduce_and_report(round, t);
                    barrier.wait();
                    if (round >= stop_after.load(std::memory_order_relaxed)) return;
                }
            }
            if (!has_shared) {
                barrier.wait();
                if (tid == 0) reduce_and_report(round - 1, first_step + round - 1);
                barrier.wait();
                if (round - 1 >= stop_after.load(std::memory_order_relaxed)) return;
            }
        }
    };
    std::vector<std::thread> others;
    try {
        for (int tid = 1; tid < P; ++tid) others.emplace_back(worker, tid);
        worker(0);
    } catch (...) {
        for (auto& th : others) th.join();
        throw;
    }
    for (auto& th : others) th.join();

    const auto [loss, mae, done] = summed();
    const bool stopped = done < total;
    adam_.set_steps(first_step - 1 + rounds_done);
    st.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return finish_epoch(st, done, loss, mae, stopped, data, eval, completed);
}

}  // namespace memrec
