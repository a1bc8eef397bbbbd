// A two-party (or n-party) barrier for the trainer's per-batch hand-offs, which come every few
// microseconds. It spins briefly (the partner is usually microseconds away), then yields the CPU, so a
// busy machine, where the partner thread may be descheduled, costs a context switch rather than a
// spinning time slice. (libgomp's barrier spins up to ~300,000 iterations first, which made training
// 300x slower on a loaded 2-core machine.) Release/acquire ordering makes every write before wait() in
// one thread visible after wait() in the others.
#pragma once

#include <atomic>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace memrec {

class SpinBarrier {
public:
    explicit SpinBarrier(int parties) : parties_(parties) {}

    void wait() {
        const unsigned gen = generation_.load(std::memory_order_acquire);
        if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == parties_) {
            arrived_.store(0, std::memory_order_relaxed);
            generation_.fetch_add(1, std::memory_order_acq_rel);
            return;
        }
        for (int spin = 0; generation_.load(std::memory_order_acquire) == gen; ++spin) {
            if (spin < kSpins) {
#if defined(__SSE2__)
                _mm_pause();
#endif
            } else {
                std::this_thread::yield();
            }
        }
    }

private:
    static constexpr int kSpins = 4000;  // ~10-40 us
    const int parties_;
    std::atomic<int> arrived_{0};
    std::atomic<unsigned> generation_{0};
};

}  // namespace memrec
