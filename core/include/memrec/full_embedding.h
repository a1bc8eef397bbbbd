#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memrec/embedding.h"

namespace memrec {

// One row per id, as Keras' Embedding.
class FullEmbedding final : public EmbeddingTable {
public:
    FullEmbedding(int64_t rows, int dim, const std::string& prefix);
    TableKind kind() const override { return TableKind::Full; }
    void lookup(const int32_t* ids, int64_t n, float* out) const override;
    void lookup_rows(const int32_t* ids, int64_t n, float* vec, const float** rows) const override;
    void backward(const int32_t* ids, int64_t n, const float* grad_out, ParamGrad* grads) const override;
    void mark_rows(const int32_t* ids, int64_t n, ParamGrad* grads) const override;
    TableConfig config() const override;

    static std::vector<ParamSpec> param_specs(int64_t rows, int dim, const std::string& prefix);
};

}  // namespace memrec
