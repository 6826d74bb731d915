// Minimal Result<T> of the Mesos stand-in: Some value, None, or an Error,
// with stout's accessor names.
#ifndef MESOS_STANDIN_STOUT_RESULT_HPP
#define MESOS_STANDIN_STOUT_RESULT_HPP

#include <string>

#include <stout/error.hpp>
#include <stout/none.hpp>

template <typename T>
class Result
{
public:
  Result(const T& value) : state_(SOME), value_(value) {}
  Result(const None&) : state_(NONE) {}
  Result(const Error& error) : state_(ERROR), error_(error.message) {}

  bool isSome() const { return state_ == SOME; }
  bool isNone() const { return state_ == NONE; }
  bool isError() const { return state_ == ERROR; }

  const T& get() const { return value_; }
  const std::string& error() const { return error_; }

private:
  enum State { SOME, NONE, ERROR };

  State state_;
  T value_;
  std::string error_;
};

#endif // MESOS_STANDIN_STOUT_RESULT_HPP
