#include "topn_cli.h"

#include <cstdio>
#include <filesystem>
#include <numeric>

#include "memrec/io.h"
#include "memrec/reader.h"
#include "model_cli.h"

namespace memrec::cli {

namespace {

std::vector<int32_t> model_items(const ModelFile& file, const Vocabulary& items) {
    std::vector<int32_t> map(size_t(items.size()));
    for (int32_t i = 0; i < items.size(); ++i) map[size_t(i)] = file.items.find(items.id(i));
    return map;
}

// Training ratings per model item, counted over `indices` of `data` (popularity and its percentiles): the
// training users' ratings, whatever validation slice the model was trained without.
std::vector<int64_t> model_item_counts(const ModelFile& file, const Dataset& data, const std::vector<uint32_t>& indices) {
    const std::vector<int32_t> map = model_items(file, data.items);
    std::vector<int64_t> counts(size_t(file.model->items()), 0);
    for (uint32_t k : indices)
        if (map[size_t(data.item[k])] >= 0) ++counts[size_t(map[size_t(data.item[k])])];
    return counts;
}

// Visitors the model has a user row for were trained on: their figures flatter it.
void warn_if_trained_on(const ModelFile& file, const Dataset& data, const std::vector<int32_t>& visitors) {
    int64_t known = 0;
    for (int32_t u : visitors) known += file.users.find(data.users.id(u)) >= 0;
    if (known > 0)
        std::fprintf(stderr,
                     "memrec: warning: the model was trained on %lld of the %zu held-out visitors, so their figures "
                     "are optimistic (train with --protocol visitors)\n",
                     (long long)known, visitors.size());
}

size_t total_size(const std::vector<std::vector<uint32_t>>& groups) {
    size_t n = 0;
    for (const auto& g : groups) n += g.size();
    return n;
}

void print_row(const char* name, const TopNMetrics& m) {
    std::printf("  %-12s %9.4f %9.4f %7.4f %12lld %11.1f\n", name, m.recall20, m.ndcg100, m.hr10,
                (long long)m.coverage10, m.popularity_percentile);
}

}  // namespace

void TopNOptions::add_to(CLI::App& app, const std::string& protocol_help) {
    app.add_option("--protocol", protocol, protocol_help)->check(CLI::IsMember({"visitors", "ratings"}));
    app.add_option("--positive-threshold", positive_threshold, "a target rated at least this is a positive")
        ->capture_default_str();
}

TopNCases hold_out_visitors(Dataset& data, Split& split, const DataOptions& opts, double validation_fraction,
                            float positive_threshold, bool quiet) {
    const VisitorSplit vs = split_visitors(data, kHeldOutUsers, kFoldInFraction, opts.split_seed);
    TopNCases c;
    c.visitors = true;
    c.cases = visitor_cases(data, vs, positive_threshold);
    Dataset train = training_users_data(data, vs);
    std::vector<uint32_t> all(train.size());
    std::iota(all.begin(), all.end(), 0u);
    split = carve_validation(all, validation_fraction, opts.split_seed);
    c.item_counts = count_items(data, vs.train);
    if (!quiet)
        std::printf("visitors: %zu users held out (seed %llu), %zu fold-in and %zu target ratings; %d training users\n",
                    vs.visitors.size(), (unsigned long long)opts.split_seed, total_size(vs.foldin),
                    total_size(vs.targets), train.users.size());
    data = std::move(train);
    return c;
}

TopNCases model_visitor_cases(const ModelFile& file, const DataOptions& given, const CLI::App& app,
                              float positive_threshold, bool quiet) {
    const DataOptions opts = stored_data_options(file, given, app);
    const Dataset data = load_data(opts, quiet);
    const VisitorSplit vs = split_visitors(data, kHeldOutUsers, kFoldInFraction, opts.split_seed);
    warn_if_trained_on(file, data, vs.visitors);
    if (!quiet)
        std::printf("visitors: %zu users held out (seed %llu), %zu fold-in and %zu target ratings\n",
                    vs.visitors.size(), (unsigned long long)opts.split_seed, total_size(vs.foldin),
                    total_size(vs.targets));
    return {true, visitor_cases(data, vs, positive_threshold, model_items(file, data.items)),
            model_item_counts(file, data, vs.train)};
}

namespace {
// Popularity from DIR/train.csv, as any other library would count it; the model's own counts without it.
std::vector<int64_t> split_dir_counts(const ModelFile& file, const std::string& dir) {
    const std::string train = (std::filesystem::path(dir) / "train.csv").string();
    std::error_code ec;
    if (!std::filesystem::exists(train, ec)) return file.item_counts;
    ReadOptions ro;
    ro.format = RatingFormat::Delimited;
    ro.read_titles = false;
    const Dataset data = read_dataset(train, ro);
    std::vector<uint32_t> all(data.size());
    std::iota(all.begin(), all.end(), 0u);
    return model_item_counts(file, data, all);
}
}  // namespace

TopNCases split_dir_cases(const ModelFile& file, const std::string& dir, float positive_threshold) {
    namespace fs = std::filesystem;
    ReadOptions ro;
    ro.format = RatingFormat::Delimited;
    ro.read_titles = false;
    const std::string foldin = (fs::path(dir) / "foldin.csv").string(), targets = (fs::path(dir) / "targets.csv").string();
    Dataset data = read_dataset(foldin, ro);
    const size_t foldin_count = data.size();
    parse_ratings(read_file(targets), targets, RatingFormat::Delimited, ro, data);

    // Every user of the two files is a visitor; the first foldin_count ratings are the fold-in.
    VisitorSplit vs;
    vs.visitors.resize(size_t(data.users.size()));
    std::iota(vs.visitors.begin(), vs.visitors.end(), 0);
    vs.foldin.resize(vs.visitors.size());
    vs.targets.resize(vs.visitors.size());
    for (size_t k = 0; k < data.size(); ++k)
        (k < foldin_count ? vs.foldin : vs.targets)[size_t(data.user[k])].push_back(static_cast<uint32_t>(k));
    warn_if_trained_on(file, data, vs.visitors);

    TopNCases c{true, visitor_cases(data, vs, positive_threshold, model_items(file, data.items)),
                split_dir_counts(file, dir)};
    size_t known = 0;
    int64_t unreachable = 0;
    for (const RankingCase& rc : c.cases) {
        known += rc.known.size();
        unreachable += rc.unreachable;
    }
    std::printf("split %s: %zu visitors, %zu fold-in ratings (%zu of movies the model does not know, left out), "
                "%zu targets (%lld positives the model does not know, counted as misses)\n",
                dir.c_str(), vs.visitors.size(), foldin_count, foldin_count - known, data.size() - foldin_count,
                (long long)unreachable);
    return c;
}

TopNReport rank_topn(const Model& model, const TopNCases& c, int threads) {
    TopNReport r;
    r.visitors = c.visitors;
    if (c.visitors) {
        const FoldIn fold_in(model);
        r.model = evaluate_topn(c.cases, fold_in_recommender(fold_in), c.item_counts, threads);
    } else {
        const AlignedVector<float> items = model.item_vectors();
        r.model = evaluate_topn(c.cases, user_recommender(model, items), c.item_counts, threads);
    }
    r.popularity = evaluate_topn(c.cases, popularity_recommender(c.item_counts), c.item_counts, threads);
    return r;
}

void print_topn(const TopNReport& r, float positive_threshold) {
    std::printf("top-N (%s): %lld users, %lld skipped (no target rated >= %g)\n",
                r.visitors ? "visitors, fold-in" : "ratings, own vectors", (long long)r.model.users,
                (long long)r.model.skipped, positive_threshold);
    std::printf("  %-12s %9s %9s %7s %12s %11s\n", "", "recall@20", "ndcg@100", "hr@10", "coverage@10", "popularity%");
    print_row("model", r.model);
    print_row("popularity", r.popularity);
    std::fflush(stdout);
}

TopNReport print_topn(const Model& model, const TopNCases& cases, float positive_threshold, int threads) {
    const TopNReport r = rank_topn(model, cases, threads);
    print_topn(r, positive_threshold);
    return r;
}

RankingFigures rank_for_file(const Model& model, const TopNCases& cases, const TopNOptions& options, int threads) {
    if (options.protocol.empty()) return {};
    return {options.protocol, options.positive_threshold,
            print_topn(model, cases, options.positive_threshold, threads).model};
}

}  // namespace memrec::cli
