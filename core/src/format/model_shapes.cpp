// The parameter shapes a model file's config implies, computed without building anything: the loader
// checks the stored tables against them before it allocates.
#include <algorithm>

#include "model_sections.h"

namespace memrec::detail {

namespace {

std::vector<int64_t> block_sizes(const TableConfig& c, int64_t rows) {
    std::vector<int64_t> ends = c.block_ends, sizes;
    ends.push_back(rows);
    int64_t begin = 0;
    for (int64_t e : ends) {
        sizes.push_back(e - begin);
        begin = e;
    }
    return sizes;
}

// Mirrors the table constructors (*_embedding.h); parse_model checks the built model against it again.
void add_table_shapes(const TableConfig& c, int64_t rows, const std::string& prefix, std::vector<Shape>& out) {
    switch (c.kind) {
        case TableKind::Full: out.push_back({prefix + ".embedding", rows, c.dim}); break;
        case TableKind::QuotientRemainder: {
            const int qdim = c.combiner == Combiner::Concat ? (c.dim + 1) / 2 : c.dim;
            const int rdim = c.combiner == Combiner::Concat ? c.dim - qdim : c.dim;
            out.push_back({prefix + ".quotient", std::max(c.buckets, (rows + c.buckets - 1) / c.buckets), qdim});
            out.push_back({prefix + ".remainder", c.buckets, rdim});
            break;
        }
        case TableKind::Hashed: out.push_back({prefix + ".hashed", c.buckets, c.dim}); break;
        case TableKind::MixedDimension: {
            const auto sizes = block_sizes(c, rows);
            for (size_t b = 0; b < sizes.size(); ++b) {
                const std::string name = prefix + ".block" + std::to_string(b);
                out.push_back({name, sizes[b] + 1, c.block_dims[b]});
                if (c.block_dims[b] != c.dim) {
                    out.push_back({name + ".projection", c.block_dims[b], c.dim});
                    if (c.projection_bias) out.push_back({name + ".bias", 1, c.dim});
                }
            }
            break;
        }
    }
}

}  // namespace

std::string shape_str(int64_t rows, int64_t cols) { return std::to_string(rows) + " x " + std::to_string(cols); }

std::vector<Shape> config_shapes(const ConfigSection& c) {
    std::vector<Shape> shapes;
    add_table_shapes(c.user.config, c.users, "user", shapes);
    add_table_shapes(c.item.config, c.items, "item", shapes);
    if (c.bias_flags & 1) shapes.push_back({"bias.global", 1, 1});
    if (c.bias_flags & 2) shapes.push_back({"bias.user", c.users, 1});
    if (c.bias_flags & 4) shapes.push_back({"bias.item", c.items, 1});
    return shapes;
}

}  // namespace memrec::detail
