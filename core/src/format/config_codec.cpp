// The config section (scale, biases, rows and each table's config, from its field list: table_codec.cpp)
// and the order section (the permutations of mixed-dimension tables).
#include <algorithm>
#include <cmath>

#include "memrec/enum_codes.h"
#include "model_sections.h"
#include "settings_codec.h"

namespace memrec::detail {

namespace {

void write_table_config(ByteWriter& w, const EmbeddingTable& t, bool order_from_popularity) {
    const TableConfig c = t.config();
    write_model_table(w, c);
    if (c.kind == TableKind::MixedDimension) w.u8(order_from_popularity ? 0 : 1);
}

TableSpec read_table_config(ByteReader& r, const std::string& table, int64_t rows, uint32_t version) {
    TableSpec spec;
    TableConfig& c = spec.config;
    c = read_model_table(r, table, rows, version);
    if (c.kind == TableKind::MixedDimension) {
        // Not a setting: whether the rows follow the popularity section or the order section's permutation.
        const uint8_t os = r.u8(table + ".order source");
        if (os > 1) r.fail(table + ".order source", "expected 0 (popularity) or 1 (explicit), got " + std::to_string(os));
        if (os == 0 && table != "item")
            r.fail(table + ".order source", "expected 1 (explicit): only the item table can follow popularity");
        spec.explicit_order = os == 1;
    }
    try {
        c.validate(rows);
    } catch (const ConfigError& e) {
        r.fail(table, e.what());
    }
    return spec;
}

// Version 3: the objective, and an implicit model's settings (which the fold-in needs).
// Version 5: objective 2 (BPR), with the same settings as an implicit model (its fold-in is the same solve).
// Version 6: a rating model's link.
void read_objective(ByteReader& r, ConfigSection& c, uint32_t version) {
    c.objective = read_code(r, kObjectives, "objective");
    if (c.objective == Objective::Bpr && version < 5)
        r.fail("objective", "objective 2 (bpr) needs format version 5, the file is version " + std::to_string(version));
    if (c.objective == Objective::Rating) {
        if (version >= 6) c.link = read_code(r, kLinks, "link");
        return;
    }
    c.implicit.alpha = r.f64("implicit.alpha");
    c.implicit.lambda = r.f64("implicit.lambda");
    c.implicit.positive_threshold = r.f32("implicit.positive threshold");
    const uint8_t all = r.u8("implicit.all rated positive");
    if (all > 1) r.fail("implicit.all rated positive", "expected 0 or 1, got " + std::to_string(all));
    c.implicit.all_rated_positive = all == 1;
    try {
        c.implicit.validate();
    } catch (const ConfigError& e) {
        r.fail("implicit", e.what());
    }
}

}  // namespace

// Whether a mixed-dimension table's order is what the popularity section reproduces.
bool order_follows_popularity(const EmbeddingTable& t, const std::vector<int64_t>& counts) {
    const auto* md = dynamic_cast<const MixedDimensionEmbedding*>(&t);
    return md && static_cast<int64_t>(counts.size()) == t.rows() &&
           MixedDimensionEmbedding::frequency_order(counts) == md->order();
}

void write_config(ByteWriter& w, const Model& m, bool item_order_from_popularity, uint32_t version) {
    w.f32(m.scale());
    const ModelConfig& c = m.config();
    w.u8(static_cast<uint8_t>((c.global_bias ? 1 : 0) | (c.user_bias ? 2 : 0) | (c.item_bias ? 4 : 0)));
    w.u8(enum_entry(kObjectives, c.objective).code);
    if (c.objective == Objective::Rating && version >= 6) w.u8(enum_entry(kLinks, c.link).code);
    if (c.objective != Objective::Rating) {
        w.f64(c.implicit.alpha);
        w.f64(c.implicit.lambda);
        w.f32(c.implicit.positive_threshold);
        w.u8(c.implicit.all_rated_positive ? 1 : 0);
    }
    w.varint(static_cast<uint64_t>(item_side_only(c.objective) ? 0 : m.users()));
    w.varint(static_cast<uint64_t>(m.items()));
    write_table_config(w, m.user_table(), false);
    write_table_config(w, m.item_table(), item_order_from_popularity);
}

ConfigSection read_config(ByteReader& r, uint32_t version) {
    ConfigSection c;
    c.scale = r.f32("scale");
    if (!(c.scale > 0.0f) || !std::isfinite(c.scale))
        r.fail("scale", "expected a positive finite number, got " + std::to_string(c.scale));
    c.bias_flags = r.u8("bias flags");
    if (c.bias_flags > 7) r.fail("bias flags", "expected bits 0..2 only, got " + std::to_string(c.bias_flags));
    if (version >= 3) read_objective(r, c, version);
    if (item_side_only(c.objective)) {
        const uint64_t users = r.varint("user rows");
        if (users != 0) r.fail("user rows", "expected 0 (an implicit model stores the item side only), got " +
                                                std::to_string(users));
    } else {
        c.users = static_cast<int64_t>(r.varint_in("user rows", 1, kMaxRows));
    }
    c.items = static_cast<int64_t>(r.varint_in("item rows", 1, kMaxRows));
    c.user = read_table_config(r, "user", c.users, version);
    c.item = read_table_config(r, "item", c.items, version);
    r.expect_end();
    if (c.user.config.dim != c.item.config.dim)
        throw FormatError("config.item.dim", "expected " + std::to_string(c.user.config.dim) +
                                                 " (the user table's dim), got " + std::to_string(c.item.config.dim));
    if (c.objective == Objective::Implicit &&
        (c.bias_flags != 0 || c.user.config.kind != TableKind::Full || c.item.config.kind != TableKind::Full))
        throw FormatError("config.objective", "an implicit model has full tables and no biases");
    if (c.objective == Objective::Bpr && (c.bias_flags != 0 || c.user.config.kind != TableKind::Full))
        throw FormatError("config.objective", "a BPR model has a full user table and no biases");
    return c;
}

void write_order(ByteWriter& w, const std::vector<const MixedDimensionEmbedding*>& tables) {
    for (const auto* md : tables) {
        w.varint(md->order().size());
        for (int32_t id : md->order()) w.varint(static_cast<uint64_t>(id));
    }
}

std::vector<int32_t> read_permutation(ByteReader& r, const std::string& table, int64_t rows) {
    const uint64_t n = r.count(table + ".count", 1);
    if (n != uint64_t(rows))
        r.fail(table + ".count", "expected " + std::to_string(rows) + " (the table's rows), got " + std::to_string(n));
    std::vector<int32_t> order(static_cast<size_t>(n));
    std::vector<uint8_t> seen(static_cast<size_t>(n), 0);
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t id = r.varint(table + ".id");
        if (id >= n) r.fail(table + ".id", "entry " + std::to_string(i) + ": expected 0.." + std::to_string(n - 1) +
                                               ", got " + std::to_string(id));
        if (seen[size_t(id)]) r.fail(table + ".id", "entry " + std::to_string(i) + " repeats " + std::to_string(id));
        seen[size_t(id)] = 1;
        order[size_t(i)] = static_cast<int32_t>(id);
    }
    return order;
}

}  // namespace memrec::detail
