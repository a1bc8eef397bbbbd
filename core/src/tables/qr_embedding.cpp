#include <algorithm>
#include <cstring>

#include "memrec/kernels.h"
#include "memrec/qr_embedding.h"

namespace memrec {

std::vector<ParamSpec> QuotientRemainderEmbedding::param_specs(int64_t rows, int dim, int64_t buckets,
                                                               Combiner combiner, const std::string& prefix) {
    const int qdim = combiner == Combiner::Concat ? (dim + 1) / 2 : dim;
    const int rdim = combiner == Combiner::Concat ? dim - qdim : dim;
    // The reference gives the quotient table `buckets` rows although only ceil(rows / buckets) are used;
    // keep that (it fixes the parameter count) but never fewer rows than the ids need.
    const int64_t qrows = std::max(buckets, (rows + buckets - 1) / buckets);
    return {{prefix + ".quotient", qrows, qdim, Access::Rows, Init::Uniform, Role::Embedding},
            {prefix + ".remainder", buckets, rdim, Access::Rows, Init::Uniform, Role::Embedding}};
}

QuotientRemainderEmbedding::QuotientRemainderEmbedding(int64_t rows, int dim, int64_t buckets, Combiner combiner,
                                                       const std::string& prefix)
    : EmbeddingTable(rows, dim), buckets_(buckets), divide_(buckets), combiner_(combiner) {
    for (const ParamSpec& s : param_specs(rows, dim, buckets, combiner, prefix)) params_.emplace_back(s);
    qdim_ = params_[0].cols;
    rdim_ = params_[1].cols;
}

void QuotientRemainderEmbedding::lookup(const int32_t* ids, int64_t n, float* out) const {
    const Param& Q = params_[0];
    const Param& R = params_[1];
    const int s = stride();
    for (int64_t i = 0; i < n; ++i) {
        const float* q = Q.row(quotient(ids[i]));
        const float* r = R.row(remainder(ids[i]));
        float* o = out + i * s;
        switch (combiner_) {
            case Combiner::Mult: kernels::mul(q, r, o, s); break;
            case Combiner::Add:
                std::memcpy(o, q, sizeof(float) * s);
                kernels::axpy(1.0f, r, o, s);
                break;
            case Combiner::Concat:
                std::fill(o, o + s, 0.0f);
                std::memcpy(o, q, sizeof(float) * qdim_);
                std::memcpy(o + qdim_, r, sizeof(float) * rdim_);
                break;
        }
    }
}

void QuotientRemainderEmbedding::backward(const int32_t* ids, int64_t n, const float* grad_out,
                                          ParamGrad* grads) const {
    const Param& Q = params_[0];
    const Param& R = params_[1];
    const int s = stride();
    for (int64_t i = 0; i < n; ++i) {
        const int32_t qi = static_cast<int32_t>(quotient(ids[i]));
        const int32_t ri = static_cast<int32_t>(remainder(ids[i]));
        const float* g = grad_out + i * s;
        float* gq = grads[0].row(qi);
        float* gr = grads[1].row(ri);
        switch (combiner_) {
            case Combiner::Mult:  // d(q ⊙ r)/dq = r, /dr = q
                kernels::mul_axpy(1.0f, g, R.row(ri), gq, s);
                kernels::mul_axpy(1.0f, g, Q.row(qi), gr, s);
                break;
            case Combiner::Add:
                kernels::axpy(1.0f, g, gq, s);
                kernels::axpy(1.0f, g, gr, s);
                break;
            case Combiner::Concat:
                for (int c = 0; c < qdim_; ++c) gq[c] += g[c];
                for (int c = 0; c < rdim_; ++c) gr[c] += g[qdim_ + c];
                break;
        }
    }
}

#if !defined(__EMSCRIPTEN__)
void QuotientRemainderEmbedding::backward_product(const int32_t* ids, int64_t n, const float* dz,
                                                  const float* const* other, float* G,
                                                  ParamGrad* grads) const {
    if (combiner_ != Combiner::Mult) {
        EmbeddingTable::backward_product(ids, n, dz, other, G, grads);
        return;
    }
    const Param& Q = params_[0];
    const Param& R = params_[1];
    for (int64_t i = 0; i < n; ++i) {  // backward()'s rows, marked in its order
        const int32_t qi = static_cast<int32_t>(quotient(ids[i]));
        const int32_t ri = static_cast<int32_t>(remainder(ids[i]));
        float* gq = grads[0].row(qi);
        float* gr = grads[1].row(ri);
        kernels::qr_mult_backward(dz[i], other[i], Q.row(qi), R.row(ri), gq, gr, stride());
    }
}
#endif

TableConfig QuotientRemainderEmbedding::config() const {
    TableConfig c = base_config();
    c.buckets = buckets_;
    c.combiner = combiner_;
    return c;
}

void QuotientRemainderEmbedding::mark_rows(const int32_t* ids, int64_t n, ParamGrad* grads) const {
    for (int64_t i = 0; i < n; ++i) {
        grads[0].row(static_cast<int32_t>(quotient(ids[i])));
        grads[1].row(static_cast<int32_t>(remainder(ids[i])));
    }
}
}  // namespace memrec
