// Text helpers shared by the rating and title readers (see reader_text.h).
#include "reader_text.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>

namespace memrec::detail {

namespace fs = std::filesystem;

std::string read_text_file(const std::string& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) throw DataError(path, 0, "no such file");
    if (fs::is_directory(status)) throw DataError(path, 0, "is a folder, expected a file");

    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw DataError(path, 0, std::string("cannot open: ") + std::strerror(errno));

    // Read in chunks until EOF rather than trusting the size up front: pipes and /proc files report 0.
    std::string text;
    const auto size_hint = fs::file_size(path, ec);
    text.resize(ec ? size_t{1} << 16 : static_cast<size_t>(size_hint) + 1);
    size_t used = 0;
    for (;;) {
        const size_t got = std::fread(text.data() + used, 1, text.size() - used, file.get());
        // Binary input fails at its first chunk, so an endless one (/dev/zero, /dev/urandom) is not read
        // until memory runs out.
        if (std::memchr(text.data() + used, '\0', got) != nullptr)
            reject_nul_bytes(std::string_view(text.data(), used + got), path);
        used += got;
        if (used < text.size()) break;
        text.resize(text.size() * 2);
    }
    if (std::ferror(file.get())) throw DataError(path, 0, "read error");
    text.resize(used);
    return text;
}

FileText::FileText(const std::string& path) {
#if defined(__EMSCRIPTEN__)
    copy_ = read_text_file(path);
#else
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        if (fd >= 0) ::close(fd);
        copy_ = read_text_file(path);  // its errors, and what cannot be mapped
        return;
    }
    size_ = static_cast<size_t>(st.st_size);
    // MAP_POPULATE: the pages are faulted in by the kernel in bulk (with read-ahead), not one by one.
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) {
        size_ = 0;
        copy_ = read_text_file(path);
        return;
    }
    ::madvise(p, size_, MADV_SEQUENTIAL);
    map_ = p;
#endif
}

FileText::~FileText() {
#if !defined(__EMSCRIPTEN__)
    if (map_) ::munmap(map_, size_);
#endif
}

std::string_view file_name(std::string_view path) {
    const size_t slash = path.find_last_of("/\\");
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view strip_bom(std::string_view text) {
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    if (text.substr(0, bom.size()) == bom) text.remove_prefix(bom.size());
    return text;
}

void reject_nul_bytes(std::string_view text, const std::string& file) {
    const auto* nul = static_cast<const char*>(std::memchr(text.data(), '\0', text.size()));
    if (nul == nullptr) return;
    const int64_t line = 1 + std::count(text.data(), nul, '\n');
    throw DataError(file, line, "NUL byte: this is binary data, not a text file");
}

std::string quoted(std::string_view field) {
    constexpr size_t kMaxShown = 40;
    std::string out = "'";
    for (size_t i = 0; i < field.size() && i < kMaxShown; ++i) {
        const auto c = static_cast<unsigned char>(field[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        }
    }
    if (field.size() > kMaxShown) out += "...";
    return out + "'";
}

std::string format_number(double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", value);
    return buf;
}

bool is_valid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        size_t extra;
        uint32_t code;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1, code = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2, code = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3, code = c & 0x07;
        } else {
            return false;  // a continuation byte first, an overlong 0xC0/0xC1 lead, or beyond U+10FFFF
        }
        if (static_cast<size_t>(end - p) <= extra) return false;
        for (size_t k = 1; k <= extra; ++k) {
            if ((p[k] & 0xC0) != 0x80) return false;
            code = (code << 6) | (p[k] & 0x3F);
        }
        // Overlong encodings, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
        if ((extra == 2 && code < 0x800) || (extra == 3 && (code < 0x10000 || code > 0x10FFFF)) ||
            (code >= 0xD800 && code <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

std::string latin1_to_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out += ch;
        } else {  // latin-1 byte = code point U+0080..U+00FF: two UTF-8 bytes
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Skips digits from `i`; returns how many there were.
size_t skip_digits(std::string_view s, size_t& i) {
    const size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i - start;
}

// [+-](digits[.digits] | .digits)[(e|E)[+-]digits], the whole of `s`. strtod and from_chars both accept
// more or less than this (hex floats, leading spaces, "+"), so we decide what is a number ourselves.
bool is_decimal_number(std::string_view s) {
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t digits = skip_digits(s, i);
    if (i < s.size() && s[i] == '.') {
        ++i;
        digits += skip_digits(s, i);
    }
    if (digits == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (skip_digits(s, i) == 0) return false;
    }
    return i == s.size();
}

// "nan", "inf", "infinity" in any case, with an optional sign.
bool names_non_finite(std::string_view s) {
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
    std::string lower;
    for (char c : s.substr(0, 8)) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return lower.rfind("nan", 0) == 0 || lower.rfind("inf", 0) == 0;
}

}  // namespace

NumberStatus parse_number_slow(std::string_view s, double& value) {
    if (names_non_finite(s)) return NumberStatus::NotFinite;
    if (!is_decimal_number(s)) return NumberStatus::NotANumber;
    // from_chars rejects a leading '+', which is_decimal_number allows.
    if (s[0] == '+') s.remove_prefix(1);
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
    // libstdc++: locale-independent and exact.
    const auto result = std::from_chars(s.data(), s.data() + s.size(), value);
    // Out of range leaves `value` untouched; strtod then tells overflow (inf) from underflow (finite).
    if (result.ec == std::errc::result_out_of_range) value = std::strtod(std::string(s).c_str(), nullptr);
#else
    // libc++ (the WebAssembly build) has no floating-point from_chars: strtod on a terminated copy. The
    // grammar was checked above, so strtod's extras (hex, "inf") cannot reach it.
    const std::string copy(s);
    value = std::strtod(copy.c_str(), nullptr);
#endif
    return std::isfinite(value) ? NumberStatus::Ok : NumberStatus::NotFinite;
}

double parse_rating(std::string_view text, const std::string& file, int64_t line) {
    double value = 0;
    switch (parse_number(text, value)) {
        case NumberStatus::Ok:
            break;
        case NumberStatus::NotANumber:
            throw DataError(file, line, text.empty() ? std::string("empty rating")
                                                     : "rating " + quoted(text) + " is not a number");
        case NumberStatus::NotFinite:
            throw DataError(file, line, "rating " + quoted(text) + " is not finite");
    }
    // A value beyond float's range would become infinite when stored.
    if (std::fabs(value) > double(std::numeric_limits<float>::max()))
        throw DataError(file, line, "rating " + quoted(text) + " is too large (at most 3.4e38)");
    return value;
}

std::string scale_message(double value, double lo, double hi) {
    return "rating " + format_number(value) + " outside the scale " + format_number(lo) + ".." + format_number(hi);
}

std::string field_count_message(size_t min, size_t max, std::string_view separator, size_t got) {
    std::string expected = std::to_string(min);
    if (max != min) expected += " or " + std::to_string(max);
    return "expected " + expected + " fields separated by " + std::string(separator) + ", got " +
           std::to_string(got);
}

std::string& CsvSplitter::next_field() {
    if (fields_.size() <= count_) {
        fields_.emplace_back();
        was_quoted_.push_back(0);
    }
    fields_[count_].clear();
    was_quoted_[count_] = 0;
    return fields_[count_++];
}

bool CsvSplitter::split(std::string_view line, char delimiter) {
    count_ = 0;
    size_t pos = 0;
    for (;;) {
        // A quoted field may have spaces before its opening quote (padding, as in `1, "a, b"`).
        size_t start = pos;
        while (start < line.size() && (line[start] == ' ' || line[start] == '\t') && line[start] != delimiter)
            ++start;
        if (start < line.size() && line[start] == '"') {
            pos = split_quoted(line, start, delimiter);
            if (pos == std::string_view::npos) return false;
        } else {
            const size_t stop = std::min(line.find(delimiter, pos), line.size());
            next_field().assign(line.substr(pos, stop - pos));
            pos = stop;
        }
        if (pos >= line.size()) return true;
        ++pos;  // past the delimiter
    }
}

// Reads the quoted field opening at `quote`; returns the position after it (at a delimiter or the end),
// or npos with error_ set.
size_t CsvSplitter::split_quoted(std::string_view line, size_t quote, char delimiter) {
    std::string& field = next_field();
    was_quoted_[count_ - 1] = 1;
    size_t i = quote + 1;
    for (;;) {
        const size_t q = line.find('"', i);
        if (q == std::string_view::npos) {
            error_ = "unterminated quoted field";
            return std::string_view::npos;
        }
        field.append(line.substr(i, q - i));
        if (q + 1 < line.size() && line[q + 1] == '"') {  // "" inside quotes is one quote
            field += '"';
            i = q + 2;
            continue;
        }
        i = q + 1;
        break;
    }
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t') && line[i] != delimiter) ++i;
    if (i < line.size() && line[i] != delimiter) {
        error_ = "unexpected text after a closing quote";
        return std::string_view::npos;
    }
    return i;
}

}  // namespace memrec::detail
