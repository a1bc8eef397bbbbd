// Folding a visitor into a trained model: the one entry point that the demo page (wasm/), the command
// line and the top-N evaluation (memrec/topn.h) all call, so what is evaluated is what a visitor sees.
// Built once per model (the item vectors and the user prior are computed here), then cheap per visitor.
//
// It also says why an item is recommended ("because you liked Alien"): the fitted visitor is linear in
// their ratings' terms, so each item's score splits into one term per rated item plus a part that belongs
// to none (Hu, Koren and Volinsky 2008, section 5). Implicit model: x = A^-1 sum_j c_j p_j y_j with
// A = Y'Y + alpha sum_{j in P} y_j y_j' + lambda I, so score_i = sum_{j in P} (1 + alpha) y_i' A^-1 y_j and
// nothing else. Rating model: at the fit's minimum the gradient vanishes, so theta = theta0 + sum_j
// (r_j - pred_j) s'_j / l2 * P^-1 [v_j; 1] (s'_j the output's slope at rating j, P the prior's precision),
// and the logit of item i is [v_i; 1]' theta0 + biases (the prior's part) plus one term per rating: the
// rating's residual times the prior's covariance between the two items. The score, scale * sigmoid(logit),
// ranks as the logit does.
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

    // A visitor after fold-in: what scores() computes before scoring, kept for explain().
    struct Visitor {
        std::vector<VisitorRating> ratings;
        VisitorProfile profile;  // implicit models: the vector only
    };
    Visitor fit(const std::vector<VisitorRating>& ratings) const;
    std::vector<float> scores(const Visitor& visitor) const;

    // Item `item`'s score for `visitor` split into one term per rating (terms[j] for visitor.ratings[j]; 0
    // for a rating that is no positive of an implicit model, or repeats an item) and `rest`, the part that
    // belongs to no rating. Implicit: rest + sum(terms) is the score (rest is 0). Rating model: it is the
    // logit, to the fit's convergence. Throws ConfigError for an item out of range.
    struct ScoreTerms {
        std::vector<double> terms;
        double rest = 0;
    };
    ScoreTerms explain(const Visitor& visitor, int32_t item) const;

    // For each of `items`, the index in visitor.ratings of the rated item with the largest positive term
    // among those rated at least `liked` ("because you liked ..."), or -1 when none has a positive term.
    std::vector<int32_t> because(const Visitor& visitor, const std::vector<int32_t>& items, float liked = 4.0f) const;

    const Model& model() const { return model_; }

private:
    const Model& model_;
    VisitorOptions options_;
    AlignedVector<float> owned_item_vectors_;  // empty when the caller's are used
    const AlignedVector<float>& item_vectors_;
    VisitorPrior prior_;       // rating models
    std::vector<float> gram_;  // implicit models: Y'Y of the item vectors
    std::vector<double> prior_covariance_;  // rating models: the prior's precision inverted, for explain()

    // Implicit and BPR models: the ALS solve on the item vectors (implicit_fit.h).
    bool implicit() const { return item_side_only(model_.config().objective); }
    struct Terms;  // what explain() shares between items (explain.cpp)
    Terms terms(const Visitor& visitor) const;
    ScoreTerms explain(const Terms& terms, const Visitor& visitor, int32_t item) const;
};

}  // namespace memrec
