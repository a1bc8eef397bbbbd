// Fitting a new visitor's user vector with the item vectors frozen.
//
// The prediction is nonlinear in the user vector (scale * sigmoid(u.v + b)), so the ridge-regression
// closed form does not apply exactly. We minimise the squared error plus a Gaussian prior fitted to the
// trained users (a MAP estimate) with damped Gauss-Newton (Levenberg-Marquardt): with
// J_i = d pred_i / d theta = scale * s_i (1 - s_i) [v_i; 1], each step solves
// (sum J_i J_i' + l2 P + mu diag) delta = -(sum e_i J_i + l2 P (theta - theta0)) by Cholesky (memrec/linalg.h).
// With the linear link (scale / 2 + u.v + b) J_i = [v_i; 1]: the loss is quadratic, the same steps solve it.
// theta has at most dim + 1 entries (65 for the reference), so a step costs n dim^2 + dim^3 / 3 flops,
// and a handful of steps converge: well under a millisecond natively.
#include <algorithm>
#include <cmath>
#include <string>

#include "memrec/error.h"
#include "memrec/kernels.h"
#include "memrec/linalg.h"
#include "memrec/pq.h"
#include "memrec/visitor.h"

namespace memrec {

namespace {

// The fixed part of each rating's logit: global and item biases.
float fixed_logit(const Model& model, int32_t item) {
    float z = 0;
    if (model.global_bias()) z += model.global_bias()->data[0];
    if (model.item_bias()) z += model.item_bias()->row(item)[0];
    return z;
}

}  // namespace

VisitorPrior user_prior(const Model& model, double shrinkage) {
    const int s = model.user_table().stride();
    const int dim = model.dim();
    const bool with_bias = model.user_bias() != nullptr;
    const int n = dim + (with_bias ? 1 : 0);
    VisitorPrior prior;
    prior.vector.assign(size_t(s), 0.0f);
    prior.precision.assign(size_t(n) * size_t(n), 0.0);
    for (int a = 0; a < n; ++a) prior.precision[size_t(a) * size_t(n) + size_t(a)] = 1.0;
    const int64_t users = model.users();
    if (users < 2) return prior;

    // Mean, then covariance, of theta = [user vector; user bias] over every trained user: two passes over
    // the users, the second accumulating centred outer products row by row, in float (the sums of 6,040
    // products of centred values lose nothing that matters for a prior).
    const int ns = padded_cols(n);
    constexpr int64_t kChunk = 256;
    AlignedVector<float> buf(size_t(kChunk) * size_t(s)), d(size_t(ns), 0.0f), acc(size_t(n) * size_t(ns), 0.0f);
    std::vector<int32_t> ids(kChunk);
    std::vector<double> mean(static_cast<size_t>(n), 0.0);
    for (int pass = 0; pass < 2; ++pass) {
        for (int64_t begin = 0; begin < users; begin += kChunk) {
            const int64_t m = std::min(kChunk, users - begin);
            for (int64_t i = 0; i < m; ++i) ids[size_t(i)] = static_cast<int32_t>(begin + i);
            model.user_table().lookup(ids.data(), m, buf.data());
            for (int64_t i = 0; i < m; ++i) {
                const float* u = buf.data() + i * s;
                const float b = with_bias ? model.user_bias()->row(begin + i)[0] : 0.0f;
                if (pass == 0) {
                    for (int c = 0; c < dim; ++c) mean[size_t(c)] += u[c];
                    if (with_bias) mean[size_t(dim)] += b;
                    continue;
                }
                for (int c = 0; c < dim; ++c) d[size_t(c)] = static_cast<float>(u[c] - mean[size_t(c)]);
                if (with_bias) d[size_t(dim)] = static_cast<float>(b - mean[size_t(dim)]);
                // Written out rather than kernels::axpy: the compiler vectorises it, and in the wasm build
                // (JS-based exceptions) an out-of-line call inside this scope would cost a trip through JS.
                const float* dp = d.data();
                for (int a = 0; a < n; ++a) {
                    float* row = acc.data() + size_t(a) * size_t(ns);
                    const float da = dp[a];
                    for (int c = 0; c < ns; ++c) row[c] += da * dp[c];
                }
            }
        }
        if (pass == 0)
            for (auto& x : mean) x /= double(users);
    }
    for (int c = 0; c < dim; ++c) prior.vector[size_t(c)] = static_cast<float>(mean[size_t(c)]);
    if (with_bias) prior.bias = static_cast<float>(mean[size_t(dim)]);
    std::vector<double> cov(size_t(n) * size_t(n));
    double trace = 0;
    for (int a = 0; a < n; ++a)
        for (int c = 0; c < n; ++c) {
            // Symmetrised: the two triangles were summed in different orders.
            const double v = 0.5 * (double(acc[size_t(a) * size_t(ns) + size_t(c)]) + acc[size_t(c) * size_t(ns) + size_t(a)]) /
                             double(users - 1);
            cov[size_t(a) * size_t(n) + size_t(c)] = v;
            if (a == c) trace += v;
        }
    // Shrink towards a multiple of the identity so the covariance is well conditioned even when the users
    // span fewer directions than dim (a QR table with few buckets, an untrained model).
    const double ridge = std::max(shrinkage * trace / n, 1e-12);
    for (int a = 0; a < n; ++a) cov[size_t(a) * size_t(n) + size_t(a)] += ridge;
    // precision = cov^-1; a degenerate covariance keeps the identity.
    std::vector<double> work(cov.size());
    linalg::invert_spd(cov.data(), prior.precision.data(), n, work.data());
    return prior;
}

VisitorProfile fit_visitor(const Model& model, const AlignedVector<float>& item_vectors,
                           const std::vector<VisitorRating>& ratings, const VisitorPrior& prior,
                           const VisitorOptions& options) {
    const int stride = model.item_table().stride();
    const int dim = model.dim();
    const float scale = model.scale();
    if (item_vectors.size() != size_t(model.items()) * size_t(stride))
        throw ConfigError("visitor: item vectors do not match the model (" + std::to_string(item_vectors.size()) +
                          " floats, expected " + std::to_string(model.items() * stride) + ")");
    const bool with_bias = model.user_bias() != nullptr;
    const int n_theta = dim + (with_bias ? 1 : 0);
    if (prior.vector.size() != size_t(stride) || prior.precision.size() != size_t(n_theta) * size_t(n_theta))
        throw ConfigError("visitor: the prior does not match the model (use user_prior())");
    if (!(options.l2 > 0.0f)) throw ConfigError("visitor: l2 must be positive");
    const size_t n = ratings.size();
    std::vector<const float*> v(n);
    std::vector<float> target(n), fixed(n);
    for (size_t i = 0; i < n; ++i) {
        const auto& r = ratings[i];
        if (r.item < 0 || r.item >= model.items())
            throw ConfigError("visitor: item index " + std::to_string(r.item) + " is out of range (0.." +
                              std::to_string(model.items() - 1) + ")");
        if (!std::isfinite(r.rating)) throw ConfigError("visitor: a rating is not a number");
        v[i] = item_vectors.data() + size_t(r.item) * size_t(stride);
        target[i] = std::clamp(r.rating, 0.0f, scale);
        fixed[i] = fixed_logit(model, r.item);
    }

    VisitorProfile out;
    out.vector = prior.vector;
    out.bias = with_bias ? prior.bias : 0.0f;
    const double l2 = options.l2;

    // theta - theta0 and P (theta - theta0) for the prior term.
    std::vector<double> delta(static_cast<size_t>(n_theta)), pdelta(static_cast<size_t>(n_theta));
    auto prior_term = [&](const AlignedVector<float>& u, float b) {
        for (int c = 0; c < dim; ++c) delta[size_t(c)] = double(u[size_t(c)]) - prior.vector[size_t(c)];
        if (with_bias) delta[size_t(dim)] = double(b) - prior.bias;
        double reg = 0;
        for (int a = 0; a < n_theta; ++a) {
            double p = 0;
            for (int c = 0; c < n_theta; ++c) p += prior.precision[size_t(a) * size_t(n_theta) + size_t(c)] * delta[size_t(c)];
            pdelta[size_t(a)] = p;
            reg += delta[size_t(a)] * p;
        }
        return reg;
    };

    // Loss at (u, b), filling residuals and the link's slopes (and pdelta) when `fill`. With the linear
    // link the loss is quadratic: Gauss-Newton's model of it is exact, and the damped steps approach its
    // minimum in a few iterations.
    std::vector<double> e(n), w(n);
    auto loss_at = [&](const AlignedVector<float>& u, float b, bool fill) {
        double loss = 0;
        for (size_t i = 0; i < n; ++i) {
            const LinkAt at = model.link_at(kernels::dot(u.data(), v[i], stride) + b + fixed[i]);
            const double err = at.value<double>() - target[i];
            loss += err * err;
            if (fill) {
                e[i] = err;
                w[i] = at.chain(1.0);
            }
        }
        return loss + l2 * prior_term(u, b);
    };

    out.loss = loss_at(out.vector, out.bias, true);
    if (n == 0) return out;

    std::vector<double> H(size_t(n_theta) * size_t(n_theta)), g(static_cast<size_t>(n_theta)), A, x,
        work(size_t(n_theta) * size_t(n_theta));
    AlignedVector<float> trial(size_t(stride), 0.0f);
    double mu = 1e-3;
    for (int it = 0; it < options.max_iterations; ++it) {
        // Gauss-Newton normal equations around the current point.
        std::fill(H.begin(), H.end(), 0.0);
        std::fill(g.begin(), g.end(), 0.0);
        for (size_t i = 0; i < n; ++i) {
            const double wi = w[i];
            for (int a = 0; a < n_theta; ++a) {
                const double ja = wi * (a < dim ? v[i][a] : 1.0f);
                g[size_t(a)] += e[i] * ja;
                for (int c = 0; c <= a; ++c) H[size_t(a) * n_theta + c] += ja * wi * (c < dim ? v[i][c] : 1.0f);
            }
        }
        prior_term(out.vector, out.bias);
        for (int a = 0; a < n_theta; ++a) {
            g[size_t(a)] += l2 * pdelta[size_t(a)];
            for (int c = 0; c <= a; ++c) H[size_t(a) * n_theta + c] += l2 * prior.precision[size_t(a) * n_theta + c];
            for (int c = 0; c < a; ++c) H[size_t(c) * n_theta + a] = H[size_t(a) * n_theta + c];
        }
        // Damped step: shrink the damping after a success, grow it until the loss goes down.
        bool improved = false;
        for (int tries = 0; tries < 12 && !improved; ++tries) {
            A = H;
            x.assign(g.begin(), g.end());
            for (int a = 0; a < n_theta; ++a) A[size_t(a) * n_theta + a] += mu * (1.0 + H[size_t(a) * n_theta + a]);
            if (!linalg::solve_spd(A.data(), x.data(), n_theta, work.data())) {
                mu *= 4;
                continue;
            }
            for (int c = 0; c < dim; ++c) trial[size_t(c)] = static_cast<float>(out.vector[size_t(c)] - x[size_t(c)]);
            const float trial_bias = with_bias ? static_cast<float>(out.bias - x[size_t(dim)]) : 0.0f;
            const double loss = loss_at(trial, trial_bias, false);
            if (loss < out.loss) {
                const double previous = out.loss;
                out.vector.swap(trial);
                out.bias = trial_bias;
                out.loss = loss_at(out.vector, out.bias, true);
                out.iterations = it + 1;
                mu = std::max(mu / 3, 1e-9);
                improved = true;
                if ((previous - loss) <= options.tolerance * previous) return out;
            } else {
                mu *= 4;
            }
        }
        if (!improved) break;  // at a minimum to float precision
    }
    return out;
}

void score_visitor(const Model& model, const AlignedVector<float>& item_vectors, const VisitorProfile& visitor,
                   float* out) {
    const int stride = model.item_table().stride();
    if (item_vectors.size() != size_t(model.items()) * size_t(stride) || visitor.vector.size() != size_t(stride))
        throw ConfigError("visitor: vectors do not match the model");
    if (const ProductCodes* pq = model.item_codes()) {  // from the codes: per-subspace lookup tables
        pq->dots(visitor.vector.data(), out);
        for (int64_t j = 0; j < model.items(); ++j)
            out[j] = model.output(model.logit_from_dot(out[j], -1, static_cast<int32_t>(j)) + visitor.bias);
        return;
    }
    for (int64_t j = 0; j < model.items(); ++j) {
        const float z = model.logit(visitor.vector.data(), item_vectors.data() + j * stride, -1,
                                    static_cast<int32_t>(j)) +
                        visitor.bias;
        out[j] = model.output(z);
    }
}

}  // namespace memrec
