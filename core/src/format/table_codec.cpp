// The table settings (table_fields.h) in the two binary formats, field by field from the one list: model
// files store the fields of the table's kind (counts as varints, enumerations as codes, block ends as
// lengths), checkpoints every field at fixed width with enumerations by name.
#include <algorithm>

#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/table_fields.h"
#include "settings_codec.h"

namespace memrec::detail {

void write_model_table(ByteWriter& w, const TableConfig& c) {
    for (const TableField& f : table_fields()) {
        if (f.model_since == 0 || !(f.kinds & kind_bit(c.kind))) continue;
        switch (f.type) {
            case TableFieldType::Kind: w.u8(enum_entry(kTableKinds, c.kind).code); break;
            case TableFieldType::Int: w.varint(static_cast<uint64_t>(field_ref<int>(f, c))); break;
            case TableFieldType::Int64: w.varint(static_cast<uint64_t>(field_ref<int64_t>(f, c))); break;
            case TableFieldType::Combiner: w.u8(enum_entry(kCombiners, field_ref<Combiner>(f, c)).code); break;
            case TableFieldType::BlockEnds: {
                const auto& ends = field_ref<std::vector<int64_t>>(f, c);
                w.varint(ends.size() + 1);  // the blocks, then each but the last one's length
                int64_t prev = 0;
                for (int64_t e : ends) {
                    w.varint(static_cast<uint64_t>(e - prev));
                    prev = e;
                }
                break;
            }
            case TableFieldType::BlockDims:  // one per block, counted by the blocks
                for (int d : field_ref<std::vector<int>>(f, c)) w.varint(static_cast<uint64_t>(d));
                break;
            case TableFieldType::F64: w.f64(field_ref<double>(f, c)); break;
            case TableFieldType::Bool: w.u8(field_ref<bool>(f, c) ? 1 : 0); break;
        }
    }
}

namespace {

// Mixed-dimension block ends from a model file: the block count, then the length of each but the last.
std::vector<int64_t> read_block_ends(ByteReader& r, const std::string& table, int64_t rows) {
    const auto blocks = r.varint_in(table + ".blocks", 1, std::min<uint64_t>(255, uint64_t(rows)));
    std::vector<int64_t> ends;
    int64_t end = 0;
    for (uint64_t b = 0; b + 1 < blocks; ++b) {
        const std::string f = table + ".block" + std::to_string(b) + ".length";
        end += static_cast<int64_t>(r.varint_in(f, 1, uint64_t(rows - 1 - end)));
        if (end >= rows) r.fail(f, "block ends must stay below the rows (" + std::to_string(rows) + ")");
        ends.push_back(end);
    }
    return ends;
}

}  // namespace

TableConfig read_model_table(ByteReader& r, const std::string& table, int64_t rows, uint32_t version) {
    TableConfig c;
    for (const TableField& f : table_fields()) {
        if (f.model_since == 0 || f.model_since > version || !(f.kinds & kind_bit(c.kind))) continue;
        const std::string field = table + "." + f.name;
        switch (f.type) {
            case TableFieldType::Kind: c.kind = read_code(r, kTableKinds, field); break;
            case TableFieldType::Int: field_ref<int>(f, c) = static_cast<int>(r.varint_in(field, 1, f.max)); break;
            case TableFieldType::Int64:
                field_ref<int64_t>(f, c) = static_cast<int64_t>(r.varint_in(field, 1, f.max));
                break;
            case TableFieldType::Combiner:
                field_ref<Combiner>(f, c) = read_code(r, kCombiners, field);
                if (c.combiner == Combiner::Concat && c.dim < 2)
                    r.fail(table + ".dim", "the concat combiner needs dim >= 2");
                break;
            case TableFieldType::BlockEnds: field_ref<std::vector<int64_t>>(f, c) = read_block_ends(r, table, rows); break;
            case TableFieldType::BlockDims: {
                auto& dims = field_ref<std::vector<int>>(f, c);
                for (size_t b = 0; b <= c.block_ends.size(); ++b)
                    dims.push_back(static_cast<int>(
                        r.varint_in(table + ".block" + std::to_string(b) + ".dim", 1, uint64_t(c.dim))));
                break;
            }
            case TableFieldType::F64: field_ref<double>(f, c) = r.f64(field); break;
            case TableFieldType::Bool: field_ref<bool>(f, c) = read_flag(r, field); break;
        }
    }
    return c;
}

void write_checkpoint_table(ByteWriter& w, const TableConfig& c) {
    for (uint32_t v = 1; v <= kCheckpointVersion; ++v)
        for (const TableField& f : table_fields()) {
            if (f.checkpoint_since != v) continue;
            switch (f.type) {
                case TableFieldType::Kind: w.str32(to_string(c.kind)); break;
                case TableFieldType::Int: w.u32(static_cast<uint32_t>(field_ref<int>(f, c))); break;
                case TableFieldType::Int64: w.u64(static_cast<uint64_t>(field_ref<int64_t>(f, c))); break;
                case TableFieldType::Combiner: w.str32(to_string(field_ref<Combiner>(f, c))); break;
                case TableFieldType::BlockEnds: {
                    const auto& ends = field_ref<std::vector<int64_t>>(f, c);
                    w.u32(static_cast<uint32_t>(ends.size()));
                    for (int64_t e : ends) w.u64(static_cast<uint64_t>(e));
                    break;
                }
                case TableFieldType::BlockDims: {
                    const auto& dims = field_ref<std::vector<int>>(f, c);
                    w.u32(static_cast<uint32_t>(dims.size()));
                    for (int d : dims) w.u32(static_cast<uint32_t>(d));
                    break;
                }
                case TableFieldType::F64: w.f64(field_ref<double>(f, c)); break;
                case TableFieldType::Bool: w.u8(field_ref<bool>(f, c) ? 1 : 0); break;
            }
        }
}

TableConfig read_checkpoint_table(ByteReader& r, const std::string& name, uint32_t version) {
    TableConfig c;
    for (uint32_t v = 1; v <= version; ++v)
        for (const TableField& f : table_fields()) {
            if (f.checkpoint_since != v) continue;
            const std::string field = name + "." + f.key;
            switch (f.type) {
                case TableFieldType::Kind: c.kind = read_named(r, kTableKinds, field, "table kind"); break;
                case TableFieldType::Int: field_ref<int>(f, c) = static_cast<int32_t>(r.u32(field)); break;
                case TableFieldType::Int64: field_ref<int64_t>(f, c) = static_cast<int64_t>(r.u64(field)); break;
                case TableFieldType::Combiner:
                    field_ref<Combiner>(f, c) = read_named(r, kCombiners, field, "combiner");
                    break;
                case TableFieldType::BlockEnds: {
                    const uint64_t n = checked_count(r, r.u32(field + " count"), 8, field);
                    for (uint64_t i = 0; i < n; ++i)
                        field_ref<std::vector<int64_t>>(f, c).push_back(static_cast<int64_t>(r.u64(field)));
                    break;
                }
                case TableFieldType::BlockDims: {
                    const uint64_t n = checked_count(r, r.u32(field + " count"), 4, field);
                    for (uint64_t i = 0; i < n; ++i)
                        field_ref<std::vector<int>>(f, c).push_back(static_cast<int32_t>(r.u32(field)));
                    break;
                }
                case TableFieldType::F64: field_ref<double>(f, c) = r.f64(field); break;
                case TableFieldType::Bool: field_ref<bool>(f, c) = read_flag(r, field); break;
            }
        }
    return c;
}

}  // namespace memrec::detail
