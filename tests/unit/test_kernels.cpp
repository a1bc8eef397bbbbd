// Every kernel variant held to the scalar reference, on padded rows of widths that are and are not
// multiples of the vector width (the padding lanes are zero, as Param keeps them).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "memrec/kernels.h"
#include "memrec/param.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {
AlignedVector<float> row(int cols, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
    AlignedVector<float> v(size_t(padded_cols(cols)), 0.0f);
    for (int i = 0; i < cols; ++i) v[size_t(i)] = rng.uniform(lo, hi);
    return v;
}
// Relative tolerance: SIMD sums associate differently and use FMA, so results differ in the last bits.
void close(const AlignedVector<float>& a, const AlignedVector<float>& b, double tol = 1e-5) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        INFO("lane " << i);
        REQUIRE(std::fabs(double(a[i]) - double(b[i])) <= tol * (1.0 + std::fabs(double(b[i]))));
    }
}
}  // namespace

TEST_CASE("kernels agree with the scalar reference", "[kernels]") {
    INFO("active kernels: " << kernels::active());
    Rng rng(17);
    for (int cols : {1, 5, 16, 20, 32, 37, 64, 100}) {
        const int n = padded_cols(cols);
        INFO("cols " << cols);
        auto a = row(cols, rng), b = row(cols, rng), y = row(cols, rng);

        const float d = kernels::dot(a.data(), b.data(), n);
        const float ds = kernels::scalar::dot(a.data(), b.data(), n);
        CHECK(std::fabs(d - ds) <= 1e-5f * (1.0f + std::fabs(ds)));

        auto y1 = y, y2 = y;
        kernels::axpy(0.37f, a.data(), y1.data(), n);
        kernels::scalar::axpy(0.37f, a.data(), y2.data(), n);
        close(y1, y2);

        y1 = y, y2 = y;
        kernels::mul_axpy(-1.3f, a.data(), b.data(), y1.data(), n);
        kernels::scalar::mul_axpy(-1.3f, a.data(), b.data(), y2.data(), n);
        close(y1, y2);

        y1 = y, y2 = y;
        kernels::mul(a.data(), b.data(), y1.data(), n);
        kernels::scalar::mul(a.data(), b.data(), y2.data(), n);
        close(y1, y2);
        for (int i = cols; i < n; ++i) CHECK(y1[size_t(i)] == 0.0f);  // padding stays zero

        AdamStep st{0.0013f, 0.9f, 0.999f, 1e-7f};
        auto w1 = row(cols, rng), m1 = row(cols, rng, -0.1f, 0.1f), v1 = row(cols, rng, 0.0f, 0.01f);
        auto w2 = w1, m2 = m1, v2 = v1;
        kernels::adam_update(w1.data(), m1.data(), v1.data(), a.data(), n, st);
        kernels::scalar::adam_update(w2.data(), m2.data(), v2.data(), a.data(), n, st);
        close(w1, w2);
        close(m1, m2);
        close(v1, v2);
        for (int i = cols; i < n; ++i) CHECK(w1[size_t(i)] == 0.0f);
    }
}

// The row rules' results are the same bits on every build only if this kernel is: square root and division
// are correctly rounded, so the vector variant must equal the scalar reference exactly.
TEST_CASE("adagrad_rates is lr / sqrt(1 + G), bit for bit as the scalar reference", "[kernels]") {
    Rng rng(23);
    AlignedVector<float> G(32), fast(32), ref(32);
    for (size_t i = 0; i < G.size(); ++i)
        G[i] = i == 0 ? 0.0f : rng.uniform(0.0f, 1.0f) * float(1 << (i % 20));  // 0 and up to about 5e5
    kernels::adagrad_rates(G.data(), 0.07f, fast.data(), 32);
    kernels::scalar::adagrad_rates(G.data(), 0.07f, ref.data(), 32);
    for (size_t i = 0; i < G.size(); ++i) {
        INFO("G = " << G[i]);
        CHECK(fast[i] == ref[i]);
        CHECK(ref[i] == 0.07f / std::sqrt(1.0f + G[i]));
    }
    CHECK(ref[0] == 0.07f);
}

// The per-example steps' gradient and its squares in one pass must be the bits of the two apart, which the
// batched row rules compute (test_example_steps.cpp holds the two orders of steps to each other).
TEST_CASE("scaled_gradient is d o + l2 w and dot(g, g), bit for bit as the two apart", "[kernels]") {
    Rng rng(31);
    for (int n : {16, 64, 128, 256}) {
        const size_t len = static_cast<size_t>(n);
        AlignedVector<float> other(len), row(len), grad(len), ref(len);
        for (int trial = 0; trial < 20; ++trial) {
            for (int c = 0; c < n; ++c) {
                other[size_t(c)] = rng.uniform(-1.0f, 1.0f);
                row[size_t(c)] = rng.uniform(-1.0f, 1.0f) * float(1 << (c % 8));
            }
            const float d = rng.uniform(-3.0f, 3.0f), l2 = trial % 4 == 0 ? 0.0f : rng.uniform(0.0f, 0.2f);
            for (int c = 0; c < n; ++c) ref[size_t(c)] = d * other[size_t(c)] + l2 * row[size_t(c)];
            const float squares = kernels::scaled_gradient(d, other.data(), l2, row.data(), grad.data(), n);
            INFO("n = " << n << ", trial " << trial);
            CHECK(std::memcmp(grad.data(), ref.data(), sizeof(float) * size_t(n)) == 0);
            CHECK(squares == kernels::dot(ref.data(), ref.data(), n));
        }
    }
}

// The quotient-remainder gradient in one pass must be the bits of the steps it fuses, which
// QuotientRemainderEmbedding::backward takes (and the batched model before it).
TEST_CASE("qr_mult_backward is g = d o then mul_axpy into both rows, bit for bit", "[kernels]") {
    Rng rng(37);
    for (int n : {16, 64, 128, 256}) {
        const size_t len = static_cast<size_t>(n);
        AlignedVector<float> other(len), q(len), r(len), gq(len), gr(len), gq_ref(len), gr_ref(len), g(len);
        for (int trial = 0; trial < 10; ++trial) {
            for (size_t c = 0; c < len; ++c) {
                other[c] = rng.uniform(-1.0f, 1.0f);
                q[c] = rng.uniform(-0.1f, 0.1f);
                r[c] = rng.uniform(-0.1f, 0.1f);
                gq[c] = gq_ref[c] = rng.uniform(-0.01f, 0.01f);
                gr[c] = gr_ref[c] = rng.uniform(-0.01f, 0.01f);
            }
            const float d = rng.uniform(-3.0f, 3.0f);
            for (size_t c = 0; c < len; ++c) g[c] = d * other[c];
            kernels::mul_axpy(1.0f, g.data(), r.data(), gq_ref.data(), n);
            kernels::mul_axpy(1.0f, g.data(), q.data(), gr_ref.data(), n);
            kernels::qr_mult_backward(d, other.data(), q.data(), r.data(), gq.data(), gr.data(), n);
            INFO("n = " << n << ", trial " << trial);
            CHECK(std::memcmp(gq.data(), gq_ref.data(), sizeof(float) * len) == 0);
            CHECK(std::memcmp(gr.data(), gr_ref.data(), sizeof(float) * len) == 0);
        }
    }
}

TEST_CASE("projection kernels compute x P + b and its gradient", "[kernels]") {
    Rng rng(3);
    const int k = 3, cols = 20, stride = padded_cols(cols);
    AlignedVector<float> P(size_t(k * stride), 0.0f), bias = row(cols, rng), x(16, 0.0f), g = row(cols, rng);
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < cols; ++j) P[size_t(i * stride + j)] = rng.uniform(-1, 1);
    for (int i = 0; i < k; ++i) x[size_t(i)] = rng.uniform(-1, 1);
    AlignedVector<float> out(size_t(stride), 0.0f);
    kernels::project(x.data(), k, P.data(), stride, bias.data(), out.data(), stride);
    for (int j = 0; j < cols; ++j) {
        double e = bias[size_t(j)];
        for (int i = 0; i < k; ++i) e += double(x[size_t(i)]) * P[size_t(i * stride + j)];
        CHECK(out[size_t(j)] == Approx(e).epsilon(1e-5));
    }
    AlignedVector<float> gx(16, 0.0f), gP(size_t(k * stride), 0.0f), gb(size_t(stride), 0.0f);
    kernels::project_backward(x.data(), k, P.data(), stride, g.data(), stride, gx.data(), gP.data(), gb.data());
    for (int i = 0; i < k; ++i) {
        double e = 0;
        for (int j = 0; j < cols; ++j) e += double(g[size_t(j)]) * P[size_t(i * stride + j)];
        CHECK(gx[size_t(i)] == Approx(e).epsilon(1e-5));
        for (int j = 0; j < cols; ++j) CHECK(gP[size_t(i * stride + j)] == Approx(x[size_t(i)] * g[size_t(j)]));
    }
    for (int j = 0; j < cols; ++j) CHECK(gb[size_t(j)] == g[size_t(j)]);
}

// The batched projections (one GEMM natively) against the definition in double precision, and against the
// row-at-a-time kernels they replace, on a width that is not a multiple of the vector width.
TEST_CASE("batched projection kernels compute X P + b and its gradients", "[kernels]") {
    Rng rng(8);
    const int k = 5, cols = 20, stride = padded_cols(cols);
    const int64_t n = 7;
    AlignedVector<float> P(size_t(k * stride), 0.0f), bias = row(cols, rng), X(size_t(n * k)), G(size_t(n * stride), 0.0f);
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < cols; ++j) P[size_t(i * stride + j)] = rng.uniform(-1, 1);
    for (float& x : X) x = rng.uniform(-1, 1);
    for (int64_t r = 0; r < n; ++r)
        for (int j = 0; j < cols; ++j) G[size_t(r * stride + j)] = rng.uniform(-1, 1);

    AlignedVector<float> Y(size_t(n * stride), 9.0f), Y_rows(size_t(n * stride), 9.0f);
    kernels::project_batch(X.data(), n, k, P.data(), stride, bias.data(), Y.data());
    kernels::by_rows::project_batch(X.data(), n, k, P.data(), stride, bias.data(), Y_rows.data());
    close(Y, Y_rows);
    for (int64_t r = 0; r < n; ++r)
        for (int j = 0; j < stride; ++j) {
            double e = j < cols ? bias[size_t(j)] : 0.0;
            for (int i = 0; i < k; ++i) e += double(X[size_t(r * k + i)]) * P[size_t(i * stride + j)];
            INFO("row " << r << " column " << j);
            CHECK(Y[size_t(r * stride + j)] == Approx(e).epsilon(1e-5).margin(1e-6));
        }

    // Gradients accumulate into gP and gbias (start them non-zero), GX is overwritten.
    AlignedVector<float> GX(size_t(n * k), 3.0f), gP(size_t(k * stride), 0.5f), gb(size_t(stride), 0.25f);
    AlignedVector<float> GX_rows = GX, gP_rows = gP, gb_rows = gb;
    kernels::project_batch_backward(X.data(), n, k, P.data(), stride, G.data(), GX.data(), gP.data(), gb.data());
    kernels::by_rows::project_batch_backward(X.data(), n, k, P.data(), stride, G.data(), GX_rows.data(),
                                             gP_rows.data(), gb_rows.data());
    close(GX, GX_rows);
    close(gP, gP_rows);
    close(gb, gb_rows);
    for (int64_t r = 0; r < n; ++r)
        for (int i = 0; i < k; ++i) {
            double e = 0;
            for (int j = 0; j < cols; ++j) e += double(G[size_t(r * stride + j)]) * P[size_t(i * stride + j)];
            CHECK(GX[size_t(r * k + i)] == Approx(e).epsilon(1e-5).margin(1e-6));
        }
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < stride; ++j) {
            double e = 0.5;
            for (int64_t r = 0; r < n; ++r) e += double(X[size_t(r * k + i)]) * G[size_t(r * stride + j)];
            CHECK(gP[size_t(i * stride + j)] == Approx(e).epsilon(1e-5).margin(1e-6));
        }
    for (int j = 0; j < stride; ++j) {
        double e = 0.25;
        for (int64_t r = 0; r < n; ++r) e += G[size_t(r * stride + j)];
        CHECK(gb[size_t(j)] == Approx(e).epsilon(1e-5).margin(1e-6));
    }
}

TEST_CASE("adam_update_l2 is axpy(l2, w, g) then adam_update, in one pass", "[kernels]") {
    INFO("active kernels: " << kernels::active());
    Rng rng(29);
    const AdamStep st{0.0021f, 0.9f, 0.999f, 1e-7f};
    for (int cols : {1, 16, 37, 64, 256}) {
        const int n = padded_cols(cols);
        INFO("cols " << cols);
        for (float l2 : {0.0f, 0.0005f, 0.05f}) {
            INFO("l2 " << l2);
            const auto g = row(cols, rng);
            auto w1 = row(cols, rng), m1 = row(cols, rng, -0.1f, 0.1f), v1 = row(cols, rng, 0.0f, 0.01f);
            auto w2 = w1, m2 = m1, v2 = v1, w3 = w1, m3 = m1, v3 = v1, w4 = w1, m4 = m1, v4 = v1;
            const auto g_before = g;
            // The two-pass path each variant replaces: the same operations, so the same bits.
            auto ga = g;
            kernels::axpy(l2, w2.data(), ga.data(), n);
            kernels::adam_update(w2.data(), m2.data(), v2.data(), ga.data(), n, st);
            kernels::adam_update_l2(w1.data(), m1.data(), v1.data(), g.data(), l2, n, st);
            CHECK(w1 == w2);
            CHECK(m1 == m2);
            CHECK(v1 == v2);
            auto gs = g;
            kernels::scalar::axpy(l2, w4.data(), gs.data(), n);
            kernels::scalar::adam_update(w4.data(), m4.data(), v4.data(), gs.data(), n, st);
            kernels::scalar::adam_update_l2(w3.data(), m3.data(), v3.data(), g.data(), l2, n, st);
            CHECK(w3 == w4);
            CHECK(m3 == m4);
            CHECK(v3 == v4);
            // The active variant against the scalar reference.
            close(w1, w3);
            close(m1, m3);
            close(v1, v3);
            CHECK(g == g_before);  // the gradient is read only
            for (int i = cols; i < n; ++i) CHECK(w1[size_t(i)] == 0.0f);
        }
    }
}
