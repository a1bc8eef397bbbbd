// The training settings (train_fields.h) in the two binary formats, field by field from the one list:
// model files store integers as varints and the Adam mode as its code, checkpoints store fixed-width
// integers and the mode by name. Each writes the fields grouped by the format version that added them.
#pragma once

#include <cstdint>

#include "byte_io.h"
#include "memrec/enum_codes.h"
#include "memrec/trainer.h"

namespace memrec::detail {

// The checkpoint format version this build writes (checkpoint.cpp); the settings codec writes the fields
// of every version up to it.
constexpr uint32_t kCheckpointVersion = 2;

// An enumeration stored as its u8 code (model files), else FormatError "expected 0 (full), ..., got N".
template <class E, size_t N>
E read_code(ByteReader& r, const EnumEntry<E> (&table)[N], const std::string& field) {
    const uint8_t code = r.u8(field);
    if (const auto* e = enum_by_code(table, code)) return e->value;
    r.fail(field, "expected " + enum_list(table, true) + ", got " + std::to_string(code));
}

// Writes the fields a model file of `version` holds (the version the file is written at).
void write_model_settings(ByteWriter& w, const TrainConfig& t, uint32_t version);
// Reads what a model file of `version` holds; fields it predates keep their defaults.
void read_model_settings(ByteReader& r, TrainConfig& t, uint32_t version);

void write_checkpoint_settings(ByteWriter& w, const TrainConfig& t);
void read_checkpoint_settings(ByteReader& r, TrainConfig& t, uint32_t version);

}  // namespace memrec::detail
