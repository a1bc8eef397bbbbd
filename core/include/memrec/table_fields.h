// The table settings as data: one entry per TableConfig field, the single declaration that drives the
// model file's table codec (core/src/format/config_codec.cpp), the checkpoint's (checkpoint.cpp), the
// "settings differ" check of `train --resume` (settings_difference) and `memrec inspect`'s table lines.
//
// Adding a table setting: the member (embedding.h), one entry in table_fields.cpp, the CLI flag. Model
// files store a built table's config (block dims resolved, so no alpha or budget), checkpoints the config
// the run was started with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memrec/field_ref.h"
#include "memrec/embedding.h"

namespace memrec {

// How a setting is held in memory (and so how each format encodes it).
enum class TableFieldType : uint8_t { Kind, Int, Int64, Combiner, BlockEnds, BlockDims, F64, Bool };

struct TableField {
    const char* name;  // "block dims": model-file errors ("item.blocks"), settings differences, inspect
    const char* key;   // "block_dims": checkpoint errors ("model.item.block_dims")
    TableFieldType type;
    void* (*ref)(TableConfig&);  // the member this entry describes, of `type`
    uint8_t kinds;               // the table kinds it means something for (bit 1 << kind; all: 0xff)
    uint64_t max;                // Int/Int64 in model files: the largest value (1 is the least)
    uint8_t model_since;         // the model file format version that added it; 0: model files omit it
    uint8_t checkpoint_since;    // the checkpoint version that added it
};

// In the order both formats store them: the kind first, as it decides which fields model files hold.
const std::vector<TableField>& table_fields();

constexpr uint8_t kind_bit(TableKind k) { return static_cast<uint8_t>(1u << static_cast<unsigned>(k)); }
// Whether `f` means something for `c`: its kind, and alpha only when the block dims are not given.
bool applies(const TableField& f, const TableConfig& c);
// field_ref<T>(f, c) (field_ref.h) is the member `f` describes, of the type its TableFieldType names.

// The value as text: numbers in decimal (doubles shortest), lists comma-separated or "(none)", booleans
// "on"/"off", enumerations by name.
std::string field_text(const TableField& f, const TableConfig& c);
bool same_value(const TableField& f, const TableConfig& a, const TableConfig& b);

// One line for people: "qr, dim 64, 120 buckets, mult combiner"; mixed-dimension blocks as id ranges of a
// table of `rows` with their dims ("blocks 0..399 @64 400..1699 @32").
std::string describe_table(const TableConfig& c, int64_t rows);

}  // namespace memrec
