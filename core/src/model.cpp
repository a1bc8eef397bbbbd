#include <algorithm>
#include <cmath>
#include <cstring>

#include "memrec/error.h"
#include "memrec/kernels.h"
#include "memrec/model.h"

namespace memrec {

void ModelConfig::validate() const {
    if (user.dim != item.dim)
        throw ConfigError("user and item tables must have the same dim (" + std::to_string(user.dim) + " vs " +
                          std::to_string(item.dim) + ")");
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
}

Model::Model(const ModelConfig& config, int64_t users, int64_t items, float scale,
             const std::vector<int64_t>& item_counts, const std::vector<int64_t>& user_counts, uint64_t seed)
    : config_(config), scale_(scale) {
    config_.validate();
    if (!(scale > 0.0f) || !std::isfinite(scale)) throw ConfigError("the rating scale must be positive");
    user_ = make_table(config.user, users, "user", user_counts);
    item_ = make_table(config.item, items, "item", item_counts);
    Rng rng(seed);
    user_->initialize(rng);
    item_->initialize(rng);
    make_biases();
}

Model::Model(const ModelConfig& config, std::unique_ptr<EmbeddingTable> user_table,
             std::unique_ptr<EmbeddingTable> item_table, float scale)
    : config_(config), scale_(scale), user_(std::move(user_table)), item_(std::move(item_table)) {
    config_.validate();
    make_biases();
}

void Model::make_biases() {
    if (config_.global_bias) global_bias_ = std::make_unique<Param>("bias.global", 1, 1, Access::Whole, Init::Zero);
    if (config_.user_bias) user_bias_ = std::make_unique<Param>("bias.user", users(), 1, Access::Rows, Init::Zero);
    if (config_.item_bias) item_bias_ = std::make_unique<Param>("bias.item", items(), 1, Access::Rows, Init::Zero);
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
    float z = kernels::dot(user_vec, item_vec, user_->stride());
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
        out[i] = scale_ * sigmoid(logit(buf.user_vec.data() + i * s, buf.item_vec.data() + i * s, users[i], items[i]));
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

BatchSums Model::accumulate_gradients(const int32_t* users, const int32_t* items, const float* ratings, int64_t n,
                                      float loss_scale, std::vector<ParamGrad>& grads, BatchBuffers& buf) const {
    const int s = user_->stride();
    buf.reserve(n, s);
    float* U = buf.user_vec.data();
    float* V = buf.item_vec.data();
    float* GU = buf.user_grad.data();
    float* GV = buf.item_grad.data();
    user_->lookup(users, n, U);
    item_->lookup(items, n, V);

    BatchSums sums;
    sums.count = n;
    for (int64_t i = 0; i < n; ++i) {
        const float sig = sigmoid(logit(U + i * s, V + i * s, users[i], items[i]));
        const float err = scale_ * sig - ratings[i];
        sums.squared_error += double(err) * err;
        sums.absolute_error += std::fabs(double(err));
        // d(loss_scale * err^2)/dz = 2 err * scale * sig (1 - sig) * loss_scale
        buf.dz[size_t(i)] = 2.0f * err * scale_ * sig * (1.0f - sig) * loss_scale;
    }
    for (int64_t i = 0; i < n; ++i) {
        const float dz = buf.dz[size_t(i)];
        float* gu = GU + i * s;
        float* gv = GV + i * s;
        const float* u = U + i * s;
        const float* v = V + i * s;
        for (int c = 0; c < s; ++c) {
            gu[c] = dz * v[c];
            gv[c] = dz * u[c];
        }
    }
    const size_t nu = user_->params().size(), ni = item_->params().size();
    user_->backward(users, n, GU, grads.data());
    item_->backward(items, n, GV, grads.data() + nu);
    size_t next = nu + ni;
    if (global_bias_) {
        float g = 0;
        for (int64_t i = 0; i < n; ++i) g += buf.dz[size_t(i)];
        grads[next++].data[0] += g;
    }
    if (user_bias_) {
        for (int64_t i = 0; i < n; ++i) grads[next].row(users[i])[0] += buf.dz[size_t(i)];
        ++next;
    }
    if (item_bias_) {
        for (int64_t i = 0; i < n; ++i) grads[next].row(items[i])[0] += buf.dz[size_t(i)];
        ++next;
    }
    return sums;
}

}  // namespace memrec
