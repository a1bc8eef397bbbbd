#include "memrec/fold_in.h"

#include "memrec/implicit_fit.h"
#include "memrec/recommend.h"

namespace memrec {

FoldIn::FoldIn(const Model& model, const VisitorOptions& options, const AlignedVector<float>* item_vectors)
    : model_(model),
      options_(options),
      owned_item_vectors_(item_vectors ? AlignedVector<float>() : model.item_vectors()),
      item_vectors_(item_vectors ? *item_vectors : owned_item_vectors_) {
    if (model.config().objective == Objective::Implicit)
        gram_ = implicit_gram(item_vectors_.data(), model.items(), model.item_table().stride(), model.dim());
    else
        prior_ = user_prior(model);
}

std::vector<float> FoldIn::scores(const std::vector<VisitorRating>& ratings) const {
    if (model_.config().objective == Objective::Implicit) {
        std::vector<std::pair<int32_t, float>> rated;
        for (const VisitorRating& r : ratings) rated.push_back({r.item, r.rating});
        const ImplicitConfig& c = model_.config().implicit;
        const AlignedVector<float> x = fit_implicit_user(item_vectors_, model_.items(), model_.item_table().stride(),
                                                         model_.dim(), gram_, c, implicit_positives(rated, c));
        return score_items(model_, x.data(), -1, item_vectors_);
    }
    const VisitorProfile visitor = fit_visitor(model_, item_vectors_, ratings, prior_, options_);
    std::vector<float> out(static_cast<size_t>(model_.items()));
    score_visitor(model_, item_vectors_, visitor, out.data());
    return out;
}

}  // namespace memrec
