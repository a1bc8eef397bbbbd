// order_ids (memrec/model_file.h): a full table's rows renumbered in ascending id order.
#include <algorithm>
#include <numeric>

#include "memrec/embedding.h"
#include "memrec/model_file.h"
#include "memrec/pq.h"

namespace memrec {

namespace {

bool decimal(const std::string& s) {
    return !s.empty() && s.size() <= 18 && (s.size() == 1 || s[0] != '0') &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// order[new index] = old index, ids ascending.
std::vector<int32_t> ascending(const Vocabulary& v) {
    const auto& ids = v.ids();
    std::vector<int32_t> order(ids.size());
    std::iota(order.begin(), order.end(), 0);
    if (std::all_of(ids.begin(), ids.end(), decimal)) {
        // Equal-length decimal strings without leading zeros sort as their numbers; shorter ones first.
        std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
            const std::string &x = ids[size_t(a)], &y = ids[size_t(b)];
            return x.size() != y.size() ? x.size() < y.size() : x < y;
        });
    } else {
        std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return ids[size_t(a)] < ids[size_t(b)]; });
    }
    return order;
}

template <typename T>
std::vector<T> permuted(const std::vector<T>& v, const std::vector<int32_t>& order) {
    std::vector<T> out;
    out.reserve(v.size());
    for (int32_t old : order) out.push_back(v[size_t(old)]);
    return out;
}

void permute_rows(Param& p, const std::vector<int32_t>& order) {
    AlignedVector<float> data(p.data.size(), 0.0f);
    for (size_t i = 0; i < order.size(); ++i)
        std::copy_n(p.row(order[i]), size_t(p.stride), data.data() + i * size_t(p.stride));
    p.data = std::move(data);
}

std::shared_ptr<const ProductCodes> permute_codes(const ProductCodes& c, const std::vector<int32_t>& order) {
    auto out = std::make_shared<ProductCodes>(c);
    const size_t m = size_t(c.subspaces);
    for (size_t i = 0; i < order.size(); ++i)
        std::copy_n(c.codes.data() + size_t(order[i]) * m, m, out->codes.data() + i * m);
    return out;
}

// Reorders one side; false when its table is not full, it has no rows, or it is already in order.
bool order_side(ModelFile& f, Side side) {
    Model& m = *f.model;
    const EmbeddingTable& table = side == Side::User ? m.user_table() : m.item_table();
    Vocabulary& vocab = side == Side::User ? f.users : f.items;
    if (table.kind() != TableKind::Full || vocab.size() == 0 || table.rows() != vocab.size()) return false;
    const std::vector<int32_t> order = ascending(vocab);
    bool moved = false;
    for (size_t i = 0; i < order.size(); ++i) moved |= order[i] != int32_t(i);
    if (!moved) return false;
    const auto params = m.params();
    for (size_t i : m.side_params(side)) {
        Param& p = *params[i];
        if (p.rows != vocab.size()) continue;  // the global bias (one row) sits on the user side
        permute_rows(p, order);
        if (const ProductCodes* c = m.product_codes(i)) m.set_product_codes(i, permute_codes(*c, order));
    }
    Vocabulary sorted;
    sorted.reserve(order.size());
    for (int32_t old : order) sorted.add(vocab.id(old));
    vocab = std::move(sorted);
    if (side == Side::Item) {
        if (f.titles.size() == order.size()) f.titles = permuted(f.titles, order);
        if (f.item_counts.size() == order.size()) f.item_counts = permuted(f.item_counts, order);
    }
    return true;
}

}  // namespace

bool order_ids(ModelFile& file) {
    if (!file.model) return false;
    const bool users = order_side(file, Side::User);
    const bool items = order_side(file, Side::Item);
    return users || items;
}

}  // namespace memrec
