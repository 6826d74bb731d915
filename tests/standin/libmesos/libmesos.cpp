// libmesos of the Mesos stand-in (a test fixture).
//
// Two parts:
// 1. the out-of-line definitions of the types in <mesos/mesos.hpp> and
//    <mesos/hook.hpp> that hook modules link against;
// 2. a small C interface (mesos_standin_*) through which the Python agent
//    opens module libraries, calls create() and runs hook methods, so the
//    loading happens with dlopen(RTLD_NOW) in the agent process, against
//    this library, as in a real agent.
//
// Build (done by install-standin): g++ -std=c++14 -shared -fPIC
//   -I<prefix>/include libmesos.cpp -ldl -o libmesos-X.Y.Z.so

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module/hook.hpp>
#include <mesos/version.hpp>

const char* MESOS_STANDIN_VERSION_SYMBOL()
{
  return MESOS_VERSION;
}


namespace mesos {
inline namespace MESOS_STANDIN_ABI {

const std::string& Parameter::key() const { return key_; }
const std::string& Parameter::value() const { return value_; }
void Parameter::set_key(const std::string& key) { key_ = key; }
void Parameter::set_value(const std::string& value) { value_ = value; }

int Parameters::parameter_size() const
{
  return static_cast<int>(parameter_.size());
}

const Parameter& Parameters::parameter(int index) const
{
  return parameter_.at(index);
}

Parameter* Parameters::add_parameter()
{
  parameter_.emplace_back();
  return &parameter_.back();
}

const std::string& Environment_Variable::name() const { return name_; }
const std::string& Environment_Variable::value() const { return value_; }
void Environment_Variable::set_name(const std::string& name) { name_ = name; }

void Environment_Variable::set_value(const std::string& value)
{
  value_ = value;
}

int Environment::variables_size() const
{
  return static_cast<int>(variables_.size());
}

const Environment::Variable& Environment::variables(int index) const
{
  return variables_.at(index);
}

Environment::Variable* Environment::add_variables()
{
  variables_.emplace_back();
  return &variables_.back();
}

void Environment::CopyFrom(const Environment& other)
{
  if (&other != this) {
    variables_ = other.variables_;
  }
}

CommandInfo::CommandInfo() : hasEnvironment_(false) {}
bool CommandInfo::has_environment() const { return hasEnvironment_; }
const Environment& CommandInfo::environment() const { return environment_; }

Environment* CommandInfo::mutable_environment()
{
  hasEnvironment_ = true;
  return &environment_;
}

const std::string& CommandInfo::value() const { return value_; }
void CommandInfo::set_value(const std::string& value) { value_ = value; }

bool ExecutorInfo::has_command() const { return true; }
const CommandInfo& ExecutorInfo::command() const { return command_; }
CommandInfo* ExecutorInfo::mutable_command() { return &command_; }

Hook::~Hook() {}

Result<Environment> Hook::slaveExecutorEnvironmentDecorator(
    const ExecutorInfo&)
{
  return None();
}

} // inline namespace MESOS_STANDIN_ABI
} // namespace mesos


namespace {

char* duplicate(const std::string& s)
{
  char* copy = static_cast<char*>(std::malloc(s.size() + 1));
  std::memcpy(copy, s.c_str(), s.size() + 1);
  return copy;
}


void appendJsonString(std::string* out, const std::string& s)
{
  static const char hex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      *out += "\\u00";
      out->push_back(hex[c >> 4]);
      out->push_back(hex[c & 0xf]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

} // namespace


// The C interface used by the stand-in agent (through ctypes). Strings
// returned through char** are malloc'd; free them with mesos_standin_free.
extern "C" {

const char* mesos_standin_version()
{
  return MESOS_VERSION;
}


void mesos_standin_free(char* p)
{
  std::free(p);
}


// dlopen with RTLD_NOW, like stout's DynamicLibrary: every undefined symbol
// must resolve now, against libraries already loaded globally (libmesos).
void* mesos_standin_dlopen(const char* path, char** error)
{
  void* handle = dlopen(path, RTLD_NOW);
  if (handle == nullptr) {
    *error = duplicate(dlerror());
  }
  return handle;
}


void* mesos_standin_dlsym(void* handle, const char* name, char** error)
{
  dlerror();
  void* symbol = dlsym(handle, name);
  if (symbol == nullptr) {
    const char* message = dlerror();
    *error = duplicate(message != nullptr ? message : "symbol is null");
  }
  return symbol;
}


// Calls Module<Hook>::create with the given parameters. Exceptions thrown
// by create() are deliberately not caught (Mesos does not catch them).
void* mesos_standin_create_hook(
    void* module, int count, const char** keys, const char** values)
{
  auto* hookModule =
    static_cast<mesos::modules::Module<mesos::Hook>*>(module);

  if (hookModule->create == nullptr) {
    return nullptr;
  }

  mesos::Parameters parameters;
  for (int i = 0; i < count; i++) {
    mesos::Parameter* parameter = parameters.add_parameter();
    parameter->set_key(keys[i]);
    parameter->set_value(values[i]);
  }

  return hookModule->create(parameters);
}


// Runs hook->slaveExecutorEnvironmentDecorator on an executor whose command
// carries the given environment. Returns a malloc'd JSON document:
//   {"result": "none"} | {"result": "some", "variables": [[name, value]..]}
//   | {"result": "error", "message": "..."}
char* mesos_standin_decorate_environment(
    void* hook,
    int hasEnvironment,
    int count,
    const char** names,
    const char** values)
{
  mesos::ExecutorInfo executorInfo;
  if (hasEnvironment) {
    mesos::Environment* environment =
      executorInfo.mutable_command()->mutable_environment();
    for (int i = 0; i < count; i++) {
      mesos::Environment::Variable* variable = environment->add_variables();
      variable->set_name(names[i]);
      variable->set_value(values[i]);
    }
  }

  Result<mesos::Environment> result =
    static_cast<mesos::Hook*>(hook)->slaveExecutorEnvironmentDecorator(
        executorInfo);

  std::string json;
  if (result.isNone()) {
    json = "{\"result\": \"none\"}";
  } else if (result.isError()) {
    json = "{\"result\": \"error\", \"message\": ";
    appendJsonString(&json, result.error());
    json += "}";
  } else {
    json = "{\"result\": \"some\", \"variables\": [";
    const mesos::Environment& environment = result.get();
    for (int i = 0; i < environment.variables_size(); i++) {
      if (i > 0) {
        json += ", ";
      }
      json += "[";
      appendJsonString(&json, environment.variables(i).name());
      json += ", ";
      appendJsonString(&json, environment.variables(i).value());
      json += "]";
    }
    json += "]}";
  }

  return duplicate(json);
}

} // extern "C"
