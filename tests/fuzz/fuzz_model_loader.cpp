// libFuzzer target: parse_model on arbitrary bytes. Every input must either load or be refused with a
// FormatError; anything else (another exception, a crash, a sanitizer report, a huge allocation) is a bug.
// The checksum of each input is fixed up first so that mutations reach the section parsers instead of
// stopping at the CRC; a loaded model must re-serialise to bytes that load and re-serialise identically.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "byte_io.h"
#include "memrec/error.h"
#include "memrec/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    if (size >= 8) {
        const uint32_t crc = memrec::detail::crc32(data, size - 4);
        for (int i = 0; i < 4; ++i) bytes[size - 4 + size_t(i)] = static_cast<char>((crc >> (8 * i)) & 0xff);
    }
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    memrec::ModelFile f;
    try {
        f = memrec::parse_model(p, bytes.size());
    } catch (const memrec::FormatError&) {
        return 0;
    }
    // A fold-in model (implicit, BPR) has no user rows: there is no user to predict for.
    if (f.model->users() > 0 && f.model->items() > 0) {
        (void)f.model->predict(0, 0);
        (void)f.model->predict(static_cast<int32_t>(f.model->users() - 1), static_cast<int32_t>(f.model->items() - 1));
    }
    const std::string once = memrec::serialize_model(f, memrec::Storage::F32, true);
    const memrec::ModelFile g =
        memrec::parse_model(reinterpret_cast<const uint8_t*>(once.data()), once.size());
    if (memrec::serialize_model(g, memrec::Storage::F32, true) != once) std::abort();
    return 0;
}
