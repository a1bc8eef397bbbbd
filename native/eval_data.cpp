// --eval-data (eval_data.h).
#include "eval_data.h"

#include <cstdio>
#include <numeric>
#include <vector>

namespace memrec::cli {

std::string eval_data_text(const std::string& path, const EvalDataCounts& c, const std::string& seen_by) {
    return "eval data: " + path + ": " + format_count(c.lines) + " ratings, " + format_count(c.unseen_users) +
           " users (" + format_count(c.user_ratings) + " ratings) and " + format_count(c.unseen_items) +
           " items (" + format_count(c.item_ratings) + " ratings) unseen " +
           (seen_by.empty() ? std::string("in training") : "by " + seen_by) + ", " + format_count(c.dropped) +
           " ratings not evaluated, " + format_count(c.kept) + " evaluated";
}

namespace {

// The ratings of `eval` whose user and item `users` and `items` know, as indices in those vocabularies,
// appended to `to`; the others counted in the result.
EvalDataCounts map_eval(const Dataset& eval, const Vocabulary& users, const Vocabulary& items, Dataset& to) {
    EvalDataCounts c;
    c.lines = static_cast<int64_t>(eval.size());
    std::vector<int32_t> user_map(size_t(eval.users.size())), item_map(size_t(eval.items.size()));
    for (int32_t u = 0; u < eval.users.size(); ++u) {
        user_map[size_t(u)] = users.find(eval.users.id(u));
        c.unseen_users += user_map[size_t(u)] < 0;
    }
    for (int32_t i = 0; i < eval.items.size(); ++i) {
        item_map[size_t(i)] = items.find(eval.items.id(i));
        c.unseen_items += item_map[size_t(i)] < 0;
    }
    for (size_t k = 0; k < eval.size(); ++k) {
        const int32_t u = user_map[size_t(eval.user[k])], i = item_map[size_t(eval.item[k])];
        c.user_ratings += u < 0;
        c.item_ratings += i < 0;
        if (u < 0 || i < 0) {
            ++c.dropped;
            continue;
        }
        to.user.push_back(u);
        to.item.push_back(i);
        to.rating.push_back(eval.rating[k]);
        ++c.kept;
    }
    return c;
}

}  // namespace

Metrics evaluate_on_file(const ModelFile& f, const DataOptions& opts, int threads, EvalDataCounts& counts,
                         std::string& path) {
    const Dataset eval = read_dataset(opts.eval_data, opts.read_options());
    path = eval.ratings_path;
    Dataset mapped;
    counts = map_eval(eval, f.users, f.items, mapped);
    if (counts.kept == 0)
        throw UsageError("--eval-data " + opts.eval_data + ": no rating has a user and an item the model knows (" +
                         eval_data_text(path, counts, "the model") + ")");
    std::vector<uint32_t> all(mapped.size());
    std::iota(all.begin(), all.end(), 0u);
    return evaluate(*f.model, mapped, all, threads);
}

Split attach_eval_data(Dataset& data, const DataOptions& opts, bool quiet, EvalDataCounts* out, const Warn& to) {
    const Dataset eval = read_dataset(opts.eval_data, opts.read_options());
    Split split;
    split.train.resize(data.size());
    std::iota(split.train.begin(), split.train.end(), 0u);
    const size_t first = data.size();
    const EvalDataCounts c = map_eval(eval, data.users, data.items, data);
    for (size_t k = first; k < data.size(); ++k) split.eval.push_back(static_cast<uint32_t>(k));
    if (out != nullptr) *out = c;
    const std::string line = eval_data_text(eval.ratings_path, c);
    if (c.kept == 0)
        throw UsageError("--eval-data " + opts.eval_data + ": no rating has a user and an item seen in training (" +
                         line + ")");
    if (!quiet)
        std::printf("%s\n", line.c_str());
    else if (c.dropped > 0)
        warn(to, line);
    return split;
}

Split split_or_eval_data(Dataset& data, const DataOptions& opts, bool quiet, EvalDataCounts* counts, const Warn& to) {
    if (!opts.eval_data.empty()) return attach_eval_data(data, opts, quiet, counts, to);
    return split_dataset(data, opts.train_fraction, opts.split_seed);
}

}  // namespace memrec::cli
