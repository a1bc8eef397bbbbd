// A synthetic rating set with a known low-rank structure, for training tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "memrec/dataset.h"
#include "memrec/rng.h"

namespace memrec_test {

// Ratings from a rank-3 model through the same link as memrec's (5 * sigmoid(u.v)), plus N(0, 0.1^2)-ish
// noise, clipped to 1..5. Every (user, item) pair with probability 0.5.
inline memrec::Dataset low_rank_data(int users, int items, uint64_t seed) {
    memrec::Rng rng(seed);
    std::vector<float> U(size_t(users) * 3), V(size_t(items) * 3);
    for (auto& x : U) x = rng.uniform(-1.2f, 1.2f);
    for (auto& x : V) x = rng.uniform(-1.2f, 1.2f);
    memrec::Dataset d;
    for (int u = 0; u < users; ++u) d.users.add(std::to_string(u));
    for (int i = 0; i < items; ++i) d.items.add(std::to_string(i));
    for (int u = 0; u < users; ++u)
        for (int i = 0; i < items; ++i) {
            if (rng.uniform() < 0.5) continue;
            float z = 0.4f;
            for (int k = 0; k < 3; ++k) z += U[size_t(u * 3 + k)] * V[size_t(i * 3 + k)];
            // sum of 4 uniforms: mean 0, std 0.1
            float noise = 0;
            for (int k = 0; k < 4; ++k) noise += rng.uniform(-0.0866f, 0.0866f);
            float r = 5.0f / (1.0f + std::exp(-z)) + noise;
            d.user.push_back(u);
            d.item.push_back(i);
            d.rating.push_back(std::min(5.0f, std::max(1.0f, r)));
        }
    return d;
}

// Ratings of rank 3 plus noise, rounded to whole stars 1..5: `per_user` items per user, drawn uniformly or,
// with `skewed`, as a squared uniform (item popularity skewed like real data, which mixed-dimension
// blocks need to mean anything).
inline memrec::Dataset rounded_rank3_data(int users, int items, int per_user, uint64_t seed, bool skewed) {
    memrec::Dataset d;
    for (int u = 0; u < users; ++u) d.users.add(std::to_string(u));
    for (int i = 0; i < items; ++i) d.items.add(std::to_string(i));
    memrec::Rng rng(seed);
    auto factors = [&](int n) {
        std::vector<float> f(size_t(n) * 3);
        for (float& x : f) x = float(rng.uniform() * 2.0 - 1.0);
        return f;
    };
    const std::vector<float> U = factors(users), V = factors(items);
    for (int u = 0; u < users; ++u)
        for (int j = 0; j < per_user; ++j) {
            int i;
            if (skewed) {
                const double x = rng.uniform();
                i = std::min(items - 1, int(x * x * items));
            } else {
                i = int(rng.below(uint64_t(items)));
            }
            float r = 3.0f + float(rng.uniform() - 0.5) * 0.5f;
            for (int k = 0; k < 3; ++k) r += 1.2f * U[size_t(u) * 3 + k] * V[size_t(i) * 3 + k];
            d.user.push_back(u);
            d.item.push_back(i);
            d.rating.push_back(std::clamp(std::round(r), 1.0f, 5.0f));
        }
    d.max_rating = 5.0f;
    return d;
}

}  // namespace memrec_test
