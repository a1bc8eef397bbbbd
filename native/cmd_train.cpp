// memrec train: the command's flags and help; the run itself (split, model, training, report, --out) is
// train_job.cpp's, shared with the Python module's memrec.train.
#include "cli.h"
#include "train_job.h"

namespace memrec::cli {

Command add_train(CLI::App& root) {
    auto args = std::make_shared<TrainJobOptions>();
    CLI::App* app = root.add_subcommand("train", "train a model on MovieLens ratings");
    app->footer(
        "Examples:\n"
        "  memrec train --data ~/ml-1m                          the reference baseline (3 epochs, dense Adam)\n"
        "  memrec train --preset memeff --adam lazy --epochs 10  the compressed model, lazy Adam\n"
        "  memrec train --item-table md --blocks 300,1500 --alpha 0.4 --history h.json\n"
        "  memrec train --preset memeff --checkpoint ckpt     resumable: Ctrl-C, then the same with --resume ckpt\n"
        "  memrec train --objective als --out als.mrec        implicit ALS for top-N (dim 64, alpha 3, lambda 30)\n"
        "  memrec train --objective bpr --item-table qr --out bpr.mrec   BPR for top-N, any item table");
    args->add_to(*app);

    // Ctrl-C stops a rating model's training after the current batch: exit status 130.
    return {app, [args, app]() { return run_train_job(*args, *app).interrupted ? 130 : 0; }};
}

}  // namespace memrec::cli
