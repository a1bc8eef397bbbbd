#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memrec/embedding.h"

namespace memrec {

// Hashing trick: `buckets` shared rows, id i uses row hash(i) % buckets. Collisions are not resolved: the
// plain baseline compression that quotient-remainder improves on.
class HashedEmbedding final : public EmbeddingTable {
public:
    HashedEmbedding(int64_t rows, int dim, int64_t buckets, const std::string& prefix);
    TableKind kind() const override { return TableKind::Hashed; }
    void lookup(const int32_t* ids, int64_t n, float* out) const override;
    void backward(const int32_t* ids, int64_t n, const float* grad_out, ParamGrad* grads) const override;
    void mark_rows(const int32_t* ids, int64_t n, ParamGrad* grads) const override;
    bool backward_marks_rows() const override { return true; }
    TableConfig config() const override;
    int64_t bucket(int32_t id) const;

    static std::vector<ParamSpec> param_specs(int dim, int64_t buckets, const std::string& prefix);

private:
    int64_t buckets_;
};

}  // namespace memrec
