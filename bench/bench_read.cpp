// Reading benchmark: read_dataset on one ratings file RUNS times, printing each run's wall time and the
// median (the figure bench/scale.sh takes from `memrec train` is the same call plus titles).
//   build/bench/memrec_bench_read FILE [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include "memrec/reader.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: memrec_bench_read FILE [RUNS]\n");
        return 2;
    }
    const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
    std::vector<double> seconds;
    try {
        for (int r = 0; r < runs; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            const memrec::Dataset d = memrec::read_dataset(argv[1]);
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            seconds.push_back(s);
            std::printf("run %d: %zu ratings, %d users, %d items in %.3f s\n", r + 1, d.size(), d.users.size(),
                        d.items.size(), s);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "memrec_bench_read: %s\n", e.what());
        return 1;
    }
    std::sort(seconds.begin(), seconds.end());
    std::printf("median of %d: %.3f s (range %.3f-%.3f)\n", runs, seconds[seconds.size() / 2], seconds.front(),
                seconds.back());
    return 0;
}
