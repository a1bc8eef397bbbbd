// Table shapes and parameter counts against the reference's published numbers, and the quotient-remainder
// property that makes QR lossless in identity: every id gets its own (quotient, remainder) pair.
#include <catch2/catch.hpp>
#include <algorithm>
#include <climits>
#include <cmath>
#include <set>
#include <tuple>

#include "memrec/error.h"
#include "memrec/id_divider.h"
#include "memrec/md_embedding.h"
#include "memrec/model.h"
#include "memrec/presets.h"
#include "memrec/qr_embedding.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {
std::vector<int64_t> descending_counts(int64_t n) {
    std::vector<int64_t> c(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) c[size_t(i)] = n - i;
    return c;
}
int64_t preset_params(const std::string& name, int64_t users, int64_t items) {
    Preset p = preset(name);
    Model m(p.model, users, items, 5.0f, descending_counts(items), {}, 1);
    return m.parameter_count();
}
}  // namespace

TEST_CASE("reference presets have the reference's parameter counts", "[tables]") {
    // keras.io tutorial: 6,040 users and 3,706 movies.
    CHECK(preset_params("baseline", 6040, 3706) == 623744);
    CHECK(preset_params("memeff", 6040, 3706) == 117968);
    // The ml-1m copy used here has 3,692 rated movies.
    CHECK(preset_params("baseline", 6040, 3692) == 622848);
    CHECK(preset_params("memeff", 6040, 3692) == 117744);
}

TEST_CASE("presets fit their mixed-dimension blocks to smaller data and keep ml-1m's", "[tables][presets]") {
    using Ends = std::vector<int64_t>;
    // ml-1m here (3,692 rated movies), the full ml-1m (3,706) and ml-latest-small (9,724): the reference's.
    for (int64_t items : {3692, 3706, 9724}) {
        Preset p = preset("memeff");
        fit_to_data(p, 6040, items);
        CHECK(p.model.item.block_ends == Ends{400, 1700});
        CHECK(p.model.item.block_dims == std::vector<int>{64, 32, 16});
    }
    Preset p = preset("memeff");
    fit_to_data(p, 943, 1682);  // ml-100k: 400 * 1682 / 3692 = 182.2, 1700 * 1682 / 3692 = 774.5 (rounds to 774)
    CHECK(p.model.item.block_ends == Ends{182, 774});
    Model m(p.model, 943, 1682, 5.0f, descending_counts(1682), {}, 1);
    CHECK(dynamic_cast<const MixedDimensionEmbedding&>(m.item_table()).params()[0].rows == 183);
    fit_to_data(p, 943, 100);  // fitted once: the ends are the data's now
    CHECK(p.model.item.block_ends == Ends{182, 774});
    Preset three = preset("memeff");
    fit_to_data(three, 10, 3);  // 0.3 and 1.4: one item per block at least
    CHECK(three.model.item.block_ends == Ends{1, 2});
    Preset two = preset("memeff");
    CHECK_THROWS_WITH(fit_to_data(two, 10, 2), Catch::Contains("memeff preset's item table has 3 mixed-dimension blocks"));
    Preset given = preset("memeff");  // ends given as they are (--blocks): kept, and refused later if too large
    given.item_blocks_for = 0;
    fit_to_data(given, 943, 1682);
    CHECK(given.model.item.block_ends == Ends{400, 1700});
}

TEST_CASE("memory-efficient model components match the reference breakdown", "[tables]") {
    Preset p = preset("memeff");
    Model m(p.model, 6040, 3706, 5.0f, descending_counts(3706), {}, 1);
    CHECK(m.user_table().parameter_count() == 15360);   // 2 x 120 x 64
    CHECK(m.item_table().parameter_count() == 102608);  // 401x64 + (1301x32 + 32x64 + 64) + (2007x16 + 16x64 + 64)
    auto& md = dynamic_cast<const MixedDimensionEmbedding&>(m.item_table());
    REQUIRE(md.blocks() == 3);
    CHECK(md.params()[0].rows == 401);
    CHECK(md.params()[1].rows == 1301);
    CHECK(md.params()[1].cols == 32);
    CHECK(md.params()[2].rows == 32);  // projection 32 x 64
    CHECK(md.params()[4].rows == 2007);
}

TEST_CASE("quotient-remainder gives each of 6,040 users a distinct pair", "[tables][qr]") {
    QuotientRemainderEmbedding qr(6040, 64, 6040 / 50, Combiner::Mult, "user");
    std::set<std::pair<int64_t, int64_t>> pairs;
    for (int32_t i = 0; i < 6040; ++i) {
        CHECK(qr.quotient(i) < qr.params()[0].rows);
        CHECK(qr.remainder(i) < qr.params()[1].rows);
        pairs.insert({qr.quotient(i), qr.remainder(i)});
    }
    CHECK(pairs.size() == 6040);
}

TEST_CASE("quotient-remainder rows come from an exact division without a division instruction",
          "[tables][qr]") {
    // Divisors at the edges of the multiply-high method (1, 2, powers of two and their neighbours, the
    // largest 32-bit one, and above every id) and ids at the edges of int32, plus a seeded sweep.
    const std::vector<int64_t> divisors = {1,         2,         3,       7,         50,
                                           120,       641,       65535,   65536,     65537,
                                           1000003,   (1LL << 31) - 1,    1LL << 31, (1LL << 32) - 1,
                                           1LL << 32, 1LL << 40};
    std::vector<int32_t> ids = {0,     1,     2,         119,           120,      121,
                                6039,  65535, 65536,     (1 << 30),     INT32_MAX - 1, INT32_MAX};
    Rng rng(11);
    for (int k = 0; k < 2000; ++k) ids.push_back(static_cast<int32_t>(rng.below(uint64_t(INT32_MAX) + 1)));
    int64_t wrong = 0;
    for (int64_t d : divisors) {
        const IdDivider div(d);
        for (int32_t id : ids)
            if (div.quotient(id) != id / d || div.remainder(id) != id % d) ++wrong;
    }
    CHECK(wrong == 0);
    // The table's own rows: the ids of a 6,040-user table with the reference's 120 buckets.
    QuotientRemainderEmbedding qr(6040, 8, 120, Combiner::Mult, "user");
    for (int32_t i = 0; i < 6040; ++i) {
        REQUIRE(qr.quotient(i) == i / 120);
        REQUIRE(qr.remainder(i) == i % 120);
    }
}

TEST_CASE("quotient-remainder vectors are distinct per user after initialisation", "[tables][qr]") {
    for (Combiner c : {Combiner::Mult, Combiner::Add, Combiner::Concat}) {
        QuotientRemainderEmbedding qr(500, 8, 20, c, "user");
        Rng rng(3);
        qr.initialize(rng);
        std::set<std::vector<float>> seen;
        std::vector<float> out(size_t(qr.stride()));
        for (int32_t i = 0; i < 500; ++i) {
            qr.lookup(&i, 1, out.data());
            seen.insert(out);
        }
        CHECK(seen.size() == 500);
    }
}

TEST_CASE("quotient table grows when buckets are too few for the ids", "[tables][qr]") {
    QuotientRemainderEmbedding qr(1000, 4, 10, Combiner::Mult, "user");
    CHECK(qr.params()[0].rows == 100);
    CHECK(qr.params()[1].rows == 10);
}

TEST_CASE("mixed-dimension orders ids by frequency and cuts blocks", "[tables][md]") {
    std::vector<int64_t> counts{1, 50, 3, 50, 0, 7};
    auto order = MixedDimensionEmbedding::frequency_order(counts);
    CHECK(order == std::vector<int32_t>{1, 3, 5, 2, 0, 4});  // ties keep id order
    MixedDimensionEmbedding md(6, 8, order, {2, 4}, {8, 4, 2}, true, "item");
    CHECK(md.block_of(1) == 0);
    CHECK(md.block_of(3) == 0);
    CHECK(md.block_of(5) == 1);
    CHECK(md.block_of(2) == 1);
    CHECK(md.block_of(0) == 2);
    CHECK(md.block_of(4) == 2);
    // block 0: 3x8; block 1: 3x4 + 4x8 + 8; block 2: 3x2 + 2x8 + 8
    CHECK(md.parameter_count() == 24 + (12 + 32 + 8) + (6 + 16 + 8));
}

TEST_CASE("alpha-power rule shrinks rarer blocks", "[tables][md]") {
    // Block 0: 2 rows, 100 ratings each; block 1: 2 rows, 25 each; block 2: 2 rows, 1 each.
    std::vector<int64_t> counts{100, 100, 25, 25, 1, 1};
    auto order = MixedDimensionEmbedding::frequency_order(counts);
    auto dims = MixedDimensionEmbedding::alpha_dims(counts, order, {2, 4}, 64, 0.5);
    // d_i = 64 * (p_i / p_0)^0.5: 64, 64 * 0.5 = 32, 64 * 0.1 = 6.4 -> 6
    CHECK(dims == std::vector<int>{64, 32, 6});
    auto flat = MixedDimensionEmbedding::alpha_dims(counts, order, {2, 4}, 64, 0.0);
    CHECK(flat == std::vector<int>{64, 64, 64});
}

TEST_CASE("the alpha rule under a parameter budget takes the widest dims that fit", "[tables][md]") {
    // Blocks of 200, 300 and 500 ids with 100, 25 and 1 ratings each: weights (p_i / p_0)^0.5 = 1, 0.5, 0.1.
    std::vector<int64_t> counts;
    for (auto [n, c] : {std::pair<int, int64_t>{200, 100}, {300, 25}, {500, 1}}) counts.insert(counts.end(), size_t(n), c);
    auto order = MixedDimensionEmbedding::frequency_order(counts);
    const std::vector<int64_t> ends{200, 500}, rows{200, 300, 500};
    auto count = [&](const std::vector<int>& d) {
        return parameter_count(MixedDimensionEmbedding::param_specs(rows, d, 64, true, "item"));
    };
    auto dims_for = [&](int64_t budget) {
        return MixedDimensionEmbedding::budget_dims(counts, order, ends, 64, 0.5, true, budget);
    };
    // The plain alpha rule's table {64, 32, 6}: 201x64 + (301x32 + 32x64 + 64) + (501x6 + 6x64 + 64).
    CHECK(count({64, 32, 6}) == 28062);
    CHECK(dims_for(28062) == std::vector<int>{64, 32, 6});
    CHECK(count({1, 1, 1}) == 1387);  // each block 1-dim, with its projection and bias
    CHECK_THROWS_AS(dims_for(1386), ConfigError);
    // Against a fine scan of lambda: the result is the widest table at or under each budget.
    for (int64_t budget : {1387, 2000, 10000, 28061, 40000, 1000000}) {
        INFO("budget " << budget);
        const auto dims = dims_for(budget);
        CHECK(count(dims) <= budget);
        std::vector<int> scan{1, 1, 1};
        for (double lambda = 0; lambda < 700; lambda += 0.005) {
            std::vector<int> d;
            for (double w : {1.0, 0.5, 0.1}) d.push_back(std::clamp(int(std::lround(lambda * w)), 1, 64));
            if (count(d) <= budget) scan = d;
        }
        CHECK(dims == scan);
    }
    CHECK(dims_for(1000000) == std::vector<int>{64, 64, 64});

    // Through the table config: the built table has at most the budget.
    TableConfig c;
    c.kind = TableKind::MixedDimension;
    c.block_ends = ends;
    c.alpha = 0.5;
    c.param_budget = 20000;
    auto t = make_table(c, 1000, "item", counts);
    CHECK(t->parameter_count() <= 20000);
    CHECK(t->parameter_count() > 15000);
    c.block_dims = {64, 32, 6};
    CHECK_THROWS_AS(c.validate(1000), ConfigError);  // dims or a budget, not both
}

TEST_CASE("make_fixed_shape_table builds what make_table builds, and refuses mixed-dimension", "[tables][config]") {
    TableConfig c;
    c.dim = 8;
    for (TableKind kind : {TableKind::Full, TableKind::QuotientRemainder, TableKind::Hashed}) {
        c.kind = kind;
        c.buckets = kind == TableKind::Hashed ? 37 : 0;  // QR: the reference's rows / 50
        auto fixed = make_fixed_shape_table(c, 500, "item");
        auto made = make_table(c, 500, "item");
        CHECK(fixed->kind() == kind);
        CHECK(fixed->rows() == 500);
        CHECK(fixed->dim() == 8);
        CHECK(fixed->parameter_count() == made->parameter_count());
        // full: 500 x 8; QR (mult): 50 quotient rows (at least the 500 / 10 the ids need) and 10 remainder
        // rows (500 / 50) of 8; hashed: 37 x 8
        CHECK(fixed->parameter_count() == (kind == TableKind::Full                ? 500 * 8
                                           : kind == TableKind::QuotientRemainder ? (50 + 10) * 8
                                                                                  : 37 * 8));
    }
    c.kind = TableKind::Full;
    c.dim = 0;
    CHECK_THROWS_AS(make_fixed_shape_table(c, 500, "item"), ConfigError);  // the config is checked as before
    c.dim = 8;
    c.kind = TableKind::MixedDimension;
    c.block_ends = {100};
    c.block_dims = {8, 4};
    CHECK_THROWS_AS(make_fixed_shape_table(c, 500, "item"), ConfigError);
}

TEST_CASE("table configs reject out-of-range values", "[tables][config]") {
    TableConfig c;
    c.dim = 0;
    CHECK_THROWS_AS(c.validate(10), ConfigError);
    c.dim = -3;
    CHECK_THROWS_AS(c.validate(10), ConfigError);
    c = TableConfig{};
    c.kind = TableKind::QuotientRemainder;
    c.buckets = -1;
    CHECK_THROWS_AS(c.validate(10), ConfigError);
    c = TableConfig{};
    c.kind = TableKind::MixedDimension;
    c.block_ends = {5, 3};
    CHECK_THROWS_AS(c.validate(10), ConfigError);
    c.block_ends = {3, 5};
    c.block_dims = {64, 32};  // three blocks, two dims
    CHECK_THROWS_AS(c.validate(10), ConfigError);
    c.block_dims = {};
    c.alpha = 1.5;
    CHECK_THROWS_AS(c.validate(10), ConfigError);
    CHECK_THROWS_AS(parse_table_kind("dense"), ConfigError);
    CHECK_THROWS_AS(parse_combiner("max"), ConfigError);
}

TEST_CASE("Model::param_specs describes every built parameter without building", "[tables]") {
    ModelConfig qr_md;
    qr_md.user.kind = TableKind::QuotientRemainder;
    qr_md.user.combiner = Combiner::Concat;
    qr_md.user.dim = qr_md.item.dim = 9;
    qr_md.item.kind = TableKind::MixedDimension;
    qr_md.item.block_ends = {10, 40};
    qr_md.global_bias = qr_md.user_bias = qr_md.item_bias = true;
    ModelConfig hash_full;
    hash_full.user.kind = TableKind::Hashed;
    hash_full.user.buckets = 17;
    hash_full.item.kind = TableKind::MixedDimension;
    hash_full.item.block_ends = {30};
    hash_full.item.block_dims = {8, 8};
    hash_full.item.projection_bias = false;
    hash_full.item_bias = true;
    for (const auto& [config, users, items] : {std::tuple{qr_md, 120, 100}, std::tuple{hash_full, 120, 100},
                                               std::tuple{preset("memeff").model, 6040, 3706}}) {
        const Model m(config, users, items, 5.0f, descending_counts(items), {}, 1);
        ModelConfig built = m.config();
        built.user = m.user_table().config();  // a mixed-dimension table's dims as the alpha rule chose them
        built.item = m.item_table().config();
        const std::vector<ParamSpec> specs = Model::param_specs(built, m.users(), m.items());
        const auto params = m.params();
        REQUIRE(specs.size() == params.size());
        for (size_t i = 0; i < specs.size(); ++i) {
            const Param& p = *params[i];
            INFO(p.name);
            CHECK(specs[i].name == p.name);
            CHECK(specs[i].rows == p.rows);
            CHECK(specs[i].cols == p.cols);
            CHECK(specs[i].access == p.access);
            CHECK(specs[i].init == p.init);
            CHECK(specs[i].role == p.role);
            CHECK(specs[i].side == p.side);
        }
        CHECK(parameter_count(specs) == m.parameter_count());
    }
}

// The mixed-dimension table computes a batch block by block (its rows of a block gathered into one product);
// every id's vector and every parameter's gradient must equal the per-id definition, x P + b and its
// derivatives summed over the batch, with ids repeated and every block present.
TEST_CASE("mixed-dimension batches equal the per-id projection and its summed gradients", "[tables][md]") {
    const int dim = 20;
    const int64_t rows = 30;
    MixedDimensionEmbedding t(rows, dim, MixedDimensionEmbedding::frequency_order(descending_counts(rows)), {4, 12},
                              {dim, 7, 3}, true, "item");
    Rng rng(4);
    for (Param& p : t.params())
        for (int64_t r = 0; r < p.rows; ++r)
            for (int c = 0; c < p.cols; ++c) p.row(r)[c] = rng.uniform(-1, 1);
    std::vector<int32_t> ids;
    for (int i = 0; i < 40; ++i) ids.push_back(int32_t(rng.below(uint64_t(rows))));
    ids[9] = ids[3];
    ids[20] = ids[3];
    const int s = t.stride();
    const int64_t n = int64_t(ids.size());
    AlignedVector<float> out(size_t(n * s), 7.0f), G(size_t(n * s), 0.0f);
    for (int64_t i = 0; i < n; ++i)
        for (int c = 0; c < dim; ++c) G[size_t(i * s + c)] = rng.uniform(-1, 1);
    t.lookup(ids.data(), n, out.data());
    std::vector<ParamGrad> grads(t.params().size());
    for (size_t p = 0; p < grads.size(); ++p) grads[p].resize(t.params()[p]);
    t.backward(ids.data(), n, G.data(), grads.data());

    // The definition, in double, from the parameters by name.
    auto param = [&](const std::string& name) -> const Param& {
        for (const Param& p : t.params())
            if (p.name == name) return p;
        FAIL("no param " << name);
        return t.params()[0];
    };
    std::vector<std::vector<double>> expect(t.params().size());
    for (size_t p = 0; p < expect.size(); ++p) expect[p].assign(t.params()[p].data.size(), 0.0);
    auto index = [&](const std::string& name) {
        for (size_t p = 0; p < t.params().size(); ++p)
            if (t.params()[p].name == name) return p;
        return size_t(0);
    };
    const std::vector<int32_t>& order = t.order();
    for (int64_t i = 0; i < n; ++i) {
        const int b = t.block_of(ids[size_t(i)]);
        const std::string name = "item.block" + std::to_string(b);
        const int64_t begin = b == 0 ? 0 : t.block_ends()[size_t(b - 1)];
        const int64_t local = std::find(order.begin(), order.end(), ids[size_t(i)]) - order.begin() - begin + 1;
        const Param& table = param(name);
        const float* x = table.row(local);
        const float* g = G.data() + i * s;
        for (int c = 0; c < dim; ++c) {
            double v;
            if (table.cols == dim) {
                v = x[c];
                expect[index(name)][size_t(local * table.stride + c)] += g[c];
            } else {
                const Param& P = param(name + ".projection");
                v = param(name + ".bias").row(0)[c];
                for (int r = 0; r < table.cols; ++r) {
                    v += double(x[r]) * P.row(r)[c];
                    expect[index(name + ".projection")][size_t(r * P.stride + c)] += double(x[r]) * g[c];
                    expect[index(name)][size_t(local * table.stride + r)] += double(g[c]) * P.row(r)[c];
                }
                expect[index(name + ".bias")][size_t(c)] += g[c];
            }
            INFO("id " << ids[size_t(i)] << " (block " << b << ") column " << c);
            CHECK(out[size_t(i * s + c)] == Approx(v).epsilon(1e-5).margin(1e-5));
        }
    }
    for (size_t p = 0; p < expect.size(); ++p)
        for (size_t j = 0; j < expect[p].size(); ++j) {
            INFO(t.params()[p].name << " [" << j << "]");
            CHECK(grads[p].data[j] == Approx(expect[p][j]).epsilon(1e-4).margin(1e-4));
        }
}
