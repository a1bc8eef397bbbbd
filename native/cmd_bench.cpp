// memrec bench: training throughput per preset, Adam mode and thread count (median over epochs), the time
// to read the ratings, and the process's peak resident memory.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <optional>
#include <utility>

#include "bench_time_to.h"
#include "cli.h"
#include "memrec/enum_codes.h"
#include "memrec/io.h"
#include "memrec/kernels.h"
#include "memrec/reader.h"

namespace memrec::cli {

namespace {

struct BenchArgs {
    DataOptions data;
    std::string presets = "baseline,memeff";
    std::string modes = "lazy,dense";
    std::string optimizers = "preset";  // "preset": each preset's own
    std::optional<double> time_to;  // --time-to RMSE: the time-to-accuracy table instead of throughput
    int repeats = 3;
    std::string threads = "1,2";
    int epochs = 5;
    int reads = 5;
    std::string json;
};

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

struct Spread {
    double median = 0, min = 0, max = 0;
};

Spread spread(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return {n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v.front(), v.back()};
}

double peak_rss_mb() {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// Ratings per second and seconds per epoch over p.train.epochs epochs (nothing evaluated between them).
std::pair<Spread, Spread> measure_training(Preset p, const Dataset& data, const Split& split,
                                           const std::vector<int64_t>& item_counts,
                                           const std::vector<int64_t>& user_counts) {
    fit_preset_to_data(p, data);
    Model model(p.model, data.users.size(), data.items.size(), data.max_rating, item_counts, user_counts,
                p.train.seed);
    Trainer trainer(model, p.train);
    std::vector<double> rates, secs;
    for (int e = 0; e < p.train.epochs; ++e) {
        EpochStats st = trainer.train_epoch(data, split.train, {}, {});
        rates.push_back(st.ratings_per_second);
        secs.push_back(st.seconds);
    }
    return {spread(rates), spread(secs)};
}

int run_time_to(const BenchArgs& args, const std::string& path) {
    const double target = *args.time_to;
    std::printf("time to eval RMSE <= %.4f (reading included; model chosen on the validation slice), "
                "median of %d runs\n", target, args.repeats);
    std::printf("%-12s %-10s %8s %10s %10s %10s %10s %8s %10s\n", "preset", "optimizer", "threads", "seconds", "min",
                "max", "read s", "epoch", "rmse");
    nlohmann::json results = nlohmann::json::array();
    for (const auto& preset_name : split_list(args.presets)) {
        for (const auto& th : split_list(args.threads)) {
            Preset p = preset(preset_name);
            try {
                p.train.threads = std::stoi(th);
            } catch (const std::exception&) {
                throw UsageError("--threads: '" + th + "' is not a number");
            }
            std::vector<double> secs, reads;
            TimeToRun last;
            bool all_reached = true;
            for (int r = 0; r < args.repeats; ++r) {
                last = time_to_rmse(path, args.data, p, target);
                secs.push_back(last.seconds);
                reads.push_back(last.read_seconds);
                all_reached = all_reached && last.reached;
            }
            const Spread s = spread(secs), rd = spread(reads);
            std::printf("%-12s %-10s %8d %10.3f %10.3f %10.3f %10.3f %8d %10.4f%s\n", preset_name.c_str(),
                        to_string(p.train.adam.optimizer), p.train.threads, s.median, s.min, s.max, rd.median,
                        last.chosen_epoch, last.chosen_rmse, all_reached ? "" : "  (not reached)");
            std::fflush(stdout);
            results.push_back({{"preset", preset_name},
                               {"optimizer", to_string(p.train.adam.optimizer)},
                               {"threads", p.train.threads},
                               {"target_rmse", target},
                               {"reached", all_reached},
                               {"seconds_median", s.median},
                               {"seconds_min", s.min},
                               {"seconds_max", s.max},
                               {"read_seconds_median", rd.median},
                               {"chosen_epoch", last.chosen_epoch},
                               {"chosen_eval_rmse", last.chosen_rmse}});
        }
    }
    if (!args.json.empty()) write_file_atomic(args.json, nlohmann::json{{"time_to", results}}.dump(2) + "\n");
    return 0;
}

}  // namespace

Command add_bench(CLI::App& root) {
    auto args = std::make_shared<BenchArgs>();
    CLI::App* app = root.add_subcommand("bench", "measure reading and training throughput");
    app->footer(
        "Examples:\n"
        "  memrec bench --data ~/ml-1m              the reference's models x Adam mode x {1, 2} threads\n"
        "  memrec bench --presets baseline --modes lazy --threads 2 --epochs 9 --json bench.json\n"
        "  memrec bench --presets fast --threads 2  AdaGrad, the preset's own optimizer\n"
        "  memrec bench --presets fast --optimizers adagrad,adam --modes lazy   both on fast's model");
    args->data.add_to(*app);
    app->add_option("--presets", args->presets, "comma-separated presets")->capture_default_str();
    app->add_option("--modes", args->modes, "comma-separated Adam modes (lazy, dense, dense-sweep)")
        ->capture_default_str();
    app->add_option("--threads", args->threads, "comma-separated thread counts")->capture_default_str();
    app->add_option("--epochs", args->epochs, "epochs per configuration (the median is reported)")
        ->capture_default_str();
    app->add_option("--reads", args->reads, "times the ratings are read for the load-time median")
        ->capture_default_str();
    app->add_option("--optimizers", args->optimizers,
                    "comma-separated optimizers: preset (each preset's own), adam, adagrad, sgd; adam runs "
                    "each of --modes, and a preset trained with another optimizer keeps its other settings")
        ->capture_default_str();
    app->add_option("--time-to", args->time_to,
                    "instead of throughput: wall seconds (reading included) until the model chosen on the validation "
                    "slice first reaches this eval RMSE, per preset (median of --repeats runs)");
    app->add_option("--repeats", args->repeats, "runs per preset for --time-to")->capture_default_str();
    app->add_option("--json", args->json, "also write the results as JSON");

    return {app, [args]() {
                const std::string path = args->data.resolve();
                if (args->time_to) return run_time_to(*args, path);
                // Checked before the data is read: the optimizer names ("preset" aside) and the Adam modes.
                const std::vector<std::string> optimizer_names = split_list(args->optimizers);
                for (const auto& o : optimizer_names)
                    if (o != "preset" && !enum_by_name(kOptimizers, o))
                        throw UsageError("--optimizers: unknown optimizer '" + o + "' (expected preset, " +
                                         enum_list(kOptimizers, false) + ")");
                for (const auto& mode : split_list(args->modes)) parse_adam_mode(mode);
                std::vector<double> read_seconds;
                Dataset data;
                for (int r = 0; r < args->reads; ++r) {
                    const auto t0 = std::chrono::steady_clock::now();
                    data = read_dataset(path, args->data.read_options());
                    read_seconds.push_back(
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
                }
                const Spread rs = spread(read_seconds);
                std::printf("read %s: %s ratings, median %.3f s (min %.3f, max %.3f over %d reads)\n",
                            data.ratings_path.c_str(), format_count(int64_t(data.size())).c_str(), rs.median,
                            rs.min, rs.max, args->reads);
                std::printf("kernels: %s\n", kernels::active());
                Split split = split_dataset(data, args->data.train_fraction, args->data.split_seed);
                const auto item_counts = count_items(data, split.train);
                const auto user_counts = count_users(data, split.train);

                nlohmann::json results = nlohmann::json::array();
                std::printf("%-10s %-16s %8s %16s %16s %16s %12s\n", "preset", "optimizer", "threads",
                            "ratings/s", "min", "max", "s/epoch");
                // A preset's (optimizer, Adam mode or "-") pairs, each once.
                auto rules_of = [&](const Preset& p) {
                    std::vector<std::pair<Optimizer, std::string>> rules;
                    auto add = [&rules](Optimizer opt, const std::string& mode) {
                        if (std::find(rules.begin(), rules.end(), std::pair{opt, mode}) == rules.end())
                            rules.emplace_back(opt, mode);
                    };
                    for (const auto& o : optimizer_names) {
                        const Optimizer opt = o == "preset" ? p.train.adam.optimizer : parse_optimizer(o);
                        if (opt != Optimizer::Adam) add(opt, "-");
                        else
                            for (const auto& mode : split_list(args->modes)) add(opt, mode);
                    }
                    return rules;
                };
                for (const auto& preset_name : split_list(args->presets)) {
                    for (const auto& [opt, mode] : rules_of(preset(preset_name))) {
                        for (const auto& th : split_list(args->threads)) {
                            Preset p = preset(preset_name);
                            p.train.adam.optimizer = opt;
                            if (mode != "-") p.train.adam.mode = parse_adam_mode(mode);
                            p.train.epochs = args->epochs;
                            try {
                                p.train.threads = std::stoi(th);
                            } catch (const std::exception&) {
                                throw UsageError("--threads: '" + th + "' is not a number");
                            }
                            const auto [r, s] = measure_training(p, data, split, item_counts, user_counts);
                            const std::string rule = opt == Optimizer::Adam ? "adam:" + mode : to_string(opt);
                            std::printf("%-10s %-16s %8d %16.0f %16.0f %16.0f %12.3f\n", preset_name.c_str(),
                                        rule.c_str(), p.train.threads, r.median, r.min, r.max, s.median);
                            std::fflush(stdout);
                            results.push_back({{"preset", preset_name},
                                               {"optimizer", to_string(opt)},
                                               {"adam", mode},
                                               {"threads", p.train.threads},
                                               {"epochs", args->epochs},
                                               {"ratings_per_second_median", r.median},
                                               {"ratings_per_second_min", r.min},
                                               {"ratings_per_second_max", r.max},
                                               {"seconds_per_epoch_median", s.median}});
                        }
                    }
                }
                const double rss = peak_rss_mb();
                std::printf("peak resident memory: %.1f MB\n", rss);
                if (!args->json.empty()) {
                    nlohmann::json j{{"read_seconds_median", rs.median},
                                     {"read_seconds_min", rs.min},
                                     {"read_seconds_max", rs.max},
                                     {"kernels", kernels::active()},
                                     {"peak_rss_mb", rss},
                                     {"training", results}};
                    write_file_atomic(args->json, j.dump(2) + "\n");
                }
                return 0;
            }};
}

}  // namespace memrec::cli
