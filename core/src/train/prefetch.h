#pragma once
// Cache hints for the training loops: the line at p is wanted soon. Hints only; results never depend on
// them. Compilers without __builtin_prefetch get no-ops.

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

}  // namespace memrec
