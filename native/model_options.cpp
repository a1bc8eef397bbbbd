#include <cmath>
#include <sstream>
#include <thread>
#include <tuple>

#include "cli.h"
#include "memrec/error.h"

namespace memrec::cli {

namespace {

template <class T>
std::vector<T> parse_list(const std::string& s, const char* flag) {
    std::vector<T> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            size_t used = 0;
            const long long v = std::stoll(item, &used);
            if (used != item.size()) throw std::invalid_argument(item);
            out.push_back(static_cast<T>(v));
        } catch (const std::exception&) {
            throw UsageError(std::string(flag) + ": '" + item + "' is not an integer (expected a list like " +
                             (std::string(flag) == "--blocks" ? "400,1700" : "64,32,16") + ")");
        }
    }
    if (out.empty()) throw UsageError(std::string(flag) + " needs at least one value");
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
}

void ModelOptions::add_model_flags(CLI::App& app) {
    app.add_option("--preset", preset, "starting configuration: baseline | memeff | large | small | tiny")->capture_default_str();
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
}

void ModelOptions::add_training_flags(CLI::App& app) {
    app.add_option("--epochs", epochs, "training epochs");
    app.add_option("--batch", batch, "mini-batch size");
    app.add_option("--lr", lr, "Adam learning rate");
    app.add_option("--adam", adam, "dense (every row steps, as Keras) | lazy (only rows in the batch)");
    app.add_option("--lr-decay", lr_decay, "multiply the learning rate by this after every epoch (1 = constant)");
    app.add_option("--weight-decay", weight_decay, "decoupled weight decay per step (0 = off)");
    app.add_option("--l2", l2, "L2 regularisation on the embedding rows in each batch (0 = off)");
    app.add_option("--l2-user", l2_user, "L2 of the user table's params (default: --l2)");
    app.add_option("--l2-item", l2_item, "L2 of the item table's params (default: --l2)");
    app.add_option("--l2-bias", l2_bias, "L2 regularisation on the user/item bias rows in each batch (0 = off)");
    app.add_option("--early-stopping", early_stopping,
                   "patience: train on train minus a validation slice, keep the best validation epoch, stop "
                   "after this many epochs without improvement (0 = off; --epochs is the maximum)");
    app.add_option("--validation-fraction", validation_fraction,
                   "share of the training split held out for early stopping (default: the preset's, else 0.05)");
    app.add_option("--threads", threads, "training threads (default: all cores)");
    app.add_option("--seed", seed, "seed of initialisation and shuffling")->capture_default_str();
}

Preset ModelOptions::build(const std::string& preset_name) const {
    Preset p = memrec::preset(preset_name);
    auto apply_kind = [](TableConfig& t, const std::string& kind) {
        if (kind.empty()) return;
        t = TableConfig{};
        t.kind = parse_table_kind(kind);
        if (t.kind == TableKind::MixedDimension) t.block_ends = {400, 1700};
    };
    apply_kind(p.model.user, user_table);
    apply_kind(p.model.item, item_table);
    for (TableConfig* t : {&p.model.user, &p.model.item}) {
        if (dim != 0) {
            if (dim < 1) throw UsageError("--dim must be positive, got " + std::to_string(dim));
            t->dim = dim;
        }
        if (!combiner.empty()) t->combiner = parse_combiner(combiner);
        if (t->kind == TableKind::MixedDimension) {
            if (!blocks.empty()) t->block_ends = parse_list<int64_t>(blocks, "--blocks");
            if (!block_dims.empty()) t->block_dims = parse_list<int>(block_dims, "--block-dims");
            else if (!blocks.empty() || alpha >= 0) t->block_dims.clear();
            if (alpha != -1) {
                if (!(alpha >= 0.0 && alpha <= 1.0)) throw UsageError("--alpha must be in [0, 1]");
                t->alpha = alpha;
            }
            if (no_projection_bias) t->projection_bias = false;
            if (t->dim != 64 && block_dims.empty() && !t->block_dims.empty()) {
                // The preset's fixed dims assume 64: scale them with the base dim.
                for (int& d : t->block_dims) d = std::max(1, d * t->dim / 64);
            }
        }
    }
    auto apply_buckets = [](TableConfig& t, int64_t b, const char* flag) {
        if (b == -1) return;
        if (b <= 0) throw UsageError(std::string(flag) + " must be positive, got " + std::to_string(b));
        t.buckets = b;
    };
    const bool explicit_dims = !block_dims.empty();
    auto apply_budget = [explicit_dims](TableConfig& t, int64_t b, const char* flag) {
        if (b == -1) return;
        if (b <= 0) throw UsageError(std::string(flag) + " must be positive, got " + std::to_string(b));
        if (!t.block_dims.empty() && explicit_dims)
            throw UsageError(std::string(flag) + " and --block-dims both size the blocks: give one of them");
        if (t.kind != TableKind::MixedDimension)
            throw UsageError(std::string(flag) + " needs a mixed-dimension table (md), this one is " +
                             to_string(t.kind));
        t.param_budget = b;
        t.block_dims.clear();  // the budget sizes the blocks by the alpha rule
    };
    apply_budget(p.model.user, user_budget, "--user-budget");
    apply_budget(p.model.item, item_budget, "--item-budget");
    apply_buckets(p.model.user, user_buckets, "--user-buckets");
    apply_buckets(p.model.item, item_buckets, "--item-buckets");
    if (biases) p.model.global_bias = p.model.user_bias = p.model.item_bias = true;

    if (epochs != 0) {
        if (epochs < 1) throw UsageError("--epochs must be at least 1, got " + std::to_string(epochs));
        p.train.epochs = epochs;
    }
    if (batch != 0) {
        if (batch < 1) throw UsageError("--batch must be at least 1, got " + std::to_string(batch));
        p.train.batch_size = batch;
    }
    if (lr != 0 || std::isnan(lr)) {
        if (!(lr > 0) || !std::isfinite(lr)) throw UsageError("--lr must be a positive number");
        p.train.adam.learning_rate = lr;
    }
    if (!adam.empty()) p.train.adam.mode = parse_adam_mode(adam);
    if (lr_decay != -1) {
        if (!(lr_decay > 0 && lr_decay <= 1)) throw UsageError("--lr-decay must be in (0, 1]");
        p.train.adam.lr_decay = lr_decay;
    }
    if (weight_decay != -1) {
        if (!(weight_decay >= 0) || !std::isfinite(weight_decay)) throw UsageError("--weight-decay must be >= 0");
        p.train.adam.weight_decay = weight_decay;
    }
    if (l2 != -1) {
        if (!(l2 >= 0) || !std::isfinite(l2)) throw UsageError("--l2 must be >= 0");
        p.train.adam.l2 = l2;
    }
    for (auto [v, flag, dst] : {std::tuple{l2_user, "--l2-user", &p.train.adam.l2_user},
                                std::tuple{l2_item, "--l2-item", &p.train.adam.l2_item}}) {
        if (v == -1) continue;
        if (!(v >= 0) || !std::isfinite(v)) throw UsageError(std::string(flag) + " must be >= 0");
        *dst = v;
    }
    if (l2_bias != -1) {
        if (!(l2_bias >= 0) || !std::isfinite(l2_bias)) throw UsageError("--l2-bias must be >= 0");
        p.train.adam.l2_bias = l2_bias;
    }
    if (early_stopping != -1) {
        if (early_stopping < 0) throw UsageError("--early-stopping must be >= 0");
        p.train.early_stopping = early_stopping;
    }
    if (validation_fraction != -1) {
        if (!(validation_fraction > 0 && validation_fraction < 1)) throw UsageError("--validation-fraction must be in (0, 1)");
        p.train.validation_fraction = validation_fraction;
    }
    if (threads < 0) throw UsageError("--threads must be positive");
    p.train.threads = threads > 0 ? threads : default_threads();
    p.train.seed = seed;
    return p;
}

}  // namespace memrec::cli
