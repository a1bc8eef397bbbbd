#pragma once
// The trainers' batch pipeline a batch ahead, shared by Adam's two-side schedule (trainer.cpp) and the
// block schedule (block_schedule.cpp). A batch's ids and ratings are gathered into one of two slots while
// the other slot's batch trains, and its rows are fetched into the cache: the params whose rows are the ids
// themselves (full tables, biases), each with Adam's two moments (AdaGrad: its one accumulator), its
// per-row update count (the thread's own, ParamGrad::counts, when it keeps one) and the gradient's per-row
// marks. At MovieLens-25M's shape these are hundreds of MB visited in random order, so
// nearly every row of a batch is a cache miss; issued a batch early, the misses overlap the current
// batch's work. The gradient buffer's row is fetched only when rows are never kept direct (with direct
// rows, a row used once in a batch, nearly every row of a large table, never touches it). The entries of
// data.user / item / rating a batch reads are fetched earlier still (prefetch_entries). Only reads and
// cache state change: the results are the same bits.
#include <cstdint>
#include <vector>

#include "memrec/adam.h"
#include "memrec/dataset.h"
#include "memrec/model.h"
#include "memrec/trainer.h"
#include "prefetch.h"

namespace memrec {

class FetchAhead {
public:
    // `grads` are the calling thread's gradients; `user_side` / `item_side`: the sides whose rows it steps.
    FetchAhead(const Model& model, const Adam& adam, const std::vector<Param*>& params,
               const std::vector<ParamGrad>& grads, bool user_side, bool item_side, int64_t batch) {
        for (Side side : {Side::User, Side::Item}) {
            if (!(side == Side::User ? user_side : item_side)) continue;
            const int64_t ids = side == Side::User ? model.users() : model.items();
            for (size_t p : model.id_row_params(side)) {
                const Param& par = *params[p];
                const AdamState& s = adam.state()[p];
                const ParamGrad& g = grads[p];
                const bool adam_rows = adam.config().optimizer == Optimizer::Adam;
                if (adam_rows && (s.m.size() != par.data.size() || s.v.size() != par.data.size())) continue;
                const int32_t* counts = !g.counts.empty() ? g.counts.data()
                                        : s.steps.size() == size_t(ids) ? s.steps.data()
                                                                        : nullptr;
                Rows a{{par.data.data()}, nullptr, par.stride, counts, g.mark.data(),
                       g.allow_direct ? g.direct.data() : nullptr};
                if (adam_rows) {  // both moments' rows
                    a.base.push_back(s.m.data());
                    a.base.push_back(s.v.data());
                } else if (s.v.size() == size_t(ids) * kAccumulatorStride) {  // AdaGrad's accumulators
                    a.per_row = s.v.data();
                }
                if (!g.allow_direct) a.base.push_back(g.data.data());
                rows_[side == Side::User ? 0 : 1].push_back(std::move(a));
            }
        }
        for (int k = 0; k < 2; ++k) {
            users_[k].resize(size_t(batch));
            items_[k].resize(size_t(batch));
            ratings_[k].resize(size_t(batch));
        }
    }

    // Gather the batches with these rows for the ids (block_rows.h), where not empty.
    void renumber(const std::vector<int32_t>& user_row, const std::vector<int32_t>& item_row) {
        user_row_ = user_row.empty() ? nullptr : user_row.data();
        item_row_ = item_row.empty() ? nullptr : item_row.data();
    }
    // The n ratings at idx[0..n) into `slot`.
    void gather(const Dataset& data, const uint32_t* idx, int64_t n, int slot) {
        int32_t* u = users_[slot].data();
        int32_t* it = items_[slot].data();
        float* r = ratings_[slot].data();
        for (int64_t i = 0; i < n; ++i) {
            const uint32_t k = idx[i];
            u[i] = data.user[k];
            it[i] = data.item[k];
            r[i] = data.rating[k];
        }
        if (user_row_)
            for (int64_t i = 0; i < n; ++i) u[i] = user_row_[u[i]];
        if (item_row_)
            for (int64_t i = 0; i < n; ++i) it[i] = item_row_[it[i]];
    }
    // The n ratings at positions idx[0..n) of `entries` into `slot`, as they are: their rows are the epoch's
    // already (renumber() does not apply).
    void gather(const PlannedRating* entries, const uint32_t* idx, int64_t n, int slot) {
        int32_t* u = users_[slot].data();
        int32_t* it = items_[slot].data();
        float* r = ratings_[slot].data();
        for (int64_t i = 0; i < n; ++i) {
            const PlannedRating& e = entries[idx[i]];
            u[i] = e.user;
            it[i] = e.item;
            r[i] = e.rating;
        }
    }
    static void prefetch_entries(const PlannedRating* entries, const uint32_t* idx, int64_t n) {
        for (int64_t i = 0; i < n; ++i) prefetch_for_read(entries + idx[i]);
    }
    // The entries of the data arrays that gather(data, idx, n) will read.
    static void prefetch_entries(const Dataset& data, const uint32_t* idx, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
            prefetch_for_read(data.user.data() + idx[i]);
            prefetch_for_read(data.item.data() + idx[i]);
            prefetch_for_read(data.rating.data() + idx[i]);
        }
    }
    // The rows of the n gathered ratings in `slot`, on this thread's sides.
    void prefetch_rows(int slot, int64_t n) const {
        for (int side = 0; side < 2; ++side) {
            const int32_t* ids = side == 0 ? users_[slot].data() : items_[slot].data();
            for (const Rows& a : rows_[side])
                for (int64_t i = 0; i < n; ++i) {
                    const int64_t r = ids[i], off = r * a.stride;
                    for (int64_t l = 0; l < a.stride; l += kRowFloats)
                        for (const float* base : a.base) prefetch_for_write(base + off + l);
                    if (a.per_row) prefetch_for_write(a.per_row + r * kAccumulatorStride);
                    if (a.steps) prefetch_for_write(a.steps + r);
                    prefetch_for_write(a.mark + r);
                    if (a.direct) prefetch_for_write(a.direct + r);
                }
        }
    }

    const int32_t* users(int slot) const { return users_[slot].data(); }
    const int32_t* items(int slot) const { return items_[slot].data(); }
    const float* ratings(int slot) const { return ratings_[slot].data(); }

private:
    struct Rows {
        std::vector<const float*> base;  // rows of `stride` floats
        const float* per_row;            // one float per row, kAccumulatorStride apart (AdaGrad's), or null
        int64_t stride;
        const int32_t* steps;            // one per row, or null
        const uint8_t* mark;             // one per row
        const float* const* direct;      // one per row, or null
    };
    std::vector<Rows> rows_[2];  // user side, item side
    const int32_t* user_row_ = nullptr;  // renumber()'s rows, or null
    const int32_t* item_row_ = nullptr;
    std::vector<int32_t> users_[2], items_[2];
    std::vector<float> ratings_[2];
};

}  // namespace memrec
