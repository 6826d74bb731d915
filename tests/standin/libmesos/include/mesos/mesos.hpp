// The few Mesos message types a hook needs, with the accessor names of the
// generated protobuf classes so hook sources compile against both Mesos and
// the stand-in. Every method is defined in libmesos (none inline): a hook
// using them has undefined dynamic symbols that only libmesos provides.
//
// MESOS_STANDIN_ABI (an inline namespace, set in mesos/version.hpp) is part
// of every mangled name: two installs with different ABI tags are
// link-incompatible even when they report the same version, like a fork.
#ifndef MESOS_STANDIN_MESOS_HPP
#define MESOS_STANDIN_MESOS_HPP

#include <deque>
#include <string>

#include <mesos/version.hpp>

namespace mesos {
inline namespace MESOS_STANDIN_ABI {

class Parameter
{
public:
  const std::string& key() const;
  const std::string& value() const;
  void set_key(const std::string& key);
  void set_value(const std::string& value);

private:
  std::string key_;
  std::string value_;
};

class Parameters
{
public:
  int parameter_size() const;
  const Parameter& parameter(int index) const;
  Parameter* add_parameter();

private:
  std::deque<Parameter> parameter_;
};

class Environment_Variable
{
public:
  const std::string& name() const;
  const std::string& value() const;
  void set_name(const std::string& name);
  void set_value(const std::string& value);

private:
  std::string name_;
  std::string value_;
};

class Environment
{
public:
  typedef Environment_Variable Variable;

  int variables_size() const;
  const Variable& variables(int index) const;
  Variable* add_variables();
  void CopyFrom(const Environment& other);

private:
  std::deque<Variable> variables_;
};

class CommandInfo
{
public:
  CommandInfo();
  bool has_environment() const;
  const Environment& environment() const;
  Environment* mutable_environment();
  const std::string& value() const;
  void set_value(const std::string& value);

private:
  bool hasEnvironment_;
  Environment environment_;
  std::string value_;
};

class ExecutorInfo
{
public:
  bool has_command() const;
  const CommandInfo& command() const;
  CommandInfo* mutable_command();

private:
  CommandInfo command_;
};

} // inline namespace MESOS_STANDIN_ABI
} // namespace mesos

#endif // MESOS_STANDIN_MESOS_HPP
