#include "py_train.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>

#include "cli.h"
#include "memrec/als.h"
#include "memrec/bpr.h"
#include "memrec/split.h"
#include "memrec/training_run.h"
#include "model_cli.h"

namespace memrec::python {

namespace {

// Calls the Python callback (if any) from a training loop that runs without the GIL. It holds a handle, not
// a reference: copying the std::function (as the training calls do) then touches no reference count
// without the GIL, and the caller's object outlives the training.
std::function<bool(const EpochStats&)> epoch_callback(const pybind11::object& on_epoch) {
    if (on_epoch.is_none()) return {};
    return [fn = pybind11::handle(on_epoch)](const EpochStats& e) {
        pybind11::gil_scoped_acquire gil;
        const pybind11::object go_on = fn(epoch_dict(e));
        return go_on.is_none() || go_on.cast<bool>();
    };
}

}  // namespace

pybind11::dict metrics_dict(const Metrics& m) {
    pybind11::dict d;
    d["mse"] = m.mse;
    d["rmse"] = m.rmse;
    d["mae"] = m.mae;
    d["count"] = m.count;
    return d;
}

pybind11::dict epoch_dict(const EpochStats& e) {
    pybind11::dict d;
    d["epoch"] = e.epoch;
    d["train_loss"] = e.train_loss;
    d["train_mae"] = e.train_mae;
    d["eval"] = metrics_dict(e.eval);
    d["seconds"] = e.seconds;
    return d;
}

PyModel train(const std::vector<std::string>& args, const pybind11::object& on_epoch) {
    // The options of `memrec train` that describe the data, the model and its training.
    CLI::App app("memrec.train", "train");
    cli::DataOptions data;
    cli::ModelOptions options;
    std::optional<float> positive_threshold;
    data.add_to(app);
    options.add_to(app);
    app.add_option("--positive-threshold", positive_threshold, "ALS/BPR: a rating at least this is a positive");
    cli::add_value_checks(app);
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    app.parse(reversed);
    if (positive_threshold) options.positive_threshold = positive_threshold;
    const Preset p = options.build(options.preset);

    Dataset d = cli::load_data(data, true);
    const Split split = split_dataset(d, data.train_fraction, data.split_seed);
    const auto callback = epoch_callback(on_epoch);
    std::vector<EpochStats> history;
    std::unique_ptr<Model> model;
    {
        pybind11::gil_scoped_release release;
        if (p.model.objective == Objective::Implicit) {
            const AlsConfig config = als_config(p.model, p.train);
            model = std::make_unique<Model>(als_model(config, d.users.size(), d.items.size(), d.max_rating));
            history = train_als(*model, d, split.train, config, callback);
        } else {
            model = std::make_unique<Model>(p.model, d.users.size(), d.items.size(), d.max_rating,
                                            count_items(d, split.train), count_users(d, split.train), p.train.seed);
            if (p.model.objective == Objective::Bpr) {
                history = train_bpr(*model, d, split.train, p.train, callback);
            } else {
                Trainer trainer(*model, p.train);
                TrainingCallbacks callbacks;
                callbacks.on_epoch = callback;
                run_training(trainer, *model, d, split, data.split_seed, callbacks);
                history = trainer.history();
            }
        }
    }
    // What `memrec train --out` stores besides the model (model_cli.cpp), and the final model's eval metrics.
    ModelFile f = cli::training_metadata(p, d, split, data, history);
    if (!split.eval.empty() && model->config().objective == Objective::Rating)
        f.eval = evaluate(*model, d, split.eval, p.train.threads);
    f.model = std::move(model);
    // The model as its f32 file loads (a lossless round trip): what train(..., out=path) writes and
    // memrec.load(path) returns answers exactly as this one does. (A ranking model's file keeps the item
    // side only: its users are folded in, as everywhere else.)
    const std::string bytes = serialize_model(f, Storage::F32);
    return PyModel(parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace memrec::python
