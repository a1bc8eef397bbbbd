#include <algorithm>

#include "memrec/param.h"

namespace memrec {

void ParamGrad::clear() {
    if (whole) {
        std::fill(data.begin(), data.end(), 0.0f);
        return;
    }
    for (int32_t r : touched) {
        std::fill_n(data.data() + static_cast<int64_t>(r) * stride, stride, 0.0f);
        mark[static_cast<size_t>(r)] = 0;
    }
    touched.clear();
}

}  // namespace memrec
