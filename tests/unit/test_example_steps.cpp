// The row rules' per-example steps on full tables (core/src/train/example_steps.h): with one example a batch
// they are the batched steps' arithmetic, bit for bit, on one thread and on several (the global bias shared
// between threads); with larger batches they differ from the batched order but train as well; and only
// models of full tables trained by a row rule take them. Names start with "threads:" so scripts/sanitize.sh
// runs them under ThreadSanitizer.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "memrec/split.h"
#include "memrec/trainer.h"
#include "example_steps.h"
#include "low_rank_data.h"
#include "schedule_run.h"

using namespace memrec;

namespace {

struct Trained {
    std::vector<float> values;  // every parameter, then every optimiser accumulator, in the model's order
    std::vector<int32_t> steps;  // every row's update count
    double rmse = 0;
};

Trained train(const Dataset& d, const Split& s, Optimizer opt, Link link, int threads, int64_t batch,
              bool example_steps, int epochs = 2) {
    ModelConfig mc = memrec_test::full_model();
    mc.link = link;
    Model m(mc, d.users.size(), d.items.size(), 5.0f, count_items(d, s.train), count_users(d, s.train), 3);
    TrainConfig tc;
    tc.epochs = epochs;
    tc.batch_size = batch;
    tc.threads = threads;
    tc.adam.optimizer = opt;
    tc.adam.mode = AdamMode::Lazy;
    tc.adam.learning_rate = opt == Optimizer::AdaGrad ? 0.05 : 0.01;
    tc.adam.l2 = tc.adam.l2_bias = 0.02;
    Trainer t(m, tc);
    t.set_example_steps(example_steps);
    t.fit(d, s.train, s.eval);
    Trained r;
    for (Param* p : m.params()) r.values.insert(r.values.end(), p->data.begin(), p->data.end());
    for (const AdamState& st : t.optimizer().state()) {
        r.values.insert(r.values.end(), st.v.begin(), st.v.end());
        r.steps.insert(r.steps.end(), st.steps.begin(), st.steps.end());
    }
    r.rmse = t.history().back().eval.rmse;
    return r;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("threads: per-example steps with one example a batch are the batched steps, bit for bit",
          "[threads][blocks]") {
    const Dataset d = memrec_test::rounded_rank3_data(300, 150, 30, 29, false);
    const Split s = split_dataset(d, 0.85, 5);
    const Optimizer opt = GENERATE(Optimizer::AdaGrad, Optimizer::Sgd);
    const Link link = GENERATE(Link::Sigmoid, Link::Linear);
    const int threads = GENERATE(1, 2, 3);
    INFO(to_string(opt) << ", " << to_string(link) << " link, " << threads << " threads");
    const Trained per_example = train(d, s, opt, link, threads, 1, true);
    const Trained batched = train(d, s, opt, link, threads, 1, false);
    CHECK(same_bits(per_example.values, batched.values));
    CHECK(per_example.steps == batched.steps);
    CHECK(per_example.rmse == batched.rmse);
}

TEST_CASE("threads: per-example steps in batches step a row after each example, and train as well",
          "[threads][blocks]") {
    const Dataset d = memrec_test::rounded_rank3_data(800, 400, 50, 23, false);
    const Split s = split_dataset(d, 0.85, 5);
    const int threads = GENERATE(1, 2);
    INFO(threads << " threads");
    const Trained per_example = train(d, s, Optimizer::AdaGrad, Link::Linear, threads, 32, true, 12);
    const Trained batched = train(d, s, Optimizer::AdaGrad, Link::Linear, threads, 32, false, 12);
    // A row in two examples of a batch steps twice, not once with their sum: other values, and as many
    // counted updates as the row had examples (the batched order counts batches).
    CHECK_FALSE(same_bits(per_example.values, batched.values));
    int64_t example_updates = 0, batch_updates = 0;
    for (int32_t c : per_example.steps) example_updates += c;
    for (int32_t c : batched.steps) batch_updates += c;
    CHECK(example_updates > batch_updates);
    const double mean = memrec_test::mean_predictor_rmse(d, s);
    INFO("per example " << per_example.rmse << ", batched " << batched.rmse << ", mean " << mean);
    CHECK(per_example.rmse < 0.8 * mean);
    CHECK(per_example.rmse == Approx(batched.rmse).margin(0.01));
}

TEST_CASE("per-example steps are for full tables trained by a row rule", "[blocks]") {
    const Dataset d = memrec_test::rounded_rank3_data(100, 60, 10, 3, false);
    auto applies = [&](TableKind user, Optimizer opt) {
        ModelConfig mc = memrec_test::full_model();
        mc.user.kind = user;
        mc.user.buckets = 10;
        Model m(mc, d.users.size(), d.items.size(), 5.0f, {}, {}, 3);
        AdamConfig ac;
        ac.optimizer = opt;
        ac.mode = AdamMode::Lazy;
        Adam adam(ac, m.params());
        return ExampleSteps::applies(m, adam);
    };
    CHECK(applies(TableKind::Full, Optimizer::AdaGrad));
    CHECK(applies(TableKind::Full, Optimizer::Sgd));
    CHECK_FALSE(applies(TableKind::Full, Optimizer::Adam));
    CHECK_FALSE(applies(TableKind::QuotientRemainder, Optimizer::AdaGrad));
    CHECK_FALSE(applies(TableKind::Hashed, Optimizer::Sgd));
}
