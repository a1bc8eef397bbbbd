#include "memrec/error.h"
#include "memrec/presets.h"

namespace memrec {

namespace {

TrainConfig reference_training() {
    TrainConfig t;
    t.epochs = 3;
    t.batch_size = 128;
    t.adam.learning_rate = 0.001;
    t.adam.mode = AdamMode::Dense;
    return t;
}

Preset baseline() {
    Preset p{"baseline", "the reference's model A: full 64-dim user and item tables", {}, reference_training()};
    p.model.user.kind = TableKind::Full;
    p.model.item.kind = TableKind::Full;
    return p;
}

Preset memeff() {
    Preset p{"memeff",
             "the reference's model B: quotient-remainder users (users/50 buckets, mult), mixed-dimension "
             "items (blocks 400 / 1300 / rest at 64 / 32 / 16 dims)",
             {},
             reference_training()};
    p.model.user.kind = TableKind::QuotientRemainder;
    p.model.user.buckets = 0;  // rows / 50, as the reference
    p.model.user.combiner = Combiner::Mult;
    p.model.item.kind = TableKind::MixedDimension;
    p.model.item.block_ends = {400, 1700};
    p.model.item.block_dims = {64, 32, 16};
    p.model.item.projection_bias = true;
    return p;
}

// Beyond the reference: biases, lazy Adam with lazy L2, and the epoch chosen by early stopping on a 5%
// validation slice of the training split (docs/accuracy.md has the measurements behind these choices).
TrainConfig tuned_training() {
    TrainConfig t;
    t.epochs = 40;  // at most: early stopping picks the epoch
    t.batch_size = 128;
    t.adam.learning_rate = 0.001;
    t.adam.mode = AdamMode::Lazy;
    t.adam.l2 = 0.001;
    t.early_stopping = 3;
    t.validation_fraction = 0.05;
    return t;
}

Preset with_biases(Preset p) {
    p.model.global_bias = p.model.user_bias = p.model.item_bias = true;
    return p;
}

Preset small() {
    Preset p{"small", "at most 118,000 parameters: full 10-dim tables with biases, L2, early stopping", {},
             tuned_training()};
    p.model.user.dim = p.model.item.dim = 10;
    return with_biases(p);
}

Preset tiny() {
    Preset p{"tiny", "an int8 model file of at most 64 KB: quotient-remainder users, full items, 8 dims, biases",
             {}, tuned_training()};
    p.model.user.kind = TableKind::QuotientRemainder;
    p.model.user.dim = p.model.item.dim = 8;
    return with_biases(p);
}

}  // namespace

std::vector<std::string> preset_names() { return {"baseline", "memeff", "small", "tiny"}; }

Preset preset(const std::string& name) {
    if (name == "baseline") return baseline();
    if (name == "memeff") return memeff();
    if (name == "small") return small();
    if (name == "tiny") return tiny();
    std::string known;
    for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("unknown preset '" + name + "' (known: " + known + ")");
}

}  // namespace memrec
