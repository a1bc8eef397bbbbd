// f16, row-wise int8 and int4 conversions against hand-computed IEEE 754 values, and the property the model file
// relies on: quantising an already-quantised row gives back the same bytes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
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

// ---- int4 rows -------------------------------------------------------------------------------------------

namespace {

std::vector<float> int4_round_trip(const std::vector<float>& x, std::vector<uint8_t>* bytes = nullptr) {
    std::vector<uint8_t> row(int4_row_bytes(int(x.size())));
    REQUIRE(quantize_row_int4(x.data(), int(x.size()), row.data()));
    std::vector<float> back(x.size());
    dequantize_row_int4(row.data(), int(x.size()), back.data());
    if (bytes) *bytes = row;
    return back;
}

}  // namespace

TEST_CASE("int4 rows: codes, f16 scale and offset laid out as FBGEMM's fused rows", "[quantize][int4]") {
    // min 0, max 1.5: offset 0, scale 1.5 / 15 = 0.1 rounded to f16 (0x2e66 = 0.0999755859375).
    // x / s = 0, 15.004, 5.001, 10.002, 1.0002.
    const std::vector<float> x{0.0f, 1.5f, 0.5f, 1.0f, 0.1f};
    std::vector<uint8_t> bytes;
    const std::vector<float> back = int4_round_trip(x, &bytes);
    // Codes 0, 15 | 5, 10 | 1 and a zero padding nibble (odd width), then scale and offset little-endian.
    CHECK(bytes == std::vector<uint8_t>{0xf0, 0xa5, 0x01, 0x66, 0x2e, 0x00, 0x00});
    const float s = 0.0999755859375f;
    CHECK(back == std::vector<float>{0.0f, 15 * s, 5 * s, 10 * s, s});
}

TEST_CASE("int4 spans each row's min..max, an outlier included", "[quantize][int4]") {
    // 16 values spread over [0, 1] and one at 2: the step is 2/15 for all of them.
    std::vector<float> x;
    for (int i = 0; i < 16; ++i) x.push_back(float(i) / 15.0f);
    x.push_back(2.0f);
    const float offset = half_to_float(float_to_half(0.0f));
    const float scale = half_to_float(float_to_half(2.0f / 15.0f));
    std::vector<float> expected;
    for (float v : x) expected.push_back(std::fmin(15.0f, std::nearbyint((v - offset) / scale)) * scale + offset);
    CHECK(int4_round_trip(x) == expected);
    for (size_t i = 0; i < x.size(); ++i) CHECK(std::fabs(expected[i] - x[i]) <= 0.5f * scale + 1e-3f);
}

TEST_CASE("int4 rows re-quantise to the same bytes", "[quantize][int4]") {
    std::vector<std::vector<float>> rows{{0.05f, -0.031f, 0.0007f, 0.049f, -0.012f, 0.3f},
                                         {3e-6f, -1e-6f, 7e-7f, 0.0f},
                                         {0.25f, 0.25f, 0.25f},
                                         {-0.77f},
                                         {12.0f, 12.5f, 13.0f, -3.0f, 40.0f}};
    std::mt19937 gen(3);
    std::normal_distribution<float> normal(0.0f, 0.4f);
    for (int n : {9, 35, 64})
        for (int k = 0; k < 20; ++k) {
            std::vector<float> x(static_cast<size_t>(n));
            for (float& v : x) v = normal(gen);
            rows.push_back(x);
        }
    for (const auto& x : rows) {
        INFO("row of " << x.size() << " starting " << x[0]);
        std::vector<uint8_t> once, twice;
        const std::vector<float> back = int4_round_trip(x, &once);
        CHECK(int4_round_trip(back, &twice) == back);
        CHECK(once == twice);
    }
}

TEST_CASE("int4 refuses rows it cannot represent", "[quantize][int4]") {
    std::vector<uint8_t> row(int4_row_bytes(2));
    const float with_inf[] = {1.0f, std::numeric_limits<float>::infinity()};
    const float wide[] = {0.0f, 1.2e6f};  // a range of 1.2e6 needs a scale of 8e4, beyond the f16 range
    CHECK_FALSE(quantize_row_int4(with_inf, 2, row.data()));
    CHECK_FALSE(quantize_row_int4(wide, 2, row.data()));
}
