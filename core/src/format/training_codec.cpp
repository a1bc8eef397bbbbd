// The training section (run, settings from their field list, final metrics) and the history section.
#include <algorithm>
#include <cmath>
#include <limits>

#include "model_sections.h"
#include "settings_codec.h"

namespace memrec::detail {

namespace {
constexpr uint64_t kMaxCount = uint64_t(std::numeric_limits<int64_t>::max());

// Eval metrics as the training and history sections both store them.
void write_metrics(ByteWriter& w, const Metrics& m) {
    w.f64(m.mse);
    w.f64(m.rmse);
    w.f64(m.mae);
    w.varint(static_cast<uint64_t>(std::max<int64_t>(0, m.count)));
}

Metrics read_metrics(ByteReader& r) {
    Metrics m;
    m.mse = r.f64("eval mse");
    m.rmse = r.f64("eval rmse");
    m.mae = r.f64("eval mae");
    for (const auto& [field, v] : {std::pair<const char*, double>{"eval mse", m.mse}, {"eval rmse", m.rmse}, {"eval mae", m.mae}})
        if (!std::isfinite(v)) r.fail(field, "expected a finite number, got " + std::to_string(v));
    m.count = static_cast<int64_t>(r.varint_in("eval count", 0, kMaxCount));
    return m;
}

void write_ranking(ByteWriter& w, const RankingFigures& f) {
    w.u8(f.protocol.empty() ? 0 : 1);
    if (f.protocol.empty()) return;
    w.str(f.protocol);
    w.f32(f.positive_threshold);
    w.f64(f.metrics.recall20);
    w.f64(f.metrics.ndcg100);
    w.f64(f.metrics.hr10);
    w.varint(static_cast<uint64_t>(std::max<int64_t>(0, f.metrics.coverage10)));
    w.f64(f.metrics.popularity_percentile);
    w.varint(static_cast<uint64_t>(std::max<int64_t>(0, f.metrics.users)));
    w.varint(static_cast<uint64_t>(std::max<int64_t>(0, f.metrics.skipped)));
}

RankingFigures read_ranking(ByteReader& r) {
    RankingFigures f;
    if (!read_flag(r, "top-N figures stored")) return f;
    f.protocol = r.str("top-N protocol");
    if (f.protocol != "visitors" && f.protocol != "ratings")
        r.fail("top-N protocol", "expected visitors or ratings, got '" + f.protocol + "'");
    f.positive_threshold = r.f32("positive threshold");
    f.metrics.recall20 = r.f64("recall@20");
    f.metrics.ndcg100 = r.f64("ndcg@100");
    f.metrics.hr10 = r.f64("hr@10");
    f.metrics.coverage10 = static_cast<int64_t>(r.varint_in("coverage@10", 0, kMaxCount));
    f.metrics.popularity_percentile = r.f64("popularity percentile");
    f.metrics.users = static_cast<int64_t>(r.varint_in("top-N users", 0, kMaxCount));
    f.metrics.skipped = static_cast<int64_t>(r.varint_in("top-N skipped users", 0, kMaxCount));
    return f;
}
}  // namespace

void write_training(ByteWriter& w, const ModelFile& file, uint32_t version) {
    const TrainingInfo& info = file.info;
    w.str(info.preset);
    w.str(info.data_source);
    w.str(info.data_format);
    w.f64(info.train_fraction);
    w.u64(info.split_seed);
    w.u64(info.seed);
    write_model_settings(w, info.train, version);
    w.f32(info.min_rating);
    w.f32(info.max_rating);
    write_metrics(w, file.eval);
    write_ranking(w, file.ranking);
}

void write_history(ByteWriter& w, const std::vector<EpochStats>& history) {
    w.varint(history.size());
    for (const auto& e : history) {
        w.varint(static_cast<uint64_t>(std::max(0, e.epoch)));
        w.f64(e.train_loss);
        w.f64(e.train_mae);
        write_metrics(w, e.eval);
        w.f64(e.seconds);
        w.f64(e.ratings_per_second);
    }
}

void read_training(ByteReader& r, ModelFile& file) {
    TrainingInfo& info = file.info;
    info.preset = r.str("preset");
    info.data_source = r.str("data source");
    info.data_format = r.str("data format");
    info.train_fraction = r.f64("train fraction");
    if (!(info.train_fraction > 0.0 && info.train_fraction < 1.0))
        r.fail("train fraction", "expected a value in (0, 1), got " + std::to_string(info.train_fraction));
    info.split_seed = r.u64("split seed");
    info.seed = r.u64("seed");
    read_model_settings(r, info.train, file.format_version);
    info.min_rating = r.f32("min rating");
    info.max_rating = r.f32("max rating");
    if (!std::isfinite(info.min_rating) || !std::isfinite(info.max_rating) || info.min_rating > info.max_rating)
        r.fail("rating bounds", "expected finite min <= max, got " + std::to_string(info.min_rating) + ".." +
                                    std::to_string(info.max_rating));
    file.eval = read_metrics(r);
    if (file.format_version >= 3) file.ranking = read_ranking(r);
    r.expect_end();
}

std::vector<EpochStats> read_history(ByteReader& r) {
    constexpr size_t kMinEpochBytes = 1 + 8 * 5 + 1 + 8 * 2;
    const uint64_t n = r.count("epochs", kMinEpochBytes);
    std::vector<EpochStats> out(static_cast<size_t>(n));
    for (auto& e : out) {
        e.epoch = static_cast<int>(r.varint_in("epoch", 0, kMaxRows));
        e.train_loss = r.f64("train loss");
        e.train_mae = r.f64("train mae");
        e.eval = read_metrics(r);
        e.seconds = r.f64("seconds");
        e.ratings_per_second = r.f64("ratings per second");
    }
    r.expect_end();
    return out;
}

void write_provenance(ByteWriter& w, const ModelFile& file) {
    w.str(file.info.data_hash);
    w.u8(file.figures_of_stored_tables ? 1 : 0);
}

void read_provenance(ByteReader& r, ModelFile& file) {
    file.info.data_hash = r.str("data hash");
    file.figures_of_stored_tables = read_flag(r, "figures source");
    r.expect_end();
}

void write_parent(ByteWriter& w, const ModelFile& file) {
    w.str(file.info.parent_hash);
}

void read_parent(ByteReader& r, ModelFile& file) {
    file.info.parent_hash = r.str("parent hash");
    if (file.info.parent_hash.empty()) throw FormatError("parent hash", "empty (the section is written only with a parent)");
    r.expect_end();
}

}  // namespace memrec::detail
