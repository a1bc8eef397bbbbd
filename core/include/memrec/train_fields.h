// The training settings as data: one entry per TrainConfig field, the single declaration that drives the
// model file's and the checkpoint's codecs (core/src/format/settings_codec.cpp), the "settings differ"
// check of `train --resume` (settings_difference), `memrec inspect` and the bindings' info().
//
// It also gives each setting the range of values it may take, which TrainConfig::validate checks and the
// CLI's flags check when parsed (native/value_checks.cpp), so a range is written once.
//
// Adding a setting: the member (trainer.h or adam.h), one entry in train_fields.cpp, the CLI flag (one line
// in native/training_flags.cpp). A new entry is appended with `model_since`/`checkpoint_since` set to the
// format versions that first store it (files of older versions read it at the member's default).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "memrec/field_ref.h"
#include "memrec/trainer.h"

namespace memrec {

// How a setting is held in memory (and so how each format encodes it).
enum class FieldType : uint8_t { Int, Int64, U64, F64, Bool, AdamMode, Optimizer };

// The values a number setting may take: lo..hi, either end open. Integers are checked against lo (their
// text says so: "at least 1") and at most hi.
struct Range {
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    bool lo_open = false, hi_open = false;
    const char* text = nullptr;  // "a positive number", "in (0, 1]": messages say "must be <text>"; null: any
    bool below_unset = false;    // a value below lo means "not set" (the table L2s: use L2); no flag gives one
};

struct TrainField {
    const char* name;   // "learning rate": file errors, settings differences, inspect
    const char* key;    // "learningRate": the bindings' info() and checkpoint errors ("train.learningRate")
    FieldType type;
    void* (*ref)(TrainConfig&);  // the member this entry describes, of `type`
    uint64_t max;       // Int/Int64 fields: the largest value a model file may hold (0 is the least)
    uint8_t model_since;       // the model file format version that added it (0: not stored)
    uint8_t checkpoint_since;  // the checkpoint version that added it (0: not stored)
    bool must_match;    // train --resume refuses a checkpoint whose value differs
    Range range;
};

// In the order both formats store them (each groups the fields by the version that added them).
const std::vector<TrainField>& train_fields();

// field_ref<T>(f, t) (field_ref.h) is the member `f` describes; T must be the type its FieldType names
// (int, int64_t, uint64_t, double, bool, AdamMode, Optimizer).

// The value as text: integers in decimal, doubles as the shortest text that reads back the same,
// booleans "on"/"off", Adam modes by name.
std::string field_text(const TrainField& f, const TrainConfig& t);
// What is wrong with `v` as a value of `f` ("must be at least 1"), or "" if it is in the field's range (a
// flag's value: below_unset does not apply).
std::string range_problem(const TrainField& f, double v);
// Every number setting of `t` in its field's range, else ConfigError "learning rate must be a positive
// number, got 0".
void check_ranges(const TrainConfig& t);
bool same_value(const TrainField& f, const TrainConfig& a, const TrainConfig& b);
void copy_value(const TrainField& f, const TrainConfig& from, TrainConfig& to);
// The shortest decimal text that reads back as `v` (also used for other settings' messages).
std::string shortest_number(double v);

}  // namespace memrec
