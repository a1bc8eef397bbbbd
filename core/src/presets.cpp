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

}  // namespace

std::vector<std::string> preset_names() { return {"baseline", "memeff"}; }

Preset preset(const std::string& name) {
    if (name == "baseline") return baseline();
    if (name == "memeff") return memeff();
    std::string known;
    for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("unknown preset '" + name + "' (known: " + known + ")");
}

}  // namespace memrec
