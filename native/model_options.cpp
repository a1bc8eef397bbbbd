#include <sstream>
#include <thread>
#include <tuple>

#include "cli.h"
#include "memrec/error.h"

namespace memrec::cli {

namespace {

// A list the flag's validator has checked (whole numbers >= 1 separated by commas).
template <class T>
std::vector<T> parse_list(const std::string& s) {
    std::vector<T> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');) out.push_back(static_cast<T>(std::stoll(item)));
    return out;
}

}  // namespace

int default_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

void ModelOptions::add_to(CLI::App& app, bool with_model_flags) {
    if (with_model_flags) add_model_flags(app);
    add_training_flags(app);
    if (with_model_flags) add_objective_flags(app);
}

void ModelOptions::add_objective_flags(CLI::App& app) {
    app.add_option("--objective", objective,
                   "rating (squared error on ratings, the default) | als (implicit ALS on positives: full tables, "
                   "dim 64, alpha 3, lambda 30, 10 iterations unless given) | bpr (Bayesian personalised "
                   "ranking with Adam: any item table; see docs/ranking.md)")
        ->check(CLI::IsMember({"rating", "als", "bpr"}));
    app.add_option("--als-alpha", als_alpha, "ALS (and a BPR model's fold-in): confidence of a positive is 1 + alpha (default 3)");
    app.add_option("--als-lambda", als_lambda, "ALS (and a BPR model's fold-in): L2 weight of every user and item vector (default 30)");
    app.add_option("--iterations", iterations, "ALS iterations (default: --epochs if given, else 10)");
    app.add_flag("--all-rated-positive", all_rated_positive, "ALS: every rated item is a positive");
}

void ModelOptions::add_model_flags(CLI::App& app) {
    app.add_option("--preset", preset,
                   "starting configuration: baseline | memeff | large | small | tiny | fast | fast-linear "
                   "(rating) | rank | rank-small | rank-tiny | rank-32k (ALS, top N)")
        ->capture_default_str();
    app.add_option("--user-table", user_table, "user table kind: full | qr | md | hash");
    app.add_option("--item-table", item_table, "item table kind: full | qr | md | hash");
    app.add_option("--dim", dim, "embedding dim (the base dim of mixed-dimension tables)");
    app.add_option("--user-buckets", user_buckets, "qr/hash buckets of the user table (qr default: users / 50)");
    app.add_option("--item-buckets", item_buckets, "qr/hash buckets of the item table (qr default: items / 50)");
    app.add_option("--combiner", combiner, "quotient-remainder combiner: mult | add | concat");
    app.add_option("--blocks", blocks, "mixed-dimension block ends in frequency order, e.g. 400,1700");
    app.add_option("--block-dims", block_dims, "mixed-dimension dim per block, e.g. 64,32,16 (default: alpha rule)");
    app.add_option("--alpha", alpha, "alpha of the power rule for block dims when --block-dims is not given");
    app.add_option("--user-budget", user_budget,
                   "parameter budget of a mixed-dimension user table: the alpha rule scaled to fit it");
    app.add_option("--item-budget", item_budget,
                   "parameter budget of a mixed-dimension item table: the alpha rule scaled to fit it");
    app.add_flag("--no-projection-bias", no_projection_bias, "mixed-dimension projections without bias");
    app.add_flag("--biases", biases, "add a global bias and per-user and per-item biases");
    app.add_option("--link", link,
                   "a rating model's output: sigmoid (scale * sigmoid(logit), the reference's) | linear "
                   "(scale / 2 + logit, as LIBMF's dot product)")
        ->check(CLI::IsMember({"sigmoid", "linear"}));
}

namespace {

// The table flags on top of one of the preset's tables.
void apply_table_flags(const ModelOptions& o, TableConfig& t) {
    if (o.dim) t.dim = *o.dim;
    if (!o.combiner.empty()) t.combiner = parse_combiner(o.combiner);
    if (t.kind != TableKind::MixedDimension) return;
    if (!o.blocks.empty()) t.block_ends = parse_list<int64_t>(o.blocks);
    if (!o.block_dims.empty()) t.block_dims = parse_list<int>(o.block_dims);
    else if (!o.blocks.empty() || o.alpha) t.block_dims.clear();
    if (o.alpha) t.alpha = *o.alpha;
    if (o.no_projection_bias) t.projection_bias = false;
    if (t.dim != 64 && o.block_dims.empty() && !t.block_dims.empty()) {
        // The preset's fixed dims assume 64: scale them with the base dim.
        for (int& d : t.block_dims) d = std::max(1, d * t.dim / 64);
    }
}

// A parameter budget sizes the blocks by the alpha rule, so it is a choice between flags the core cannot
// see: refused here with the flags' names.
void apply_budget(TableConfig& t, const std::optional<int64_t>& budget, bool explicit_dims, const char* flag) {
    if (!budget) return;
    if (!t.block_dims.empty() && explicit_dims)
        throw UsageError(std::string(flag) + " and --block-dims both size the blocks: give one of them");
    if (t.kind != TableKind::MixedDimension)
        throw UsageError(std::string(flag) + " needs a mixed-dimension table (md), this one is " + to_string(t.kind));
    t.param_budget = *budget;
    t.block_dims.clear();
}

void apply_model_flags(const ModelOptions& o, Preset& p) {
    ModelConfig& m = p.model;
    // A table kind given: the kind's defaults (mixed-dimension: the reference's blocks, written for
    // ml-1m's vocabulary and fitted to the data's by fit_to_data).
    auto apply_kind = [](TableConfig& t, int64_t& blocks_for, int64_t reference, const std::string& kind) {
        if (kind.empty()) return;
        t = TableConfig{};
        t.kind = parse_table_kind(kind);
        if (t.kind == TableKind::MixedDimension) t.block_ends = {400, 1700};
        blocks_for = t.kind == TableKind::MixedDimension ? reference : 0;
    };
    apply_kind(m.user, p.user_blocks_for, kReferenceUsers, o.user_table);
    apply_kind(m.item, p.item_blocks_for, kReferenceItems, o.item_table);
    if (!o.blocks.empty()) p.user_blocks_for = p.item_blocks_for = 0;  // the ends given are the ends
    apply_table_flags(o, m.user);
    apply_table_flags(o, m.item);
    apply_budget(m.user, o.user_budget, !o.block_dims.empty(), "--user-budget");
    apply_budget(m.item, o.item_budget, !o.block_dims.empty(), "--item-budget");
    if (o.user_buckets) m.user.buckets = *o.user_buckets;
    if (o.item_buckets) m.item.buckets = *o.item_buckets;
    if (o.biases) m.global_bias = m.user_bias = m.item_bias = true;
    if (!o.link.empty()) m.link = parse_link(o.link);
}

// Table flags that only some kinds read (--blocks: mixed-dimension; --user-buckets: quotient-remainder or
// hashed...): given for tables of other kinds they would change nothing, so they are refused, naming the
// flag and the kinds the tables are.
void refuse_unused_table_flags(const ModelOptions& o, const ModelConfig& m) {
    auto kinds = [&]() {
        return std::string("user ") + to_string(m.user.kind) + ", item " + to_string(m.item.kind);
    };
    const bool md = m.user.kind == TableKind::MixedDimension || m.item.kind == TableKind::MixedDimension;
    const bool qr = m.user.kind == TableKind::QuotientRemainder || m.item.kind == TableKind::QuotientRemainder;
    for (const auto& [flag, given] : {std::pair{"--blocks", !o.blocks.empty()},
                                      std::pair{"--block-dims", !o.block_dims.empty()},
                                      std::pair{"--alpha", o.alpha.has_value()},
                                      std::pair{"--no-projection-bias", o.no_projection_bias}})
        if (given && !md)
            throw UsageError(std::string(flag) + " shapes mixed-dimension tables, and neither table is one (" +
                             kinds() + "): give --item-table md (or --user-table md), or leave " + flag + " out");
    if (!o.combiner.empty() && !qr)
        throw UsageError("--combiner joins a quotient-remainder table's two parts, and neither table is one (" +
                         kinds() + "): give --item-table qr (or --user-table qr), or leave --combiner out");
    for (const auto& [side, buckets, t] : {std::tuple{"user", o.user_buckets.has_value(), &m.user},
                                           std::tuple{"item", o.item_buckets.has_value(), &m.item}})
        if (buckets && t->kind != TableKind::QuotientRemainder && t->kind != TableKind::Hashed)
            throw UsageError(std::string("--") + side + "-buckets sizes a qr or hash " + side +
                             " table, and this one is " + to_string(t->kind) + ": give --" + side +
                             "-table qr (or hash), or leave --" + side + "-buckets out");
}

void apply_training_flags(const ModelOptions& o, TrainConfig& t) {
    o.training.apply(t);
    // A preset's thread count is the machine's it was written on: all cores here unless given.
    t.threads = o.training.given<int>("--threads").value_or(default_threads());
}

}  // namespace

namespace {

// BPR's defaults where no flag is given (tuned on the validation slice, docs/ranking.md).
constexpr double kBprFoldInAlpha = 3.0, kBprFoldInLambda = 1000.0;
constexpr int kBprEpochs = 20;
constexpr int64_t kBprBatch = 1024;
constexpr double kBprLearningRate = 0.01, kBprL2 = 0.01;

// --objective als or an ALS preset (rank, rank-small, rank-tiny): full tables and the ALS settings (the
// preset's, else the prototype's best on ml-1m, unless given); the iterations are the TrainConfig's
// epochs, which is how model files record them.
void apply_bpr_flags(const ModelOptions& o, Preset& p);

void apply_objective_flags(const ModelOptions& o, Preset& p) {
    const bool ranking =
        o.objective == "als" || o.objective == "bpr" || p.model.objective != Objective::Rating;
    if (!o.link.empty() && ranking)
        throw UsageError("--link sets a rating model's output: leave it out with --objective als or bpr and "
                         "the rank presets (they score by the logit itself)");
    if (o.objective == "bpr" || p.model.objective == Objective::Bpr) return apply_bpr_flags(o, p);
    const bool als_preset = p.model.objective == Objective::Implicit;
    if (o.objective != "als" && !als_preset) {
        if (o.als_alpha || o.als_lambda || o.iterations || o.all_rated_positive)
            throw UsageError("--als-alpha, --als-lambda, --iterations and --all-rated-positive need --objective als");
        return;
    }
    if (!o.user_table.empty() || !o.item_table.empty() || o.biases)
        throw UsageError("--objective als trains full tables without biases: leave out --user-table, "
                         "--item-table and --biases");
    if (o.training.given<int>("--early-stopping"))
        throw UsageError("--early-stopping does not apply to --objective als");
    ModelConfig m = als_preset ? p.model : ModelConfig{};
    m.user.dim = m.item.dim = o.dim.value_or(als_preset ? p.model.item.dim : 64);
    m.objective = Objective::Implicit;
    if (o.als_alpha) m.implicit.alpha = *o.als_alpha;
    if (o.als_lambda) m.implicit.lambda = *o.als_lambda;
    if (o.positive_threshold) m.implicit.positive_threshold = *o.positive_threshold;
    m.implicit.all_rated_positive = m.implicit.all_rated_positive || o.all_rated_positive;
    if (!als_preset) {
        p.name.clear();  // no preset describes the model
        p.description.clear();
    }
    p.model = m;
    p.train.epochs = o.iterations.value_or(o.training.given<int>("--epochs").value_or(als_preset ? p.train.epochs : 10));
    p.train.early_stopping = 0;
}

// --objective bpr: the table flags as given (the user table stays full), no biases; the fold-in's alpha and
// lambda from --als-alpha/--als-lambda; BPR's own training defaults (docs/ranking.md) where no flag is given.
void apply_bpr_flags(const ModelOptions& o, Preset& p) {
    if (!o.user_table.empty() && o.user_table != "full")
        throw UsageError("--objective bpr folds users in: the user table is full (leave out --user-table)");
    if (o.biases) throw UsageError("--objective bpr has no biases: leave out --biases");
    if (o.iterations) throw UsageError("--iterations is ALS's: give --epochs for --objective bpr");
    if (o.training.given<int>("--early-stopping"))
        throw UsageError("--early-stopping does not apply to --objective bpr");
    ModelConfig& m = p.model;
    m.objective = Objective::Bpr;
    m.global_bias = m.user_bias = m.item_bias = false;
    m.user = TableConfig{};
    m.user.dim = m.item.dim;
    m.implicit = ImplicitConfig{};
    m.implicit.alpha = o.als_alpha.value_or(kBprFoldInAlpha);
    m.implicit.lambda = o.als_lambda.value_or(kBprFoldInLambda);
    if (o.positive_threshold) m.implicit.positive_threshold = *o.positive_threshold;
    m.implicit.all_rated_positive = o.all_rated_positive;
    TrainConfig& t = p.train;
    t.epochs = o.training.given<int>("--epochs").value_or(kBprEpochs);
    t.batch_size = o.training.given<int64_t>("--batch").value_or(kBprBatch);
    t.adam.learning_rate = o.training.given<double>("--lr").value_or(kBprLearningRate);
    t.adam.mode = o.training.given<AdamMode>("--adam").value_or(AdamMode::Lazy);
    t.adam.l2 = o.training.given<double>("--l2").value_or(kBprL2);
    t.early_stopping = 0;
    p.name.clear();  // no preset describes the model
    p.description.clear();
}

}  // namespace

Preset ModelOptions::build(const std::string& preset_name) const {
    Preset p = memrec::preset(preset_name);
    apply_model_flags(*this, p);
    refuse_unused_table_flags(*this, p.model);
    apply_training_flags(*this, p.train);
    apply_objective_flags(*this, p);
    return p;
}

void fit_preset_to_data(Preset& p, const Dataset& data) {
    try {
        fit_to_data(p, data.users.size(), data.items.size());
    } catch (const ConfigError& e) {
        throw UsageError(std::string(e.what()) + ": choose another kind with --user-table or --item-table");
    }
    for (const auto& [side, t, rows] : {std::tuple{"user", &p.model.user, int64_t(data.users.size())},
                                        std::tuple{"item", &p.model.item, int64_t(data.items.size())}}) {
        if (t->kind != TableKind::MixedDimension || t->block_ends.empty() || t->block_ends.back() < rows) continue;
        std::string ends;
        for (int64_t e : t->block_ends) ends += (ends.empty() ? "" : ",") + std::to_string(e);
        throw UsageError(std::string("the ") + side + " table's mixed-dimension block ends (--blocks " + ends +
                         ") do not fit the data's " + format_count(rows) + " " + side +
                         "s: they must increase strictly within 1.." + std::to_string(rows - 1));
    }
}

}  // namespace memrec::cli
