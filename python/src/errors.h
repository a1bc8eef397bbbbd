// The core's exceptions as Python exceptions: memrec.Error (a RuntimeError) and its kinds, each carrying
// the core's message and its context as attributes.
//   memrec.DataError(Error, ValueError)     a bad ratings file: .file, .line (0 when no line applies)
//   memrec.FormatError(Error, ValueError)   a damaged model file: .field
//   memrec.ConfigError(Error, ValueError)   a setting out of range or an unknown option
//   memrec.TrainingDiverged(Error)          training produced non-finite values: .epoch
#pragma once

#include <pybind11/pybind11.h>

namespace memrec::python {

void register_errors(pybind11::module_& m);

}  // namespace memrec::python
