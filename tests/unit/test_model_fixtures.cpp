// Model files written by earlier builds (tests/fixtures/README.md): format 1 and format 2 still load, report
// the version they were written in, and predict what they predicted when they were made.
#include <catch2/catch.hpp>

#include <string>

#include "memrec/model_file.h"

using namespace memrec;

namespace {

ModelFile fixture(const std::string& name) { return load_model(std::string(MEMREC_FIXTURES) + "/" + name); }

struct Expected {
    int32_t user, item;
    float rating;
};

// Measured with the build that wrote format2.mrec (commit a03d860).
const Expected kPredictions[] = {
    {0, 0, 2.63573503f},
    {0, 6, 2.72091508f},
    {0, 12, 2.73403311f},
    {0, 18, 2.75142312f},
    {0, 24, 2.68684268f},
    {7, 0, 2.63444877f},
    {7, 6, 2.72011733f},
    {7, 12, 2.73267937f},
    {7, 18, 2.75061345f},
    {7, 24, 2.68552041f},
    {14, 0, 2.75139093f},
    {14, 6, 2.83549523f},
    {14, 12, 2.84793234f},
    {14, 18, 2.86601329f},
    {14, 24, 2.80166626f},
    {21, 0, 2.73477697f},
    {21, 6, 2.81956291f},
    {21, 12, 2.83253932f},
    {21, 18, 2.84963083f},
    {21, 24, 2.78563404f},
    {28, 0, 2.67675257f},
    {28, 6, 2.76185083f},
    {28, 12, 2.77466106f},
    {28, 18, 2.79215598f},
    {28, 24, 2.72767735f},
    {35, 0, 2.69825077f},
    {35, 6, 2.78315902f},
    {35, 12, 2.79633093f},
    {35, 18, 2.81340122f},
    {35, 24, 2.74925947f},
};

}  // namespace

TEST_CASE("model files of formats 1 and 2 load and predict what they did when written", "[model_file][fixtures]") {
    for (const char* name : {"format1.mrec", "format2.mrec"}) {
        INFO(name);
        const ModelFile f = fixture(name);
        CHECK(f.format_version == (std::string(name) == "format1.mrec" ? 1u : 2u));
        REQUIRE(f.model->users() == 40);
        REQUIRE(f.model->items() == 30);
        for (const Expected& e : kPredictions) {
            INFO(e.user << ", " << e.item);
            CHECK(f.model->predict(e.user, e.item) == Approx(e.rating).epsilon(1e-6));
        }
    }
}

TEST_CASE("a format 1 file reads the settings format 2 added at their defaults", "[model_file][fixtures]") {
    const ModelFile v1 = fixture("format1.mrec"), v2 = fixture("format2.mrec");
    CHECK(v2.info.train.adam.lr_decay == 0.9);
    CHECK(v2.info.train.adam.l2_user == 0.001);
    CHECK(v1.info.train.adam.lr_decay == 1.0);
    CHECK(v1.info.train.adam.l2_user == TrainConfig().adam.l2_user);
    CHECK(v1.users.ids() == v2.users.ids());
    CHECK(v1.items.ids() == v2.items.ids());
}
