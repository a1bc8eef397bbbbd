// libFuzzer target: parse_checkpoint on arbitrary bytes. Every input must either parse or be refused with a
// FormatError; anything else (another exception, a crash, a sanitizer report, a huge allocation) is a bug.
// The envelope of each input is fixed up first (the header's payload size and the trailing FNV-1a 64
// checksum) so that mutations, length-changing ones too, reach the field parsers instead of stopping at the
// envelope; a parsed checkpoint must re-serialise to bytes that parse and re-serialise identically.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "byte_io.h"
#include "memrec/checkpoint.h"
#include "memrec/error.h"

namespace {

// The layout of core/src/format/checkpoint.cpp: magic (8) | u32 version | u64 payload bytes, then the
// payload, then the u64 FNV-1a 64 of the payload.
constexpr size_t kHeaderBytes = 8 + 4 + 8;
constexpr size_t kChecksumBytes = 8;

void put_u64(std::string& bytes, size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes[at + size_t(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
}

memrec::Checkpoint parse(const std::string& bytes) {
    return memrec::parse_checkpoint(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    if (size >= kHeaderBytes + kChecksumBytes) {
        const size_t payload = size - kHeaderBytes - kChecksumBytes;
        put_u64(bytes, 12, payload);
        const auto* body = reinterpret_cast<const uint8_t*>(bytes.data()) + kHeaderBytes;
        put_u64(bytes, size - kChecksumBytes, memrec::detail::fnv1a64(body, payload));
    }
    memrec::Checkpoint ck;
    try {
        ck = parse(bytes);
    } catch (const memrec::FormatError&) {
        return 0;
    }
    const std::string once = memrec::serialize_checkpoint(ck);
    const memrec::Checkpoint again = parse(once);
    if (memrec::serialize_checkpoint(again) != once) std::abort();
    return 0;
}
