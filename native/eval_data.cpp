// --eval-data (eval_data.h).
#include "eval_data.h"

#include <cstdio>
#include <numeric>
#include <vector>

namespace memrec::cli {

std::string eval_data_text(const std::string& path, const EvalDataCounts& c) {
    return "eval data: " + path + ": " + format_count(c.lines) + " ratings, " + format_count(c.unseen_users) +
           " users (" + format_count(c.user_ratings) + " ratings) and " + format_count(c.unseen_items) +
           " items (" + format_count(c.item_ratings) + " ratings) unseen in training, " + format_count(c.dropped) +
           " ratings not evaluated, " + format_count(c.kept) + " evaluated";
}

Split attach_eval_data(Dataset& data, const DataOptions& opts, bool quiet, EvalDataCounts* out) {
    const Dataset eval = read_dataset(opts.eval_data, opts.read_options());
    EvalDataCounts c;
    c.lines = static_cast<int64_t>(eval.size());
    std::vector<int32_t> user_map(size_t(eval.users.size())), item_map(size_t(eval.items.size()));
    for (int32_t u = 0; u < eval.users.size(); ++u) {
        user_map[size_t(u)] = data.users.find(eval.users.id(u));
        c.unseen_users += user_map[size_t(u)] < 0;
    }
    for (int32_t i = 0; i < eval.items.size(); ++i) {
        item_map[size_t(i)] = data.items.find(eval.items.id(i));
        c.unseen_items += item_map[size_t(i)] < 0;
    }
    Split split;
    split.train.resize(data.size());
    std::iota(split.train.begin(), split.train.end(), 0u);
    for (size_t k = 0; k < eval.size(); ++k) {
        const int32_t u = user_map[size_t(eval.user[k])], i = item_map[size_t(eval.item[k])];
        c.user_ratings += u < 0;
        c.item_ratings += i < 0;
        if (u < 0 || i < 0) {
            ++c.dropped;
            continue;
        }
        split.eval.push_back(static_cast<uint32_t>(data.size()));
        data.user.push_back(u);
        data.item.push_back(i);
        data.rating.push_back(eval.rating[k]);
    }
    c.kept = static_cast<int64_t>(split.eval.size());
    if (out != nullptr) *out = c;
    const std::string line = eval_data_text(eval.ratings_path, c);
    if (c.kept == 0)
        throw UsageError("--eval-data " + opts.eval_data + ": no rating has a user and an item seen in training (" +
                         line + ")");
    if (!quiet)
        std::printf("%s\n", line.c_str());
    else if (c.dropped > 0)
        std::fprintf(stderr, "memrec: %s\n", line.c_str());
    return split;
}

Split split_or_eval_data(Dataset& data, const DataOptions& opts, bool quiet) {
    if (!opts.eval_data.empty()) return attach_eval_data(data, opts, quiet);
    return split_dataset(data, opts.train_fraction, opts.split_seed);
}

}  // namespace memrec::cli
