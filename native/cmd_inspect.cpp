// memrec inspect: what a model file holds: format, config, sections and their bytes, parameters, the file's
// size raw and gzip-compressed at each storage, training settings, stored metrics and history.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <optional>

#include "memrec/embedding.h"
#include "memrec/io.h"
#include "memrec/pq.h"
#include "memrec/table_fields.h"
#include "memrec/train_fields.h"
#include "model_cli.h"
#include "model_store.h"

namespace memrec::cli {

namespace {

// The report, built whole before any of it is printed: inspect never prints half and then fails.
class Text {
public:
    void add(const char* format, ...) __attribute__((format(printf, 2, 3))) {
        va_list args, again;
        va_start(args, format);
        va_copy(again, args);
        const int n = std::vsnprintf(nullptr, 0, format, args);
        va_end(args);
        const size_t at = text_.size();
        text_.resize(at + static_cast<size_t>(n) + 1);
        std::vsnprintf(&text_[at], static_cast<size_t>(n) + 1, format, again);
        va_end(again);
        text_.resize(at + static_cast<size_t>(n));
    }
    const std::string& str() const { return text_; }

private:
    std::string text_;
};

// One storage's row of the size table: its sizes, or why the model cannot be stored that way (a value
// beyond f16's range, say) instead of failing the whole report.
struct StorageSize {
    std::string label;
    int64_t bytes = -1, gzip = -1;
    std::string problem;
};

// The subspaces and bits of the first parameter a loaded pq file stored as codes (subspaces 0 if none).
PqOptions stored_pq(const Model& m) {
    PqOptions o;
    o.subspaces = 0;
    for (size_t i = 0; i < m.params().size(); ++i)
        if (const ProductCodes* c = m.product_codes(i)) {
            o.subspaces = c->subspaces;
            o.bits = c->bits;
            break;
        }
    return o;
}

// The pq row's options: a pq file's own subspaces and bits (its stored codes are written as they are), else
// 8 bits per code and the divisor of the item dim nearest a quarter of it (rank-small's 35 factors: 7
// subspaces of 5).
PqOptions pq_row_options(const Model& m) {
    PqOptions o = stored_pq(m);
    if (o.subspaces == 0) {  // not a pq file, or one whose dims no subspace count divided
        const int dim = m.item_table().dim();
        o.subspaces = 1;
        for (int d = 1; d <= dim; ++d)
            if (dim % d == 0 && std::abs(d - dim / 4.0) < std::abs(o.subspaces - dim / 4.0)) o.subspaces = d;
    }
    return o;
}

// What `memrec export --quantize S [--no-titles]` is given for one row of the table.
StoreOptions export_options(Storage s, const PqOptions& pq, bool with_titles) {
    StoreOptions o;
    o.quantize = to_string(s);
    if (s == Storage::Pq) o.pq = pq;
    o.no_titles = !with_titles;
    return o;
}

StorageSize measure(const std::string& label, const std::string& bytes) {
    StorageSize row;
    row.label = label;
    row.bytes = static_cast<int64_t>(bytes.size());
    row.gzip = gzip_size(bytes);
    return row;
}

// The size table, with titles and without: each row the bytes `memrec export` writes (stored_bytes). Pq comes
// first, as k-means runs on the rows in the file's order; the other storages then sort `f`'s ids. K-means runs
// once: the row without titles stores the codes of the row with them.
struct SizeTable {
    std::vector<StorageSize> with_titles, without_titles;
};

SizeTable sizes_at_each_storage(ModelFile& f, bool without_titles) {
    const PqOptions pq = pq_row_options(*f.model);
    const std::string pq_label =
        std::string(to_string(Storage::Pq)) + " " + std::to_string(pq.subspaces) + "x" + std::to_string(pq.bits);
    StorageSize pq_with{pq_label, -1, -1, ""}, pq_without = pq_with;
    try {
        const std::string bytes = stored_bytes(f, export_options(Storage::Pq, pq, true));
        pq_with = measure(pq_label, bytes);
        if (without_titles) {
            ModelFile coded = parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
            pq_without = measure(pq_label, stored_bytes(coded, export_options(Storage::Pq, pq, false)));
        }
    } catch (const Error& e) {
        pq_with.problem = pq_without.problem = e.what();
    }
    SizeTable out;
    for (Storage s : {Storage::F32, Storage::F16, Storage::Int8, Storage::Int4})
        for (bool titles : {true, false}) {
            if (!titles && !without_titles) continue;
            StorageSize row{to_string(s), -1, -1, ""};
            try {
                row = measure(row.label, stored_bytes(f, export_options(s, {}, titles)));
            } catch (const Error& e) {
                row.problem = e.what();
            }
            (titles ? out.with_titles : out.without_titles).push_back(row);
        }
    out.with_titles.push_back(pq_with);
    out.without_titles.push_back(pq_without);
    return out;
}

// print_summary's table, as text.
std::string summary_text(const std::string& title, const Model& model) {
    Text t;
    t.add("model: %s\n", title.c_str());
    t.add("  %-26s %-52s %12s %12s\n", "component", "shape", "parameters", "bytes (f32)");
    for (const auto& c : model.summary())
        t.add("  %-26s %-52s %12s %12s\n", c.name.c_str(), c.shape.c_str(), format_count(c.parameters).c_str(),
              format_bytes(double(c.bytes)).c_str());
    const int64_t n = model.parameter_count();
    t.add("  %-26s %-52s %12s %12s\n", "total", "", format_count(n).c_str(), format_bytes(4.0 * n).c_str());
    return t.str();
}

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

// How the ratings were read: the reading flags that repeat it ("as detected" for a MovieLens file).
std::string reading_text(const TrainingInfo& i) {
    const std::string s = reading_flags(i.reading, i.min_rating, i.max_rating);
    return s.empty() ? "as its format reads it (no reading flags)" : s;
}

std::string gz(int64_t n) { return n < 0 ? "n/a (no zlib)" : format_bytes(double(n)); }


// The top-N figures training stored (train --protocol), on two lines.
// Whose figures the file stores: its own tables' (export --data) or the trained f32 model's.
std::string figures_source(const ModelFile& f) {
    if (f.figures_of_stored_tables) return std::string("measured on this file's ") + to_string(f.storage) + " tables";
    return f.storage == Storage::F32 ? "before storage" : "the source model's, before storage";
}

void print_ranking(Text& out, const RankingFigures& r, const std::string& source) {
    const TopNMetrics& m = r.metrics;
    out.add("  top-N         %s protocol: recall@20 %.4f  ndcg@100 %.4f  hr@10 %.4f  coverage@10 %lld\n",
                r.protocol.c_str(), m.recall20, m.ndcg100, m.hr10, (long long)m.coverage10);
    out.add("                popularity %.1f%%, %lld users (%lld skipped), positives rated >= %g, %s\n",
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
                ModelFile f = load_model(*path);  // errors name the file and the field
                Text out;
                const std::string bytes = read_file(*path);
                const auto sections = model_sections(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
                const Model& m = *f.model;
                out.add("%s: memrec model, format version %u, tables stored as %s\n", path->c_str(),
                            f.format_version, to_string(f.storage));
                out.add("  file size     %s (%s bytes), gzip %s\n", format_bytes(double(bytes.size())).c_str(),
                            format_count(int64_t(bytes.size())).c_str(), gz(gzip_size(bytes)).c_str());
                for (const auto& s : sections)
                    if (s.name == "tables")  // names and shapes included: a little above the values' own width
                        out.add("  tables        %s bytes at %s, %.2f bits per parameter\n",
                                    format_count(int64_t(s.size)).c_str(), to_string(f.storage),
                                    8.0 * double(s.size) / double(std::max<int64_t>(1, f.model->parameter_count())));
                const bool fold_in = item_side_only(m.config().objective);
                out.add("  users         %s\n  items         %s%s\n",
                            fold_in ? "item side only (fold-in model)" : format_count(m.users()).c_str(),
                            format_count(m.items()).c_str(), f.titles.empty() ? " (no titles)" : " (with titles)");
                out.add("  user table    %s\n  item table    %s\n", describe(m.user_table()).c_str(),
                            describe(m.item_table()).c_str());
                std::string biases;
                for (auto [on, name] : {std::pair{m.config().global_bias, "global"}, {m.config().user_bias, "user"},
                                        {m.config().item_bias, "item"}})
                    if (on) biases += std::string(biases.empty() ? "" : ", ") + name;
                const ImplicitConfig& ic = m.config().implicit;
                if (m.config().objective != Objective::Rating)  // implicit (ALS) or bpr: fold-in alpha, lambda
                    out.add("  output        <user, item> (%s: alpha %g, lambda %g, positives %s)\n",
                                to_string(m.config().objective), ic.alpha, ic.lambda,
                                ic.all_rated_positive ? "every rated item"
                                                      : ("rated >= " + shortest_number(ic.positive_threshold)).c_str());
                else if (m.config().link == Link::Linear)
                    out.add("  output        %g + <user, item>%s (linear)\n", 0.5 * m.scale(),
                                biases.empty() ? "" : (" + " + biases + " biases").c_str());
                else
                    out.add("  output        sigmoid(<user, item>%s) * %g\n",
                                biases.empty() ? "" : (" + " + biases + " biases").c_str(), m.scale());

                out.add("\nsections\n  %-12s %12s %14s\n", "name", "offset", "bytes");
                for (const auto& s : sections)
                    out.add("  %-12s %12llu %14s\n", s.name.c_str(), (unsigned long long)s.offset,
                                format_count(int64_t(s.size)).c_str());
                out.add("\n");
                out.add("%s", summary_text("parameters", m).c_str());

                out.add("\nsize at each storage (as memrec export writes it%s)\n  %-8s %14s %14s %14s\n",
                            f.titles.empty() ? "" : ", with titles", "storage", "bytes", "gzip", "bytes/param");
                const SizeTable sizes = sizes_at_each_storage(f, !f.titles.empty());
                for (const auto& s : sizes.with_titles)
                    if (s.problem.empty())
                        out.add("  %-8s %14s %14s %14.3f\n", s.label.c_str(), format_count(s.bytes).c_str(),
                                s.gzip < 0 ? "n/a" : format_count(s.gzip).c_str(),
                                double(s.bytes) / double(m.parameter_count()));
                    else
                        out.add("  %-8s cannot hold this model: %s\n", s.label.c_str(), s.problem.c_str());
                if (!f.titles.empty()) {
                    out.add("  without titles:");
                    for (const auto& s : sizes.without_titles)
                        if (s.problem.empty())
                            out.add("  %s %s (gzip %s)", s.label.c_str(), format_bytes(double(s.bytes)).c_str(),
                                    gz(s.gzip).c_str());
                    out.add("\n");
                }

                const TrainingInfo& i = f.info;
                out.add("\ntraining\n");
                out.add("  preset        %s\n", i.preset.empty() ? "(none)" : i.preset.c_str());
                out.add("  data          %s (%s), ratings %g..%g\n", i.data_source.c_str(), i.data_format.c_str(),
                            i.min_rating, i.max_rating);
                out.add("  data hash     %s\n", i.data_hash.empty() ? "(not stored)" : i.data_hash.c_str());
                out.add("  read as       %s\n", reading_text(i).c_str());
                if (!i.reading.eval_data.empty())
                    out.add("  split         none: trained on all of %s, evaluated on %s (--eval-data)\n",
                            i.data_source.c_str(), i.reading.eval_data.c_str());
                else
                    out.add("  split         fraction %.2f, seed %llu\n", i.train_fraction,
                            (unsigned long long)i.split_seed);
                if (!i.parent_hash.empty())
                    out.add("  parent        %s (warm-started from that model file: train --init)\n",
                            i.parent_hash.c_str());
                out.add("  settings      %s\n", settings_text(i.train).c_str());
                if (f.eval.count > 0)
                    out.add("  eval          mse %.4f  rmse %.4f  mae %.4f  (%s ratings, %s)\n", f.eval.mse,
                                f.eval.rmse, f.eval.mae, format_count(f.eval.count).c_str(), figures_source(f).c_str());
                else
                    out.add("  eval          (none stored)\n");
                if (!f.ranking.protocol.empty()) print_ranking(out, f.ranking, figures_source(f));
                if (!f.history.empty()) {
                    out.add("\nhistory\n  %5s %10s %10s %10s %10s %10s %10s %12s\n", "epoch", "loss", "mae",
                                "eval mse", "eval rmse", "eval mae", "seconds", "ratings/s");
                    for (const auto& e : f.history)
                        out.add("  %5d %10.4f %10.4f %10.4f %10.4f %10.4f %10.2f %12.0f\n", e.epoch, e.train_loss,
                                    e.train_mae, e.eval.mse, e.eval.rmse, e.eval.mae, e.seconds, e.ratings_per_second);
                }
                std::fputs(out.str().c_str(), stdout);
                return 0;
            }};
}

}  // namespace memrec::cli
