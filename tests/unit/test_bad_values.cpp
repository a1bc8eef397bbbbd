// What a bad-input run found in the core (issue 15): training that diverges stops with TrainingDiverged
// naming the epoch; the model loader refuses non-finite values, int8 scales and rating bounds, naming the
// field; splits that leave a side empty are refused; batch buffers that cannot fit are refused before
// they are allocated, saying how much they would need.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "low_rank_data.h"
#include "memrec/error.h"
#include "memrec/model_file.h"
#include "memrec/split.h"
#include "memrec/training_run.h"

using namespace memrec;
using memrec_test::low_rank_data;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

ModelFile small_file() {
    ModelConfig mc;
    mc.user.dim = mc.item.dim = 4;
    ModelFile f;
    f.model = std::make_unique<Model>(mc, 3, 5, 5.0f, std::vector<int64_t>(5, 1), std::vector<int64_t>(3, 1), 7);
    for (int u = 0; u < 3; ++u) f.users.add(std::to_string(u + 1));
    for (int i = 0; i < 5; ++i) f.items.add(std::to_string(i + 1));
    f.info.data_format = "movielens-dat";
    return f;
}

ModelFile parse(const std::string& bytes) {
    return parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::string load_error(const std::string& bytes) {
    try {
        parse(bytes);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "(loaded)";
}

}  // namespace

TEST_CASE("the loader refuses non-finite parameters at every storage, naming the field", "[bad-values]") {
    for (Storage s : {Storage::F32, Storage::F16, Storage::Int8}) {
        DYNAMIC_SECTION(to_string(s)) {
            ModelFile f = small_file();
            REQUIRE_NOTHROW(parse(serialize_model(f, s)));
            f.model->item_table().params()[0].row(2)[1] = kNaN;
            if (s == Storage::Int8) {
                // The writer refuses NaN at int8; a NaN scale can only come from a damaged file.
                CHECK_THROWS_WITH(serialize_model(f, s), Catch::Contains("item.embedding row 2"));
            } else {
                CHECK_THAT(load_error(serialize_model(f, s)),
                           Catch::Contains("item.embedding.data[row 2]") && Catch::Contains("finite"));
            }
        }
    }
}

TEST_CASE("the loader refuses non-finite rating bounds and eval figures", "[bad-values]") {
    ModelFile f = small_file();
    f.info.max_rating = std::numeric_limits<float>::infinity();
    CHECK_THAT(load_error(serialize_model(f)), Catch::Contains("rating bounds"));
    f.info.max_rating = 0.5f;  // below the minimum
    CHECK_THAT(load_error(serialize_model(f)), Catch::Contains("rating bounds"));
    f = small_file();
    f.eval.mse = kNaN;
    f.eval.count = 10;
    CHECK_THAT(load_error(serialize_model(f)), Catch::Contains("eval mse"));
}

TEST_CASE("f16 storage says which value it cannot hold", "[bad-values]") {
    ModelFile f = small_file();
    f.model->user_table().params()[0].row(1)[0] = 1e5f;
    CHECK_THROWS_WITH(serialize_model(f, Storage::F16),
                      Catch::Contains("user.embedding row 1") && Catch::Contains("exceeds 65504"));
}

TEST_CASE("a split that leaves a side empty is refused", "[bad-values]") {
    const Dataset d = low_rank_data(20, 10, 3);
    CHECK_THROWS_WITH(split_dataset(d, 1e-9, 42), Catch::Contains("no training ratings"));
    CHECK_THROWS_WITH(split_dataset(d, 1 - 1e-12, 42), Catch::Contains("no eval ratings"));
    CHECK_THROWS_AS(split_dataset(d, 1e-9, 42), ConfigError);
    CHECK_NOTHROW(split_dataset(d, 0.5, 42));
}

TEST_CASE("batch buffers are capped at the training set and refused when they cannot fit", "[bad-values]") {
    ModelConfig mc;
    mc.user.dim = mc.item.dim = 64;
    const Model m(mc, 10, 10, 5.0f, std::vector<int64_t>(10, 1), std::vector<int64_t>(10, 1), 1);
    // A batch larger than the training set costs what the training set costs.
    CHECK(batch_buffer_bytes(m, 4000000, 20000) == batch_buffer_bytes(m, 20000, 20000));
    CHECK(batch_buffer_bytes(m, 128, 20000) < batch_buffer_bytes(m, 20000, 20000));
    // 64 floats per row: 4 buffers of 64 floats, twice, is over 2 KB per rating.
    CHECK(batch_buffer_bytes(m, 1000, 20000) > 2000 * 1000);
    CHECK(batch_memory_problem(m, 128, 20000, int64_t(1) << 30).empty());
    const std::string problem = batch_memory_problem(m, 4000000, 3000000, int64_t(1) << 30);
    CHECK_THAT(problem, Catch::Contains("a batch of 3000000 ratings") && Catch::Contains("GB") &&
                            Catch::Contains("smaller batch"));
}

TEST_CASE("training that diverges stops at the epoch, naming it and suggesting a lower learning rate",
          "[bad-values]") {
    const Dataset d = low_rank_data(60, 40, 9);
    const Split s = split_dataset(d, 0.85, 1);
    ModelConfig mc;
    mc.user.dim = mc.item.dim = 8;
    Model m(mc, 60, 40, 5.0f, count_items(d, s.train), count_users(d, s.train), 3);
    TrainConfig tc;
    tc.epochs = 3;
    tc.adam.learning_rate = 1e30;
    Trainer t(m, tc);
    int reported = 0;
    TrainingCallbacks cb;
    cb.on_epoch = [&](const EpochStats&) { return ++reported, true; };
    try {
        run_training(t, m, d, s, 1, cb);
        FAIL("trained to the end");
    } catch (const TrainingDiverged& e) {
        CHECK(e.epoch() == 1);
        CHECK_THAT(e.what(), Catch::Contains("epoch 1 of 3") && Catch::Contains("lower learning rate"));
    }
    CHECK(reported == 0);  // the diverged epoch is never reported (nor checkpointed by the CLI)

    // A sane rate trains to the end.
    Model ok(mc, 60, 40, 5.0f, count_items(d, s.train), count_users(d, s.train), 3);
    tc.adam.learning_rate = 0.01;
    Trainer t2(ok, tc);
    CHECK(run_training(t2, ok, d, s, 1).epochs_run == 3);
}
