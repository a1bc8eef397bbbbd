// The extension module memrec._memrec (wrapped by python/memrec/__init__.py). Bindings only: conversions
// between Python values and the core's types; the work is the core's (py_model.cpp, py_train.cpp).
//
// Embeddings are NumPy views, not copies: model.params() views each parameter's own storage (rows padded
// to 16 floats, so the row stride is the padded width), item_vectors()/user_vectors() the vectors the model
// keeps for scoring (a full table's are its parameter itself). Every view is read-only and has the Model as
// its base, so the model lives as long as any view of it.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "cli.h"
#include "memrec/io.h"
#include "memrec/kernels.h"
#include "model_store.h"
#include "memrec/presets.h"
#include "memrec/train_fields.h"
#include "memrec/version.h"
#include "py_model.h"
#include "py_train.h"

namespace py = pybind11;
using memrec::python::PyModel;

namespace {

// A read-only rows x cols float32 view of `data` (rows `stride` floats apart) kept alive by `base`.
py::array_t<float> float_view(const float* data, int64_t rows, int cols, int stride, py::handle base) {
    py::array_t<float> a({py::ssize_t(rows), py::ssize_t(cols)},
                         {py::ssize_t(stride) * py::ssize_t(sizeof(float)), py::ssize_t(sizeof(float))}, data, base);
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return a;
}

// A full table's vectors: its one parameter.
py::array_t<float> table_view(const memrec::EmbeddingTable& t, py::handle base) {
    const memrec::Param& w = t.params().front();
    return float_view(w.data.data(), w.rows, w.cols, w.stride, base);
}

template <class T>
py::array_t<T> vector_copy(const std::vector<T>& v) {
    return py::array_t<T>(py::ssize_t(v.size()), v.data());
}

py::list scored_list(const PyModel& m, const std::vector<memrec::ScoredItem>& items) {
    py::list out;
    for (const memrec::ScoredItem& s : items) out.append(py::make_tuple(m.file().items.id(s.item), s.score));
    return out;
}

// A visitor's ratings: a dict {item: rating} or an iterable of (item, rating) pairs.
std::vector<std::pair<std::string, float>> rating_pairs(const py::handle& ratings) {
    std::vector<std::pair<std::string, float>> out;
    if (py::isinstance<py::dict>(ratings)) {
        for (const auto& kv : ratings.cast<py::dict>())
            out.emplace_back(py::str(kv.first).cast<std::string>(), kv.second.cast<float>());
    } else {
        for (const py::handle& pair : ratings) {
            const py::tuple t = py::reinterpret_borrow<py::object>(pair).cast<py::tuple>();
            if (t.size() != 2) throw py::value_error("a visitor rating is a pair (item, rating)");
            out.emplace_back(py::str(t[0]).cast<std::string>(), t[1].cast<float>());
        }
    }
    return out;
}

py::object field_value(const memrec::TrainField& f, const memrec::TrainConfig& t) {
    using memrec::FieldType;
    switch (f.type) {
        case FieldType::Int: return py::int_(memrec::field_ref<int>(f, t));
        case FieldType::Int64: return py::int_(memrec::field_ref<int64_t>(f, t));
        case FieldType::U64: return py::int_(memrec::field_ref<uint64_t>(f, t));
        case FieldType::F64: return py::float_(memrec::field_ref<double>(f, t));
        case FieldType::Bool: return py::bool_(memrec::field_ref<bool>(f, t));
        case FieldType::AdamMode: return py::str(memrec::to_string(memrec::field_ref<memrec::AdamMode>(f, t)));
        case FieldType::Optimizer: return py::str(memrec::to_string(memrec::field_ref<memrec::Optimizer>(f, t)));
    }
    return py::none();
}

py::dict info_dict(const PyModel& pm) {
    const memrec::ModelFile& f = pm.file();
    const memrec::Model& m = pm.model();
    py::dict d;
    d["objective"] = memrec::to_string(m.config().objective);
    d["link"] = memrec::to_string(m.config().link);
    d["users"] = m.users();
    d["items"] = m.items();
    d["dim"] = m.dim();
    d["scale"] = m.scale();
    d["parameters"] = m.parameter_count();
    d["user_table"] = memrec::to_string(m.user_table().kind());
    d["item_table"] = memrec::to_string(m.item_table().kind());
    d["storage"] = memrec::to_string(f.storage);
    d["format_version"] = f.format_version;
    d["preset"] = f.info.preset;
    d["data_source"] = f.info.data_source;
    d["data_format"] = f.info.data_format;
    d["train_fraction"] = f.info.train_fraction;
    d["split_seed"] = f.info.split_seed;
    py::dict training;  // every training setting under its field-list key (as the browser's info() has them)
    for (const memrec::TrainField& field : memrec::train_fields()) training[field.key] = field_value(field, f.info.train);
    d["training"] = training;
    d["eval"] = memrec::python::metrics_dict(f.eval);
    d["parent_hash"] = f.info.parent_hash;
    if (pm.eval_data.path.empty()) {
        d["eval_data"] = py::none();
    } else {  // train(eval_data=...): what the command prints as its "eval data:" line
        py::dict e;
        e["path"] = pm.eval_data.path;
        for (const auto& [name, n] : pm.eval_data.counts) e[name] = n;
        d["eval_data"] = e;
    }
    py::dict ranking;  // train(protocol=...): the final model's top-N figures ({} when none were computed)
    if (!f.ranking.protocol.empty()) {
        const memrec::TopNMetrics& t = f.ranking.metrics;
        ranking["protocol"] = f.ranking.protocol;
        ranking["positive_threshold"] = f.ranking.positive_threshold;
        ranking["recall20"] = t.recall20;
        ranking["ndcg100"] = t.ndcg100;
        ranking["hr10"] = t.hr10;
        ranking["coverage10"] = t.coverage10;
        ranking["popularity_percentile"] = t.popularity_percentile;
        ranking["users"] = t.users;
        ranking["skipped"] = t.skipped;
    }
    d["ranking"] = ranking;
    py::list history;
    for (const memrec::EpochStats& e : f.history) history.append(memrec::python::epoch_dict(e));
    d["history"] = history;
    return d;
}

PyModel load_bytes(const py::bytes& b) {
    const std::string_view s = b;
    return PyModel(memrec::parse_model(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// Model.save / Model.to_bytes (memrec/__init__.py): `memrec export MODEL --out PATH` with `args` (its
// --quantize, --pq-* and --no-titles flags), parsed and stored by the command's own code (model_store.h).
// The model is first copied through its own file bytes (a pq model's through f32: its codes are re-fitted),
// as export reads its file. Writes `path` atomically, or returns the bytes when `path` is "".
py::object store(const PyModel& p, const std::vector<std::string>& args, const std::string& path) {
    CLI::App root("memrec");
    CLI::App* app = root.add_subcommand("export", "export");
    memrec::cli::StoreOptions options;
    options.add_to(*app);
    options.add_titles_flag(*app);
    memrec::cli::add_value_checks(root);
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    reversed.push_back("export");
    root.parse(reversed);
    options.storage();  // the flags' combination checked before any work
    std::string bytes;
    {
        py::gil_scoped_release release;
        const memrec::ModelFile& f = p.file();
        const std::string own = memrec::serialize_model(f, f.storage == memrec::Storage::Pq ? memrec::Storage::F32 : f.storage);
        memrec::ModelFile copy = memrec::parse_model(reinterpret_cast<const uint8_t*>(own.data()), own.size());
        copy.figures_of_stored_tables = false;  // as export without --data: the figures stay the source's
        bytes = memrec::cli::stored_bytes(copy, options);
        if (!path.empty()) memrec::write_file_atomic(path, bytes);
    }
    if (!path.empty()) return py::none();
    return py::bytes(bytes);
}

}  // namespace

PYBIND11_MODULE(_memrec, m) {
    m.doc() = "memrec's C++ core (use the memrec package, which wraps this module)";
    m.attr("__version__") = MEMREC_VERSION_STRING;
    m.attr("kernels") = memrec::kernels::active();
    memrec::python::register_errors(m);

    m.def("presets", &memrec::preset_names, "The preset names train() accepts.");
    m.def("_train", &memrec::python::train, py::arg("args"), py::arg("on_epoch") = py::none());
    m.def("load", [](const std::string& path) { return PyModel(memrec::load_model(path)); }, py::arg("path"),
          "Loads a model file (.mrec).");
    m.def("from_bytes", &load_bytes, py::arg("data"), "Loads a model from the bytes of a .mrec file.");

    py::class_<PyModel>(m, "Model", "A trained model: memrec.train(...), memrec.load(path) or memrec.from_bytes(b).")
        .def_property_readonly("objective", [](const PyModel& p) { return memrec::to_string(p.model().config().objective); })
        .def_property_readonly("fold_in", [](const PyModel& p) { return memrec::item_side_only(p.model().config().objective); },
                               "True when the model keeps no users: users are folded in from their ratings.")
        .def_property_readonly("dim", [](const PyModel& p) { return p.model().dim(); })
        .def_property_readonly("scale", [](const PyModel& p) { return p.model().scale(); })
        .def_property_readonly(
            "link", [](const PyModel& p) { return memrec::to_string(p.model().config().link); },
            "A rating model's output: 'sigmoid' (scale * sigmoid(logit)) or 'linear' (scale / 2 + logit).")
        .def_property_readonly("parameters", [](const PyModel& p) { return p.model().parameter_count(); })
        .def_property_readonly("user_ids", [](const PyModel& p) { return p.file().users.ids(); })
        .def_property_readonly("item_ids", [](const PyModel& p) { return p.file().items.ids(); })
        .def_property_readonly("titles", [](const PyModel& p) { return p.file().titles; })
        .def_property_readonly("item_counts",
                               [](const PyModel& p) { return vector_copy(p.file().item_counts); },
                               "Training ratings per item, by the order of item_ids.")
        .def("info", &info_dict, "Shape, storage, training settings, history and eval metrics as a dict.")
        .def("__len__", [](const PyModel& p) { return p.model().items(); })
        .def("__repr__", [](const PyModel& p) {
            return "<memrec.Model " + std::string(memrec::to_string(p.model().config().objective)) + ", " +
                   std::to_string(p.model().users()) + " users, " + std::to_string(p.model().items()) + " items, dim " +
                   std::to_string(p.model().dim()) + ">";
        })
        .def("predict", &PyModel::predict, py::arg("user"), py::arg("item"),
             "Predicted rating; a user the model does not know gets the item's mean prediction (as `memrec "
             "predict`).")
        .def("predict_many",
             [](const PyModel& p, const std::string& user, const std::vector<std::string>& items) {
                 return vector_copy(p.predict_many(user, items));
             },
             py::arg("user"), py::arg("items"))
        .def("scores", [](const PyModel& p, const std::string& user) { return vector_copy(p.scores(user)); },
             py::arg("user"), "Every item's predicted rating for a known user, by the order of item_ids.")
        .def("recommend",
             [](const PyModel& p, const std::string& user, int k, const std::vector<std::string>& exclude) {
                 return scored_list(p, p.recommend(user, k, exclude));
             },
             py::arg("user"), py::arg("k") = 10, py::arg("exclude") = std::vector<std::string>{},
             "The k best (item, score) for a known user, leaving out `exclude`.")
        .def("popular",
             [](const PyModel& p, int k, const std::vector<std::string>& exclude) {
                 return scored_list(p, p.popular(k, exclude));
             },
             py::arg("k") = 10, py::arg("exclude") = std::vector<std::string>{},
             "The fallback for an unknown user: (item, training ratings) of the k most-rated items.")
        .def("recommend_visitor",
             [](const PyModel& p, const py::object& ratings, int k, bool explain) {
                 const memrec::FoldIn& f = p.fold_in();
                 memrec::FoldIn::Visitor visitor;
                 std::vector<memrec::ScoredItem> top;
                 std::vector<int32_t> because;
                 const std::vector<memrec::VisitorRating> list = p.visitor_ratings(rating_pairs(ratings));
                 {
                     py::gil_scoped_release release;
                     visitor = f.fit(list);
                     std::vector<int32_t> rated, items;
                     for (const memrec::VisitorRating& r : visitor.ratings) rated.push_back(r.item);
                     top = memrec::top_k(f.scores(visitor), k, rated);
                     for (const memrec::ScoredItem& s : top) items.push_back(s.item);
                     if (explain) because = f.because(visitor, items);
                 }
                 if (!explain) return scored_list(p, top);
                 py::list out;
                 for (size_t i = 0; i < top.size(); ++i) {
                     py::object liked = py::none();
                     if (because[i] >= 0) liked = py::str(p.file().items.id(visitor.ratings[size_t(because[i])].item));
                     out.append(py::make_tuple(p.file().items.id(top[i].item), top[i].score, liked));
                 }
                 return out;
             },
             py::arg("ratings"), py::arg("k") = 10, py::arg("explain") = false,
             "Top k for a visitor folded in from `ratings` ({item: rating} or (item, rating) pairs), leaving out "
             "the rated items: (item, score), or (item, score, because) with explain=True, `because` the liked "
             "rated item contributing most (None when none does).")
        .def("score_visitor",
             [](const PyModel& p, const py::object& ratings) {
                 const std::vector<memrec::VisitorRating> list = p.visitor_ratings(rating_pairs(ratings));
                 const memrec::FoldIn& f = p.fold_in();
                 std::vector<float> s;
                 {
                     py::gil_scoped_release release;
                     s = f.scores(list);
                 }
                 return vector_copy(s);
             },
             py::arg("ratings"), "Every item's score for a visitor, by the order of item_ids.")
        .def("explain",
             [](const PyModel& p, const py::object& ratings, const std::string& item) {
                 const memrec::FoldIn& f = p.fold_in();
                 const memrec::FoldIn::Visitor visitor = f.fit(p.visitor_ratings(rating_pairs(ratings)));
                 const memrec::FoldIn::ScoreTerms t = f.explain(visitor, p.item_index(item));
                 py::dict terms;
                 for (size_t j = 0; j < visitor.ratings.size(); ++j)
                     terms[py::str(p.file().items.id(visitor.ratings[j].item))] = t.terms[j];
                 return py::make_tuple(terms, t.rest);
             },
             py::arg("ratings"), py::arg("item"),
             "An item's score for a visitor split into ({rated item: term}, rest): the logit of a rating model, "
             "the score of a ranking model.")
        .def("item_vectors",
             [](const py::object& self) {
                 const PyModel& p = self.cast<const PyModel&>();
                 const memrec::EmbeddingTable& t = p.model().item_table();
                 if (t.kind() == memrec::TableKind::Full) return table_view(t, self);
                 return float_view(p.item_vectors().data(), t.rows(), t.dim(), t.stride(), self);
             },
             "Every item's vector, items x dim (read-only view; for a full table, of its parameter's values).")
        .def("user_vectors",
             [](const py::object& self) {
                 const PyModel& p = self.cast<const PyModel&>();
                 const memrec::EmbeddingTable& t = p.model().user_table();
                 if (t.kind() == memrec::TableKind::Full) return table_view(t, self);
                 return float_view(p.user_vectors().data(), t.rows(), t.dim(), t.stride(), self);
             },
             "Every user's vector, users x dim (read-only view; empty for a fold-in model).")
        .def("params",
             [](const py::object& self) {
                 const PyModel& p = self.cast<const PyModel&>();
                 py::dict out;
                 for (const memrec::Param* w : p.model().params())
                     out[py::str(w->name)] = float_view(w->data.data(), w->rows, w->cols, w->stride, self);
                 return out;
             },
             "Every parameter by name ('item.full', 'item.block1.projection', ...), as read-only views of the "
             "model's own storage.")
        .def("_store", &store, py::arg("args"), py::arg("path") = "");
}
