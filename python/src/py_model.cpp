#include "py_model.h"

#include <numeric>
#include <pybind11/pybind11.h>

#include "memrec/error.h"
#include "memrec/recommend.h"
#include "memrec/serve.h"

namespace memrec::python {

PyModel::PyModel(ModelFile file) : file_(std::move(file)) {
    if (!file_.model) throw Error("no model");
    item_vectors_ = file_.model->item_vectors();
}

int32_t PyModel::user_index(const std::string& id) const {
    const int32_t u = file_.users.find(id);
    if (u < 0) {
        if (item_side_only(model().config().objective))
            throw pybind11::key_error("user '" + id + "': this " + to_string(model().config().objective) +
                                      " model keeps no users (fold a user in with recommend_visitor)");
        throw pybind11::key_error("user '" + id + "' is not in the model (popular() is the fallback)");
    }
    return u;
}

int32_t PyModel::item_index(const std::string& id) const {
    const int32_t i = file_.items.find(id);
    if (i < 0) throw pybind11::key_error("item '" + id + "' is not in the model");
    return i;
}

float PyModel::predict(const std::string& user, const std::string& item) const {
    return predict_rating(model(), file_.users.find(user), item_index(item)).rating;
}

std::vector<float> PyModel::predict_many(const std::string& user, const std::vector<std::string>& items) const {
    const int32_t u = user_index(user);
    std::vector<float> out(items.size());
    for (size_t i = 0; i < items.size(); ++i) out[i] = model().predict(u, item_index(items[i]));
    return out;
}

std::vector<float> PyModel::scores(const std::string& user) const {
    const int32_t u = user_index(user);
    const AlignedVector<float> vec = model().user_vector(u);
    return score_items(model(), vec.data(), u, item_vectors_);
}

namespace {
std::vector<int32_t> known_items(const Vocabulary& items, const std::vector<std::string>& ids) {
    std::vector<int32_t> out;
    for (const std::string& id : ids) {
        const int32_t i = items.find(id);
        if (i >= 0) out.push_back(i);  // an item the model never saw cannot be recommended anyway
    }
    return out;
}
}  // namespace

std::vector<ScoredItem> PyModel::recommend(const std::string& user, int k, const std::vector<std::string>& exclude) const {
    const int32_t u = user_index(user);
    return memrec::recommend(model(), file_.item_counts, u, k, known_items(file_.items, exclude), &item_vectors_).items;
}

std::vector<ScoredItem> PyModel::popular(int k, const std::vector<std::string>& exclude) const {
    return most_popular(file_.item_counts, k, known_items(file_.items, exclude));
}

std::vector<VisitorRating> PyModel::visitor_ratings(const std::vector<std::pair<std::string, float>>& ratings) const {
    std::vector<VisitorRating> out(ratings.size());
    for (size_t i = 0; i < ratings.size(); ++i) out[i] = {item_index(ratings[i].first), ratings[i].second};
    return out;
}

const FoldIn& PyModel::fold_in() const {
    // Its prior costs users x dim^2 to build: only when the first visitor needs it.
    if (!fold_in_) fold_in_ = std::make_unique<FoldIn>(model(), VisitorOptions{}, &item_vectors_);
    return *fold_in_;
}

const AlignedVector<float>& PyModel::user_vectors() const {
    if (!have_user_vectors_) {
        const EmbeddingTable& t = model().user_table();
        std::vector<int32_t> ids(size_t(t.rows()));
        std::iota(ids.begin(), ids.end(), 0);
        user_vectors_.assign(size_t(t.rows()) * size_t(t.stride()), 0.0f);
        if (t.rows() > 0) t.lookup(ids.data(), t.rows(), user_vectors_.data());
        have_user_vectors_ = true;
    }
    return user_vectors_;
}

}  // namespace memrec::python
