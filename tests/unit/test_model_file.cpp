// The .mrec model file: a file written by hand from the documented layout loads and predicts the
// hand-computed ratings; real models round-trip (every field, identical bytes on re-save, identical f32
// predictions, f16/int8 within tolerance); and damaged files (bad magic, future version, every truncation,
// every flipped bit, huge counts, overlapping sections, bad storage, wrong shapes) are refused with a
// FormatError naming the field, before anything large is allocated.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "memrec/als.h"
#include "memrec/enum_codes.h"
#include "memrec/error.h"
#include "memrec/io.h"
#include "memrec/md_embedding.h"
#include "memrec/model_file.h"
#include "memrec/presets.h"
#include "memrec/rng.h"
#include "test_files.h"

using namespace memrec;
using Catch::Contains;

namespace {

// ---- an independent writer of the documented layout --------------------------------------------------

uint32_t reference_crc32(const std::string& s) {
    uint32_t crc = 0xffffffffu;
    for (unsigned char c : s) {
        crc ^= c;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void put_le(std::string& s, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u8(std::string& s, uint8_t v) { s += static_cast<char>(v); }
void put_u16(std::string& s, uint16_t v) { put_le(s, v, 2); }
void put_u32(std::string& s, uint32_t v) { put_le(s, v, 4); }
void put_u64(std::string& s, uint64_t v) { put_le(s, v, 8); }
void put_f32(std::string& s, float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    put_u32(s, b);
}
void put_f64(std::string& s, double f) {
    uint64_t b;
    std::memcpy(&b, &f, 8);
    put_u64(s, b);
}
void put_varint(std::string& s, uint64_t v) {
    for (; v >= 0x80; v >>= 7) s += static_cast<char>((v & 0x7f) | 0x80);
    s += static_cast<char>(v);
}
void put_str(std::string& s, const std::string& t) {
    put_varint(s, t.size());
    s += t;
}

struct RawSection {
    uint32_t id;
    std::string bytes;
};

std::string assemble(const std::vector<RawSection>& sections, uint32_t version = 1, uint8_t storage = 0) {
    std::string f = "MREC";
    put_u32(f, version);
    put_u32(f, static_cast<uint32_t>(sections.size()));
    put_u8(f, storage);
    f += std::string(3, '\0');
    uint64_t offset = 16 + 20 * sections.size();
    for (const auto& s : sections) {
        put_u32(f, s.id);
        put_u64(f, offset);
        put_u64(f, s.bytes.size());
        offset += s.bytes.size();
    }
    for (const auto& s : sections) f += s.bytes;
    put_u32(f, reference_crc32(f));
    return f;
}

// The sections of a file, cut with the library's own section table reader.
std::vector<RawSection> cut(const std::string& file) {
    std::vector<RawSection> out;
    for (const auto& s : model_sections(reinterpret_cast<const uint8_t*>(file.data()), file.size()))
        out.push_back({s.id, file.substr(size_t(s.offset), size_t(s.size))});
    return out;
}

std::string replace_section(const std::string& file, uint32_t id, const std::string& bytes) {
    auto sections = cut(file);
    for (auto& s : sections)
        if (s.id == id) s.bytes = bytes;
    uint32_t version = 0;  // the file's own: the config section's layout depends on it (version 3)
    for (int i = 0; i < 4; ++i) version |= uint32_t(uint8_t(file[size_t(4 + i)])) << (8 * i);
    return assemble(sections, version, static_cast<uint8_t>(file[12]));
}

// A model written by hand: 2 users ("10", "7"), 3 items ("a", "b", "c"), full tables of dim 2, scale 5.
// Users stored as f32, items as f16.
struct HandModel {
    std::string config, users, items, popularity, titles, tables, training, history;

    HandModel() {
        put_f32(config, 5.0f);
        put_u8(config, 0);      // no biases
        put_varint(config, 2);  // users
        put_varint(config, 3);  // items
        for (int t = 0; t < 2; ++t) {
            put_u8(config, 0);  // full
            put_varint(config, 2);
        }
        put_u8(users, 0);      // decimal
        put_varint(users, 2);
        put_varint(users, 20);  // +10, zigzag
        put_varint(users, 5);   // -3, zigzag
        put_u8(items, 1);       // strings
        put_varint(items, 3);
        for (const char* id : {"a", "b", "c"}) put_str(items, id);
        put_varint(popularity, 3);
        for (int c : {5, 1, 0}) put_varint(popularity, uint64_t(c));
        put_varint(titles, 3);
        for (const char* t : {"Alpha (1990)", "B\xc3\xa9ta (2001)", ""}) put_str(titles, t);
        put_varint(tables, 2);
        put_str(tables, "user.embedding");
        put_varint(tables, 2);
        put_varint(tables, 2);
        put_u8(tables, 0);
        for (float v : {0.5f, -0.25f, 1.0f, 2.0f}) put_f32(tables, v);
        put_str(tables, "item.embedding");
        put_varint(tables, 3);
        put_varint(tables, 2);
        put_u8(tables, 1);
        for (uint16_t h : {0x3c00, 0x0000, 0x3800, 0x3800, 0xc000, 0x3400}) put_u16(tables, h);  // 1 0 .5 .5 -2 .25
        put_str(training, "hand");
        put_str(training, "/data/ml");
        put_str(training, "movielens-dat");
        put_f64(training, 0.8);
        put_u64(training, 7);
        put_u64(training, 9);
        put_varint(training, 3);
        put_varint(training, 64);
        for (double d : {0.01, 0.9, 0.999, 1e-7}) put_f64(training, d);
        put_u8(training, 1);  // lazy
        put_f64(training, 0.0);
        put_f64(training, 0.02);  // l2
        put_f64(training, 0.001);
        put_varint(training, 2);
        put_u64(training, 9);
        put_u8(training, 1);
        put_varint(training, 3);  // early-stopping patience
        put_f64(training, 0.1);
        put_f32(training, 1.0f);
        put_f32(training, 5.0f);
        for (double d : {0.8, 0.894, 0.7}) put_f64(training, d);
        put_varint(training, 100);
        put_varint(history, 1);
        put_varint(history, 1);
        for (double d : {1.1, 0.9, 0.8, 0.894, 0.7}) put_f64(history, d);
        put_varint(history, 100);
        put_f64(history, 2.5);
        put_f64(history, 40.0);
    }
    std::vector<RawSection> sections() const {
        return {{1, config}, {2, users},  {3, items},    {4, popularity},
                {6, titles}, {7, tables}, {8, training}, {9, history}};
    }
    std::string file() const { return assemble(sections()); }
};

ModelFile parse(const std::string& bytes) {
    return parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// `bytes` must be refused with a FormatError whose field contains `field` and message contains `message`.
void check_rejected(const std::string& bytes, const std::string& field, const std::string& message = "") {
    try {
        parse(bytes);
        FAIL_CHECK("accepted; expected an error in " << field);
    } catch (const FormatError& e) {
        INFO("error: " << e.what());
        CHECK_THAT(e.field(), Contains(field));
        CHECK_THAT(e.what(), Contains(message));
    }
}

// ---- real models --------------------------------------------------------------------------------------

struct Variant {
    const char* name;
    ModelConfig config;
    bool string_item_ids = false;
    bool keep_counts = true;
};

std::vector<Variant> variants() {
    std::vector<Variant> v;
    {
        Variant x{"full tables with every bias", {}, false, true};
        x.config.user.dim = x.config.item.dim = 8;
        x.config.global_bias = x.config.user_bias = x.config.item_bias = true;
        v.push_back(x);
    }
    {
        Variant x{"qr users, md items following popularity", {}, true, true};
        x.config.user = {TableKind::QuotientRemainder, 8, 6, Combiner::Mult, {}, {}, 0.3, true};
        x.config.item = {TableKind::MixedDimension, 8, 0, Combiner::Mult, {5, 20}, {8, 4, 2}, 0.3, true};
        v.push_back(x);
    }
    {
        Variant x{"md items without popularity (explicit order), hashed users", {}, false, false};
        x.config.user = {TableKind::Hashed, 8, 16, Combiner::Mult, {}, {}, 0.3, true};
        x.config.item = {TableKind::MixedDimension, 8, 0, Combiner::Mult, {9}, {}, 0.5, false};
        v.push_back(x);
    }
    {
        Variant x{"md users (explicit order), qr concat items", {}, false, true};
        x.config.user = {TableKind::MixedDimension, 6, 0, Combiner::Mult, {10}, {6, 3}, 0.3, false};
        x.config.item = {TableKind::QuotientRemainder, 6, 7, Combiner::Concat, {}, {}, 0.3, true};
        x.config.item_bias = true;
        v.push_back(x);
    }
    return v;
}

constexpr int32_t kUsers = 37, kItems = 53;

ModelFile make_model(const Variant& v, uint64_t seed = 5) {
    Rng rng(seed);
    std::vector<int64_t> item_counts(kItems), user_counts(kUsers);
    for (auto& c : item_counts) c = int64_t(rng.below(300));
    for (auto& c : user_counts) c = int64_t(rng.below(50));
    ModelFile f;
    f.model = std::make_unique<Model>(v.config, kUsers, kItems, 5.0f, item_counts, user_counts, seed);
    // Spread the weights (initialisation is uniform +-0.05) and give the biases values.
    for (Param* p : f.model->params())
        for (int64_t r = 0; r < p->rows; ++r)
            for (int c = 0; c < p->cols; ++c) p->row(r)[c] = rng.uniform(-1.5f, 1.5f);
    for (int32_t u = 0; u < kUsers; ++u) f.users.add(std::to_string(1000 - 17 * u + (u % 3) * 400));
    for (int32_t i = 0; i < kItems; ++i)
        f.items.add(v.string_item_ids ? "tt" + std::to_string(7000 + 31 * i) : std::to_string((i * 37) % 101));
    for (int32_t i = 0; i < kItems; ++i) f.titles.push_back(i % 5 == 0 ? "" : "Movie \xc3\xa9 " + std::to_string(i));
    if (v.keep_counts) f.item_counts = item_counts;
    f.info.preset = "test";
    f.info.data_source = "data";
    f.info.data_hash = content_hash("1::1::5::0\n");
    f.figures_of_stored_tables = v.keep_counts;
    f.info.data_format = "movielens-dat";
    f.info.train_fraction = 0.7;
    f.info.split_seed = 123456789012345ULL;
    f.info.seed = 77;
    f.info.train.epochs = 4;
    f.info.train.batch_size = 256;
    f.info.train.adam.learning_rate = 0.003;
    f.info.train.adam.mode = AdamMode::Lazy;
    f.info.train.adam.weight_decay = 1e-5;
    f.info.train.adam.l2 = 0.05;
    f.info.train.adam.l2_bias = 0.01;
    f.info.train.adam.l2_user = 0.0;
    f.info.train.adam.l2_item = 0.03;
    f.info.train.adam.lr_decay = 0.85;
    f.info.train.early_stopping = 2;
    f.info.train.validation_fraction = 0.07;
    f.info.train.threads = 2;
    f.info.train.seed = 77;
    f.info.train.shuffle = false;
    f.info.min_rating = 0.5f;
    f.info.max_rating = 5.0f;
    for (int e = 1; e <= 2; ++e) {
        EpochStats s;
        s.epoch = e;
        s.train_loss = 1.0 / e;
        s.train_mae = 0.8 / e;
        s.eval = {0.9 / e, std::sqrt(0.9 / e), 0.7 / e, 1234};
        s.seconds = 0.25 * e;
        s.ratings_per_second = 1e6 / e;
        f.history.push_back(s);
    }
    f.eval = f.history.back().eval;
    return f;
}

std::vector<float> all_predictions(const Model& m) {
    std::vector<float> out;
    for (int32_t u = 0; u < m.users(); ++u)
        for (int32_t i = 0; i < m.items(); ++i) out.push_back(m.predict(u, i));
    return out;
}

}  // namespace

TEST_CASE("the reference CRC-32 is the IEEE one", "[model_file]") {
    CHECK(reference_crc32("123456789") == 0xcbf43926u);
}

TEST_CASE("a file written by hand from the documented layout loads", "[model_file]") {
    const ModelFile f = parse(HandModel().file());
    REQUIRE(f.model);
    CHECK(f.storage == Storage::F32);
    CHECK(f.users.ids() == std::vector<std::string>{"10", "7"});
    CHECK(f.items.ids() == std::vector<std::string>{"a", "b", "c"});
    CHECK(f.titles == std::vector<std::string>{"Alpha (1990)", "B\xc3\xa9ta (2001)", ""});
    CHECK(f.item_counts == std::vector<int64_t>{5, 1, 0});
    CHECK(f.model->scale() == 5.0f);
    CHECK(f.model->dim() == 2);
    const double logits[2][3] = {{0.5, 0.125, -1.0625}, {1.0, 1.5, -1.5}};
    for (int u = 0; u < 2; ++u)
        for (int i = 0; i < 3; ++i) CHECK(f.model->predict(u, i) == Approx(5.0 / (1.0 + std::exp(-logits[u][i]))));
    CHECK(f.info.preset == "hand");
    CHECK(f.info.data_source == "/data/ml");
    CHECK(f.info.train_fraction == 0.8);
    CHECK(f.info.split_seed == 7);
    CHECK(f.info.train.adam.mode == AdamMode::Lazy);
    CHECK(f.info.train.batch_size == 64);
    CHECK(f.info.train.adam.l2 == 0.02);
    CHECK(f.info.train.adam.l2_bias == 0.001);
    CHECK(f.info.train.early_stopping == 3);
    CHECK(f.info.train.validation_fraction == 0.1);
    CHECK(f.eval.count == 100);
    CHECK(f.eval.rmse == 0.894);
    REQUIRE(f.history.size() == 1);
    CHECK(f.history[0].ratings_per_second == 40.0);

    // Written back at f32 it differs only in the items' storage: parse it once more to compare values.
    const ModelFile g = parse(serialize_model(f));
    CHECK(all_predictions(*g.model) == all_predictions(*f.model));
}

// Version 2's encodings: users 7, 8 as one run; item table int8 with column scales 0.5 and 1.
HandModel hand_model_v2() {
    HandModel h;
    h.users.clear();
    put_u8(h.users, 2);      // runs
    put_varint(h.users, 2);  // ids
    put_varint(h.users, 1);  // runs
    put_varint(h.users, 14);  // first id 7 (zigzag), after 0
    put_varint(h.users, 2);   // length
    h.tables.clear();
    put_varint(h.tables, 2);
    put_str(h.tables, "user.embedding");
    put_varint(h.tables, 2);
    put_varint(h.tables, 2);
    put_u8(h.tables, 0);
    for (float v : {0.5f, -0.25f, 1.0f, 2.0f}) put_f32(h.tables, v);
    put_str(h.tables, "item.embedding");
    put_varint(h.tables, 3);
    put_varint(h.tables, 2);
    put_u8(h.tables, 3);
    put_u16(h.tables, 0x3800);  // column 0 scale 0.5
    put_u16(h.tables, 0x3c00);  // column 1 scale 1
    for (int q : {2, 0, -1, 3, 127, -3}) put_u8(h.tables, static_cast<uint8_t>(static_cast<int8_t>(q)));
    return h;
}

TEST_CASE("run-encoded vocabularies and column-scaled int8 tables load as documented", "[model_file]") {
    const ModelFile f = parse(hand_model_v2().file());
    CHECK(f.users.ids() == std::vector<std::string>{"7", "8"});
    // items (1, 0), (-0.5, 3), (63.5, -3); users (0.5, -0.25), (1, 2)
    const double items[3][2] = {{1.0, 0.0}, {-0.5, 3.0}, {63.5, -3.0}};
    const double users[2][2] = {{0.5, -0.25}, {1.0, 2.0}};
    for (int u = 0; u < 2; ++u)
        for (int i = 0; i < 3; ++i) {
            const double logit = users[u][0] * items[i][0] + users[u][1] * items[i][1];
            CHECK(f.model->predict(u, i) == Approx(5.0 / (1.0 + std::exp(-logit))));
        }
    // A writer picks runs for consecutive decimal ids and deltas otherwise; both read back the same ids.
    ModelFile g = parse(serialize_model(f));
    CHECK(g.users.ids() == f.users.ids());
    ModelFile hand = parse(HandModel().file());
    CHECK(parse(serialize_model(hand)).users.ids() == std::vector<std::string>{"10", "7"});
}

TEST_CASE("broken runs in a vocabulary are refused", "[model_file][corrupt]") {
    auto with_users = [](std::initializer_list<uint64_t> bytes) {
        HandModel h = hand_model_v2();
        h.users.clear();
        for (uint64_t b : bytes) put_varint(h.users, b);
        return h.file();
    };
    check_rejected(with_users({2, 2, 1, 14, 0}), "users.run length", "run 0: expected 1..2");
    check_rejected(with_users({2, 2, 1, 14, 3}), "users.run length", "run 0: expected 1..2 (ids left), got 3");
    check_rejected(with_users({2, 2, 1, 14, 1}), "users.runs", "the runs hold 1 ids, expected 2");
    check_rejected(with_users({2, 2, 2, 14, 1, 1, 1}), "users.id", "repeats id '7'");  // 7, then 8 - 1 = 7
    check_rejected(with_users({2, 2, 3, 14, 1, 0, 1, 0, 1}), "users.runs", "expected at most 2");
    check_rejected(with_users({2, 2, 1, 1, 2}), "users.run start", "out of range");  // first id -1
    check_rejected(with_users({3, 2}), "users.encoding", "or 2 (decimal runs), got 3");

    // Runs take a few bytes for any number of ids, so their count has a cap: 2^20 ids.
    HandModel big = hand_model_v2();
    big.config.clear();
    put_f32(big.config, 5.0f);
    put_u8(big.config, 0);
    put_varint(big.config, (1u << 20) + 1);  // users
    put_varint(big.config, 3);
    for (int t = 0; t < 2; ++t) {
        put_u8(big.config, 0);
        put_varint(big.config, 2);
    }
    big.users.clear();
    for (uint64_t b : {uint64_t(2), uint64_t((1u << 20) + 1), uint64_t(1), uint64_t(2), uint64_t((1u << 20) + 1)})
        put_varint(big.users, b);
    check_rejected(big.file(), "users.count", "more than the limit of 1048576");
}

TEST_CASE("the provenance section holds the data hash and whose figures the file stores", "[model_file]") {
    const HandModel h;
    const ModelFile old = parse(h.file());  // no provenance section: unknown hash, the trained model's figures
    CHECK(old.info.data_hash.empty());
    CHECK_FALSE(old.figures_of_stored_tables);
    std::string provenance;
    put_str(provenance, "fnv1a64:00000000000000ff");
    put_u8(provenance, 1);
    auto sections = h.sections();
    sections.push_back({10, provenance});
    const ModelFile f = parse(assemble(sections));
    CHECK(f.info.data_hash == "fnv1a64:00000000000000ff");
    CHECK(f.figures_of_stored_tables);
    sections.back().bytes.back() = 2;
    check_rejected(assemble(sections), "figures source", "expected 0 or 1, got 2");
    sections.back().bytes += "x";
    sections.back().bytes.back() = 0;
    check_rejected(assemble(sections), "provenance");
    // The hash of the empty string and of "a": FNV-1a 64's published test values.
    CHECK(content_hash("") == "fnv1a64:cbf29ce484222325");
    CHECK(content_hash("a") == "fnv1a64:af63dc4c8601ec8c");
}

TEST_CASE("the optional parent section holds a warm start's parent hash", "[model_file]") {
    const HandModel h;
    CHECK(parse(h.file()).info.parent_hash.empty());  // no section: no parent
    std::string parent;
    put_str(parent, "fnv1a64:00000000000000ab");
    auto sections = h.sections();
    sections.push_back({11, parent});
    CHECK(parse(assemble(sections)).info.parent_hash == "fnv1a64:00000000000000ab");
    sections.back().bytes += "x";
    check_rejected(assemble(sections), "parent");
    sections.back().bytes.clear();
    put_str(sections.back().bytes, "");
    check_rejected(assemble(sections), "parent hash", "empty");
    // Written only when there is a parent, and read back.
    const ModelFile f = make_model(variants().front());
    CHECK(parse(serialize_model(f)).info.parent_hash.empty());
}

TEST_CASE("the optional reading section holds how the ratings were read", "[model_file]") {
    const HandModel h;
    CHECK(parse(h.file()).info.reading.is_default());  // no section: a MovieLens file read as it is
    // Layout from model_file.cpp: u8 delimited, u8 delimiter, 3 strs, u8 header, u8 duplicates, u8 scale
    // given, str eval data.
    std::string reading;
    put_u8(reading, 1);
    put_u8(reading, ';');
    put_str(reading, "customer");
    put_str(reading, "3");
    put_str(reading, "score");
    put_u8(reading, 0);
    put_u8(reading, 2);  // mean
    put_u8(reading, 2);  // the max rating was given
    put_str(reading, "u1.test");
    auto sections = h.sections();
    sections.push_back({12, reading});
    const ModelFile f = parse(assemble(sections));
    const ReadingInfo& r = f.info.reading;
    CHECK(r.delimited);
    CHECK(r.columns.delimiter == ';');
    CHECK(r.columns.user_column == "customer");
    CHECK(r.columns.item_column == "3");
    CHECK(r.columns.rating_column == "score");
    CHECK_FALSE(r.columns.has_header);
    CHECK(r.duplicates == DuplicatePolicy::Mean);
    CHECK_FALSE(r.min_given);
    CHECK(r.max_given);
    CHECK(r.eval_data == "u1.test");
    auto with = [&](size_t at, uint8_t byte) {
        auto s = sections;
        s.back().bytes[at] = static_cast<char>(byte);
        return assemble(s);
    };
    check_rejected(with(0, 2), "reading.delimited", "expected 0 or 1, got 2");
    check_rejected(with(1, '\n'), "reading.delimiter", "a quote or a newline");
    check_rejected(with(2, 0), "reading.user column", "got nothing");  // an empty name, then bytes left over
    const size_t header = 2 + 9 + 2 + 6;
    check_rejected(with(header, 2), "reading.header", "expected 0 or 1, got 2");
    check_rejected(with(header + 1, 4), "reading.duplicates", "expected 0..3, got 4");
    check_rejected(with(header + 2, 4), "reading.scale given", "expected bits 0 and 1 only, got 4");
    {
        auto s = sections;
        s.back().bytes += "x";
        check_rejected(assemble(s), "reading");
        s.back().bytes.resize(s.back().bytes.size() - 3);  // truncated eval name
        check_rejected(assemble(s), "reading.eval data");
    }
    {  // every field the default: never written, so refused
        std::string plain;
        for (int k = 0; k < 3; ++k) put_u8(plain, 0);
        put_str(plain, "");
        auto s = h.sections();
        s.push_back({12, plain});
        check_rejected(assemble(s), "reading.fields", "every field is the default");
    }
    // Written only when something differs from the defaults, and read back.
    ModelFile m = make_model(variants().front());
    const std::string plain_bytes = serialize_model(m);
    for (const SectionInfo& si : model_sections(reinterpret_cast<const uint8_t*>(plain_bytes.data()), plain_bytes.size()))
        CHECK(si.id != 12);
    m.info.reading.duplicates = DuplicatePolicy::Count;
    m.info.reading.min_given = true;
    const ModelFile back = parse(serialize_model(m));
    CHECK(back.info.reading.duplicates == DuplicatePolicy::Count);
    CHECK(back.info.reading.min_given);
    CHECK_FALSE(back.info.reading.max_given);
    CHECK_FALSE(back.info.reading.delimited);
}

TEST_CASE("every field survives a round trip", "[model_file]") {
    for (const Variant& v : variants()) {
        INFO(v.name);
        const ModelFile f = make_model(v);
        const ModelFile g = parse(serialize_model(f));
        CHECK(g.users.ids() == f.users.ids());
        CHECK(g.items.ids() == f.items.ids());
        CHECK(g.titles == f.titles);
        CHECK(g.item_counts == f.item_counts);
        CHECK(g.info.preset == f.info.preset);
        CHECK(g.info.data_source == f.info.data_source);
        CHECK(g.info.data_hash == f.info.data_hash);
        CHECK(g.figures_of_stored_tables == f.figures_of_stored_tables);
        CHECK(g.info.data_format == f.info.data_format);
        CHECK(g.info.train_fraction == f.info.train_fraction);
        CHECK(g.info.split_seed == f.info.split_seed);
        CHECK(g.info.seed == f.info.seed);
        CHECK(g.info.train.epochs == f.info.train.epochs);
        CHECK(g.info.train.batch_size == f.info.train.batch_size);
        CHECK(g.info.train.adam.learning_rate == f.info.train.adam.learning_rate);
        CHECK(g.info.train.adam.mode == f.info.train.adam.mode);
        CHECK(g.info.train.adam.weight_decay == f.info.train.adam.weight_decay);
        CHECK(g.info.train.adam.l2 == f.info.train.adam.l2);
        CHECK(g.info.train.adam.l2_bias == f.info.train.adam.l2_bias);
        CHECK(g.info.train.adam.l2_user == 0.0);  // version 2's training fields
        CHECK(g.info.train.adam.l2_item == 0.03);
        CHECK(g.info.train.adam.lr_decay == 0.85);
        CHECK(g.info.train.early_stopping == f.info.train.early_stopping);
        CHECK(g.info.train.validation_fraction == f.info.train.validation_fraction);
        CHECK(g.info.train.threads == f.info.train.threads);
        CHECK(g.info.train.shuffle == f.info.train.shuffle);
        CHECK(g.info.min_rating == f.info.min_rating);
        CHECK(g.eval.rmse == f.eval.rmse);
        CHECK(g.eval.count == f.eval.count);
        REQUIRE(g.history.size() == f.history.size());
        CHECK(g.history[1].eval.mae == f.history[1].eval.mae);
        CHECK(g.history[1].seconds == f.history[1].seconds);
        const ModelConfig& a = f.model->config();
        const ModelConfig& b = g.model->config();
        CHECK(a.global_bias == b.global_bias);
        CHECK(a.user_bias == b.user_bias);
        CHECK(a.item_bias == b.item_bias);
        CHECK(g.model->user_table().kind() == f.model->user_table().kind());
        CHECK(g.model->item_table().kind() == f.model->item_table().kind());
        CHECK(g.model->parameter_count() == f.model->parameter_count());
        for (const auto* t : {&g.model->item_table(), &g.model->user_table()})
            if (const auto* md = dynamic_cast<const MixedDimensionEmbedding*>(t)) {
                const auto& orig = dynamic_cast<const MixedDimensionEmbedding&>(
                    t == &g.model->item_table() ? f.model->item_table() : f.model->user_table());
                CHECK(md->order() == orig.order());
                CHECK(md->block_dims() == orig.block_dims());
                CHECK(md->block_ends() == orig.block_ends());
            }
    }
}

TEST_CASE("save, load, save gives identical bytes at every storage", "[model_file]") {
    for (const Variant& v : variants()) {
        const ModelFile f = make_model(v);
        for (Storage s : {Storage::F32, Storage::F16, Storage::Int8})
            for (bool titles : {true, false}) {
                INFO(v.name << ", " << to_string(s) << (titles ? " with titles" : " without titles"));
                const std::string once = serialize_model(f, s, titles);
                const ModelFile g = parse(once);
                CHECK(g.storage == s);
                CHECK(g.titles.empty() == !titles);
                CHECK(serialize_model(g, s, titles) == once);
            }
    }
}

TEST_CASE("a loaded f32 model predicts exactly what the trained one did", "[model_file]") {
    for (const Variant& v : variants()) {
        INFO(v.name);
        const ModelFile f = make_model(v);
        CHECK(all_predictions(*parse(serialize_model(f)).model) == all_predictions(*f.model));
    }
}

TEST_CASE("f16 and int8 files predict within tolerance, int8 from an f16 scale per row or column",
          "[model_file]") {
    for (const Variant& v : variants()) {
        INFO(v.name);
        const ModelFile f = make_model(v);
        const auto exact = all_predictions(*f.model);
        const auto half = all_predictions(*parse(serialize_model(f, Storage::F16)).model);
        const auto int8 = all_predictions(*parse(serialize_model(f, Storage::Int8)).model);
        double max16 = 0, max8 = 0;
        for (size_t k = 0; k < exact.size(); ++k) {
            max16 = std::max(max16, double(std::fabs(half[k] - exact[k])));
            max8 = std::max(max8, double(std::fabs(int8[k] - exact[k])));
        }
        CHECK(max16 < 0.01);
        CHECK(max8 < 0.15);
        CHECK(max8 > max16);
        // Every weight moved by at most half an int8 step (plus the f16 rounding of the scale) of its row,
        // in parameters of 16 columns or more, or of its column in narrower ones.
        const ModelFile g = parse(serialize_model(f, Storage::Int8));
        const auto pf = f.model->params();
        const auto pg = g.model->params();
        for (size_t i = 0; i < pf.size(); ++i) {
            const Param& p = *pf[i];
            std::vector<float> col_max(size_t(p.cols), 0.0f);
            for (int64_t r = 0; r < p.rows; ++r)
                for (int c = 0; c < p.cols; ++c) col_max[size_t(c)] = std::max(col_max[size_t(c)], std::fabs(p.row(r)[c]));
            for (int64_t r = 0; r < p.rows; ++r) {
                float row_max = 0;
                for (int c = 0; c < p.cols; ++c) row_max = std::max(row_max, std::fabs(p.row(r)[c]));
                for (int c = 0; c < p.cols; ++c) {
                    const float max_abs = p.cols >= 16 ? row_max : col_max[size_t(c)];
                    const float tol = 0.5f * max_abs / 127.0f * 1.001f + 1e-6f;
                    if (!(std::fabs(p.row(r)[c] - pg[i]->row(r)[c]) <= tol))
                        FAIL_CHECK(p.name << " row " << r << " col " << c);
                }
            }
        }
    }
}

TEST_CASE("the tables section holds exactly the documented bytes per storage", "[model_file]") {
    auto varint_bytes = [](uint64_t v) {
        size_t n = 1;
        for (; v >= 0x80; v >>= 7) ++n;
        return n;
    };
    for (const Variant& v : variants()) {
        const ModelFile f = make_model(v);
        for (Storage s : {Storage::F32, Storage::F16, Storage::Int8}) {
            INFO(v.name << ", " << to_string(s));
            size_t expected = varint_bytes(f.model->params().size());
            for (const Param* p : f.model->params()) {
                const size_t values = size_t(p->rows) * size_t(p->cols);
                expected += varint_bytes(p->name.size()) + p->name.size() + varint_bytes(uint64_t(p->rows)) +
                            varint_bytes(uint64_t(p->cols)) + 1;
                if (s == Storage::F32) expected += 4 * values;
                else if (s == Storage::F16) expected += 2 * values;
                else if (p->cols >= 16) expected += 2 * size_t(p->rows) + values;  // a scale per row
                else expected += 2 * size_t(p->cols) + values;                     // a scale per column
            }
            size_t got = 0;
            for (const auto& sec : cut(serialize_model(f, s)))
                if (sec.id == 7) got = sec.bytes.size();
            CHECK(got == expected);
        }
    }
}

TEST_CASE("the memory-efficient model for ml-1m fits the size targets", "[model_file][size]") {
    // ml-1m's shape: 6,040 users numbered 1.. in file order, 3,692 movies (ids up to 3,952) in a scrambled
    // first-appearance order, long-tailed popularity.
    Rng rng(11);
    std::vector<int32_t> ids(3952);
    for (int32_t i = 0; i < 3952; ++i) ids[size_t(i)] = i + 1;
    for (size_t i = ids.size() - 1; i > 0; --i) std::swap(ids[i], ids[size_t(rng.below(i + 1))]);
    ids.resize(3692);
    std::vector<int64_t> counts(3692);
    for (size_t i = 0; i < counts.size(); ++i) counts[i] = 1 + int64_t(3000.0 * std::pow(rng.uniform(), 4.0));

    for (const char* name : {"memeff", "baseline"}) {
        INFO(name);
        ModelFile f;
        f.model = std::make_unique<Model>(preset(name).model, 6040, 3692, 5.0f, counts, std::vector<int64_t>{}, 1);
        for (int u = 1; u <= 6040; ++u) f.users.add(std::to_string(u));
        for (int32_t id : ids) f.items.add(std::to_string(id));
        f.item_counts = counts;
        const std::string b32 = serialize_model(f, Storage::F32, false);
        const std::string b8 = serialize_model(f, Storage::Int8, false);
        int64_t vocab = 0;
        for (const auto& s : cut(b32))
            if (s.id == 2 || s.id == 3) vocab += int64_t(s.bytes.size());
        const double floor = 4.0 * double(f.model->parameter_count()) + double(vocab);
        CHECK(double(b32.size()) <= 1.02 * floor);
        if (std::string(name) == "memeff") {
            CHECK(f.model->parameter_count() == 117744);
            CHECK(b8.size() <= 150000);
        }
    }
}

TEST_CASE("save_model writes atomically and load_model names the file in errors", "[model_file]") {
    memrec_test::TempDir dir;
    const ModelFile f = make_model(variants()[1]);
    const std::string path = dir.file("m.mrec");
    save_model(f, path, Storage::Int8, false);
    CHECK(read_file(path) == serialize_model(f, Storage::Int8, false));
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        CHECK(e.path().filename() == "m.mrec");  // no temporary left behind
    const ModelFile g = load_model(path);
    CHECK(g.storage == Storage::Int8);
    const std::string bad = dir.write("bad.mrec", "MREX0000000000000000");
    try {
        load_model(bad);
        FAIL("accepted");
    } catch (const FormatError& e) {
        CHECK(e.field() == "magic");
        CHECK_THAT(e.what(), Contains(bad));
    }
    CHECK_THROWS_AS(load_model(dir.file("missing.mrec")), DataError);
}

// ---- damaged files ------------------------------------------------------------------------------------

TEST_CASE("a wrong magic or an unknown version is refused", "[model_file][corrupt]") {
    std::string f = HandModel().file();
    std::string m = f;
    m[3] = 'X';
    check_rejected(m, "magic", "expected \"MREC\", got \"MREX\"");
    check_rejected("", "magic", "needs 4 bytes");
    check_rejected("PK\x03\x04 a zip file", "magic");
    auto with_version = [&](uint32_t v) {
        std::string g = f;
        for (int i = 0; i < 4; ++i) g[size_t(4 + i)] = char((v >> (8 * i)) & 0xff);
        return g;
    };
    CHECK_NOTHROW(parse(with_version(1)));  // version 1 files are a subset of version 2
    check_rejected(with_version(7), "version", "expected 1..6, got 7 (written by a newer memrec)");
    check_rejected(with_version(0), "version", "got 0");
    check_rejected(with_version(0xffffffffu), "version", "got 4294967295");
}

TEST_CASE("a format 3 config with a bad objective or implicit settings is refused", "[model_file][corrupt]") {
    AlsConfig als;
    als.factors = 2;
    ModelFile mf;
    mf.model = std::make_unique<Model>(als_model(als, 2, 3, 5.0f));
    for (const char* i : {"a", "b", "c"}) mf.items.add(i);
    const std::string good = serialize_model(mf);
    // Config bytes: f32 scale, u8 bias flags, u8 objective (5), f64 alpha, f64 lambda (14), f32 threshold,
    // u8 all rated positive, varint user rows (27), ...
    auto with_config_byte = [&](size_t at, uint8_t value, size_t count = 1) {
        auto sections = cut(good);
        for (size_t k = 0; k < count; ++k) sections.at(0).bytes[at + k] = char(value);
        return assemble(sections, 3, 0);
    };
    CHECK_NOTHROW(parse(with_config_byte(5, 1)));
    check_rejected(with_config_byte(5, 7), "objective", "got 7");
    check_rejected(with_config_byte(14, 0, 8), "implicit", "lambda must be > 0");
    check_rejected(with_config_byte(27, 1), "user rows", "expected 0");
    check_rejected(with_config_byte(4, 1), "config.objective", "no biases");
    // Version 2 readers' layout: the same bytes read as a version 2 file are a rating config whose user
    // rows byte is the objective's (1) and whose next bytes are not a table config.
    auto sections = cut(good);
    CHECK_THROWS_AS(parse(assemble(sections, 2, 0)), FormatError);
}

TEST_CASE("every truncation of a real model is refused with a named field", "[model_file][corrupt]") {
    for (Storage s : {Storage::F32, Storage::Int8}) {
        const std::string f = serialize_model(make_model(variants()[1]), s, true);
        for (size_t n = 0; n < f.size(); ++n) {
            try {
                parse(f.substr(0, n));
                FAIL_CHECK("a prefix of " << n << " bytes was accepted");
            } catch (const FormatError& e) {
                if (e.field().empty()) FAIL_CHECK("no field named at " << n << ": " << e.what());
            }
        }
    }
}

TEST_CASE("every flipped bit of a real model is refused", "[model_file][corrupt]") {
    const std::string f = serialize_model(make_model(variants()[3]), Storage::Int8, false);
    for (size_t i = 0; i < f.size(); ++i)
        for (int b = 0; b < 8; ++b) {
            std::string g = f;
            g[i] = static_cast<char>(g[i] ^ (1 << b));
            try {
                parse(g);
                FAIL_CHECK("byte " << i << " bit " << b << " flipped was accepted");
            } catch (const FormatError&) {
            }
        }
    std::string g = f;
    g[g.size() - 1] ^= 0x10;
    check_rejected(g, "checksum", "the file is corrupt");
    g = f;
    g[g.size() - 10] ^= 0x01;  // inside the history section
    check_rejected(g, "checksum", "expected 0x");
}

TEST_CASE("sections that overlap, leave gaps or run past the end are refused", "[model_file][corrupt]") {
    const std::string f = HandModel().file();
    auto set_u64 = [](std::string g, size_t at, uint64_t v) {
        for (int i = 0; i < 8; ++i) g[at + size_t(i)] = char((v >> (8 * i)) & 0xff);
        return g;
    };
    // Entry k of the table: id at 16 + 20k, offset at +4, size at +12.
    const size_t entry1 = 16 + 20;
    const uint64_t offset1 = 16 + 20 * 8 + HandModel().config.size();
    check_rejected(set_u64(f, entry1 + 4, offset1 - 3), "section table[1] (users).offset", "sections overlap");
    check_rejected(set_u64(f, entry1 + 4, offset1 + 3), "section table[1] (users).offset", "expected " + std::to_string(offset1));
    check_rejected(set_u64(f, entry1 + 12, uint64_t(1) << 40), "section table[1] (users).size", "runs past the end");
    check_rejected(set_u64(f, 16 + 20 * 7 + 12, HandModel().history.size() + 1), "section table[7] (history).size");
    check_rejected(set_u64(f, 16 + 20 * 7 + 12, HandModel().history.size() - 1), "section table", "sections end at");
    std::string g = f;
    g[8] = char(200);  // section count
    check_rejected(g, "section count", "expected 1..64, got 200");
    g = f;
    g[8] = char(60);
    check_rejected(g, "section table", "truncated");
    g = f;
    g[12] = 3;
    check_rejected(g, "storage", "got 3");
    g = f;
    g[14] = 1;
    check_rejected(g, "reserved");
}

TEST_CASE("a section twice, a missing section or trailing bytes are refused; unknown ones skipped",
          "[model_file][corrupt]") {
    HandModel h;
    auto s = h.sections();
    s.push_back({2, h.users});
    check_rejected(assemble(s), "(users).id", "appears twice");
    s = h.sections();
    s.erase(s.begin() + 5);  // tables
    check_rejected(assemble(s), "tables", "missing");
    s = h.sections();
    s[1].bytes += '\0';
    check_rejected(assemble(s), "users", "1 unexpected byte");
    s = h.sections();
    s.push_back({1000, "from the future"});
    CHECK(parse(assemble(s)).users.size() == 2);
}

TEST_CASE("huge counts fail on the count, before anything is allocated", "[model_file][corrupt]") {
    const uint64_t huge = uint64_t(1) << 40;
    SECTION("vocabulary count") {
        HandModel h;
        h.users = std::string(1, '\0');
        put_varint(h.users, huge);
        check_rejected(h.file(), "users.count", "claims 1099511627776 entries");
    }
    SECTION("rows in the config") {
        HandModel h;
        h.config = h.config.substr(0, 5);
        put_varint(h.config, huge);
        put_varint(h.config, 3);
        for (int t = 0; t < 2; ++t) h.config += std::string{'\0', '\2'};
        check_rejected(h.file(), "config.user rows", "expected 1..2147483647, got 1099511627776");
    }
    SECTION("the most rows a config may claim, with a vocabulary claiming as many") {
        HandModel h;
        h.config = h.config.substr(0, 5);
        put_varint(h.config, 2147483647);
        put_varint(h.config, 3);
        for (int t = 0; t < 2; ++t) h.config += std::string{'\0', '\2'};
        h.users = std::string(1, '\0');
        put_varint(h.users, 2147483647);
        check_rejected(h.file(), "users.count", "claims 2147483647 entries");
    }
    SECTION("rows of a table") {
        HandModel h;
        std::string t;
        put_varint(t, 2);
        put_str(t, "user.embedding");
        put_varint(t, huge);
        put_varint(t, 2);
        h.tables = t + h.tables.substr(17);  // after count, name and the old rows varint
        check_rejected(h.file(), "tables.user.embedding.shape", "expected 2 x 2 (from the config), got 1099511627776 x 2");
    }
    SECTION("a hashed table with 2^31-1 buckets claimed by both config and table: 128 GB if allocated") {
        HandModel h;
        h.config = h.config.substr(0, 7);  // scale, flags, user rows, item rows
        h.config += '\3';                  // hashed
        put_varint(h.config, 2);
        put_varint(h.config, 2147483647);
        h.config += std::string{'\0', '\2'};
        std::string t;
        put_varint(t, 2);
        put_str(t, "user.hashed");
        put_varint(t, 2147483647);
        put_varint(t, 2);
        put_u8(t, 0);
        h.tables = t + std::string(64, '\0');
        check_rejected(h.file(), "tables.user.hashed.data", "needs 17179869176 bytes");
    }
    SECTION("parameter count") {
        HandModel h;
        h.tables = std::string();
        put_varint(h.tables, huge);
        check_rejected(h.file(), "tables.count", "claims");
    }
    SECTION("a string length") {
        HandModel h;
        h.titles = std::string();
        put_varint(h.titles, 3);
        put_varint(h.titles, huge);
        check_rejected(h.file(), "titles.title.length", "claims 1099511627776");
    }
    SECTION("titles, popularity and history counts") {
        HandModel h;
        h.titles = std::string();
        put_varint(h.titles, huge);
        check_rejected(h.file(), "titles.count", "claims");
        HandModel p;
        p.popularity = std::string();
        put_varint(p.popularity, huge);
        check_rejected(p.file(), "popularity.count", "claims");
        HandModel q;
        q.history = std::string();
        put_varint(q.history, huge);
        check_rejected(q.file(), "history.epochs", "claims");
    }
    SECTION("a varint that never ends") {
        HandModel h;
        h.popularity = std::string(12, '\xff');
        check_rejected(h.file(), "popularity.count", "varint");
    }
}

TEST_CASE("values that contradict the config or the format are refused", "[model_file][corrupt]") {
    SECTION("unknown storage type") {
        HandModel h;
        h.tables[1 + 1 + 14 + 1 + 1] = 9;  // count, name length, name, rows, cols, storage
        check_rejected(h.file(), "tables.user.embedding.storage", "or 3 (int8, column scales), got 9");
    }
    SECTION("a table narrower than the config") {
        HandModel h;
        h.tables[1 + 1 + 14 + 1] = 1;
        check_rejected(h.file(), "tables.user.embedding.shape", "expected 2 x 2 (from the config), got 2 x 1");
    }
    SECTION("a parameter under another name") {
        HandModel h;
        h.tables[2] = 'x';  // count, name length, then the name
        check_rejected(h.file(), "tables.user.embedding.name", "expected 'user.embedding', got 'xser.embedding'");
    }
    SECTION("a vocabulary of the wrong size or with a repeated id") {
        HandModel h;
        h.users[1] = 1;
        check_rejected(h.file(), "users.count", "expected 2 (the config's rows), got 1");
        HandModel r;
        r.users.back() = 0;  // second delta 0: "10" again
        check_rejected(r.file(), "users.id", "repeats id '10'");
    }
    SECTION("an unknown table kind, a dim out of range, mismatched dims") {
        HandModel h;
        h.config[7] = 9;
        check_rejected(h.file(), "config.user.kind", "got 9");
        HandModel d;
        d.config[8] = 0;
        check_rejected(d.file(), "config.user.dim", "expected 1..4096, got 0");
        HandModel m;
        m.config[10] = 3;
        check_rejected(m.file(), "config.item.dim", "expected 2 (the user table's dim), got 3");
    }
    SECTION("a non-positive scale, a bad train fraction") {
        HandModel h;
        h.config = std::string(4, '\0') + h.config.substr(4);
        check_rejected(h.file(), "config.scale", "positive");
        HandModel t;
        const size_t at = 1 + 4 + 1 + 8 + 1 + 13;  // after the three strings
        std::string f64;
        put_f64(f64, 1.5);
        t.training.replace(at, 8, f64);
        check_rejected(t.file(), "training.train fraction", "(0, 1)");
    }
}

TEST_CASE("damage inside a real model's sections is named", "[model_file][corrupt]") {
    const std::string f = serialize_model(make_model(variants()[1]), Storage::Int8, true);
    // Popularity counts for fewer items than the model has.
    std::string order;
    put_varint(order, 5);
    for (int i = 0; i < 5; ++i) put_varint(order, 1);
    check_rejected(replace_section(f, 4, order), "popularity.count", "expected 0 or 53");
    // A model with no popularity but an item table that says it follows popularity.
    std::string empty;
    put_varint(empty, 0);
    check_rejected(replace_section(f, 4, empty), "config.item.order source", "popularity section is empty");
}

TEST_CASE("stored top-N figures survive a round trip; a bad stored flag or protocol is refused", "[model_file]") {
    ModelFile f = make_model(variants().front());
    CHECK(parse(serialize_model(f)).ranking.protocol.empty());  // none stored
    f.ranking.protocol = "visitors";
    f.ranking.positive_threshold = 3.5f;
    f.ranking.metrics = {0.3866, 0.4489, 0.8752, 541, 96.6, 601, 3};
    const ModelFile g = parse(serialize_model(f));
    CHECK(g.ranking.protocol == "visitors");
    CHECK(g.ranking.positive_threshold == 3.5f);
    CHECK(g.ranking.metrics.recall20 == 0.3866);
    CHECK(g.ranking.metrics.ndcg100 == 0.4489);
    CHECK(g.ranking.metrics.hr10 == 0.8752);
    CHECK(g.ranking.metrics.coverage10 == 541);
    CHECK(g.ranking.metrics.popularity_percentile == 96.6);
    CHECK(g.ranking.metrics.users == 601);
    CHECK(g.ranking.metrics.skipped == 3);
    f.ranking.protocol = "other";
    CHECK_THROWS_WITH(parse(serialize_model(f)), Catch::Contains("top-N protocol"));
}

TEST_CASE("an AdaGrad or SGD model is a version 5 file that keeps its optimizer; Adam's stay older",
          "[model_file][corrupt]") {
    ModelFile f = make_model(variants().front());
    const std::string adam_bytes = serialize_model(f);
    uint32_t version = 0;
    std::memcpy(&version, adam_bytes.data() + 4, 4);
    CHECK(version == 3);
    std::string files[2];
    for (Optimizer o : {Optimizer::AdaGrad, Optimizer::Sgd}) {
        f.info.train.adam.optimizer = o;
        const std::string bytes = serialize_model(f);
        std::memcpy(&version, bytes.data() + 4, 4);
        CHECK(version == 5);
        const ModelFile g = parse(bytes);
        CHECK(g.info.train.adam.optimizer == o);
        CHECK(g.format_version == 5);
        files[o == Optimizer::Sgd] = bytes;
    }
    // The two files differ in the optimizer's code (1, 2) and the checksum only.
    REQUIRE(files[0].size() == files[1].size());
    size_t at = 0;
    while (at < files[0].size() && files[0][at] == files[1][at]) ++at;
    REQUIRE(at < files[0].size() - 4);
    CHECK(files[0][at] == 1);
    CHECK(files[1][at] == 2);
    std::string bad = files[0];
    bad[at] = 9;
    const uint32_t crc = reference_crc32(bad.substr(0, bad.size() - 4));  // re-sealed: the field must fail
    std::memcpy(&bad[bad.size() - 4], &crc, 4);
    check_rejected(bad, "optimizer", "expected 0 (adam), 1 (adagrad) or 2 (sgd), got 9");
}

TEST_CASE("a linear-link model is a version 6 file that keeps its link; sigmoid models stay older",
          "[model_file][corrupt]") {
    Variant v = variants().front();
    v.config.link = Link::Linear;
    const ModelFile f = make_model(v);
    const std::string bytes = serialize_model(f);
    uint32_t version = 0;
    std::memcpy(&version, bytes.data() + 4, 4);
    CHECK(version == 6);
    const ModelFile g = parse(bytes);
    CHECK(g.format_version == 6);
    CHECK(g.model->config().link == Link::Linear);
    for (int32_t u = 0; u < kUsers; u += 3)
        for (int32_t i = 0; i < kItems; i += 5) CHECK(g.model->predict(u, i) == f.model->predict(u, i));
    CHECK(serialize_model(g) == bytes);
    // Config bytes: f32 scale, u8 bias flags, u8 objective (5), u8 link (6), varint user rows, ...
    auto sections = cut(bytes);
    REQUIRE(sections.at(0).bytes[6] == 1);
    sections.at(0).bytes[6] = 7;
    check_rejected(assemble(sections, 6, 0), "link", "expected 0 (sigmoid) or 1 (linear), got 7");
    // Read as version 5, the link byte would be the user rows: refused, not misread.
    CHECK_THROWS_AS(parse(assemble(cut(bytes), 5, 0)), FormatError);
    Variant sigmoid = variants().front();
    const std::string older = serialize_model(make_model(sigmoid));
    std::memcpy(&version, older.data() + 4, 4);
    CHECK(version == 3);
}

TEST_CASE("format_version_for: the oldest version that holds a storage, objective and optimizer",
          "[model_file]") {
    // From the format's history (CHANGELOG.md): 3 is the base, int4 came in 4; pq, BPR and the optimizer in 5.
    for (Storage s : {Storage::F32, Storage::F16, Storage::Int8}) {
        CHECK(format_version_for(s) == 3);
        CHECK(format_version_for(s, Objective::Implicit) == 3);
        CHECK(format_version_for(s, Objective::Bpr) == 5);
        CHECK(format_version_for(s, Objective::Rating, Optimizer::AdaGrad) == 5);
        CHECK(format_version_for(s, Objective::Rating, Optimizer::Sgd) == 5);
    }
    CHECK(format_version_for(Storage::Int4) == 4);
    CHECK(format_version_for(Storage::Int4, Objective::Implicit, Optimizer::Adam) == 4);
    CHECK(format_version_for(Storage::Int4, Objective::Bpr) == 5);
    CHECK(format_version_for(Storage::Int4, Objective::Rating, Optimizer::Sgd) == 5);
    CHECK(format_version_for(Storage::Pq) == 5);
    CHECK(format_version_for(Storage::Pq, Objective::Bpr, Optimizer::AdaGrad) == 5);
    // The linear link came in 6.
    for (Storage s : {Storage::F32, Storage::Int8, Storage::Int4, Storage::Pq})
        CHECK(format_version_for(s, Objective::Rating, Optimizer::AdaGrad, Link::Linear) == 6);
}
