// What the settings field lists (train_fields.h, table_fields.h) share: an entry's `ref` gives the member
// it describes as void*, and field_ref gives it back as the type the entry's type names.
#pragma once

namespace memrec {

template <class T, class Field, class Config>
T& field_ref(const Field& f, Config& c) {
    return *static_cast<T*>(f.ref(c));
}
template <class T, class Field, class Config>
const T& field_ref(const Field& f, const Config& c) {
    return *static_cast<const T*>(f.ref(const_cast<Config&>(c)));
}

}  // namespace memrec
