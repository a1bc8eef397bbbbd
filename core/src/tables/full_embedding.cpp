#include <cstring>

#include "memrec/full_embedding.h"
#include "memrec/kernels.h"

namespace memrec {

std::vector<ParamSpec> FullEmbedding::param_specs(int64_t rows, int dim, const std::string& prefix) {
    return {{prefix + ".embedding", rows, dim, Access::Rows, Init::Uniform, Role::Embedding}};
}

FullEmbedding::FullEmbedding(int64_t rows, int dim, const std::string& prefix) : EmbeddingTable(rows, dim) {
    for (const ParamSpec& s : param_specs(rows, dim, prefix)) params_.emplace_back(s);
}

void FullEmbedding::lookup(const int32_t* ids, int64_t n, float* out) const {
    const Param& t = params_[0];
    for (int64_t i = 0; i < n; ++i) std::memcpy(out + i * t.stride, t.row(ids[i]), sizeof(float) * t.stride);
}

// The table's own rows, read in place.
void FullEmbedding::lookup_rows(const int32_t* ids, int64_t n, float*, const float** rows) const {
    const Param& t = params_[0];
    for (int64_t i = 0; i < n; ++i) rows[i] = t.row(ids[i]);
}

void FullEmbedding::backward(const int32_t* ids, int64_t n, const float* grad_out, ParamGrad* grads) const {
    const int s = stride();
    // Rows used once in the batch may stay where grad_out holds them (ParamGrad::add_row).
    for (int64_t i = 0; i < n; ++i) grads[0].add_row(ids[i], grad_out + i * s);
}

TableConfig FullEmbedding::config() const { return base_config(); }

void FullEmbedding::mark_rows(const int32_t* ids, int64_t n, ParamGrad* grads) const {
    for (int64_t i = 0; i < n; ++i) grads[0].mark_once(ids[i]);
}
}  // namespace memrec
