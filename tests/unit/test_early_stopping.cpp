// Early stopping: the epoch is chosen on a validation slice carved from the training split, the model ends
// with the parameters of its best validation epoch, and training stops `patience` epochs after it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "low_rank_data.h"
#include "memrec/early_stopping.h"
#include "memrec/split.h"

using namespace memrec;
using memrec_test::low_rank_data;

TEST_CASE("the validation slice is a seeded, disjoint part of the training split", "[early_stopping][split]") {
    std::vector<uint32_t> train(20000);
    for (uint32_t i = 0; i < train.size(); ++i) train[i] = 3 * i;
    const Split a = carve_validation(train, 0.1, 5);
    const Split b = carve_validation(train, 0.1, 5);
    CHECK(a.train == b.train);
    CHECK(a.eval == b.eval);
    CHECK(a.train.size() + a.eval.size() == train.size());
    CHECK(double(a.eval.size()) == Approx(2000).margin(200));
    std::set<uint32_t> all(a.train.begin(), a.train.end());
    for (uint32_t i : a.eval) CHECK(all.insert(i).second);  // no rating in both
    CHECK(all == std::set<uint32_t>(train.begin(), train.end()));
    CHECK(carve_validation(train, 0.1, 6).eval != a.eval);
}

TEST_CASE("early stopping keeps the best validation epoch and stops after the patience", "[early_stopping]") {
    Dataset d = low_rank_data(120, 80, 21);
    const Split s = split_dataset(d, 0.85, 3);
    const Split fit = carve_validation(s.train, 0.1, 3);
    ModelConfig mc;
    mc.user.dim = mc.item.dim = 32;
    mc.global_bias = mc.user_bias = mc.item_bias = true;
    Model m(mc, 120, 80, 5.0f, count_items(d, fit.train), {}, 5);
    TrainConfig tc;
    tc.epochs = 60;
    tc.batch_size = 32;
    tc.adam.learning_rate = 0.02;  // large: a 32-dim model of ~4,000 ratings overfits within a few epochs
    tc.adam.mode = AdamMode::Lazy;
    Trainer t(m, tc);
    const int patience = 2;
    const EarlyStoppingResult r = fit_early_stopping(t, m, d, fit.train, fit.eval, patience);

    REQUIRE(r.epochs_run == static_cast<int>(r.validation.size()));
    REQUIRE(r.epochs_run < 60);  // it overfits, so it stops early
    // The best epoch is the lowest validation RMSE, and training ran exactly `patience` epochs past it.
    const auto best = std::min_element(r.validation.begin(), r.validation.end(),
                                       [](const Metrics& a, const Metrics& b) { return a.rmse < b.rmse; });
    CHECK(r.best_epoch == static_cast<int>(best - r.validation.begin()) + 1);
    CHECK(r.epochs_run == r.best_epoch + patience);
    CHECK(r.best_validation.rmse == best->rmse);
    for (int e = r.best_epoch; e < r.epochs_run; ++e) CHECK(r.validation[size_t(e)].rmse >= best->rmse);
    // The model holds the best epoch's parameters: evaluating it again gives that epoch's figures.
    const Metrics again = evaluate(m, d, fit.eval);
    CHECK(again.rmse == Approx(best->rmse).epsilon(1e-9));
    CHECK(again.count == best->count);
}

TEST_CASE("a parameter snapshot restores every parameter exactly", "[early_stopping]") {
    ModelConfig mc;
    mc.user.kind = TableKind::QuotientRemainder;
    mc.user.buckets = 4;
    mc.user.dim = mc.item.dim = 8;
    mc.global_bias = mc.user_bias = mc.item_bias = true;
    Model m(mc, 30, 20, 5.0f, std::vector<int64_t>(20, 1), {}, 9);
    ParamSnapshot snap;
    snap.save(m);
    std::vector<std::vector<float>> before;
    for (Param* p : m.params()) before.emplace_back(p->data.begin(), p->data.end());
    for (Param* p : m.params())
        for (float& x : p->data) x += 1.0f;
    snap.restore(m);
    size_t i = 0;
    for (Param* p : m.params()) CHECK(std::vector<float>(p->data.begin(), p->data.end()) == before[i++]);
}
