#include "train_job.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "eval_data.h"
#include "memrec/als.h"
#include "memrec/bpr.h"
#include "memrec/io.h"
#include "memrec/split.h"
#include "model_cli.h"
#include "train_report.h"

namespace memrec::cli {

void TrainJobOptions::add_to(CLI::App& app) {
    data.add_to(app);
    data.add_eval_data(app);
    warm.add_to(app);
    const size_t first_model_flag = app.get_options().size();
    model.add_to(app);
    checkpoint.note_model_flags(app, first_model_flag);
    checkpoint.add_to(app);
    topn.add_to(app,
                "rank at the end: visitors (10% of users held out whole, never trained on, folded in from "
                "80% of their ratings; per-epoch figures on a validation slice of the training users) | "
                "ratings (each user's own vector on their eval ratings)");
    app.add_option("--history", history, "write the per-epoch history as JSON to this file");
    app.add_option("--out", out, "save the trained model to this file (.mrec, f32; see memrec export)");
    app.add_flag("-q,--quiet", quiet, "print only the final figures");
}

namespace {

// The training line's note of a learning-rate decay ("" when the rate is constant).
std::string decay_text(double decay) {
    if (decay == 1.0) return "";
    char buf[48];
    std::snprintf(buf, sizeof buf, " (x%g per epoch)", decay);
    return buf;
}

// One run: the options, how it reports, and what it has found out so far.
class Job {
public:
    Job(TrainJobOptions& args, const CLI::App& app, const TrainJobReport& report)
        : args_(args), app_(app), report_(report), quiet_(args.quiet || report.silent), print_(!report.silent) {
        if (report_.interrupted) stop_ = [this] { return interrupted(); };
    }

    TrainJobResult run();

private:
    TrainJobResult run_als(const Preset& p);
    TrainJobResult run_bpr(Preset p);
    TrainJobResult run_rating(Preset p);

    TopNCases split_for_training(const Preset& p, Dataset& data, Split& split);
    void print_split(const Preset& p, const Split& split) const;
    std::string batch_text(const Preset& p, const Split& split) const;
    void print_plan(const Preset& p, const Split& split, const Model& model) const;

    // The caller's on_epoch and stop, after an epoch of any objective: false stops the run.
    bool keep_going(const EpochStats& e);
    static TrainJobResult interrupted_result() {
        TrainJobResult r;
        r.completed = false;
        r.interrupted = true;
        return r;
    }
    bool interrupted();
    RankingFigures rank(const Model& model, const TopNCases& topn, int threads) const;
    // What every objective does at the end: the top-N figures, --history, the file, --out.
    TrainJobResult finish(Model&& model, const Preset& p, const Dataset& data, const Split& split, const TopNCases& topn,
                          const std::vector<EpochStats>& history, int threads, const std::string& parent_hash = "");

    TrainJobOptions& args_;
    const CLI::App& app_;
    const TrainJobReport& report_;
    const bool quiet_;  // --quiet or silent
    const bool print_;  // not silent: the lines --quiet keeps
    ModelFile parent_;  // --init: the model this run continues
    EvalDataCounts eval_counts_;  // --eval-data's
    std::function<bool()> stop_;  // report_.interrupted as the ALS and BPR loops poll it (empty: none)
    bool stopped_by_callback_ = false, interrupted_ = false;
};

// The training split of `data` (with --protocol visitors, of the training users' data: the visitors are
// taken out of `data`) and the top-N cases --protocol asks for.
TopNCases Job::split_for_training(const Preset& p, Dataset& data, Split& split) {
    const float threshold = args_.topn.positive_threshold;
    if (args_.topn.visitors()) {
        if (!args_.data.eval_data.empty()) throw UsageError("--eval-data and --protocol visitors: choose one eval set");
        return hold_out_visitors(data, split, args_.data, p.train.validation_fraction, threshold, quiet_);
    }
    split = split_or_eval_data(data, args_.data, quiet_, &eval_counts_, report_.warn);
    if (args_.topn.protocol.empty()) return {};
    return {false, rating_cases(data, split, threshold), count_items(data, split.train)};
}

void Job::print_split(const Preset& p, const Split& split) const {
    if (args_.topn.visitors())
        std::printf("split: %zu train, %zu validation (training users' ratings, fraction %.2f)\n", split.train.size(),
                    split.eval.size(), p.train.validation_fraction);
    else if (!args_.data.eval_data.empty())
        std::printf("split: %zu train (all of --data), %zu eval (--eval-data)\n", split.train.size(), split.eval.size());
    else
        std::printf("split: %zu train, %zu eval (fraction %.2f, seed %llu)\n", split.train.size(),
                    split.eval.size(), args_.data.train_fraction, (unsigned long long)args_.data.split_seed);
}

// The batch training uses: the one asked for, capped at the ratings an epoch trains on (the training split,
// less the validation slice with early stopping), as the trainer caps it.
std::string Job::batch_text(const Preset& p, const Split& split) const {
    const int64_t asked = p.train.batch_size;
    int64_t epoch = static_cast<int64_t>(split.train.size());
    if (p.train.early_stopping > 0 && asked > epoch / 2)
        epoch = static_cast<int64_t>(
            carve_validation(split.train, p.train.validation_fraction, args_.data.split_seed).train.size());
    if (asked <= epoch) return "batch " + std::to_string(asked);
    return "batch " + std::to_string(epoch) + " (--batch " + std::to_string(asked) + " capped at the " +
           format_count(epoch) + " training ratings)";
}

// BPR's batch: the one asked for, capped at the training positives, as train_bpr caps it.
std::string bpr_batch_text(const Preset& p, const Dataset& data, const Split& split) {
    const int64_t used = bpr_batch_size(data, split.train, p.model.implicit, p.train);
    if (used == p.train.batch_size) return "batch " + std::to_string(used);
    return "batch " + std::to_string(used) + " (--batch " + std::to_string(p.train.batch_size) + " capped at the " +
           format_count(used) + " training positives)";
}

void Job::print_plan(const Preset& p, const Split& split, const Model& model) const {
    print_split(p, split);
    print_summary(p.name, model);
    std::printf("training: %d epochs, %s, lr %g%s, %s, %d threads\n", p.train.epochs,
                batch_text(p, split).c_str(), p.train.adam.learning_rate,
                decay_text(p.train.adam.lr_decay).c_str(), optimizer_text(p.train.adam).c_str(),
                p.train.threads);
}

bool Job::interrupted() {
    if (report_.interrupted && report_.interrupted()) interrupted_ = true;
    return interrupted_;
}

bool Job::keep_going(const EpochStats& e) {
    if (report_.on_epoch && !report_.on_epoch(e)) stopped_by_callback_ = true;
    return !stopped_by_callback_ && !interrupted();
}

RankingFigures Job::rank(const Model& model, const TopNCases& topn, int threads) const {
    if (print_) return rank_for_file(model, topn, args_.topn, threads);
    if (args_.topn.protocol.empty()) return {};
    return {args_.topn.protocol, args_.topn.positive_threshold, rank_topn(model, topn, threads).model};
}

TrainJobResult Job::finish(Model&& model, const Preset& p, const Dataset& data, const Split& split,
                           const TopNCases& topn, const std::vector<EpochStats>& history, int threads,
                           const std::string& parent_hash) {
    TrainJobResult result;
    result.completed = !stopped_by_callback_;
    if (!args_.data.eval_data.empty()) {
        result.eval_data_path = args_.data.eval_data;
        result.eval_data = eval_counts_;
    }
    const RankingFigures ranking = rank(model, topn, threads);
    if (!args_.history.empty()) write_file_atomic(args_.history, history_json(history) + "\n");
    ModelFile& f = result.file;
    f = training_metadata(p, data, split, args_.data, history);
    f.info.parent_hash = parent_hash;  // --init
    f.ranking = ranking;
    // The final model's own eval metrics (with early stopping the kept epoch need not be the last one).
    // (An implicit model's output is a preference score, not a rating: it has no rating metrics.)
    if (!split.eval.empty() && model.config().objective == Objective::Rating)
        f.eval = evaluate(model, data, split.eval, default_threads());
    f.model = std::make_unique<Model>(std::move(model));
    if (!args_.out.empty()) {
        save_model(f, args_.out, Storage::F32, true);
        if (!quiet_) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(args_.out, ec);
            std::printf("saved model: %s (%s)\n", args_.out.c_str(), ec ? "?" : format_bytes(double(size)).c_str());
        }
    }
    return result;
}

// --objective als: no Adam, no checkpoints; one line per iteration.
TrainJobResult Job::run_als(const Preset& p) {
    if (!args_.checkpoint.dir.empty() || !args_.checkpoint.resume.empty())
        throw UsageError("--checkpoint and --resume do not apply to --objective als (it trains in seconds)");
    const AlsConfig config = als_config(p.model, p.train);
    Dataset data = load_data(args_.data, quiet_);
    Split split;
    const TopNCases topn = split_for_training(p, data, split);
    Model model = als_model(config, data.users.size(), data.items.size(), data.max_rating);
    if (!quiet_) {
        print_split(p, split);
        print_summary("implicit ALS", model);
        print_als_plan(config);
    }
    const AlsIterationFn printer = print_ ? als_iteration_printer() : AlsIterationFn();
    const std::vector<EpochStats> history = train_als(model, data, split.train, config, [&](const EpochStats& e) {
        if (printer) printer(e);
        return keep_going(e);
    }, stop_);
    if (interrupted_) return interrupted_result();
    if (print_) print_als_total(history);
    return finish(std::move(model), p, data, split, topn, history, config.threads);
}

// --objective bpr: Adam on the BPR loss through the tables, no checkpoints; one line per epoch.
TrainJobResult Job::run_bpr(Preset p) {
    if (!args_.checkpoint.dir.empty() || !args_.checkpoint.resume.empty())
        throw UsageError("--checkpoint and --resume do not apply to --objective bpr");
    Dataset data = load_data(args_.data, quiet_);
    fit_preset_to_data(p, data);
    Split split;
    const TopNCases topn = split_for_training(p, data, split);
    const ImplicitConfig& feedback = p.model.implicit;
    Model model(p.model, data.users.size(), data.items.size(), data.max_rating, count_items(data, split.train),
                count_users(data, split.train), p.train.seed);
    if (!quiet_) {
        print_split(p, split);
        print_summary("BPR", model);
        std::printf("training: BPR, %d epochs, %s, lr %g, %s Adam, l2 %g, %d negatives (power %g), "
                    "positives: ratings >= %g; fold-in alpha %g, lambda %g\n",
                    p.train.epochs, bpr_batch_text(p, data, split).c_str(), p.train.adam.learning_rate,
                    to_string(p.train.adam.mode), p.train.adam.l2, p.train.bpr_negatives, p.train.negative_power,
                    feedback.positive_threshold, feedback.alpha, feedback.lambda);
    }
    const std::vector<EpochStats> history = train_bpr(model, data, split.train, p.train, [&](const EpochStats& e) {
        if (!quiet_) std::printf("  epoch %d: loss %.4f per pair | %.2f s\n", e.epoch, e.train_loss, e.seconds);
        if (print_) std::fflush(stdout);
        return keep_going(e);
    }, stop_);
    if (interrupted_) return interrupted_result();
    if (print_) {
        double seconds = 0;
        for (const EpochStats& e : history) seconds += e.seconds;
        std::printf("trained %zu epochs in %.2f s\n", history.size(), seconds);
    }
    return finish(std::move(model), p, data, split, topn, history, p.train.threads);
}

TrainJobResult Job::run_rating(Preset p) {
    ResumableRun run(args_.checkpoint, app_, args_.model, p, args_.data);
    Dataset data = load_data(args_.data, quiet_);
    if (args_.warm.given()) extend_vocabularies(parent_, data, quiet_);
    fit_preset_to_data(p, data);
    Split split;
    const TopNCases topn = split_for_training(p, data, split);  // cases only when --protocol is given
    run.use_data(data);
    Model model = args_.warm.given() ? warm_model(parent_, p, data, count_items(data, split.train),
                                                  count_users(data, split.train), report_.warn)
                                     : Model(p.model, data.users.size(), data.items.size(), data.max_rating,
                                             count_items(data, split.train), count_users(data, split.train), p.train.seed);
    if (!quiet_) print_plan(p, split, model);
    std::vector<EpochStats> history;
    {
        Trainer trainer(model, p.train);
        run.restore(model, trainer);
        const bool early_stopping = p.train.early_stopping > 0;
        TrainingCallbacks callbacks;
        if (print_)
            callbacks = early_stopping ? early_stopping_printer(p.train, model, data, split, quiet_) : epoch_printer(quiet_);
        // The caller's hooks after the console's.
        if (report_.on_epoch || report_.interrupted)
            callbacks.on_epoch = [&, shown = callbacks.on_epoch](const EpochStats& e) {
                const bool go_on = !shown || shown(e);
                return keep_going(e) && go_on;
            };
        const TrainingOutcome outcome = run.train(trainer, model, data, split, callbacks, quiet_, stop_);
        if (!outcome.completed && !stopped_by_callback_) return interrupted_result();  // Ctrl-C or `interrupted`
        if (early_stopping && print_) print_best_epoch(outcome, model, data, split, p.train.threads);
        history = trainer.history();
    }
    return finish(std::move(model), p, data, split, topn, history, p.train.threads, parent_.info.parent_hash);
}

TrainJobResult Job::run() {
    // One threshold: what ALS trains on as positives is what the top-N figures count as hits.
    if (app_.get_option("--positive-threshold")->count() > 0) args_.model.positive_threshold = args_.topn.positive_threshold;
    if (args_.warm.given()) refuse_table_flags(app_);  // before the flags are applied to a preset
    Preset p = args_.model.build(args_.model.preset);
    if (args_.warm.given()) {
        parent_ = load_parent(args_.warm.init, app_, report_.warn);
        use_parent_config(parent_, app_, args_.model, p);
        // The new data is read as the parent's was (its delimiter, columns...) unless reading flags are given.
        if (!args_.data.any_read_flag())
            args_.data.use_reading(parent_.info.reading, parent_.info.min_rating, parent_.info.max_rating);
    }
    if (p.model.objective == Objective::Implicit) return run_als(p);
    if (p.model.objective == Objective::Bpr) return run_bpr(p);
    return run_rating(p);
}

}  // namespace

TrainJobResult run_train_job(TrainJobOptions& options, const CLI::App& app, const TrainJobReport& report) {
    return Job(options, app, report).run();
}

}  // namespace memrec::cli
