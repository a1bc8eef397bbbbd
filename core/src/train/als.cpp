// Implicit ALS (als.h). The positives are gathered once into two compressed row lists (by user and by
// item); each half-iteration computes the fixed side's Gram matrix once, then solves every row of the other
// side with solve_implicit_row, rows spread over OpenMP threads. Each row writes only its own factors and
// reads only the fixed side, so any schedule gives the same bits.
#include "memrec/als.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>

#if defined(MEMREC_OPENMP)
#include <omp.h>
#endif

#include "memrec/error.h"
#include "memrec/implicit_fit.h"

namespace memrec {

namespace {

// Positive items of each user (or users of each item): row r's are ids[start[r] .. start[r + 1]).
struct RowLists {
    std::vector<int64_t> start;
    std::vector<int32_t> ids;
    int64_t longest = 0;
};

RowLists row_lists(const std::vector<int32_t>& owner, const std::vector<int32_t>& other, int64_t rows) {
    RowLists l;
    l.start.assign(size_t(rows) + 1, 0);
    for (int32_t o : owner) ++l.start[size_t(o) + 1];
    for (int64_t r = 0; r < rows; ++r) {
        l.longest = std::max(l.longest, l.start[size_t(r) + 1]);
        l.start[size_t(r) + 1] += l.start[size_t(r)];
    }
    l.ids.resize(owner.size());
    std::vector<int64_t> next(l.start.begin(), l.start.end() - 1);
    for (size_t k = 0; k < owner.size(); ++k) l.ids[size_t(next[size_t(owner[k])]++)] = other[k];
    return l;
}

int thread_index() {
#if defined(MEMREC_OPENMP)
    return omp_get_thread_num();
#else
    return 0;
#endif
}

// Solves every row of `target` with `fixed` frozen; returns false when `stop` (asked by the calling thread
// only, every kStopPollRows of its rows) said to stop, the other rows then left as they were.
constexpr int64_t kStopPollRows = 256;
bool solve_side(Param& target, const Param& fixed, const RowLists& lists, const AlsConfig& config,
                const std::function<bool()>& stop) {
    const int dim = config.factors;
    const std::vector<float> gram = implicit_gram(fixed.data.data(), fixed.rows, fixed.stride, dim);
    const int threads = std::max(1, config.threads);
    // Workspaces allocated before the parallel region: nothing inside it can throw.
    std::vector<AlignedVector<float>> workspaces{size_t(threads)};
    for (auto& w : workspaces) w.assign(size_t(implicit_workspace_floats(dim, lists.longest)), 0.0f);
    const float alpha = float(config.feedback.alpha), lambda = float(config.feedback.lambda);
    std::atomic<bool> failed{false}, stopped{false};
    int64_t solved_by_caller = 0;  // touched by thread 0 only
#if defined(MEMREC_OPENMP)
#pragma omp parallel for num_threads(threads) if (threads > 1) schedule(dynamic, 32)
#endif
    for (int64_t r = 0; r < target.rows; ++r) {
        if (stopped.load(std::memory_order_relaxed)) continue;
        if (stop && thread_index() == 0 && ++solved_by_caller % kStopPollRows == 0 && stop()) {
            stopped = true;
            continue;
        }
        const int64_t begin = lists.start[size_t(r)], n = lists.start[size_t(r) + 1] - begin;
        if (!solve_implicit_row(fixed.data.data(), fixed.stride, dim, gram.data(), alpha, lambda,
                                lists.ids.data() + begin, n, workspaces[size_t(thread_index())].data(),
                                target.row(r)))
            failed = true;
    }
    if (failed) throw Error("ALS: a row's system is not positive definite (the factors diverged)");
    return !stopped;
}

// sum over all (user, item) of confidence * (preference - x.y)^2 + lambda (|X|^2 + |Y|^2), computed as
// sum_u x'(Y'Y)x + sum over positives of ((1 + alpha)(1 - s)^2 - s^2) + the L2 terms, s = x.y.
double als_loss(const Param& users, const Param& items, const RowLists& by_user, const AlsConfig& config) {
    const int dim = config.factors;
    const std::vector<float> gram = implicit_gram(items.data.data(), items.rows, items.stride, dim);
    const double alpha = config.feedback.alpha;
    double loss = 0, l2 = 0;
    for (int64_t u = 0; u < users.rows; ++u) {
        const float* x = users.row(u);
        for (int a = 0; a < dim; ++a) {
            double gx = 0;
            for (int b = 0; b < dim; ++b) gx += double(gram[size_t(a) * size_t(dim) + size_t(b)]) * x[b];
            loss += x[a] * gx;
            l2 += double(x[a]) * x[a];
        }
        for (int64_t k = by_user.start[size_t(u)]; k < by_user.start[size_t(u) + 1]; ++k) {
            const float* y = items.row(by_user.ids[size_t(k)]);
            double s = 0;
            for (int a = 0; a < dim; ++a) s += double(x[a]) * y[a];
            loss += (1 + alpha) * (1 - s) * (1 - s) - s * s;
        }
    }
    for (int64_t i = 0; i < items.rows; ++i)
        for (int a = 0; a < dim; ++a) l2 += double(items.row(i)[a]) * items.row(i)[a];
    return loss + config.feedback.lambda * l2;
}

}  // namespace

void AlsConfig::validate() const {
    if (factors < 1 || factors > 4096) throw ConfigError("ALS factors must be in 1..4096, got " + std::to_string(factors));
    if (iterations < 0) throw ConfigError("ALS iterations must be >= 0, got " + std::to_string(iterations));
    if (threads < 1) throw ConfigError("ALS threads must be >= 1, got " + std::to_string(threads));
    feedback.validate();
}

AlsConfig als_config(const ModelConfig& model, const TrainConfig& train) {
    if (model.objective != Objective::Implicit) throw ConfigError("ALS trains implicit models only");
    AlsConfig c;
    c.factors = model.user.dim;
    c.feedback = model.implicit;
    c.iterations = train.epochs;
    c.seed = train.seed;
    c.threads = train.threads;
    return c;
}

Model als_model(const AlsConfig& config, int64_t users, int64_t items, float scale) {
    config.validate();
    ModelConfig mc;
    mc.user.kind = mc.item.kind = TableKind::Full;
    mc.user.dim = mc.item.dim = config.factors;
    mc.objective = Objective::Implicit;
    mc.implicit = config.feedback;
    return Model(mc, users, items, scale, {}, {}, config.seed);
}

std::vector<EpochStats> train_als(Model& model, const Dataset& data, const std::vector<uint32_t>& indices,
                                  const AlsConfig& config, const AlsIterationFn& on_iteration,
                                  const std::function<bool()>& stop) {
    config.validate();
    if (model.config().objective != Objective::Implicit || model.dim() != config.factors ||
        model.users() != data.users.size() || model.items() != data.items.size())
        throw ConfigError("train_als: the model must come from als_model with the data's users and items");
    std::vector<int32_t> pu, pi;
    for (uint32_t k : indices)
        if (config.feedback.positive(data.rating[k])) {
            pu.push_back(data.user[k]);
            pi.push_back(data.item[k]);
        }
    const RowLists by_user = row_lists(pu, pi, model.users());
    const RowLists by_item = row_lists(pi, pu, model.items());
    Param& X = model.user_table().params()[0];
    Param& Y = model.item_table().params()[0];
    std::vector<EpochStats> history;
    for (int it = 1; it <= config.iterations; ++it) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!solve_side(X, Y, by_user, config, stop) || !solve_side(Y, X, by_item, config, stop)) break;
        EpochStats e;
        e.epoch = it;
        e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        e.ratings_per_second = e.seconds > 0 ? double(indices.size()) / e.seconds : 0;
        e.train_loss = als_loss(X, Y, by_user, config) / double(std::max<size_t>(1, pu.size()));
        history.push_back(e);
        if (on_iteration && !on_iteration(e)) break;
    }
    return history;
}

}  // namespace memrec
