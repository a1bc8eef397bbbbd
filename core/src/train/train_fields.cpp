#include "memrec/train_fields.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <type_traits>

namespace memrec {

namespace {

constexpr uint64_t kMaxCount = std::numeric_limits<int32_t>::max();

template <class T>
constexpr FieldType type_of() {
    if constexpr (std::is_same_v<T, int>) return FieldType::Int;
    else if constexpr (std::is_same_v<T, int64_t>) return FieldType::Int64;
    else if constexpr (std::is_same_v<T, uint64_t>) return FieldType::U64;
    else if constexpr (std::is_same_v<T, double>) return FieldType::F64;
    else if constexpr (std::is_same_v<T, bool>) return FieldType::Bool;
    else {
        static_assert(std::is_same_v<T, AdamMode>, "a setting of a type the formats cannot store");
        return FieldType::AdamMode;
    }
}

// An entry for a TrainConfig member (M) or an AdamConfig member (A); the FieldType follows the member's type.
template <auto M, class T, class C>
TrainField train(T C::*, const char* name, const char* key, uint64_t max, uint8_t model_since,
                 uint8_t checkpoint_since, bool must_match) {
    return {name, key, type_of<T>(), [](TrainConfig& t) -> void* { return &(t.*M); },
            max, model_since, checkpoint_since, must_match};
}
template <auto A, class T>
TrainField adam(T AdamConfig::*, const char* name, const char* key, uint8_t model_since, uint8_t checkpoint_since) {
    return {name, key, type_of<T>(), [](TrainConfig& t) -> void* { return &(t.adam.*A); },
            0, model_since, checkpoint_since, true};
}
#define MEMREC_TRAIN(member, ...) train<&TrainConfig::member>(&TrainConfig::member, __VA_ARGS__)
#define MEMREC_ADAM(member, ...) adam<&AdamConfig::member>(&AdamConfig::member, __VA_ARGS__)

}  // namespace

const std::vector<TrainField>& train_fields() {
    // name, key, [largest value,] model file version, checkpoint version[, must match to resume]
    static const std::vector<TrainField> fields = {
        MEMREC_TRAIN(epochs, "epochs", "epochs", kMaxCount, 1, 1, false),  // resume may raise the target
        MEMREC_TRAIN(batch_size, "batch size", "batchSize", kMaxCount, 1, 1, true),
        MEMREC_ADAM(learning_rate, "learning rate", "learningRate", 1, 1),
        MEMREC_ADAM(beta1, "Adam beta1", "beta1", 1, 1),
        MEMREC_ADAM(beta2, "Adam beta2", "beta2", 1, 1),
        MEMREC_ADAM(epsilon, "Adam epsilon", "epsilon", 1, 1),
        MEMREC_ADAM(mode, "Adam mode", "adam", 1, 1),
        MEMREC_ADAM(weight_decay, "weight decay", "weightDecay", 1, 1),
        MEMREC_ADAM(l2, "L2", "l2", 1, 1),
        MEMREC_ADAM(l2_bias, "bias L2", "l2Bias", 1, 1),
        MEMREC_ADAM(l2_user, "user L2", "l2User", 2, 1),
        MEMREC_ADAM(l2_item, "item L2", "l2Item", 2, 1),
        MEMREC_TRAIN(threads, "threads", "threads", 1 << 16, 1, 1, false),  // a machine's, not the run's
        MEMREC_TRAIN(seed, "seed", "shuffleSeed", 0, 1, 1, true),
        MEMREC_TRAIN(shuffle, "shuffling", "shuffle", 0, 1, 1, true),
        MEMREC_TRAIN(early_stopping, "early stopping", "earlyStopping", kMaxCount, 1, 1, true),
        MEMREC_TRAIN(validation_fraction, "validation fraction", "validationFraction", 0, 1, 1, false),
        MEMREC_ADAM(lr_decay, "learning-rate decay", "lrDecay", 2, 2),
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
    }
    return "?";
}

bool same_value(const TrainField& f, const TrainConfig& a, const TrainConfig& b) {
    switch (f.type) {
        case FieldType::Int: return field_ref<int>(f, a) == field_ref<int>(f, b);
        case FieldType::Int64: return field_ref<int64_t>(f, a) == field_ref<int64_t>(f, b);
        case FieldType::U64: return field_ref<uint64_t>(f, a) == field_ref<uint64_t>(f, b);
        case FieldType::F64: return field_ref<double>(f, a) == field_ref<double>(f, b);
        case FieldType::Bool: return field_ref<bool>(f, a) == field_ref<bool>(f, b);
        case FieldType::AdamMode: return field_ref<AdamMode>(f, a) == field_ref<AdamMode>(f, b);
    }
    return false;
}

}  // namespace memrec
