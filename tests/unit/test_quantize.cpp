// f16 and row-wise int8 conversions against hand-computed IEEE 754 values, and the property the model file
// relies on: quantising an already-quantised row gives back the same bytes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "memrec/quantize.h"

using namespace memrec;

TEST_CASE("float_to_half gives the IEEE 754 binary16 encodings", "[quantize][f16]") {
    CHECK(float_to_half(0.0f) == 0x0000);
    CHECK(float_to_half(-0.0f) == 0x8000);
    CHECK(float_to_half(1.0f) == 0x3c00);
    CHECK(float_to_half(-2.0f) == 0xc000);
    CHECK(float_to_half(0.5f) == 0x3800);
    CHECK(float_to_half(65504.0f) == 0x7bff);               // largest finite half
    CHECK(float_to_half(65519.0f) == 0x7bff);               // still rounds down
    CHECK(float_to_half(65520.0f) == 0x7c00);               // rounds to infinity
    CHECK(float_to_half(std::ldexp(1.0f, -14)) == 0x0400);  // smallest normal
    CHECK(float_to_half(std::ldexp(1.0f, -24)) == 0x0001);  // smallest subnormal
    CHECK(float_to_half(std::ldexp(1.0f, -25)) == 0x0000);  // a tie between 0 and 2^-24: to even (0)
    CHECK(float_to_half(std::ldexp(3.0f, -25)) == 0x0002);  // a tie between 1 and 2 units: to even (2)
    CHECK(float_to_half(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);       // tie: to even mantissa 0
    CHECK(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);   // tie: to even mantissa 2
    CHECK(float_to_half(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) == 0x3c01);  // above the tie
    CHECK(float_to_half(0.1f) == 0x2e66);
    CHECK(float_to_half(std::numeric_limits<float>::infinity()) == 0x7c00);
    CHECK(float_to_half(-std::numeric_limits<float>::infinity()) == 0xfc00);
    const uint16_t nan = float_to_half(std::numeric_limits<float>::quiet_NaN());
    CHECK((nan & 0x7c00) == 0x7c00);
    CHECK((nan & 0x03ff) != 0);
}

TEST_CASE("half_to_float inverts float_to_half on every half value", "[quantize][f16]") {
    CHECK(half_to_float(0x3c00) == 1.0f);
    CHECK(half_to_float(0x0001) == std::ldexp(1.0f, -24));
    CHECK(half_to_float(0x7bff) == 65504.0f);
    CHECK(std::isinf(half_to_float(0xfc00)));
    int checked = 0;
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = half_to_float(static_cast<uint16_t>(h));
        if (std::isnan(f)) {
            CHECK(std::isnan(half_to_float(float_to_half(f))));
            continue;
        }
        if (float_to_half(f) != h) FAIL_CHECK("half " << h << " -> " << f << " -> " << float_to_half(f));
        ++checked;
    }
    CHECK(checked == 0x10000 - 2 * 1023);  // every half but the NaNs
}

TEST_CASE("int8 rows: scale from the largest magnitude, values rounded to the nearest step", "[quantize][int8]") {
    // max |x| = 1.27: the scale is 1.27 / 127 rounded to f16 (0x211f = 0.01000213623046875).
    const std::vector<float> x{1.27f, -0.635f, 0.0f, 0.004f, -1.0f};
    std::vector<int8_t> q(x.size());
    uint16_t scale = 0;
    REQUIRE(quantize_row_int8(x.data(), int(x.size()), q.data(), &scale));
    CHECK(scale == 0x211f);
    const float s = half_to_float(scale);
    CHECK(s == 0.01000213623046875f);
    CHECK(q == std::vector<int8_t>{127, -63, 0, 0, -100});  // x / s = 126.97, -63.49, 0, 0.40, -99.98
    std::vector<float> back(x.size());
    dequantize_row_int8(q.data(), int(q.size()), scale, back.data());
    for (size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(back[i] - x[i]) <= 0.5f * s + 1e-6f);
}

TEST_CASE("int8 rows re-quantise to the same bytes", "[quantize][int8]") {
    // Ordinary rows, a row of tiny values (scale floored at 2^-14), a zero row and a one-value row.
    const std::vector<std::vector<float>> rows{
        {0.05f, -0.031f, 0.0007f, 0.049f, -0.012f, 0.3f},
        {3e-6f, -1e-6f, 7e-7f, 0.0f},
        {0.0f, 0.0f, 0.0f},
        {-0.77f},
        {1e-3f, 2e-3f, -7.7e-3f},
    };
    for (const auto& x : rows) {
        std::vector<int8_t> q(x.size()), q2(x.size());
        uint16_t s1 = 0, s2 = 0;
        REQUIRE(quantize_row_int8(x.data(), int(x.size()), q.data(), &s1));
        std::vector<float> back(x.size());
        dequantize_row_int8(q.data(), int(q.size()), s1, back.data());
        REQUIRE(quantize_row_int8(back.data(), int(back.size()), q2.data(), &s2));
        CHECK(s1 == s2);
        CHECK(q == q2);
        for (size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(back[i] - x[i]) <= 0.5f * half_to_float(s1) + 1e-9f);
    }
}

TEST_CASE("int8 refuses rows it cannot represent", "[quantize][int8]") {
    std::vector<int8_t> q(2);
    uint16_t s = 0;
    const float with_nan[] = {1.0f, std::numeric_limits<float>::quiet_NaN()};
    const float huge[] = {1e7f, 0.0f};  // 1e7 / 127 is beyond the f16 range
    CHECK_FALSE(quantize_row_int8(with_nan, 2, q.data(), &s));
    CHECK_FALSE(quantize_row_int8(huge, 2, q.data(), &s));
}
