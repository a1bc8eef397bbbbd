// --eval-data FILE: train on --data whole and evaluate on a separate ratings file (published splits such
// as ml-100k's u1.base / u1.test), with the ids of FILE that training never saw counted and reported.
#pragma once

#include <cstdint>
#include <string>

#include "cli.h"
#include "memrec/model_file.h"
#include "memrec/split.h"

namespace memrec::cli {

struct EvalDataCounts {
    int64_t lines = 0;           // ratings in the eval file (after --duplicates merging)
    int64_t unseen_users = 0;    // distinct users of the eval file not in the training data
    int64_t unseen_items = 0;    // distinct items likewise
    int64_t user_ratings = 0;    // eval ratings whose user is unseen
    int64_t item_ratings = 0;    // eval ratings whose item is unseen
    int64_t dropped = 0;         // eval ratings with an unseen user or item (not evaluated)
    int64_t kept = 0;            // eval ratings evaluated
};

// Reads opts.eval_data like --data (same reading flags), appends its ratings whose user and item `data`
// knows to `data`'s columns and returns the split: every rating of `data` for training, the appended
// ones for eval. The others are counted in `counts` and said on stdout (stderr when quiet). Throws
// UsageError when none is left.
Split attach_eval_data(Dataset& data, const DataOptions& opts, bool quiet, EvalDataCounts* counts = nullptr,
                       const Warn& to = {});

// --eval-data when given, else the usual random split of `data`.
Split split_or_eval_data(Dataset& data, const DataOptions& opts, bool quiet, EvalDataCounts* counts = nullptr,
                         const Warn& to = {});

// The line saying what was counted: "eval data: u1.test: 20,000 ratings, 0 users and 3 items unseen in
// training (their 4 ratings not evaluated), 19,996 evaluated".
std::string eval_data_text(const std::string& path, const EvalDataCounts& c, const std::string& seen_by = "");

// memrec eval MODEL --eval-data FILE: FILE (opts.eval_data, read with opts' reading flags) mapped through
// the model's vocabularies and evaluated; its ratings whose user or item the model lacks are counted in
// `counts` ("unseen by the model") and not evaluated. `path` gets the ratings file read. Throws
// UsageError when no rating is left.
Metrics evaluate_on_file(const ModelFile& f, const DataOptions& opts, int threads, EvalDataCounts& counts,
                         std::string& path);

}  // namespace memrec::cli
