// The reference experiment on the real ml-1m (1,000,181 ratings): the tutorial's two models with its
// settings (3 epochs, batch 128, Adam lr 0.001 applied densely, 85/15 split). The tutorial reported eval
// MSE 0.7446 (baseline) and 0.8806 (memory-efficient); memrec must reach <= 0.750 / MAE <= 0.685 and
// <= 0.850. Takes a few seconds with the closed-form dense Adam.
#include <catch2/catch.hpp>

#include "memrec/presets.h"
#include "memrec/reader.h"
#include "memrec/split.h"
#include "test_files.h"

using namespace memrec;

namespace {
struct Run {
    int64_t parameters;
    Metrics eval;
};

Run train(const Dataset& d, const Split& s, const std::string& name, AdamMode mode, double lr, int threads) {
    Preset p = preset(name);
    p.train.adam.mode = mode;
    p.train.adam.learning_rate = lr;
    p.train.threads = threads;
    Model m(p.model, d.users.size(), d.items.size(), d.max_rating, count_items(d, s.train), count_users(d, s.train),
            p.train.seed);
    Trainer t(m, p.train);
    auto h = t.fit(d, s.train, s.eval);
    return {m.parameter_count(), h.back().eval};
}
}  // namespace

TEST_CASE("ml-1m reference experiment meets the acceptance figures", "[data][reference]") {
    const Dataset d = read_dataset(memrec_test::data_path("ml-1m"));
    REQUIRE(d.size() == 1000181);
    const Split s = split_dataset(d, 0.85, 42);

    const Run base = train(d, s, "baseline", AdamMode::Dense, 0.001, 2);
    CHECK(base.parameters == 622848);
    CHECK(base.eval.mse <= 0.750);
    CHECK(base.eval.mae <= 0.685);

    const Run eff = train(d, s, "memeff", AdamMode::Dense, 0.001, 2);
    CHECK(eff.parameters == 117744);
    CHECK(eff.eval.mse <= 0.850);

    // Two threads split the work by side and are bit-identical to one.
    const Run one = train(d, s, "memeff", AdamMode::Dense, 0.001, 1);
    CHECK(one.eval.mse == Approx(eff.eval.mse).epsilon(1e-9));

    // Lazy Adam: rows do not coast on momentum between appearances, so it needs a larger step to match
    // dense Adam in three epochs; at lr 0.0015 it ends within 0.01 of dense mode, or better.
    const Run lazy = train(d, s, "baseline", AdamMode::Lazy, 0.0015, 2);
    CHECK(lazy.eval.mse <= base.eval.mse + 0.01);
}
