// EmbeddingTable: the one interface through which the model sees its user and item tables, whatever
// stores them: a full table, a quotient-remainder pair, mixed-dimension blocks with projections, or a
// hashed table. Tables map an id (a dense index 0..rows()-1) to a dim()-wide vector and back-propagate a
// gradient on that vector into their parameters.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "memrec/param.h"
#include "memrec/rng.h"

namespace memrec {

enum class TableKind { Full, QuotientRemainder, MixedDimension, Hashed };
enum class Combiner { Mult, Add, Concat };

const char* to_string(TableKind kind);
const char* to_string(Combiner combiner);
TableKind parse_table_kind(const std::string& s);  // "full", "qr", "md", "hash"; throws ConfigError
Combiner parse_combiner(const std::string& s);     // "mult", "add", "concat"; throws ConfigError

// How to build one table. Fields irrelevant to `kind` are ignored.
struct TableConfig {
    TableKind kind = TableKind::Full;
    int dim = 64;  // output width (the "base" dim)

    // QuotientRemainder: `buckets` remainder rows (0 = rows / 50, the reference's ratio); the quotient
    // table has max(buckets, ceil(rows / buckets)) rows as in the reference. Concat splits dim in halves.
    // Hashed: `buckets` rows shared by hashing the id.
    int64_t buckets = 0;
    Combiner combiner = Combiner::Mult;

    // MixedDimension: ids sorted by decreasing frequency and cut at `block_ends` (exclusive ends of all
    // but the last block, e.g. {400, 1700}); per-block dims in `block_dims`, or from the alpha-power rule
    // d_i = dim * (p_i / p_0)^alpha (p = mean access probability of a block's rows) when block_dims is
    // empty. Each block has one extra out-of-vocabulary row and, unless its dim equals `dim`, a projection
    // up to `dim` (with a bias if projection_bias).
    std::vector<int64_t> block_ends;
    std::vector<int> block_dims;
    double alpha = 0.3;
    bool projection_bias = true;
    // MixedDimension with the alpha rule: when > 0, the table's parameter budget. Dims become
    // d_i = round(lambda * (p_i / p_0)^alpha) clipped to [1, dim], with the largest lambda whose table
    // (blocks, projections and their biases) has at most this many parameters; the head block may then be
    // narrower than `dim` too.
    int64_t param_budget = 0;

    void validate(int64_t rows) const;  // throws ConfigError naming the bad value
};

// One line of a model summary: a parameter matrix or a derived view of it.
struct ComponentInfo {
    std::string name;   // "user.quotient"
    std::string shape;  // "120 x 64"
    int64_t parameters = 0;
    int64_t bytes = 0;  // at 4 bytes per float parameter
};

// One example's gradient of an embedding under the model's dot product: g = d other (the one place this
// product is formed, so every table kind and Model::backward round it alike).
inline void form_gradient(float d, const float* __restrict other, float* __restrict g, int stride) {
    for (int c = 0; c < stride; ++c) g[c] = d * other[c];
}

class EmbeddingTable {
public:
    virtual ~EmbeddingTable() = default;

    virtual TableKind kind() const = 0;
    int64_t rows() const { return rows_; }
    int dim() const { return dim_; }
    // Floats between consecutive vectors in lookup()/backward() buffers: dim padded to kRowFloats.
    int stride() const { return padded_cols(dim_); }

    // out[i * stride() .. + dim()) = embedding of ids[i]; padding lanes are written as zero.
    virtual void lookup(const int32_t* ids, int64_t n, float* out) const = 0;
    // The embeddings of ids as rows[i] (stride() floats each), for a caller that reads them before any of the
    // table's parameters change (the block schedule, whose threads step only their own rows): a table may
    // point at its own rows, or fill `vec` (n x stride()) in an order of its own. By default lookup() into
    // vec in batch order.
    virtual void lookup_rows(const int32_t* ids, int64_t n, float* vec, const float** rows) const;
    // Adds to `grads` (one per params() entry) the gradient given d loss / d embedding for each id.
    virtual void backward(const int32_t* ids, int64_t n, const float* grad_out, ParamGrad* grads) const = 0;
    // backward() for the model's dot product: d loss / d embedding of ids[i] is dz[i] other[i] (the other
    // side's vector, stride() floats). `G` has room for n x stride() floats, where a row may be formed and
    // kept (ParamGrad::direct rows may point into it until the step, as into backward()'s grad_out). By
    // default every row is formed in G in batch order and backward() called; a table may form a row where
    // it uses it instead. The same arithmetic either way.
    virtual void backward_product(const int32_t* ids, int64_t n, const float* dz, const float* const* other,
                                  float* G, ParamGrad* grads) const;
    // Marks in `grads` every row that lookup(ids) reads (and backward would touch), without computing:
    // a deferred optimiser brings those rows up to date before the forward pass.
    virtual void mark_rows(const int32_t* ids, int64_t n, ParamGrad* grads) const = 0;
    // Whether backward() marks the rows it touches just as mark_rows() does (ParamGrad::row, the same rows
    // in the same order), so that an optimiser stepping after the backward pass may skip mark_rows().
    virtual bool backward_marks_rows() const { return false; }

    std::vector<Param>& params() { return params_; }
    const std::vector<Param>& params() const { return params_; }
    int64_t parameter_count() const;
    virtual std::vector<ComponentInfo> components() const;

    // Keras initialisation: embedding rows uniform(-0.05, 0.05), projections Glorot-uniform, biases zero.
    virtual void initialize(Rng& rng);

    // The configuration that rebuilds this table's shape (for model files).
    virtual TableConfig config() const = 0;

protected:
    EmbeddingTable(int64_t rows, int dim) : rows_(rows), dim_(dim) {}
    // The fields every kind's config() shares: its kind and dim.
    TableConfig base_config() const {
        TableConfig c;
        c.kind = kind();
        c.dim = dim_;
        return c;
    }
    int64_t rows_;
    int dim_;
    std::vector<Param> params_;
};

// Remainder rows of a quotient-remainder table: `buckets`, or the reference's rows / 50 when that is 0.
int64_t qr_buckets(const TableConfig& config, int64_t rows);

// The parameters a table of this configuration has, in params() order, without building it: the kind's
// own param_specs(). A mixed-dimension config must carry its block dims, as a built table's config() does.
std::vector<ParamSpec> table_param_specs(const TableConfig& config, int64_t rows, const std::string& prefix);

// Builds a table for `rows` ids. `prefix` names its params ("user", "item"). `counts` (ratings per id) is
// needed by MixedDimension to order ids by frequency and by the alpha rule; others ignore it.
std::unique_ptr<EmbeddingTable> make_table(const TableConfig& config, int64_t rows, const std::string& prefix,
                                           const std::vector<int64_t>& counts = {});

// Builds a table whose shape its config fixes alone: every kind but MixedDimension (whose order and dims
// come from counts; throws ConfigError for it). make_table's path for those kinds; the model loader calls
// it directly, so a load-only build (the browser's) links none of the training-time dim rules.
std::unique_ptr<EmbeddingTable> make_fixed_shape_table(const TableConfig& config, int64_t rows,
                                                       const std::string& prefix);

}  // namespace memrec
