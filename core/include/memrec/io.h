// File helpers shared by the model file, history JSON and checkpoints.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace memrec {

// Writes `bytes` to a temporary file beside `path`, flushes it to disk and renames it over `path`, so a
// crash never leaves a half-written file where a good one was. Throws Error on failure (and removes the
// temporary file). An overwrite keeps the replaced file's permission bits; temporaries of `path` left by
// writers that were killed (NAME.tmp.PID whose PID is no longer running) are removed first.
void write_file_atomic(const std::string& path, std::string_view bytes);
// The same for a file written in pieces (a large one need not sit in memory whole): `produce` passes each
// piece, in order, to the function it is given. If `produce` throws, the temporary file is removed and the
// exception passes on; `path` is untouched.
using ByteSink = std::function<void(std::string_view)>;
void write_file_atomic(const std::string& path, const std::function<void(const ByteSink&)>& produce);

// The whole file; throws DataError (file missing, a directory, unreadable).
std::string read_file(const std::string& path);

// "fnv1a64:" and the 16 hex digits of the 64-bit FNV-1a hash of `bytes`: what a model file keeps of the
// ratings it was trained on (their provenance without their path).
std::string content_hash(std::string_view bytes);
// content_hash(read_file(path)), read in small pieces rather than whole. Throws DataError as read_file does.
std::string content_hash_of_file(const std::string& path);

}  // namespace memrec
