// The training settings' flags, one line each, named by the setting's key in the field list
// (train_fields.h), which gives the flag its type and the range its value is checked against
// (value_checks.cpp). Registering, applying over a preset and sweep's overrides all go by this table, so a
// new setting's flag is its line here.
#include <cstring>
#include <stdexcept>

#include "cli.h"

namespace memrec::cli {

namespace {

struct FlagLine {
    const char* flag;
    const char* key;  // the TrainField it sets
    const char* help;
    bool show_default;  // help shows the built-in default (a setting no preset changes)
};

// In the order help lists them.
constexpr FlagLine kFlags[] = {
    {"--epochs", "epochs", "training epochs", false},
    {"--batch", "batchSize", "mini-batch size", false},
    {"--lr", "learningRate", "Adam learning rate", false},
    {"--optimizer", "optimizer", "adam | adagrad (LIBMF-style, per row) | sgd; the last two train on --threads cores", false},
    {"--adam", "adam", "dense (every row steps, as Keras) | lazy (only rows in the batch)", false},
    {"--lr-decay", "lrDecay", "multiply the learning rate by this after every epoch (1 = constant)", false},
    {"--weight-decay", "weightDecay", "decoupled weight decay per step (0 = off)", false},
    {"--l2", "l2", "L2 regularisation on the embedding rows in each batch (0 = off)", false},
    {"--l2-user", "l2User", "L2 of the user table's params (default: --l2)", false},
    {"--l2-item", "l2Item", "L2 of the item table's params (default: --l2)", false},
    {"--l2-bias", "l2Bias", "L2 regularisation on the user/item bias rows in each batch (0 = off)", false},
    {"--early-stopping", "earlyStopping",
     "patience: train on train minus a validation slice, keep the best validation epoch, stop after this many "
     "epochs without improvement (0 = off; --epochs is the maximum)",
     false},
    {"--validation-fraction", "validationFraction",
     "share of the training split held out for early stopping (default: the preset's, else 0.05)", false},
    {"--threads", "threads",
     "threads (default: all cores): lazy Adam, AdaGrad and SGD train on all of them, dense Adam on at most 2 "
     "(one per side); evaluation uses all",
     false},
    {"--seed", "shuffleSeed", "seed of initialisation and shuffling", true},
    {"--negatives", "bprNegatives", "BPR: negatives sampled per positive", true},
    {"--negative-power", "negativePower", "BPR: negatives drawn by popularity^power (0 = uniform)", true},
};

const TrainField& field_named(const char* key) {
    for (const TrainField& f : train_fields())
        if (std::strcmp(f.key, key) == 0) return f;
    throw std::logic_error(std::string("training flag for an unknown setting '") + key + "'");
}

}  // namespace

const std::vector<TrainingFlag>& training_flags() {
    static const std::vector<TrainingFlag> flags = [] {
        std::vector<TrainingFlag> out;
        for (const FlagLine& l : kFlags) out.push_back({l.flag, l.help, l.show_default, &field_named(l.key)});
        return out;
    }();
    return flags;
}

void TrainingOptions::add_to(CLI::App& app) {
    for (const TrainingFlag& t : training_flags()) {
        const TrainField& f = *t.field;
        CLI::Option* o = nullptr;
        switch (f.type) {
            case FieldType::Int: o = app.add_option(t.flag, field_ref<int>(f, values), t.help); break;
            case FieldType::Int64: o = app.add_option(t.flag, field_ref<int64_t>(f, values), t.help); break;
            case FieldType::U64: o = app.add_option(t.flag, field_ref<uint64_t>(f, values), t.help); break;
            case FieldType::F64: o = app.add_option(t.flag, field_ref<double>(f, values), t.help); break;
            case FieldType::Bool: o = app.add_flag(t.flag, field_ref<bool>(f, values), t.help); break;
            case FieldType::AdamMode:  // by name; value_checks.cpp has refused unknown names by now
                o = app.add_option_function<std::string>(
                    t.flag, [this, &f](const std::string& s) { field_ref<AdamMode>(f, values) = parse_adam_mode(s); },
                    t.help);
                break;
            case FieldType::Optimizer:
                o = app.add_option_function<std::string>(
                    t.flag, [this, &f](const std::string& s) { field_ref<Optimizer>(f, values) = parse_optimizer(s); },
                    t.help);
                break;
        }
        if (t.show_default) o->capture_default_str();
        given_.emplace_back(&t, o);
    }
}

const CLI::Option* TrainingOptions::option(const std::string& flag) const {
    for (const auto& [t, o] : given_)
        if (flag == t->flag) return o;
    throw std::logic_error("no training flag " + flag);
}

void TrainingOptions::apply(TrainConfig& t) const {
    for (const auto& [flag, o] : given_)
        if (o->count() > 0) copy_value(*flag->field, values, t);
}

std::string given_training_flags(const CLI::App& app, const std::string& except) {
    std::string out;
    for (const TrainingFlag& t : training_flags()) {
        const CLI::Option* o = app.get_option_no_throw(t.flag);
        if (t.flag == except || !o || o->count() == 0) continue;
        for (const auto& r : o->results()) out += std::string(" ") + t.flag + " " + r;
    }
    return out;
}

}  // namespace memrec::cli
