#include "memrec/serve.h"

#include "memrec/error.h"

namespace memrec {

RatingAnswer predict_rating(const Model& model, int32_t user, int32_t item) {
    if (item < 0 || item >= model.items()) throw Error("predict_rating: item index out of range");
    if (user >= model.users()) throw Error("predict_rating: user index out of range");
    if (user >= 0) return {model.predict(user, item), false};
    return {mean_predictions(model, {item})[0], true};
}

RecommendAnswer recommend(const Model& model, const std::vector<int64_t>& item_counts, int32_t user, int k,
                          const std::vector<int32_t>& exclude, const AlignedVector<float>* item_vectors) {
    if (user >= model.users()) throw Error("recommend: user index out of range");
    if (user < 0) return {most_popular(item_counts, k, exclude), true};
    const AlignedVector<float> vec = model.user_vector(user);
    const std::vector<float> scores = item_vectors ? score_items(model, vec.data(), user, *item_vectors)
                                                   : score_items(model, vec.data(), user, model.item_vectors());
    return {top_k(scores, k, exclude), false};
}

}  // namespace memrec
