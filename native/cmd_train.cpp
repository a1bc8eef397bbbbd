// memrec train: read ratings, split, build a model from a preset and flags, train, report.
#include <cstdio>

#include "cli.h"
#include "memrec/als.h"
#include "memrec/bpr.h"
#include "memrec/io.h"
#include "memrec/split.h"
#include "model_cli.h"
#include "train_checkpoint.h"
#include "topn_cli.h"
#include "train_report.h"
#include "eval_data.h"
#include "warm_start.h"

namespace memrec::cli {

namespace {
// The training line's note of a learning-rate decay ("" when the rate is constant).
std::string decay_text(double decay) {
    if (decay == 1.0) return "";
    char buf[48];
    std::snprintf(buf, sizeof buf, " (x%g per epoch)", decay);
    return buf;
}

struct TrainArgs {
    DataOptions data;
    ModelOptions model;
    std::string history;
    std::string out;
    TopNOptions topn;
    bool quiet = false;
    CheckpointOptions checkpoint;
    WarmStartOptions warm;  // --init
};

// The training split of `data` (with --protocol visitors, of the training users' data: the visitors are
// taken out of `data`) and the top-N cases --protocol asks for.
TopNCases split_for_training(const TrainArgs& args, const Preset& p, Dataset& data, Split& split) {
    const float threshold = args.topn.positive_threshold;
    if (args.topn.visitors()) {
        if (!args.data.eval_data.empty()) throw UsageError("--eval-data and --protocol visitors: choose one eval set");
        return hold_out_visitors(data, split, args.data, p.train.validation_fraction, threshold, args.quiet);
    }
    split = split_or_eval_data(data, args.data, args.quiet);
    if (args.topn.protocol.empty()) return {};
    return {false, rating_cases(data, split, threshold), count_items(data, split.train)};
}

void print_split(const TrainArgs& args, const Preset& p, const Split& split) {
    if (args.topn.visitors())
        std::printf("split: %zu train, %zu validation (training users' ratings, fraction %.2f)\n", split.train.size(),
                    split.eval.size(), p.train.validation_fraction);
    else if (!args.data.eval_data.empty())
        std::printf("split: %zu train (all of --data), %zu eval (--eval-data)\n", split.train.size(), split.eval.size());
    else
        std::printf("split: %zu train, %zu eval (fraction %.2f, seed %llu)\n", split.train.size(),
                    split.eval.size(), args.data.train_fraction, (unsigned long long)args.data.split_seed);
}

// The batch training uses: the one asked for, capped at the ratings an epoch trains on (the training split,
// less the validation slice with early stopping), as the trainer caps it.
std::string batch_text(const TrainArgs& args, const Preset& p, const Split& split) {
    const int64_t asked = p.train.batch_size;
    int64_t epoch = static_cast<int64_t>(split.train.size());
    if (p.train.early_stopping > 0 && asked > epoch / 2)
        epoch = static_cast<int64_t>(
            carve_validation(split.train, p.train.validation_fraction, args.data.split_seed).train.size());
    if (asked <= epoch) return "batch " + std::to_string(asked);
    return "batch " + std::to_string(epoch) + " (--batch " + std::to_string(asked) + " capped at the " +
           format_count(epoch) + " training ratings)";
}

void print_plan(const TrainArgs& args, const Preset& p, const Split& split, const Model& model) {
    print_split(args, p, split);
    print_summary(p.name, model);
    std::printf("training: %d epochs, %s, lr %g%s, %s Adam, %d threads\n", p.train.epochs,
                batch_text(args, p, split).c_str(), p.train.adam.learning_rate,
                decay_text(p.train.adam.lr_decay).c_str(), to_string(p.train.adam.mode), p.train.threads);
}

// --objective als: no Adam, no checkpoints; one line per iteration.
int run_train_als(TrainArgs& args, const Preset& p) {
    if (!args.checkpoint.dir.empty() || !args.checkpoint.resume.empty())
        throw UsageError("--checkpoint and --resume do not apply to --objective als (it trains in seconds)");
    const AlsConfig config = als_config(p.model, p.train);
    Dataset data = load_data(args.data, args.quiet);
    Split split;
    const TopNCases topn = split_for_training(args, p, data, split);
    Model model = als_model(config, data.users.size(), data.items.size(), data.max_rating);
    if (!args.quiet) {
        print_split(args, p, split);
        print_summary("implicit ALS", model);
        print_als_plan(config);
    }
    const std::vector<EpochStats> history = train_als(model, data, split.train, config, als_iteration_printer());
    print_als_total(history);
    const RankingFigures ranking = rank_for_file(model, topn, args.topn, config.threads);
    if (!args.history.empty()) write_file_atomic(args.history, history_json(history) + "\n");
    if (!args.out.empty())
        save_trained_model(model, p, data, split, args.data, history, args.out, args.quiet, ranking);
    return 0;
}

// --objective bpr: Adam on the BPR loss through the tables, no checkpoints; one line per epoch.
int run_train_bpr(TrainArgs& args, Preset p) {
    if (!args.checkpoint.dir.empty() || !args.checkpoint.resume.empty())
        throw UsageError("--checkpoint and --resume do not apply to --objective bpr");
    Dataset data = load_data(args.data, args.quiet);
    fit_preset_to_data(p, data);
    Split split;
    const TopNCases topn = split_for_training(args, p, data, split);
    const ImplicitConfig& feedback = p.model.implicit;
    Model model(p.model, data.users.size(), data.items.size(), data.max_rating,
                count_items(data, split.train), count_users(data, split.train), p.train.seed);
    if (!args.quiet) {
        print_split(args, p, split);
        print_summary("BPR", model);
        std::printf("training: BPR, %d epochs, batch %lld, lr %g, %s Adam, l2 %g, %d negatives (power %g), "
                    "positives: ratings >= %g; fold-in alpha %g, lambda %g\n",
                    p.train.epochs, (long long)p.train.batch_size, p.train.adam.learning_rate,
                    to_string(p.train.adam.mode), p.train.adam.l2, p.train.bpr_negatives, p.train.negative_power,
                    feedback.positive_threshold, feedback.alpha, feedback.lambda);
    }
    const std::vector<EpochStats> history = train_bpr(model, data, split.train, p.train, [&](const EpochStats& e) {
        if (!args.quiet) std::printf("  epoch %d: loss %.4f per pair | %.2f s\n", e.epoch, e.train_loss, e.seconds);
        std::fflush(stdout);
        return true;
    });
    double seconds = 0;
    for (const EpochStats& e : history) seconds += e.seconds;
    std::printf("trained %zu epochs in %.2f s\n", history.size(), seconds);
    const RankingFigures ranking = rank_for_file(model, topn, args.topn, p.train.threads);
    if (!args.history.empty()) write_file_atomic(args.history, history_json(history) + "\n");
    if (!args.out.empty())
        save_trained_model(model, p, data, split, args.data, history, args.out, args.quiet, ranking);
    return 0;
}

int run_train(TrainArgs& args, const CLI::App& app) {
    // One threshold: what ALS trains on as positives is what the top-N figures count as hits.
    if (app.get_option("--positive-threshold")->count() > 0) args.model.positive_threshold = args.topn.positive_threshold;
    if (args.warm.given()) refuse_table_flags(app);  // before the flags are applied to a preset
    Preset p = args.model.build(args.model.preset);
    ModelFile parent;  // --init: the model this run continues
    if (args.warm.given()) {
        parent = load_parent(args.warm.init, app);
        use_parent_config(parent, app, args.model, p);
        // The new data is read as the parent's was (its delimiter, columns...) unless reading flags are given.
        if (!args.data.any_read_flag())
            args.data.use_reading(parent.info.reading, parent.info.min_rating, parent.info.max_rating);
    }
    if (p.model.objective == Objective::Implicit) return run_train_als(args, p);
    if (p.model.objective == Objective::Bpr) return run_train_bpr(args, p);
    ResumableRun run(args.checkpoint, app, args.model, p, args.data);
    Dataset data = load_data(args.data, args.quiet);
    if (args.warm.given()) extend_vocabularies(parent, data, args.quiet);
    fit_preset_to_data(p, data);
    Split split;
    const TopNCases topn = split_for_training(args, p, data, split);  // cases only when --protocol is given
    run.use_data(data);
    Model model = args.warm.given() ? warm_model(parent, p, data, count_items(data, split.train),
                                                 count_users(data, split.train))
                                    : Model(p.model, data.users.size(), data.items.size(), data.max_rating,
                                            count_items(data, split.train), count_users(data, split.train), p.train.seed);
    if (!args.quiet) print_plan(args, p, split, model);
    Trainer trainer(model, p.train);
    run.restore(model, trainer);
    const bool early_stopping = p.train.early_stopping > 0;
    const TrainingCallbacks report = early_stopping
                                         ? early_stopping_printer(p.train, model, data, split, args.quiet)
                                         : epoch_printer(args.quiet);
    const TrainingOutcome outcome = run.train(trainer, model, data, split, report, args.quiet);
    if (!outcome.completed) return 130;
    if (early_stopping) print_best_epoch(outcome, model, data, split, p.train.threads);
    const RankingFigures ranking = rank_for_file(model, topn, args.topn, p.train.threads);
    if (!args.history.empty()) write_file_atomic(args.history, history_json(trainer.history()) + "\n");
    if (!args.out.empty())
        save_trained_model(model, p, data, split, args.data, trainer.history(), args.out, args.quiet, ranking,
                           parent.info.parent_hash);
    return 0;
}
}  // namespace

Command add_train(CLI::App& root) {
    auto args = std::make_shared<TrainArgs>();
    CLI::App* app = root.add_subcommand("train", "train a model on MovieLens ratings");
    app->footer(
        "Examples:\n"
        "  memrec train --data ~/ml-1m                          the reference baseline (3 epochs, dense Adam)\n"
        "  memrec train --preset memeff --adam lazy --epochs 10  the compressed model, lazy Adam\n"
        "  memrec train --item-table md --blocks 300,1500 --alpha 0.4 --history h.json\n"
        "  memrec train --preset memeff --checkpoint ckpt     resumable: Ctrl-C, then the same with --resume ckpt\n"
        "  memrec train --objective als --out als.mrec        implicit ALS for top-N (dim 64, alpha 3, lambda 30)\n"
        "  memrec train --objective bpr --item-table qr --out bpr.mrec   BPR for top-N, any item table");
    args->data.add_to(*app);
    args->data.add_eval_data(*app);
    args->warm.add_to(*app);
    const size_t first_model_flag = app->get_options().size();
    args->model.add_to(*app);
    args->checkpoint.note_model_flags(*app, first_model_flag);
    args->checkpoint.add_to(*app);
    args->topn.add_to(*app,
                      "rank at the end: visitors (10% of users held out whole, never trained on, folded in from "
                      "80% of their ratings; per-epoch figures on a validation slice of the training users) | "
                      "ratings (each user's own vector on their eval ratings)");
    app->add_option("--history", args->history, "write the per-epoch history as JSON to this file");
    app->add_option("--out", args->out, "save the trained model to this file (.mrec, f32; see memrec export)");
    app->add_flag("-q,--quiet", args->quiet, "print only the final figures");

    return {app, [args, app]() { return run_train(*args, *app); }};
}

}  // namespace memrec::cli
