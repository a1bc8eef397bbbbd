#include <cstdio>
#include <string>

#include "memrec/error.h"
#include "memrec/rng.h"
#include "memrec/split.h"

namespace memrec {

namespace {
void check_fraction(double f, const char* what) {
    if (!(f > 0.0 && f < 1.0)) throw ConfigError(std::string(what) + " must be in (0, 1), got " + std::to_string(f));
}
}  // namespace

Split split_dataset(const Dataset& data, double train_fraction, uint64_t seed) {
    check_fraction(train_fraction, "the train fraction");
    Split s;
    s.train.reserve(static_cast<size_t>(double(data.size()) * train_fraction * 1.01) + 16);
    s.eval.reserve(static_cast<size_t>(double(data.size()) * (1.0 - train_fraction) * 1.01) + 16);
    Rng rng(seed);
    for (size_t i = 0; i < data.size(); ++i)
        (rng.uniform() < train_fraction ? s.train : s.eval).push_back(static_cast<uint32_t>(i));
    // An empty side is refused rather than trained on (a model of nothing) or reported (an eval MSE of 0).
    if (s.train.empty() || s.eval.empty()) {
        char fraction[32];
        std::snprintf(fraction, sizeof fraction, "%g", train_fraction);
        throw ConfigError(std::string("the train fraction ") + fraction + " leaves no " +
                          (s.train.empty() ? "training ratings" : "eval ratings") + " among the " +
                          std::to_string(data.size()) + " ratings; " +
                          (s.train.empty() ? "raise it" : "lower it"));
    }
    return s;
}

Split carve_validation(const std::vector<uint32_t>& train, double fraction, uint64_t seed) {
    check_fraction(fraction, "the validation fraction");
    Split s;
    Rng rng(seed ^ 0x5bd1e9955bd1e995ULL);
    for (uint32_t i : train) (rng.uniform() < fraction ? s.eval : s.train).push_back(i);
    return s;
}

std::vector<int64_t> count_items(const Dataset& data, const std::vector<uint32_t>& indices) {
    std::vector<int64_t> c(static_cast<size_t>(data.items.size()), 0);
    for (uint32_t i : indices) ++c[static_cast<size_t>(data.item[i])];
    return c;
}

std::vector<int64_t> count_users(const Dataset& data, const std::vector<uint32_t>& indices) {
    std::vector<int64_t> c(static_cast<size_t>(data.users.size()), 0);
    for (uint32_t i : indices) ++c[static_cast<size_t>(data.user[i])];
    return c;
}

}  // namespace memrec
