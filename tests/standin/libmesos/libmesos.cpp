// libmesos of the Mesos stand-in (a test fixture).
//
// Two parts:
// 1. the out-of-line definitions of <mesos/hook.hpp> that hook modules link
//    against, and those of <mesos/slave/isolator.hpp> that isolator modules
//    link against (the message types of <mesos/mesos.hpp> and
//    <mesos/slave/containerizer.hpp> are protobuf classes, compiled in from
//    the generated .pb.cc files, with libprotobuf linked);
// 2. a small C interface (mesos_standin_*) through which the Python agent
//    and master open module libraries, call create() and run hook and
//    isolator methods,
//    so the loading happens with dlopen(RTLD_NOW) in the daemon's process,
//    against this library, as in a real agent or master.
//
// Build (done by install-standin): g++ -std=c++14 -shared -fPIC
//   -Iinclude libmesos.cpp include/mesos/mesos.pb.cc
//   include/mesos/slave/containerizer.pb.cc -lprotobuf -ldl
//   -o libmesos-X.Y.Z.so

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module/hook.hpp>
#include <mesos/module/isolator.hpp>
#include <mesos/slave/isolator.hpp>
#include <mesos/version.hpp>

const char* MESOS_STANDIN_VERSION_SYMBOL()
{
  return MESOS_VERSION;
}


namespace mesos {
inline namespace MESOS_STANDIN_ABI {

Hook::~Hook() {}

Result<Labels> Hook::masterLaunchTaskLabelDecorator(
    const TaskInfo&, const FrameworkInfo&, const SlaveInfo&)
{
  return None();
}

Result<Resources> Hook::masterLaunchTaskResourceDecorator(
    const TaskInfo&, const Resources&)
{
  return None();
}


Try<Nothing> Hook::masterSlaveLostHook(const SlaveInfo&)
{
  return Nothing();
}


Result<Environment> Hook::slaveExecutorEnvironmentDecorator(
    const ExecutorInfo&)
{
  return None();
}


Resources::Resources() {}


Resources::Resources(const Resource& resource)
{
  *this += resource;
}


Resources::Resources(
    const google::protobuf::RepeatedPtrField<Resource>& resources)
{
  for (const Resource& resource : resources) {
    *this += resource;
  }
}


size_t Resources::size() const
{
  return resources_.size();
}


Resources& Resources::operator+=(const Resource& resource)
{
  for (Resource& held : resources_) {
    if (held.name() == resource.name() && held.type() == Value::SCALAR &&
        resource.type() == Value::SCALAR) {
      held.mutable_scalar()->set_value(
          held.scalar().value() + resource.scalar().value());
      return *this;
    }
  }
  resources_.push_back(resource);
  return *this;
}


Resources& Resources::operator+=(const Resources& resources)
{
  for (const Resource& resource : resources) {
    *this += resource;
  }
  return *this;
}


Resources::operator google::protobuf::RepeatedPtrField<Resource>() const
{
  google::protobuf::RepeatedPtrField<Resource> result;
  for (const Resource& resource : resources_) {
    *result.Add() = resource;
  }
  return result;
}

} // inline namespace MESOS_STANDIN_ABI
} // namespace mesos


namespace mesos {
namespace slave {
inline namespace MESOS_STANDIN_ABI {

// The defaults of Mesos 1.11.0's include/mesos/slave/isolator.hpp: nothing
// to recover, prepare, isolate or clean up; empty statistics.
Isolator::~Isolator() {}


process::Future<Nothing> Isolator::recover(
    const std::vector<ContainerState>&,
    const hashset<ContainerID>&)
{
  return Nothing();
}


process::Future<Option<ContainerLaunchInfo>> Isolator::prepare(
    const ContainerID&,
    const ContainerConfig&)
{
  return None();
}


process::Future<Nothing> Isolator::isolate(const ContainerID&, pid_t)
{
  return Nothing();
}


process::Future<ResourceStatistics> Isolator::usage(const ContainerID&)
{
  return ResourceStatistics();
}


process::Future<Nothing> Isolator::cleanup(const ContainerID&)
{
  return Nothing();
}

} // inline namespace MESOS_STANDIN_ABI
} // namespace slave
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


// The head of the JSON answer of a hook method: None and Error are whole
// (false), Some is left open for the caller to add its value and close.
template <typename T>
bool startResult(std::string* json, const Result<T>& result)
{
  if (result.isNone()) {
    *json = "{\"result\": \"none\"}";
    return false;
  }
  if (result.isError()) {
    *json = "{\"result\": \"error\", \"message\": ";
    appendJsonString(json, result.error());
    *json += "}";
    return false;
  }
  *json = "{\"result\": \"some\", ";
  return true;
}

} // namespace


// The C interface used by the stand-in daemons (through ctypes). Strings
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
  if (startResult(&json, result)) {
    json += "\"variables\": [";
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


// Runs hook->masterLaunchTaskLabelDecorator on a task (name, ID, agent ID,
// command, labels when hasLabels; a null value is a label without one), the
// framework launching it and the agent it goes to. Returns a malloc'd JSON
// document: {"result": "none"} | {"result": "error", "message": "..."}
//   | {"result": "some", "labels": [{"key": k[, "value": v]}..]}
char* mesos_standin_master_launch_task_label_decorator(
    void* hook,
    const char* taskName,
    const char* taskId,
    const char* agentId,
    const char* command,
    int hasLabels,
    int count,
    const char** keys,
    const char** values,
    const char* frameworkId,
    const char* frameworkName,
    const char* frameworkUser,
    const char* agentHostname,
    int agentPort)
{
  mesos::TaskInfo taskInfo;
  taskInfo.set_name(taskName);
  taskInfo.mutable_task_id()->set_value(taskId);
  taskInfo.mutable_slave_id()->set_value(agentId);
  taskInfo.mutable_command()->set_value(command);
  if (hasLabels) {
    mesos::Labels* labels = taskInfo.mutable_labels();
    for (int i = 0; i < count; i++) {
      mesos::Label* label = labels->add_labels();
      label->set_key(keys[i]);
      if (values[i] != nullptr) {
        label->set_value(values[i]);
      }
    }
  }

  mesos::FrameworkInfo frameworkInfo;
  frameworkInfo.set_user(frameworkUser);
  frameworkInfo.set_name(frameworkName);
  frameworkInfo.mutable_id()->set_value(frameworkId);
  frameworkInfo.set_checkpoint(true);

  mesos::SlaveInfo slaveInfo;
  slaveInfo.set_hostname(agentHostname);
  slaveInfo.set_port(agentPort);
  slaveInfo.mutable_id()->set_value(agentId);

  Result<mesos::Labels> result =
    static_cast<mesos::Hook*>(hook)->masterLaunchTaskLabelDecorator(
        taskInfo, frameworkInfo, slaveInfo);

  std::string json;
  if (startResult(&json, result)) {
    json += "\"labels\": [";
    const mesos::Labels& labels = result.get();
    for (int i = 0; i < labels.labels_size(); i++) {
      json += i > 0 ? ", {\"key\": " : "{\"key\": ";
      appendJsonString(&json, labels.labels(i).key());
      if (labels.labels(i).has_value()) {
        json += ", \"value\": ";
        appendJsonString(&json, labels.labels(i).value());
      }
      json += "}";
    }
    json += "]}";
  }

  return duplicate(json);
}

} // extern "C"


namespace {

void addScalars(
    google::protobuf::RepeatedPtrField<mesos::Resource>* resources,
    int count,
    const char** names,
    const double* values)
{
  for (int i = 0; i < count; i++) {
    mesos::Resource* resource = resources->Add();
    resource->set_name(names[i]);
    resource->set_type(mesos::Value::SCALAR);
    resource->mutable_scalar()->set_value(values[i]);
  }
}

} // namespace


extern "C" {

// Runs hook->masterLaunchTaskResourceDecorator on a task (name, ID, agent
// ID, command, scalar resources) with the agent's total (scalar) resources.
// Returns a malloc'd JSON document: {"result": "none"} | {"result":
// "error", "message": "..."} | {"result": "some", "resources": [[name,
// value]..]} (the scalar resources of the result).
char* mesos_standin_master_launch_task_resource_decorator(
    void* hook,
    const char* taskName,
    const char* taskId,
    const char* agentId,
    const char* command,
    int taskCount,
    const char** taskNames,
    const double* taskValues,
    int agentCount,
    const char** agentNames,
    const double* agentValues)
{
  mesos::TaskInfo taskInfo;
  taskInfo.set_name(taskName);
  taskInfo.mutable_task_id()->set_value(taskId);
  taskInfo.mutable_slave_id()->set_value(agentId);
  taskInfo.mutable_command()->set_value(command);
  addScalars(taskInfo.mutable_resources(), taskCount, taskNames, taskValues);

  google::protobuf::RepeatedPtrField<mesos::Resource> agent;
  addScalars(&agent, agentCount, agentNames, agentValues);

  Result<mesos::Resources> result =
    static_cast<mesos::Hook*>(hook)->masterLaunchTaskResourceDecorator(
        taskInfo, mesos::Resources(agent));

  std::string json;
  if (startResult(&json, result)) {
    json += "\"resources\": [";
    bool first = true;
    for (const mesos::Resource& resource : result.get()) {
      if (resource.type() != mesos::Value::SCALAR) {
        continue;
      }
      json += first ? "[" : ", [";
      first = false;
      appendJsonString(&json, resource.name());
      char value[32];
      std::snprintf(value, sizeof(value), "%.17g", resource.scalar().value());
      json += ", ";
      json += value;
      json += "]";
    }
    json += "]}";
  }

  return duplicate(json);
}


// Runs hook->masterSlaveLostHook on the SlaveInfo of a lost agent. Returns
// a malloc'd JSON document: {"result": "some"} | {"result": "error",
// "message": "..."}.
char* mesos_standin_master_slave_lost_hook(
    void* hook,
    const char* agentId,
    const char* hostname,
    int port)
{
  mesos::SlaveInfo slaveInfo;
  slaveInfo.set_hostname(hostname);
  slaveInfo.set_port(port);
  slaveInfo.mutable_id()->set_value(agentId);

  Try<Nothing> result =
    static_cast<mesos::Hook*>(hook)->masterSlaveLostHook(slaveInfo);

  std::string json;
  if (result.isError()) {
    json = "{\"result\": \"error\", \"message\": ";
    appendJsonString(&json, result.error());
    json += "}";
  } else {
    json = "{\"result\": \"some\"}";
  }
  return duplicate(json);
}

} // extern "C"


namespace {

// A message as JSON the way Mesos's JSON::protobuf writes it: the fields that
// are set, by name; numbers as numbers; enums by name.
void appendJsonMessage(std::string* out, const google::protobuf::Message& m);


void appendJsonField(
    std::string* out,
    const google::protobuf::Message& message,
    const google::protobuf::FieldDescriptor* field,
    int index)
{
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* r = message.GetReflection();
  const bool repeated = field->is_repeated();
  char number[40];
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      appendJsonString(out, repeated
          ? r->GetRepeatedString(message, field, index)
          : r->GetString(message, field));
      return;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      appendJsonMessage(out, repeated
          ? r->GetRepeatedMessage(message, field, index)
          : r->GetMessage(message, field));
      return;
    case FieldDescriptor::CPPTYPE_BOOL:
      *out += (repeated ? r->GetRepeatedBool(message, field, index)
                        : r->GetBool(message, field)) ? "true" : "false";
      return;
    case FieldDescriptor::CPPTYPE_ENUM:
      appendJsonString(out, (repeated
          ? r->GetRepeatedEnum(message, field, index)
          : r->GetEnum(message, field))->name());
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      std::snprintf(number, sizeof(number), "%.17g", repeated
          ? r->GetRepeatedDouble(message, field, index)
          : r->GetDouble(message, field));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      std::snprintf(number, sizeof(number), "%.9g", repeated
          ? r->GetRepeatedFloat(message, field, index)
          : r->GetFloat(message, field));
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      std::snprintf(number, sizeof(number), "%d", repeated
          ? r->GetRepeatedInt32(message, field, index)
          : r->GetInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      std::snprintf(number, sizeof(number), "%u", repeated
          ? r->GetRepeatedUInt32(message, field, index)
          : r->GetUInt32(message, field));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      std::snprintf(number, sizeof(number), "%lld", static_cast<long long>(
          repeated ? r->GetRepeatedInt64(message, field, index)
                   : r->GetInt64(message, field)));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      std::snprintf(number, sizeof(number), "%llu",
          static_cast<unsigned long long>(repeated
            ? r->GetRepeatedUInt64(message, field, index)
            : r->GetUInt64(message, field)));
      break;
  }
  *out += number;
}


void appendJsonMessage(std::string* out, const google::protobuf::Message& m)
{
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  out->push_back('{');
  for (size_t i = 0; i < fields.size(); i++) {
    if (i > 0) {
      *out += ", ";
    }
    appendJsonString(out, fields[i]->name());
    *out += ": ";
    if (fields[i]->is_repeated()) {
      out->push_back('[');
      int size = m.GetReflection()->FieldSize(m, fields[i]);
      for (int j = 0; j < size; j++) {
        if (j > 0) {
          *out += ", ";
        }
        appendJsonField(out, m, fields[i], j);
      }
      out->push_back(']');
    } else {
      appendJsonField(out, m, fields[i], -1);
    }
  }
  out->push_back('}');
}


// The JSON answer of an isolator method: {"result": "ready"[, "value":
// V]} | {"result": "failed", "message": "..."} | {"result": "pending"}.
// value(json, future) appends V for a ready future.
template <typename T, typename F>
char* futureResult(const process::Future<T>& future, F value)
{
  std::string json;
  if (future.isPending()) {
    json = "{\"result\": \"pending\"}";
  } else if (future.isFailed()) {
    json = "{\"result\": \"failed\", \"message\": ";
    appendJsonString(&json, future.failure());
    json += "}";
  } else {
    json = "{\"result\": \"ready\"";
    value(&json, future.get());
    json += "}";
  }
  return duplicate(json);
}


void noValue(std::string*, const Nothing&) {}


mesos::ContainerID containerIdOf(const char* value)
{
  mesos::ContainerID containerId;
  containerId.set_value(value);
  return containerId;
}


// The ExecutorInfo of a stand-in task: the command executor of the task.
void setExecutorInfo(
    mesos::ExecutorInfo* executorInfo,
    const char* executorId,
    const char* frameworkId,
    const char* command)
{
  executorInfo->mutable_executor_id()->set_value(executorId);
  executorInfo->mutable_framework_id()->set_value(frameworkId);
  executorInfo->set_name(std::string("Command Executor (Task: ") +
                         executorId + ")");
  executorInfo->set_source(executorId);
  executorInfo->mutable_command()->set_value(command);
}

} // namespace


extern "C" {

// Calls Module<Isolator>::create with the given parameters (exceptions are
// not caught, as in Mesos). A null result is create()'s.
void* mesos_standin_create_isolator(
    void* module, int count, const char** keys, const char** values)
{
  auto* isolatorModule =
    static_cast<mesos::modules::Module<mesos::slave::Isolator>*>(module);

  mesos::Parameters parameters;
  for (int i = 0; i < count; i++) {
    mesos::Parameter* parameter = parameters.add_parameter();
    parameter->set_key(keys[i]);
    parameter->set_value(values[i]);
  }

  return isolatorModule->create(parameters);
}


// Runs isolator->recover with one ContainerState per container (its ID,
// pid, sandbox, and the ExecutorInfo of its task) and no orphans.
char* mesos_standin_isolator_recover(
    void* isolator,
    int count,
    const char** containerIds,
    const long long* pids,
    const char** directories,
    const char** executorIds,
    const char** frameworkIds,
    const char** commands)
{
  std::vector<mesos::slave::ContainerState> states;
  for (int i = 0; i < count; i++) {
    mesos::slave::ContainerState state;
    setExecutorInfo(state.mutable_executor_info(), executorIds[i],
                    frameworkIds[i], commands[i]);
    state.mutable_container_id()->set_value(containerIds[i]);
    state.set_pid(static_cast<uint64_t>(pids[i]));
    state.set_directory(directories[i]);
    states.push_back(state);
  }

  return futureResult(
      static_cast<mesos::slave::Isolator*>(isolator)->recover(
          states, hashset<mesos::ContainerID>()),
      noValue);
}


// Runs isolator->prepare for a task's container: the ContainerConfig holds
// its executor, command (with its environment), scalar resources and
// sandbox. A ready answer carries "value": null (None) or the
// ContainerLaunchInfo as JSON.
char* mesos_standin_isolator_prepare(
    void* isolator,
    const char* containerId,
    const char* directory,
    const char* executorId,
    const char* frameworkId,
    const char* command,
    int count,
    const char** names,
    const char** values,
    int resourceCount,
    const char** resourceNames,
    const double* resourceValues)
{
  mesos::slave::ContainerConfig config;
  setExecutorInfo(config.mutable_executor_info(), executorId, frameworkId,
                  command);
  config.mutable_command_info()->set_value(command);
  mesos::Environment* environment =
    config.mutable_command_info()->mutable_environment();
  for (int i = 0; i < count; i++) {
    mesos::Environment::Variable* variable = environment->add_variables();
    variable->set_name(names[i]);
    variable->set_value(values[i]);
  }
  addScalars(config.mutable_resources(), resourceCount, resourceNames,
             resourceValues);
  config.set_directory(directory);

  return futureResult(
      static_cast<mesos::slave::Isolator*>(isolator)->prepare(
          containerIdOf(containerId), config),
      [](std::string* json,
         const Option<mesos::slave::ContainerLaunchInfo>& launchInfo) {
        *json += ", \"value\": ";
        if (launchInfo.isNone()) {
          *json += "null";
        } else {
          appendJsonMessage(json, launchInfo.get());
        }
      });
}


char* mesos_standin_isolator_isolate(
    void* isolator, const char* containerId, long long pid)
{
  return futureResult(
      static_cast<mesos::slave::Isolator*>(isolator)->isolate(
          containerIdOf(containerId), static_cast<pid_t>(pid)),
      noValue);
}


// A ready answer carries "value": the ResourceStatistics as JSON.
char* mesos_standin_isolator_usage(void* isolator, const char* containerId)
{
  return futureResult(
      static_cast<mesos::slave::Isolator*>(isolator)->usage(
          containerIdOf(containerId)),
      [](std::string* json, const mesos::ResourceStatistics& statistics) {
        *json += ", \"value\": ";
        appendJsonMessage(json, statistics);
      });
}


char* mesos_standin_isolator_cleanup(void* isolator, const char* containerId)
{
  return futureResult(
      static_cast<mesos::slave::Isolator*>(isolator)->cleanup(
          containerIdOf(containerId)),
      noValue);
}

} // extern "C"
