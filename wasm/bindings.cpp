// Embind bindings: the core library seen from JavaScript. No logic of its own beyond converting between
// JS values and the core's types; every core exception is caught here and returned as a JS Error object
// carrying the core's message (wasm/memrec.mjs turns it into a thrown MemrecError). Throwing from C++
// straight into JS would skip destructors and, without the catch, reach JS as a bare pointer number.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "memrec/error.h"
#include "memrec/kernels.h"
#include "memrec/model_file.h"
#include "memrec/recommend.h"
#include "memrec/serve.h"
#include "memrec/table_fields.h"
#include "memrec/train_fields.h"
#include "memrec/fold_in.h"

using emscripten::val;

namespace memrec {

namespace {

val js_error(const std::string& message) { return val::global("Error").new_(val(message)); }

// Runs `fn` (returning val) and turns any exception into a JS Error value.
template <class Fn>
val guarded(Fn&& fn) {
    std::string message;
    try {
        return fn();
    } catch (const std::bad_alloc&) {
        message = "out of memory";
    } catch (const std::exception& e) {
        message = e.what();
    } catch (...) {
        message = "unknown error";
    }
    return js_error(message);
}

template <class T>
val copy_array(const T* data, size_t n, const char* type) {
    return val::global(type).new_(val(emscripten::typed_memory_view(n, data)));
}

val string_array(const std::vector<std::string>& strings) {
    val out = val::array();
    for (size_t i = 0; i < strings.size(); ++i) out.set(i, val(strings[i]));
    return out;
}

template <class T>
val number_array(const std::vector<T>& v) {
    val out = val::array();
    for (size_t i = 0; i < v.size(); ++i) out.set(i, val(static_cast<double>(v[i])));
    return out;
}

// A table field's key as JS spells it: "block_dims" -> "blockDims".
std::string camel_case(const char* key) {
    std::string out;
    for (const char* p = key; *p; ++p) {
        if (*p == '_' && p[1]) out += static_cast<char>(*++p - 'a' + 'A');
        else out += *p;
    }
    return out;
}

val table_field_value(const TableField& f, const TableConfig& c) {
    switch (f.type) {
        case TableFieldType::Kind: return val(std::string(to_string(field_ref<TableKind>(f, c))));
        case TableFieldType::Int: return val(field_ref<int>(f, c));
        case TableFieldType::Int64: return val(static_cast<double>(field_ref<int64_t>(f, c)));
        case TableFieldType::Combiner: return val(std::string(to_string(field_ref<Combiner>(f, c))));
        case TableFieldType::BlockEnds: return number_array(field_ref<std::vector<int64_t>>(f, c));
        case TableFieldType::BlockDims: return number_array(field_ref<std::vector<int>>(f, c));
        case TableFieldType::F64: return val(field_ref<double>(f, c));
        case TableFieldType::Bool: return val(field_ref<bool>(f, c));
    }
    return val::undefined();
}

// Every setting a model file stores for the table's kind (from its field list), plus its size.
val table_info(const TableConfig& c, const EmbeddingTable& t) {
    val o = val::object();
    o.set("rows", val(static_cast<double>(t.rows())));
    o.set("parameters", val(static_cast<double>(t.parameter_count())));
    for (const TableField& f : table_fields())
        if (f.model_since != 0 && applies(f, c)) o.set(camel_case(f.key), table_field_value(f, c));
    return o;
}

// A training setting as JS sees it: numbers, booleans, and the Adam mode by name.
val setting_value(const TrainField& f, const TrainConfig& t) {
    switch (f.type) {
        case FieldType::Int: return val(field_ref<int>(f, t));
        case FieldType::Int64: return val(static_cast<double>(field_ref<int64_t>(f, t)));
        case FieldType::U64: return val(static_cast<double>(field_ref<uint64_t>(f, t)));
        case FieldType::F64: return val(field_ref<double>(f, t));
        case FieldType::Bool: return val(field_ref<bool>(f, t));
        case FieldType::AdamMode: return val(std::string(to_string(field_ref<AdamMode>(f, t))));
        case FieldType::Optimizer: return val(std::string(to_string(field_ref<Optimizer>(f, t))));
    }
    return val::undefined();
}

val metrics_info(const Metrics& m) {
    val o = val::object();
    o.set("mse", val(m.mse));
    o.set("rmse", val(m.rmse));
    o.set("mae", val(m.mae));
    o.set("count", val(static_cast<double>(m.count)));
    return o;
}

// The top-N figures training stored, or null when it stored none.
val ranking_info(const RankingFigures& r) {
    if (r.protocol.empty()) return val::null();
    val o = val::object();
    o.set("protocol", val(r.protocol));
    o.set("positiveThreshold", val(r.positive_threshold));
    o.set("recall20", val(r.metrics.recall20));
    o.set("ndcg100", val(r.metrics.ndcg100));
    o.set("hr10", val(r.metrics.hr10));
    o.set("coverage10", val(static_cast<double>(r.metrics.coverage10)));
    o.set("popularityPercentile", val(r.metrics.popularity_percentile));
    o.set("users", val(static_cast<double>(r.metrics.users)));
    o.set("skipped", val(static_cast<double>(r.metrics.skipped)));
    return o;
}

std::vector<std::string> strings_of(const val& array) {
    const size_t n = array["length"].as<size_t>();
    std::vector<std::string> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = array[i].as<std::string>();
    return out;
}

}  // namespace

// One loaded model file with what inference reuses across calls: every item's vector (computed once, so
// scoring the catalogue is one dot product per item) and the visitor fold-in (FoldIn, built on first use).
class WasmModel {
public:
    val load(const val& bytes) {
        return guarded([&] {
            const std::vector<uint8_t> data = emscripten::convertJSArrayToNumberVector<uint8_t>(bytes);
            ModelFile file = parse_model(data.data(), data.size());
            AlignedVector<float> items = file.model->item_vectors();
            fold_in_.reset();  // refers to the model being replaced
            file_ = std::move(file);
            item_vectors_ = std::move(items);
            return val::undefined();
        });
    }

    val info() const {
        return guarded([&] {
            const Model& m = model();
            val o = val::object();
            o.set("parameters", val(static_cast<double>(m.parameter_count())));
            o.set("users", val(static_cast<double>(m.users())));
            o.set("items", val(static_cast<double>(m.items())));
            o.set("dim", val(m.dim()));
            o.set("scale", val(m.scale()));
            o.set("storage", val(std::string(to_string(file_.storage))));
            // "rating" (predicts stars) or a ranking objective ("implicit": ALS), whose scores are
            // preferences from what was liked; foldIn: the model keeps no users, a user is folded in from
            // their ratings (every ranking objective), so pages test this rather than a name.
            o.set("objective", val(std::string(to_string(m.config().objective))));
            o.set("foldIn", val(item_side_only(m.config().objective)));
            // A rating model's output: "sigmoid" (within 0..scale) or "linear" (scale / 2 + logit,
            // unbounded).
            o.set("link", val(std::string(to_string(m.config().link))));
            o.set("userTable", table_info(m.user_table().config(), m.user_table()));
            o.set("itemTable", table_info(m.item_table().config(), m.item_table()));
            val biases = val::object();
            biases.set("global", val(m.config().global_bias));
            biases.set("user", val(m.config().user_bias));
            biases.set("item", val(m.config().item_bias));
            o.set("biases", biases);
            val components = val::array();
            const auto parts = m.summary();
            for (size_t i = 0; i < parts.size(); ++i) {
                val c = val::object();
                c.set("name", val(parts[i].name));
                c.set("shape", val(parts[i].shape));
                c.set("parameters", val(static_cast<double>(parts[i].parameters)));
                components.set(i, c);
            }
            o.set("components", components);
            o.set("eval", metrics_info(file_.eval));
            o.set("ranking", ranking_info(file_.ranking));
            val history = val::array();
            for (size_t i = 0; i < file_.history.size(); ++i) {
                const EpochStats& e = file_.history[i];
                val h = val::object();
                h.set("epoch", val(e.epoch));
                h.set("trainLoss", val(e.train_loss));
                h.set("trainMae", val(e.train_mae));
                h.set("eval", metrics_info(e.eval));
                h.set("seconds", val(e.seconds));
                h.set("ratingsPerSecond", val(e.ratings_per_second));
                history.set(i, h);
            }
            o.set("history", history);
            const TrainingInfo& t = file_.info;
            val training = val::object();
            training.set("preset", val(t.preset));
            training.set("dataSource", val(t.data_source));
            training.set("dataHash", val(t.data_hash));
            // Whether eval and ranking were measured on this file's stored tables (export --data) or are
            // the trained f32 model's.
            o.set("figuresOfStoredTables", val(file_.figures_of_stored_tables));
            training.set("dataFormat", val(t.data_format));
            training.set("trainFraction", val(t.train_fraction));
            training.set("splitSeed", val(static_cast<double>(t.split_seed)));
            training.set("seed", val(static_cast<double>(t.seed)));
            // Every training setting under its field-list key. With early stopping (earlyStopping > 0) the
            // history's per-epoch metrics are on the validation slice, not eval.
            for (const TrainField& f : train_fields()) training.set(std::string(f.key), setting_value(f, t.train));
            training.set("minRating", val(t.min_rating));
            training.set("maxRating", val(t.max_rating));
            o.set("training", training);
            std::vector<double> counts(file_.item_counts.begin(), file_.item_counts.end());
            o.set("itemCounts", copy_array(counts.data(), counts.size(), "Float64Array"));
            o.set("titleCount", val(static_cast<double>(file_.titles.size())));
            o.set("kernels", val(std::string(kernels::active())));
            return o;
        });
    }

    val titles() const {
        return guarded([&] {
            if (!file_.titles.empty()) return string_array(file_.titles);
            return string_array(std::vector<std::string>(size_t(model().items())));
        });
    }

    val itemIds() const {
        return guarded([&] {
            model();
            return string_array(file_.items.ids());
        });
    }

    val hasUser(const std::string& user) const {
        return guarded([&] {
            model();
            return val(file_.users.find(user) >= 0);
        });
    }

    val itemIndex(const std::string& item) const {
        return guarded([&] {
            model();
            return val(file_.items.find(item));
        });
    }

    // Predicted rating of a pair; for a user the model has never seen, the item's mean prediction over all
    // known users (as `memrec predict` answers).
    val predict(const std::string& user, const std::string& item) const {
        return guarded([&] {
            const int32_t i = item_index(item);
            return val(predict_rating(model(), file_.users.find(user), i).rating);
        });
    }

    val predictMany(const std::string& user, const val& items) const {
        return guarded([&] {
            const int32_t u = user_index(user);
            const std::vector<std::string> ids = strings_of(items);
            std::vector<float> out(ids.size());
            for (size_t i = 0; i < ids.size(); ++i) out[i] = model().predict(u, item_index(ids[i]));
            return copy_array(out.data(), out.size(), "Float32Array");
        });
    }

    // Top k for a user, leaving out `exclude` (raw item ids). A user the model has never seen gets the most
    // popular items instead, and the result array carries fallback = "popular".
    val recommendUser(const std::string& user, int k, const val& exclude) const {
        return guarded([&] {
            std::vector<int32_t> skip;
            for (const std::string& id : strings_of(exclude)) {
                const int32_t i = file_.items.find(id);
                if (i >= 0) skip.push_back(i);  // items the model never saw cannot be recommended anyway
            }
            const RecommendAnswer a = recommend(model(), file_.item_counts, file_.users.find(user), k, skip, &item_vectors_);
            val out = recommendations(a.items, a.fallback ? "count" : "rating");
            if (a.fallback) out.set("fallback", val(std::string("popular")));
            return out;
        });
    }

    // Predicted rating of every item (Float32Array by dense index) for a user of the model.
    val scoreUser(const std::string& user) const {
        return guarded([&] {
            const int32_t u = user_index(user);
            const AlignedVector<float> vec = model().user_vector(u);
            const std::vector<float> scores = score_items(model(), vec.data(), u, item_vectors_);
            return copy_array(scores.data(), scores.size(), "Float32Array");
        });
    }

    // Top k for a visitor described by ratings [{item, rating}] (raw ids), leaving out the rated items. Each
    // carries `because`: {item, title} of the liked rated item (rating >= 4) contributing most to its
    // score (FoldIn::because), or null.
    val recommendVisitor(const val& ratings, int k) const {
        return guarded([&] {
            const FoldIn& f = fold_in();
            const FoldIn::Visitor visitor = f.fit(visitor_ratings(ratings));
            std::vector<int32_t> rated, items;
            for (const VisitorRating& r : visitor.ratings) rated.push_back(r.item);
            const std::vector<ScoredItem> top = top_k(f.scores(visitor), k, rated);
            for (const ScoredItem& s : top) items.push_back(s.item);
            const std::vector<int32_t> because = f.because(visitor, items);
            val out = recommendations(top, "rating");
            for (size_t i = 0; i < top.size(); ++i)
                out[i].set("because", because[i] < 0 ? val::null() : item_ref(visitor.ratings[size_t(because[i])].item));
            return out;
        });
    }

    // Predicted rating of every item (Float32Array by dense index) for a visitor.
    val scoreVisitor(const val& ratings) const {
        return guarded([&] {
            const std::vector<float> scores = fold_in().scores(visitor_ratings(ratings));
            return copy_array(scores.data(), scores.size(), "Float32Array");
        });
    }

private:
    ModelFile file_;
    AlignedVector<float> item_vectors_;  // Model::item_vectors(), computed once at load
    mutable std::unique_ptr<FoldIn> fold_in_;  // built on first use

    const Model& model() const {
        if (!file_.model) throw Error("no model loaded");
        return *file_.model;
    }
    int32_t user_index(const std::string& id) const {
        const int32_t u = file_.users.find(id);
        if (u < 0) throw Error("unknown user id '" + id + "'");
        return u;
    }
    int32_t item_index(const std::string& id) const {
        const int32_t i = file_.items.find(id);
        if (i < 0) throw Error("unknown item id '" + id + "'");
        return i;
    }

    std::vector<VisitorRating> visitor_ratings(const val& ratings) const {
        const size_t n = ratings["length"].as<size_t>();
        std::vector<VisitorRating> list(n);
        for (size_t i = 0; i < n; ++i) {
            list[i].item = item_index(ratings[i]["item"].as<std::string>());
            list[i].rating = ratings[i]["rating"].as<float>();
        }
        return list;
    }

    const FoldIn& fold_in() const {
        // Its prior costs users x dim^2 to build: only when the first visitor needs it, not at load.
        if (!fold_in_) fold_in_ = std::make_unique<FoldIn>(model(), VisitorOptions{}, &item_vectors_);
        return *fold_in_;
    }

    val item_ref(int32_t item) const {
        val r = val::object();
        r.set("item", val(file_.items.id(item)));
        r.set("title", val(file_.titles.empty() ? std::string() : file_.titles[size_t(item)]));
        return r;
    }

    // [{item, index, title, <score_field>}] best first.
    val recommendations(const std::vector<ScoredItem>& recs, const char* score_field) const {
        val out = val::array();
        for (size_t i = 0; i < recs.size(); ++i) {
            const int32_t item = recs[i].item;
            val r = val::object();
            r.set("item", val(file_.items.id(item)));
            r.set("index", val(item));
            r.set("title", val(file_.titles.empty() ? std::string() : file_.titles[size_t(item)]));
            r.set(score_field, val(recs[i].score));
            out.set(i, r);
        }
        return out;
    }
};

}  // namespace memrec

EMSCRIPTEN_BINDINGS(memrec) {
    using memrec::WasmModel;
    emscripten::class_<WasmModel>("Model")
        .constructor<>()
        .function("load", &WasmModel::load)
        .function("info", &WasmModel::info)
        .function("titles", &WasmModel::titles)
        .function("itemIds", &WasmModel::itemIds)
        .function("hasUser", &WasmModel::hasUser)
        .function("itemIndex", &WasmModel::itemIndex)
        .function("predict", &WasmModel::predict)
        .function("predictMany", &WasmModel::predictMany)
        .function("recommendUser", &WasmModel::recommendUser)
        .function("scoreUser", &WasmModel::scoreUser)
        .function("recommendVisitor", &WasmModel::recommendVisitor)
        .function("scoreVisitor", &WasmModel::scoreVisitor);
}
