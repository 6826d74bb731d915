// Minimal Option<T> of the Mesos stand-in: Some value or None, with
// stout's accessor names.
#ifndef MESOS_STANDIN_STOUT_OPTION_HPP
#define MESOS_STANDIN_STOUT_OPTION_HPP

#include <stout/none.hpp>

template <typename T>
class Option
{
public:
  Option() : some_(false), value_() {}
  Option(const None&) : some_(false), value_() {}
  Option(const T& value) : some_(true), value_(value) {}

  static Option<T> none() { return Option<T>(); }
  static Option<T> some(const T& value) { return Option<T>(value); }

  bool isSome() const { return some_; }
  bool isNone() const { return !some_; }

  const T& get() const { return value_; }
  const T* operator->() const { return &value_; }

private:
  bool some_;
  T value_;
};

#endif // MESOS_STANDIN_STOUT_OPTION_HPP
