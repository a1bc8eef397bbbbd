// The training settings (train_fields.h, settings_codec.cpp) and the table settings (table_fields.h,
// table_codec.cpp) in the two binary formats, field by field from their lists: model files store integers
// as varints and enumerations as codes, checkpoints store fixed-width integers and enumerations by name.
// Each writes the fields grouped by the format version that added them.
#pragma once

#include <cstdint>

#include "byte_io.h"
#include "memrec/enum_codes.h"
#include "memrec/trainer.h"

namespace memrec::detail {

// The checkpoint format version this build writes (checkpoint.cpp); the settings codec writes the fields
// of every version up to it.
constexpr uint32_t kCheckpointVersion = 5;

// An enumeration stored as its u8 code (model files), else FormatError "expected 0 (full), ..., got N".
template <class E, size_t N>
E read_code(ByteReader& r, const EnumEntry<E> (&table)[N], const std::string& field) {
    const uint8_t code = r.u8(field);
    if (const auto* e = enum_by_code(table, code)) return e->value;
    r.fail(field, "expected " + enum_list(table, true) + ", got " + std::to_string(code));
}

// An enumeration stored by name (checkpoints), else FormatError "unknown WHAT 'x' (expected a, b or c)".
template <class E, size_t N>
E read_named(ByteReader& r, const EnumEntry<E> (&table)[N], const std::string& field, const char* what) {
    const std::string name = r.str32(field);
    if (const auto* e = enum_by_name(table, name)) return e->value;
    r.fail(field, "unknown " + std::string(what) + " '" + name + "' (expected " + enum_list(table, false) + ")");
}

// A u8 that must be 0 or 1.
bool read_flag(ByteReader& r, const std::string& field);
// `count` values of `width` bytes each must fit in what remains: checked before anything is allocated.
uint64_t checked_count(const ByteReader& r, uint64_t count, size_t width, const std::string& field);

// Writes the fields a model file of `version` holds (the version the file is written at).
void write_model_settings(ByteWriter& w, const TrainConfig& t, uint32_t version);
// Reads what a model file of `version` holds; fields it predates keep their defaults.
void read_model_settings(ByteReader& r, TrainConfig& t, uint32_t version);

void write_checkpoint_settings(ByteWriter& w, const TrainConfig& t);
void read_checkpoint_settings(ByteReader& r, TrainConfig& t, uint32_t version);

// A model file's table config holds the fields of its kind; `rows` bounds the block ends.
void write_model_table(ByteWriter& w, const TableConfig& c);
TableConfig read_model_table(ByteReader& r, const std::string& table, int64_t rows, uint32_t version);
// A checkpoint's holds every field; errors name "NAME.key".
void write_checkpoint_table(ByteWriter& w, const TableConfig& c);
TableConfig read_checkpoint_table(ByteReader& r, const std::string& name, uint32_t version);

}  // namespace memrec::detail
