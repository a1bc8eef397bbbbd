// The row rules (AdaGrad, SGD) on full tables in LIBMF's order: each example's user and item rows, and its
// bias rows, step as soon as its gradient is known, read and written in place while they are in the cache,
// rather than a batch's gradients gathered into buffers and stepped afterwards (block_schedule.cpp).
//
// Rows that no other thread reaches are the block schedule's premise, so a thread may step them in place.
// The global bias, in every example, is not stepped per example: its gradients add up in its gradient row
// and it steps once a batch (one thread) or once a round with the other threads' sums, as before.
//
// Example by example: z = <u, v> + biases; d = d loss / d z (the batch's sum of squared errors, the row
// rules' loss); then g_u = d v + l2 u and g_v = d u + l2 v from the values before the step, and each row
// steps by its rule (Adam::RowRule). A row in two examples of a batch steps twice, once after each; the
// batched order stepped it once with the sum of both. With one example a batch the two orders are the
// same arithmetic (tests/unit/test_example_steps.cpp holds them to each other).
#pragma once

#include <cstdint>
#include <vector>

#include "memrec/adam.h"
#include "memrec/model.h"

namespace memrec {

class ExampleSteps {
public:
    // Whether the model and the rule take per-example steps: a rating model with full user and item tables,
    // trained by AdaGrad or SGD.
    static bool applies(const Model& model, const Adam& adam);

    explicit ExampleSteps(Model& model);  // the model must be one applies() accepts

    // Trains on n examples (rows as the tables hold them while the epoch runs) at step t: steps the rows of
    // the tables and the per-row biases in place and adds the global bias's gradient to its row of `grads`
    // (whose counts, when it has them, take the rows' update counts). Returns the errors' sums.
    BatchSums run(Adam& adam, std::vector<ParamGrad>& grads, const int32_t* users, const int32_t* items,
                  const float* ratings, int64_t n, int64_t t);

private:
    Model& model_;
    size_t user_ = 0, item_ = 0;
    int global_ = -1, user_bias_ = -1, item_bias_ = -1;  // params() indices, -1 when the model has none
};

}  // namespace memrec
