// memrec train --init (warm_start.h).
#include "warm_start.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "memrec/error.h"
#include "memrec/io.h"

namespace memrec::cli {

void WarmStartOptions::add_to(CLI::App& app) {
    app.add_option("--init", init,
                   "continue from this model (.mrec): its rows for the ids it knows, fresh rows for new users and "
                   "items, its table configuration and (without --preset) its training settings");
}

namespace {

// Flags that shape the tables: the parent's configuration stands, so they cannot be given with --init.
constexpr const char* kTableFlags[] = {"--user-table", "--item-table", "--dim", "--user-buckets", "--item-buckets",
                                       "--combiner", "--blocks", "--block-dims", "--alpha", "--user-budget",
                                       "--item-budget", "--no-projection-bias", "--biases", "--link",
                                       "--objective", "--als-alpha", "--als-lambda", "--iterations",
                                       "--all-rated-positive"};

bool given(const CLI::App& app, const char* flag) {
    const CLI::Option* o = app.get_option_no_throw(flag);
    return o != nullptr && o->count() > 0;
}

}  // namespace

void refuse_table_flags(const CLI::App& app) {
    for (const char* flag : kTableFlags)
        if (given(app, flag))
            throw UsageError(std::string(flag) + " with --init: a warm start keeps the parent model's table "
                                                 "configuration (train from scratch to change it)");
}

ModelFile load_parent(const std::string& path, const CLI::App& app, const Warn& to) {
    refuse_table_flags(app);
    if (given(app, "--resume") || given(app, "--checkpoint"))
        throw UsageError(std::string(given(app, "--resume") ? "--resume" : "--checkpoint") +
                         " with --init: checkpoints do not record a parent model; warm-start without them");
    ModelFile parent = load_model(path);
    const Model& m = *parent.model;
    if (m.config().objective != Objective::Rating)
        throw UsageError("--init " + path +
                         ": an implicit (ALS) model stores its item rows only and ALS refits every user and item "
                         "in each iteration, so there is nothing to continue: train it from scratch");
    for (const auto& [side, table] : {std::pair{"user", &m.user_table()}, std::pair{"item", &m.item_table()}})
        if (table->kind() == TableKind::MixedDimension)
            throw UsageError("--init " + path + ": its " + side + " table is mixed-dimension (--" + side +
                             "-table md), whose blocks are cut by the parent data's frequencies and cannot take "
                             "new ids: train from scratch");
    if (parent.storage != Storage::F32)
        warn(to, "warning: --init " + path + " holds " + to_string(parent.storage) +
                     " tables: training continues from their rounded values");
    parent.info.parent_hash = content_hash(read_file(path));  // this file's hash, the child's parent
    return parent;
}

void use_parent_config(const ModelFile& parent, const CLI::App& app, const ModelOptions& flags, Preset& p) {
    const Model& m = *parent.model;
    p.model = m.config();
    // The tables' own configs: resolved bucket counts (a qr table's default rows / 50 would change with
    // the vocabulary), not the preset's.
    p.model.user = m.user_table().config();
    p.model.item = m.item_table().config();
    p.user_blocks_for = p.item_blocks_for = 0;  // the parent's shapes as they are
    if (!given(app, "--preset")) {
        const int threads = p.train.threads;
        p.train = parent.info.train;
        p.train.threads = threads;
        flags.training.apply(p.train);
        if (!parent.info.preset.empty()) p.name = parent.info.preset;
    }
}

void extend_vocabularies(const ModelFile& parent, Dataset& data, bool quiet) {
    Vocabulary users = parent.users, items = parent.items;
    std::vector<int32_t> user_map(size_t(data.users.size())), item_map(size_t(data.items.size()));
    for (int32_t u = 0; u < data.users.size(); ++u) user_map[size_t(u)] = users.add(data.users.id(u));
    for (int32_t i = 0; i < data.items.size(); ++i) item_map[size_t(i)] = items.add(data.items.id(i));
    const int64_t new_users = users.size() - parent.users.size(), new_items = items.size() - parent.items.size();
    for (auto& u : data.user) u = user_map[size_t(u)];
    for (auto& i : data.item) i = item_map[size_t(i)];
    if (!data.titles.empty() || !parent.titles.empty()) {
        std::vector<std::string> titles(size_t(items.size()));
        for (size_t i = 0; i < parent.titles.size(); ++i) titles[i] = parent.titles[i];
        for (size_t i = 0; i < data.titles.size(); ++i)
            if (!data.titles[i].empty()) titles[size_t(item_map[i])] = data.titles[i];
        data.titles = std::move(titles);
    }
    data.users = std::move(users);
    data.items = std::move(items);
    if (!quiet)
        std::printf("warm start: %s users and %s items from the parent, %s new users and %s new items\n",
                    format_count(parent.users.size()).c_str(), format_count(parent.items.size()).c_str(),
                    format_count(new_users).c_str(), format_count(new_items).c_str());
}

Model warm_model(const ModelFile& parent, const Preset& p, const Dataset& data, const std::vector<int64_t>& item_counts,
                 const std::vector<int64_t>& user_counts, const Warn& warn_to) {
    const Model& old = *parent.model;
    if (data.max_rating != old.scale()) {
        char line[120];
        std::snprintf(line, sizeof line, "warning: the data's scale tops at %g, the parent's output scale is %g: kept",
                      double(data.max_rating), double(old.scale()));
        warn(warn_to, line);
    }
    Model model(p.model, data.users.size(), data.items.size(), old.scale(), item_counts, user_counts, p.train.seed);
    std::vector<Param*> to = model.params();
    const std::vector<const Param*> from = old.params();
    if (to.size() != from.size()) throw Error("warm start: the parent has a different number of parameters");
    for (size_t k = 0; k < to.size(); ++k) {
        Param& t = *to[k];
        const Param& f = *from[k];
        // Rows are ids (or buckets, or quotients id / buckets that keep their place as rows grow): the
        // parent's rows are the first ones.
        if (t.name != f.name || t.cols != f.cols || t.rows < f.rows)
            throw Error("warm start: parameter " + t.name + " has no room for the parent's " + f.name);
        std::memcpy(t.data.data(), f.data.data(), f.data.size() * sizeof(float));
    }
    return model;
}

}  // namespace memrec::cli
