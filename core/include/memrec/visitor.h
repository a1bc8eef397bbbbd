// A new visitor: someone who is not in the model's user table but has rated a few items. Their user
// vector (and user bias, when the model has user biases) is fitted from those ratings with every item
// vector frozen, then used like any user's vector to score the catalogue. This is what the browser demo
// runs each time a visitor rates a movie, so it must take milliseconds, not more, for a few dozen ratings.
#pragma once

#include <cstdint>
#include <vector>

#include "memrec/model.h"
#include "memrec/param.h"

namespace memrec {

struct VisitorRating {
    int32_t item = 0;  // dense item index
    float rating = 0;
};

// What a visitor's taste is before they rate anything: a Gaussian fitted to the trained users, with mean
// theta0 (the typical user: mean user vector and user bias) and precision P (the inverse covariance), so
// the fit moves a visitor along the directions real users differ in rather than arbitrary ones.
struct VisitorPrior {
    AlignedVector<float> vector;     // mean user vector, stride() floats, padding zero
    float bias = 0;                  // mean user bias (0 when the model has none)
    std::vector<double> precision;   // n x n row-major, n = dim() (+ 1 with user biases)
};

struct VisitorOptions {
    // Weight of the prior, in squared rating units (the rating noise variance of a MAP estimate): the loss
    // is sum_i (scale * sigmoid(u.v_i + b + biases_i) - r_i)^2 + l2 * (theta - theta0)' P (theta - theta0)
    // with theta = [u; b]. 0.5 is near the best held-out RMSE for 3 to 30 ratings on ml-1m for both
    // reference models (a visitor with 10 ratings: 0.93 against 0.99 for the typical user).
    float l2 = 0.5f;
    int max_iterations = 20;  // damped Gauss-Newton steps
    float tolerance = 1e-7f;  // stop when the relative loss decrease falls below this
};

struct VisitorProfile {
    AlignedVector<float> vector;  // stride() floats, padding zero
    float bias = 0;               // the visitor's user bias (0 when the model has none)
    double loss = 0;              // final value of the regularised loss
    int iterations = 0;
};

// The prior from every trained user: their mean, and the inverse of their covariance after shrinking it
// by `shrinkage` x (mean variance) on the diagonal. Costs users x dim^2: compute once per model.
VisitorPrior user_prior(const Model& model, double shrinkage = 0.05);

// Fits a visitor's vector to `ratings` (dense item indices; ratings outside the scale are clipped to it).
// `item_vectors` is Model::item_vectors() (items() x stride()). Throws ConfigError on an item index out of
// range or a non-finite rating. With no ratings, returns the prior.
VisitorProfile fit_visitor(const Model& model, const AlignedVector<float>& item_vectors,
                           const std::vector<VisitorRating>& ratings, const VisitorPrior& prior,
                           const VisitorOptions& options = {});

// Predicted rating of every item for a fitted visitor: out[0..items()).
void score_visitor(const Model& model, const AlignedVector<float>& item_vectors, const VisitorProfile& visitor,
                   float* out);

}  // namespace memrec
