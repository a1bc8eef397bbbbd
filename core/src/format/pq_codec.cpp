// A product-quantised parameter in the tables section (parameter storage 5, format version 5): its header,
// its codebooks (f16, or int8 with one f16 scale per subspace) and its codes packed B bits each.
#include <algorithm>
#include <cmath>

#include "memrec/quantize.h"
#include "model_sections.h"

namespace memrec::detail {

namespace {

size_t code_bytes(uint64_t rows, int subspaces, int bits) {
    return static_cast<size_t>((rows * uint64_t(subspaces) * uint64_t(bits) + 7) / 8);
}

}  // namespace

void write_pq(ByteWriter& w, const ProductCodes& pq) {
    w.u8(static_cast<uint8_t>(pq.subspaces));
    w.u8(static_cast<uint8_t>(pq.bits));
    w.varint(static_cast<uint64_t>(pq.centroids));
    w.u8(static_cast<uint8_t>(pq.codebook));
    const size_t per_subspace = size_t(pq.centroids) * size_t(pq.sub_dim());
    for (int m = 0; m < pq.subspaces; ++m) {
        const float* v = pq.centroid(m, 0);
        if (pq.codebook == PqCodebook::F16) {
            for (size_t i = 0; i < per_subspace; ++i) w.u16(float_to_half(v[i]));
            continue;
        }
        float max_abs = 0.0f;
        for (size_t i = 0; i < per_subspace; ++i) max_abs = std::fmax(max_abs, std::fabs(v[i]));
        uint16_t scale = 0;
        if (!int8_scale(max_abs, &scale)) throw Error("pq codebook: values beyond the f16 range");
        w.u16(scale);
        const float s = half_to_float(scale);
        for (size_t i = 0; i < per_subspace; ++i) w.u8(static_cast<uint8_t>(quantize_int8(v[i], s)));
    }
    // Codes row after row, subspace after subspace, B bits each, least significant bit first.
    std::vector<uint8_t> packed(code_bytes(uint64_t(pq.rows), pq.subspaces, pq.bits), 0);
    uint64_t bit = 0;
    for (uint8_t c : pq.codes)
        for (int b = 0; b < pq.bits; ++b, ++bit)
            if ((c >> b) & 1u) packed[size_t(bit / 8)] |= static_cast<uint8_t>(1u << (bit % 8));
    w.bytes(packed.data(), packed.size());
}

std::shared_ptr<const ProductCodes> read_pq(ByteReader& r, const std::string& name, uint64_t rows, int cols) {
    auto pq = std::make_shared<ProductCodes>();
    pq->rows = static_cast<int64_t>(rows);
    pq->cols = cols;
    const uint8_t m = r.u8(name + ".subspaces");
    if (m == 0 || cols % m != 0)
        r.fail(name + ".subspaces", "expected a divisor of the " + std::to_string(cols) + " columns, got " +
                                        std::to_string(m));
    pq->subspaces = m;
    const uint8_t bits = r.u8(name + ".bits");
    if (bits < kPqMinBits || bits > kPqMaxBits)
        r.fail(name + ".bits", "expected a code width of " + std::to_string(kPqMinBits) + ".." +
                                   std::to_string(kPqMaxBits) + ", got " + std::to_string(bits));
    pq->bits = bits;
    const uint64_t k = r.varint(name + ".centroids");
    if (k == 0 || k > (uint64_t(1) << bits) || k > rows)
        r.fail(name + ".centroids", "expected 1.." + std::to_string(std::min<uint64_t>(uint64_t(1) << bits, rows)) +
                                        " (2^bits, at most the rows), got " + std::to_string(k));
    pq->centroids = static_cast<int>(k);
    const uint8_t book = r.u8(name + ".codebook");
    if (book > 1) r.fail(name + ".codebook", "expected 0 (f16) or 1 (int8, a scale per subspace), got " + std::to_string(book));
    pq->codebook = static_cast<PqCodebook>(book);
    const size_t per_subspace = size_t(k) * size_t(cols / m);
    const size_t book_bytes = size_t(m) * (book == 0 ? 2 * per_subspace : 2 + per_subspace);
    const size_t codes = code_bytes(rows, m, bits);
    if (book_bytes + codes > r.remaining())
        r.fail(name + ".data", "needs " + std::to_string(book_bytes) + " bytes of codebooks and " +
                                   std::to_string(codes) + " of codes, only " + std::to_string(r.remaining()) +
                                   " remain");
    pq->codebooks.resize(size_t(m) * per_subspace);
    for (int s = 0; s < m; ++s) {
        float* v = pq->codebooks.data() + size_t(s) * per_subspace;
        const std::string field = name + ".codebook[" + std::to_string(s) + "]";
        if (book == 0) {
            for (size_t i = 0; i < per_subspace; ++i) {
                v[i] = half_to_float(r.u16(field));
                if (!std::isfinite(v[i])) r.fail(field, "expected finite f16 values, got " + std::to_string(v[i]));
            }
            continue;
        }
        const float scale = half_to_float(r.u16(field + ".scale"));
        if (!std::isfinite(scale) || scale < 0.0f)
            r.fail(field + ".scale", "expected a finite f16 >= 0, got " + std::to_string(scale));
        const uint8_t* q = r.take(per_subspace, field);
        for (size_t i = 0; i < per_subspace; ++i) v[i] = float(static_cast<int8_t>(q[i])) * scale;
    }
    const uint8_t* packed = r.take(codes, name + ".codes");
    pq->codes.resize(size_t(rows) * size_t(m));
    uint64_t bit = 0;
    for (size_t t = 0; t < pq->codes.size(); ++t) {
        unsigned c = 0;
        for (int b = 0; b < bits; ++b, ++bit) c |= unsigned((packed[size_t(bit / 8)] >> (bit % 8)) & 1u) << b;
        if (c >= k)
            r.fail(name + ".codes[row " + std::to_string(t / m) + ", subspace " + std::to_string(t % m) + "]",
                   "expected a centroid index below " + std::to_string(k) + ", got " + std::to_string(c));
        pq->codes[t] = static_cast<uint8_t>(c);
    }
    if (bit % 8 != 0 && (packed[codes - 1] >> (bit % 8)) != 0)
        r.fail(name + ".codes", "expected zero bits after the last code");
    return pq;
}

}  // namespace memrec::detail
