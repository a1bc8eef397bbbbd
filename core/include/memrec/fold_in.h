// Folding a visitor into a trained model: the one entry point that the demo page (wasm/), the command
// line and the top-N evaluation (memrec/topn.h) all call, so what is evaluated is what a visitor sees.
// Built once per model (the item vectors and the user prior are computed here), then cheap per visitor.
#pragma once

#include <vector>

#include "memrec/model.h"
#include "memrec/visitor.h"

namespace memrec {

class FoldIn {
public:
    // Keeps a reference to `model`, which must outlive this object. `item_vectors` is Model::item_vectors()
    // when the caller already keeps it (it must then outlive this object too); nullptr: computed here.
    explicit FoldIn(const Model& model, const VisitorOptions& options = {},
                    const AlignedVector<float>* item_vectors = nullptr);
    FoldIn(const FoldIn&) = delete;  // item_vectors_ may refer to owned_item_vectors_
    FoldIn& operator=(const FoldIn&) = delete;

    // The model's output for every item (by dense index) for a visitor with these ratings: for a rating
    // model the predicted rating, fit_visitor then score_visitor (memrec/visitor.h); for an implicit model
    // the preference score, fit_implicit_user on the ratings' positives (memrec/implicit_fit.h). Safe to
    // call from several threads at once.
    std::vector<float> scores(const std::vector<VisitorRating>& ratings) const;

    const Model& model() const { return model_; }

private:
    const Model& model_;
    VisitorOptions options_;
    AlignedVector<float> owned_item_vectors_;  // empty when the caller's are used
    const AlignedVector<float>& item_vectors_;
    VisitorPrior prior_;       // rating models
    std::vector<float> gram_;  // implicit models: Y'Y of the item vectors
};

}  // namespace memrec
