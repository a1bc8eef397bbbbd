// The popularity section (training ratings per item) and the titles section (one string per item).
#include <limits>

#include "model_sections.h"

namespace memrec::detail {

void write_popularity(ByteWriter& w, const std::vector<int64_t>& counts) {
    w.varint(counts.size());
    for (int64_t c : counts) w.varint(static_cast<uint64_t>(c));
}

std::vector<int64_t> read_popularity(ByteReader& r, int64_t items) {
    const uint64_t n = r.count("count", 1);
    if (n != 0 && n != uint64_t(items))
        r.fail("count", "expected 0 or " + std::to_string(items) + " (the item rows), got " + std::to_string(n));
    std::vector<int64_t> counts(static_cast<size_t>(n));
    for (auto& c : counts)
        c = static_cast<int64_t>(r.varint_in("item count", 0, uint64_t(std::numeric_limits<int64_t>::max())));
    r.expect_end();
    return counts;
}

void write_titles(ByteWriter& w, const std::vector<std::string>& titles) {
    w.varint(titles.size());
    for (const auto& t : titles) w.str(t);
}

std::vector<std::string> read_titles(ByteReader& r, int64_t items) {
    const uint64_t n = r.count("count", 1);
    if (n != uint64_t(items))
        r.fail("count", "expected " + std::to_string(items) + " (the item rows), got " + std::to_string(n));
    std::vector<std::string> titles(static_cast<size_t>(n));
    for (auto& t : titles) t = r.str("title");
    r.expect_end();
    return titles;
}

}  // namespace memrec::detail
