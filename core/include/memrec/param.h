// Param: one trainable matrix (an embedding table, a projection, a bias vector), row-major with every row
// padded to a multiple of kRowFloats floats and 64-byte aligned, so SIMD kernels run whole vectors with no
// tail loop and never split a cache line. Padding lanes are kept at zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace memrec {

constexpr int kRowFloats = 16;  // 64 bytes: one AVX-512 vector, two AVX2, four simd128
constexpr size_t kAlignBytes = 64;

inline int padded_cols(int cols) { return (cols + kRowFloats - 1) / kRowFloats * kRowFloats; }

// Storage of params, optimiser moments and gradient buffers. Blocks of at least kHugePageBytes are
// aligned to 2 MB and advised as transparent huge pages (Linux madvise(MADV_HUGEPAGE); nothing elsewhere, and
// nothing when the kernel declines): at MovieLens-25M's shape the tables and Adam's moments are hundreds of
// MB visited in random order, where 4 KB pages cost a TLB miss on nearly every row. Smaller blocks are
// 64-byte aligned as before. Throws std::bad_alloc.
void* allocate_aligned(size_t bytes);
void free_aligned(void* p) noexcept;
constexpr size_t kHugePageBytes = size_t(2) << 20;

template <class T>
struct AlignedAllocator {
    using value_type = T;
    AlignedAllocator() = default;
    template <class U>
    AlignedAllocator(const AlignedAllocator<U>&) noexcept {}
    T* allocate(size_t n) {
        if (n == 0) return nullptr;
        if (n > size_t(-1) / sizeof(T)) throw std::bad_alloc();
        return static_cast<T*>(allocate_aligned(n * sizeof(T)));
    }
    void deallocate(T* p, size_t) noexcept { free_aligned(p); }
    template <class U>
    bool operator==(const AlignedAllocator<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const AlignedAllocator<U>&) const noexcept { return false; }
};

template <class T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

// Whether a parameter is read row by row through ids (embedding rows: sparse gradients) or used whole
// (projection matrices and their biases: every row gets a gradient every step).
enum class Access { Rows, Whole };

// How a parameter starts, following Keras: Embedding rows uniform(-0.05, 0.05), Dense kernels
// Glorot-uniform, biases zero.
enum class Init { Uniform, Glorot, Zero };

// What a parameter is in the model, so the optimiser and the model find it without reading its name or
// its position in params(): embedding rows (of a full, QR, hashed or MD block table), a mixed-dimension
// block's projection or projection bias, a per-user / per-item bias, or the global bias.
enum class Role { Embedding, Projection, ProjectionBias, Bias, GlobalBias };

// Which side of the model owns a parameter: the user side holds the user table, the user biases and the
// global bias (its thread updates them), the item side the item table and the item biases.
enum class Side { User, Item };

// One parameter as a table kind (or the model, for its biases) lays it out, before any storage exists:
// each kind's static param_specs() is the one description of its shapes, used by its constructor, the
// model-file loader and budget counting.
struct ParamSpec {
    std::string name;  // e.g. "item.block1.projection"
    int64_t rows = 0;
    int cols = 0;
    Access access = Access::Rows;
    Init init = Init::Uniform;
    Role role = Role::Embedding;
    Side side = Side::User;
    int block = 0;  // the mixed-dimension block a parameter belongs to; 0 for other kinds

    int64_t count() const { return rows * static_cast<int64_t>(cols); }
};

inline int64_t parameter_count(const std::vector<ParamSpec>& specs) {
    int64_t n = 0;
    for (const ParamSpec& s : specs) n += s.count();
    return n;
}

struct Param {
    std::string name;  // e.g. "user.full", "item.block1.projection": for people and files, never for logic
    int64_t rows = 0;
    int cols = 0;
    int stride = 0;    // floats between row starts (cols padded to kRowFloats)
    Access access = Access::Rows;
    Init init = Init::Uniform;
    Role role = Role::Embedding;
    Side side = Side::User;  // set by the Model that holds the table (tables do not know their side)
    AlignedVector<float> data;  // rows * stride

    Param() = default;
    Param(std::string n, int64_t r, int c, Access a, Init i, Role ro, Side si = Side::User)
        : name(std::move(n)), rows(r), cols(c), stride(padded_cols(c)), access(a), init(i), role(ro), side(si),
          data(static_cast<size_t>(r) * static_cast<size_t>(padded_cols(c)), 0.0f) {}
    explicit Param(const ParamSpec& s) : Param(s.name, s.rows, s.cols, s.access, s.init, s.role, s.side) {}

    float* row(int64_t r) { return data.data() + r * stride; }
    const float* row(int64_t r) const { return data.data() + r * stride; }
    int64_t count() const { return rows * static_cast<int64_t>(cols); }
};

// Gradient of one Param for the current batch: a padded buffer of the same shape plus the list of rows
// that received anything, so lazy optimisers visit only those and clearing costs O(touched rows).
struct ParamGrad {
    AlignedVector<float> data;
    std::vector<int32_t> touched;  // rows with a non-zero gradient this batch, in first-touch order
    std::vector<uint8_t> mark;     // mark[r] != 0 iff r is in `touched`
    int stride = 0;
    bool whole = false;  // Access::Whole: every row counts as touched, touched/mark are unused
    // Opt-in for consumers that read `direct` (the trainer's Adam, see Adam::takes_direct_rows): a row that
    // mark_once() saw once in the batch keeps its gradient where the backward pass computed it, and
    // direct[r] points there (valid until the step); its `data` row stays zero. Saves adding the row into
    // `data`, reading it back and zeroing it.
    bool allow_direct = false;
    std::vector<const float*> direct;  // sized rows when allow_direct
    // When sized (rows): the per-row update counts that lazy Adam and the row rules keep (AdamState::steps)
    // go here instead, counted by this gradient's thread alone. The block schedule's threads each count
    // their own and add them into AdamState::steps after the epoch: rows of different threads share cache
    // lines of one count array. (Its increment held a sixth of a 2-thread lazy-Adam epoch's samples; apart,
    // the lazy baseline on 2 threads ran 1.07x faster, the median of 16 alternated pairs.)
    std::vector<int32_t> counts;

    void resize(const Param& p) {
        stride = p.stride;
        whole = p.access == Access::Whole;
        data.assign(static_cast<size_t>(p.rows) * static_cast<size_t>(stride), 0.0f);
        mark.assign(static_cast<size_t>(p.rows), 0);
        touched.clear();
        direct.assign(allow_direct ? static_cast<size_t>(p.rows) : 0, nullptr);
    }
    // Row r of the gradient, marking it touched.
    float* row(int32_t r) {
        if (!mark[static_cast<size_t>(r)]) {
            mark[static_cast<size_t>(r)] = 1;
            touched.push_back(r);
        }
        return data.data() + static_cast<int64_t>(r) * stride;
    }
    // Marks row r touched and counts its uses in the batch: mark 2 after the first, 3 after more (a row
    // reached through row() first stays 1). Only a row with mark 2 at backward time may be direct.
    void mark_once(int32_t r) {
        uint8_t& k = mark[static_cast<size_t>(r)];
        if (!k) {
            k = 2;
            touched.push_back(r);
        } else if (k == 2) {
            k = 3;
        }
    }
    // The backward pass's gradient of a row used once: `src` (stride floats) becomes row r's gradient
    // without copying when allowed, else it is added into the row. Returns true if kept direct.
    bool add_row(int32_t r, const float* src);
    // The gradient of touched row r: its direct source if it has one, else its `data` row.
    const float* gradient_row(int32_t r) const {
        if (allow_direct && direct[static_cast<size_t>(r)]) return direct[static_cast<size_t>(r)];
        return data.data() + static_cast<int64_t>(r) * stride;
    }
    const float* row_if_touched(int32_t r) const {
        return mark[static_cast<size_t>(r)] ? data.data() + static_cast<int64_t>(r) * stride : nullptr;
    }
    // Zeroes the touched rows and forgets them.
    void clear();
    // Forgets the touched rows (marks, list, direct sources) without zeroing them: for a consumer that
    // zeroed each row as it stepped it (Adam::update_rows, Adam::add_to_round, the round sums).
    void forget();
};

}  // namespace memrec
