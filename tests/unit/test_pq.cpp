// Product quantisation (memrec/pq.h) and format version 5's pq tables: k-means recovers clustered rows
// exactly, is seeded and deterministic, lookup-table dots equal dots of decoded rows, which parameters are
// stored as codes, the round trip, scoring from codes, and corrupt pq sections refused with the failing field.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "memrec/error.h"
#include "memrec/model_file.h"
#include "memrec/pq.h"
#include "memrec/recommend.h"
#include "memrec/rng.h"
#include "model_bytes.h"
#include "random_model.h"

using namespace memrec;
using namespace memrec_test;

namespace {

constexpr int32_t kUsers = 40, kItems = 30;

Param random_param(int64_t rows, int cols, uint64_t seed) {
    Param p("item.full", rows, cols, Access::Rows, Init::Uniform, Role::Embedding, Side::Item);
    Rng rng(seed);
    for (int64_t r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) p.row(r)[c] = rng.uniform(-0.6f, 0.6f);
    return p;
}

double squared_error(const Param& p, const ProductCodes& pq) {
    std::vector<float> row(size_t(p.cols));
    double e = 0;
    for (int64_t r = 0; r < p.rows; ++r) {
        pq.decode_row(r, row.data());
        for (int c = 0; c < p.cols; ++c) e += double(row[size_t(c)] - p.row(r)[c]) * (row[size_t(c)] - p.row(r)[c]);
    }
    return e;
}

ModelFile make_model(uint64_t seed = 9) {
    ModelConfig c;
    c.user.dim = c.item.dim = 8;
    c.global_bias = c.item_bias = true;
    return random_model_file(c, kUsers, kItems, seed);
}

PqOptions options(int m, int bits, PqCodebook book = PqCodebook::Int8) {
    PqOptions o;
    o.subspaces = m;
    o.bits = bits;
    o.codebook = book;
    return o;
}

}  // namespace

TEST_CASE("k-means recovers rows made of few distinct sub-vectors exactly", "[pq]") {
    // 200 rows of 8 columns; each half of a row is one of 10 sub-vectors whose values (multiples of 1/8) are
    // exact in f16: 16 centroids per subspace hold them all, so decoding loses nothing.
    Rng rng(3);
    std::vector<std::vector<float>> pool(10, std::vector<float>(4));
    for (auto& v : pool)
        for (float& x : v) x = float(int(rng.below(17)) - 8) / 8.0f;
    Param p("item.full", 200, 8, Access::Rows, Init::Uniform, Role::Embedding, Side::Item);
    for (int64_t r = 0; r < p.rows; ++r)
        for (int h = 0; h < 2; ++h) {
            const auto& v = pool[size_t(rng.below(10))];
            for (int j = 0; j < 4; ++j) p.row(r)[h * 4 + j] = v[size_t(j)];
        }
    const ProductCodes pq = train_product_codes(p, options(2, 4, PqCodebook::F16));
    CHECK(pq.centroids == 16);
    CHECK(pq.codes.size() == 400);
    CHECK(squared_error(p, pq) == 0.0);
}

TEST_CASE("pq training is seeded and deterministic, and more bits lose less", "[pq]") {
    const Param p = random_param(300, 12, 5);
    const ProductCodes a = train_product_codes(p, options(3, 5));
    const ProductCodes b = train_product_codes(p, options(3, 5));
    CHECK(a.codes == b.codes);
    CHECK(a.codebooks == b.codebooks);
    PqOptions other = options(3, 5);
    other.seed = 43;
    CHECK(train_product_codes(p, other).codes != a.codes);
    const double e4 = squared_error(p, train_product_codes(p, options(3, 4)));
    const double e6 = squared_error(p, train_product_codes(p, options(3, 6)));
    const double e8 = squared_error(p, train_product_codes(p, options(3, 8)));
    CHECK(e6 < e4);
    CHECK(e8 < e6);
    // Lloyd iterations improve on the k-means++ seeding alone.
    PqOptions seeding = options(3, 5);
    seeding.iterations = 0;
    CHECK(squared_error(p, a) < squared_error(p, train_product_codes(p, seeding)));
    // Rows fewer than 2^bits: one centroid per row at most, and then every row exactly (up to int8 rounding).
    const Param few = random_param(10, 4, 8);
    const ProductCodes f = train_product_codes(few, options(2, 8, PqCodebook::F16));
    CHECK(f.centroids == 10);
    CHECK(squared_error(few, f) < 10 * 4 * 1e-6);
    CHECK_THROWS_AS(train_product_codes(p, options(5, 8)), ConfigError);  // 12 columns do not split into 5
    CHECK_THROWS_AS(train_product_codes(p, options(3, 9)), ConfigError);
}

TEST_CASE("lookup-table dots equal dots of the decoded rows", "[pq]") {
    const Param p = random_param(500, 16, 6);
    const ProductCodes pq = train_product_codes(p, options(4, 6));
    Rng rng(1);
    std::vector<float> u(16), out(500), row(16);
    for (float& x : u) x = rng.uniform(-1.0f, 1.0f);
    pq.dots(u.data(), out.data());
    for (int64_t r = 0; r < p.rows; ++r) {
        pq.decode_row(r, row.data());
        double d = 0;
        for (int c = 0; c < 16; ++c) d += double(u[size_t(c)]) * row[size_t(c)];
        CHECK(out[size_t(r)] == Approx(d).margin(1e-5));
    }
}

TEST_CASE("pq files store embedding tables as codes, the rest as int8, at version 5", "[model_file][pq]") {
    const ModelFile f = make_model();
    const std::string bytes = serialize_model(f, Storage::Pq, false, options(4, 5));
    CHECK(bytes.substr(4, 1) == "\x05");
    CHECK(uint8_t(bytes[12]) == 4);
    const auto stored = walk_tables(bytes);
    const auto params = f.model->params();
    REQUIRE(stored.size() == params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        INFO(params[i]->name);
        CHECK(stored[i].storage == (params[i]->role == Role::Embedding ? 5 : 3));
    }
    // 3 subspaces do not divide 8 columns: every parameter falls back to int8.
    for (const StoredParam& s : walk_tables(serialize_model(f, Storage::Pq, false, options(3, 5)))) CHECK(s.storage == 3);
    CHECK_THROWS_AS(serialize_model(f, Storage::Pq, false), ConfigError);  // pq without subspaces
    for (Storage s : {Storage::F32, Storage::F16, Storage::Int8}) CHECK(serialize_model(f, s).substr(4, 1) == "\x03");
    CHECK(serialize_model(f, Storage::Int4).substr(4, 1) == "\x04");
}

TEST_CASE("pq files round-trip to the same bytes and score items from their codes", "[model_file][pq]") {
    for (PqCodebook book : {PqCodebook::Int8, PqCodebook::F16}) {
        const ModelFile f = make_model();
        const std::string once = serialize_model(f, Storage::Pq, true, options(2, 4, book));
        const ModelFile g = parse(once);
        CHECK(g.storage == Storage::Pq);
        CHECK(g.format_version == 5);
        CHECK(serialize_model(g, Storage::Pq, true) == once);                        // the kept codes
        CHECK(serialize_model(g, Storage::Pq, true, options(2, 4, book)) == once);  // the same options
        REQUIRE(g.model->item_codes() != nullptr);
        CHECK(f.model->item_codes() == nullptr);
        // Scores from codes equal the decoded table's logits through the model's own path.
        const auto iv = g.model->item_vectors();
        for (int32_t u = 0; u < kUsers; u += 9) {
            const auto uv = g.model->user_vector(u);
            const std::vector<float> s = score_items(*g.model, uv.data(), u, iv);
            for (int32_t i = 0; i < kItems; ++i)
                CHECK(s[size_t(i)] == Approx(g.model->predict(u, i)).margin(1e-5));
        }
    }
}

TEST_CASE("corrupt pq sections are refused with the field that failed", "[model_file][pq][corrupt]") {
    const std::string file = serialize_model(make_model(), Storage::Pq, false, options(4, 5));
    const auto stored = walk_tables(file);
    const StoredParam& item = stored[1];
    REQUIRE(item.name == "item.embedding");
    REQUIRE(item.storage == 5);
    const size_t h = item.data;
    check_rejected(patched(file, h, 3), "tables.item.embedding.subspaces", "divisor of the 8 columns, got 3");
    check_rejected(patched(file, h, 0), "tables.item.embedding.subspaces", "got 0");
    check_rejected(patched(file, h + 1, 9), "tables.item.embedding.bits", "code width of 4..8, got 9");
    check_rejected(patched(file, h + 1, 3), "tables.item.embedding.bits", "got 3");
    check_rejected(patched(file, h + 2, 0), "tables.item.embedding.centroids", "got 0");
    check_rejected(patched(file, h + 2, 31), "tables.item.embedding.centroids", "expected 1..30");  // 2^5 centroids, 30 rows
    check_rejected(patched(file, h + 3, 2), "tables.item.embedding.codebook", "got 2");
    // 5-bit codes of 30 centroids: change the centroid count to 1 and the first non-zero code fails.
    check_rejected(patched(file, h + 2, 1), "tables.item.embedding.codes[", "below 1");
    // A scale of infinity in subspace 0's int8 codebook.
    check_rejected(patched(patched(file, h + 4, 0x00), h + 5, 0x7c), "tables.item.embedding.codebook[0].scale", "finite");
    // 30 rows x 4 codes x 5 bits = 600 bits: 75 bytes, no padding; the user table (40 x 4 x 5 = 800) neither.
    // Code 5 in a version 4 file, and header storage pq in a version 4 file.
    check_rejected(patched(patched(file, 12, 3), 4, 4), "tables.user.embedding.storage", "or 4 (int4 rows), got 5");
    check_rejected(patched(file, 4, 4), "storage", "got 4 (pq), which needs format version 5");
    for (size_t n = 0; n < file.size(); n += 37) CHECK_THROWS_AS(parse(file.substr(0, n)), FormatError);
}

TEST_CASE("pq codes with padding bits set are refused", "[model_file][pq][corrupt]") {
    // 30 item rows x 1 subspace x 5 bits = 150 bits: the last byte has 2 padding bits.
    const std::string file = serialize_model(make_model(), Storage::Pq, false, options(1, 5));
    const StoredParam item = walk_tables(file)[1];  // a copy: the vector is a temporary
    REQUIRE(item.storage == 5);
    const size_t last = item.codes + 18;
    check_rejected(patched(file, last, uint8_t(file[last]) | 0x80), "tables.item.embedding.codes", "zero bits after");
}
