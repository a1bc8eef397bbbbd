#include "memrec/fold_in.h"

namespace memrec {

FoldIn::FoldIn(const Model& model, const VisitorOptions& options)
    : model_(model), options_(options), item_vectors_(model.item_vectors()), prior_(user_prior(model)) {}

std::vector<float> FoldIn::scores(const std::vector<VisitorRating>& ratings) const {
    const VisitorProfile visitor = fit_visitor(model_, item_vectors_, ratings, prior_, options_);
    std::vector<float> out(static_cast<size_t>(model_.items()));
    score_visitor(model_, item_vectors_, visitor, out.data());
    return out;
}

}  // namespace memrec
