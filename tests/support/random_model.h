// A model file of random parameters for tests of storage and file layout: the rows' values matter, not
// what they predict.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "memrec/model_file.h"
#include "memrec/rng.h"

namespace memrec_test {

// `config` with `users` users "1", "2", ... and `items` items "2", "5", "8", ... (3i + 2), random
// popularity, every parameter uniform in [-0.6, 0.6), preset "test" and one history entry; all from `seed`.
inline memrec::ModelFile random_model_file(const memrec::ModelConfig& config, int32_t users, int32_t items,
                                           uint64_t seed) {
    memrec::Rng rng(seed);
    std::vector<int64_t> item_counts(static_cast<size_t>(items)), user_counts(static_cast<size_t>(users));
    for (auto& x : item_counts) x = int64_t(rng.below(300));
    for (auto& x : user_counts) x = int64_t(rng.below(50));
    memrec::ModelFile f;
    f.model = std::make_unique<memrec::Model>(config, users, items, 5.0f, item_counts, user_counts, seed);
    for (memrec::Param* p : f.model->params())
        for (int64_t r = 0; r < p->rows; ++r)
            for (int k = 0; k < p->cols; ++k) p->row(r)[k] = rng.uniform(-0.6f, 0.6f);
    for (int32_t u = 0; u < users; ++u) f.users.add(std::to_string(u + 1));
    for (int32_t i = 0; i < items; ++i) f.items.add(std::to_string(3 * i + 2));
    f.item_counts = item_counts;
    f.info.preset = "test";
    f.history.push_back(memrec::EpochStats{});
    return f;
}

}  // namespace memrec_test
