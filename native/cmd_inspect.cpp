// memrec inspect: what a model file holds: format, config, sections and their bytes, parameters, the file's
// size raw and gzip-compressed at each storage, training settings, stored metrics and history.
#include <algorithm>
#include <cstdio>

#include "memrec/embedding.h"
#include "memrec/io.h"
#include "memrec/table_fields.h"
#include "memrec/train_fields.h"
#include "model_cli.h"

namespace memrec::cli {

namespace {

std::string describe(const EmbeddingTable& t) { return describe_table(t.config(), t.rows()); }

// Every training setting, "name value" comma-separated, wrapped under the label's column.
std::string settings_text(const TrainConfig& t) {
    std::string out, line;
    for (const TrainField& f : train_fields()) {
        const std::string item = std::string(f.name) + " " + field_text(f, t);
        if (!line.empty() && line.size() + item.size() > 84) {
            out += line + ",\n                ";
            line.clear();
        }
        line += (line.empty() ? "" : ", ") + item;
    }
    return out + line;
}

std::string gz(int64_t n) { return n < 0 ? "n/a (no zlib)" : format_bytes(double(n)); }


// The top-N figures training stored (train --protocol), on two lines.
// Whose figures the file stores: its own tables' (export --data) or the trained f32 model's.
std::string figures_source(const ModelFile& f) {
    if (f.figures_of_stored_tables) return std::string("measured on this file's ") + to_string(f.storage) + " tables";
    return f.storage == Storage::F32 ? "before storage" : "the source model's, before storage";
}

void print_ranking(const RankingFigures& r, const std::string& source) {
    const TopNMetrics& m = r.metrics;
    std::printf("  top-N         %s protocol: recall@20 %.4f  ndcg@100 %.4f  hr@10 %.4f  coverage@10 %lld\n",
                r.protocol.c_str(), m.recall20, m.ndcg100, m.hr10, (long long)m.coverage10);
    std::printf("                popularity %.1f%%, %lld users (%lld skipped), positives rated >= %g, %s\n",
                m.popularity_percentile, (long long)m.users, (long long)m.skipped, r.positive_threshold,
                source.c_str());
}
}  // namespace

Command add_inspect(CLI::App& root) {
    auto path = std::make_shared<std::string>();
    CLI::App* app = root.add_subcommand("inspect", "show what a model file holds and what it costs in bytes");
    app->footer("Example:\n  memrec inspect m.mrec");
    app->add_option("model", *path, "model file (.mrec)")->required();

    return {app, [path]() {
                const ModelFile f = load_model(*path);  // errors name the file and the field
                const std::string bytes = read_file(*path);
                const auto sections = model_sections(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
                const Model& m = *f.model;
                std::printf("%s: memrec model, format version %u, tables stored as %s\n", path->c_str(),
                            f.format_version, to_string(f.storage));
                std::printf("  file size     %s (%s bytes), gzip %s\n", format_bytes(double(bytes.size())).c_str(),
                            format_count(int64_t(bytes.size())).c_str(), gz(gzip_size(bytes)).c_str());
                for (const auto& s : sections)
                    if (s.name == "tables")  // names and shapes included: a little above the values' own width
                        std::printf("  tables        %s bytes at %s, %.2f bits per parameter\n",
                                    format_count(int64_t(s.size)).c_str(), to_string(f.storage),
                                    8.0 * double(s.size) / double(std::max<int64_t>(1, f.model->parameter_count())));
                const bool fold_in = item_side_only(m.config().objective);
                std::printf("  users         %s\n  items         %s%s\n",
                            fold_in ? "item side only (fold-in model)" : format_count(m.users()).c_str(),
                            format_count(m.items()).c_str(), f.titles.empty() ? " (no titles)" : " (with titles)");
                std::printf("  user table    %s\n  item table    %s\n", describe(m.user_table()).c_str(),
                            describe(m.item_table()).c_str());
                std::string biases;
                for (auto [on, name] : {std::pair{m.config().global_bias, "global"}, {m.config().user_bias, "user"},
                                        {m.config().item_bias, "item"}})
                    if (on) biases += std::string(biases.empty() ? "" : ", ") + name;
                const ImplicitConfig& ic = m.config().implicit;
                if (m.config().objective != Objective::Rating)  // implicit (ALS) or bpr: fold-in alpha, lambda
                    std::printf("  output        <user, item> (%s: alpha %g, lambda %g, positives %s)\n",
                                to_string(m.config().objective), ic.alpha, ic.lambda,
                                ic.all_rated_positive ? "every rated item"
                                                      : ("rated >= " + shortest_number(ic.positive_threshold)).c_str());
                else
                    std::printf("  output        sigmoid(<user, item>%s) * %g\n",
                                biases.empty() ? "" : (" + " + biases + " biases").c_str(), m.scale());

                std::printf("\nsections\n  %-12s %12s %14s\n", "name", "offset", "bytes");
                for (const auto& s : sections)
                    std::printf("  %-12s %12llu %14s\n", s.name.c_str(), (unsigned long long)s.offset,
                                format_count(int64_t(s.size)).c_str());
                std::printf("\n");
                print_summary("parameters", m);

                std::printf("\nsize at each storage (as stored%s)\n  %-8s %14s %14s %14s\n",
                            f.titles.empty() ? "" : ", with titles", "storage", "bytes", "gzip", "bytes/param");
                for (const auto& s : stored_sizes(f, true))
                    std::printf("  %-8s %14s %14s %14.3f\n", to_string(s.storage), format_count(s.bytes).c_str(),
                                s.gzip < 0 ? "n/a" : format_count(s.gzip).c_str(),
                                double(s.bytes) / double(m.parameter_count()));
                if (!f.titles.empty()) {
                    std::printf("  without titles:");
                    for (const auto& s : stored_sizes(f, false))
                        std::printf("  %s %s (gzip %s)", to_string(s.storage), format_bytes(double(s.bytes)).c_str(),
                                    gz(s.gzip).c_str());
                    std::printf("\n");
                }

                const TrainingInfo& i = f.info;
                std::printf("\ntraining\n");
                std::printf("  preset        %s\n", i.preset.empty() ? "(none)" : i.preset.c_str());
                std::printf("  data          %s (%s), ratings %g..%g\n", i.data_source.c_str(), i.data_format.c_str(),
                            i.min_rating, i.max_rating);
                std::printf("  data hash     %s\n", i.data_hash.empty() ? "(not stored)" : i.data_hash.c_str());
                std::printf("  split         fraction %.2f, seed %llu\n", i.train_fraction,
                            (unsigned long long)i.split_seed);
                std::printf("  settings      %s\n", settings_text(i.train).c_str());
                if (f.eval.count > 0)
                    std::printf("  eval          mse %.4f  rmse %.4f  mae %.4f  (%s ratings, %s)\n", f.eval.mse,
                                f.eval.rmse, f.eval.mae, format_count(f.eval.count).c_str(), figures_source(f).c_str());
                else
                    std::printf("  eval          (none stored)\n");
                if (!f.ranking.protocol.empty()) print_ranking(f.ranking, figures_source(f));
                if (!f.history.empty()) {
                    std::printf("\nhistory\n  %5s %10s %10s %10s %10s %10s %10s %12s\n", "epoch", "loss", "mae",
                                "eval mse", "eval rmse", "eval mae", "seconds", "ratings/s");
                    for (const auto& e : f.history)
                        std::printf("  %5d %10.4f %10.4f %10.4f %10.4f %10.4f %10.2f %12.0f\n", e.epoch, e.train_loss,
                                    e.train_mae, e.eval.mse, e.eval.rmse, e.eval.mae, e.seconds, e.ratings_per_second);
                }
                return 0;
            }};
}

}  // namespace memrec::cli
