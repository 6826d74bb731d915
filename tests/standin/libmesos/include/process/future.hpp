// Minimal process::Future<T> of the Mesos stand-in. libprocess's futures are
// asynchronous; the stand-in calls module methods synchronously, so a Future
// here is already READY (built from a value), FAILED (built from a Failure)
// or PENDING (default-constructed: a value that never comes). The
// constructors a module uses to return a result are those of libprocess:
// from a value (or anything the value type is built from, e.g. None for an
// Option) and from a process::Failure.
#ifndef MESOS_STANDIN_PROCESS_FUTURE_HPP
#define MESOS_STANDIN_PROCESS_FUTURE_HPP

#include <memory>
#include <string>

#include <stout/error.hpp>

namespace process {

class Failure
{
public:
  explicit Failure(const std::string& _message) : message(_message) {}
  Failure(const Error& error) : message(error.message) {}

  const std::string message;
};


template <typename T>
class Future
{
public:
  Future() : state_(PENDING) {}

  Future(const T& value)
    : state_(READY), value_(std::make_shared<T>(value)) {}

  template <typename U>
  Future(const U& u) : state_(READY), value_(std::make_shared<T>(u)) {}

  Future(const Failure& failure)
    : state_(FAILED), failure_(failure.message) {}

  bool isPending() const { return state_ == PENDING; }
  bool isReady() const { return state_ == READY; }
  bool isFailed() const { return state_ == FAILED; }

  const T& get() const { return *value_; }
  const std::string& failure() const { return failure_; }

private:
  enum State { PENDING, READY, FAILED };

  State state_;
  std::shared_ptr<T> value_;
  std::string failure_;
};

} // namespace process

#endif // MESOS_STANDIN_PROCESS_FUTURE_HPP
