#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memrec/embedding.h"

namespace memrec {

// Mixed-dimension embedding (Ginart et al.): ids sorted by decreasing frequency and cut into blocks; block
// b stores its rows at width dims[b] (plus one out-of-vocabulary row 0, as the reference) and projects
// them up to the base dim unless dims[b] already equals it.
class MixedDimensionEmbedding final : public EmbeddingTable {
public:
    // `order` lists every id once, most frequent first; `block_ends` are exclusive positions in `order`.
    MixedDimensionEmbedding(int64_t rows, int dim, std::vector<int32_t> order, std::vector<int64_t> block_ends,
                            std::vector<int> block_dims, bool projection_bias, const std::string& prefix);
    TableKind kind() const override { return TableKind::MixedDimension; }
    void lookup(const int32_t* ids, int64_t n, float* out) const override;
    void lookup_rows(const int32_t* ids, int64_t n, float* vec, const float** rows) const override;
    void backward(const int32_t* ids, int64_t n, const float* grad_out, ParamGrad* grads) const override;
    // A base-dim block's rows formed in G (where they may be kept direct), a projected block's straight into
    // the GEMM's input: no row formed in G only to be copied there.
    void backward_product(const int32_t* ids, int64_t n, const float* dz, const float* const* other, float* G,
                          ParamGrad* grads) const override;
    void mark_rows(const int32_t* ids, int64_t n, ParamGrad* grads) const override;
    TableConfig config() const override;
    std::vector<ComponentInfo> components() const override;

    int blocks() const { return static_cast<int>(dims_.size()); }
    const std::vector<int32_t>& order() const { return order_; }
    const std::vector<int64_t>& block_ends() const { return ends_; }
    const std::vector<int>& block_dims() const { return dims_; }
    int block_of(int32_t id) const { return block_[static_cast<size_t>(id)]; }
    // params() index of block b's rows
    int block_table(int b) const { return blocks_[static_cast<size_t>(b)].table; }

    // The block schedule keeps each thread's rows together (train/block_rows.h). rows_by_rank: per block,
    // the new row of each of its table's rows when the block's ids are ordered by `rank` (one distinct
    // value per id); row 0, the out-of-vocabulary row, stays first. renumber_rows points each id at
    // row_moves[its block][its row]; moving the rows' contents (and their optimiser state) is the caller's.
    std::vector<std::vector<int32_t>> rows_by_rank(const std::vector<int32_t>& rank) const;
    void renumber_rows(const std::vector<std::vector<int32_t>>& row_moves) noexcept;

    // Ids by decreasing count (ties by increasing id): the order the blocks are cut from.
    static std::vector<int32_t> frequency_order(const std::vector<int64_t>& counts);
    // The alpha-power rule: dims[0] = dim, dims[i] = round(dim * (p_i / p_0)^alpha) clipped to [1, dim],
    // with p_i the mean count per row in block i.
    static std::vector<int> alpha_dims(const std::vector<int64_t>& counts, const std::vector<int32_t>& order,
                                       const std::vector<int64_t>& block_ends, int dim, double alpha);
    // The alpha rule under a parameter budget: dims[i] = round(lambda * (p_i / p_0)^alpha) clipped to
    // [1, dim], with the largest lambda whose table has at most `budget` parameters (TableConfig's
    // param_budget). Throws ConfigError if even 1-dim blocks exceed the budget.
    static std::vector<int> budget_dims(const std::vector<int64_t>& counts, const std::vector<int32_t>& order,
                                        const std::vector<int64_t>& block_ends, int dim, double alpha,
                                        bool projection_bias, int64_t budget);
    // The parameters of a table whose blocks hold `block_rows` ids at `dims`: per block its rows (plus the
    // out-of-vocabulary row 0) and, unless its dim is already `dim`, a projection up to `dim` and its bias.
    static std::vector<ParamSpec> param_specs(const std::vector<int64_t>& block_rows, const std::vector<int>& dims,
                                              int dim, bool projection_bias, const std::string& prefix);
    // Rows of each block: the differences of `block_ends` closed by `rows`.
    static std::vector<int64_t> block_rows(const std::vector<int64_t>& block_ends, int64_t rows);

private:
    // backward() and backward_product(): row i's gradient read from grad_out, or, when grad_out is null,
    // formed as dz[i] other[i] (in G + i stride() for a base-dim block).
    void backward_rows(const int32_t* ids, int64_t n, const float* grad_out, const float* dz,
                       const float* const* other, float* G, ParamGrad* grads) const;
    struct Block {
        int table = -1;       // index into params_
        int projection = -1;  // -1 if the block is already at the base dim
        int bias = -1;
    };
    std::vector<int32_t> order_;
    std::vector<int64_t> ends_;
    std::vector<int> dims_;
    bool projection_bias_;
    std::vector<Block> blocks_;
    std::vector<uint8_t> block_;  // block of each id
    std::vector<int32_t> local_;  // row of each id inside its block's table (1-based: row 0 is OOV)
};

}  // namespace memrec
