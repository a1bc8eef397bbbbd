// Synthetic rating files (memrec/synth.h): per-user counts from a capped power law, items drawn without
// repetition from a Zipf popularity through an alias table, ratings from a low-rank model plus noise.
#include "memrec/synth.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "memrec/error.h"
#include "memrec/rng.h"

namespace memrec {

namespace {

constexpr size_t kChunk = size_t{1} << 20;

// Vose's alias method: draws index i with probability w[i] / sum(w) in O(1).
class AliasTable {
public:
    explicit AliasTable(const std::vector<double>& w) : prob_(w.size()), alias_(w.size()) {
        const size_t n = w.size();
        const double total = std::accumulate(w.begin(), w.end(), 0.0);
        std::vector<double> scaled(n);
        std::vector<uint32_t> small, large;
        for (size_t i = 0; i < n; ++i) {
            scaled[i] = w[i] * static_cast<double>(n) / total;
            (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
        }
        while (!small.empty() && !large.empty()) {
            const uint32_t s = small.back(), l = large.back();
            small.pop_back();
            prob_[s] = scaled[s];
            alias_[s] = l;
            scaled[l] -= 1.0 - scaled[s];
            if (scaled[l] < 1.0) {
                large.pop_back();
                small.push_back(l);
            }
        }
        for (uint32_t i : large) prob_[i] = 1.0, alias_[i] = i;
        for (uint32_t i : small) prob_[i] = 1.0, alias_[i] = i;  // rounding leftovers
    }
    uint32_t draw(Rng& rng) const {
        const auto i = static_cast<uint32_t>(rng.below(prob_.size()));
        return rng.uniform() < prob_[i] ? i : alias_[i];
    }

private:
    std::vector<double> prob_;
    std::vector<uint32_t> alias_;
};

double normal(Rng& rng) {  // Box-Muller; one value per call keeps the stream simple to reason about
    const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

template <class T>
void shuffle(std::vector<T>& v, Rng& rng) {  // Fisher-Yates with our generator (std::shuffle is not portable)
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

// Ratings per user: min_per_user each, plus the rest shared as rank^-skew over a shuffled ranking of the
// users, no user above `cap` (the most active ones are capped and the excess shared among the others).
std::vector<int64_t> user_counts(const SynthConfig& c, int64_t cap, Rng& rng) {
    const auto n = static_cast<size_t>(c.users);
    std::vector<double> w(n);
    for (size_t r = 0; r < n; ++r) w[r] = std::pow(static_cast<double>(r + 1), -c.user_skew);
    const double extra = static_cast<double>(c.ratings - c.users * c.min_per_user);
    const int64_t cap_extra = cap - c.min_per_user;
    // Water-filling from the top: the k most active users sit at the cap, the others share what is left.
    std::vector<double> tail(n + 1, 0.0);
    for (size_t r = n; r-- > 0;) tail[r] = tail[r + 1] + w[r];
    size_t capped = 0;
    while (capped < n && (extra - static_cast<double>(capped) * cap_extra) * w[capped] / tail[capped] > cap_extra)
        ++capped;
    std::vector<int64_t> by_rank(n, c.min_per_user + cap_extra);
    int64_t left = c.ratings - c.users * c.min_per_user - static_cast<int64_t>(capped) * cap_extra;
    const double share = static_cast<double>(left);
    for (size_t r = capped; r < n; ++r) {
        const auto x = static_cast<int64_t>(std::floor(share * w[r] / tail[capped]));
        by_rank[r] = c.min_per_user + x;
        left -= x;
    }
    // What flooring left over (fewer than the uncapped users) goes one each to the most active uncapped
    // below the cap; validate() made sure the caps hold every rating.
    while (left > 0)
        for (size_t r = capped; left > 0 && r < n; ++r)
            if (by_rank[r] < cap) ++by_rank[r], --left;
    std::vector<uint32_t> rank_of(n);
    std::iota(rank_of.begin(), rank_of.end(), 0u);
    shuffle(rank_of, rng);
    std::vector<int64_t> counts(n);
    for (size_t u = 0; u < n; ++u) counts[u] = by_rank[rank_of[u]];
    return counts;
}

std::vector<float> factors(int64_t rows, int rank, double sd, Rng& rng) {
    std::vector<float> f(static_cast<size_t>(rows) * static_cast<size_t>(rank));
    for (auto& x : f) x = static_cast<float>(sd * normal(rng));
    return f;
}

void append_int(std::string& out, int64_t v) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, end);
}

}  // namespace

void SynthConfig::validate() const {
    auto fail = [](const std::string& what) { throw ConfigError("synthetic data: " + what); };
    if (users < 1 || users > (int64_t{1} << 31) - 1) fail("users must be in 1..2147483647");
    if (items < 2 || items > (int64_t{1} << 31) - 1) fail("items must be in 2..2147483647");
    if (min_per_user < 1) fail("the least ratings per user must be at least 1");
    const int64_t cap = items / 2;
    if (min_per_user > cap)
        fail("the least ratings per user (" + std::to_string(min_per_user) + ") must be at most half the items (" +
             std::to_string(cap) + ")");
    if (ratings < users * min_per_user)
        fail("ratings (" + std::to_string(ratings) + ") must be at least users times the least per user (" +
             std::to_string(users * min_per_user) + ")");
    if (static_cast<double>(ratings) > static_cast<double>(users) * static_cast<double>(cap))
        fail("ratings (" + std::to_string(ratings) + ") must be at most users times half the items (" +
             std::to_string(users * cap) + "): no user rates more than half the catalogue");
    if (!(item_skew >= 0 && item_skew <= 4)) fail("item skew must be in 0..4");
    if (!(user_skew >= 0 && user_skew <= 4)) fail("user skew must be in 0..4");
    if (rank < 1 || rank > 256) fail("rank must be in 1..256");
    if (!(noise >= 0 && noise <= 10)) fail("noise must be in 0..10");
}

int64_t generate_ratings(const SynthConfig& c, SynthFormat format, const std::function<void(std::string_view)>& sink) {
    c.validate();
    Rng rng(c.seed);
    const int64_t cap = c.items / 2;
    const std::vector<int64_t> counts = user_counts(c, cap, rng);

    // Popularity by rank, and which item id holds each rank (ids do not follow popularity).
    std::vector<double> pop(static_cast<size_t>(c.items));
    for (size_t r = 0; r < pop.size(); ++r) pop[r] = std::pow(static_cast<double>(r + 1), -c.item_skew);
    const AliasTable draw_rank(pop);
    std::vector<uint32_t> item_of_rank(pop.size());
    std::iota(item_of_rank.begin(), item_of_rank.end(), 0u);
    shuffle(item_of_rank, rng);

    // rank * sd^4 = 0.36: the dot product's standard deviation is 0.6 stars whatever the rank.
    const double sd = std::pow(0.36 / c.rank, 0.25);
    const std::vector<float> p = factors(c.users, c.rank, sd, rng), q = factors(c.items, c.rank, sd, rng);
    std::vector<float> user_bias(static_cast<size_t>(c.users)), item_bias(static_cast<size_t>(c.items));
    for (auto& b : user_bias) b = static_cast<float>(0.35 * normal(rng));
    for (auto& b : item_bias) b = static_cast<float>(0.45 * normal(rng));
    const double lo = c.half_stars ? 0.5 : 1.0, step = c.half_stars ? 0.5 : 1.0;

    std::string out;
    out.reserve(kChunk + 256);
    if (format == SynthFormat::MovieLensCsv) out += "userId,movieId,rating,timestamp\n";
    const char* sep = format == SynthFormat::MovieLensCsv ? "," : "::";
    std::vector<int64_t> seen(static_cast<size_t>(c.items), -1);  // the last user who drew each item
    std::vector<uint32_t> drawn;
    int64_t timestamp = 1000000000;
    for (int64_t u = 0; u < c.users; ++u) {
        const int64_t n = counts[static_cast<size_t>(u)];
        drawn.clear();
        // Redraw repeats; a user near the cap under a steep popularity could redraw for long, so past a
        // budget of draws the rest are the most popular items this user has not drawn.
        int64_t budget = 32 * n + 1024;
        while (static_cast<int64_t>(drawn.size()) < n && budget-- > 0) {
            const uint32_t item = item_of_rank[draw_rank.draw(rng)];
            if (seen[item] == u) continue;
            seen[item] = u;
            drawn.push_back(item);
        }
        for (size_t r = 0; static_cast<int64_t>(drawn.size()) < n; ++r) {
            const uint32_t item = item_of_rank[r];
            if (seen[item] == u) continue;
            seen[item] = u;
            drawn.push_back(item);
        }
        const float* pu = &p[static_cast<size_t>(u) * static_cast<size_t>(c.rank)];
        for (uint32_t item : drawn) {
            const float* qi = &q[static_cast<size_t>(item) * static_cast<size_t>(c.rank)];
            double dot = 0;
            for (int k = 0; k < c.rank; ++k) dot += double(pu[k]) * qi[k];
            const double raw = 3.6 + user_bias[static_cast<size_t>(u)] + item_bias[item] + dot + c.noise * normal(rng);
            const double rating = std::clamp(lo + std::round((raw - lo) / step) * step, lo, 5.0);
            append_int(out, u + 1);
            out += sep;
            append_int(out, int64_t{item} + 1);
            out += sep;
            const auto whole = static_cast<int64_t>(rating);
            append_int(out, whole);
            if (c.half_stars) out += rating > static_cast<double>(whole) ? ".5" : ".0";
            out += sep;
            append_int(out, timestamp++);
            out += '\n';
            if (out.size() >= kChunk) {
                sink(out);
                out.clear();
            }
        }
    }
    if (!out.empty()) sink(out);
    return c.ratings;
}

}  // namespace memrec
