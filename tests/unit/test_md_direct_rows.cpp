// The mixed-dimension table's rows used once in a batch step from where its backward pass computed their
// gradients (ParamGrad::direct: grad_out for a block at the base dim, the block's G P^T buffer for a
// projected block whose dim is a multiple of kRowFloats): the same bits as adding every row into the
// gradient buffer first. Blocks of every case: base dim, projected with k == stride, projected with
// k < stride (always added).
#include <catch2/catch.hpp>

#include <numeric>

#include "memrec/adam.h"
#include "memrec/md_embedding.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {
MixedDimensionEmbedding md_table(uint64_t seed) {
    const int64_t rows = 30;
    std::vector<int32_t> order(static_cast<size_t>(rows));
    std::iota(order.begin(), order.end(), 0);
    // Blocks: ids 0..5 at 32 dims (no projection), 6..17 at 16 (GX rows are table rows), 18..29 at 5.
    MixedDimensionEmbedding t(rows, 32, order, {6, 18}, {32, 16, 5}, true, "item");
    Rng rng(seed);
    t.initialize(rng);
    return t;
}
}  // namespace

TEST_CASE("mixed-dimension rows used once step from the backward pass's buffers, same bits", "[md][adam]") {
    for (AdamMode mode : {AdamMode::Lazy, AdamMode::Dense}) {
        INFO("mode " << to_string(mode));
        MixedDimensionEmbedding ta = md_table(3), tb = md_table(3);
        AdamConfig c;
        c.learning_rate = 0.01;
        c.mode = mode;
        c.l2 = 0.02;
        std::vector<Param*> pa, pb;
        for (Param& p : ta.params()) pa.push_back(&p);
        for (Param& p : tb.params()) pb.push_back(&p);
        Adam a(c, pa), b(c, pb);
        REQUIRE(b.takes_direct_rows());
        std::vector<ParamGrad> ga(pa.size()), gb(pb.size());
        for (size_t i = 0; i < pa.size(); ++i) {
            ga[i].resize(*pa[i]);
            gb[i].allow_direct = true;
            gb[i].resize(*pb[i]);
        }
        const int s = ta.stride();
        Rng rng(17);
        int direct_base = 0, direct_projected = 0;
        for (int step = 1; step <= 8; ++step) {
            INFO("step " << step);
            // Some ids twice (rows 2 and 9 and 20 every time), the rest drawn.
            std::vector<int32_t> ids{2, 9, 20, 2, 9, 20};
            for (int k = 0; k < 10; ++k) ids.push_back(int32_t(rng.below(30)));
            const int64_t n = int64_t(ids.size());
            AlignedVector<float> grad_out(size_t(n * s), 0.0f);
            for (int64_t i = 0; i < n; ++i)
                for (int k = 0; k < 32; ++k) grad_out[size_t(i * s + k)] = rng.uniform(-1.0f, 1.0f);
            ta.mark_rows(ids.data(), n, ga.data());
            tb.mark_rows(ids.data(), n, gb.data());
            ta.backward(ids.data(), n, grad_out.data(), ga.data());
            tb.backward(ids.data(), n, grad_out.data(), gb.data());
            for (size_t p = 0; p < ga.size(); ++p) {
                if (ga[p].whole) {
                    REQUIRE(ga[p].data == gb[p].data);
                    continue;
                }
                REQUIRE(ga[p].touched == gb[p].touched);
                for (int32_t r : gb[p].touched) {
                    if (gb[p].direct[size_t(r)]) {
                        CHECK(pb[p]->cols != 5);  // k < stride: its GX rows are not table rows
                        (p == 0 ? direct_base : direct_projected)++;
                    }
                    CHECK_FALSE(ga[p].direct.size() > 0);
                    const float* x = ga[p].gradient_row(r);
                    const float* y = gb[p].gradient_row(r);
                    for (int k = 0; k < ga[p].stride; ++k) REQUIRE(x[k] == y[k]);
                }
            }
            a.step(ga);
            b.step(gb);
            for (size_t p = 0; p < pa.size(); ++p) REQUIRE(pa[p]->data == pb[p]->data);
            for (const ParamGrad& g : gb)
                for (const float* d : g.direct) CHECK(d == nullptr);
        }
        a.synchronize();
        b.synchronize();
        for (size_t p = 0; p < pa.size(); ++p) REQUIRE(pa[p]->data == pb[p]->data);
        CHECK(direct_base > 0);       // grad_out rows of the base-dim block
        CHECK(direct_projected > 0);  // GX rows of the 16-dim block
    }
}
