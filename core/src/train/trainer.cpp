#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif
#include <cmath>
#include <limits>

#if defined(MEMREC_OPENMP)
#include <omp.h>
#endif

#include "memrec/error.h"
#include "memrec/rng.h"
#include "memrec/trainer.h"
#include "memrec/train_fields.h"
#include "fetch_ahead.h"
#include "spin_barrier.h"

namespace memrec {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
constexpr int64_t kProgressEvery = 32768;  // ratings between progress callbacks

// Adam's moments of rarely seen rows decay geometrically into the denormal range, where x86 arithmetic is
// ~100x slower; values that small (< 1e-38) change nothing, so training threads flush them to zero.
void flush_denormals_to_zero() {
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ | DAZ
#endif
}
}  // namespace

void TrainConfig::validate() const {
    check_ranges(*this);  // every setting's range, from the field list
    adam.validate();
}

Metrics evaluate(const Model& model, const Dataset& data, const std::vector<uint32_t>& indices, int threads) {
    Metrics m;
    m.count = static_cast<int64_t>(indices.size());
    if (indices.empty()) return m;
    constexpr int64_t kChunk = 1024;
    const int64_t chunks = (m.count + kChunk - 1) / kChunk;
    // Per-chunk sums added in chunk order afterwards: the same figures bit for bit on any thread count (an
    // OpenMP reduction adds the threads' partial sums in whatever order they finish).
    std::vector<double> chunk_se(size_t(chunks), 0.0), chunk_ae(size_t(chunks), 0.0);
#if defined(MEMREC_OPENMP)
#pragma omp parallel num_threads(threads) if (threads > 1)
#else
    (void)threads;
#endif
    {
        BatchBuffers buf;
        std::vector<int32_t> u(kChunk), it(kChunk);
        std::vector<float> pred(kChunk);
#if defined(MEMREC_OPENMP)
#pragma omp for schedule(static)
#endif
        for (int64_t c = 0; c < chunks; ++c) {
            const int64_t begin = c * kChunk, n = std::min(kChunk, m.count - begin);
            for (int64_t i = 0; i < n; ++i) {
                const uint32_t k = indices[size_t(begin + i)];
                u[size_t(i)] = data.user[k];
                it[size_t(i)] = data.item[k];
            }
            model.predict(u.data(), it.data(), n, pred.data(), buf);
            double se = 0, ae = 0;
            for (int64_t i = 0; i < n; ++i) {
                const double e = double(pred[size_t(i)]) - double(data.rating[indices[size_t(begin + i)]]);
                se += e * e;
                ae += std::fabs(e);
            }
            chunk_se[size_t(c)] = se;
            chunk_ae[size_t(c)] = ae;
        }
    }
    double se = 0, ae = 0;
    for (int64_t c = 0; c < chunks; ++c) {
        se += chunk_se[size_t(c)];
        ae += chunk_ae[size_t(c)];
    }
    m.mse = se / double(m.count);
    m.rmse = std::sqrt(m.mse);
    m.mae = ae / double(m.count);
    return m;
}

Trainer::Trainer(Model& model, const TrainConfig& config)
    : model_(model), config_(config), adam_(config.adam, model.params()) {
    config_.validate();
    // The batches' loss is the rating model's squared error; an implicit model is trained by ALS (als.h).
    if (model.config().objective != Objective::Rating)
        throw ConfigError("the trainer fits rating models; implicit models are trained by ALS (--objective als)");
    for (Param* p : model_.params()) {
        grads_.emplace_back();
        grads_.back().allow_direct = adam_.takes_direct_rows();
        grads_.back().resize(*p);
    }
}

bool Trainer::uses_block_schedule() const {
    return config_.adam.optimizer != Optimizer::Adam || config_.adam.mode == AdamMode::Lazy;
}

void Trainer::shuffle_order(const std::vector<uint32_t>& train, int epoch) {
    order_.assign(train.begin(), train.end());
    if (!config_.shuffle) return;
    Rng rng(config_.seed ^ (0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(epoch)));
    for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[size_t(rng.below(i))]);
}

// Dense Adam's schedule (the others' is block_schedule.cpp). Work of one batch is split by side, not by example: one
// thread owns the user table (and the global and user biases), the other the item table (and item biases); each marks,
// catches up, looks up, back-propagates and steps only its own parameters. Both threads compute the loss derivative of
// the whole batch into their own buffer (128 dot products: cheaper than a second hand-off). The one synchronisation per
// batch is after the lookups; lookups alternate between two buffer sets so the next batch's lookups never overwrite
// vectors the partner still reads. No two threads write the same memory, so training is race-free without locks and
// bit-identical for one or two threads. (Hogwild-style updates would scale past two threads but are non-deterministic
// and race by design; these machines have two cores.)
EpochStats Trainer::train_epoch(const Dataset& data, const std::vector<uint32_t>& train,
                                const std::vector<uint32_t>& eval, const ProgressFn& progress, bool* completed) {
    // The epoch's time runs from here: its shuffle (and, on the block schedule, its bucketing and the first
    // epoch's plan) is training work too.
    const auto t0 = Clock::now();
    EpochStats st;
    st.epoch = static_cast<int>(history_.size()) + 1;
    if (uses_block_schedule()) return train_epoch_blocks(data, train, eval, progress, st, t0, completed);
    shuffle_order(train, st.epoch);
    const int64_t total = static_cast<int64_t>(order_.size());
    // A batch larger than the epoch is the epoch (same steps, same result): buffers sized for it only.
    const int64_t B = std::max<int64_t>(1, std::min<int64_t>(config_.batch_size, total));
    const int64_t batches = (total + B - 1) / B;
    const int64_t first_step = adam_.steps() + 1;
    if (config_.adam.lr_decay != 1.0) adam_.set_decay_steps(batches);  // the decay is per epoch
    adam_.reserve_steps(first_step + batches);
    for (auto& buf : buffers_) buf.reserve(B, model_.user_table().stride());
    const std::vector<size_t> user_params = model_.side_params(Side::User);
    const std::vector<size_t> item_params = model_.side_params(Side::Item);
    const int threads = std::min(config_.threads, 2);
    const std::vector<Param*> params = model_.params();
    double loss_sum = 0, mae_sum = 0;  // sums of squared / absolute errors, kept by thread 0
    int64_t done = 0;
    // The batch after which thread 0's progress callback asked to stop. A batch number rather than a flag:
    // the partner reads it after the next barrier, possibly late, when thread 0 may already be a batch
    // further; with a flag it would then stop one batch early and leave thread 0 waiting at the barrier.
    std::atomic<int64_t> stop_after{std::numeric_limits<int64_t>::max()};
    SpinBarrier barrier(threads);

    auto worker = [&](int tid) {
        flush_denormals_to_zero();
        // Each batch's ids and ratings are gathered a batch early into the other of two slots, its rows
        // fetched into the cache, and its entries of the data arrays fetched two batches early (fetch_ahead.h).
        FetchAhead ahead(model_, adam_, params, grads_, threads == 1 || tid == 0, threads == 1 || tid == 1, B);
        std::vector<float> dz(static_cast<size_t>(B));
        auto batch_size = [&](int64_t batch) { return std::min(B, total - batch * B); };
        if (batches > 0) ahead.gather(data, order_.data(), batch_size(0), 0);
        if (batches > 1) FetchAhead::prefetch_entries(data, order_.data() + B, batch_size(1));
        int64_t next_report = kProgressEvery;
        for (int64_t b = 0; b < batches; ++b) {
            const int64_t begin = b * B, n = std::min(B, total - begin), t = first_step + b;
            const int cur = int(b & 1);
            if (b + 2 < batches) FetchAhead::prefetch_entries(data, order_.data() + (b + 2) * B, batch_size(b + 2));
            if (b + 1 < batches) {  // the next batch's ids, then its rows of this thread's side(s)
                ahead.gather(data, order_.data() + (b + 1) * B, batch_size(b + 1), cur ^ 1);
                ahead.prefetch_rows(cur ^ 1, batch_size(b + 1));
            }
            const int32_t* users_p = ahead.users(cur);
            const int32_t* items_p = ahead.items(cur);
            const float* ratings_p = ahead.ratings(cur);
            BatchBuffers& buf = buffers_[b & 1];
            for (Side side : {Side::User, Side::Item}) {
                if (threads == 2 && (side == Side::User) != (tid == 0)) continue;
                const int32_t* ids = side == Side::User ? users_p : items_p;
                model_.mark_rows(side, ids, n, grads_);
                for (size_t p : side == Side::User ? user_params : item_params) adam_.prepare(p, grads_[p], t);
                model_.lookup(side, ids, n, buf);
            }
            // Thread 0 decided to stop after the previous batch and published it before this barrier.
            if (threads == 2) barrier.wait();
            if (b > stop_after.load(std::memory_order_relaxed)) break;
            // Keras' loss is the batch mean, so each example's squared error is weighted 1/n.
            const BatchSums sums = model_.loss_gradient(users_p, items_p, ratings_p, 0, n,
                                                        1.0f / float(n), buf, dz.data());
            for (Side side : {Side::User, Side::Item}) {
                if (threads == 2 && (side == Side::User) != (tid == 0)) continue;
                const int32_t* ids = side == Side::User ? users_p : items_p;
                model_.backward(side, ids, n, dz.data(), grads_, buf);
                for (size_t p : side == Side::User ? user_params : item_params) adam_.update(p, grads_[p], t);
            }
            if (tid == 0) {
                loss_sum += sums.squared_error;
                mae_sum += sums.absolute_error;
                done = begin + n;
                if (progress && (done >= next_report || done == total)) {
                    next_report = done + kProgressEvery;
                    Progress p{st.epoch, config_.epochs, done, total, loss_sum / double(done),
                               mae_sum / double(done), seconds_since(t0)};
                    if (!progress(p)) stop_after.store(b, std::memory_order_relaxed);
                }
            }
        }
    };
    if (threads == 2) {
        std::thread partner(worker, 1);
        try {
            worker(0);
        } catch (...) {
            partner.join();
            throw;
        }
        partner.join();
    } else {
        worker(0);
    }
    // Rows brought up to date by the final lookups of a stopped epoch stay consistent: catching up is what
    // synchronize() would do anyway.
    const bool stopped = stop_after.load() != std::numeric_limits<int64_t>::max() && done < total;
    adam_.set_steps(first_step - 1 + (done + B - 1) / B);
    adam_.synchronize(config_.threads);
    st.seconds = seconds_since(t0);
    return finish_epoch(st, done, loss_sum, mae_sum, stopped, data, eval, completed);
}

EpochStats Trainer::finish_epoch(EpochStats st, int64_t done, double loss_sum, double mae_sum, bool stopped,
                                 const Dataset& data, const std::vector<uint32_t>& eval, bool* completed) {
    st.train_loss = done ? loss_sum / double(done) : 0.0;
    st.train_mae = done ? mae_sum / double(done) : 0.0;
    st.ratings_per_second = st.seconds > 0 ? double(done) / st.seconds : 0.0;
    if (completed) *completed = !stopped;
    if (stopped) return st;
    st.eval = evaluate(model_, data, eval, config_.threads);
    history_.push_back(st);
    return st;
}

std::vector<EpochStats> Trainer::fit(const Dataset& data, const std::vector<uint32_t>& train,
                                     const std::vector<uint32_t>& eval, const ProgressFn& progress) {
    while (static_cast<int>(history_.size()) < config_.epochs) {
        bool completed = true;
        train_epoch(data, train, eval, progress, &completed);
        if (!completed) break;
    }
    return history_;
}

}  // namespace memrec
