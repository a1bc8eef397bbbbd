#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>

#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/kernels.h"
#include "memrec/model.h"
#include "memrec/pq.h"

namespace memrec {

const char* to_string(Objective o) { return enum_entry(kObjectives, o).name; }

Objective parse_objective(const std::string& s) {
    if (const auto* e = enum_by_name(kObjectives, s)) return e->value;
    throw ConfigError("unknown objective '" + s + "' (expected " + enum_list(kObjectives, false) + ")");
}

const char* to_string(Link l) { return enum_entry(kLinks, l).name; }

Link parse_link(const std::string& s) {
    if (const auto* e = enum_by_name(kLinks, s)) return e->value;
    throw ConfigError("unknown link '" + s + "' (expected " + enum_list(kLinks, false) + ")");
}

void ImplicitConfig::validate() const {
    if (!(alpha >= 0) || !std::isfinite(alpha)) throw ConfigError("implicit alpha must be >= 0 and finite");
    // lambda > 0 keeps every row's system positive definite, also for a row with no positives.
    if (!(lambda > 0) || !std::isfinite(lambda)) throw ConfigError("implicit lambda must be > 0 and finite");
    if (!std::isfinite(positive_threshold)) throw ConfigError("the positive threshold must be finite");
}

void ModelConfig::validate() const {
    if (user.dim != item.dim)
        throw ConfigError("user and item tables must have the same dim (" + std::to_string(user.dim) + " vs " +
                          std::to_string(item.dim) + ")");
    if (link != Link::Sigmoid && objective != Objective::Rating)
        throw ConfigError(std::string("the ") + to_string(link) + " link is a rating model's (the " +
                          to_string(objective) + " objective scores by the logit itself)");
    if (objective == Objective::Implicit) {
        implicit.validate();
        if (global_bias || user_bias || item_bias) throw ConfigError("an implicit model has no biases");
        if (user.kind != TableKind::Full || item.kind != TableKind::Full)
            throw ConfigError("an implicit model (ALS) needs full user and item tables");
    }
    if (objective == Objective::Bpr) {
        implicit.validate();
        if (global_bias || user_bias || item_bias) throw ConfigError("a BPR model has no biases");
        // Users are folded in, never stored: their training table is a plain one (any item table kind).
        if (user.kind != TableKind::Full) throw ConfigError("a BPR model needs a full user table");
    }
}

float Model::output(float z) const {
    if (item_side_only(config_.objective)) return z;
    return link_at(z).value<float>();
}

void BatchBuffers::reserve(int64_t n, int stride) {
    const size_t size = static_cast<size_t>(n) * static_cast<size_t>(stride);
    if (user_vec.size() < size) {
        user_vec.assign(size, 0.0f);
        item_vec.assign(size, 0.0f);
        user_grad.assign(size, 0.0f);
        item_grad.assign(size, 0.0f);
    }
    if (dz.size() < static_cast<size_t>(n)) dz.resize(static_cast<size_t>(n));
    if (user_rows.size() < static_cast<size_t>(n)) {
        user_rows.resize(static_cast<size_t>(n));
        item_rows.resize(static_cast<size_t>(n));
    }
    if (user_bias.size() < static_cast<size_t>(n)) {
        user_bias.resize(static_cast<size_t>(n));
        item_bias.resize(static_cast<size_t>(n));
    }
}

Model::Model(const ModelConfig& config, int64_t users, int64_t items, float scale,
             const std::vector<int64_t>& item_counts, const std::vector<int64_t>& user_counts, uint64_t seed)
    : config_(config), scale_(scale) {
    config_.validate();
    if (!(scale > 0.0f) || !std::isfinite(scale)) throw ConfigError("the rating scale must be positive");
    // More buckets than ids buys nothing and, given by mistake, would allocate without bound.
    for (const auto& [t, rows, side] : {std::tuple{&config.user, users, "user"}, std::tuple{&config.item, items, "item"}})
        if ((t->kind == TableKind::QuotientRemainder || t->kind == TableKind::Hashed) && t->buckets > rows)
            throw ConfigError(std::string(side) + " table: buckets must be at most the number of " + side + "s (" +
                              std::to_string(rows) + "), got " + std::to_string(t->buckets));
    user_ = make_table(config.user, users, "user", user_counts);
    item_ = make_table(config.item, items, "item", item_counts);
    Rng rng(seed);
    user_->initialize(rng);
    item_->initialize(rng);
    make_biases();
    index_params();
}

Model::Model(const ModelConfig& config, std::unique_ptr<EmbeddingTable> user_table,
             std::unique_ptr<EmbeddingTable> item_table, float scale)
    : config_(config), scale_(scale), user_(std::move(user_table)), item_(std::move(item_table)) {
    config_.validate();
    make_biases();
    index_params();
}

ParamSpec Model::bias_spec(BiasTerm term, int64_t users, int64_t items) {
    switch (term) {
        case BiasTerm::Global: return {"bias.global", 1, 1, Access::Whole, Init::Zero, Role::GlobalBias, Side::User};
        case BiasTerm::User: return {"bias.user", users, 1, Access::Rows, Init::Zero, Role::Bias, Side::User};
        case BiasTerm::Item: return {"bias.item", items, 1, Access::Rows, Init::Zero, Role::Bias, Side::Item};
    }
    throw ConfigError("unknown bias term");
}

std::vector<ParamSpec> Model::param_specs(const ModelConfig& config, int64_t users, int64_t items) {
    std::vector<ParamSpec> specs = table_param_specs(config.user, users, "user");
    for (ParamSpec& s : table_param_specs(config.item, items, "item")) {
        s.side = Side::Item;
        specs.push_back(std::move(s));
    }
    if (config.global_bias) specs.push_back(bias_spec(BiasTerm::Global, users, items));
    if (config.user_bias) specs.push_back(bias_spec(BiasTerm::User, users, items));
    if (config.item_bias) specs.push_back(bias_spec(BiasTerm::Item, users, items));
    return specs;
}

void Model::make_biases() {
    if (config_.global_bias) global_bias_ = std::make_unique<Param>(bias_spec(BiasTerm::Global, users(), items()));
    if (config_.user_bias) user_bias_ = std::make_unique<Param>(bias_spec(BiasTerm::User, users(), items()));
    if (config_.item_bias) item_bias_ = std::make_unique<Param>(bias_spec(BiasTerm::Item, users(), items()));
}

// Stamps each table's params with its side, then finds the indices the training passes need from sides
// and roles alone.
void Model::index_params() {
    for (Param& p : user_->params()) p.side = Side::User;
    for (Param& p : item_->params()) p.side = Side::Item;
    const std::vector<Param*> all = params();
    item_first_ = all.size();
    for (size_t i = all.size(); i-- > 0;) {
        const Param& p = *all[i];
        if (p.role == Role::GlobalBias) global_bias_at_ = i;
        else if (p.role == Role::Bias) (p.side == Side::User ? user_bias_at_ : item_bias_at_) = i;
        else if (p.side == Side::Item) item_first_ = i;
    }
}

void Model::set_product_codes(size_t param, std::shared_ptr<const ProductCodes> codes) {
    const auto all = params();
    if (param >= all.size()) throw Error("set_product_codes: no parameter " + std::to_string(param));
    if (codes && (codes->rows != all[param]->rows || codes->cols != all[param]->cols))
        throw Error("set_product_codes: codes of another shape than " + all[param]->name);
    if (codes_.size() < all.size()) codes_.resize(all.size());
    codes_[param] = std::move(codes);
}

const ProductCodes* Model::product_codes(size_t param) const {
    return param < codes_.size() ? codes_[param].get() : nullptr;
}

const ProductCodes* Model::item_codes() const {
    if (item_->kind() != TableKind::Full || item_->params().size() != 1) return nullptr;
    return product_codes(item_first_);
}

std::vector<Param*> Model::params() {
    std::vector<Param*> out;
    for (auto& p : user_->params()) out.push_back(&p);
    for (auto& p : item_->params()) out.push_back(&p);
    for (auto* b : {global_bias_.get(), user_bias_.get(), item_bias_.get()})
        if (b) out.push_back(b);
    return out;
}

std::vector<const Param*> Model::params() const {
    std::vector<const Param*> out;
    for (auto* p : const_cast<Model*>(this)->params()) out.push_back(p);
    return out;
}

int64_t Model::parameter_count() const {
    int64_t n = 0;
    for (const Param* p : params()) n += p->count();
    return n;
}

std::vector<ComponentInfo> Model::summary() const {
    auto out = user_->components();
    auto items = item_->components();
    out.insert(out.end(), items.begin(), items.end());
    for (const Param* b : {global_bias_.get(), user_bias_.get(), item_bias_.get()})
        if (b) out.push_back({b->name, std::to_string(b->rows) + " x 1", b->count(), b->count() * 4});
    return out;
}

float Model::logit(const float* user_vec, const float* item_vec, int32_t user, int32_t item) const {
    return logit_from_dot(kernels::dot(user_vec, item_vec, user_->stride()), user, item);
}

float Model::logit_from_dot(float z, int32_t user, int32_t item) const {
    if (global_bias_) z += global_bias_->data[0];
    if (user_bias_ && user >= 0) z += user_bias_->row(user)[0];
    if (item_bias_ && item >= 0) z += item_bias_->row(item)[0];
    return z;
}

float Model::predict(int32_t user, int32_t item) const {
    BatchBuffers buf;
    float out = 0;
    predict(&user, &item, 1, &out, buf);
    return out;
}

void Model::predict(const int32_t* users, const int32_t* items, int64_t n, float* out, BatchBuffers& buf) const {
    const int s = user_->stride();
    buf.reserve(n, s);
    user_->lookup(users, n, buf.user_vec.data());
    item_->lookup(items, n, buf.item_vec.data());
    for (int64_t i = 0; i < n; ++i)
        out[i] = output(logit(buf.user_vec.data() + i * s, buf.item_vec.data() + i * s, users[i], items[i]));
}

AlignedVector<float> Model::item_vectors() const {
    const int s = item_->stride();
    AlignedVector<float> out(static_cast<size_t>(items()) * static_cast<size_t>(s));
    constexpr int64_t kChunk = 256;
    std::vector<int32_t> ids(kChunk);
    for (int64_t begin = 0; begin < items(); begin += kChunk) {
        const int64_t n = std::min(kChunk, items() - begin);
        for (int64_t i = 0; i < n; ++i) ids[size_t(i)] = static_cast<int32_t>(begin + i);
        item_->lookup(ids.data(), n, out.data() + begin * s);
    }
    return out;
}

AlignedVector<float> Model::user_vector(int32_t user) const {
    AlignedVector<float> out(static_cast<size_t>(user_->stride()));
    user_->lookup(&user, 1, out.data());
    return out;
}

std::vector<size_t> Model::side_params(Side side) const {
    const std::vector<const Param*> all = params();
    std::vector<size_t> out;
    for (size_t i = 0; i < all.size(); ++i)
        if (all[i]->side == side) out.push_back(i);
    return out;
}

std::vector<size_t> Model::id_row_params(Side side) const {
    const std::vector<const Param*> all = params();
    const int64_t ids = side == Side::User ? users() : items();
    std::vector<size_t> out;
    for (size_t i : side_params(side))
        if (all[i]->access == Access::Rows && all[i]->rows == ids) out.push_back(i);
    return out;
}

void Model::mark_rows(Side side, const int32_t* ids, int64_t n, std::vector<ParamGrad>& grads) const {
    if (side == Side::User) {
        user_->mark_rows(ids, n, grads.data());
        if (user_bias_) {
            ParamGrad& g = grads[user_bias_at_];
            for (int64_t i = 0; i < n; ++i) g.row(ids[i]);
        }
    } else {
        item_->mark_rows(ids, n, grads.data() + item_first_);
        if (item_bias_) {
            ParamGrad& g = grads[item_bias_at_];
            for (int64_t i = 0; i < n; ++i) g.row(ids[i]);
        }
    }
}

void Model::lookup(Side side, const int32_t* ids, int64_t n, BatchBuffers& buf, bool in_place) const {
    const EmbeddingTable& table = side == Side::User ? *user_ : *item_;
    const float** rows = side == Side::User ? buf.user_rows.data() : buf.item_rows.data();
    float* vec = side == Side::User ? buf.user_vec.data() : buf.item_vec.data();
    if (in_place) {
        table.lookup_rows(ids, n, vec, rows);
    } else {
        table.lookup(ids, n, vec);
        const int s = table.stride();
        for (int64_t i = 0; i < n; ++i) rows[i] = vec + i * s;
    }
    if (side == Side::User) {
        if (global_bias_) buf.global_bias = global_bias_->data[0];
        if (user_bias_)
            for (int64_t i = 0; i < n; ++i) buf.user_bias[size_t(i)] = user_bias_->row(ids[i])[0];
    } else {
        if (item_bias_)
            for (int64_t i = 0; i < n; ++i) buf.item_bias[size_t(i)] = item_bias_->row(ids[i])[0];
    }
}

BatchSums Model::loss_gradient(const int32_t* users, const int32_t* items, const float* ratings, int64_t begin,
                               int64_t end, float loss_scale, const BatchBuffers& buf, float* dz) const {
    const int s = user_->stride();
    const float* const* U = buf.user_rows.data();
    const float* const* V = buf.item_rows.data();
    BatchSums sums;
    sums.count = end - begin;
    (void)users;
    (void)items;
    for (int64_t i = begin; i < end; ++i) {
        // logit() with the bias terms captured by lookup() (same operations in the same order).
        float z = kernels::dot(U[i], V[i], s);
        if (global_bias_) z += buf.global_bias;
        if (user_bias_) z += buf.user_bias[size_t(i)];
        if (item_bias_) z += buf.item_bias[size_t(i)];
        const LinkAt at = link_at(z);
        const float err = at.value<float>() - ratings[i];
        sums.squared_error += double(err) * err;
        sums.absolute_error += std::fabs(double(err));
        dz[i] = at.chain(2.0f * err) * loss_scale;  // d(loss_scale * err^2)/dz
    }
    return sums;
}

void Model::backward(Side side, const int32_t* ids, int64_t n, const float* dz, std::vector<ParamGrad>& grads,
                     BatchBuffers& buf) const {
    // d z / d(user vector) = item vector and vice versa: row i of the gradient is dz[i] times the other
    // side's vector, which the table forms where it needs it (EmbeddingTable::backward_product).
    const float* const* other = side == Side::User ? buf.item_rows.data() : buf.user_rows.data();
    float* G = side == Side::User ? buf.user_grad.data() : buf.item_grad.data();
    if (side == Side::User) {
        user_->backward_product(ids, n, dz, other, G, grads.data());
        if (global_bias_) {
            float g = 0;
            for (int64_t i = 0; i < n; ++i) g += dz[i];
            grads[global_bias_at_].data[0] += g;
        }
        if (user_bias_) {
            ParamGrad& g = grads[user_bias_at_];
            for (int64_t i = 0; i < n; ++i) g.row(ids[i])[0] += dz[i];
        }
    } else {
        item_->backward_product(ids, n, dz, other, G, grads.data() + item_first_);
        if (item_bias_) {
            ParamGrad& g = grads[item_bias_at_];
            for (int64_t i = 0; i < n; ++i) g.row(ids[i])[0] += dz[i];
        }
    }
}

BatchSums Model::accumulate_gradients(const int32_t* users, const int32_t* items, const float* ratings, int64_t n,
                                      float loss_scale, std::vector<ParamGrad>& grads, BatchBuffers& buf) const {
    buf.reserve(n, user_->stride());
    lookup(Side::User, users, n, buf);
    lookup(Side::Item, items, n, buf);
    BatchSums sums = loss_gradient(users, items, ratings, 0, n, loss_scale, buf, buf.dz.data());
    backward(Side::User, users, n, buf.dz.data(), grads, buf);
    backward(Side::Item, items, n, buf.dz.data(), grads, buf);
    return sums;
}

}  // namespace memrec
