// Top-N evaluation on the command line (memrec/topn.h): the --protocol and --positive-threshold flags of
// eval and train, the visitors split re-built from a model's data or read from `memrec split` files, and
// the table of a model's figures beside the popularity baseline's.
#pragma once

#include <string>
#include <vector>

#include "cli.h"
#include "memrec/model_file.h"
#include "memrec/topn.h"

namespace memrec::cli {

struct TopNOptions {
    std::string protocol;  // "" (none), "visitors" or "ratings"
    float positive_threshold = 4.0f;
    void add_to(CLI::App& app, const std::string& protocol_help);
    bool visitors() const { return protocol == "visitors"; }
};

// The visitors split's share of held-out users and fold-in fraction (issue 12).
constexpr double kHeldOutUsers = 0.1, kFoldInFraction = 0.8;

// Cases to rank with the item counts that rank popularity, in the model's item indices.
struct TopNCases {
    bool visitors = false;  // fold in each case's known ratings, else use its user's vector
    std::vector<RankingCase> cases;
    std::vector<int64_t> item_counts;
};

// For `train --protocol visitors`: holds the visitors out of `data`, which becomes the training users'
// data, and `split` a validation slice (split.eval, `validation_fraction` of it) of those users' ratings
// for the per-epoch figures. Returns the visitors' cases.
TopNCases hold_out_visitors(Dataset& data, Split& split, const DataOptions& opts, double validation_fraction,
                            float positive_threshold, bool quiet);

// For `eval --protocol visitors`: the model's data re-read (stored_data_options) and its visitors split
// with the split seed (warns when the model was trained on some of them).
TopNCases model_visitor_cases(const ModelFile& file, const DataOptions& opts, const CLI::App& app,
                              float positive_threshold, bool quiet);

// For `eval --split DIR`: the visitors of DIR/foldin.csv and DIR/targets.csv (`memrec split`).
TopNCases split_dir_cases(const ModelFile& file, const std::string& dir, float positive_threshold);

// The cases ranked by the model (folded in or with its users' vectors) and by popularity.
struct TopNReport {
    bool visitors = false;
    TopNMetrics model, popularity;
};
TopNReport rank_topn(const Model& model, const TopNCases& cases, int threads);
void print_topn(const TopNReport& report, float positive_threshold);

// rank_topn then print_topn; returns the report (for the model file's metrics).
TopNReport print_topn(const Model& model, const TopNCases& cases, float positive_threshold, int threads);

// For `train --protocol`: print_topn when a protocol was given, and the model's figures to store in its
// file (protocol "" when none was given).
RankingFigures rank_for_file(const Model& model, const TopNCases& cases, const TopNOptions& options, int threads);

}  // namespace memrec::cli
