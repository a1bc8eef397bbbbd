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

}  // namespace memrec_test
