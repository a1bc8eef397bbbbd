// Shared pieces of the `memrec` command: how subcommands register, how data and model flags map onto the
// core's configs, and the console output (summary table, progress bar, history JSON).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "memrec/dataset.h"
#include "memrec/model_file.h"
#include "memrec/presets.h"
#include "memrec/reader.h"
#include "memrec/split.h"
#include "memrec/train_fields.h"
#include "memrec/trainer.h"

namespace memrec::cli {

// A usage problem found after parsing (a value out of range, a missing file argument): exit status 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A subcommand: its CLI11 app and what to run when it is the one given. run() returns the exit status.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

// One function per subcommand, each in its own cmd_*.cpp; main.cpp lists them.
Command add_train(CLI::App& root);
Command add_compare(CLI::App& root);
Command add_sweep(CLI::App& root);
Command add_export(CLI::App& root);
Command add_inspect(CLI::App& root);
Command add_eval(CLI::App& root);
Command add_split(CLI::App& root);
Command add_predict(CLI::App& root);
Command add_recommend(CLI::App& root);
Command add_demo_users(CLI::App& root);
Command add_titles(CLI::App& root);
Command add_bench(CLI::App& root);
Command add_synth(CLI::App& root);
// Range checks on the numeric flags of every subcommand (value_checks.cpp): call after adding them all.
void add_value_checks(CLI::App& root);
// Output flags of the subcommand given (--out, --history, --json files; --npy, --checkpoint directories)
// that could not be written: UsageError before any work is done.
void check_output_paths(const CLI::App& root);
// The first flag on the command line that the subcommand given does not have ("" if none): named in the
// message when CLI11 would report something else first (a missing positional, say).
std::string unknown_flag(const CLI::App& root, int argc, char** argv);
void check_output_file(const std::string& path, const std::string& flag);
void check_output_dir(const std::string& dir, const std::string& flag);

// --data and the split flags, shared by every subcommand that reads ratings.
struct DataOptions {
    std::string path;  // --data; empty: $MEMREC_DATA, then ./data
    double train_fraction = 0.85;
    uint64_t split_seed = 42;
    // How to read a delimited file of one's own (data_options.cpp): "" / empty when not given.
    std::string delimiter, user_column, item_column, rating_column, duplicates;
    bool no_header = false;
    std::optional<double> min_rating, max_rating;
    std::string eval_data;  // --eval-data (train): evaluate on this file instead of a split
    void add_to(CLI::App& app);         // --data, the split flags and the reading flags
    void add_read_flags(CLI::App& app);  // --delimiter ... --duplicates
    void add_eval_data(CLI::App& app);   // --eval-data
    ReadOptions read_options() const;    // the reading flags as the core's options; throws UsageError
    bool any_read_flag() const;          // --delimiter ... --duplicates: any given
    // The reading flags as a model file records them (none of the MovieLens defaults are recorded), and
    // back: a model's recorded reading flags as the flags, with the bounds it stored (min, max) for the
    // given ones. The eval file's name is recorded by training_metadata.
    ReadingInfo reading_info() const;
    void use_reading(const ReadingInfo& r, float min, float max);
    // The ratings folder or file to read: --data, else $MEMREC_DATA, else data/. A folder that holds
    // MovieLens sets rather than ratings (like $MEMREC_DATA) resolves to its ml-1m.
    std::string resolve() const;
};

Dataset load_data(const DataOptions& opts, bool quiet);

// Where a run's warnings go: stderr as "memrec: MESSAGE" when empty, else to the caller (the Python module
// turns them into Python warnings). MESSAGE is one line, "warning: ..." or a note.
using Warn = std::function<void(const std::string&)>;
void warn(const Warn& to, const std::string& message);
// The reading flags that read data as `r` records ("" for none: a MovieLens file as its format reads it);
// min and max are the bounds of the given --min-rating / --max-rating.
std::string reading_flags(const ReadingInfo& r, float min, float max);
// The summary line's note on a dataset's scale and merged lines: "scale 1..5 (from the data), 12 lines
// merged (--duplicates mean)".
std::string data_scale_text(const Dataset& d, const DataOptions& opts);

// A training setting's flag (training_flags.cpp): its type and range come from its field.
struct TrainingFlag {
    const char* flag;  // "--lr-decay"
    const char* help;
    bool show_default;
    const TrainField* field;
};
const std::vector<TrainingFlag>& training_flags();

// The training flags of a subcommand. CLI11 writes the values given into `values`; a setting whose flag
// was not given is std::nullopt from given() and left alone by apply().
struct TrainingOptions {
    TrainConfig values;
    void add_to(CLI::App& app);
    void apply(TrainConfig& t) const;  // every flag given, over `t`
    template <class T>
    std::optional<T> given(const std::string& flag) const {
        const CLI::Option* o = option(flag);
        if (o->count() == 0) return std::nullopt;
        for (const auto& [t, opt] : given_)
            if (opt == o) return field_ref<T>(*t->field, values);
        return std::nullopt;
    }

private:
    const CLI::Option* option(const std::string& flag) const;
    std::vector<std::pair<const TrainingFlag*, CLI::Option*>> given_;
};
// The training flags given to `app` (but `except`) as " --flag value" each, in the table's order.
std::string given_training_flags(const CLI::App& app, const std::string& except);

// Every model and training knob, applied on top of a preset. A setting not given on the command line is
// empty (std::nullopt, or an empty string for the named choices): the preset's value stands. Values are
// checked when parsed (add_value_checks) and again, with everything else, by the core's validate().
struct ModelOptions {
    std::string preset = "baseline";
    std::string user_table, item_table;  // full | qr | md | hash
    std::optional<int> dim;
    std::optional<int64_t> user_buckets, item_buckets;
    std::string combiner;
    std::string blocks, block_dims;  // "400,1700" and "64,32,16"
    std::optional<double> alpha;
    std::optional<int64_t> user_budget, item_budget;  // parameter budgets of mixed-dimension tables
    bool no_projection_bias = false;
    bool biases = false;
    std::string link;  // empty: the preset's
    TrainingOptions training;  // epochs, batch, Adam, threads, seed...
    std::string objective;  // rating | als
    std::optional<double> als_alpha, als_lambda;
    std::optional<int> iterations;  // ALS iterations (--epochs is read as such when this is not given)
    std::optional<float> positive_threshold;  // train's --positive-threshold (TopNOptions) when given
    bool all_rated_positive = false;
    void add_to(CLI::App& app, bool with_model_flags = true);
    void add_model_flags(CLI::App& app);     // preset, table kinds and shapes, biases
    void add_training_flags(CLI::App& app) { training.add_to(app); }
    void add_objective_flags(CLI::App& app);  // --objective and the ALS settings
    // The preset with every flag given on the command line applied; throws UsageError/ConfigError.
    Preset build(const std::string& preset_name) const;
};

// The preset's mixed-dimension blocks fitted to the data (presets.h fit_to_data); ends that still do not
// fit (given with --blocks) are refused, naming the table, the flag and the range they must be in.
void fit_preset_to_data(Preset& p, const Dataset& data);

// Output helpers.
void print_summary(const std::string& title, const Model& model);
ProgressFn progress_printer(bool quiet);
void print_epoch(const EpochStats& e);
std::string history_json(const std::vector<EpochStats>& history, int indent = 2);
std::string format_count(int64_t n);           // 622848 -> "622,848"
std::string format_bytes(double bytes);        // "2.38 MB"
int default_threads();

}  // namespace memrec::cli
