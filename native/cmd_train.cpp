// memrec train: read ratings, split, build a model from a preset and flags, train, report.
#include <cstdio>

#include "cli.h"
#include "memrec/io.h"
#include "memrec/split.h"

namespace memrec::cli {

namespace {
struct TrainArgs {
    DataOptions data;
    ModelOptions model;
    std::string history;
    bool quiet = false;
};
}  // namespace

Command add_train(CLI::App& root) {
    auto args = std::make_shared<TrainArgs>();
    CLI::App* app = root.add_subcommand("train", "train a model on MovieLens ratings");
    app->footer(
        "Examples:\n"
        "  memrec train --data ~/ml-1m                          the reference baseline (3 epochs, dense Adam)\n"
        "  memrec train --preset memeff --adam lazy --epochs 10  the compressed model, lazy Adam\n"
        "  memrec train --item-table md --blocks 300,1500 --alpha 0.4 --history h.json");
    args->data.add_to(*app);
    args->model.add_to(*app);
    app->add_option("--history", args->history, "write the per-epoch history as JSON to this file");
    app->add_flag("-q,--quiet", args->quiet, "print only the final figures");

    return {app, [args]() {
                Preset p = args->model.build(args->model.preset);
                Dataset data = load_data(args->data, args->quiet);
                Split split = split_dataset(data, args->data.train_fraction, args->data.split_seed);
                Model model(p.model, data.users.size(), data.items.size(), data.max_rating,
                            count_items(data, split.train), count_users(data, split.train), p.train.seed);
                if (!args->quiet) {
                    std::printf("split: %zu train, %zu eval (fraction %.2f, seed %llu)\n", split.train.size(),
                                split.eval.size(), args->data.train_fraction,
                                (unsigned long long)args->data.split_seed);
                    print_summary(p.name, model);
                    std::printf("training: %d epochs, batch %lld, lr %g, %s Adam, %d threads\n", p.train.epochs,
                                (long long)p.train.batch_size, p.train.adam.learning_rate,
                                to_string(p.train.adam.mode), p.train.threads);
                }
                Trainer trainer(model, p.train);
                auto progress = progress_printer(args->quiet);
                while (static_cast<int>(trainer.history().size()) < p.train.epochs) {
                    EpochStats e = trainer.train_epoch(data, split.train, split.eval, progress);
                    print_epoch(e);
                }
                if (!args->history.empty()) write_file_atomic(args->history, history_json(trainer.history()) + "\n");
                return 0;
            }};
}

}  // namespace memrec::cli
