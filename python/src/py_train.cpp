#include "py_train.h"

#include <CLI/CLI.hpp>
#include <optional>

#include "cli.h"
#include "train_job.h"

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
    // `memrec train` itself: its options (flag table, range checks, output paths) and its run (train_job.h).
    CLI::App root("memrec");
    CLI::App* app = root.add_subcommand("train", "train");
    cli::TrainJobOptions options;
    options.add_to(*app);
    cli::add_value_checks(root);
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    reversed.push_back("train");
    root.parse(reversed);
    cli::check_output_paths(root);

    // Silent: the figures are the returned model's (info()) and on_epoch's; the warnings the command writes to
    // stderr become Python warnings (RuntimeWarning), issued once the run is over, interrupted or not. Ctrl-C:
    // Python's SIGINT handler stays in place; the run asks Python whether a signal came (within an epoch,
    // every few thousand ratings; ALS every few hundred rows) and stops as the command's Ctrl-C does (a
    // checkpointed run keeps its last epoch's checkpoint).
    cli::TrainJobReport report;
    report.silent = true;
    std::vector<std::string> warnings;
    report.warn = [&warnings](const std::string& message) { warnings.push_back(message); };
    report.on_epoch = epoch_callback(on_epoch);
    std::optional<pybind11::error_already_set> signal;  // what the signal's handler raised
    report.interrupted = [&signal] {
        pybind11::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() == 0) return false;
        signal.emplace();  // takes the pending exception (KeyboardInterrupt)
        return true;
    };
    cli::TrainJobResult result;
    const auto issue_warnings = [&warnings] {
        const pybind11::object warn = pybind11::module_::import("warnings").attr("warn");
        for (const std::string& w : warnings)
            warn(w.rfind("warning: ", 0) == 0 ? w.substr(9) : w, pybind11::handle(PyExc_RuntimeWarning));
    };
    try {
        pybind11::gil_scoped_release release;
        result = cli::run_train_job(options, *app, report);
    } catch (...) {
        if (!signal) issue_warnings();  // then the run's own error
        throw;
    }
    if (signal) {
        // The warnings before the KeyboardInterrupt: a warning filter that raises must not lose the signal.
        try {
            issue_warnings();
        } catch (const pybind11::error_already_set&) {
        }
        throw std::move(*signal);
    }
    issue_warnings();
    // The model as its f32 file loads (a lossless round trip): what train(..., out=path) writes and
    // memrec.load(path) returns answers exactly as this one does. (A ranking model's file keeps the item
    // side only: its users are folded in, as everywhere else.)
    const std::string bytes = serialize_model(result.file, Storage::F32);
    PyModel model(parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    if (!result.eval_data_path.empty()) {
        const cli::EvalDataCounts& c = result.eval_data;
        model.eval_data = {result.eval_data_path,
                           {{"lines", c.lines}, {"kept", c.kept}, {"dropped", c.dropped}, {"unseen_users", c.unseen_users},
                            {"user_ratings", c.user_ratings}, {"unseen_items", c.unseen_items},
                            {"item_ratings", c.item_ratings}}};
    }
    return model;
}

}  // namespace memrec::python
