#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "memrec/error.h"
#include "memrec/kernels.h"
#include "memrec/md_embedding.h"

namespace memrec {

std::vector<int32_t> MixedDimensionEmbedding::frequency_order(const std::vector<int64_t>& counts) {
    std::vector<int32_t> order(counts.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return counts[size_t(a)] > counts[size_t(b)]; });
    return order;
}

namespace {

// The blocks of a mixed-dimension table cut from `order` at `block_ends`: rows of each, and the alpha rule's
// weight (p_i / p_0)^alpha, with p the mean count per row of a block (all 1 when the head block has none).
struct BlockWeights {
    std::vector<int64_t> rows;
    std::vector<double> weight;
};

BlockWeights block_weights(const std::vector<int64_t>& counts, const std::vector<int32_t>& order,
                           const std::vector<int64_t>& block_ends, double alpha) {
    std::vector<int64_t> ends = block_ends;
    ends.push_back(static_cast<int64_t>(order.size()));
    BlockWeights out;
    double p0 = 0;
    int64_t begin = 0;
    for (int64_t end : ends) {
        double sum = 0;
        for (int64_t i = begin; i < end; ++i) sum += double(counts[size_t(order[size_t(i)])]);
        const double p = sum / double(end - begin);
        if (out.rows.empty()) p0 = p;
        out.weight.push_back(p0 > 0 ? std::pow(p / p0, alpha) : 1.0);
        out.rows.push_back(end - begin);
        begin = end;
    }
    return out;
}

// round(lambda * weight) per block, clipped to [1, dim].
std::vector<int> scaled_dims(const std::vector<double>& weight, double lambda, int dim) {
    std::vector<int> d;
    for (double w : weight) d.push_back(std::clamp(static_cast<int>(std::lround(lambda * w)), 1, dim));
    return d;
}

}  // namespace

std::vector<int> MixedDimensionEmbedding::alpha_dims(const std::vector<int64_t>& counts,
                                                     const std::vector<int32_t>& order,
                                                     const std::vector<int64_t>& block_ends, int dim, double alpha) {
    // The head block's weight is 1, so it gets exactly `dim`.
    return scaled_dims(block_weights(counts, order, block_ends, alpha).weight, double(dim), dim);
}

std::vector<ParamSpec> MixedDimensionEmbedding::param_specs(const std::vector<int64_t>& block_rows,
                                                            const std::vector<int>& dims, int dim, bool projection_bias,
                                                            const std::string& prefix) {
    std::vector<ParamSpec> specs;
    for (size_t b = 0; b < dims.size(); ++b) {
        const std::string name = prefix + ".block" + std::to_string(b);
        const int block = static_cast<int>(b);
        // + 1 row: the out-of-vocabulary row 0
        specs.push_back({name, block_rows[b] + 1, dims[b], Access::Rows, Init::Uniform, Role::Embedding, Side::User,
                         block});
        if (dims[b] == dim) continue;
        specs.push_back({name + ".projection", dims[b], dim, Access::Whole, Init::Glorot, Role::Projection, Side::User,
                         block});
        if (projection_bias)
            specs.push_back(
                {name + ".bias", 1, dim, Access::Whole, Init::Zero, Role::ProjectionBias, Side::User, block});
    }
    return specs;
}

std::vector<int64_t> MixedDimensionEmbedding::block_rows(const std::vector<int64_t>& block_ends, int64_t rows) {
    std::vector<int64_t> out;
    int64_t begin = 0;
    for (int64_t end : block_ends) {
        out.push_back(end - begin);
        begin = end;
    }
    out.push_back(rows - begin);
    return out;
}

std::vector<int> MixedDimensionEmbedding::budget_dims(const std::vector<int64_t>& counts,
                                                      const std::vector<int32_t>& order,
                                                      const std::vector<int64_t>& block_ends, int dim, double alpha,
                                                      bool projection_bias, int64_t budget) {
    const BlockWeights blocks = block_weights(counts, order, block_ends, alpha);
    const std::vector<int64_t>& rows = blocks.rows;
    const std::vector<double>& weight = blocks.weight;
    auto dims_at = [&](double lambda) { return scaled_dims(weight, lambda, dim); };
    // The dims change only where lambda * w_b crosses a rounding point d - 0.5: try every such lambda (just
    // past the point) and keep the largest that fits. The count is not monotonic in lambda (a block
    // reaching `dim` drops its projection), hence the full scan rather than a bisection.
    std::vector<double> candidates;
    for (double w : weight)
        for (int d = 1; d <= dim; ++d) candidates.push_back(w > 0 ? (double(d) - 0.5) / w * (1 + 1e-12) : 0.0);
    std::vector<int> best = dims_at(0.0);
    auto count = [&](const std::vector<int>& d) {
        return memrec::parameter_count(param_specs(rows, d, dim, projection_bias, ""));
    };
    const int64_t smallest = count(best);
    if (smallest > budget)
        throw ConfigError("a parameter budget of " + std::to_string(budget) +
                          " is below the smallest mixed-dimension table of these blocks (" + std::to_string(smallest) +
                          " parameters, every block 1-dim)");
    double best_lambda = 0;
    for (double lambda : candidates) {
        if (lambda <= best_lambda) continue;
        std::vector<int> d = dims_at(lambda);
        if (count(d) <= budget) {
            best = std::move(d);
            best_lambda = lambda;
        }
    }
    return best;
}

MixedDimensionEmbedding::MixedDimensionEmbedding(int64_t rows, int dim, std::vector<int32_t> order,
                                                 std::vector<int64_t> block_ends, std::vector<int> block_dims,
                                                 bool projection_bias, const std::string& prefix)
    : EmbeddingTable(rows, dim),
      order_(std::move(order)),
      ends_(std::move(block_ends)),
      dims_(std::move(block_dims)),
      projection_bias_(projection_bias) {
    if (static_cast<int64_t>(order_.size()) != rows) throw ConfigError("mixed-dimension order must list every id");
    if (dims_.size() != ends_.size() + 1) throw ConfigError("mixed-dimension needs one dim per block");
    if (dims_.size() > 255) throw ConfigError("mixed-dimension supports at most 255 blocks");
    block_.assign(size_t(rows), 0);
    local_.assign(size_t(rows), -1);
    std::vector<int64_t> ends = ends_;
    ends.push_back(rows);
    int64_t begin = 0;
    for (size_t b = 0; b < dims_.size(); ++b) {
        const int64_t end = ends[b];
        for (int64_t pos = begin; pos < end; ++pos) {
            const int32_t id = order_[size_t(pos)];
            if (id < 0 || id >= rows || local_[size_t(id)] != -1)
                throw ConfigError("mixed-dimension order is not a permutation of the ids");
            block_[size_t(id)] = static_cast<uint8_t>(b);
            local_[size_t(id)] = static_cast<int32_t>(pos - begin + 1);  // row 0: out-of-vocabulary
        }
        begin = end;
    }
    blocks_.resize(dims_.size());
    for (const ParamSpec& s : param_specs(block_rows(ends_, rows), dims_, dim, projection_bias_, prefix)) {
        Block& blk = blocks_[size_t(s.block)];
        (s.role == Role::Embedding ? blk.table : s.role == Role::Projection ? blk.projection : blk.bias) =
            static_cast<int>(params_.size());
        params_.emplace_back(s);
    }
}

namespace {

// Per-thread work space of the batched projections: a block's rows gathered into contiguous matrices.
// Thread-local because lookups run concurrently (parallel evaluation, the trainer's two sides) on a const
// table; reused so a batch allocates nothing once the buffers have grown.
struct BlockScratch {
    std::vector<std::vector<int32_t>> positions;  // per block: the batch positions of its ids, in batch order
    AlignedVector<float> X, Y;
    // Per block: the rows' gradients G P^T. One buffer per block, because a row used once in the batch is
    // stepped from here (ParamGrad::add_row), after the whole backward pass.
    std::vector<AlignedVector<float>> GX;
};

// A row copy of `floats` floats, inline in 64-byte pieces when `floats` is a multiple of kRowFloats (table
// rows and batch vectors always are): a batch makes hundreds of these short copies, and the C library's
// memcpy behind a call cost more than the copying (profile of memeff's epoch).
inline void copy_row(float* dst, const float* src, int64_t floats) {
    if (floats % kRowFloats != 0) {
        std::memcpy(dst, src, sizeof(float) * size_t(floats));
        return;
    }
    for (int64_t c = 0; c < floats; c += kRowFloats) std::memcpy(dst + c, src + c, sizeof(float) * kRowFloats);
}

BlockScratch& scratch(size_t blocks, const int32_t* ids, int64_t n, const std::vector<uint8_t>& block_of) {
    thread_local BlockScratch w;
    if (w.positions.size() < blocks) w.positions.resize(blocks);
    if (w.GX.size() < blocks) w.GX.resize(blocks);
    for (size_t b = 0; b < blocks; ++b) w.positions[b].clear();
    for (int64_t i = 0; i < n; ++i) w.positions[block_of[size_t(ids[i])]].push_back(static_cast<int32_t>(i));
    return w;
}

}  // namespace

// The rows as lookup_rows() finds them (a projected block's rows all at once: kernels::project_batch, one
// GEMM natively), each then copied into batch order.
void MixedDimensionEmbedding::lookup(const int32_t* ids, int64_t n, float* out) const {
    const int s = stride();
    thread_local AlignedVector<float> products;
    thread_local std::vector<const float*> rows;
    if (products.size() < size_t(n * s)) products.resize(size_t(n * s));
    if (rows.size() < size_t(n)) rows.resize(size_t(n));
    lookup_rows(ids, n, products.data(), rows.data());
    for (int64_t i = 0; i < n; ++i) copy_row(out + i * s, rows[size_t(i)], s);
}

// A block at the base dim is read in place; a block with a projection is computed for all its rows of the
// batch at once (gathered in batch order), its products left where the GEMM wrote them, one block after the
// other in `vec`. The block schedule reads them there (copied into batch order, as lookup() does, the
// copies held about 3% of memeff's 2-thread epoch).
void MixedDimensionEmbedding::lookup_rows(const int32_t* ids, int64_t n, float* vec,
                                          const float** rows) const {
    const int s = stride();
    BlockScratch& w = scratch(blocks_.size(), ids, n, block_);
    float* next = vec;  // where the next projected block's products go
    for (size_t b = 0; b < blocks_.size(); ++b) {
        const std::vector<int32_t>& pos = w.positions[b];
        if (pos.empty()) continue;
        const Block& blk = blocks_[b];
        const Param& t = params_[size_t(blk.table)];
        if (blk.projection < 0) {
            for (int32_t i : pos) rows[i] = t.row(local_[size_t(ids[i])]);
            continue;
        }
        const int k = t.cols;
        const int64_t m = static_cast<int64_t>(pos.size());
        if (w.X.size() < size_t(m * k)) w.X.resize(size_t(m * k));
        for (int64_t r = 0; r < m; ++r)
            copy_row(w.X.data() + r * k, t.row(local_[size_t(ids[pos[size_t(r)]])]), k);
        const Param& P = params_[size_t(blk.projection)];
        const float* bias = blk.bias >= 0 ? params_[size_t(blk.bias)].row(0) : nullptr;
        kernels::project_batch(w.X.data(), m, k, P.row(0), P.stride, bias, next);
        for (int64_t r = 0; r < m; ++r) rows[pos[size_t(r)]] = next + r * s;
        next += m * s;
    }
}

// The projection's gradient is a sum over the block's rows of the batch (X^T G), computed as one product;
// the rows' own gradients (G P^T) are added to their table rows in batch order. A row used once in the
// batch keeps its gradient where it was computed (grad_out for a block at the base dim, the block's GX
// otherwise) when the consumer allows it (ParamGrad::add_row): no accumulation row to add, read and zero.
void MixedDimensionEmbedding::backward(const int32_t* ids, int64_t n, const float* grad_out,
                                       ParamGrad* grads) const {
    backward_rows(ids, n, grad_out, nullptr, nullptr, nullptr, grads);
}

void MixedDimensionEmbedding::backward_product(const int32_t* ids, int64_t n, const float* dz,
                                               const float* const* other, float* G, ParamGrad* grads) const {
    backward_rows(ids, n, nullptr, dz, other, G, grads);
}

void MixedDimensionEmbedding::backward_rows(const int32_t* ids, int64_t n, const float* grad_out,
                                            const float* dz, const float* const* other, float* G,
                                            ParamGrad* grads) const {
    const int s = stride();
    // Row i's gradient where it stays (a base-dim block's, which add_row may keep direct).
    auto gradient_row = [&](int32_t i) -> const float* {
        if (grad_out) return grad_out + int64_t(i) * s;
        float* g = G + int64_t(i) * s;
        form_gradient(dz[i], other[i], g, s);
        return g;
    };
    BlockScratch& w = scratch(blocks_.size(), ids, n, block_);
    for (size_t b = 0; b < blocks_.size(); ++b) {
        const std::vector<int32_t>& pos = w.positions[b];
        if (pos.empty()) continue;
        const Block& blk = blocks_[b];
        const Param& t = params_[size_t(blk.table)];
        ParamGrad& gt = grads[blk.table];
        if (blk.projection < 0) {
            for (int32_t i : pos) gt.add_row(local_[size_t(ids[i])], gradient_row(i));
            continue;
        }
        const int k = t.cols;
        const int64_t m = static_cast<int64_t>(pos.size());
        if (w.X.size() < size_t(m * k)) w.X.resize(size_t(m * k));
        AlignedVector<float>& GX = w.GX[b];
        if (GX.size() < size_t(m * k)) GX.resize(size_t(m * k));
        if (w.Y.size() < size_t(m * s)) w.Y.resize(size_t(m * s));
        for (int64_t r = 0; r < m; ++r) {
            const int32_t i = pos[size_t(r)];
            copy_row(w.X.data() + r * k, t.row(local_[size_t(ids[i])]), k);
            if (grad_out)
                copy_row(w.Y.data() + r * s, grad_out + int64_t(i) * s, s);
            else
                form_gradient(dz[i], other[i], w.Y.data() + r * s, s);
        }
        const Param& P = params_[size_t(blk.projection)];
        float* gbias = blk.bias >= 0 ? grads[blk.bias].data.data() : nullptr;
        kernels::project_batch_backward(w.X.data(), m, k, P.row(0), P.stride, w.Y.data(), GX.data(),
                                        grads[blk.projection].data.data(), gbias);
        for (int64_t r = 0; r < m; ++r) {
            const int32_t row = local_[size_t(ids[pos[size_t(r)]])];
            const float* gx = GX.data() + r * k;
            if (k == t.stride) {  // GX rows are table rows as laid out (k a multiple of kRowFloats)
                gt.add_row(row, gx);
                continue;
            }
            float* g = gt.row(row);
            for (int c = 0; c < k; ++c) g[c] += gx[c];
        }
    }
}

TableConfig MixedDimensionEmbedding::config() const {
    TableConfig c = base_config();
    c.block_ends = ends_;
    c.block_dims = dims_;
    c.projection_bias = projection_bias_;
    return c;
}

std::vector<ComponentInfo> MixedDimensionEmbedding::components() const {
    auto out = EmbeddingTable::components();
    // Name the id range each block covers, so a summary reads like the reference's block table.
    std::vector<int64_t> ends = ends_;
    ends.push_back(rows_);
    int64_t begin = 0;
    for (size_t b = 0; b < blocks_.size(); ++b) {
        auto& c = out[size_t(blocks_[b].table)];
        c.shape += "  (ids by frequency " + std::to_string(begin) + ".." + std::to_string(ends[b] - 1) +
                   " + 1 out-of-vocabulary row)";
        begin = ends[b];
    }
    return out;
}

std::vector<std::vector<int32_t>> MixedDimensionEmbedding::rows_by_rank(
    const std::vector<int32_t>& rank) const {
    if (static_cast<int64_t>(rank.size()) != rows_)
        throw ConfigError("mixed-dimension rows_by_rank needs a rank per id");
    std::vector<std::vector<int32_t>> ids(blocks_.size());
    for (int32_t id = 0; id < rows_; ++id) ids[block_[size_t(id)]].push_back(id);
    std::vector<std::vector<int32_t>> moves(blocks_.size());
    for (size_t b = 0; b < blocks_.size(); ++b) {
        std::vector<int32_t>& in_block = ids[b];
        std::sort(in_block.begin(), in_block.end(),
                  [&](int32_t x, int32_t y) { return rank[size_t(x)] < rank[size_t(y)]; });
        moves[b].assign(in_block.size() + 1, 0);  // row 0, out of vocabulary, stays
        for (size_t k = 0; k < in_block.size(); ++k)
            moves[b][size_t(local_[size_t(in_block[k])])] = static_cast<int32_t>(k + 1);
    }
    return moves;
}

void MixedDimensionEmbedding::renumber_rows(const std::vector<std::vector<int32_t>>& row_moves) noexcept {
    for (size_t id = 0; id < local_.size(); ++id) local_[id] = row_moves[block_[id]][size_t(local_[id])];
}

void MixedDimensionEmbedding::mark_rows(const int32_t* ids, int64_t n, ParamGrad* grads) const {
    for (int64_t i = 0; i < n; ++i)
        grads[blocks_[block_[size_t(ids[i])]].table].mark_once(local_[size_t(ids[i])]);
}
}  // namespace memrec
