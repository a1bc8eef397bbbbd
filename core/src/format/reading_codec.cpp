// The reading section of a model file (section 12, documented in model_file.cpp): how the ratings were
// read (delimited columns, duplicates policy, a given scale) and the separate eval file, if any.
#include <iterator>
#include <utility>

#include "memrec/error.h"
#include "model_sections.h"
#include "settings_codec.h"

namespace memrec::detail {

namespace {
constexpr DuplicatePolicy kPolicies[] = {DuplicatePolicy::Error, DuplicatePolicy::Last, DuplicatePolicy::Mean,
                                         DuplicatePolicy::Count};
}  // namespace

void write_reading(ByteWriter& w, const ModelFile& file) { write_reading_fields(w, file.info.reading); }

void read_reading(ByteReader& r, ModelFile& file) {
    read_reading_fields(r, file.info.reading);
    r.expect_end();
    if (file.info.reading.is_default())
        r.fail("fields", "every field is the default (the section is written only when one differs)");
}

void write_reading_fields(ByteWriter& w, const ReadingInfo& r) {
    w.u8(r.delimited ? 1 : 0);
    if (r.delimited) {
        w.u8(static_cast<uint8_t>(r.columns.delimiter));
        w.str(r.columns.user_column);
        w.str(r.columns.item_column);
        w.str(r.columns.rating_column);
        w.u8(r.columns.has_header ? 1 : 0);
    }
    uint8_t policy = 0;
    while (kPolicies[policy] != r.duplicates) ++policy;
    w.u8(policy);
    w.u8(static_cast<uint8_t>((r.min_given ? 1 : 0) | (r.max_given ? 2 : 0)));
    w.str(r.eval_data);
}

void read_reading_fields(ByteReader& r, ReadingInfo& out) {
    out.delimited = read_flag(r, "delimited");
    if (out.delimited) {
        const uint8_t d = r.u8("delimiter");
        if (d == '"' || d == '\r' || d == '\n') r.fail("delimiter", "a quote or a newline cannot separate fields");
        out.columns.delimiter = static_cast<char>(d);
        for (auto [field, column] : {std::pair{"user column", &out.columns.user_column},
                                     std::pair{"item column", &out.columns.item_column},
                                     std::pair{"rating column", &out.columns.rating_column}}) {
            *column = r.str(field);
            if (column->empty()) r.fail(field, "expected a header name or a column number, got nothing");
        }
        out.columns.has_header = read_flag(r, "header");
    }
    const uint8_t policy = r.u8("duplicates");
    if (policy >= std::size(kPolicies)) r.fail("duplicates", "expected 0..3, got " + std::to_string(policy));
    out.duplicates = kPolicies[policy];
    const uint8_t scale = r.u8("scale given");
    if (scale > 3) r.fail("scale given", "expected bits 0 and 1 only, got " + std::to_string(scale));
    out.min_given = scale & 1;
    out.max_given = scale & 2;
    out.eval_data = r.str("eval data");
}

}  // namespace memrec::detail
