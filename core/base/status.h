#pragma once
// Status and Result<T>: expected failures in core/ are values, never exceptions.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/base/assert.h"

namespace samsa {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,  // caller passed something malformed
  kCorruption,       // bytes on disk or on the wire fail validation
  kOutOfRange,       // offset or index outside what exists
  kNotFound,
  kAlreadyExists,
  kIoError,
  kNoSpace,
  kUnsupported,
  kFailedPrecondition,
  kTruncated,  // input ended before a complete value (decoders)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status NoSpace(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Truncated(std::string m) { return {StatusCode::kTruncated, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Prefixes the message with context ("segment 00..00.log: " + message).
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    SAMSA_ASSERT_MSG(!std::get<Status>(v_).ok(), "Result constructed from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    SAMSA_ASSERT_MSG(ok(), "value() on an error Result");
    return std::get<T>(v_);
  }
  const T& value() const& {
    SAMSA_ASSERT_MSG(ok(), "value() on an error Result");
    return std::get<T>(v_);
  }
  T&& value() && {
    SAMSA_ASSERT_MSG(ok(), "value() on an error Result");
    return std::move(std::get<T>(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T fallback) const { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace samsa

// Returns early with the status when it is not ok.
#define SAMSA_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::samsa::Status samsa_status_ = (expr);  \
    if (!samsa_status_.ok()) return samsa_status_; \
  } while (0)

#define SAMSA_CONCAT_INNER(a, b) a##b
#define SAMSA_CONCAT(a, b) SAMSA_CONCAT_INNER(a, b)
// SAMSA_ASSIGN_OR_RETURN(auto x, Foo()); declares x from a Result or returns its status.
#define SAMSA_ASSIGN_OR_RETURN(lhs, expr) \
  SAMSA_ASSIGN_OR_RETURN_IMPL(SAMSA_CONCAT(samsa_result_, __LINE__), lhs, expr)
#define SAMSA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
