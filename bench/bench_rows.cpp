// Two threads stepping Adam rows of the same tables (kernels::adam_update on a parameter, both moments and a
// gradient row, 64 floats each), the rows of the two threads laid out in runs of K rows taken in turn:
// K = 1 is the block schedule's randomly dealt blocks, "apart" one thread's rows in the first half and the
// other's in the second, which block_rows.h gives every full-table side. Each thread steps its own rows in a
// random order, so only where the rows lie differs. Prints ns per row step (per thread) for each layout,
// and one thread alone for reference; the median of RUNS runs each.
//   build/bench/memrec_bench_rows [ROWS] [RUNS]      (ROWS: per table, default 8192: about ml-1m's users)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "memrec/kernels.h"
#include "memrec/param.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {

constexpr int64_t kDim = 64;
constexpr int64_t kSteps = 1'000'000;  // row steps per thread and run

struct Tables {
    AlignedVector<float> w, m, v, g;
    explicit Tables(int64_t rows) : w(size_t(rows * kDim)), m(w.size()), v(w.size()), g(size_t(16 * kDim)) {
        Rng rng(1);
        for (size_t i = 0; i < w.size(); ++i) {
            w[i] = rng.uniform(-0.1f, 0.1f);
            m[i] = rng.uniform(-0.01f, 0.01f);
            v[i] = rng.uniform(0.0f, 1e-4f);
        }
        for (float& x : g) x = rng.uniform(-0.1f, 0.1f);
    }
};

// Thread t's rows when the two threads' rows come in runs of `run` rows (run = rows / 2: two halves).
std::vector<int64_t> rows_of(int t, int64_t rows, int64_t run, uint64_t seed) {
    std::vector<int64_t> own;
    for (int64_t r = 0; r < rows; ++r)
        if ((r / run) % 2 == t) own.push_back(r);
    Rng rng(seed);
    std::vector<int64_t> order(static_cast<size_t>(kSteps));
    for (int64_t& r : order) r = own[size_t(rng.below(own.size()))];
    return order;
}

double ns_per_row(Tables& tab, int threads, int64_t rows, int64_t run) {
    std::vector<std::vector<int64_t>> order;
    for (int t = 0; t < threads; ++t) order.push_back(rows_of(t, rows, run, 7 + uint64_t(t)));
    const AdamStep st{0.001f, 0.9f, 0.999f, 1e-7f};
    auto work = [&](int t) {
        int64_t k = 0;
        for (int64_t r : order[size_t(t)]) {
            const int64_t off = r * kDim;
            kernels::adam_update(tab.w.data() + off, tab.m.data() + off, tab.v.data() + off,
                                 tab.g.data() + (k++ % 16) * kDim, kDim, st);
        }
    };
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> others;
    for (int t = 1; t < threads; ++t) others.emplace_back(work, t);
    work(0);
    for (auto& th : others) th.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return seconds * 1e9 / double(kSteps);
}

}  // namespace

int main(int argc, char** argv) {
    const int64_t rows = argc > 1 ? std::max<int64_t>(64, std::atoll(argv[1])) : 8192;
    const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    Tables tab(rows);
    std::printf("%lld rows of %lld floats, Adam step (%s kernels), ns per row step and thread, "
                "median of %d\n",
                static_cast<long long>(rows), static_cast<long long>(kDim), kernels::active(), runs);
    struct Layout {
        std::string name;
        int threads;
        int64_t run;
    };
    const Layout layouts[] = {{"1 thread", 1, rows}, {"2 threads, alternate rows", 2, 1},
                              {"2 threads, runs of 4 rows", 2, 4}, {"2 threads, runs of 16 rows", 2, 16},
                              {"2 threads, runs of 64 rows", 2, 64}, {"2 threads, two halves", 2, rows / 2}};
    for (const Layout& l : layouts) {
        std::vector<double> ns;
        for (int r = 0; r < runs; ++r) ns.push_back(ns_per_row(tab, l.threads, rows, l.run));
        std::sort(ns.begin(), ns.end());
        const double median = ns[ns.size() / 2];
        std::printf("%-28s %7.1f ns  (%.1f-%.1f)\n", l.name.c_str(), median, ns.front(), ns.back());
    }
    return 0;
}
