#include "memrec/fold_in.h"

#include "memrec/error.h"
#include "memrec/implicit_fit.h"
#include "memrec/linalg.h"
#include "memrec/recommend.h"

namespace memrec {

FoldIn::FoldIn(const Model& model, const VisitorOptions& options, const AlignedVector<float>* item_vectors)
    : model_(model),
      options_(options),
      owned_item_vectors_(item_vectors ? AlignedVector<float>() : model.item_vectors()),
      item_vectors_(item_vectors ? *item_vectors : owned_item_vectors_) {
    if (implicit()) {
        gram_ = implicit_gram(item_vectors_.data(), model.items(), model.item_table().stride(), model.dim());
        return;
    }
    prior_ = user_prior(model);
    const int n = model.dim() + (model.user_bias() ? 1 : 0);
    prior_covariance_.assign(prior_.precision.size(), 0.0);
    std::vector<double> work(prior_.precision.size());
    if (!linalg::invert_spd(prior_.precision.data(), prior_covariance_.data(), n, work.data()))
        throw Error("fold-in: the visitor prior's precision is not positive definite");
}

FoldIn::Visitor FoldIn::fit(const std::vector<VisitorRating>& ratings) const {
    Visitor v;
    v.ratings = ratings;
    if (implicit()) {
        std::vector<std::pair<int32_t, float>> rated;
        for (const VisitorRating& r : ratings) rated.push_back({r.item, r.rating});
        const ImplicitConfig& c = model_.config().implicit;
        v.profile.vector = fit_implicit_user(item_vectors_, model_.items(), model_.item_table().stride(),
                                             model_.dim(), gram_, c, implicit_positives(rated, c));
        return v;
    }
    v.profile = fit_visitor(model_, item_vectors_, ratings, prior_, options_);
    return v;
}

std::vector<float> FoldIn::scores(const Visitor& visitor) const {
    if (implicit()) return score_items(model_, visitor.profile.vector.data(), -1, item_vectors_);
    std::vector<float> out(static_cast<size_t>(model_.items()));
    score_visitor(model_, item_vectors_, visitor.profile, out.data());
    return out;
}

std::vector<float> FoldIn::scores(const std::vector<VisitorRating>& ratings) const { return scores(fit(ratings)); }

}  // namespace memrec
