// memrec::Error and its kinds. The core never prints and never exits: every problem is thrown as one of
// these, carrying enough context (file and line, or the model-file field) for the caller to show it in one
// line. The CLI maps DataError/FormatError to exit status 1 and ConfigError to 2.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace memrec {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bad input data: a ratings or titles file that is missing, empty or malformed.
// what() reads "FILE:LINE: MESSAGE" (or "FILE: MESSAGE" when no line applies).
class DataError : public Error {
public:
    DataError(std::string file, int64_t line, const std::string& message)
        : Error(line > 0 ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message),
          file_(std::move(file)),
          line_(line) {}
    const std::string& file() const { return file_; }
    int64_t line() const { return line_; }

private:
    std::string file_;
    int64_t line_;
};

// A model file (.mrec) that cannot be loaded. what() names the field and, where it applies, expected vs got.
class FormatError : public Error {
public:
    FormatError(std::string field, const std::string& message)
        : Error("model file: " + field + ": " + message), field_(std::move(field)) {}
    // Another binary container (a training checkpoint): what() reads "WHAT: FIELD: MESSAGE".
    FormatError(const std::string& what, std::string field, const std::string& message)
        : Error(what + ": " + field + ": " + message), field_(std::move(field)) {}
    const std::string& field() const { return field_; }

private:
    std::string field_;
};

// A configuration value out of range (negative dims, zero buckets, batch 0, NaN learning rate, ...).
class ConfigError : public Error {
public:
    using Error::Error;
};

}  // namespace memrec
