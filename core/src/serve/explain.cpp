// Why an item is recommended to a folded-in visitor: its score split into one term per rated item
// (memrec/fold_in.h gives the algebra). Both model kinds share one shape: term_j = weight_j * f_i' K f_j,
// with f the item's features (its vector, plus a 1 for the user bias of a rating model) and K a kernel
// matrix: A^-1 of the visitor's ALS system (implicit), the prior's covariance P^-1 (rating).
#include <algorithm>
#include <string>

#include "memrec/error.h"
#include "memrec/fold_in.h"
#include "memrec/implicit_fit.h"
#include "memrec/kernels.h"
#include "memrec/linalg.h"

namespace memrec {

struct FoldIn::Terms {
    int n = 0;                    // features per item
    std::vector<double> kernel;   // n x n, row-major, symmetric
    std::vector<double> weight;   // per rating; 0: no term
};

namespace {

// The first n features of item `item`: its vector, then a 1 when n exceeds the dimension (user bias).
void features(const AlignedVector<float>& item_vectors, int stride, int dim, int n, int32_t item, double* f) {
    const float* v = item_vectors.data() + size_t(item) * size_t(stride);
    for (int a = 0; a < dim; ++a) f[a] = v[a];
    if (n > dim) f[dim] = 1.0;
}

}  // namespace

FoldIn::Terms FoldIn::terms(const Visitor& visitor) const {
    const int dim = model_.dim(), stride = model_.item_table().stride();
    const std::vector<VisitorRating>& ratings = visitor.ratings;
    Terms t;
    t.weight.assign(ratings.size(), 0.0);
    for (const VisitorRating& r : ratings)
        if (r.item < 0 || r.item >= model_.items())
            throw ConfigError("explain: item index " + std::to_string(r.item) + " out of range");
    if (!implicit()) {
        // At the fit's minimum: theta - theta0 = sum_j (r_j - pred_j) s'_j / l2 * P^-1 [v_j; 1], with s'_j
        // the link's slope (1 for the linear link).
        t.n = dim + (model_.user_bias() ? 1 : 0);
        t.kernel = prior_covariance_;
        const float scale = model_.scale();
        for (size_t j = 0; j < ratings.size(); ++j) {
            const float* v = item_vectors_.data() + size_t(ratings[j].item) * size_t(stride);
            const float z =
                model_.logit(visitor.profile.vector.data(), v, -1, ratings[j].item) + visitor.profile.bias;
            const LinkAt at = model_.link_at(z);
            const double residual = std::clamp(ratings[j].rating, 0.0f, scale) - at.value<double>();
            t.weight[j] = at.chain(residual) / options_.l2;
        }
        return t;
    }
    // x = A^-1 (1 + alpha) sum_{j in P} y_j: each positive's weight is 1 + alpha, once per item.
    const ImplicitConfig& c = model_.config().implicit;
    std::vector<int32_t> positives;
    for (size_t j = 0; j < ratings.size(); ++j)
        if (c.positive(ratings[j].rating) &&
            std::find(positives.begin(), positives.end(), ratings[j].item) == positives.end()) {
            positives.push_back(ratings[j].item);
            t.weight[j] = 1.0 + c.alpha;
        }
    t.n = dim;
    AlignedVector<float> workspace(static_cast<size_t>(implicit_workspace_floats(dim, int64_t(positives.size())))),
        b(static_cast<size_t>(dim));
    implicit_system(item_vectors_.data(), stride, dim, gram_.data(), float(c.alpha), float(c.lambda),
                    positives.data(), int64_t(positives.size()), workspace.data(), b.data());
    const size_t d = size_t(dim);
    std::vector<double> A(d * d), work(d * d);
    for (size_t col = 0; col < d; ++col)
        for (size_t row = col; row < d; ++row) A[row * d + col] = A[col * d + row] = workspace[col * d + row];
    t.kernel.assign(d * d, 0.0);
    if (!linalg::invert_spd(A.data(), t.kernel.data(), dim, work.data()))
        throw Error("explain: the visitor's system is not positive definite (non-finite item vectors?)");
    return t;
}

FoldIn::ScoreTerms FoldIn::explain(const Terms& t, const Visitor& visitor, int32_t item) const {
    if (item < 0 || item >= model_.items())
        throw ConfigError("explain: item index " + std::to_string(item) + " out of range");
    const int dim = model_.dim(), stride = model_.item_table().stride(), n = t.n;
    std::vector<double> fi(static_cast<size_t>(n)), k_fi(static_cast<size_t>(n), 0.0), fj(static_cast<size_t>(n));
    features(item_vectors_, stride, dim, n, item, fi.data());
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) k_fi[size_t(a)] += t.kernel[size_t(a) * size_t(n) + size_t(b)] * fi[size_t(b)];
    ScoreTerms out;
    out.terms.assign(visitor.ratings.size(), 0.0);
    for (size_t j = 0; j < visitor.ratings.size(); ++j) {
        if (t.weight[j] == 0.0) continue;
        features(item_vectors_, stride, dim, n, visitor.ratings[j].item, fj.data());
        double dot = 0;
        for (int a = 0; a < n; ++a) dot += k_fi[size_t(a)] * fj[size_t(a)];
        out.terms[j] = t.weight[j] * dot;
    }
    if (!implicit())  // the prior's own logit for the item
        out.rest = model_.logit(prior_.vector.data(), item_vectors_.data() + size_t(item) * size_t(stride), -1, item) +
                   prior_.bias;
    return out;
}

FoldIn::ScoreTerms FoldIn::explain(const Visitor& visitor, int32_t item) const {
    return explain(terms(visitor), visitor, item);
}

std::vector<int32_t> FoldIn::because(const Visitor& visitor, const std::vector<int32_t>& items, float liked) const {
    const Terms t = terms(visitor);
    std::vector<int32_t> out;
    for (int32_t item : items) {
        const ScoreTerms s = explain(t, visitor, item);
        int32_t best = -1;
        for (size_t j = 0; j < s.terms.size(); ++j)
            if (visitor.ratings[j].rating >= liked && s.terms[j] > 0 && (best < 0 || s.terms[j] > s.terms[size_t(best)]))
                best = int32_t(j);
        out.push_back(best);
    }
    return out;
}

}  // namespace memrec
