// Helpers for tests that read or damage model files byte by byte, from the layout documented in
// core/src/format/model_file.cpp: parse from a string, varints, the tables section's parameters, the
// checksum, a one-byte patch that keeps the checksum valid (so the damage reaches the section parsers),
// and the check that a damaged file is refused naming the field.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "memrec/error.h"
#include "memrec/model_file.h"

namespace memrec_test {

inline memrec::ModelFile parse(const std::string& bytes) {
    return memrec::parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

inline uint64_t read_varint(const std::string& s, size_t* at) {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
        const uint8_t b = uint8_t(s[(*at)++]);
        v |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
}

// One parameter of the tables section (id 7).
struct StoredParam {
    std::string name;
    uint64_t rows = 0, cols = 0;
    uint8_t storage = 0;  // 0 f32, 1 f16, 2 int8 rows, 3 int8 columns, 4 int4 rows, 5 product codes
    size_t data = 0;      // file offset of the values (after int4's width byte; pq: of the subspaces byte)
    size_t codes = 0;     // pq: file offset of the packed codes
};

// Walks the tables section parameter by parameter; checks that the walk ends where the section does.
inline std::vector<StoredParam> walk_tables(const std::string& file) {
    size_t at = 0, end = 0;
    for (const auto& s : memrec::model_sections(reinterpret_cast<const uint8_t*>(file.data()), file.size()))
        if (s.id == 7) at = size_t(s.offset), end = size_t(s.offset + s.size);
    std::vector<StoredParam> out;
    for (uint64_t n = read_varint(file, &at); n > 0; --n) {
        StoredParam p;
        const uint64_t len = read_varint(file, &at);
        p.name = file.substr(at, len);
        at += len;
        p.rows = read_varint(file, &at);
        p.cols = read_varint(file, &at);
        p.storage = uint8_t(file[at++]);
        if (p.storage == 4) CHECK(uint8_t(file[at++]) == 4);  // the code width
        p.data = at;
        const uint64_t values = p.rows * p.cols;
        switch (p.storage) {
            case 0: at += 4 * values; break;
            case 1: at += 2 * values; break;
            case 2: at += 2 * p.rows + values; break;
            case 3: at += 2 * p.cols + values; break;
            case 4: at += p.rows * ((p.cols + 1) / 2 + 4); break;
            case 5: {
                const uint64_t m = uint8_t(file[at++]), bits = uint8_t(file[at++]);
                const uint64_t k = read_varint(file, &at);
                const uint8_t book = uint8_t(file[at++]);
                at += m * (book == 0 ? 2 * k * (p.cols / m) : 2 + k * (p.cols / m));
                p.codes = at;
                at += (p.rows * m * bits + 7) / 8;
                break;
            }
            default: FAIL("unknown parameter storage " << int(p.storage) << " for " << p.name);
        }
        out.push_back(p);
    }
    CHECK(at == end);
    return out;
}

// CRC-32 (IEEE) of the first n bytes, bit by bit: an independent check of the file's trailer.
inline uint32_t reference_crc32(const std::string& s, size_t n) {
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; ++i) {
        crc ^= uint8_t(s[i]);
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// The file with one byte changed and its checksum recomputed.
inline std::string patched(std::string file, size_t at, uint8_t value) {
    file[at] = char(value);
    const uint32_t crc = reference_crc32(file, file.size() - 4);
    for (int i = 0; i < 4; ++i) file[file.size() - 4 + size_t(i)] = char((crc >> (8 * i)) & 0xff);
    return file;
}

// The file is refused with a FormatError naming `field` (a field ending in '[' names an indexed field: the
// error's field starts with it) and a message containing `words`.
inline void check_rejected(const std::string& bytes, const std::string& field, const std::string& words) {
    try {
        parse(bytes);
        FAIL("accepted; expected an error at " << field);
    } catch (const memrec::FormatError& e) {
        if (!field.empty() && field.back() == '[')
            CHECK_THAT(e.field(), Catch::StartsWith(field));
        else
            CHECK(e.field() == field);
        CHECK_THAT(e.what(), Catch::Contains(words));
    }
}

}  // namespace memrec_test
