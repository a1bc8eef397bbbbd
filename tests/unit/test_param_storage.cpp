// Storage of params, moments and gradients (param.h): small blocks on 64-byte lines; blocks of 2 MB and
// more on 2 MB boundaries (where Linux can back them with transparent huge pages), zero-initialised by the
// vector like any other and writable to the last float; sizes that overflow throw std::bad_alloc.
#include <catch2/catch.hpp>

#include <cstdint>

#include "memrec/param.h"

using namespace memrec;

TEST_CASE("param storage: 64-byte lines, 2 MB boundaries for large blocks", "[param]") {
    AlignedVector<float> small(100, 1.0f);
    CHECK(reinterpret_cast<uintptr_t>(small.data()) % kAlignBytes == 0);
    // 162,541 x 64 floats: the user table of MovieLens-25M's shape.
    Param big("user.embedding", 162541, 64, Access::Rows, Init::Zero, Role::Embedding);
    REQUIRE(big.data.size() == size_t(162541) * 64);
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
    CHECK(reinterpret_cast<uintptr_t>(big.data.data()) % kHugePageBytes == 0);
#else
    CHECK(reinterpret_cast<uintptr_t>(big.data.data()) % kAlignBytes == 0);
#endif
    bool zero = true;
    for (float x : big.data) zero = zero && x == 0.0f;
    CHECK(zero);
    big.row(162540)[63] = 3.0f;  // the last float is the caller's
    CHECK(big.data.back() == 3.0f);
    // Just below and at the threshold, and an odd size above it.
    for (size_t bytes : {kHugePageBytes - 64, kHugePageBytes, kHugePageBytes * 3 + 4}) {
        AlignedVector<float> v(bytes / sizeof(float), 2.0f);
        const uintptr_t at = reinterpret_cast<uintptr_t>(v.data());
        CHECK(at % kAlignBytes == 0);
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
        if (bytes >= kHugePageBytes) CHECK(at % kHugePageBytes == 0);
#endif
        CHECK(v.back() == 2.0f);
    }
    AlignedAllocator<float> alloc;
    CHECK(alloc.allocate(0) == nullptr);
    CHECK_THROWS_AS(alloc.allocate(size_t(-1) / 2), std::bad_alloc);
}
