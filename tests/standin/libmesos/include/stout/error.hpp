// Minimal Error of the Mesos stand-in (stout-compatible name).
#ifndef MESOS_STANDIN_STOUT_ERROR_HPP
#define MESOS_STANDIN_STOUT_ERROR_HPP

#include <string>

class Error
{
public:
  explicit Error(const std::string& message_) : message(message_) {}

  const std::string message;
};

#endif // MESOS_STANDIN_STOUT_ERROR_HPP
