#include "memrec/train_fields.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <type_traits>

#include "memrec/error.h"

namespace memrec {

namespace {

constexpr uint64_t kMaxCount = std::numeric_limits<int32_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr Range kCount{1, kInf, false, false, "at least 1"};
constexpr Range kOptionalCount{0, kInf, false, false, "0 or more"};
// Batch buffers are allocated at this size: a typo of a few digits must not ask for terabytes.
constexpr Range kBatch{1, 1 << 24, false, false, "at least 1"};
constexpr Range kPositive{0, kInf, true, true, "a positive number"};
constexpr Range kPenalty{0, kInf, false, true, "a number >= 0"};
constexpr Range kTablePenalty{0, kInf, false, true, "a number >= 0", true};  // negative: L2's
constexpr Range kFraction{0, 1, true, true, "in (0, 1)"};
constexpr Range kAny{};

template <class T>
constexpr FieldType type_of() {
    if constexpr (std::is_same_v<T, int>) return FieldType::Int;
    else if constexpr (std::is_same_v<T, int64_t>) return FieldType::Int64;
    else if constexpr (std::is_same_v<T, uint64_t>) return FieldType::U64;
    else if constexpr (std::is_same_v<T, double>) return FieldType::F64;
    else if constexpr (std::is_same_v<T, bool>) return FieldType::Bool;
    else if constexpr (std::is_same_v<T, Optimizer>) return FieldType::Optimizer;
    else {
        static_assert(std::is_same_v<T, AdamMode>, "a setting of a type the formats cannot store");
        return FieldType::AdamMode;
    }
}

// An entry for a TrainConfig member (M) or an AdamConfig member (A); the FieldType follows the member's type.
template <auto M, class T, class C>
TrainField train(T C::*, const char* name, const char* key, uint64_t max, uint8_t model_since,
                 uint8_t checkpoint_since, bool must_match, Range range) {
    return {name, key, type_of<T>(), [](TrainConfig& t) -> void* { return &(t.*M); },
            max, model_since, checkpoint_since, must_match, range};
}
template <auto A, class T>
TrainField adam(T AdamConfig::*, const char* name, const char* key, uint8_t model_since, uint8_t checkpoint_since,
                Range range) {
    return {name, key, type_of<T>(), [](TrainConfig& t) -> void* { return &(t.adam.*A); },
            0, model_since, checkpoint_since, true, range};
}
#define MEMREC_TRAIN(member, ...) train<&TrainConfig::member>(&TrainConfig::member, __VA_ARGS__)
#define MEMREC_ADAM(member, ...) adam<&AdamConfig::member>(&AdamConfig::member, __VA_ARGS__)

}  // namespace

const std::vector<TrainField>& train_fields() {
    // name, key, [largest value,] model file version, checkpoint version[, must match to resume], range
    static const std::vector<TrainField> fields = {
        MEMREC_TRAIN(epochs, "epochs", "epochs", kMaxCount, 1, 1, false, kCount),  // resume may raise the target
        MEMREC_TRAIN(batch_size, "batch size", "batchSize", kMaxCount, 1, 1, true, kBatch),
        MEMREC_ADAM(learning_rate, "learning rate", "learningRate", 1, 1, kPositive),
        MEMREC_ADAM(beta1, "Adam beta1", "beta1", 1, 1, (Range{0, 1, false, true, "in [0, 1)"})),
        MEMREC_ADAM(beta2, "Adam beta2", "beta2", 1, 1, kFraction),
        MEMREC_ADAM(epsilon, "Adam epsilon", "epsilon", 1, 1, kPositive),
        MEMREC_ADAM(mode, "Adam mode", "adam", 1, 1, kAny),
        MEMREC_ADAM(weight_decay, "weight decay", "weightDecay", 1, 1, kPenalty),
        MEMREC_ADAM(l2, "L2", "l2", 1, 1, kPenalty),
        MEMREC_ADAM(l2_bias, "bias L2", "l2Bias", 1, 1, kPenalty),
        MEMREC_ADAM(l2_user, "user L2", "l2User", 2, 1, kTablePenalty),
        MEMREC_ADAM(l2_item, "item L2", "l2Item", 2, 1, kTablePenalty),
        MEMREC_TRAIN(threads, "threads", "threads", 1 << 16, 1, 1, false, kCount),  // a machine's, not the run's
        MEMREC_TRAIN(seed, "seed", "shuffleSeed", 0, 1, 1, true, kOptionalCount),
        MEMREC_TRAIN(shuffle, "shuffling", "shuffle", 0, 1, 1, true, kAny),
        MEMREC_TRAIN(early_stopping, "early stopping", "earlyStopping", kMaxCount, 1, 1, true, kOptionalCount),
        MEMREC_TRAIN(validation_fraction, "validation fraction", "validationFraction", 0, 1, 1, false, kFraction),
        MEMREC_ADAM(lr_decay, "learning-rate decay", "lrDecay", 2, 2, (Range{0, 1, true, false, "in (0, 1]"})),
        MEMREC_ADAM(optimizer, "optimizer", "optimizer", 5, 3, kAny),
        // BPR's (memrec/bpr.h); not in checkpoints, which hold rating models only.
        MEMREC_TRAIN(bpr_negatives, "BPR negatives", "bprNegatives", 1000, 5, 0, true, (Range{1, 1000, false, false, "in 1..1000"})),
        MEMREC_TRAIN(negative_power, "negative sampling power", "negativePower", 0, 5, 0, true, (Range{0, 1, false, false, "in [0, 1]"})),
    };
    return fields;
}

std::string shortest_number(double v) {
    char buf[40];
    for (int digits = 6; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (std::strtod(buf, nullptr) == v || std::isnan(v)) break;
    }
    return buf;
}

std::string field_text(const TrainField& f, const TrainConfig& t) {
    switch (f.type) {
        case FieldType::Int: return std::to_string(field_ref<int>(f, t));
        case FieldType::Int64: return std::to_string(field_ref<int64_t>(f, t));
        case FieldType::U64: return std::to_string(field_ref<uint64_t>(f, t));
        case FieldType::F64: return shortest_number(field_ref<double>(f, t));
        case FieldType::Bool: return field_ref<bool>(f, t) ? "on" : "off";
        case FieldType::AdamMode: return to_string(field_ref<AdamMode>(f, t));
        case FieldType::Optimizer: return to_string(field_ref<Optimizer>(f, t));
    }
    return "?";
}

std::string range_problem(const TrainField& f, double v) {
    const Range& r = f.range;
    if (!r.text) return {};
    const bool integer = f.type == FieldType::Int || f.type == FieldType::Int64 || f.type == FieldType::U64;
    if (integer && v > r.hi) return "must be at most " + shortest_number(r.hi);
    const bool in = (r.lo_open ? v > r.lo : v >= r.lo) && (r.hi_open ? v < r.hi : v <= r.hi);
    return in ? std::string() : std::string("must be ") + r.text;
}

void check_ranges(const TrainConfig& t) {
    for (const TrainField& f : train_fields()) {
        double v = 0;
        switch (f.type) {
            case FieldType::Int: v = field_ref<int>(f, t); break;
            case FieldType::Int64: v = static_cast<double>(field_ref<int64_t>(f, t)); break;
            case FieldType::U64: v = static_cast<double>(field_ref<uint64_t>(f, t)); break;
            case FieldType::F64: v = field_ref<double>(f, t); break;
            case FieldType::Bool:
            case FieldType::AdamMode:
            case FieldType::Optimizer: continue;  // every value is one
        }
        if (f.range.below_unset && v < f.range.lo && std::isfinite(v)) continue;  // not set
        const std::string problem = range_problem(f, v);
        if (!problem.empty()) throw ConfigError(std::string(f.name) + " " + problem + ", got " + field_text(f, t));
    }
}

bool same_value(const TrainField& f, const TrainConfig& a, const TrainConfig& b) {
    switch (f.type) {
        case FieldType::Int: return field_ref<int>(f, a) == field_ref<int>(f, b);
        case FieldType::Int64: return field_ref<int64_t>(f, a) == field_ref<int64_t>(f, b);
        case FieldType::U64: return field_ref<uint64_t>(f, a) == field_ref<uint64_t>(f, b);
        case FieldType::F64: return field_ref<double>(f, a) == field_ref<double>(f, b);
        case FieldType::Bool: return field_ref<bool>(f, a) == field_ref<bool>(f, b);
        case FieldType::AdamMode: return field_ref<AdamMode>(f, a) == field_ref<AdamMode>(f, b);
        case FieldType::Optimizer: return field_ref<Optimizer>(f, a) == field_ref<Optimizer>(f, b);
    }
    return false;
}

void copy_value(const TrainField& f, const TrainConfig& from, TrainConfig& to) {
    switch (f.type) {
        case FieldType::Int: field_ref<int>(f, to) = field_ref<int>(f, from); break;
        case FieldType::Int64: field_ref<int64_t>(f, to) = field_ref<int64_t>(f, from); break;
        case FieldType::U64: field_ref<uint64_t>(f, to) = field_ref<uint64_t>(f, from); break;
        case FieldType::F64: field_ref<double>(f, to) = field_ref<double>(f, from); break;
        case FieldType::Bool: field_ref<bool>(f, to) = field_ref<bool>(f, from); break;
        case FieldType::AdamMode: field_ref<AdamMode>(f, to) = field_ref<AdamMode>(f, from); break;
        case FieldType::Optimizer: field_ref<Optimizer>(f, to) = field_ref<Optimizer>(f, from); break;
    }
}

}  // namespace memrec
