#include <algorithm>
#include <numeric>

#if !defined(__EMSCRIPTEN__)
#include <Eigen/Core>
#endif

#include "memrec/error.h"
#include "memrec/pq.h"
#include "memrec/recommend.h"

namespace memrec {

std::vector<float> score_items(const Model& model, const float* user_vec, int32_t user,
                               const AlignedVector<float>& item_vectors) {
    const int s = model.item_table().stride();
    if (item_vectors.size() != static_cast<size_t>(model.items()) * static_cast<size_t>(s))
        throw Error("score_items: item_vectors does not match the model (use Model::item_vectors())");
    std::vector<float> out(static_cast<size_t>(model.items()));
    if (const ProductCodes* pq = model.item_codes()) {
        // A pq file's model scores from its codes: per-subspace lookup tables, M table reads per item.
        pq->dots(user_vec, out.data());
        for (int64_t i = 0; i < model.items(); ++i)
            out[size_t(i)] = model.output(model.logit_from_dot(out[size_t(i)], user, static_cast<int32_t>(i)));
        return out;
    }
#if defined(__EMSCRIPTEN__)
    // Eigen has no wasm SIMD back-end: its GEMV would run scalar in the browser, while a simd128 dot per
    // row runs four lanes. logit() reads stride() floats of both vectors; the user vector may be dim() wide.
    AlignedVector<float> u(static_cast<size_t>(s), 0.0f);
    std::copy(user_vec, user_vec + model.dim(), u.begin());
    for (int64_t i = 0; i < model.items(); ++i)
        out[size_t(i)] = model.output(model.logit(u.data(), item_vectors.data() + i * s, user, static_cast<int32_t>(i)));
#else
    // Natively one GEMV over the item matrix's first dim() columns: Eigen's AVX kernel outruns a dot per
    // row (bench/bench_kernels.cpp, README's kernel table).
    using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const Matrix, Eigen::Aligned64, Eigen::OuterStride<>> items(
        item_vectors.data(), model.items(), model.dim(), Eigen::OuterStride<>(s));
    Eigen::Map<Eigen::VectorXf> dots(out.data(), model.items());
    dots.noalias() = items * Eigen::Map<const Eigen::VectorXf>(user_vec, model.dim());
    for (int64_t i = 0; i < model.items(); ++i)
        out[size_t(i)] = model.output(model.logit_from_dot(out[size_t(i)], user, static_cast<int32_t>(i)));
#endif
    return out;
}

std::vector<ScoredItem> top_k(const std::vector<float>& scores, int k, const std::vector<int32_t>& exclude) {
    std::vector<uint8_t> skip(scores.size(), 0);
    for (int32_t e : exclude)
        if (e >= 0 && static_cast<size_t>(e) < scores.size()) skip[size_t(e)] = 1;
    std::vector<int32_t> idx;
    idx.reserve(scores.size());
    for (size_t i = 0; i < scores.size(); ++i)
        if (!skip[i]) idx.push_back(static_cast<int32_t>(i));
    const size_t n = std::min(idx.size(), static_cast<size_t>(std::max(0, k)));
    auto better = [&](int32_t a, int32_t b) {
        return scores[size_t(a)] > scores[size_t(b)] || (scores[size_t(a)] == scores[size_t(b)] && a < b);
    };
    std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n), idx.end(), better);
    std::vector<ScoredItem> out;
    for (size_t i = 0; i < n; ++i) out.push_back({idx[i], scores[size_t(idx[i])]});
    return out;
}

std::vector<ScoredItem> recommend_for_user(const Model& model, int32_t user, int k,
                                           const std::vector<int32_t>& exclude) {
    if (user < 0 || user >= model.users()) throw Error("recommend_for_user: user index out of range");
    const auto u = model.user_vector(user);
    return top_k(score_items(model, u.data(), user, model.item_vectors()), k, exclude);
}

std::vector<ScoredItem> most_popular(const std::vector<int64_t>& item_counts, int k,
                                     const std::vector<int32_t>& exclude) {
    std::vector<uint8_t> skip(item_counts.size(), 0);
    for (int32_t e : exclude)
        if (e >= 0 && static_cast<size_t>(e) < item_counts.size()) skip[size_t(e)] = 1;
    std::vector<int32_t> idx;
    for (size_t i = 0; i < item_counts.size(); ++i)
        if (!skip[i]) idx.push_back(static_cast<int32_t>(i));
    const size_t n = std::min(idx.size(), static_cast<size_t>(std::max(0, k)));
    // Counts compared as integers (a float score would tie counts above 2^24).
    std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n), idx.end(), [&](int32_t a, int32_t b) {
        return item_counts[size_t(a)] > item_counts[size_t(b)] || (item_counts[size_t(a)] == item_counts[size_t(b)] && a < b);
    });
    std::vector<ScoredItem> out;
    for (size_t i = 0; i < n; ++i) out.push_back({idx[i], static_cast<float>(item_counts[size_t(idx[i])])});
    return out;
}

std::vector<float> mean_predictions(const Model& model, const std::vector<int32_t>& items) {
    const int64_t users = model.users();
    if (users == 0)  // no user to average over: the file of a fold-in model holds items only
        throw ConfigError("this model stores the item side only: a user's scores need their ratings (fold-in)");
    std::vector<int32_t> u(static_cast<size_t>(users)), it(static_cast<size_t>(users));
    std::iota(u.begin(), u.end(), 0);
    std::vector<float> pred(static_cast<size_t>(users));
    BatchBuffers buf;
    std::vector<float> out;
    for (int32_t item : items) {
        if (item < 0 || item >= model.items()) throw Error("mean_predictions: item index out of range");
        std::fill(it.begin(), it.end(), item);
        model.predict(u.data(), it.data(), users, pred.data(), buf);
        double sum = 0;
        for (float p : pred) sum += p;
        out.push_back(static_cast<float>(sum / double(users)));
    }
    return out;
}

}  // namespace memrec
