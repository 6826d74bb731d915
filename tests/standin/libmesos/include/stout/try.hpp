// Minimal Try<T> of the Mesos stand-in: a value or an Error, with stout's
// accessor names.
#ifndef MESOS_STANDIN_STOUT_TRY_HPP
#define MESOS_STANDIN_STOUT_TRY_HPP

#include <string>

#include <stout/error.hpp>

template <typename T>
class Try
{
public:
  Try(const T& value) : error_(false), value_(value) {}
  Try(const Error& error) : error_(true), message_(error.message) {}

  bool isSome() const { return !error_; }
  bool isError() const { return error_; }

  const T& get() const { return value_; }
  const std::string& error() const { return message_; }

private:
  bool error_;
  T value_;
  std::string message_;
};

#endif // MESOS_STANDIN_STOUT_TRY_HPP
