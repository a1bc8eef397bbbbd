// Kernel micro-benchmarks: each kernel at embedding widths 16..256, scalar reference against the active
// SIMD variant and against the same operation as an Eigen expression over the same aligned rows (README's
// kernel table), plus scoring every item for one user (GEMV) and for a batch of users (GEMM).
// Run: build/bench/memrec_bench_kernels --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <Eigen/Core>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "memrec/kernels.h"
#include "memrec/param.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {

struct Rows {
    AlignedVector<float> a, b, c, d;
    explicit Rows(int64_t n) : a(size_t(n)), b(size_t(n)), c(size_t(n)), d(size_t(n)) {
        Rng rng(1);
        for (int64_t i = 0; i < n; ++i) {
            a[size_t(i)] = rng.uniform(-1, 1);
            b[size_t(i)] = rng.uniform(-1, 1);
            c[size_t(i)] = rng.uniform(-0.1f, 0.1f);
            d[size_t(i)] = rng.uniform(0.0f, 0.01f);
        }
    }
};

template <float (*Dot)(const float*, const float*, int64_t)>
void BM_dot(benchmark::State& st) {
    Rows r(st.range(0));
    for (auto _ : st) benchmark::DoNotOptimize(Dot(r.a.data(), r.b.data(), st.range(0)));
    st.SetItemsProcessed(st.iterations() * st.range(0));
}

template <void (*Axpy)(float, const float*, float*, int64_t)>
void BM_axpy(benchmark::State& st) {
    Rows r(st.range(0));
    for (auto _ : st) {
        Axpy(1e-6f, r.a.data(), r.b.data(), st.range(0));
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * st.range(0));
}

template <void (*Update)(float*, float*, float*, const float*, int64_t, const AdamStep&)>
void BM_adam_update(benchmark::State& st) {
    Rows r(st.range(0));
    AdamStep s{1e-3f, 0.9f, 0.999f, 1e-7f};
    for (auto _ : st) {
        Update(r.a.data(), r.c.data(), r.d.data(), r.b.data(), st.range(0), s);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * st.range(0));
}

// The QR "mult" combine: out = x * z elementwise.
template <void (*Mul)(const float*, const float*, float*, int64_t)>
void BM_qr_combine(benchmark::State& st) {
    Rows r(st.range(0));
    for (auto _ : st) {
        Mul(r.a.data(), r.b.data(), r.c.data(), st.range(0));
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * st.range(0));
}

// Its gradient: y += a * x * z (the gradient of one factor row, given the other).
template <void (*MulAxpy)(float, const float*, const float*, float*, int64_t)>
void BM_qr_gradient(benchmark::State& st) {
    Rows r(st.range(0));
    for (auto _ : st) {
        MulAxpy(1e-6f, r.a.data(), r.b.data(), r.c.data(), st.range(0));
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * st.range(0));
}

// Dense Adam's closed-form catch-up of a row that missed k steps.
template <void (*Catchup)(float*, float*, float*, int64_t, float, float, float, float)>
void BM_adam_catchup(benchmark::State& st) {
    Rows r(st.range(0));
    for (auto _ : st) {
        Catchup(r.a.data(), r.c.data(), r.d.data(), st.range(0), 1e-6f, 0.99999f, 0.999999f, 1e-7f);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * st.range(0));
}

// The Eigen column: the same operations as Eigen expressions over Maps of the same 64-byte aligned rows.
using Vec = Eigen::Map<Eigen::VectorXf, Eigen::Aligned64>;
using CVec = Eigen::Map<const Eigen::VectorXf, Eigen::Aligned64>;
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using CMat = Eigen::Map<const RowMajor, Eigen::Aligned64>;

namespace eigen {
float dot(const float* a, const float* b, int64_t n) { return CVec(a, n).dot(CVec(b, n)); }
void axpy(float a, const float* x, float* y, int64_t n) { Vec(y, n) += a * CVec(x, n); }
void mul(const float* x, const float* z, float* out, int64_t n) {
    Vec(out, n).array() = CVec(x, n).array() * CVec(z, n).array();
}
void mul_axpy(float a, const float* x, const float* z, float* y, int64_t n) {
    Vec(y, n).array() += a * (CVec(x, n).array() * CVec(z, n).array());
}
void adam_update(float* w, float* m, float* v, const float* g, int64_t n, const AdamStep& s) {
    auto ga = CVec(g, n).array();
    auto ma = Vec(m, n).array();
    auto va = Vec(v, n).array();
    ma = s.beta1 * ma + (1.0f - s.beta1) * ga;
    va = s.beta2 * va + ((1.0f - s.beta2) * ga) * ga;
    Vec(w, n).array() -= s.alpha * ma / (va.sqrt() + s.epsilon);
}
void adam_catchup(float* w, float* m, float* v, int64_t n, float c, float b1k, float b2k, float eps) {
    auto ma = Vec(m, n).array();
    auto va = Vec(v, n).array();
    Vec(w, n).array() -= c * ma / (va.sqrt() + eps);
    ma *= b1k;
    va *= b2k;
}
}  // namespace eigen

template <void (*Project)(const float*, int, const float*, int64_t, const float*, float*, int64_t)>
void BM_project(benchmark::State& st) {
    const int k = 32, n = int(st.range(0));
    Rows P(int64_t(k) * n), x(k), out(n);
    for (auto _ : st) {
        Project(x.a.data(), k, P.a.data(), n, nullptr, out.a.data(), n);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * k * n);
}

// Its gradient, as md_embedding.cpp asks for it: into x's gradient, P's and the bias's.
template <void (*Backward)(const float*, int, const float*, int64_t, const float*, int64_t, float*, float*, float*)>
void BM_project_backward(benchmark::State& st) {
    const int k = 32, n = int(st.range(0));
    Rows P(int64_t(k) * n), x(k), g(n);
    for (auto _ : st) {
        Backward(x.a.data(), k, P.a.data(), n, g.a.data(), n, x.b.data(), P.b.data(), g.b.data());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * k * n);
}

// A block's rows of one batch at once (md_embedding.cpp): 48 rows of k = 32 projected to 64, the product
// against the same rows one at a time (by_rows, what each row cost before).
template <void (*Batch)(const float*, int64_t, int, const float*, int64_t, const float*, float*)>
void BM_project_batch(benchmark::State& st) {
    const int k = int(st.range(0)), n = 64, m = 48;
    Rows P(int64_t(k) * n), X(int64_t(m) * k), Y(int64_t(m) * n);
    for (auto _ : st) {
        Batch(X.a.data(), m, k, P.a.data(), n, P.b.data(), Y.a.data());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * m);
}

template <void (*Backward)(const float*, int64_t, int, const float*, int64_t, const float*, float*, float*, float*)>
void BM_project_batch_backward(benchmark::State& st) {
    const int k = int(st.range(0)), n = 64, m = 48;
    Rows P(int64_t(k) * n), X(int64_t(m) * k), G(int64_t(m) * n);
    for (auto _ : st) {
        Backward(X.a.data(), m, k, P.a.data(), n, G.a.data(), X.b.data(), P.b.data(), G.b.data());
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * m);
}

// Scoring every item for one user: MovieLens-1M's 3,706 items x 64 floats, row-major as
// Model::item_vectors() returns them; a dot per row (what score_items did) against one GEMV.
constexpr int64_t kItems = 3706, kWidth = 64, kBatch = 256;

void BM_score_items_dot(benchmark::State& st) {
    Rows items(kItems * kWidth), user(kWidth);
    AlignedVector<float> out(static_cast<size_t>(kItems));
    for (auto _ : st) {
        for (int64_t i = 0; i < kItems; ++i) out[size_t(i)] = kernels::dot(user.a.data(), items.a.data() + i * kWidth, kWidth);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * kItems * kWidth);
}

void BM_score_items_gemv(benchmark::State& st) {
    Rows items(kItems * kWidth), user(kWidth);
    AlignedVector<float> out(static_cast<size_t>(kItems));
    const CMat M(items.a.data(), kItems, kWidth);
    for (auto _ : st) {
        Vec(out.data(), kItems).noalias() = M * CVec(user.a.data(), kWidth);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * kItems * kWidth);
}

// A batch of 256 users at once: per-row dots against one GEMM (users x items, row-major).
void BM_score_batch_dot(benchmark::State& st) {
    Rows items(kItems * kWidth), users(kBatch * kWidth);
    AlignedVector<float> out(static_cast<size_t>(kBatch * kItems));
    for (auto _ : st) {
        for (int64_t u = 0; u < kBatch; ++u)
            for (int64_t i = 0; i < kItems; ++i)
                out[size_t(u * kItems + i)] = kernels::dot(users.a.data() + u * kWidth, items.a.data() + i * kWidth, kWidth);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * kBatch * kItems * kWidth);
}

void BM_score_batch_gemm(benchmark::State& st) {
    Rows items(kItems * kWidth), users(kBatch * kWidth);
    AlignedVector<float> out(static_cast<size_t>(kBatch * kItems));
    const CMat M(items.a.data(), kItems, kWidth), U(users.a.data(), kBatch, kWidth);
    for (auto _ : st) {
        Eigen::Map<RowMajor, Eigen::Aligned64>(out.data(), kBatch, kItems).noalias() = U * M.transpose();
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * kBatch * kItems * kWidth);
}

}  // namespace

#define MEMREC_BENCH_THREE(bm, name) \
    BENCHMARK_TEMPLATE(bm, kernels::scalar::name)->Arg(16)->Arg(64)->Arg(256); \
    BENCHMARK_TEMPLATE(bm, kernels::name)->Arg(16)->Arg(64)->Arg(256);         \
    BENCHMARK_TEMPLATE(bm, eigen::name)->Arg(16)->Arg(64)->Arg(256)
MEMREC_BENCH_THREE(BM_dot, dot);
MEMREC_BENCH_THREE(BM_axpy, axpy);
MEMREC_BENCH_THREE(BM_adam_update, adam_update);
MEMREC_BENCH_THREE(BM_qr_combine, mul);
MEMREC_BENCH_THREE(BM_qr_gradient, mul_axpy);
MEMREC_BENCH_THREE(BM_adam_catchup, adam_catchup);
BENCHMARK_TEMPLATE(BM_project, kernels::by_rows::project)->Arg(16)->Arg(32)->Arg(64);
BENCHMARK_TEMPLATE(BM_project, kernels::project)->Arg(16)->Arg(32)->Arg(64);  // Eigen natively
BENCHMARK_TEMPLATE(BM_project_backward, kernels::by_rows::project_backward)->Arg(16)->Arg(32)->Arg(64);
BENCHMARK_TEMPLATE(BM_project_backward, kernels::project_backward)->Arg(16)->Arg(32)->Arg(64);
BENCHMARK_TEMPLATE(BM_project_batch, kernels::by_rows::project_batch)->Arg(16)->Arg(32);
BENCHMARK_TEMPLATE(BM_project_batch, kernels::project_batch)->Arg(16)->Arg(32);
BENCHMARK_TEMPLATE(BM_project_batch_backward, kernels::by_rows::project_batch_backward)->Arg(16)->Arg(32);
BENCHMARK_TEMPLATE(BM_project_batch_backward, kernels::project_batch_backward)->Arg(16)->Arg(32);
BENCHMARK(BM_score_items_dot);
BENCHMARK(BM_score_items_gemv);
BENCHMARK(BM_score_batch_dot);
BENCHMARK(BM_score_batch_gemm);

// Training threads flush denormals to zero (trainer.cpp); so does the benchmark, or repeated decays of the
// same rows would measure denormal arithmetic instead of the kernels.
int main(int argc, char** argv) {
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ | DAZ
#endif
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
