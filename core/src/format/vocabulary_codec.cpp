// The users and items sections: raw ids by dense index, as decimal differences, decimal runs or strings.
#include <algorithm>

#include "model_sections.h"

namespace memrec::detail {

namespace {

constexpr uint64_t kMaxDecimalId = 999999999999999999ULL;  // 10^18 - 1
constexpr uint64_t kMaxRunIds = uint64_t(1) << 20;  // ids a run-encoded vocabulary may hold

bool canonical_decimal(const std::string& s) {
    if (s.empty() || s.size() > 18) return false;
    if (s.size() > 1 && s[0] == '0') return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

void write_vocabulary(ByteWriter& w, const Vocabulary& v) {
    const auto& ids = v.ids();
    if (!std::all_of(ids.begin(), ids.end(), canonical_decimal)) {
        w.u8(1);
        w.varint(ids.size());
        for (const auto& id : ids) w.str(id);
        return;
    }
    // Both encodings, to keep the shorter: differences, and runs of consecutive ids.
    ByteWriter deltas, runs;
    std::vector<std::pair<int64_t, int64_t>> spans;  // (first id, length)
    int64_t prev = 0;
    for (const auto& id : ids) {
        const int64_t x = std::stoll(id);
        deltas.svarint(x - prev);
        prev = x;
        if (!spans.empty() && spans.back().first + spans.back().second == x)
            ++spans.back().second;
        else
            spans.push_back({x, 1});
    }
    runs.varint(spans.size());
    int64_t next = 0;
    for (const auto& [first, length] : spans) {
        runs.svarint(first - next);
        runs.varint(static_cast<uint64_t>(length));
        next = first + length;
    }
    const bool use_runs = runs.data().size() < deltas.data().size() && ids.size() <= kMaxRunIds;
    w.u8(use_runs ? 2 : 0);
    w.varint(ids.size());
    const std::string& body = use_runs ? runs.data() : deltas.data();
    w.bytes(body.data(), body.size());
}

Vocabulary read_vocabulary(ByteReader& r, int64_t rows) {
    const uint8_t enc = r.u8("encoding");
    if (enc > 2)
        r.fail("encoding", "expected 0 (decimal), 1 (strings) or 2 (decimal runs), got " + std::to_string(enc));
    // Encodings 0 and 1 take a byte or more per id, so the bytes that remain bound the count; runs do not,
    // so their count has a limit of its own (a corrupt file must not make the loader build 2^31 ids).
    const uint64_t n = enc == 2 ? r.varint("count") : r.count("count", 1);
    if (n != uint64_t(rows))
        r.fail("count", "expected " + std::to_string(rows) + " (the config's rows), got " + std::to_string(n));
    if (enc == 2 && n > kMaxRunIds)
        r.fail("count", std::to_string(n) + " ids in runs, more than the limit of " + std::to_string(kMaxRunIds));
    Vocabulary v;
    v.reserve(static_cast<size_t>(n));
    auto add = [&](const std::string& id, uint64_t i) {
        if (v.add(id) != static_cast<int32_t>(i))
            r.fail("id", "entry " + std::to_string(i) + " repeats id '" + id + "' (entry " +
                             std::to_string(v.find(id)) + ")");
    };
    // prev + delta, failing unless it is a decimal id (below 10^18); both operands are checked first so
    // the sum cannot overflow.
    auto offset_id = [&](int64_t prev, int64_t delta, const std::string& field, const std::string& what) {
        if (delta > int64_t(kMaxDecimalId) || delta < -int64_t(kMaxDecimalId) || prev + delta < 0 ||
            prev + delta > int64_t(kMaxDecimalId))
            r.fail(field, what + " is out of range (expected 0..10^18-1)");
        return prev + delta;
    };
    if (enc == 2) {
        const uint64_t runs = r.count("runs", 2);
        if (runs > n) r.fail("runs", "expected at most " + std::to_string(n) + " (one id each), got " +
                                         std::to_string(runs));
        uint64_t i = 0;
        int64_t next = 0;
        for (uint64_t k = 0; k < runs; ++k) {
            const std::string run = "run " + std::to_string(k);
            const int64_t first = offset_id(next, r.svarint("run start"), "run start", run);
            const uint64_t length = r.varint("run length");
            if (length == 0 || length > n - i)
                r.fail("run length", run + ": expected 1.." + std::to_string(n - i) + " (ids left), got " +
                                         std::to_string(length));
            if (uint64_t(first) + length - 1 > kMaxDecimalId)
                r.fail("run length", run + " runs past the largest id (10^18-1)");
            for (uint64_t j = 0; j < length; ++j, ++i) add(std::to_string(first + int64_t(j)), i);
            next = first + int64_t(length);
        }
        if (i != n) r.fail("runs", "the runs hold " + std::to_string(i) + " ids, expected " + std::to_string(n));
        r.expect_end();
        return v;
    }
    int64_t prev = 0;
    for (uint64_t i = 0; i < n; ++i) {
        std::string id;
        if (enc == 0) {
            prev = offset_id(prev, r.svarint("id"), "id", "entry " + std::to_string(i));
            id = std::to_string(prev);
        } else {
            id = r.str("id");
        }
        add(id, i);
    }
    r.expect_end();
    return v;
}

}  // namespace memrec::detail
