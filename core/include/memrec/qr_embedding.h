#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memrec/embedding.h"
#include "memrec/id_divider.h"

namespace memrec {

// Quotient-remainder embedding (Shi et al.): id i uses quotient row i / buckets and remainder row
// i % buckets, combined element-wise (mult, add) or side by side (concat). Each id gets a distinct pair.
class QuotientRemainderEmbedding final : public EmbeddingTable {
public:
    QuotientRemainderEmbedding(int64_t rows, int dim, int64_t buckets, Combiner combiner,
                               const std::string& prefix);
    TableKind kind() const override { return TableKind::QuotientRemainder; }
    void lookup(const int32_t* ids, int64_t n, float* out) const override;
    void backward(const int32_t* ids, int64_t n, const float* grad_out, ParamGrad* grads) const override;
#if !defined(__EMSCRIPTEN__)
    // With the Mult combiner, each example's gradient d other is formed and taken into both rows' gradients
    // in one pass (kernels::qr_mult_backward), never stored in G; the other combiners as by default. Native
    // only: the browser never trains, and a virtual function stays in the .wasm whether called or not (the
    // default gives the same bits).
    void backward_product(const int32_t* ids, int64_t n, const float* dz, const float* const* other, float* G,
                          ParamGrad* grads) const override;
#endif
    void mark_rows(const int32_t* ids, int64_t n, ParamGrad* grads) const override;
    bool backward_marks_rows() const override { return true; }
    TableConfig config() const override;

    int64_t buckets() const { return buckets_; }
    Combiner combiner() const { return combiner_; }
    int64_t quotient(int32_t id) const { return divide_.quotient(id); }
    int64_t remainder(int32_t id) const { return divide_.remainder(id); }

    // The quotient table (params()[0]) and the remainder table (params()[1]): both `dim` wide, or `dim`
    // split in halves for concat.
    static std::vector<ParamSpec> param_specs(int64_t rows, int dim, int64_t buckets, Combiner combiner,
                                              const std::string& prefix);

private:
    int64_t buckets_;
    IdDivider divide_;
    Combiner combiner_;
    int qdim_, rdim_;  // concat: the widths of the two halves; otherwise both dim
};

}  // namespace memrec
