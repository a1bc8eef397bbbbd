#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "memrec/error.h"
#include "memrec/rng.h"
#include "memrec/visitor_split.h"

namespace memrec {

namespace {

// The first `k` entries of `v` become a uniform random k-subset (a partial Fisher-Yates shuffle).
template <class T>
void choose_front(std::vector<T>& v, size_t k, Rng& rng) {
    for (size_t i = 0; i < k && i + 1 < v.size(); ++i) {
        const size_t j = i + static_cast<size_t>(rng.below(v.size() - i));
        std::swap(v[i], v[j]);
    }
}

size_t rounded_share(double fraction, size_t n) { return static_cast<size_t>(std::llround(fraction * double(n))); }

}  // namespace

VisitorSplit split_visitors(const Dataset& data, double holdout_users, double foldin_fraction, uint64_t seed) {
    if (!(holdout_users > 0.0 && holdout_users < 1.0))
        throw ConfigError("the share of held-out users must be in (0, 1), got " + std::to_string(holdout_users));
    if (!(foldin_fraction > 0.0 && foldin_fraction < 1.0))
        throw ConfigError("the fold-in fraction must be in (0, 1), got " + std::to_string(foldin_fraction));
    const size_t users = static_cast<size_t>(data.users.size());
    std::vector<std::vector<uint32_t>> by_user(users);
    for (size_t k = 0; k < data.size(); ++k) by_user[size_t(data.user[k])].push_back(static_cast<uint32_t>(k));

    Rng rng(seed);
    std::vector<int32_t> order(users);
    std::iota(order.begin(), order.end(), 0);
    const size_t held = users < 2 ? 0 : std::clamp<size_t>(rounded_share(holdout_users, users), 1, users - 1);
    choose_front(order, held, rng);
    VisitorSplit s;
    s.visitors.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(held));
    std::sort(s.visitors.begin(), s.visitors.end());

    std::vector<uint8_t> is_visitor(users, 0);
    for (int32_t u : s.visitors) is_visitor[size_t(u)] = 1;
    for (size_t k = 0; k < data.size(); ++k)
        if (!is_visitor[size_t(data.user[k])]) s.train.push_back(static_cast<uint32_t>(k));
    // Visitors in ascending order, each drawing from the same generator after the user draw.
    for (int32_t u : s.visitors) {
        std::vector<uint32_t> r = by_user[size_t(u)];
        const size_t keep = rounded_share(foldin_fraction, r.size());
        choose_front(r, keep, rng);
        std::vector<uint32_t> foldin(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(keep));
        std::vector<uint32_t> targets(r.begin() + static_cast<std::ptrdiff_t>(keep), r.end());
        std::sort(foldin.begin(), foldin.end());
        std::sort(targets.begin(), targets.end());
        s.foldin.push_back(std::move(foldin));
        s.targets.push_back(std::move(targets));
    }
    return s;
}

Dataset training_users_data(const Dataset& data, const VisitorSplit& split) {
    Dataset out;
    out.items = data.items;
    out.min_rating = data.min_rating;
    out.max_rating = data.max_rating;
    out.titles = data.titles;
    out.ratings_path = data.ratings_path;
    out.format = data.format;
    out.user.reserve(split.train.size());
    out.item.reserve(split.train.size());
    out.rating.reserve(split.train.size());
    for (uint32_t k : split.train) {
        out.user.push_back(out.users.add(data.users.id(data.user[k])));
        out.item.push_back(data.item[k]);
        out.rating.push_back(data.rating[k]);
    }
    return out;
}

}  // namespace memrec
