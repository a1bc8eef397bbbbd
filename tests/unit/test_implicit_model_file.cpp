// Format version 3: the objective is stored; an implicit model's file holds the item side only (no user
// rows, no user ids) with the alpha, lambda and positives its fold-in needs, at every storage; rating
// models round-trip as before.
#include <catch2/catch.hpp>

#include "memrec/als.h"
#include "memrec/error.h"
#include "memrec/model_file.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {

ModelFile implicit_file() {
    AlsConfig c;
    c.factors = 20;  // padded to 32 in memory: the file stores 20 columns
    c.feedback.alpha = 2.5;
    c.feedback.lambda = 7;
    c.feedback.positive_threshold = 3.5f;
    c.feedback.all_rated_positive = true;
    ModelFile f;
    f.model = std::make_unique<Model>(als_model(c, 5, 4, 5.0f));
    for (const char* u : {"1", "2", "3", "4", "5"}) f.users.add(u);
    for (const char* i : {"10", "20", "30", "40"}) f.items.add(i);
    f.item_counts = {3, 1, 4, 1};
    f.info.train.epochs = 12;
    return f;
}

ModelFile parse(const std::string& bytes) {
    return parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

TEST_CASE("an implicit model is written at format 3 with its item side only", "[model_file][implicit]") {
    const ModelFile f = implicit_file();
    for (Storage storage : {Storage::F32, Storage::F16, Storage::Int8}) {
        const ModelFile g = parse(serialize_model(f, storage));
        CHECK(g.format_version == 3);
        const Model& m = *g.model;
        CHECK(m.config().objective == Objective::Implicit);
        CHECK(m.config().implicit.alpha == 2.5);
        CHECK(m.config().implicit.lambda == 7.0);
        CHECK(m.config().implicit.positive_threshold == 3.5f);
        CHECK(m.config().implicit.all_rated_positive);
        CHECK(m.users() == 0);
        CHECK(g.users.size() == 0);
        CHECK(m.items() == 4);
        CHECK(g.items.ids() == f.items.ids());
        CHECK(g.info.train.epochs == 12);
        const double tolerance = storage == Storage::F32 ? 0.0 : storage == Storage::F16 ? 1e-4 : 1e-3;
        for (int64_t i = 0; i < 4; ++i)
            for (int k = 0; k < 20; ++k)
                CHECK(m.item_table().params()[0].row(i)[k] ==
                      Approx(f.model->item_table().params()[0].row(i)[k]).margin(tolerance));
        // Written again, a loaded item-side-only model gives the same bytes.
        CHECK(serialize_model(g, storage) == serialize_model(f, storage));
    }
}

TEST_CASE("a rating model keeps its objective through format 3", "[model_file][implicit]") {
    ModelConfig c;
    c.user.dim = c.item.dim = 3;
    ModelFile f;
    f.model = std::make_unique<Model>(c, 2, 2, 5.0f, std::vector<int64_t>{1, 1}, std::vector<int64_t>{1, 1}, 3);
    f.users.add("7");
    f.users.add("8");
    f.items.add("1");
    f.items.add("2");
    const ModelFile g = parse(serialize_model(f));
    CHECK(g.format_version == 3);
    CHECK(g.model->config().objective == Objective::Rating);
    CHECK(g.model->users() == 2);
    CHECK(g.model->predict(1, 0) == f.model->predict(1, 0));
}
