#include "errors.h"

#include <CLI/CLI.hpp>
#include <initializer_list>
#include <string>
#include <utility>

#include "cli.h"
#include "memrec/error.h"
#include "memrec/training_run.h"


namespace memrec::python {

namespace {

// New references, kept for the life of the interpreter (the module is never unloaded).
PyObject* error_class = nullptr;
PyObject* data_error_class = nullptr;
PyObject* format_error_class = nullptr;
PyObject* config_error_class = nullptr;
PyObject* diverged_class = nullptr;

PyObject* new_class(pybind11::module_& m, const char* name, pybind11::handle bases, const char* doc) {
    const std::string qualified = std::string("memrec.") + name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
    if (!cls) throw pybind11::error_already_set();
    m.attr(name) = pybind11::handle(cls);
    return cls;
}

using Attributes = std::initializer_list<std::pair<const char*, pybind11::object>>;

void raise(PyObject* cls, const char* message, Attributes attributes = {}) {
    pybind11::object e = pybind11::reinterpret_borrow<pybind11::object>(cls)(pybind11::str(message));
    for (const auto& [name, value] : attributes) e.attr(name) = value;
    PyErr_SetObject(cls, e.ptr());
}

}  // namespace

void register_errors(pybind11::module_& m) {
    error_class = new_class(m, "Error", PyExc_RuntimeError, "Base class of every error memrec's core reports.");
    const pybind11::tuple value_error(pybind11::make_tuple(pybind11::handle(error_class),
                                                           pybind11::handle(PyExc_ValueError)));
    data_error_class = new_class(m, "DataError", value_error,
                                 "A ratings or titles file that is missing, empty or malformed "
                                 "(attributes: file, line; line 0 when none applies).");
    format_error_class = new_class(m, "FormatError", value_error,
                                   "A model file (.mrec) that cannot be loaded (attribute: field).");
    config_error_class = new_class(m, "ConfigError", value_error,
                                   "A setting out of range, an unknown option or a choice that does not apply.");
    diverged_class = new_class(m, "TrainingDiverged", pybind11::handle(error_class),
                               "Training ended an epoch with non-finite values (attribute: epoch).");

    pybind11::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const DataError& e) {
            raise(data_error_class, e.what(), {{"file", pybind11::str(e.file())}, {"line", pybind11::int_(e.line())}});
        } catch (const FormatError& e) {
            raise(format_error_class, e.what(), {{"field", pybind11::str(e.field())}});
        } catch (const ConfigError& e) {
            raise(config_error_class, e.what());
        } catch (const TrainingDiverged& e) {
            raise(diverged_class, e.what(), {{"epoch", pybind11::int_(e.epoch())}});
        } catch (const Error& e) {
            raise(error_class, e.what());
        } catch (const cli::UsageError& e) {  // the command line's checks of a combination of options
            raise(config_error_class, e.what());
        } catch (const CLI::ParseError& e) {  // an unknown option or a value out of its range
            raise(config_error_class, e.what());
        }
    });
}

}  // namespace memrec::python
