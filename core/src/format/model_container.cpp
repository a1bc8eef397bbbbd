// The model file's container: header (magic, version, section count, storage), section table, checksum.
#include <cstdio>
#include <cstring>

#include "memrec/enum_codes.h"
#include "model_sections.h"
#include "settings_codec.h"

namespace memrec::detail {

namespace {

constexpr char kMagic[4] = {'M', 'R', 'E', 'C'};
constexpr size_t kHeaderBytes = 16;
constexpr size_t kEntryBytes = 20;
constexpr size_t kChecksumBytes = 4;
constexpr uint32_t kMaxSections = 64;

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

}  // namespace

const char* section_name(uint32_t id) {
    switch (id) {
        case kConfig: return "config";
        case kUsers: return "users";
        case kItems: return "items";
        case kPopularity: return "popularity";
        case kOrder: return "order";
        case kTitles: return "titles";
        case kTables: return "tables";
        case kTraining: return "training";
        case kHistory: return "history";
        case kProvenance: return "provenance";
        case kParent: return "parent";
        case kReading: return "reading";
    }
    return "unknown";
}

// Magic, version, header and section table, checked against the file size; then the checksum.
std::vector<Section> read_structure(const uint8_t* data, size_t size, Storage* storage, uint32_t* version_out) {
    ByteReader h(data, size, "");
    const uint8_t* magic = h.take(4, "magic");
    if (std::memcmp(magic, kMagic, 4) != 0) {
        std::string got;
        for (int i = 0; i < 4; ++i) got += (magic[i] >= 0x20 && magic[i] < 0x7f) ? char(magic[i]) : '?';
        throw FormatError("magic", "expected \"MREC\", got \"" + got + "\" (not a memrec model file)");
    }
    const uint32_t version = h.u32("version");
    if (version == 0 || version > kModelFormatVersion)
        throw FormatError("version", "expected 1.." + std::to_string(kModelFormatVersion) + ", got " +
                                         std::to_string(version) +
                                         (version > kModelFormatVersion ? " (written by a newer memrec)" : ""));
    const uint32_t n = h.u32("section count");
    if (n == 0 || n > kMaxSections)
        throw FormatError("section count", "expected 1.." + std::to_string(kMaxSections) + ", got " + std::to_string(n));
    const Storage s = read_code(h, kStorages, "storage");
    if (format_version_for(s) > 3 && version < format_version_for(s))  // int4 and pq came later
        throw FormatError("storage", "got " + std::to_string(enum_entry(kStorages, s).code) + " (" + to_string(s) +
                                         "), which needs format version " + std::to_string(format_version_for(s)) +
                                         "; the file is version " + std::to_string(version));
    if (storage) *storage = s;
    if (version_out) *version_out = version;
    const uint8_t* reserved = h.take(3, "reserved");
    if (reserved[0] || reserved[1] || reserved[2]) throw FormatError("reserved", "expected zero bytes");

    const size_t table_end = kHeaderBytes + kEntryBytes * n;
    if (size < table_end + kChecksumBytes)
        throw FormatError("section table", "needs " + std::to_string(table_end + kChecksumBytes) +
                                               " bytes with the checksum, the file has " + std::to_string(size) +
                                               " (truncated)");
    const uint64_t sections_end = size - kChecksumBytes;
    std::vector<Section> out;
    uint64_t expected = table_end;
    for (uint32_t i = 0; i < n; ++i) {
        const std::string field = "section table[" + std::to_string(i) + "]";
        Section sec{h.u32(field + ".id"), h.u64(field + ".offset"), h.u64(field + ".size")};
        const std::string name = field + " (" + section_name(sec.id) + ")";
        for (const auto& prev : out)
            if (prev.id == sec.id && sec.id <= kLastKnown)
                throw FormatError(name + ".id", "section " + std::to_string(sec.id) + " appears twice");
        if (sec.offset != expected)
            throw FormatError(name + ".offset",
                              "expected " + std::to_string(expected) +
                                  (i == 0 ? " (right after the section table)" : " (where the previous section ends)") +
                                  ", got " + std::to_string(sec.offset) +
                                  (sec.offset < expected ? ": sections overlap" : ""));
        if (sec.size > sections_end - sec.offset)
            throw FormatError(name + ".size", "section of " + std::to_string(sec.size) + " bytes at offset " +
                                                  std::to_string(sec.offset) + " runs past the end of the sections (" +
                                                  std::to_string(sections_end) + "): truncated or corrupt");
        expected = sec.offset + sec.size;
        out.push_back(sec);
    }
    if (expected != sections_end)
        throw FormatError("section table", "sections end at " + std::to_string(expected) + ", expected " +
                                               std::to_string(sections_end) + " (where the checksum starts)");
    ByteReader tail(data + sections_end, kChecksumBytes, "");
    const uint32_t stored = tail.u32("checksum");
    const uint32_t computed = crc32(data, static_cast<size_t>(sections_end));
    if (stored != computed)
        throw FormatError("checksum", "expected " + hex32(computed) + " (CRC-32 of the content), got " +
                                          hex32(stored) + ": the file is corrupt");
    return out;
}

std::string write_container(std::vector<std::pair<uint32_t, ByteWriter>>& sections, Storage storage,
                            uint32_t version) {
    ByteWriter out;
    out.bytes(kMagic, 4);
    out.u32(version);
    out.u32(static_cast<uint32_t>(sections.size()));
    out.u8(enum_entry(kStorages, storage).code);
    out.u8(0);
    out.u8(0);
    out.u8(0);
    uint64_t offset = kHeaderBytes + kEntryBytes * sections.size();
    for (auto& [id, w] : sections) {
        out.u32(id);
        out.u64(offset);
        out.u64(w.size());
        offset += w.size();
    }
    for (auto& s : sections) out.bytes(s.second.data().data(), s.second.size());
    out.u32(crc32(reinterpret_cast<const uint8_t*>(out.data().data()), out.size()));
    return std::move(out.data());
}

}  // namespace memrec::detail
