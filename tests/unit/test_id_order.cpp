// order_ids (memrec/model_file.h): a full table's rows renumbered in ascending id order, with everything
// indexed by them following, so every prediction by id is the same; tables of shared rows keep their order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "memrec/model_file.h"
#include "memrec/pq.h"
#include "memrec/rng.h"
#include "model_bytes.h"
#include "random_model.h"

using namespace memrec;
using namespace memrec_test;

namespace {

constexpr int32_t kUsers = 12, kItems = 20;

// Users "u<k>" in a scrambled order (strings), items in a scrambled decimal order that is not bytewise
// order either (9 before 10 numerically, after it bytewise).
ModelFile make_model(TableKind item_kind, uint64_t seed = 3) {
    ModelConfig c;
    c.user.dim = c.item.dim = 8;
    c.item.kind = item_kind;
    c.item.buckets = 5;
    c.global_bias = c.user_bias = c.item_bias = true;
    ModelFile f = random_model_file(c, kUsers, kItems, seed);
    f.users = Vocabulary();
    f.items = Vocabulary();
    for (int32_t u = 0; u < kUsers; ++u) f.users.add("u" + std::to_string((u * 7) % kUsers));
    for (int32_t i = 0; i < kItems; ++i) f.items.add(std::to_string((i * 13) % kItems + 1));
    for (int32_t i = 0; i < kItems; ++i) f.titles.push_back("title of " + f.items.id(i));
    return f;
}

float predict_by_id(const ModelFile& f, const std::string& user, const std::string& item) {
    return f.model->predict(f.users.find(user), f.items.find(item));
}

}  // namespace

TEST_CASE("order_ids sorts full tables' ids and keeps every prediction by id", "[model_file][order]") {
    ModelFile f = make_model(TableKind::Full);
    const ModelFile before = parse(serialize_model(f));
    REQUIRE(order_ids(f));
    // Items numerically (1, 2, ..., 20), users bytewise ("u0", "u1", "u10", "u11", "u2", ...).
    for (int32_t i = 1; i < kItems; ++i) CHECK(std::stoll(f.items.id(i - 1)) < std::stoll(f.items.id(i)));
    for (int32_t u = 1; u < kUsers; ++u) CHECK(f.users.id(u - 1) < f.users.id(u));
    CHECK(f.users.id(2) == "u10");
    for (const std::string& u : before.users.ids())
        for (const std::string& i : before.items.ids()) CHECK(predict_by_id(f, u, i) == predict_by_id(before, u, i));
    for (int32_t i = 0; i < kItems; ++i) {
        const int32_t old = before.items.find(f.items.id(i));
        CHECK(f.titles[size_t(i)] == before.titles[size_t(old)]);
        CHECK(f.item_counts[size_t(i)] == before.item_counts[size_t(old)]);
    }
    // A second call has nothing to move; the sorted file's items are one run and take fewer bytes.
    CHECK_FALSE(order_ids(f));
    CHECK(serialize_model(f).size() < serialize_model(before).size());
}

TEST_CASE("order_ids leaves tables of shared rows in their order", "[model_file][order]") {
    for (TableKind kind : {TableKind::QuotientRemainder, TableKind::Hashed}) {
        ModelFile f = make_model(kind);
        const std::vector<std::string> items = f.items.ids();
        CHECK(order_ids(f));  // the user table is full: users move
        CHECK(f.items.ids() == items);
    }
}

TEST_CASE("order_ids moves a pq file's codes with their rows", "[model_file][order][pq]") {
    ModelFile f = make_model(TableKind::Full);
    PqOptions o;
    o.subspaces = 4;
    o.bits = 4;
    ModelFile coded = parse(serialize_model(f, Storage::Pq, false, o));
    const ModelFile before = parse(serialize_model(coded, Storage::Pq, false));
    REQUIRE(order_ids(coded));
    // Written from the moved codes: the same predictions by id as the unsorted pq file.
    const ModelFile after = parse(serialize_model(coded, Storage::Pq, false));
    REQUIRE(after.model->item_codes() != nullptr);
    for (const std::string& u : before.users.ids())
        for (const std::string& i : before.items.ids())
            CHECK(predict_by_id(after, u, i) == Approx(predict_by_id(before, u, i)).margin(1e-6));
    for (int32_t i = 0; i < kItems; ++i) {
        const int32_t old = before.items.find(after.items.id(i));
        for (int m = 0; m < 4; ++m)
            CHECK(after.model->item_codes()->codes[size_t(i) * 4 + size_t(m)] ==
                  before.model->item_codes()->codes[size_t(old) * 4 + size_t(m)]);
    }
}
