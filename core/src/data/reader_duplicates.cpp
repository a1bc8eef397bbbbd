#include "reader_duplicates.h"

#include <algorithm>
#include <vector>

#include "memrec/error.h"
#include "reader_text.h"

namespace memrec::detail {

namespace {

// The 1-based line numbers of ratings a and b (indices counted from the parse's first rating).
std::pair<int64_t, int64_t> lines_of(std::string_view text, const std::string& name, bool has_header, size_t a,
                                     size_t b) {
    LineScanner lines(text, name);
    std::string_view line;
    if (has_header) next_nonblank(lines, line);
    int64_t line_a = 0;
    for (size_t k = 0; next_nonblank(lines, line); ++k) {
        if (k == a) line_a = lines.line_number();
        if (k == b) return {line_a, lines.line_number()};
    }
    return {line_a, 0};
}

constexpr size_t kNotGrouped = static_cast<size_t>(-1);

// When each user's ratings from `first` on are one run of consecutive lines (MovieLens files are sorted by
// user), one pass finds the earliest repeat: a pair can only repeat inside its user's run, and an item is
// stamped with the user whose run last rated it. Returns the repeat's index from `first`, n if there is
// none, or kNotGrouped as soon as a user's ratings turn out to be split (the caller buckets them instead).
size_t repeat_in_user_runs(const Dataset& dataset, size_t first) {
    const size_t n = dataset.size() - first;
    const int32_t* const user = dataset.user.data() + first;
    const int32_t* const item = dataset.item.data() + first;
    std::vector<char> closed(static_cast<size_t>(dataset.users.size()), 0);
    std::vector<int32_t> stamp(static_cast<size_t>(dataset.items.size()), -1);
    int32_t current = user[0];
    for (size_t k = 0; k < n; ++k) {
        const int32_t u = user[k];
        if (u != current) {
            closed[static_cast<size_t>(current)] = 1;
            if (closed[static_cast<size_t>(u)]) return kNotGrouped;
            current = u;
        }
        int32_t& s = stamp[static_cast<size_t>(item[k])];
        if (s == u) return k;
        s = u;
    }
    return n;
}

}  // namespace

size_t first_repeat(const Dataset& dataset, size_t first) {
    const size_t n = dataset.size() - first;
    if (n < 2) return n;
    const auto items = static_cast<uint64_t>(dataset.items.size());
    const auto cells = static_cast<uint64_t>(dataset.users.size()) * items;
    auto key = [&](size_t k) {
        return static_cast<uint64_t>(dataset.user[first + k]) * items + static_cast<uint64_t>(dataset.item[first + k]);
    };

    // Index (from `first`) of the earliest rating whose pair was already rated, or n if none.
    size_t repeat = n;
    if (cells / 8 <= 8 * static_cast<uint64_t>(n)) {
        std::vector<uint64_t> seen(static_cast<size_t>(cells / 64 + 1), 0);
        for (size_t k = 0; k < n; ++k) {
            const uint64_t c = key(k);
            uint64_t& word = seen[static_cast<size_t>(c >> 6)];
            const uint64_t bit = uint64_t{1} << (c & 63);
            if (word & bit) {
                repeat = k;
                break;
            }
            word |= bit;
        }
    } else if (const size_t found = repeat_in_user_runs(dataset, first); found != kNotGrouped) {
        repeat = found;
    } else {
        // Too many cells for a bitmap (MovieLens-25M: 9.6e9). The ratings are bucketed by user with a
        // counting sort (linear, 4 bytes per rating; sorting 8-byte pair keys took seconds at 25M), each
        // bucket in file order, and each user's items are checked against a stamp per item: the first
        // stamped item met in a bucket is that user's earliest repeat.
        const auto users = static_cast<size_t>(dataset.users.size());
        std::vector<uint32_t> start(users + 1, 0);
        for (size_t k = 0; k < n; ++k) ++start[static_cast<size_t>(dataset.user[first + k]) + 1];
        for (size_t u = 0; u < users; ++u) start[u + 1] += start[u];
        std::vector<uint32_t> by_user(n);
        {
            std::vector<uint32_t> next(start.begin(), start.end() - 1);
            for (size_t k = 0; k < n; ++k) by_user[next[static_cast<size_t>(dataset.user[first + k])]++] = static_cast<uint32_t>(k);
        }
        std::vector<uint32_t> stamp(static_cast<size_t>(items), UINT32_MAX);
        for (size_t u = 0; u < users; ++u)
            for (uint32_t b = start[u]; b < start[u + 1]; ++b) {
                const uint32_t k = by_user[b];
                uint32_t& s = stamp[static_cast<size_t>(dataset.item[first + k])];
                if (s == static_cast<uint32_t>(u)) {
                    repeat = std::min<size_t>(repeat, k);
                    break;
                }
                s = static_cast<uint32_t>(u);
            }
    }
    return repeat;
}

void reject_duplicate_ratings(std::string_view text, const std::string& name, bool has_header,
                              const Dataset& dataset, size_t first) {
    const size_t n = dataset.size() - first;
    const size_t repeat = first_repeat(dataset, first);
    if (repeat == n) return;
    const auto items = static_cast<uint64_t>(dataset.items.size());
    auto key = [&](size_t k) {
        return static_cast<uint64_t>(dataset.user[first + k]) * items + static_cast<uint64_t>(dataset.item[first + k]);
    };
    size_t original = 0;
    while (key(original) != key(repeat)) ++original;
    const auto [line_a, line_b] = lines_of(text, name, has_header, original, repeat);
    const int32_t user = dataset.user[first + repeat], item = dataset.item[first + repeat];
    throw DataError(name, line_b,
                    "user " + quoted(dataset.users.id(user)) + " rated item " + quoted(dataset.items.id(item)) +
                        " again (first at line " + std::to_string(line_a) + "); each pair may be rated once");
}

int64_t merge_duplicate_ratings(Dataset& dataset, size_t first, DuplicatePolicy policy) {
    const size_t n = dataset.size() - first;
    const auto items = static_cast<uint64_t>(dataset.items.size());
    std::vector<std::pair<uint64_t, uint32_t>> order(n);
    for (size_t k = 0; k < n; ++k)
        order[k] = {static_cast<uint64_t>(dataset.user[first + k]) * items +
                        static_cast<uint64_t>(dataset.item[first + k]),
                    static_cast<uint32_t>(k)};
    std::sort(order.begin(), order.end());  // by pair, then by line: a group's first entry is its first line

    std::vector<char> keep(n, 0);
    std::vector<float> merged(n, 0.0f);
    int64_t dropped = 0;
    for (size_t g = 0; g < n;) {
        size_t end = g + 1;
        while (end < n && order[end].first == order[g].first) ++end;
        const size_t head = order[g].second;
        const size_t lines = end - g;
        float value = dataset.rating[first + order[end - 1].second];  // Last
        if (policy == DuplicatePolicy::Mean) {
            double sum = 0;
            for (size_t k = g; k < end; ++k) sum += dataset.rating[first + order[k].second];
            value = static_cast<float>(sum / static_cast<double>(lines));
        } else if (policy == DuplicatePolicy::Count) {
            value = static_cast<float>(lines);
        }
        keep[head] = 1;
        merged[head] = value;
        dropped += static_cast<int64_t>(lines - 1);
        g = end;
    }
    size_t out = first;
    for (size_t k = 0; k < n; ++k) {
        if (!keep[k]) continue;
        dataset.user[out] = dataset.user[first + k];
        dataset.item[out] = dataset.item[first + k];
        dataset.rating[out] = merged[k];
        ++out;
    }
    dataset.user.resize(out);
    dataset.item.resize(out);
    dataset.rating.resize(out);
    return dropped;
}

}  // namespace memrec::detail
