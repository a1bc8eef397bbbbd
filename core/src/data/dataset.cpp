// Vocabulary and Dataset (see dataset.h).
#include "memrec/dataset.h"

#include <limits>
#include <stdexcept>

namespace memrec {

// The map is keyed by std::string (C++17 unordered_map has no heterogeneous lookup), so a lookup builds a
// key from the view. Ids of up to 15 bytes (every MovieLens id) fit the small-string buffer of both
// libstdc++ and libc++, so that costs no allocation. The readers avoid even this on their hot path: they
// map integer ids through a direct array and only come here for ids they have not seen yet.
int32_t Vocabulary::add(std::string_view id) {
    std::string key(id);
    if (const auto it = index_.find(key); it != index_.end()) return it->second;
    if (ids_.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        throw std::length_error("memrec::Vocabulary: more than 2^31-1 ids");
    const auto index = static_cast<int32_t>(ids_.size());
    ids_.push_back(key);
    try {
        index_.emplace(std::move(key), index);
    } catch (...) {
        ids_.pop_back();  // keep ids_ and index_ in step if the map cannot grow
        throw;
    }
    return index;
}

int32_t Vocabulary::find(std::string_view id) const {
    const auto it = index_.find(std::string(id));
    return it == index_.end() ? -1 : it->second;
}

void Vocabulary::reserve(size_t n) {
    ids_.reserve(n);
    index_.reserve(n);
}

std::vector<int64_t> Dataset::item_counts() const {
    std::vector<int64_t> counts(static_cast<size_t>(items.size()), 0);
    for (const int32_t i : item) ++counts[static_cast<size_t>(i)];
    return counts;
}

}  // namespace memrec
