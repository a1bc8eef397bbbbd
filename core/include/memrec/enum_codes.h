// Every enumeration memrec stores or parses, defined once: the value, its code in model files, and its
// name in checkpoints, on the command line, in `inspect` and in the bindings. A code or name never changes
// once a file format has used it; a new value takes the next free code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "memrec/adam.h"
#include "memrec/embedding.h"
#include "memrec/model_file.h"

namespace memrec {

template <class E>
struct EnumEntry {
    E value;
    uint8_t code;
    const char* name;
};

inline constexpr EnumEntry<TableKind> kTableKinds[] = {{TableKind::Full, 0, "full"},
                                                       {TableKind::QuotientRemainder, 1, "qr"},
                                                       {TableKind::MixedDimension, 2, "md"},
                                                       {TableKind::Hashed, 3, "hash"}};
inline constexpr EnumEntry<Combiner> kCombiners[] = {
    {Combiner::Mult, 0, "mult"}, {Combiner::Add, 1, "add"}, {Combiner::Concat, 2, "concat"}};
inline constexpr EnumEntry<AdamMode> kAdamModes[] = {
    {AdamMode::Dense, 0, "dense"}, {AdamMode::Lazy, 1, "lazy"}, {AdamMode::DenseSweep, 2, "dense-sweep"}};
inline constexpr EnumEntry<Optimizer> kOptimizers[] = {
    {Optimizer::Adam, 0, "adam"}, {Optimizer::AdaGrad, 1, "adagrad"}, {Optimizer::Sgd, 2, "sgd"}};
inline constexpr EnumEntry<Objective> kObjectives[] = {{Objective::Rating, 0, "rating"},
                                                       {Objective::Implicit, 1, "implicit"},
                                                       {Objective::Bpr, 2, "bpr"}};
inline constexpr EnumEntry<Link> kLinks[] = {{Link::Sigmoid, 0, "sigmoid"}, {Link::Linear, 1, "linear"}};
inline constexpr EnumEntry<Storage> kStorages[] = {
    {Storage::F32, 0, "f32"}, {Storage::F16, 1, "f16"}, {Storage::Int8, 2, "int8"}, {Storage::Int4, 3, "int4"},
    {Storage::Pq, 4, "pq"}};

template <class E, size_t N>
const EnumEntry<E>& enum_entry(const EnumEntry<E> (&table)[N], E value) {
    for (const auto& e : table)
        if (e.value == value) return e;
    return table[0];  // unreachable: every value has an entry
}
// The entry with this code or name, or nullptr.
template <class E, size_t N>
const EnumEntry<E>* enum_by_code(const EnumEntry<E> (&table)[N], uint64_t code) {
    for (const auto& e : table)
        if (e.code == code) return &e;
    return nullptr;
}
template <class E, size_t N>
const EnumEntry<E>* enum_by_name(const EnumEntry<E> (&table)[N], const std::string& name) {
    for (const auto& e : table)
        if (name == e.name) return &e;
    return nullptr;
}
// "0 (full), 1 (qr), 2 (md) or 3 (hash)" with codes; "full, qr, md or hash" without.
template <class E, size_t N>
std::string enum_list(const EnumEntry<E> (&table)[N], bool with_codes) {
    std::string s;
    for (size_t i = 0; i < N; ++i) {
        s += i == 0 ? "" : i + 1 == N ? " or " : ", ";
        s += with_codes ? std::to_string(table[i].code) + " (" + table[i].name + ")" : table[i].name;
    }
    return s;
}

}  // namespace memrec
