// Finite-difference checks of Model::accumulate_gradients for every table kind, QR combiner, MD projection
// (with and without bias) and the bias terms: the analytic gradient of the summed squared error must match
// central differences of the loss computed through the prediction path.
#include <catch2/catch.hpp>
#include <cmath>

#include "memrec/model.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {

struct Batch {
    std::vector<int32_t> users, items;
    std::vector<float> ratings;
};

double loss(const Model& m, const Batch& b) {
    BatchBuffers buf;
    std::vector<float> pred(b.ratings.size());
    m.predict(b.users.data(), b.items.data(), int64_t(b.ratings.size()), pred.data(), buf);
    double s = 0;
    for (size_t i = 0; i < pred.size(); ++i) s += (double(pred[i]) - b.ratings[i]) * (double(pred[i]) - b.ratings[i]);
    return s;
}

// Keras' +-0.05 initialisation makes every gradient tiny; spread the weights so the checks have teeth.
void spread_weights(Model& m, Rng& rng) {
    for (Param* p : m.params())
        for (int64_t r = 0; r < p->rows; ++r)
            for (int c = 0; c < p->cols; ++c) p->row(r)[c] = rng.uniform(-0.6f, 0.6f);
}

// One zeroed gradient buffer per parameter of `m`.
std::vector<ParamGrad> gradients_for(Model& m) {
    std::vector<ParamGrad> grads;
    for (Param* p : m.params()) {
        grads.emplace_back();
        grads.back().resize(*p);
    }
    return grads;
}

void check_gradients(ModelConfig cfg, int64_t users, int64_t items) {
    std::vector<int64_t> item_counts(static_cast<size_t>(items));
    for (int64_t i = 0; i < items; ++i) item_counts[size_t(i)] = (i * 7919) % 13;
    Model m(cfg, users, items, 5.0f, item_counts, {}, 11);
    Rng rng(5);
    spread_weights(m, rng);

    Batch b;
    for (int i = 0; i < 12; ++i) {  // repeated ids included: gradients must accumulate
        b.users.push_back(int32_t(rng.below(uint64_t(users))));
        b.items.push_back(int32_t(rng.below(uint64_t(items))));
        b.ratings.push_back(1.0f + float(rng.below(5)));
    }
    b.users[5] = b.users[0];
    b.items[7] = b.items[2];

    std::vector<ParamGrad> grads = gradients_for(m);
    BatchBuffers buf;
    m.accumulate_gradients(b.users.data(), b.items.data(), b.ratings.data(), int64_t(b.ratings.size()), 1.0f, grads,
                           buf);

    const float h = 1e-2f;
    auto params = m.params();
    int checked = 0;
    for (size_t k = 0; k < params.size(); ++k) {
        Param& p = *params[k];
        for (int64_t r = 0; r < p.rows; ++r) {
            for (int c = 0; c < p.cols; ++c) {
                float& w = p.row(r)[c];
                const float saved = w;
                w = saved + h;
                const double up = loss(m, b);
                w = saved - h;
                const double down = loss(m, b);
                w = saved;
                const double numeric = (up - down) / (2.0 * h);
                const double analytic = grads[k].data[size_t(r * p.stride + c)];
                INFO(p.name << "[" << r << "][" << c << "] numeric " << numeric << " analytic " << analytic);
                REQUIRE(std::fabs(numeric - analytic) <= 2e-3 + 2e-2 * std::fabs(numeric));
                if (std::fabs(analytic) > 1e-3) ++checked;
            }
        }
    }
    CHECK(checked > 20);  // the check really exercised non-zero gradients
}

}  // namespace

TEST_CASE("gradients of full tables", "[gradients]") {
    ModelConfig cfg;
    cfg.user.dim = cfg.item.dim = 5;  // not a multiple of the SIMD width
    check_gradients(cfg, 9, 7);
}

TEST_CASE("gradients of quotient-remainder combiners", "[gradients][qr]") {
    for (Combiner c : {Combiner::Mult, Combiner::Add, Combiner::Concat}) {
        DYNAMIC_SECTION("combiner " << to_string(c)) {
            ModelConfig cfg;
            cfg.user.kind = TableKind::QuotientRemainder;
            cfg.user.buckets = 3;
            cfg.user.combiner = c;
            cfg.user.dim = cfg.item.dim = 7;
            check_gradients(cfg, 10, 6);
        }
    }
}

TEST_CASE("gradients of mixed-dimension blocks and projections", "[gradients][md]") {
    for (bool bias : {true, false}) {
        DYNAMIC_SECTION("projection bias " << bias) {
            ModelConfig cfg;
            cfg.user.dim = cfg.item.dim = 6;
            cfg.item.kind = TableKind::MixedDimension;
            cfg.item.block_ends = {3, 7};
            cfg.item.block_dims = {6, 3, 2};
            cfg.item.projection_bias = bias;
            check_gradients(cfg, 5, 12);
        }
    }
}

TEST_CASE("gradients of hashed tables", "[gradients]") {
    ModelConfig cfg;
    cfg.item.kind = TableKind::Hashed;
    cfg.item.buckets = 4;
    cfg.user.dim = cfg.item.dim = 4;
    check_gradients(cfg, 6, 10);
}

TEST_CASE("gradients of the bias terms", "[gradients]") {
    ModelConfig cfg;
    cfg.user.dim = cfg.item.dim = 3;
    cfg.global_bias = cfg.user_bias = cfg.item_bias = true;
    check_gradients(cfg, 5, 6);
}

TEST_CASE("gradients of the linear link", "[gradients]") {
    // The loss goes through predict(): output()'s scale / 2 + z and loss_gradient's linear branch must agree.
    ModelConfig cfg;
    cfg.link = Link::Linear;
    cfg.user.dim = cfg.item.dim = 5;
    cfg.global_bias = cfg.user_bias = cfg.item_bias = true;
    check_gradients(cfg, 5, 6);
    cfg.user.kind = TableKind::QuotientRemainder;
    cfg.user.buckets = 3;
    check_gradients(cfg, 10, 6);
}

TEST_CASE("the linear link is a rating model's output around the middle of the scale", "[gradients]") {
    ModelConfig cfg;
    cfg.link = Link::Linear;
    cfg.user.dim = cfg.item.dim = 4;
    const Model m(cfg, 3, 3, 5.0f, {1, 1, 1}, {}, 1);
    CHECK(m.output(0.0f) == 2.5f);
    CHECK(m.output(3.25f) == 5.75f);  // unbounded
    cfg.link = Link::Sigmoid;
    const Model s(cfg, 3, 3, 5.0f, {1, 1, 1}, {}, 1);
    CHECK(s.output(0.0f) == 2.5f);  // the two links agree at z = 0
    CHECK(parse_link("linear") == Link::Linear);
    CHECK_THROWS_WITH(parse_link("tanh"), "unknown link 'tanh' (expected sigmoid or linear)");
    cfg.link = Link::Linear;
    cfg.objective = Objective::Implicit;
    CHECK_THROWS_WITH(cfg.validate(), Catch::Contains("the linear link is a rating model's"));
}

TEST_CASE("a link's chain rule is its value's slope, in float and double", "[gradients]") {
    for (Link link : {Link::Sigmoid, Link::Linear})
        for (float z : {-3.0f, -0.5f, 0.0f, 0.75f, 2.0f}) {
            CAPTURE(to_string(link), z);
            const LinkAt at(link, 5.0f, z);
            const float h = 1e-3f;
            const double up = LinkAt(link, 5.0f, z + h).value<double>();
            const double down = LinkAt(link, 5.0f, z - h).value<double>();
            const double slope = (up - down) / (2.0 * h);
            CHECK(at.chain(1.0) == Approx(slope).epsilon(1e-3));
            CHECK(at.chain(-2.0f) == Approx(-2.0 * slope).epsilon(1e-3));
            CHECK(at.value<float>() == Approx(link == Link::Linear ? 2.5 + z : 5.0 / (1.0 + std::exp(-z))));
        }
}

// The block schedule looks tables up in place (Model::lookup's in_place, EmbeddingTable::lookup_rows):
// loss_gradient and backward then read a full table's rows, and a mixed-dimension table's base-dim rows and
// its products in block order, instead of copies in batch order. The dz values and every gradient must be
// the copied path's, bit for bit; a quotient-remainder table copies either way.
TEST_CASE("tables looked up in place give the copied lookup's loss and gradients", "[gradients]") {
    for (int kinds = 0; kinds < 3; ++kinds) {
        ModelConfig cfg;
        cfg.user.dim = cfg.item.dim = 6;
        cfg.global_bias = cfg.user_bias = cfg.item_bias = true;
        if (kinds == 1) {
            cfg.user.kind = TableKind::QuotientRemainder;
            cfg.user.buckets = 3;
        } else if (kinds == 2) {
            cfg.item.kind = TableKind::MixedDimension;
            cfg.item.block_ends = {3, 7};
            cfg.item.block_dims = {6, 3, 2};
        }
        INFO("user table " << to_string(cfg.user.kind) << ", item table " << to_string(cfg.item.kind));
        Model m(cfg, 10, 12, 5.0f, std::vector<int64_t>(12, 1), {}, 11);
        Rng rng(5);
        spread_weights(m, rng);
        Batch b;
        for (int i = 0; i < 20; ++i) {
            b.users.push_back(int32_t(rng.below(10)));
            b.items.push_back(int32_t(rng.below(12)));
            b.ratings.push_back(1.0f + float(rng.below(5)));
        }
        const int64_t n = int64_t(b.ratings.size());
        struct Result {
            std::vector<float> dz;
            std::vector<AlignedVector<float>> grads;
            double loss = 0;
        };
        auto run = [&](bool in_place) {
            std::vector<ParamGrad> grads = gradients_for(m);
            BatchBuffers buf;
            buf.reserve(n, m.user_table().stride());
            Result out;
            out.dz.assign(size_t(n), 0.0f);
            m.lookup(Side::User, b.users.data(), n, buf, in_place);
            m.lookup(Side::Item, b.items.data(), n, buf, in_place);
            out.loss = m.loss_gradient(b.users.data(), b.items.data(), b.ratings.data(), 0, n, 1.0f, buf,
                                       out.dz.data()).squared_error;
            m.backward(Side::User, b.users.data(), n, out.dz.data(), grads, buf);
            m.backward(Side::Item, b.items.data(), n, out.dz.data(), grads, buf);
            const bool full_user = cfg.user.kind == TableKind::Full;
            const bool read_in_place = buf.user_rows[0] == m.user_table().params()[0].row(b.users[0]);
            CHECK(read_in_place == (in_place && full_user));
            if (cfg.item.kind == TableKind::MixedDimension) {  // rows of the base-dim block 0 read in place
                const Param& block0 = m.item_table().params()[0];
                int in_table = 0;
                for (int64_t i = 0; i < n; ++i)
                    in_table += buf.item_rows[size_t(i)] >= block0.data.data() &&
                                buf.item_rows[size_t(i)] < block0.data.data() + block0.data.size();
                CHECK((in_table > 0) == in_place);
            }
            for (ParamGrad& g : grads) out.grads.push_back(g.data);
            return out;
        };
        const Result copied = run(false), in_place = run(true);
        CHECK(in_place.loss == copied.loss);
        CHECK(in_place.dz == copied.dz);
        REQUIRE(in_place.grads.size() == copied.grads.size());
        for (size_t k = 0; k < copied.grads.size(); ++k) CHECK(in_place.grads[k] == copied.grads[k]);
        CHECK(copied.loss > 0.0);
    }
}
