// Kernel micro-benchmarks: each kernel at embedding widths 16..256, scalar reference against the active
// SIMD variant. Run: build/bench/memrec_bench_kernels --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>
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

void BM_project(benchmark::State& st) {
    const int k = 32, n = int(st.range(0));
    Rows P(int64_t(k) * n), x(k), out(n);
    for (auto _ : st) {
        kernels::project(x.a.data(), k, P.a.data(), n, nullptr, out.a.data(), n);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(st.iterations() * k * n);
}

}  // namespace

BENCHMARK_TEMPLATE(BM_dot, kernels::scalar::dot)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_dot, kernels::dot)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_axpy, kernels::scalar::axpy)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_axpy, kernels::axpy)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_adam_update, kernels::scalar::adam_update)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_adam_update, kernels::adam_update)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_qr_combine, kernels::scalar::mul)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_qr_combine, kernels::mul)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_qr_gradient, kernels::scalar::mul_axpy)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_qr_gradient, kernels::mul_axpy)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_adam_catchup, kernels::scalar::adam_catchup)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK_TEMPLATE(BM_adam_catchup, kernels::adam_catchup)->Arg(16)->Arg(64)->Arg(256);
BENCHMARK(BM_project)->Arg(16)->Arg(32)->Arg(64);

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
