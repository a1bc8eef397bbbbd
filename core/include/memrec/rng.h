// The one random number generator of memrec: xoshiro256** seeded through splitmix64, with our own
// float conversions. Results are identical on every platform and standard library (the native build uses
// libstdc++, the WebAssembly build libc++, whose distributions differ), so a seed means the same split and
// the same initial weights everywhere.
#pragma once

#include <cstdint>

namespace memrec {

class Rng {
public:
    explicit Rng(uint64_t seed = 0) { reseed(seed); }

    void reseed(uint64_t seed) {
        uint64_t x = seed;
        for (auto& s : s_) s = splitmix64(x);
    }

    uint64_t next() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, 1) with 53 bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in [lo, hi).
    float uniform(float lo, float hi) {
        return lo + static_cast<float>(uniform() * (static_cast<double>(hi) - lo));
    }
    // Uniform integer in [0, n), 0 < n < 2^32 (from 53 random bits: bias below 2^-21 of a step).
    uint64_t below(uint64_t n) { return static_cast<uint64_t>(uniform() * static_cast<double>(n)); }

    // The full state, for checkpoints.
    struct State {
        uint64_t s[4];
    };
    State state() const { return {{s_[0], s_[1], s_[2], s_[3]}}; }
    void set_state(const State& st) {
        for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
    }

    static uint64_t splitmix64(uint64_t& x) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

}  // namespace memrec
