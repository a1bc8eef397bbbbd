// The MovieLens layouts in chunks (see reader_movielens.h). Per line, a fast path reads the usual shape
// ("12,345,3.5,1112486027": short canonical integer ids, a rating like 4 or 3.5, an optional timestamp)
// straight from the bytes; any other line (blank, CRLF oddities, leading zeros, long ids, "4.25", faults)
// takes the general path, which is the line-by-line reader this replaced and says what is wrong.
#include "reader_movielens.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <stdexcept>

#include "memrec/error.h"
#include "reader_text.h"

namespace memrec::detail {

namespace {

// Canonical integer ids below this map to dense indices through a direct array (16 MB at most).
constexpr uint32_t kDirectLimit = uint32_t{1} << 22;
constexpr int32_t kInvalidId = std::numeric_limits<int32_t>::min();

// A chunk's raw ids as its rows hold them: a direct id is its value (>= 0); any other valid id (leading
// zeros, 10 digits or more, 2^22 and up) is -(1 + its position in `texts`), texts kept in row order.
// They are copies: a streamed file's pieces are gone by the time ids are mapped (rare in MovieLens files).
struct RawIds {
    std::vector<std::string> texts;
    uint32_t max_direct = 0;
    bool any_direct = false;

    int32_t direct(uint32_t value) {
        max_direct = std::max(max_direct, value);
        any_direct = true;
        return static_cast<int32_t>(value);
    }

    int32_t text(std::string_view id) {
        if (texts.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max()))
            throw std::length_error("memrec: more than 2^31-1 long ids in one chunk");
        texts.emplace_back(id);
        return -static_cast<int32_t>(texts.size());
    }

    // The code of an id made of digits; kInvalidId if `id` is empty or not all digits.
    int32_t code(std::string_view id) {
        if (id.empty()) return kInvalidId;
        if (id.size() > 9) {
            for (char c : id)
                if (c < '0' || c > '9') return kInvalidId;
            return text(id);
        }
        uint32_t value = 0;
        for (char c : id) {
            const auto d = static_cast<uint32_t>(static_cast<unsigned char>(c)) - '0';
            if (d > 9) return kInvalidId;
            value = value * 10 + d;
        }
        // With leading zeros the raw text is not the number's text ("007" is its own id, not "7").
        if (value >= kDirectLimit || (id[0] == '0' && id.size() > 1)) return text(id);
        return direct(value);
    }
};

// Thrown (and caught by the chunk's worker) when a rating's verdict waits for the chunks before it.
struct Deferred {};

bool is_half_star(double value) {
    return value != std::floor(value) && value * 2 == std::floor(value * 2) && value >= 0.5;
}

// The scale check of one chunk. Without half-star widening every verdict is final. With it, a chunk that
// has not seen a half star yet cannot tell whether an earlier chunk did: a rating in [0.5, lo) is noted
// as `pending` (an error unless an earlier chunk widened) and parsing goes on; a rating outside even the
// widened scale is `deferred` (an error either way, but its message shows the scale at its line).
class ChunkScale {
  public:
    ChunkScale(const MovieLensScale& scale, const std::string& file)
        : lo_(scale.lo),
          lo_wide_(std::min(scale.lo, 0.5)),
          hi_(scale.hi),
          widenable_(scale.widen_half_stars),
          watch_(scale.widen_half_stars),
          file_(file) {}

    void check(double value, int64_t line) {
        if (value >= lo_ && value <= hi_ && !(watch_ && is_half_star(value))) return;
        check_slow(value, line);
    }

    bool widened = false;
    int64_t pending_line = 0;
    double pending_value = 0;
    int64_t deferred_line = 0;
    double deferred_value = 0;

  private:
    void check_slow(double value, int64_t line) {
        if (watch_ && is_half_star(value)) {
            widened = true;
            watch_ = false;
            lo_ = lo_wide_;
        }
        if (value >= lo_ && value <= hi_) return;
        if (!widenable_ || widened) throw DataError(file_, line, scale_message(value, lo_, hi_));
        if (value >= lo_wide_ && value <= hi_) {
            if (pending_line == 0) pending_line = line, pending_value = value;
            return;
        }
        deferred_line = line;
        deferred_value = value;
        throw Deferred{};
    }

    double lo_, lo_wide_, hi_;
    bool widenable_, watch_;
    const std::string& file_;
};

// One chunk's share of the body and what parsing it left.
struct Part {
    bool active = false;
    size_t begin = 0, end = 0;  // bytes of the source
    int64_t lines_before = 0;
    size_t offset = 0;    // its first row in the columns
    size_t capacity = 0;  // its lines: no more rows than that
    size_t rows = 0;
    RawIds users, items;
    bool widened = false;
    int64_t pending_line = 0, deferred_line = 0;
    double pending_value = 0, deferred_value = 0;
    std::exception_ptr error;
};

// ---- the fast path: one line of the usual shape, or nullptr (nothing consumed) for the general path ----

// "0", or 1 to 7 digits without a leading zero below kDirectLimit.
inline bool fast_id(const char*& p, const char* end, uint32_t& value) {
    if (p == end) return false;
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(*p)) - '0';
    if (v > 9) return false;
    const char* const start = p++;
    if (v != 0) {
        while (p != end) {
            const uint32_t d = static_cast<uint32_t>(static_cast<unsigned char>(*p)) - '0';
            if (d > 9) break;
            v = v * 10 + d;
            if (++p - start > 7) return false;
        }
        if (v >= kDirectLimit) return false;
    }
    value = v;
    return true;
}

template <char S, bool Twice>
inline bool fast_separator(const char*& p, const char* end) {
    if constexpr (Twice) {
        if (end - p < 2 || p[0] != S || p[1] != S) return false;
        p += 2;
    } else {
        if (p == end || *p != S) return false;
        ++p;
    }
    return true;
}

// The end of a line at p: the start of the next line, or nullptr if the line goes on.
inline const char* fast_line_end(const char* p, const char* end) {
    if (p == end) return end;
    if (*p == '\n') return p + 1;
    if (*p == '\r') {
        if (p + 1 == end) return end;
        if (p[1] == '\n') return p + 2;
    }
    return nullptr;
}

struct FastRow {
    uint32_t user, item;
    double rating;
};

template <char S, bool Twice>
inline const char* fast_line(const char* p, const char* end, bool three_fields, bool four_fields, FastRow& row) {
    if (!fast_id(p, end, row.user) || !fast_separator<S, Twice>(p, end)) return nullptr;
    if (!fast_id(p, end, row.item) || !fast_separator<S, Twice>(p, end)) return nullptr;
    // "4", "4.0" or "4.5": what parse_number's own fast path reads.
    if (p == end) return nullptr;
    const auto whole = static_cast<uint32_t>(static_cast<unsigned char>(*p)) - '0';
    if (whole > 9) return nullptr;
    ++p;
    row.rating = whole;
    if (p != end && *p == '.') {
        if (end - p < 2 || (p[1] != '0' && p[1] != '5')) return nullptr;
        if (p[1] == '5') row.rating += 0.5;
        p += 2;
    }
    if (const char* next = fast_line_end(p, end)) return three_fields ? next : nullptr;
    if (!four_fields || !fast_separator<S, Twice>(p, end)) return nullptr;
    const char* const digits = p;
    while (p != end && static_cast<uint32_t>(static_cast<unsigned char>(*p)) - '0' <= 9) ++p;
    if (p == digits || p - digits > 19) return nullptr;
    return fast_line_end(p, end);
}

// ---- one chunk ----

// The general path for one line: what the line-by-line reader did.
void general_line(std::string_view line, int64_t number, const std::string& file, const MovieLensLayout& layout,
                  Part& part, ChunkScale& scale, int32_t* users, int32_t* items, float* ratings) {
    if (is_blank(line)) return;
    std::string_view fields[4];
    const size_t n = split_fields(line, layout.separator, fields, 4);
    if (n < layout.min_fields || n > layout.max_fields)
        throw DataError(file, number, field_count_message(layout.min_fields, layout.max_fields, layout.separator_name, n));
    const int32_t user = part.users.code(fields[0]);
    if (user == kInvalidId)
        throw DataError(file, number, "user id " + quoted(fields[0]) + " is not a non-negative integer");
    const int32_t item = part.items.code(fields[1]);
    if (item == kInvalidId)
        throw DataError(file, number, "item id " + quoted(fields[1]) + " is not a non-negative integer");
    const double rating = parse_rating(fields[2], file, number);
    scale.check(rating, number);
    uint64_t timestamp = 0;
    if (n == 4 && !parse_uint(fields[3], timestamp))
        throw DataError(file, number, "timestamp " + quoted(fields[3]) + " is not a non-negative integer");
    users[part.rows] = user;
    items[part.rows] = item;
    ratings[part.rows] = static_cast<float>(rating);
    ++part.rows;
}

template <char S, bool Twice>
void parse_lines(const char* p, const char* const end, int64_t& line, const std::string& file,
                 const MovieLensLayout& layout, Part& part, ChunkScale& scale, int32_t* users, int32_t* items,
                 float* ratings) {
    const bool three = layout.min_fields <= 3, four = layout.max_fields >= 4;
    while (p != end) {
        ++line;
        FastRow row;
        if (const char* next = fast_line<S, Twice>(p, end, three, four, row)) {
            scale.check(row.rating, line);
            users[part.rows] = part.users.direct(row.user);
            items[part.rows] = part.items.direct(row.item);
            ratings[part.rows] = static_cast<float>(row.rating);
            ++part.rows;
            p = next;
            continue;
        }
        const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        const char* const stop = nl != nullptr ? nl : end;
        if (static_cast<size_t>(stop - p) > kMaxLineBytes) throw DataError(file, line, "line longer than 1 MB");
        std::string_view text(p, static_cast<size_t>(stop - p));
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        p = nl != nullptr ? nl + 1 : end;
        general_line(text, line, file, layout, part, scale, users, items, ratings);
    }
}

template <char S, bool Twice>
void parse_part(Part& part, const Source& source, const MovieLensLayout& layout, const MovieLensScale& base,
                Dataset& dataset) {
    ChunkScale scale(base, source.name);
    int32_t* const users = dataset.user.data() + part.offset;
    int32_t* const items = dataset.item.data() + part.offset;
    float* const ratings = dataset.rating.data() + part.offset;
    int64_t line = part.lines_before;
    try {
        for_each_piece(source, part.begin, part.end, [&](const char* first, const char* last) {
            parse_lines<S, Twice>(first, last, line, source.name, layout, part, scale, users, items, ratings);
        });
    } catch (const Deferred&) {
        // the scale keeps the line and value
    } catch (...) {
        part.error = std::current_exception();
    }
    part.widened = scale.widened;
    part.pending_line = scale.pending_line;
    part.pending_value = scale.pending_value;
    part.deferred_line = scale.deferred_line;
    part.deferred_value = scale.deferred_value;
}

// The columns grown to `n` rows. Their new pages are backed by transparent huge pages where the kernel
// offers them on request (Linux's "madvise" mode) and faulted in by all threads at once before the vector
// zeroes them: on a virtual machine, first touching the 300 MB of a 25M-rating file's columns one 4 KB page
// at a time took longer than parsing it.
void prepare_columns(Dataset& dataset, size_t n, unsigned threads) {
    dataset.user.reserve(n);
    dataset.item.reserve(n);
    dataset.rating.reserve(n);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    struct Range {
        uintptr_t from, to;
    };
    std::vector<Range> ranges;
    auto add = [&](const void* begin, const void* end) {
        constexpr uintptr_t kHuge = uintptr_t{1} << 21;
        const auto from = (reinterpret_cast<uintptr_t>(begin) + kHuge - 1) & ~(kHuge - 1);
        const auto to = reinterpret_cast<uintptr_t>(end) & ~(kHuge - 1);
        if (to <= from) return;
        ::madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);  // hints: failure is fine
        for (uintptr_t at = from; at < to; at += 16 * kHuge) ranges.push_back({at, std::min(to, at + 16 * kHuge)});
    };
    add(dataset.user.data() + dataset.user.size(), dataset.user.data() + n);
    add(dataset.item.data() + dataset.item.size(), dataset.item.data() + n);
    add(dataset.rating.data() + dataset.rating.size(), dataset.rating.data() + n);
#if defined(MADV_POPULATE_WRITE)
    run_parallel(ranges.size(), threads, [&](size_t r) {
        ::madvise(reinterpret_cast<void*>(ranges[r].from), ranges[r].to - ranges[r].from, MADV_POPULATE_WRITE);
    });
#endif
#endif
    (void)threads;
    dataset.user.resize(n);
    dataset.item.resize(n);
    dataset.rating.resize(n);
}

// Raw ids of one column (users or items) to dense indices, in file order.
void map_ids(int32_t* column, const std::vector<Part>& parts, bool users, Vocabulary& vocab) {
    uint32_t max_direct = 0;
    bool any_direct = false;
    for (const Part& part : parts) {
        const RawIds& ids = users ? part.users : part.items;
        if (ids.any_direct) max_direct = std::max(max_direct, ids.max_direct), any_direct = true;
    }
    std::vector<int32_t> direct(any_direct ? size_t{max_direct} + 1 : 0, -1);
    char buf[16];
    for (const Part& part : parts) {
        const RawIds& ids = users ? part.users : part.items;
        int32_t* const rows = column + part.offset;
        for (size_t k = 0; k < part.rows; ++k) {
            const int32_t raw = rows[k];
            if (raw >= 0) {
                int32_t& slot = direct[static_cast<size_t>(raw)];
                if (slot < 0) {
                    const auto printed = std::to_chars(buf, buf + sizeof buf, raw);
                    slot = vocab.add(std::string_view(buf, static_cast<size_t>(printed.ptr - buf)));
                }
                rows[k] = slot;
            } else {
                rows[k] = vocab.add(ids.texts[static_cast<size_t>(-(raw + 1))]);
            }
        }
    }
}

}  // namespace

MovieLensScale parse_movielens(const Source& source, const std::vector<Chunk>& chunks, size_t body,
                               int64_t body_lines_before, const MovieLensLayout& layout, const MovieLensScale& scale,
                               unsigned threads, Dataset& dataset) {
    const std::string& name = source.name;
    const size_t first = dataset.size();
    std::vector<Part> parts(chunks.size());
    size_t capacity = 0;
    for (size_t c = 0; c < chunks.size(); ++c) {
        const Chunk& chunk = chunks[c];
        Part& part = parts[c];
        part.offset = first + capacity;
        if (chunk.end <= body) continue;  // all before the body (a header, blank lines)
        part.active = true;
        part.begin = std::max(chunk.begin, body);
        part.end = chunk.end;
        part.lines_before = std::max(chunk.lines_before, body_lines_before);
        part.capacity = chunk.lines - static_cast<size_t>(part.lines_before - chunk.lines_before);
        capacity += part.capacity;
    }

    // Rows are written in place; a DataError leaves the dataset as it was.
    auto restore = [&] {
        dataset.user.resize(first);
        dataset.item.resize(first);
        dataset.rating.resize(first);
    };
    prepare_columns(dataset, first + capacity, threads);

    const bool twice = layout.separator.size() == 2;
    const char sep = layout.separator[0];
    run_parallel(parts.size(), threads, [&](size_t c) {
        Part& part = parts[c];
        if (!part.active) return;
        if (twice) {
            parse_part<':', true>(part, source, layout, scale, dataset);
        } else if (sep == '\t') {
            parse_part<'\t', false>(part, source, layout, scale, dataset);
        } else {
            parse_part<',', false>(part, source, layout, scale, dataset);
        }
    });

    // The first error in file order. A chunk's pending rating comes before its other error, if any.
    const double lo_wide = std::min(scale.lo, 0.5);
    bool widened = false;
    for (const Part& part : parts) {
        if (part.pending_line > 0 && !widened) {
            restore();
            throw DataError(name, part.pending_line, scale_message(part.pending_value, scale.lo, scale.hi));
        }
        if (part.deferred_line > 0) {
            restore();
            throw DataError(name, part.deferred_line,
                            scale_message(part.deferred_value, widened ? lo_wide : scale.lo, scale.hi));
        }
        if (part.error) {
            restore();
            std::rethrow_exception(part.error);
        }
        widened = widened || part.widened;
    }

    // Close the gaps left by blank lines, then raw ids to dense indices (users and items side by side).
    size_t out = first;
    for (Part& part : parts) {
        if (part.offset != out && part.rows > 0) {
            std::memmove(dataset.user.data() + out, dataset.user.data() + part.offset, part.rows * sizeof(int32_t));
            std::memmove(dataset.item.data() + out, dataset.item.data() + part.offset, part.rows * sizeof(int32_t));
            std::memmove(dataset.rating.data() + out, dataset.rating.data() + part.offset, part.rows * sizeof(float));
        }
        part.offset = out;
        out += part.rows;
    }
    dataset.user.resize(out);
    dataset.item.resize(out);
    dataset.rating.resize(out);

    std::exception_ptr errors[2];
    run_parallel(2, threads, [&](size_t side) {
        try {
            if (side == 0) {
                map_ids(dataset.user.data(), parts, true, dataset.users);
            } else {
                map_ids(dataset.item.data(), parts, false, dataset.items);
            }
        } catch (...) {
            errors[side] = std::current_exception();
        }
    });
    for (const auto& error : errors)
        if (error) {
            restore();
            std::rethrow_exception(error);
        }

    MovieLensScale result = scale;
    if (widened) result.lo = lo_wide;
    return result;
}

}  // namespace memrec::detail
