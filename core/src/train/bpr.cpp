// BPR training (bpr.h). Each batch: sample negatives, look up the users' and the items' vectors through
// the tables, compute every pair's loss slope, push the vector gradients back through the tables, step
// Adam on the rows read. The steps follow Adam's protocol for its dense mode (begin_step, mark the rows the
// batch reads, prepare, then update), which is a no-op extra for the lazy modes.
#include "memrec/bpr.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "memrec/adam.h"
#include "memrec/error.h"
#include "memrec/kernels.h"
#include "memrec/rng.h"

namespace memrec {

namespace {

// Each user's positive items, sorted: row u's are ids[start[u] .. start[u + 1]).
struct UserPositives {
    std::vector<int64_t> start;
    std::vector<int32_t> ids;
    bool has(int32_t user, int32_t item) const {
        const auto b = ids.begin() + start[size_t(user)], e = ids.begin() + start[size_t(user) + 1];
        return std::binary_search(b, e, item);
    }
    int64_t count(int32_t user) const { return start[size_t(user) + 1] - start[size_t(user)]; }
};

UserPositives user_positives(const std::vector<int32_t>& pu, const std::vector<int32_t>& pi, int64_t users) {
    UserPositives p;
    p.start.assign(size_t(users) + 1, 0);
    for (int32_t u : pu) ++p.start[size_t(u) + 1];
    for (int64_t u = 0; u < users; ++u) p.start[size_t(u) + 1] += p.start[size_t(u)];
    p.ids.resize(pu.size());
    std::vector<int64_t> next(p.start.begin(), p.start.end() - 1);
    for (size_t k = 0; k < pu.size(); ++k) p.ids[size_t(next[size_t(pu[k])]++)] = pi[k];
    for (int64_t u = 0; u < users; ++u)
        std::sort(p.ids.begin() + p.start[size_t(u)], p.ids.begin() + p.start[size_t(u) + 1]);
    return p;
}

// Draws items with probability proportional to (positives + 1)^power: an inverse-CDF table (uniform when
// power is 0).
class NegativeSampler {
public:
    NegativeSampler(const std::vector<int64_t>& counts, double power) : uniform_(power == 0.0) {
        if (uniform_) {
            items_ = int64_t(counts.size());
            return;
        }
        cdf_.resize(counts.size());
        double total = 0;
        for (size_t i = 0; i < counts.size(); ++i) cdf_[i] = total += std::pow(double(counts[i]) + 1.0, power);
        items_ = int64_t(counts.size());
    }
    int32_t draw(Rng& rng) const {
        if (uniform_) return int32_t(rng.below(uint64_t(items_)));
        const double x = rng.uniform() * cdf_.back();
        const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), x);
        return int32_t(std::min<int64_t>(items_ - 1, it - cdf_.begin()));
    }

private:
    bool uniform_;
    int64_t items_ = 0;
    std::vector<double> cdf_;
};

// A negative for `user`: an item they have no positive for (a few redraws; a user who has nearly every
// item as a positive keeps the last draw).
int32_t draw_negative(const NegativeSampler& sampler, const UserPositives& pos, int32_t user, Rng& rng) {
    int32_t j = sampler.draw(rng);
    for (int tries = 0; tries < 20 && pos.has(user, j); ++tries) j = sampler.draw(rng);
    return j;
}

}  // namespace

double bpr_pair_loss(double d) { return d > 0 ? std::log1p(std::exp(-d)) : -d + std::log1p(std::exp(d)); }

double bpr_pair_slope(double d) {
    // -sigmoid(-d) = -1 / (1 + exp(d))
    return d > 0 ? -std::exp(-d) / (1.0 + std::exp(-d)) : -1.0 / (1.0 + std::exp(d));
}

std::vector<int64_t> positive_counts(const Dataset& data, const std::vector<uint32_t>& indices,
                                     const ImplicitConfig& feedback) {
    std::vector<int64_t> counts(data.items.size(), 0);
    for (uint32_t k : indices)
        if (feedback.positive(data.rating[k])) ++counts[size_t(data.item[k])];
    return counts;
}

double bpr_batch_gradients(const Model& model, const int32_t* users, int64_t n, const int32_t* items, int negatives,
                           std::vector<ParamGrad>& grads, BprBuffers& buf) {
    const EmbeddingTable& ut = model.user_table();
    const EmbeddingTable& it = model.item_table();
    const int stride = it.stride();
    const int64_t ni = n * (1 + negatives);
    const size_t un = size_t(n * stride), in = size_t(ni * stride);
    if (buf.user_vec.size() < un) buf.user_vec.resize(un), buf.user_grad.resize(un);
    if (buf.item_vec.size() < in) buf.item_vec.resize(in), buf.item_grad.resize(in);
    ut.lookup(users, n, buf.user_vec.data());
    it.lookup(items, ni, buf.item_vec.data());
    std::fill(buf.user_grad.begin(), buf.user_grad.begin() + ptrdiff_t(un), 0.0f);
    std::fill(buf.item_grad.begin(), buf.item_grad.begin() + ptrdiff_t(in), 0.0f);
    double loss = 0;
    for (int64_t b = 0; b < n; ++b) {
        const float* x = buf.user_vec.data() + b * stride;
        const float* yi = buf.item_vec.data() + b * stride;
        float* gx = buf.user_grad.data() + b * stride;
        float* gyi = buf.item_grad.data() + b * stride;
        // Whole padded rows (the kernels take multiples of kRowFloats); the padding lanes are zero.
        const float si = kernels::dot(x, yi, stride);
        for (int s = 0; s < negatives; ++s) {
            const int64_t j = n + b * negatives + s;
            const float* yj = buf.item_vec.data() + j * stride;
            const double d = double(si) - double(kernels::dot(x, yj, stride));
            loss += bpr_pair_loss(d) / negatives;
            const float g = float(bpr_pair_slope(d) / negatives);
            kernels::axpy(g, yi, gx, stride);
            kernels::axpy(-g, yj, gx, stride);
            kernels::axpy(g, x, gyi, stride);
            kernels::axpy(-g, x, buf.item_grad.data() + j * stride, stride);
        }
    }
    const size_t item_first = ut.params().size();
    ut.backward(users, n, buf.user_grad.data(), grads.data());
    it.backward(items, ni, buf.item_grad.data(), grads.data() + item_first);
    return loss;
}

namespace {
constexpr int64_t kStopPollPositives = 4096;  // how often `stop` is asked within an epoch
int64_t capped_batch(const TrainConfig& config, int64_t positives) { return std::min<int64_t>(config.batch_size, positives); }
}  // namespace

int64_t bpr_batch_size(const Dataset& data, const std::vector<uint32_t>& indices, const ImplicitConfig& feedback,
                       const TrainConfig& config) {
    int64_t positives = 0;
    for (uint32_t k : indices) positives += feedback.positive(data.rating[k]) ? 1 : 0;
    return capped_batch(config, positives);
}

std::vector<EpochStats> train_bpr(Model& model, const Dataset& data, const std::vector<uint32_t>& indices,
                                  const TrainConfig& config, const BprEpochFn& on_epoch,
                                  const std::function<bool()>& stop) {
    config.validate();
    const ModelConfig& mc = model.config();
    if (mc.objective != Objective::Bpr) throw ConfigError("train_bpr trains BPR models only");
    if (model.users() != int64_t(data.users.size()) || model.items() != int64_t(data.items.size()))
        throw ConfigError("train_bpr: the model must have the data's users and items");
    if (model.items() < 2) throw ConfigError("BPR needs at least two items");
    std::vector<int32_t> pu, pi;
    for (uint32_t k : indices)
        if (mc.implicit.positive(data.rating[k])) {
            pu.push_back(data.user[k]);
            pi.push_back(data.item[k]);
        }
    if (pu.empty()) throw ConfigError("BPR: the training ratings hold no positive (none rated at the threshold)");
    const UserPositives positives = user_positives(pu, pi, model.users());
    const NegativeSampler sampler(positive_counts(data, indices, mc.implicit), config.negative_power);

    EmbeddingTable& users = model.user_table();
    EmbeddingTable& items = model.item_table();
    const std::vector<Param*> params = model.params();
    const size_t item_first = users.params().size();
    std::vector<ParamGrad> grads(params.size());
    for (size_t p = 0; p < params.size(); ++p) grads[p].resize(*params[p]);
    Adam adam(config.adam, params);
    const int threads = std::max(1, config.threads);

    const int64_t batch = capped_batch(config, int64_t(pu.size()));
    const int negatives = config.bpr_negatives;
    BprBuffers buf;
    std::vector<int32_t> bu(static_cast<size_t>(batch)), bi(static_cast<size_t>(batch * (1 + negatives)));
    const int64_t batches = (int64_t(pu.size()) + batch - 1) / batch;
    adam.set_decay_steps(batches);

    std::vector<uint32_t> order(pu.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = uint32_t(k);
    std::vector<EpochStats> history;
    for (int epoch = 1; epoch <= config.epochs; ++epoch) {
        const auto t0 = std::chrono::steady_clock::now();
        uint64_t mix = config.seed * 0x9e3779b97f4a7c15ULL + uint64_t(epoch);
        Rng rng(Rng::splitmix64(mix));
        if (config.shuffle)
            for (size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[size_t(rng.below(k))]);
        double loss_sum = 0;
        int64_t since_poll = 0;
        for (int64_t start = 0; start < int64_t(order.size()); start += batch) {
            if (stop && (since_poll += batch) >= kStopPollPositives) {
                since_poll = 0;
                if (stop()) return history;
            }
            const int64_t n = std::min<int64_t>(batch, int64_t(order.size()) - start);
            const int64_t ni = n * (1 + negatives);
            for (int64_t b = 0; b < n; ++b) {
                const uint32_t k = order[size_t(start + b)];
                bu[size_t(b)] = pu[k];
                bi[size_t(b)] = pi[k];
                for (int s = 0; s < negatives; ++s)
                    bi[size_t(n + b * negatives + s)] = draw_negative(sampler, positives, pu[k], rng);
            }
            adam.begin_step();
            const int64_t t = adam.steps();
            users.mark_rows(bu.data(), n, grads.data());
            items.mark_rows(bi.data(), ni, grads.data() + item_first);
            for (size_t p = 0; p < params.size(); ++p) adam.prepare(p, grads[p], t);
            loss_sum += bpr_batch_gradients(model, bu.data(), n, bi.data(), negatives, grads, buf);
            for (size_t p = 0; p < params.size(); ++p) adam.update(p, grads[p], t, threads);
        }
        adam.synchronize(threads);
        for (const Param* p : params)
            for (float v : p->data)
                if (!std::isfinite(v)) throw Error("BPR: a parameter became non-finite (lower the learning rate)");
        EpochStats e;
        e.epoch = epoch;
        e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        e.ratings_per_second = e.seconds > 0 ? double(pu.size()) / e.seconds : 0;
        e.train_loss = loss_sum / double(pu.size());
        history.push_back(e);
        if (on_epoch && !on_epoch(e)) break;
    }
    return history;
}

}  // namespace memrec
