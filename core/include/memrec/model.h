// The rating model of the reference: prediction = sigmoid(<user vector, item vector> + biases) * scale,
// with the user and item vectors coming from any two EmbeddingTables (or, with the linear link, the logit
// itself around the middle of the scale, as LIBMF's plain dot product). Biases (a global one and one per
// user and per item) are optional and off in the reference presets. An implicit-feedback model (trained
// by ALS, memrec/als.h) scores a pair by the plain dot product instead: a preference, not a rating.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "memrec/embedding.h"
#include "memrec/param.h"

namespace memrec {

struct ProductCodes;  // memrec/pq.h

// What the model's output means. Rating: scale * sigmoid(logit), a predicted rating fitted by squared
// error. Implicit: the dot product, a preference score fitted to implicit feedback (Hu, Koren and Volinsky
// 2008), meaningful for ranking only; such a model has no biases. Bpr: the dot product too, fitted by
// Bayesian personalised ranking (Rendle et al. 2009, memrec/bpr.h) with Adam, so any item table kind; no
// biases; its visitors are folded in as an implicit model's are (the same solve, its alpha and lambda).
enum class Objective : uint8_t { Rating, Implicit, Bpr };
const char* to_string(Objective o);
// Whether the model's users are always folded in from their ratings (implicit_fit.h) rather than looked
// up: its model files store the item side only (no user rows, no user ids).
inline bool item_side_only(Objective o) { return o != Objective::Rating; }
Objective parse_objective(const std::string& s);  // "rating", "implicit", "bpr"; throws ConfigError

// How a rating model turns its logit z into a rating: Sigmoid, scale * sigmoid(z) (the reference's, always
// within (0, scale)); Linear, scale / 2 + z (LIBMF's plain dot product, centred: unbounded, and on ml-1m
// about 0.003 eval RMSE better with AdaGrad, docs/accuracy.md). The same at z = 0; an implicit or BPR
// model's output is z itself whatever its link.
enum class Link : uint8_t { Sigmoid, Linear };
const char* to_string(Link l);
Link parse_link(const std::string& s);  // "sigmoid", "linear"; throws ConfigError

inline float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

// A rating model's link at one logit z, for a squared-error loss and its gradient: the one place that
// knows each link's value and slope (the trainer's loss_gradient, the visitor's fit and the explanations
// use it). T is the caller's arithmetic: float in training, double in the visitor's fit. The products' order
// is the one the callers had inline before, so trained models kept their bits; changing it changes them.
struct LinkAt {
    Link link;
    float scale, z;
    float sig;  // sigmoid(z); 0 with the linear link, which never needs it

    LinkAt(Link l, float s, float logit)
        : link(l), scale(s), z(logit), sig(l == Link::Linear ? 0.0f : sigmoid(logit)) {}
    // The output: scale * sigmoid(z), or scale / 2 + z.
    template <class T> T value() const {
        return link == Link::Linear ? T(0.5f * scale + z) : T(scale) * T(sig);
    }
    // d * d value / dz (the chain rule through the link): d * scale * sig * (1 - sig), or d.
    template <class T> T chain(T d) const {
        return link == Link::Linear ? d : d * T(scale) * T(sig) * (T(1) - T(sig));
    }
};

// How an implicit model reads ratings, kept with the model because a visitor's fold-in (implicit_fit.h)
// needs the same reading and the same alpha and lambda as training. An item is a positive when rated at
// least `positive_threshold` (any rating when `all_rated_positive`); positives have preference 1 and
// confidence 1 + alpha, every other item preference 0 and confidence 1.
struct ImplicitConfig {
    double alpha = 3.0;
    double lambda = 30.0;  // L2 weight of every user and item vector
    float positive_threshold = 4.0f;
    bool all_rated_positive = false;

    void validate() const;  // throws ConfigError
    bool positive(float rating) const { return all_rated_positive || rating >= positive_threshold; }
};

struct ModelConfig {
    TableConfig user;
    TableConfig item;
    bool global_bias = false;
    bool user_bias = false;
    bool item_bias = false;
    Objective objective = Objective::Rating;
    Link link = Link::Sigmoid;  // a rating model's only
    ImplicitConfig implicit;  // read only when the objective is not Rating (Bpr: the fold-in's settings)

    void validate() const;  // throws ConfigError
};

// Scratch buffers for a batch, reused across batches so training allocates nothing per step.
struct BatchBuffers {
    AlignedVector<float> user_vec, item_vec, user_grad, item_grad;
    // Each example's vectors as loss_gradient() and backward() read them: rows of user_vec / item_vec, or
    // a full table's own rows when Model::lookup took them in place.
    std::vector<const float*> user_rows, item_rows;
    std::vector<float> dz;
    // The bias terms of each example, read by lookup() along with the vectors: with the vectors copied
    // (lookup without in_place) the loss then reads no parameter, so one side's thread may update its params
    // while the other still computes the loss.
    std::vector<float> user_bias, item_bias;
    float global_bias = 0.0f;
    void reserve(int64_t n, int stride);
};

// Sums over a batch, from which loss and MAE follow.
struct BatchSums {
    double squared_error = 0;
    double absolute_error = 0;
    int64_t count = 0;
};

enum class BiasTerm { Global, User, Item };

class Model {
public:
    // One bias parameter's shape: a scalar, or one value per user or per item.
    static ParamSpec bias_spec(BiasTerm term, int64_t users, int64_t items);
    // Every parameter a model of this config has, in params() order, without building it (the model-file
    // loader checks stored shapes against it). Mixed-dimension configs must carry their block dims.
    static std::vector<ParamSpec> param_specs(const ModelConfig& config, int64_t users, int64_t items);

    // A fresh model: tables built from `config` and initialised from `seed` as Keras does.
    // `item_counts` (ratings per item in the training data) orders a mixed-dimension item table.
    Model(const ModelConfig& config, int64_t users, int64_t items, float scale,
          const std::vector<int64_t>& item_counts, const std::vector<int64_t>& user_counts, uint64_t seed);
    // A model around existing tables (used by model-file loading); biases start at zero.
    Model(const ModelConfig& config, std::unique_ptr<EmbeddingTable> user_table,
          std::unique_ptr<EmbeddingTable> item_table, float scale);

    const ModelConfig& config() const { return config_; }
    float scale() const { return scale_; }
    int64_t users() const { return user_->rows(); }
    int64_t items() const { return item_->rows(); }
    int dim() const { return user_->dim(); }
    EmbeddingTable& user_table() { return *user_; }
    const EmbeddingTable& user_table() const { return *user_; }
    EmbeddingTable& item_table() { return *item_; }
    const EmbeddingTable& item_table() const { return *item_; }

    // All parameters in a fixed order: user table, item table, then global, user and item biases.
    std::vector<Param*> params();
    std::vector<const Param*> params() const;
    int64_t parameter_count() const;
    std::vector<ComponentInfo> summary() const;

    // The bias parameters, or null when the config leaves them out.
    Param* global_bias() { return global_bias_.get(); }
    Param* user_bias() { return user_bias_.get(); }
    Param* item_bias() { return item_bias_.get(); }
    const Param* global_bias() const { return global_bias_.get(); }
    const Param* user_bias() const { return user_bias_.get(); }
    const Param* item_bias() const { return item_bias_.get(); }

    // The model's output for a logit: a rating model's by its link, z for an implicit or BPR one.
    float output(float logit) const;
    // A rating model's link at a logit (the value and slope a loss needs).
    LinkAt link_at(float logit) const { return LinkAt(config_.link, scale_, logit); }

    float predict(int32_t user, int32_t item) const;
    void predict(const int32_t* users, const int32_t* items, int64_t n, float* out, BatchBuffers& buf) const;

    // The logit <u, v> + biases for given vectors; `user`/`item` only index the bias terms (-1: none).
    float logit(const float* user_vec, const float* item_vec, int32_t user, int32_t item) const;
    // The same from an already computed <u, v> (e.g. one entry of a GEMV over every item's vector).
    float logit_from_dot(float dot, int32_t user, int32_t item) const;
    // Every item's vector (items() x stride(), row-major): precompute once to score many users.
    AlignedVector<float> item_vectors() const;
    AlignedVector<float> user_vector(int32_t user) const;

    // Forward and backward pass of the mean squared error over a batch: fills `grads` (one per params()
    // entry, pre-sized) with d(sum of squared errors * loss_scale)/d(params) and returns the error sums.
    BatchSums accumulate_gradients(const int32_t* users, const int32_t* items, const float* ratings, int64_t n,
                                   float loss_scale, std::vector<ParamGrad>& grads, BatchBuffers& buf) const;

    // accumulate_gradients in stages, so the trainer can give the user side and the item side to different
    // threads. The user side owns the user table, the global bias and the user biases; the item side the
    // item table and the item biases. params() indices of each side:
    std::vector<size_t> side_params(Side side) const;
    // Those of side_params whose rows are the side's ids, reached row by row (full tables and biases): the
    // rows a batch's ids reach directly, which the block schedule sizes its sub-blocks by and fetches ahead.
    std::vector<size_t> id_row_params(Side side) const;
    void mark_rows(Side side, const int32_t* ids, int64_t n, std::vector<ParamGrad>& grads) const;
    // Whether backward(side) marks every row it touches as mark_rows(side) does, in the same order (the
    // side's table says; its bias is marked through ParamGrad::row by both).
    bool backward_marks_rows(Side side) const {
        return (side == Side::User ? *user_ : *item_).backward_marks_rows();
    }
    // buf reserved for n. `in_place`: the table's lookup_rows (a full table's vectors read where they lie,
    // a mixed-dimension table's base-dim rows too and its products left in block order) instead of copies
    // in batch order: for the block schedule, where no other thread writes them before backward().
    void lookup(Side side, const int32_t* ids, int64_t n, BatchBuffers& buf, bool in_place = false) const;
    // After both lookups: the loss derivative d loss / d logit of examples [begin, end) into dz[begin, end).
    BatchSums loss_gradient(const int32_t* users, const int32_t* items, const float* ratings, int64_t begin,
                            int64_t end, float loss_scale, const BatchBuffers& buf, float* dz) const;
    // After loss_gradient for all n examples: gradients of one side's params. Writes only that side's
    // gradient buffer in `buf` and that side's entries of `grads`.
    void backward(Side side, const int32_t* ids, int64_t n, const float* dz, std::vector<ParamGrad>& grads,
                  BatchBuffers& buf) const;

    // The product codes a pq model file stored for params()[i] (null for other storages), set by the loader
    // beside the decoded values it puts in the params: scoring reads the codes (item_codes()). They describe
    // the params as loaded; nothing may change those params afterwards.
    void set_product_codes(size_t param, std::shared_ptr<const ProductCodes> codes);
    const ProductCodes* product_codes(size_t param) const;
    // The codes of the item vectors themselves: the item table's one parameter when it is a full table.
    const ProductCodes* item_codes() const;

private:
    ModelConfig config_;
    std::vector<std::shared_ptr<const ProductCodes>> codes_;  // by params() index; empty when none
    float scale_;
    std::unique_ptr<EmbeddingTable> user_, item_;
    std::unique_ptr<Param> global_bias_, user_bias_, item_bias_;
    // params() indices found from the params' sides and roles: the item table's first, each bias term's.
    size_t item_first_ = 0, global_bias_at_ = 0, user_bias_at_ = 0, item_bias_at_ = 0;
    void make_biases();
    void index_params();
};

}  // namespace memrec
