// The field lists of the table and training settings: what inspect shows of a table, and each training
// setting's range as TrainConfig::validate applies it (the CLI's flags check the same ranges).
#include <catch2/catch.hpp>
#include <limits>

#include "memrec/error.h"
#include "memrec/table_fields.h"
#include "memrec/train_fields.h"

using namespace memrec;

TEST_CASE("a table's description shows the settings of its kind", "[fields]") {
    TableConfig qr;
    qr.kind = TableKind::QuotientRemainder;
    qr.buckets = 120;
    qr.block_ends = {5};  // not a quotient-remainder setting: not shown
    CHECK(describe_table(qr, 6000) == "qr, dim 64, buckets 120, combiner mult");
    TableConfig md;
    md.kind = TableKind::MixedDimension;
    md.dim = 8;
    md.block_ends = {10, 30};
    md.block_dims = {8, 4, 2};
    md.projection_bias = false;
    CHECK(describe_table(md, 50) == "md, dim 8, blocks 0..9 @8 10..29 @4 30..49 @2, projection bias off");
}

TEST_CASE("alpha counts only when it sizes the blocks", "[fields]") {
    TableConfig a;
    a.kind = TableKind::MixedDimension;
    for (const TableField& f : table_fields())
        if (std::string(f.key) == "alpha") {
            CHECK(applies(f, a));
            a.block_dims = {4, 2};
            CHECK_FALSE(applies(f, a));
        }
}

TEST_CASE("training settings are checked against their fields' ranges", "[fields]") {
    auto message = [](void (*change)(TrainConfig&)) -> std::string {
        TrainConfig t;
        change(t);
        try {
            t.validate();
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "accepted";
    };
    CHECK(message([](TrainConfig&) {}) == "accepted");
    CHECK(message([](TrainConfig& t) { t.epochs = 0; }) == "epochs must be at least 1, got 0");
    CHECK(message([](TrainConfig& t) { t.batch_size = int64_t(1) << 25; }) ==
          "batch size must be at most 16777216, got 33554432");
    CHECK(message([](TrainConfig& t) { t.adam.learning_rate = 0; }) == "learning rate must be a positive number, got 0");
    CHECK(message([](TrainConfig& t) { t.adam.lr_decay = 1.5; }) == "learning-rate decay must be in (0, 1], got 1.5");
    CHECK(message([](TrainConfig& t) { t.validation_fraction = 1; }) == "validation fraction must be in (0, 1), got 1");
    // A table L2 below 0 is "not set" (the L2 applies); infinite is not a value.
    CHECK(message([](TrainConfig& t) { t.adam.l2_user = -1; }) == "accepted");
    CHECK(message([](TrainConfig& t) { t.adam.l2_item = std::numeric_limits<double>::infinity(); }) ==
          "item L2 must be a number >= 0, got inf");
    // A flag's value gets no such exception.
    for (const TrainField& f : train_fields())
        if (std::string(f.key) == "l2User") CHECK(range_problem(f, -1) == "must be a number >= 0");
}
