#include "memrec/table_fields.h"

#include <limits>
#include <type_traits>

#include "memrec/train_fields.h"

namespace memrec {

namespace {

constexpr uint64_t kMaxRows = std::numeric_limits<int32_t>::max();
constexpr uint8_t kAll = 0xff;
constexpr uint8_t kShared = kind_bit(TableKind::QuotientRemainder) | kind_bit(TableKind::Hashed);
constexpr uint8_t kQr = kind_bit(TableKind::QuotientRemainder);
constexpr uint8_t kMd = kind_bit(TableKind::MixedDimension);

template <class T>
constexpr TableFieldType type_of() {
    if constexpr (std::is_same_v<T, TableKind>) return TableFieldType::Kind;
    else if constexpr (std::is_same_v<T, int>) return TableFieldType::Int;
    else if constexpr (std::is_same_v<T, int64_t>) return TableFieldType::Int64;
    else if constexpr (std::is_same_v<T, Combiner>) return TableFieldType::Combiner;
    else if constexpr (std::is_same_v<T, std::vector<int64_t>>) return TableFieldType::BlockEnds;
    else if constexpr (std::is_same_v<T, std::vector<int>>) return TableFieldType::BlockDims;
    else if constexpr (std::is_same_v<T, double>) return TableFieldType::F64;
    else {
        static_assert(std::is_same_v<T, bool>, "a table setting of a type the formats cannot store");
        return TableFieldType::Bool;
    }
}

// An entry for a TableConfig member; the TableFieldType follows the member's type.
template <auto M, class T>
TableField table(T TableConfig::*, const char* name, const char* key, uint8_t kinds, uint64_t max,
                 uint8_t model_since, uint8_t checkpoint_since) {
    return {name, key, type_of<T>(), [](TableConfig& c) -> void* { return &(c.*M); },
            kinds, max, model_since, checkpoint_since};
}
#define MEMREC_TABLE(member, ...) table<&TableConfig::member>(&TableConfig::member, __VA_ARGS__)

template <class T>
std::string list_text(const std::vector<T>& v) {
    if (v.empty()) return "(none)";
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
    return s;
}

}  // namespace

const std::vector<TableField>& table_fields() {
    // name, key, kinds, largest value in a model file, model file version (0: not stored), checkpoint version
    static const std::vector<TableField> fields = {
        MEMREC_TABLE(kind, "kind", "kind", kAll, 0, 1, 1),
        MEMREC_TABLE(dim, "dim", "dim", kAll, 4096, 1, 1),
        MEMREC_TABLE(buckets, "buckets", "buckets", kShared, kMaxRows, 1, 1),
        MEMREC_TABLE(combiner, "combiner", "combiner", kQr, 0, 1, 1),
        MEMREC_TABLE(block_ends, "blocks", "block_ends", kMd, 0, 1, 1),
        MEMREC_TABLE(block_dims, "block dims", "block_dims", kMd, 0, 1, 1),
        MEMREC_TABLE(alpha, "alpha", "alpha", kMd, 0, 0, 1),  // model files hold the dims it gave
        MEMREC_TABLE(param_budget, "parameter budget", "param_budget", kMd, 0, 0, 2),
        MEMREC_TABLE(projection_bias, "projection bias", "projection_bias", kMd, 0, 1, 1),
    };
    return fields;
}

bool applies(const TableField& f, const TableConfig& c) {
    if (!(f.kinds & kind_bit(c.kind))) return false;
    return f.type != TableFieldType::F64 || c.block_dims.empty();  // alpha sizes the blocks only without dims
}

std::string field_text(const TableField& f, const TableConfig& c) {
    switch (f.type) {
        case TableFieldType::Kind: return to_string(field_ref<TableKind>(f, c));
        case TableFieldType::Int: return std::to_string(field_ref<int>(f, c));
        case TableFieldType::Int64: return std::to_string(field_ref<int64_t>(f, c));
        case TableFieldType::Combiner: return to_string(field_ref<Combiner>(f, c));
        case TableFieldType::BlockEnds: return list_text(field_ref<std::vector<int64_t>>(f, c));
        case TableFieldType::BlockDims: return list_text(field_ref<std::vector<int>>(f, c));
        case TableFieldType::F64: return shortest_number(field_ref<double>(f, c));
        case TableFieldType::Bool: return field_ref<bool>(f, c) ? "on" : "off";
    }
    return "?";
}

bool same_value(const TableField& f, const TableConfig& a, const TableConfig& b) {
    switch (f.type) {
        case TableFieldType::Kind: return field_ref<TableKind>(f, a) == field_ref<TableKind>(f, b);
        case TableFieldType::Int: return field_ref<int>(f, a) == field_ref<int>(f, b);
        case TableFieldType::Int64: return field_ref<int64_t>(f, a) == field_ref<int64_t>(f, b);
        case TableFieldType::Combiner: return field_ref<Combiner>(f, a) == field_ref<Combiner>(f, b);
        case TableFieldType::BlockEnds: return field_ref<std::vector<int64_t>>(f, a) == field_ref<std::vector<int64_t>>(f, b);
        case TableFieldType::BlockDims: return field_ref<std::vector<int>>(f, a) == field_ref<std::vector<int>>(f, b);
        case TableFieldType::F64: return field_ref<double>(f, a) == field_ref<double>(f, b);
        case TableFieldType::Bool: return field_ref<bool>(f, a) == field_ref<bool>(f, b);
    }
    return false;
}

std::string describe_table(const TableConfig& c, int64_t rows) {
    std::string s;
    for (const TableField& f : table_fields()) {
        if (f.model_since == 0 || !applies(f, c)) continue;
        if (f.type == TableFieldType::Kind) {
            s = field_text(f, c);
        } else if (f.type == TableFieldType::BlockEnds) {
            // The ends and the dims read best together, as id ranges with their widths.
            s += ", blocks";
            int64_t begin = 0;
            for (size_t b = 0; b < c.block_dims.size(); ++b) {
                const int64_t end = b < c.block_ends.size() ? c.block_ends[b] : rows;
                s += " " + std::to_string(begin) + ".." + std::to_string(end - 1) + " @" + std::to_string(c.block_dims[b]);
                begin = end;
            }
        } else if (f.type != TableFieldType::BlockDims) {
            s += std::string(", ") + f.name + " " + field_text(f, c);
        }
    }
    return s;
}

}  // namespace memrec
