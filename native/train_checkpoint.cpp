#include "train_checkpoint.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "memrec/error.h"

namespace memrec::cli {

namespace {

namespace fs = std::filesystem;

// Set by the SIGINT handler, read by the training loop's progress callback. Nothing else happens in the
// handler: printing, saving and exiting are done by the loop once the current batch is through.
volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) { g_interrupted = 1; }

// Catches Ctrl-C while training; the handler resets itself, so a second Ctrl-C kills at once.
class SigintGuard {
public:
    SigintGuard() {
        g_interrupted = 0;
        struct sigaction sa {};
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND | SA_RESTART;
        installed_ = sigaction(SIGINT, &sa, &old_) == 0;
    }
    ~SigintGuard() {
        if (installed_) sigaction(SIGINT, &old_, nullptr);
    }
    SigintGuard(const SigintGuard&) = delete;
    SigintGuard& operator=(const SigintGuard&) = delete;

private:
    struct sigaction old_ {};
    bool installed_ = false;
};

std::string shell_quote(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                          "-_./,:=+@%") == std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

bool same_path(const std::string& a, const std::string& b) {
    std::error_code ec;
    return fs::equivalent(a, b, ec) || fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

std::string describe(const DataFingerprint& f) {
    return format_count(f.ratings) + " ratings, " + format_count(f.users) + " users, " + format_count(f.items) +
           " items";
}

}  // namespace

void CheckpointOptions::add_to(CLI::App& app) {
    app.add_option("--checkpoint", dir,
                   "after every epoch, save everything needed to resume into this directory (atomically)");
    app.add_option("--resume", resume,
                   "continue the training checkpointed in this directory (same data; settings, reading flags and "
                   "--eval-data come from the checkpoint, and any given must agree; --epochs may raise the "
                   "target)");
}

void CheckpointOptions::note_model_flags(const CLI::App& app, size_t first) {
    const auto options = app.get_options();
    for (size_t i = first; i < options.size(); ++i)
        if (!options[i]->get_lnames().empty()) model_flags.push_back("--" + options[i]->get_lnames().front());
}

std::string resume_command(const CLI::App& app, const std::string& dir) {
    std::string cmd = "memrec " + app.get_name();
    for (const CLI::Option* o : app.get_options()) {
        if (o->count() == 0 || o->get_lnames().empty()) continue;
        const std::string name = "--" + o->get_lnames().front();
        if (name == "--checkpoint" || name == "--resume") continue;
        if (o->get_expected_max() == 0) {  // a flag (-q): its name alone (CLI11 keeps "true" as its result)
            cmd += " " + name;
            continue;
        }
        for (const std::string& value : o->results()) cmd += " " + name + " " + shell_quote(value);
    }
    return cmd + " --resume " + shell_quote(dir);
}

ResumableRun::ResumableRun(const CheckpointOptions& options, const CLI::App& app, const ModelOptions& model,
                           Preset& preset, DataOptions& data)
    : app_(app), preset_(preset), data_options_(data) {
    if (!options.dir.empty()) check_output_dir(options.dir, "--checkpoint");
    write_dir_ = !options.dir.empty() ? options.dir : options.resume;
    if (!options.resume.empty()) {
        const std::string& dir = options.resume;
        std::error_code ec;
        if (!fs::is_directory(dir, ec))
            throw DataError(dir, 0, fs::exists(dir, ec) ? "not a directory (--resume takes a checkpoint directory)"
                                                         : "no such checkpoint directory");
        if (options.dir.empty()) check_output_dir(dir, "--resume");
        saved_ = load_checkpoint(dir);
        resuming_ = true;
        resume_dir_ = dir;

        bool model_given = false;
        for (const auto& flag : options.model_flags)
            if (flag != "--epochs" && flag != "--threads" && app.count(flag) > 0) model_given = true;
        if (model_given) {
            // Flags on top of the checkpoint's preset unless the command names one.
            if (app.count("--preset") == 0) preset = model.build(saved_.preset);
            // The preset's blocks as fitted to the checkpoint's data, as they were when it was written.
            fit_to_data(preset, saved_.data.users, saved_.data.items);
            const std::string diff = settings_difference(saved_, preset.model, preset.train);
            if (!diff.empty())
                throw UsageError("--resume " + dir + ": the settings differ from the checkpoint's (" + diff +
                                 "); give the original run's flags, or none");
        }
        if (app.count("--train-fraction") > 0 && data.train_fraction != saved_.train_fraction)
            throw UsageError("--resume " + dir + ": --train-fraction " + std::to_string(data.train_fraction) +
                             " differs from the checkpoint's " + std::to_string(saved_.train_fraction));
        if (app.count("--split-seed") > 0 && data.split_seed != saved_.split_seed)
            throw UsageError("--resume " + dir + ": --split-seed " + std::to_string(data.split_seed) +
                             " differs from the checkpoint's " + std::to_string(saved_.split_seed));
        const int threads = preset.train.threads;
        const int epochs = app.count("--epochs") > 0 ? preset.train.epochs : saved_.train.epochs;
        if (epochs < saved_.epochs_done())
            throw UsageError("--epochs " + std::to_string(epochs) + ": the checkpoint in " + dir + " already has " +
                             std::to_string(saved_.epochs_done()) + " epochs");
        preset.name = saved_.preset;
        preset.model = saved_.model;
        preset.user_blocks_for = preset.item_blocks_for = 0;  // the checkpoint's shapes as they are
        preset.train = saved_.train;
        preset.train.threads = threads;
        preset.train.epochs = epochs;
        data.train_fraction = saved_.train_fraction;
        data.split_seed = saved_.split_seed;
        if (data.path.empty()) data.path = saved_.data_source;
        if (saved_.reading_recorded) read_as_saved(dir, data);
    }
    if (!options.dir.empty() && fs::exists(checkpoint_file(options.dir)) &&
        !(resuming_ && same_path(options.dir, options.resume))) {
        std::string what;
        try {
            const Checkpoint other = load_checkpoint(options.dir);
            what = " (" + std::to_string(other.epochs_done()) + " of " + std::to_string(other.train.epochs) +
                   " epochs)";
        } catch (const Error&) {
            what = " (damaged)";
        }
        throw UsageError("--checkpoint " + options.dir + " already holds a checkpoint" + what +
                         "; continue it with --resume " + options.dir + ", or choose another directory");
    }
    if (preset.train.early_stopping > 0 && (resuming_ || !options.dir.empty()))
        throw UsageError("--early-stopping does not combine with --checkpoint or --resume");
}

void ResumableRun::read_as_saved(const std::string& dir, DataOptions& data) const {
    // The reading flags: the checkpoint's when none is given, else they must read the data the same way.
    const std::string saved = reading_flags(saved_.reading, saved_.min_rating, saved_.max_rating);
    if (!data.any_read_flag()) {
        data.use_reading(saved_.reading, saved_.min_rating, saved_.max_rating);
    } else {
        const auto bound = [](const std::optional<double>& v) { return static_cast<float>(v.value_or(0)); };
        const std::string given = reading_flags(data.reading_info(), bound(data.min_rating), bound(data.max_rating));
        if (given != saved)
            throw UsageError("--resume " + dir + ": the checkpoint read its ratings with " +
                             (saved.empty() ? std::string("no reading flags") : saved) + ", this command with " +
                             given + "; give the original run's reading flags, or none");
    }
    // The eval file: the checkpoint's when none is given; a split where it had one, and the reverse, refused.
    const std::string& eval = saved_.reading.eval_data;
    if (data.eval_data.empty()) {
        data.eval_data = eval;
    } else if (eval.empty() || !same_path(data.eval_data, eval)) {
        throw UsageError("--resume " + dir + ": --eval-data " + data.eval_data + " differs from the checkpoint's " +
                         (eval.empty() ? std::string("split (it had no --eval-data)") : "--eval-data " + eval) +
                         "; give the original run's, or none");
    }
}

void ResumableRun::use_data(const Dataset& data) {
    fingerprint_ = fingerprint(data);
    min_rating_ = data.min_rating;
    max_rating_ = data.max_rating;
    data_source_ = data.ratings_path;
    data_format_ = data.format;
    if (!resuming_) return;
    const DataFingerprint& was = saved_.data;
    if (was.ratings == fingerprint_.ratings && was.users == fingerprint_.users && was.items == fingerprint_.items &&
        was.hash == fingerprint_.hash)
        return;
    const bool same_counts =
        was.ratings == fingerprint_.ratings && was.users == fingerprint_.users && was.items == fingerprint_.items;
    throw DataError(data.ratings_path, 0,
                    "not the data the checkpoint was trained on (" +
                        (same_counts ? "same counts, different ratings or ids"
                                     : "checkpoint: " + describe(was) + ", here: " + describe(fingerprint_)) +
                        "; it read " + saved_.data_source + ")");
}

void ResumableRun::restore(Model& model, Trainer& trainer) const {
    if (!resuming_) return;
    restore_state(saved_, model, trainer.optimizer());
    trainer.history() = saved_.history;
}

void ResumableRun::save(Trainer& trainer, const Model& model) const {
    Checkpoint ck;
    ck.preset = preset_.name;
    ck.data_source = data_source_;
    ck.data_format = data_format_;
    ck.train_fraction = data_options_.train_fraction;
    ck.split_seed = data_options_.split_seed;
    ck.data = fingerprint_;
    ck.reading = data_options_.reading_info();
    ck.reading.eval_data = data_options_.eval_data;
    ck.min_rating = min_rating_;
    ck.max_rating = max_rating_;
    ck.model = model.config();
    ck.train = trainer.config();
    ck.history = trainer.history();
    capture_state(model, trainer.optimizer(), ck);
    std::error_code ec;
    fs::create_directories(write_dir_, ec);
    if (ec) throw Error(write_dir_ + ": cannot create the checkpoint directory: " + ec.message());
    save_checkpoint(ck, write_dir_);
}

TrainingOutcome ResumableRun::train(Trainer& trainer, Model& model, const Dataset& data, const Split& split,
                                    const TrainingCallbacks& report, bool quiet,
                                    const std::function<bool()>& interrupted) {
    const int epochs = trainer.config().epochs;
    std::string saved_in = resuming_ ? resume_dir_ : std::string();
    if (resuming_ && !quiet) {
        std::printf("resuming from %s: %d of %d epochs done\n", resume_dir_.c_str(), saved_.epochs_done(), epochs);
        for (const EpochStats& e : trainer.history()) print_epoch(e);
    }
    // Early stopping has nothing on disk to come back to: Ctrl-C ends it at once, as any program.
    std::optional<SigintGuard> guard;
    if (!interrupted && trainer.config().early_stopping == 0) guard.emplace();
    const auto stop = [&interrupted] { return interrupted ? interrupted() : g_interrupted != 0; };
    TrainingCallbacks callbacks = report;
    callbacks.progress = [&report, &stop](const Progress& p) {
        if (stop()) return false;
        return report.progress ? report.progress(p) : true;
    };
    callbacks.on_epoch = [&](const EpochStats& e) {
        const bool go_on = !report.on_epoch || report.on_epoch(e);
        if (!write_dir_.empty()) {
            save(trainer, model);
            saved_in = write_dir_;
        }
        return go_on && !stop();
    };
    const TrainingOutcome outcome = run_training(trainer, model, data, split, data_options_.split_seed, callbacks);
    if (!outcome.completed && !interrupted) {
        const int done = static_cast<int>(trainer.history().size());
        report_interrupt(done + 1, epochs, done, saved_in);
    }
    return outcome;
}

void ResumableRun::report_interrupt(int epoch, int epochs, int done, const std::string& saved_in) const {
    std::fflush(stdout);
    std::fprintf(stderr, "memrec: interrupted during epoch %d of %d\n", epoch, epochs);
    if (write_dir_.empty())
        std::fprintf(stderr, "memrec: nothing was saved (train with --checkpoint DIR to be able to resume)\n");
    else if (saved_in.empty() || done == 0)
        std::fprintf(stderr, "memrec: no epoch had finished, so there is no checkpoint to resume from\n");
    else
        std::fprintf(stderr, "memrec: epoch %d of %d is saved in %s; to resume:\n  %s\n", done, epochs,
                     saved_in.c_str(), resume_command(app_, saved_in).c_str());
}

}  // namespace memrec::cli
