// Training checkpoint file (DIR/checkpoint.mrck). All integers and floats little-endian; str is a u32
// byte count followed by the bytes (UTF-8, no terminator).
//
//   header   magic "MRECCKPT" (8 bytes) | u32 version (5) | u64 payload bytes
//   payload  run        str preset | str data source | str data format | f64 train fraction | u64 split seed
//                       | i64 ratings | i32 users | i32 items | u64 data hash
//            model      table user | table item | u8 global bias | u8 user bias | u8 item bias
//                       | str link ("sigmoid", "linear") (version 5; sigmoid in older files)
//                       table = str kind ("full", "qr", "md", "hash") | i32 dim | i64 buckets
//                               | str combiner ("mult", "add", "concat") | u32 n | n x i64 block ends
//                               | u32 n | n x i32 block dims | f64 alpha | u8 projection bias
//                               | i64 parameter budget (version 2; 0 in version 1 files)
//            training   i32 epochs | i64 batch | f64 lr | f64 beta1 | f64 beta2 | f64 epsilon
//                       | str Adam mode ("dense", "lazy", ...) | f64 weight decay | f64 l2 | f64 l2 bias
//                       | f64 l2 user | f64 l2 item
//                       | i32 threads | u64 seed | u8 shuffle | i32 early stopping | f64 validation fraction
//                       | f64 learning-rate decay per epoch (version 2; 1 in version 1 files)
//                       | str optimizer ("adam", "adagrad", "sgd") (version 3; adam in older files)
//            history    u32 n | n x (i32 epoch | f64 train loss | f64 train mae | f64 eval mse | f64 eval rmse
//                                    | f64 eval mae | i64 eval count | f64 seconds | f64 ratings/s)
//            optimiser  i64 Adam step count
//            params     u32 n | n x (str name | i64 rows | i32 cols | u8 has step counts
//                                    | rows*cols f32 values | rows*cols f32 m | rows*cols f32 v
//                                    | if has step counts: rows x i32 steps (Adam's per-row counts))
//                       (AdaGrad keeps each row's accumulator in the first column of v; SGD uses neither)
//            reading    (version 4) the fields of a model file's reading section (model_file.cpp, section 12;
//                       its str is a varint byte count), with the --eval-data path as given
//                       | f32 min rating | f32 max rating
//   trailer  u64 FNV-1a 64 of the payload
//
// Enumerations are stored by name (enum_codes.h), so reordering an enum in the code never changes their
// meaning. The tables and the training settings are written from their field lists (table_fields.h,
// table_codec.cpp; train_fields.h, settings_codec.cpp), and every byte goes through the byte layer model
// files use (byte_io.h).
// Version 2 added the tables' parameter budget and the learning-rate decay, version 3 the optimizer,
// version 4 how the ratings were read, version 5 the model's link; older files are still read. A reader
// refuses versions it does not know rather than guess.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "byte_io.h"
#include "model_sections.h"
#include "memrec/checkpoint.h"
#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/io.h"
#include "memrec/rng.h"
#include "memrec/table_fields.h"
#include "memrec/train_fields.h"
#include "settings_codec.h"

namespace memrec {

using detail::ByteReader;
using detail::ByteWriter;
using detail::read_flag;
using detail::fnv1a64;
using detail::kCheckpointVersion;

namespace {

constexpr char kMagic[8] = {'M', 'R', 'E', 'C', 'C', 'K', 'P', 'T'};
constexpr size_t kHeaderBytes = 8 + 4 + 8;

std::string differs(const std::string& what, const std::string& saved, const std::string& now) {
    return what + ": " + saved + " in the checkpoint, " + now + " now";
}

// The first table setting that differs, "user table dim: 8 in the checkpoint, 16 now" (or "").
std::string table_difference(const std::string& table, const TableConfig& saved, const TableConfig& now) {
    for (const TableField& f : table_fields())
        if (applies(f, saved) && !same_value(f, saved, now))
            return differs(table + " table " + f.name, field_text(f, saved), field_text(f, now));
    return {};
}

// What the optimiser holds for a param (adam.h): Adam's moments shaped like it, AdaGrad's one accumulator
// per row, or nothing (SGD). The file keeps moments shaped like the param whatever the optimiser holds:
// AdaGrad's accumulator is a row's first v, the rest zero; SGD's moments are all zero.
enum class Moments { Full, PerRow, None };

Moments moments_of(const Param& p, const AdamState& s) {
    if (s.m.size() == p.data.size() && s.v.size() == p.data.size()) return Moments::Full;
    return s.v.size() == static_cast<size_t>(p.rows) * kAccumulatorStride ? Moments::PerRow : Moments::None;
}

}  // namespace

DataFingerprint fingerprint(const Dataset& data) {
    DataFingerprint f;
    f.ratings = static_cast<int64_t>(data.size());
    f.users = data.users.size();
    f.items = data.items.size();
    uint64_t h = 0x6d656d7265632d31ULL;
    auto mix = [&h](uint64_t w) {
        h ^= w;
        h = Rng::splitmix64(h);
    };
    for (size_t i = 0; i < data.size(); ++i) {
        uint32_t bits;
        std::memcpy(&bits, &data.rating[i], sizeof bits);
        mix((uint64_t(uint32_t(data.user[i])) << 32) | uint32_t(data.item[i]));
        mix(bits);
    }
    for (const Vocabulary* v : {&data.users, &data.items})
        for (const auto& id : v->ids()) mix(fnv1a64(reinterpret_cast<const uint8_t*>(id.data()), id.size()));
    f.hash = h;
    return f;
}

void capture_state(const Model& model, const Adam& adam, Checkpoint& out) {
    const auto params = model.params();
    const auto& state = adam.state();
    if (state.size() != params.size()) throw Error("checkpoint: the optimiser does not belong to this model");
    out.adam_steps = adam.steps();
    out.params.resize(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        const Param& p = *params[i];
        const AdamState& s = state[i];
        ParamState& o = out.params[i];
        o.name = p.name;
        o.rows = p.rows;
        o.cols = p.cols;
        const size_t n = static_cast<size_t>(p.rows) * static_cast<size_t>(p.cols);
        o.values.resize(n);
        o.m.assign(n, 0.0f);
        o.v.assign(n, 0.0f);
        const Moments held = moments_of(p, s);
        for (int64_t r = 0; r < p.rows; ++r) {
            const size_t src = static_cast<size_t>(r) * static_cast<size_t>(p.stride);
            const size_t dst = static_cast<size_t>(r) * static_cast<size_t>(p.cols);
            std::memcpy(&o.values[dst], &p.data[src], sizeof(float) * static_cast<size_t>(p.cols));
            if (held == Moments::Full) {
                std::memcpy(&o.m[dst], &s.m[src], sizeof(float) * static_cast<size_t>(p.cols));
                std::memcpy(&o.v[dst], &s.v[src], sizeof(float) * static_cast<size_t>(p.cols));
            } else if (held == Moments::PerRow) {
                o.v[dst] = s.v[static_cast<size_t>(r) * kAccumulatorStride];
            }
        }
        o.steps = s.steps;
    }
}

void restore_state(const Checkpoint& ck, Model& model, Adam& adam) {
    auto fail = [](const std::string& field, const std::string& message) {
        throw FormatError("checkpoint", field, message);
    };
    const auto params = model.params();
    auto& state = adam.state();
    if (ck.params.size() != params.size())
        fail("params", "the checkpoint has " + std::to_string(ck.params.size()) + " parameters, the model " +
                           std::to_string(params.size()));
    for (size_t i = 0; i < params.size(); ++i) {
        Param& p = *params[i];
        AdamState& s = state[i];
        const ParamState& o = ck.params[i];
        const std::string field = "params[" + std::to_string(i) + "] (" + o.name + ")";
        if (o.name != p.name || o.rows != p.rows || o.cols != p.cols)
            fail(field, "expected " + p.name + " " + std::to_string(p.rows) + " x " + std::to_string(p.cols) +
                            ", got " + o.name + " " + std::to_string(o.rows) + " x " + std::to_string(o.cols));
        if (o.steps.size() != s.steps.size())
            fail(field, "step counts for " + std::to_string(o.steps.size()) + " rows, the optimiser has " +
                            std::to_string(s.steps.size()) + " (was it trained with the other Adam mode?)");
        const Moments held = moments_of(p, s);
        for (int64_t r = 0; r < p.rows; ++r) {
            const size_t dst = static_cast<size_t>(r) * static_cast<size_t>(p.stride);
            const size_t src = static_cast<size_t>(r) * static_cast<size_t>(p.cols);
            std::memcpy(&p.data[dst], &o.values[src], sizeof(float) * static_cast<size_t>(p.cols));
            if (held == Moments::Full) {
                std::memcpy(&s.m[dst], &o.m[src], sizeof(float) * static_cast<size_t>(p.cols));
                std::memcpy(&s.v[dst], &o.v[src], sizeof(float) * static_cast<size_t>(p.cols));
            } else if (held == Moments::PerRow) {
                s.v[static_cast<size_t>(r) * kAccumulatorStride] = o.v[src];
            }
        }
        s.steps = o.steps;
    }
    adam.set_steps(ck.adam_steps);
}

std::string serialize_checkpoint(const Checkpoint& ck) {
    // Checkpoints resume Adam training of rating models; ALS trains in seconds and is not checkpointed, so
    // the format has no objective.
    if (ck.model.objective != Objective::Rating) throw Error("a checkpoint holds a rating model only");
    ByteWriter w;
    w.bytes(kMagic, sizeof kMagic);
    w.u32(kCheckpointVersion);
    w.u64(0);  // payload size, patched below

    w.str32(ck.preset);
    w.str32(ck.data_source);
    w.str32(ck.data_format);
    w.f64(ck.train_fraction);
    w.u64(ck.split_seed);
    w.u64(static_cast<uint64_t>(ck.data.ratings));
    w.u32(static_cast<uint32_t>(ck.data.users));
    w.u32(static_cast<uint32_t>(ck.data.items));
    w.u64(ck.data.hash);

    detail::write_checkpoint_table(w, ck.model.user);
    detail::write_checkpoint_table(w, ck.model.item);
    w.u8(ck.model.global_bias);
    w.u8(ck.model.user_bias);
    w.u8(ck.model.item_bias);
    w.str32(to_string(ck.model.link));

    detail::write_checkpoint_settings(w, ck.train);

    w.u32(static_cast<uint32_t>(ck.history.size()));
    for (const EpochStats& e : ck.history) {
        w.u32(static_cast<uint32_t>(e.epoch));
        w.f64(e.train_loss);
        w.f64(e.train_mae);
        w.f64(e.eval.mse);
        w.f64(e.eval.rmse);
        w.f64(e.eval.mae);
        w.u64(static_cast<uint64_t>(e.eval.count));
        w.f64(e.seconds);
        w.f64(e.ratings_per_second);
    }

    w.u64(static_cast<uint64_t>(ck.adam_steps));

    w.u32(static_cast<uint32_t>(ck.params.size()));
    for (const ParamState& p : ck.params) {
        const size_t n = static_cast<size_t>(p.rows) * static_cast<size_t>(p.cols);
        if (p.values.size() != n || p.m.size() != n || p.v.size() != n ||
            (!p.steps.empty() && p.steps.size() != static_cast<size_t>(p.rows)))
            throw Error("checkpoint: parameter " + p.name + " has inconsistent sizes");
        w.str32(p.name);
        w.u64(static_cast<uint64_t>(p.rows));
        w.u32(static_cast<uint32_t>(p.cols));
        w.u8(!p.steps.empty());
        w.f32s(p.values.data(), n);
        w.f32s(p.m.data(), n);
        w.f32s(p.v.data(), n);
        for (int32_t s : p.steps) w.u32(static_cast<uint32_t>(s));
    }

    detail::write_reading_fields(w, ck.reading);
    w.f32(ck.min_rating);
    w.f32(ck.max_rating);

    std::string& out = w.data();
    const uint64_t payload = out.size() - kHeaderBytes;
    ByteWriter size;
    size.u64(payload);
    out.replace(12, 8, size.data());
    w.u64(fnv1a64(reinterpret_cast<const uint8_t*>(out.data()) + kHeaderBytes, payload));
    return std::move(out);
}

namespace {

// Magic, version, payload size and checksum; returns the version.
uint32_t read_envelope(const uint8_t* data, size_t size, const std::string& name, uint64_t* payload) {
    ByteReader head(data, size, "", name);
    if (std::memcmp(head.take(sizeof kMagic, "magic"), kMagic, sizeof kMagic) != 0)
        head.fail("magic", "not a memrec checkpoint (expected MRECCKPT)");
    const uint32_t version = head.u32("version");
    if (version == 0 || version > kCheckpointVersion)  // every older version stays readable
        head.fail("version", "expected 1.." + std::to_string(kCheckpointVersion) + ", got " + std::to_string(version) +
                                 (version > kCheckpointVersion ? " (written by a newer memrec)" : ""));
    *payload = head.u64("payload size");
    if (*payload > head.remaining() || head.remaining() - *payload != sizeof(uint64_t))
        head.fail("payload size", "header says " + std::to_string(*payload) + " bytes, the file has " +
                                      (head.remaining() >= sizeof(uint64_t)
                                           ? std::to_string(head.remaining() - sizeof(uint64_t))
                                           : std::string("no room for the checksum")));
    const uint8_t* body = data + kHeaderBytes;
    ByteReader tail(body + *payload, sizeof(uint64_t), "", name);
    const uint64_t stored = tail.u64("checksum");
    const uint64_t actual = fnv1a64(body, static_cast<size_t>(*payload));
    if (stored != actual) {
        char msg[96];
        std::snprintf(msg, sizeof msg, "mismatch: stored %016llx, computed %016llx", (unsigned long long)stored,
                      (unsigned long long)actual);
        head.fail("checksum", msg);
    }
    return version;
}

void read_run(ByteReader& p, Checkpoint& ck) {
    ck.preset = p.str32("preset");
    ck.data_source = p.str32("data source");
    ck.data_format = p.str32("data format");
    ck.train_fraction = p.f64("train fraction");
    if (!(ck.train_fraction > 0.0 && ck.train_fraction < 1.0))
        p.fail("train fraction", "expected a value in (0, 1), got " + shortest_number(ck.train_fraction));
    ck.split_seed = p.u64("split seed");
    ck.data.ratings = static_cast<int64_t>(p.u64("data.ratings"));
    ck.data.users = static_cast<int32_t>(p.u32("data.users"));
    ck.data.items = static_cast<int32_t>(p.u32("data.items"));
    ck.data.hash = p.u64("data.hash");
    if (ck.data.ratings < 1 || ck.data.users < 1 || ck.data.items < 1)
        p.fail("data", "expected positive counts, got " + std::to_string(ck.data.ratings) + " ratings, " +
                           std::to_string(ck.data.users) + " users, " + std::to_string(ck.data.items) + " items");
}

void read_config(ByteReader& p, Checkpoint& ck, uint32_t version) {
    ck.model.user = detail::read_checkpoint_table(p, "model.user", version);
    ck.model.item = detail::read_checkpoint_table(p, "model.item", version);
    ck.model.global_bias = read_flag(p, "model.global_bias");
    ck.model.user_bias = read_flag(p, "model.user_bias");
    ck.model.item_bias = read_flag(p, "model.item_bias");
    if (version >= 5) ck.model.link = detail::read_named(p, kLinks, "model.link", "link");
    try {
        ck.model.validate();
        ck.model.user.validate(ck.data.users);
        ck.model.item.validate(ck.data.items);
    } catch (const ConfigError& e) {
        p.fail("model", e.what());
    }
    detail::read_checkpoint_settings(p, ck.train, version);
    try {
        ck.train.validate();
    } catch (const ConfigError& e) {
        p.fail("train", e.what());
    }
}

void read_history(ByteReader& p, Checkpoint& ck) {
    const uint32_t epochs = p.u32("history count");
    constexpr size_t kEpochBytes = 4 + 8 * 8;
    if (epochs > static_cast<uint64_t>(ck.train.epochs) || epochs > p.remaining() / kEpochBytes)
        p.fail("history count", std::to_string(epochs) + " epochs, more than the run's " +
                                    std::to_string(ck.train.epochs) + " or than the bytes left hold");
    ck.history.resize(epochs);
    for (uint32_t i = 0; i < epochs; ++i) {
        EpochStats& e = ck.history[i];
        const std::string f = "history[" + std::to_string(i) + "]";
        e.epoch = static_cast<int32_t>(p.u32(f + ".epoch"));
        if (e.epoch != static_cast<int>(i) + 1)
            p.fail(f + ".epoch", "expected " + std::to_string(i + 1) + ", got " + std::to_string(e.epoch));
        e.train_loss = p.f64(f + ".train_loss");
        e.train_mae = p.f64(f + ".train_mae");
        e.eval.mse = p.f64(f + ".eval_mse");
        e.eval.rmse = p.f64(f + ".eval_rmse");
        e.eval.mae = p.f64(f + ".eval_mae");
        e.eval.count = static_cast<int64_t>(p.u64(f + ".eval_count"));
        e.seconds = p.f64(f + ".seconds");
        e.ratings_per_second = p.f64(f + ".ratings_per_second");
    }
}

void read_param(ByteReader& p, ParamState& o, const std::string& at) {
    o.name = p.str32(at + ".name");
    const std::string f = at + " (" + o.name + ")";
    o.rows = static_cast<int64_t>(p.u64(f + ".rows"));
    o.cols = static_cast<int32_t>(p.u32(f + ".cols"));
    if (o.rows < 1 || o.cols < 1 || o.cols > (1 << 20))
        p.fail(f, "bad shape " + std::to_string(o.rows) + " x " + std::to_string(o.cols));
    const bool has_steps = read_flag(p, f + ".has_steps");
    // Three float arrays of rows x cols (and the step counts) must fit in what is left: checked before
    // any allocation, without overflow.
    const uint64_t row_bytes = 3 * 4 * static_cast<uint64_t>(o.cols) + (has_steps ? 4 : 0);
    if (static_cast<uint64_t>(o.rows) > p.remaining() / row_bytes)
        p.fail(f + ".rows", std::to_string(o.rows) + " rows of " + std::to_string(o.cols) + " need " +
                                std::to_string(row_bytes) + " bytes each, " + std::to_string(p.remaining()) + " left");
    const size_t n = static_cast<size_t>(o.rows) * static_cast<size_t>(o.cols);
    for (auto [values, name] : {std::pair{&o.values, ".values"}, {&o.m, ".m"}, {&o.v, ".v"}}) {
        values->resize(n);
        p.f32s(values->data(), n, f + name);
    }
    if (has_steps) {
        o.steps.resize(static_cast<size_t>(o.rows));
        for (auto& s : o.steps) s = static_cast<int32_t>(p.u32(f + ".steps"));
    }
}

}  // namespace

Checkpoint parse_checkpoint(const uint8_t* data, size_t size, const std::string& name) {
    uint64_t payload = 0;
    const uint32_t version = read_envelope(data, size, name, &payload);
    ByteReader p(data + kHeaderBytes, static_cast<size_t>(payload), "", name);
    Checkpoint ck;
    read_run(p, ck);
    read_config(p, ck, version);
    read_history(p, ck);
    ck.adam_steps = static_cast<int64_t>(p.u64("adam steps"));
    if (ck.adam_steps < 0) p.fail("adam steps", "expected >= 0, got " + std::to_string(ck.adam_steps));
    const uint32_t nparams = p.u32("params count");
    if (nparams > p.remaining() / 16)
        p.fail("params count", std::to_string(nparams) + " is more than the bytes left hold");
    ck.params.resize(nparams);
    for (uint32_t i = 0; i < nparams; ++i) read_param(p, ck.params[i], "params[" + std::to_string(i) + "]");
    ck.reading_recorded = version >= 4;
    if (ck.reading_recorded) {
        detail::read_reading_fields(p, ck.reading);
        ck.min_rating = p.f32("min rating");
        ck.max_rating = p.f32("max rating");
        if (!(std::isfinite(ck.min_rating) && std::isfinite(ck.max_rating) && ck.min_rating <= ck.max_rating))
            p.fail("rating bounds", "expected finite min <= max, got " + shortest_number(ck.min_rating) + ".." +
                                        shortest_number(ck.max_rating));
    }
    if (p.remaining() != 0)
        p.fail("payload", std::to_string(p.remaining()) + " bytes left over after the " +
                              (ck.reading_recorded ? "reading flags" : "parameters"));
    return ck;
}

std::string checkpoint_file(const std::string& dir) {
    return dir.empty() || dir.back() == '/' ? dir + "checkpoint.mrck" : dir + "/checkpoint.mrck";
}

Checkpoint load_checkpoint(const std::string& dir) {
    const std::string path = checkpoint_file(dir);
    const std::string bytes = read_file(path);
    return parse_checkpoint(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
}

void save_checkpoint(const Checkpoint& ck, const std::string& dir) {
    write_file_atomic(checkpoint_file(dir), serialize_checkpoint(ck));
}

std::string settings_difference(const Checkpoint& saved, const ModelConfig& model, const TrainConfig& train) {
    std::string d = table_difference("user", saved.model.user, model.user);
    if (d.empty()) d = table_difference("item", saved.model.item, model.item);
    if (!d.empty()) return d;
    auto onoff = [](bool b) { return std::string(b ? "on" : "off"); };
    const ModelConfig& a = saved.model;
    if (a.global_bias != model.global_bias) return differs("global bias", onoff(a.global_bias), onoff(model.global_bias));
    if (a.user_bias != model.user_bias) return differs("user biases", onoff(a.user_bias), onoff(model.user_bias));
    if (a.item_bias != model.item_bias) return differs("item biases", onoff(a.item_bias), onoff(model.item_bias));
    if (a.link != model.link) return differs("link", to_string(a.link), to_string(model.link));
    for (const TrainField& f : train_fields())
        if (f.must_match && !same_value(f, saved.train, train))
            return differs(f.name, field_text(f, saved.train), field_text(f, train));
    return {};
}

}  // namespace memrec
