// Format version 4's int4 tables: which parameters are stored as int4 rows, their documented bytes, the
// round trip, predictions within tolerance, and corrupt int4 sections refused with the field that failed.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "memrec/error.h"
#include "memrec/model_file.h"
#include "memrec/quantize.h"
#include "memrec/rng.h"
#include "model_bytes.h"
#include "random_model.h"

using namespace memrec;
using namespace memrec_test;

namespace {

constexpr int32_t kUsers = 40, kItems = 30;

// Every table kind with parameters wide enough for int4 (9 columns or more), odd widths among them.
std::vector<ModelConfig> configs() {
    std::vector<ModelConfig> v(3);
    v[0].user.dim = v[0].item.dim = 35;
    v[0].global_bias = v[0].user_bias = v[0].item_bias = true;
    v[1].user = {TableKind::QuotientRemainder, 20, 6, Combiner::Mult, {}, {}, 0.3, true};
    v[1].item = {TableKind::MixedDimension, 20, 0, Combiner::Mult, {8}, {20, 9}, 0.3, true};
    v[2].user = {TableKind::Hashed, 24, 16, Combiner::Mult, {}, {}, 0.3, true};
    v[2].item = {TableKind::QuotientRemainder, 24, 5, Combiner::Concat, {}, {}, 0.3, true};
    return v;
}

ModelFile make_model(const ModelConfig& c, uint64_t seed = 9) { return random_model_file(c, kUsers, kItems, seed); }

}  // namespace

TEST_CASE("int4 files store wide embedding parameters as int4 rows and the rest as int8", "[model_file][int4]") {
    for (const ModelConfig& c : configs()) {
        const ModelFile f = make_model(c);
        const std::string bytes = serialize_model(f, Storage::Int4, false);
        CHECK(bytes.substr(4, 1) == "\x04");  // format version 4 ...
        CHECK(uint8_t(bytes[12]) == 3);       // ... storage code 3 (int4)
        const auto params = f.model->params();
        const auto stored = walk_tables(bytes);
        REQUIRE(stored.size() == params.size());
        for (size_t i = 0; i < params.size(); ++i) {
            const Param& p = *params[i];
            INFO(p.name);
            const bool int4 = p.role == Role::Embedding && p.cols >= 9;
            CHECK(stored[i].storage == (int4 ? 4 : p.cols >= 16 ? 2 : 3));
        }
        // Every other storage is still written as version 3.
        for (Storage s : {Storage::F32, Storage::F16, Storage::Int8}) CHECK(serialize_model(f, s).substr(4, 1) == "\x03");
    }
}

TEST_CASE("int4 files round-trip to the same bytes and predict within tolerance", "[model_file][int4]") {
    for (const ModelConfig& c : configs()) {
        const ModelFile f = make_model(c);
        const std::string once = serialize_model(f, Storage::Int4, true);
        const ModelFile g = parse(once);
        CHECK(g.storage == Storage::Int4);
        CHECK(g.format_version == 4);
        CHECK(serialize_model(g, Storage::Int4, true) == once);
        // Each value of an int4 row is within half a step of its row (plus the f16 rounding of scale and
        // offset); the range is at most 1.2, so a step is at most 0.08. int8 values move far less.
        const auto pf = f.model->params();
        const auto pg = g.model->params();
        double worst = 0;
        for (size_t i = 0; i < pf.size(); ++i)
            for (int64_t r = 0; r < pf[i]->rows; ++r)
                for (int k = 0; k < pf[i]->cols; ++k)
                    worst = std::fmax(worst, std::fabs(pf[i]->row(r)[k] - pg[i]->row(r)[k]));
        CHECK(worst > 0.0);
        CHECK(worst <= 0.5 * 1.2 / 15 + 1e-3);
        for (int32_t u = 0; u < kUsers; u += 7)
            for (int32_t i = 0; i < kItems; i += 5)
                CHECK(std::fabs(g.model->predict(u, i) - f.model->predict(u, i)) < 0.5);
    }
}

TEST_CASE("corrupt int4 sections are refused with the field that failed", "[model_file][int4][corrupt]") {
    const std::string file = serialize_model(make_model(configs()[0]), Storage::Int4, false);
    const auto stored = walk_tables(file);
    const StoredParam& user = stored[0];  // user.embedding, 40 x 35: 18 bytes of codes, scale, offset
    REQUIRE(user.name == "user.embedding");
    REQUIRE(user.storage == 4);
    const size_t row3 = user.data + 3 * 22;
    check_rejected(patched(file, user.data - 1, 2), "tables.user.embedding.bits", "expected a code width of 4, got 2");
    check_rejected(patched(file, row3 + 19, 0x7c), "tables.user.embedding.data[row 3].scale", "finite");  // inf
    check_rejected(patched(file, row3 + 19, 0xbc), "tables.user.embedding.data[row 3].scale", ">= 0");   // -1
    check_rejected(patched(file, row3 + 21, 0x7e), "tables.user.embedding.data[row 3].offset", "finite");  // NaN
    check_rejected(patched(file, row3 + 17, uint8_t(file[row3 + 17]) | 0x10), "tables.user.embedding.data[row 3].padding",
                   "expected 0");
    // Code 4 in a version 3 file (header storage int8): version 3 has no int4 rows.
    std::string v3 = patched(file, 12, 2);
    v3 = patched(v3, 4, 3);
    check_rejected(v3, "tables.user.embedding.storage", "3 (int8, column scales), got 4");
    // Header storage int4 in a version 3 file.
    check_rejected(patched(file, 4, 3), "storage", "got 3 (int4), which needs format version 4");
    // Too few rows' bytes left: the count is checked before the data is taken.
    std::string rows = patched(file, user.data - 4, 41);  // rows varint (40 -> 41) contradicts the config
    check_rejected(rows, "tables.user.embedding.shape", "expected 40 x 35");
    // Every truncation fails cleanly.
    for (size_t n = 0; n < file.size(); n += 97) CHECK_THROWS_AS(parse(file.substr(0, n)), FormatError);
}
