#include "example_steps.h"

#include <cmath>
#include <stdexcept>

#include "memrec/kernels.h"

namespace memrec {

namespace {

// Row r's step size by its rule, given its gradient's sum of squares (AdaGrad's accumulator grows by their
// mean; SGD's rate is the rule's). Counts the row's update.
inline float step_rate(const Adam::RowRule& rule, int32_t r, float squares) {
    ++rule.counts[size_t(r)];
    if (!rule.accumulators) return rule.lr;
    float& G = rule.accumulators[size_t(r) * kAccumulatorStride];
    G += squares / rule.cols;
    return rule.lr / std::sqrt(1.0f + G);
}

// One row's step by its rule, from its gradient g (L2 already in it) and g's sum of squares.
inline void step_row(const Adam::RowRule& rule, int32_t r, float* __restrict w, const float* __restrict g,
                     float squares, int stride) {
    const float rate = step_rate(rule, r, squares);
    for (int c = 0; c < stride; ++c) w[c] -= rate * g[c];
}

// A bias row's step: its one column, the padding lanes zero (the gradient's too).
inline void step_bias(const Adam::RowRule& rule, int32_t r, float d) {
    float* w = rule.param->row(r);
    const float g = d + rule.l2 * w[0];
    w[0] -= step_rate(rule, r, g * g) * g;
}

}  // namespace

bool ExampleSteps::applies(const Model& model, const Adam& adam) {
    const ModelConfig& c = model.config();
    return adam.config().optimizer != Optimizer::Adam && c.objective == Objective::Rating &&
           c.user.kind == TableKind::Full && c.item.kind == TableKind::Full;
}

ExampleSteps::ExampleSteps(Model& model) : model_(model) {
    const std::vector<Param*> params = model.params();
    bool user_found = false, item_found = false;
    for (size_t p = 0; p < params.size(); ++p) {
        const Param& par = *params[p];
        if (par.role == Role::Embedding && par.side == Side::User && !user_found) {
            user_ = p;
            user_found = true;
        } else if (par.role == Role::Embedding && par.side == Side::Item && !item_found) {
            item_ = p;
            item_found = true;
        } else if (par.role == Role::GlobalBias) {
            global_ = int(p);
        } else if (par.role == Role::Bias) {
            (par.side == Side::User ? user_bias_ : item_bias_) = int(p);
        }
    }
    if (!user_found || !item_found) throw std::logic_error("ExampleSteps: the model has no full tables");
}

BatchSums ExampleSteps::run(Adam& adam, std::vector<ParamGrad>& grads, const int32_t* users, const int32_t* items,
                            const float* ratings, int64_t n, int64_t t) {
    const Adam::RowRule U = adam.row_rule(user_, grads[user_], t);
    const Adam::RowRule V = adam.row_rule(item_, grads[item_], t);
    Adam::RowRule UB, IB;
    if (user_bias_ >= 0) UB = adam.row_rule(size_t(user_bias_), grads[size_t(user_bias_)], t);
    if (item_bias_ >= 0) IB = adam.row_rule(size_t(item_bias_), grads[size_t(item_bias_)], t);
    const int s = U.param->stride;
    thread_local AlignedVector<float> scratch;
    if (scratch.size() < 2 * size_t(s)) scratch.resize(2 * size_t(s));
    float* __restrict gu = scratch.data();
    float* __restrict gv = scratch.data() + s;
    const float global = global_ >= 0 ? model_.global_bias()->data[0] : 0.0f;
    float global_grad = 0.0f;
    BatchSums sums;
    sums.count = n;
    for (int64_t i = 0; i < n; ++i) {
        const int32_t ru = users[i], ri = items[i];
        float* __restrict u = U.param->row(ru);
        float* __restrict v = V.param->row(ri);
        // Model::loss_gradient's logit and derivative (the same operations in the same order).
        float z = kernels::dot(u, v, s);
        if (global_ >= 0) z += global;
        if (user_bias_ >= 0) z += UB.param->row(ru)[0];
        if (item_bias_ >= 0) z += IB.param->row(ri)[0];
        const LinkAt at = model_.link_at(z);
        const float err = at.value<float>() - ratings[i];
        sums.squared_error += double(err) * err;
        sums.absolute_error += std::fabs(double(err));
        const float d = at.chain(2.0f * err);
        global_grad += d;
        // Both gradients from the rows before either steps.
        const float squares_u = kernels::scaled_gradient(d, v, U.l2, u, gu, s);
        const float squares_v = kernels::scaled_gradient(d, u, V.l2, v, gv, s);
        step_row(U, ru, u, gu, squares_u, s);
        step_row(V, ri, v, gv, squares_v, s);
        if (user_bias_ >= 0) step_bias(UB, ru, d);
        if (item_bias_ >= 0) step_bias(IB, ri, d);
    }
    if (global_ >= 0) grads[size_t(global_)].data[0] += global_grad;
    return sums;
}

}  // namespace memrec
