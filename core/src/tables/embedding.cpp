// What all tables share: names of kinds, config validation, initialisation, the summary and the factory.
#include <algorithm>
#include <cmath>

#include "memrec/embedding.h"
#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/full_embedding.h"
#include "memrec/hashed_embedding.h"
#include "memrec/md_embedding.h"
#include "memrec/qr_embedding.h"

namespace memrec {

const char* to_string(TableKind kind) { return enum_entry(kTableKinds, kind).name; }
const char* to_string(Combiner combiner) { return enum_entry(kCombiners, combiner).name; }

TableKind parse_table_kind(const std::string& s) {
    if (const auto* e = enum_by_name(kTableKinds, s)) return e->value;
    throw ConfigError("unknown table kind '" + s + "' (expected " + enum_list(kTableKinds, false) + ")");
}

Combiner parse_combiner(const std::string& s) {
    if (const auto* e = enum_by_name(kCombiners, s)) return e->value;
    throw ConfigError("unknown combiner '" + s + "' (expected " + enum_list(kCombiners, false) + ")");
}

void TableConfig::validate(int64_t rows) const {
    // A full table may be empty: the user table of a model whose file stores the item side only.
    if (rows < 0 || (rows == 0 && kind != TableKind::Full)) throw ConfigError("a table needs at least one row");
    if (dim < 1 || dim > 4096) throw ConfigError("dim must be in 1..4096, got " + std::to_string(dim));
    if ((kind == TableKind::QuotientRemainder || kind == TableKind::Hashed) && buckets < 0)
        throw ConfigError("buckets must be positive, got " + std::to_string(buckets));
    if (kind == TableKind::Hashed && buckets == 0) throw ConfigError("a hashed table needs --buckets");
    if (kind == TableKind::QuotientRemainder && combiner == Combiner::Concat && dim < 2)
        throw ConfigError("the concat combiner needs dim >= 2");
    if (kind == TableKind::MixedDimension) {
        int64_t prev = 0;
        for (int64_t e : block_ends) {
            if (e <= prev || e >= rows)
                throw ConfigError("mixed-dimension block ends must increase strictly within 1.." +
                                  std::to_string(rows - 1) + ", got " + std::to_string(e));
            prev = e;
        }
        if (!block_dims.empty() && block_dims.size() != block_ends.size() + 1)
            throw ConfigError("mixed-dimension needs one dim per block: " + std::to_string(block_ends.size() + 1) +
                              " blocks, " + std::to_string(block_dims.size()) + " dims");
        for (int d : block_dims)
            if (d < 1 || d > dim)
                throw ConfigError("mixed-dimension block dims must be in 1.." + std::to_string(dim) + ", got " +
                                  std::to_string(d));
        if (block_dims.empty() && !(alpha >= 0.0 && alpha <= 1.0))
            throw ConfigError("alpha must be in [0, 1], got " + std::to_string(alpha));
        if (param_budget < 0) throw ConfigError("a parameter budget must be positive, got " + std::to_string(param_budget));
        if (param_budget > 0 && !block_dims.empty())
            throw ConfigError("a parameter budget sizes the blocks by the alpha rule: give block dims or a budget, not both");
    }
}

void EmbeddingTable::lookup_rows(const int32_t* ids, int64_t n, float* vec, const float** rows) const {
    lookup(ids, n, vec);
    const int s = stride();
    for (int64_t i = 0; i < n; ++i) rows[i] = vec + i * s;
}

void EmbeddingTable::backward_product(const int32_t* ids, int64_t n, const float* dz,
                                      const float* const* other, float* G, ParamGrad* grads) const {
    const int s = stride();
    for (int64_t i = 0; i < n; ++i) form_gradient(dz[i], other[i], G + i * s, s);
    backward(ids, n, G, grads);
}

int64_t EmbeddingTable::parameter_count() const {
    int64_t n = 0;
    for (const auto& p : params_) n += p.count();
    return n;
}

std::vector<ComponentInfo> EmbeddingTable::components() const {
    std::vector<ComponentInfo> out;
    for (const auto& p : params_)
        out.push_back({p.name, std::to_string(p.rows) + " x " + std::to_string(p.cols), p.count(), p.count() * 4});
    return out;
}

void EmbeddingTable::initialize(Rng& rng) {
    for (auto& p : params_) {
        const float limit = p.init == Init::Glorot ? static_cast<float>(std::sqrt(6.0 / double(p.rows + p.cols)))
                                                   : 0.05f;
        for (int64_t r = 0; r < p.rows; ++r) {
            float* row = p.row(r);
            for (int c = 0; c < p.cols; ++c) row[c] = p.init == Init::Zero ? 0.0f : rng.uniform(-limit, limit);
        }
    }
}

int64_t qr_buckets(const TableConfig& config, int64_t rows) {
    return config.buckets > 0 ? config.buckets : std::max<int64_t>(1, rows / 50);
}

std::vector<ParamSpec> table_param_specs(const TableConfig& c, int64_t rows, const std::string& prefix) {
    switch (c.kind) {
        case TableKind::Full: return FullEmbedding::param_specs(rows, c.dim, prefix);
        case TableKind::QuotientRemainder:
            return QuotientRemainderEmbedding::param_specs(rows, c.dim, qr_buckets(c, rows), c.combiner, prefix);
        case TableKind::Hashed: return HashedEmbedding::param_specs(c.dim, c.buckets, prefix);
        case TableKind::MixedDimension:
            if (c.block_dims.size() != c.block_ends.size() + 1)
                throw ConfigError("mixed-dimension shapes need one dim per block");
            return MixedDimensionEmbedding::param_specs(MixedDimensionEmbedding::block_rows(c.block_ends, rows),
                                                        c.block_dims, c.dim, c.projection_bias, prefix);
    }
    throw ConfigError("unknown table kind");
}

std::unique_ptr<EmbeddingTable> make_fixed_shape_table(const TableConfig& config, int64_t rows,
                                                       const std::string& prefix) {
    config.validate(rows);
    switch (config.kind) {
        case TableKind::Full: return std::make_unique<FullEmbedding>(rows, config.dim, prefix);
        case TableKind::QuotientRemainder:
            return std::make_unique<QuotientRemainderEmbedding>(rows, config.dim, qr_buckets(config, rows),
                                                                config.combiner, prefix);
        case TableKind::Hashed: return std::make_unique<HashedEmbedding>(rows, config.dim, config.buckets, prefix);
        case TableKind::MixedDimension:
            throw ConfigError("a mixed-dimension table is built from its ids' counts (make_table) or a stored order");
    }
    throw ConfigError("unknown table kind");
}

std::unique_ptr<EmbeddingTable> make_table(const TableConfig& config, int64_t rows, const std::string& prefix,
                                           const std::vector<int64_t>& counts) {
    if (config.kind != TableKind::MixedDimension) return make_fixed_shape_table(config, rows, prefix);
    config.validate(rows);
    if (!counts.empty() && static_cast<int64_t>(counts.size()) != rows)
        throw ConfigError("mixed-dimension needs one count per id");
    std::vector<int64_t> c = counts.empty() ? std::vector<int64_t>(static_cast<size_t>(rows), 0) : counts;
    auto order = MixedDimensionEmbedding::frequency_order(c);
    auto dims = !config.block_dims.empty() ? config.block_dims
                : config.param_budget > 0
                    ? MixedDimensionEmbedding::budget_dims(c, order, config.block_ends, config.dim, config.alpha,
                                                           config.projection_bias, config.param_budget)
                    : MixedDimensionEmbedding::alpha_dims(c, order, config.block_ends, config.dim, config.alpha);
    return std::make_unique<MixedDimensionEmbedding>(rows, config.dim, std::move(order), config.block_ends,
                                                     std::move(dims), config.projection_bias, prefix);
}

}  // namespace memrec
