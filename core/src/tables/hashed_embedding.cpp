#include <cstring>

#include "memrec/hashed_embedding.h"
#include "memrec/kernels.h"

namespace memrec {

std::vector<ParamSpec> HashedEmbedding::param_specs(int dim, int64_t buckets, const std::string& prefix) {
    return {{prefix + ".hashed", buckets, dim, Access::Rows, Init::Uniform, Role::Embedding}};
}

HashedEmbedding::HashedEmbedding(int64_t rows, int dim, int64_t buckets, const std::string& prefix)
    : EmbeddingTable(rows, dim), buckets_(buckets) {
    for (const ParamSpec& s : param_specs(dim, buckets, prefix)) params_.emplace_back(s);
}

int64_t HashedEmbedding::bucket(int32_t id) const {
    // A fixed 64-bit mix (splitmix64's finaliser): the same buckets on every platform.
    uint64_t z = static_cast<uint64_t>(id) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<int64_t>((z ^ (z >> 31)) % static_cast<uint64_t>(buckets_));
}

void HashedEmbedding::lookup(const int32_t* ids, int64_t n, float* out) const {
    const Param& t = params_[0];
    for (int64_t i = 0; i < n; ++i) std::memcpy(out + i * t.stride, t.row(bucket(ids[i])), sizeof(float) * t.stride);
}

void HashedEmbedding::backward(const int32_t* ids, int64_t n, const float* grad_out, ParamGrad* grads) const {
    const int s = stride();
    for (int64_t i = 0; i < n; ++i)
        kernels::axpy(1.0f, grad_out + i * s, grads[0].row(static_cast<int32_t>(bucket(ids[i]))), s);
}

TableConfig HashedEmbedding::config() const {
    TableConfig c = base_config();
    c.buckets = buckets_;
    return c;
}

void HashedEmbedding::mark_rows(const int32_t* ids, int64_t n, ParamGrad* grads) const {
    for (int64_t i = 0; i < n; ++i) grads[0].row(static_cast<int32_t>(bucket(ids[i])));
}
}  // namespace memrec
