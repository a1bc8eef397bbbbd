#pragma once
// Cache hints for the training loops: the line at p is wanted soon. Hints only; results never depend on
// them. Compilers without __builtin_prefetch get no-ops.

#include <cstddef>
#include <cstdint>

namespace memrec {

// ... for writing (a parameter, moment or gradient row about to be stepped).
inline void prefetch_for_write(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 1);
#else
    (void)p;
#endif
}

// ... for reading only (the epoch's rating arrays).
inline void prefetch_for_read(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 0);
#else
    (void)p;
#endif
}

// step(rows[k]) for k = 0..n-1, each time first fetching row rows[k + 1]: all its lines in each of the N
// arrays `full` (rows of `stride` floats: the parameter, Adam's moments, a gradient). The rows are scattered
// through tables larger than the cache, so the next row's misses overlap this row's step.
template <size_t N, class Step>
void each_row_prefetching(const int32_t* rows, size_t n, int64_t stride, const float* const (&full)[N],
                          Step step) {
    for (size_t k = 0; k < n; ++k) {
        if (k + 1 < n) {
            const int64_t next = static_cast<int64_t>(rows[k + 1]) * stride;
            for (int64_t c = 0; c < stride; c += 16)
                for (const float* a : full) prefetch_for_write(a + next + c);
        }
        step(rows[k]);
    }
}

}  // namespace memrec
