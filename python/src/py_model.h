// memrec.Model: one trained model (a loaded .mrec file or the result of memrec.train) and what serving
// reuses across calls: every item's vector, computed once, and the visitor fold-in, built on first use.
// The same questions the command line and the browser ask, through the same core calls (serve.h,
// fold_in.h), so the answers are the same numbers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "memrec/fold_in.h"
#include "memrec/model_file.h"

namespace memrec::python {

class PyModel {
public:
    explicit PyModel(ModelFile file);

    const ModelFile& file() const { return file_; }
    const Model& model() const { return *file_.model; }

    // Dense indices of raw ids; an unknown id throws pybind11::key_error naming it.
    int32_t user_index(const std::string& id) const;
    int32_t item_index(const std::string& id) const;

    float predict(const std::string& user, const std::string& item) const;  // unknown user: popularity fallback
    std::vector<float> predict_many(const std::string& user, const std::vector<std::string>& items) const;
    std::vector<float> scores(const std::string& user) const;
    std::vector<ScoredItem> recommend(const std::string& user, int k, const std::vector<std::string>& exclude) const;
    std::vector<ScoredItem> popular(int k, const std::vector<std::string>& exclude) const;

    std::vector<VisitorRating> visitor_ratings(const std::vector<std::pair<std::string, float>>& ratings) const;
    const FoldIn& fold_in() const;

    // Every item's vector (items x stride floats, row-major; read by the embedding views).
    const AlignedVector<float>& item_vectors() const { return item_vectors_; }
    // Every user's vector (users x stride), computed on first use.
    const AlignedVector<float>& user_vectors() const;

    // memrec.train(eval_data=...): the eval file and what became of its ratings ("lines", "kept",
    // "dropped", ... in that order), for info(); path "" for a model trained without one, or loaded.
    struct EvalDataNote {
        std::string path;
        std::vector<std::pair<const char*, int64_t>> counts;
    };
    EvalDataNote eval_data;

private:
    ModelFile file_;
    AlignedVector<float> item_vectors_;
    mutable AlignedVector<float> user_vectors_;
    mutable bool have_user_vectors_ = false;
    mutable std::unique_ptr<FoldIn> fold_in_;
};

}  // namespace memrec::python
