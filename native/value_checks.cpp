// Checks on flag values made before any work: numeric ranges and lists, and the named choices (table
// kinds, combiners, Adam modes, presets, checked by the core's own parsers so their names live in one
// place), attached by name to every subcommand that has the flag, so that a bad value is a usage error at
// parse time (exit status 2, one line naming the flag) whichever subcommand it was given to. The training
// settings' ranges are their fields' (train_fields.h), which the core's validate() checks too; these checks
// are there to name the flag.
// And output paths, so that a training run does not end by failing to write its results.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli.h"
#include "memrec/error.h"
#include "memrec/reader.h"

namespace memrec::cli {

namespace {

// The whole string as a number, or false.
bool parse_double(const std::string& s, double& v) {
    if (s.empty()) return false;
    char* end = nullptr;
    errno = 0;
    v = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

bool parse_integer(const std::string& s, long long& v) {
    if (s.empty()) return false;
    char* end = nullptr;
    errno = 0;
    v = std::strtoll(s.c_str(), &end, 10);
    return end == s.c_str() + s.size() && errno == 0;
}

// Digits with an optional sign: a whole number, whether or not it fits a type.
bool whole_number_text(const std::string& s) {
    const size_t digits = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    return s.size() > digits && s.find_first_not_of("0123456789", digits) == std::string::npos;
}

// "" when `s` is a whole number in [lo, hi]; else what is wrong with it ("out of range" for one that is a
// whole number too large for the flag's type, rather than "expected a whole number").
std::string whole_number_problem(const std::string& s, long long lo, unsigned long long hi) {
    const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    if (!whole_number_text(s)) return "expected a whole number, got '" + s + "'";
    errno = 0;
    if (s[0] == '-') {
        const long long v = std::strtoll(s.c_str(), nullptr, 10);
        return errno == ERANGE || v < lo ? s + " is out of range " + range : std::string();
    }
    const unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
    return errno == ERANGE || v > hi ? s + " is out of range " + range : std::string();
}

CLI::Validator at_least(long long min, const char* what, unsigned long long max = LLONG_MAX) {
    return CLI::Validator(
        [min, what, max](std::string& s) -> std::string {
            long long v;
            if (whole_number_text(s) && (!parse_integer(s, v) || (v >= min && static_cast<unsigned long long>(v) > max)))
                return whole_number_problem(s, min, max);
            if (!parse_integer(s, v)) return std::string("expected a whole number, got '") + s + "'";
            if (v < min) return std::string("must be ") + what + ", got " + s;
            return {};
        },
        "", "");
}

enum class Bound { Open, Closed };

// A finite number in [lo, hi] or (lo, hi) (hi may be infinite).
CLI::Validator number_in(double lo, Bound lo_bound, double hi, Bound hi_bound, const char* what) {
    return CLI::Validator(
        [=](std::string& s) -> std::string {
            double v;
            if (!parse_double(s, v)) return std::string("expected a number, got '") + s + "'";
            const bool ok = std::isfinite(v) && (lo_bound == Bound::Open ? v > lo : v >= lo) &&
                            (hi_bound == Bound::Open ? v < hi : v <= hi);
            if (!ok) return std::string("must be ") + what + ", got " + s;
            return {};
        },
        "", "");
}

// A comma-separated list of whole numbers >= 1 ("400,1700").
CLI::Validator positive_list(const char* example) {
    return CLI::Validator(
        [example](std::string& s) -> std::string {
            for (size_t b = 0, e; b <= s.size(); b = e + 1) {
                e = s.find(',', b);
                if (e == std::string::npos) e = s.size();
                long long v;
                if (!parse_integer(s.substr(b, e - b), v) || v < 1)
                    return std::string("expected whole numbers >= 1 separated by commas, like ") + example +
                           ", got '" + s + "'";
            }
            return {};
        },
        "", "");
}

// A named choice: accepted when the core's parser accepts it, else refused with the parser's message.
template <class Parse>
CLI::Validator parsed_by(Parse parse) {
    return CLI::Validator(
        [parse](std::string& s) -> std::string {
            try {
                parse(s);
            } catch (const ConfigError& e) {
                return e.what();
            }
            return {};
        },
        "", "");
}

// Attaches `v` to the flag `name` of `app` when it has one of type `type` (bench's --threads, for one, is a
// list of counts, not a count).
void check(CLI::App& app, const char* name, const char* type, const CLI::Validator& v) {
    try {
        CLI::Option* o = app.get_option(name);
        const std::string t = o->get_type_name();
        if (t.substr(0, t.find(':')) == type) o->check(v);
    } catch (const CLI::OptionNotFound&) {
        // This subcommand has no such flag.
    }
}

// A training setting's value: a number of the field's type in the field's range (train_fields.h).
CLI::Validator in_range(const TrainField& f) {
    const bool integer = f.type != FieldType::F64;
    return CLI::Validator(
        [&f, integer](std::string& s) -> std::string {
            double v = 0;
            long long i = 0;
            if (integer && f.type == FieldType::U64 && whole_number_text(s) && s[0] != '-') {
                const std::string problem = whole_number_problem(s, 0, ULLONG_MAX);
                if (!problem.empty()) return problem;
                const std::string range = range_problem(f, static_cast<double>(std::strtoull(s.c_str(), nullptr, 10)));
                return range.empty() ? range : range + ", got " + s;
            }
            if (integer && whole_number_text(s) && !parse_integer(s, i))
                return whole_number_problem(s, f.type == FieldType::Int ? INT_MIN : LLONG_MIN,
                                            f.type == FieldType::Int ? INT_MAX : LLONG_MAX);
            if (integer && f.type == FieldType::Int && (i > INT_MAX || i < INT_MIN))
                return whole_number_problem(s, INT_MIN, INT_MAX);
            if (integer && !parse_integer(s, i)) return std::string("expected a whole number, got '") + s + "'";
            if (!integer && !parse_double(s, v)) return std::string("expected a number, got '") + s + "'";
            const std::string problem = range_problem(f, integer ? static_cast<double>(i) : v);
            return problem.empty() ? problem : problem + ", got " + s;
        },
        "", "");
}

// The type name CLI11 gives an option bound to a member of the field's type.
const char* type_name(FieldType t) {
    switch (t) {
        case FieldType::Int:
        case FieldType::Int64: return "INT";
        case FieldType::U64: return "UINT";  // CLI11 would wrap "-3" around to 2^64 - 3
        case FieldType::F64: return "FLOAT";
        case FieldType::Bool: return "BOOLEAN";
        case FieldType::AdamMode:
        case FieldType::Optimizer: return "TEXT";
    }
    return "";
}

void add_checks(CLI::App& app) {
    const double inf = HUGE_VAL;
    const CLI::Validator positive = at_least(1, "at least 1");
    const CLI::Validator penalty = number_in(0, Bound::Closed, inf, Bound::Open, "a number >= 0");
    // The training settings' flags, from their fields (bench's --epochs, eval's --threads and split's --seed
    // mean the same and are checked the same).
    for (const TrainingFlag& t : training_flags()) {
        if (t.field->type == FieldType::AdamMode) check(app, t.flag, "TEXT", parsed_by(parse_adam_mode));
        else if (t.field->type == FieldType::Optimizer) check(app, t.flag, "TEXT", parsed_by(parse_optimizer));
        else if (t.field->type != FieldType::Bool) check(app, t.flag, type_name(t.field->type), in_range(*t.field));
    }
    // int flags: a value beyond int's range is out of range, not "could not convert".
    for (const char* name : {"--dim", "--top", "--count", "--reads", "--iterations"})
        check(app, name, "INT", at_least(1, "at least 1", INT_MAX));
    for (const char* name : {"--user-buckets", "--item-buckets", "--budget", "--user-budget", "--item-budget"})
        check(app, name, "INT", positive);
    check(app, "--split-seed", "UINT", at_least(0, "0 or more", ULLONG_MAX));  // CLI11 would wrap "-3" around to 2^64 - 3
    check(app, "--als-lambda", "FLOAT", number_in(0, Bound::Open, inf, Bound::Open, "a positive number"));
    check(app, "--als-alpha", "FLOAT", penalty);
    check(app, "--positive-threshold", "FLOAT", number_in(-inf, Bound::Open, inf, Bound::Open, "a finite number"));
    check(app, "--train-fraction", "FLOAT", number_in(0, Bound::Open, 1, Bound::Open, "in (0, 1)"));
    check(app, "--alpha", "FLOAT", number_in(0, Bound::Closed, 1, Bound::Closed, "in [0, 1]"));
    for (const char* name : {"--user-table", "--item-table"}) check(app, name, "TEXT", parsed_by(parse_table_kind));
    check(app, "--combiner", "TEXT", parsed_by(parse_combiner));
    check(app, "--preset", "TEXT", parsed_by(memrec::preset));
    check(app, "--blocks", "TEXT", positive_list("400,1700"));
    check(app, "--block-dims", "TEXT", positive_list("64,32,16"));
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) add_checks(*sub);
}

}  // namespace

void add_value_checks(CLI::App& root) { add_checks(root); }

std::string unknown_flag(const CLI::App& root, int argc, char** argv) {
    if (argc < 2) return {};
    const CLI::App* sub = nullptr;
    try {
        sub = root.get_subcommand(argv[1]);
    } catch (const CLI::Error&) {
        return {};
    }
    bool value_next = false;  // the previous token was a flag that takes a value
    for (int i = 2; i < argc; ++i) {
        const std::string token = argv[i];
        if (value_next) {
            value_next = false;
            continue;
        }
        double number;
        if (token.size() < 2 || token[0] != '-' || token == "--" || parse_double(token, number)) continue;
        const std::string name = token.substr(0, token.find('='));
        const CLI::Option* o = sub->get_option_no_throw(name);
        if (o == nullptr && name.size() > 2 && name[1] != '-') continue;  // bundled short flags: leave to CLI11
        if (o == nullptr) return name;
        value_next = name == token && o->get_expected_min() > 0;
    }
    return {};
}

void check_output_file(const std::string& path, const std::string& flag) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path.empty()) throw UsageError(flag + " needs a file name");
    if (fs::is_directory(path, ec)) throw UsageError(flag + " " + path + ": is a directory, expected a file name");
    // Files are replaced by renaming a new one over them: that must never replace a device, a pipe or a
    // link to one (/dev/null, /dev/stdout) with a regular file.
    const bool link = fs::is_symlink(fs::symlink_status(path, ec));
    const fs::path target = link ? fs::canonical(path, ec) : fs::path(path);
    if ((link && ec) || (fs::exists(target, ec) && !fs::is_regular_file(target, ec)))
        throw UsageError(flag + " " + path + ": not a regular file (memrec replaces the file it writes)");
    if (fs::exists(path, ec) && ::access(path.c_str(), W_OK) != 0)
        throw UsageError(flag + " " + path + ": file is not writable");
    fs::path parent = fs::path(path).parent_path();
    if (parent.empty()) parent = ".";
    if (!fs::is_directory(parent, ec))
        throw UsageError(flag + " " + path + ": directory " + parent.string() + " does not exist");
    if (::access(parent.c_str(), W_OK) != 0)
        throw UsageError(flag + " " + path + ": directory " + parent.string() + " is not writable");
}

void check_output_dir(const std::string& dir, const std::string& flag) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (dir.empty()) throw UsageError(flag + " needs a directory name");
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec)) throw UsageError(flag + " " + dir + ": not a directory");
        if (::access(dir.c_str(), W_OK) != 0) throw UsageError(flag + " " + dir + ": directory is not writable");
        return;
    }
    // Created when first written: its nearest existing ancestor must be a writable directory.
    fs::path parent = fs::absolute(dir, ec).parent_path();
    while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.parent_path()) parent = parent.parent_path();
    if (!fs::is_directory(parent, ec) || ::access(parent.c_str(), W_OK) != 0)
        throw UsageError(flag + " " + dir + ": cannot create the directory (" + parent.string() +
                         " is not a writable directory)");
}

namespace {

// A file named on the command line, as read or written: "--data r.dat" is where messages point.
struct NamedFile {
    std::string flag;   // "--out", "the model"
    std::string given;  // the value given
    std::string path;   // the file itself (a file inside the folder given, for folders)
};

// What makes two names one file: the same device and inode when both exist, else the same canonical path
// (a file not written yet: its canonical parent and name).
struct FileIdentity {
    bool exists = false;
    dev_t dev = 0;
    ino_t ino = 0;
    std::string canonical;
};

FileIdentity identify(const std::string& path) {
    namespace fs = std::filesystem;
    FileIdentity id;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        id.exists = true;
        id.dev = st.st_dev;
        id.ino = st.st_ino;
    }
    std::error_code ec;
    id.canonical = fs::weakly_canonical(fs::absolute(path, ec), ec).lexically_normal().string();
    return id;
}

bool same_file(const FileIdentity& a, const FileIdentity& b) {
    if (a.exists && b.exists) return a.dev == b.dev && a.ino == b.ino;
    return a.canonical == b.canonical;
}

std::string inside(const std::string& dir, const char* name) { return (std::filesystem::path(dir) / name).string(); }

// The files --data reads: the ratings file (found in a folder as the reader finds it; a folder of sets
// means its ml-1m) and the titles beside it.
void add_data_files(const std::string& given, std::vector<NamedFile>& inputs) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::string ratings = given;
    if (fs::is_directory(given, ec)) {
        std::string folder = given;
        bool has_ratings = false;
        for (const char* f : {"ratings.dat", "u.data", "ratings.csv"}) has_ratings |= fs::exists(inside(given, f), ec);
        if (!has_ratings && fs::is_directory(inside(given, "ml-1m"), ec)) folder = inside(given, "ml-1m");
        try {
            ratings = find_ratings_file(folder).first;
        } catch (const Error&) {
            return;  // the reader says what is missing when the command runs
        }
    }
    inputs.push_back({"--data", given, ratings});
    const std::string beside = fs::path(ratings).parent_path().string();
    for (const char* titles : {"movies.dat", "u.item", "movies.csv"})
        if (fs::exists(inside(beside.empty() ? "." : beside, titles), ec))
            inputs.push_back({"--data", given, inside(beside.empty() ? "." : beside, titles)});
}

// Refuses a command line on which an output is the same file as an input (train --data r.dat --out r.dat
// would replace the ratings with the model) or as another output (--history m.mrec --out m.mrec).
void check_distinct_files(const CLI::App& sub) {
    std::vector<NamedFile> inputs, outputs;
    for (const CLI::Option* o : sub.get_options()) {
        if (o->count() == 0) continue;
        const bool positional = o->get_lnames().empty();
        const std::string name = positional ? o->get_name() : "--" + o->get_lnames().front();
        for (const std::string& v : o->results()) {
            if (v.empty()) continue;
            if (positional && name == "model") inputs.push_back({"the model", v, v});
            else if (name == "--data") add_data_files(v, inputs);
            else if (name == "--grid" || name == "--ratings-file") inputs.push_back({name, v, v});
            else if (name == "--split")
                for (const char* f : {"foldin.csv", "targets.csv"}) inputs.push_back({name, v, inside(v, f)});
            else if (name == "--resume") inputs.push_back({name, v, inside(v, "checkpoint.mrck")});
            else if (name == "--out" && sub.get_name() == "split")
                for (const char* f : {"train.csv", "foldin.csv", "targets.csv"}) outputs.push_back({name, v, inside(v, f)});
            else if (name == "--out" || name == "--history" || name == "--json") outputs.push_back({name, v, v});
            else if (name == "--checkpoint") outputs.push_back({name, v, inside(v, "checkpoint.mrck")});
            else if (name == "--npy")
                for (const char* f : {"user_embeddings.npy", "item_embeddings.npy", "user_bias.npy", "item_bias.npy",
                                      "users.txt", "items.txt", "titles.txt", "meta.json"})
                    outputs.push_back({name, v, inside(v, f)});
        }
    }
    auto shown = [](const NamedFile& f) {
        return f.flag + " " + f.given + (f.path == f.given ? "" : " (" + f.path + ")");
    };
    std::vector<FileIdentity> out_ids;
    for (const NamedFile& out : outputs) out_ids.push_back(identify(out.path));
    for (size_t i = 0; i < outputs.size(); ++i) {
        for (const NamedFile& in : inputs) {
            // --resume DIR goes on writing its checkpoint into DIR: reading it then replacing it is the point.
            if (in.flag == "--resume" && outputs[i].flag == "--checkpoint") continue;
            if (same_file(out_ids[i], identify(in.path)))
                throw UsageError(shown(outputs[i]) + " is the same file as " + shown(in) +
                                 ": memrec would replace its input; write somewhere else");
        }
        for (size_t j = 0; j < i; ++j)
            if (outputs[j].flag != outputs[i].flag && same_file(out_ids[i], out_ids[j]))
                throw UsageError(shown(outputs[i]) + " is the same file as " + shown(outputs[j]) +
                                 ": one would overwrite the other; give them different names");
    }
}

}  // namespace

void check_output_paths(const CLI::App& root) {
    for (const CLI::App* sub : root.get_subcommands()) {
        for (const CLI::Option* o : sub->get_options()) {
            if (o->count() == 0 || o->get_lnames().empty()) continue;
            const std::string name = "--" + o->get_lnames().front();
            for (const std::string& value : o->results()) {
                // split's --out is the folder its files go into.
                const bool dir = name == "--npy" || name == "--checkpoint" || (name == "--out" && sub->get_name() == "split");
                if (dir) check_output_dir(value, name);
                else if (name == "--out" || name == "--history" || name == "--json") check_output_file(value, name);
            }
        }
        check_distinct_files(*sub);
        check_output_paths(*sub);
    }
}

}  // namespace memrec::cli
