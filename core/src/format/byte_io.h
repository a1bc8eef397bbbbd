// The one byte layer of memrec's binary files (model files and checkpoints): a little-endian writer, and a
// reader that checks every read against the bytes that remain and names the field it was reading when it
// fails (FormatError "section.field: ...", or "FILE: section.field: ..." for a reader given a file name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "memrec/error.h"

namespace memrec::detail {

// CRC-32 (IEEE 802.3, reflected, the polynomial of zlib's crc32 and Python's zlib.crc32).
uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

// FNV-1a 64 of `size` bytes, continuing from `h` (the offset basis, to start): checkpoints' checksum and the
// content hashes of rating and model files.
constexpr uint64_t kFnv1aOffset = 0xcbf29ce484222325ULL;
inline uint64_t fnv1a64(const uint8_t* data, size_t size, uint64_t h = kFnv1aOffset) {
    for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3ULL;
    return h;
}

class ByteWriter {
public:
    void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u16(uint16_t v) { le(v, 2); }
    void u32(uint32_t v) { le(v, 4); }
    void u64(uint64_t v) { le(v, 8); }
    void f32(float v) {
        uint32_t b;
        std::memcpy(&b, &v, 4);
        u32(b);
    }
    void f64(double v) {
        uint64_t b;
        std::memcpy(&b, &v, 8);
        u64(b);
    }
    // Unsigned LEB128: 7 bits per byte, high bit set on every byte but the last.
    void varint(uint64_t v) {
        while (v >= 0x80) {
            u8(static_cast<uint8_t>(v | 0x80));
            v >>= 7;
        }
        u8(static_cast<uint8_t>(v));
    }
    // Zigzag: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ...
    void svarint(int64_t v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
    void str(const std::string& s) {
        varint(s.size());
        out_ += s;
    }
    // A u32 byte length, then the bytes (the checkpoint's strings).
    void str32(const std::string& s) {
        u32(static_cast<uint32_t>(s.size()));
        out_ += s;
    }
    void bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
    void f32s(const float* p, size_t n) {
        for (size_t i = 0; i < n; ++i) f32(p[i]);
    }

    std::string& data() { return out_; }
    size_t size() const { return out_.size(); }

private:
    void le(uint64_t v, int n) {
        for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    std::string out_;
};

class ByteReader {
public:
    // `context` prefixes every field name in errors ("tables", "header").
    // `file`, when given, names the file in errors instead of "model file" (checkpoints: their path).
    ByteReader(const uint8_t* data, size_t size, std::string context, std::string file = "")
        : p_(data), end_(data + size), context_(std::move(context)), file_(std::move(file)) {}

    size_t remaining() const { return static_cast<size_t>(end_ - p_); }
    const std::string& context() const { return context_; }
    std::string where(const std::string& field) const { return context_.empty() ? field : context_ + "." + field; }

    [[noreturn]] void fail(const std::string& field, const std::string& message) const {
        if (!file_.empty()) throw FormatError(file_, where(field), message);
        throw FormatError(where(field), message);
    }
    // The next `n` bytes, or FormatError naming `field` if fewer remain.
    const uint8_t* take(size_t n, const std::string& field) {
        if (n > remaining())
            fail(field, "needs " + std::to_string(n) + " bytes, only " + std::to_string(remaining()) +
                            " remain (truncated or corrupt)");
        const uint8_t* at = p_;
        p_ += n;
        return at;
    }

    uint8_t u8(const std::string& field) { return *take(1, field); }
    uint16_t u16(const std::string& field) { return static_cast<uint16_t>(le(2, field)); }
    uint32_t u32(const std::string& field) { return static_cast<uint32_t>(le(4, field)); }
    uint64_t u64(const std::string& field) { return le(8, field); }
    float f32(const std::string& field) {
        const uint32_t b = u32(field);
        float v;
        std::memcpy(&v, &b, 4);
        return v;
    }
    double f64(const std::string& field) {
        const uint64_t b = u64(field);
        double v;
        std::memcpy(&v, &b, 8);
        return v;
    }
    uint64_t varint(const std::string& field) {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const uint8_t b = u8(field);
            if (shift == 63 && b > 1) fail(field, "varint overflows 64 bits");
            v |= static_cast<uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        fail(field, "varint longer than 10 bytes");
    }
    int64_t svarint(const std::string& field) {
        const uint64_t z = varint(field);
        return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    }
    // A varint in [lo, hi], else FormatError "expected lo..hi, got v".
    uint64_t varint_in(const std::string& field, uint64_t lo, uint64_t hi) {
        const uint64_t v = varint(field);
        if (v < lo || v > hi)
            fail(field, "expected " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(v));
        return v;
    }
    // A count of items that take at least `min_bytes` each: checked against the bytes that remain, so a
    // corrupt count fails here instead of in an allocation.
    uint64_t count(const std::string& field, size_t min_bytes) {
        const uint64_t n = varint(field);
        if (min_bytes > 0 && n > remaining() / min_bytes)
            fail(field, "claims " + std::to_string(n) + " entries of at least " + std::to_string(min_bytes) +
                            " byte(s) but only " + std::to_string(remaining()) + " bytes remain");
        return n;
    }
    std::string str(const std::string& field) {
        const uint64_t n = count(field + ".length", 1);
        const uint8_t* at = take(static_cast<size_t>(n), field);
        return std::string(reinterpret_cast<const char*>(at), static_cast<size_t>(n));
    }
    std::string str32(const std::string& field) {
        const uint32_t n = u32(field + " length");
        const uint8_t* at = take(n, field);
        return std::string(reinterpret_cast<const char*>(at), n);
    }
    // `n` f32 values into `out` (the caller has checked that n values fit in what remains).
    void f32s(float* out, size_t n, const std::string& field) {
        const uint8_t* at = take(4 * n, field);
        for (size_t i = 0; i < n; ++i) {
            const uint32_t b = uint32_t(at[4 * i]) | uint32_t(at[4 * i + 1]) << 8 | uint32_t(at[4 * i + 2]) << 16 |
                               uint32_t(at[4 * i + 3]) << 24;
            std::memcpy(&out[i], &b, 4);
        }
    }
    // Every byte of the section must have been read.
    void expect_end() const {
        if (remaining() != 0) {
            const std::string message = std::to_string(remaining()) + " unexpected byte(s) after the last field";
            if (!file_.empty()) throw FormatError(file_, context_, message);
            throw FormatError(context_, message);
        }
    }

private:
    uint64_t le(int n, const std::string& field) {
        const uint8_t* b = take(static_cast<size_t>(n), field);
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
        return v;
    }

    const uint8_t* p_;
    const uint8_t* end_;
    std::string context_;
    std::string file_;
};

}  // namespace memrec::detail
