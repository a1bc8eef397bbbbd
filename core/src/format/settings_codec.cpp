#include "settings_codec.h"

#include <algorithm>

#include "memrec/enum_codes.h"
#include "memrec/model_file.h"
#include "memrec/train_fields.h"

namespace memrec::detail {

namespace {

// Calls `each(field)` for the fields a file of `version` holds, in the order it holds them.
template <class Each>
void in_file_order(uint32_t version, uint8_t TrainField::*since, Each each) {
    for (uint32_t v = 1; v <= version; ++v)
        for (const TrainField& f : train_fields())
            if (f.*since == v) each(f);
}

}  // namespace

bool read_flag(ByteReader& r, const std::string& field) {
    const uint8_t v = r.u8(field);
    if (v > 1) r.fail(field, "expected 0 or 1, got " + std::to_string(v));
    return v == 1;
}

uint64_t checked_count(const ByteReader& r, uint64_t count, size_t width, const std::string& field) {
    if (count > r.remaining() / width)
        r.fail(field, "count " + std::to_string(count) + " needs " + std::to_string(count) + " x " +
                          std::to_string(width) + " bytes, " + std::to_string(r.remaining()) + " left");
    return count;
}

void write_model_settings(ByteWriter& w, const TrainConfig& t, uint32_t version) {
    in_file_order(version, &TrainField::model_since, [&](const TrainField& f) {
        switch (f.type) {
            case FieldType::Int: w.varint(static_cast<uint64_t>(std::max(0, field_ref<int>(f, t)))); break;
            case FieldType::Int64: w.varint(static_cast<uint64_t>(std::max<int64_t>(0, field_ref<int64_t>(f, t)))); break;
            case FieldType::U64: w.u64(field_ref<uint64_t>(f, t)); break;
            case FieldType::F64: w.f64(field_ref<double>(f, t)); break;
            case FieldType::Bool: w.u8(field_ref<bool>(f, t) ? 1 : 0); break;
            case FieldType::AdamMode: w.u8(enum_entry(kAdamModes, field_ref<AdamMode>(f, t)).code); break;
            case FieldType::Optimizer: w.u8(enum_entry(kOptimizers, field_ref<Optimizer>(f, t)).code); break;
        }
    });
}

void read_model_settings(ByteReader& r, TrainConfig& t, uint32_t version) {
    in_file_order(version, &TrainField::model_since, [&](const TrainField& f) {
        switch (f.type) {
            case FieldType::Int: field_ref<int>(f, t) = static_cast<int>(r.varint_in(f.name, 0, f.max)); break;
            case FieldType::Int64: field_ref<int64_t>(f, t) = static_cast<int64_t>(r.varint_in(f.name, 0, f.max)); break;
            case FieldType::U64: field_ref<uint64_t>(f, t) = r.u64(f.name); break;
            case FieldType::F64: field_ref<double>(f, t) = r.f64(f.name); break;
            case FieldType::Bool: field_ref<bool>(f, t) = read_flag(r, f.name); break;
            case FieldType::AdamMode: field_ref<AdamMode>(f, t) = read_code(r, kAdamModes, f.name); break;
            case FieldType::Optimizer: field_ref<Optimizer>(f, t) = read_code(r, kOptimizers, f.name); break;
        }
    });
}

void write_checkpoint_settings(ByteWriter& w, const TrainConfig& t) {
    in_file_order(kCheckpointVersion, &TrainField::checkpoint_since, [&](const TrainField& f) {
        switch (f.type) {
            case FieldType::Int: w.u32(static_cast<uint32_t>(field_ref<int>(f, t))); break;
            case FieldType::Int64: w.u64(static_cast<uint64_t>(field_ref<int64_t>(f, t))); break;
            case FieldType::U64: w.u64(field_ref<uint64_t>(f, t)); break;
            case FieldType::F64: w.f64(field_ref<double>(f, t)); break;
            case FieldType::Bool: w.u8(field_ref<bool>(f, t) ? 1 : 0); break;
            case FieldType::AdamMode: w.str32(to_string(field_ref<AdamMode>(f, t))); break;
            case FieldType::Optimizer: w.str32(to_string(field_ref<Optimizer>(f, t))); break;
        }
    });
}

void read_checkpoint_settings(ByteReader& r, TrainConfig& t, uint32_t version) {
    in_file_order(version, &TrainField::checkpoint_since, [&](const TrainField& f) {
        const std::string field = std::string("train.") + f.key;
        switch (f.type) {
            case FieldType::Int: field_ref<int>(f, t) = static_cast<int32_t>(r.u32(field)); break;
            case FieldType::Int64: field_ref<int64_t>(f, t) = static_cast<int64_t>(r.u64(field)); break;
            case FieldType::U64: field_ref<uint64_t>(f, t) = r.u64(field); break;
            case FieldType::F64: field_ref<double>(f, t) = r.f64(field); break;
            case FieldType::Bool: field_ref<bool>(f, t) = read_flag(r, field); break;
            case FieldType::AdamMode: field_ref<AdamMode>(f, t) = read_named(r, kAdamModes, field, "Adam mode"); break;
            case FieldType::Optimizer: field_ref<Optimizer>(f, t) = read_named(r, kOptimizers, field, "optimizer"); break;
        }
    });
}

}  // namespace memrec::detail
