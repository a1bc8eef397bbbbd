#include <algorithm>
#include <cstdlib>
#include <new>

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#endif

#include "memrec/param.h"

#include "memrec/kernels.h"

namespace memrec {

void* allocate_aligned(size_t bytes) {
    size_t align = kAlignBytes;
#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
    if (bytes >= kHugePageBytes) align = kHugePageBytes;
#endif
    bytes = (bytes + align - 1) / align * align;  // aligned_alloc wants a multiple of the alignment
    void* p = std::aligned_alloc(align, bytes);
    if (!p) throw std::bad_alloc();
#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
    // Before the first touch, so the pages fault in huge; a kernel without THP (or with it set to "never")
    // refuses, and the block stays in small pages.
    if (align == kHugePageBytes) (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

void free_aligned(void* p) noexcept { std::free(p); }

void ParamGrad::clear() {
    if (whole) {
        std::fill(data.begin(), data.end(), 0.0f);
        return;
    }
    for (int32_t r : touched) {
        if (allow_direct && direct[static_cast<size_t>(r)]) direct[static_cast<size_t>(r)] = nullptr;  // data row untouched
        else std::fill_n(data.data() + static_cast<int64_t>(r) * stride, stride, 0.0f);
        mark[static_cast<size_t>(r)] = 0;
    }
    touched.clear();
}

void ParamGrad::forget() {
    for (int32_t r : touched) {
        mark[static_cast<size_t>(r)] = 0;
        if (allow_direct) direct[static_cast<size_t>(r)] = nullptr;
    }
    touched.clear();
}

bool ParamGrad::add_row(int32_t r, const float* src) {
    if (allow_direct) {
        const float*& d = direct[static_cast<size_t>(r)];
        if (mark[static_cast<size_t>(r)] == 2 && !d) {
            d = src;
            return true;
        }
        if (d) {  // a second use the marking did not count: the first joins `data` after all
            kernels::axpy(1.0f, d, data.data() + static_cast<int64_t>(r) * stride, stride);
            d = nullptr;
        }
    }
    kernels::axpy(1.0f, src, row(r), stride);
    return false;
}

}  // namespace memrec
