// Mesos adapter of the command hook: turns each mesos::Hook call into a JSON
// event for the operator's command and its JSON answer back into the
// method's result. Process handling, limits and the failure policy live in
// the Mesos-free core (../core).
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include <glog/logging.h>

#include <mesos/attributes.hpp>
#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/hook.hpp>
#include <mesos/resources.hpp>
#include <mesos/version.hpp>

#include <process/future.hpp>
#include <process/metrics/counter.hpp>
#include <process/metrics/metrics.hpp>
#include <process/metrics/timer.hpp>

#include <stout/duration.hpp>
#include <stout/json.hpp>
#include <stout/option.hpp>
#include <stout/protobuf.hpp>
#include <stout/result.hpp>
#include <stout/try.hpp>

#include "config.hpp"
#include "method.hpp"

using std::string;

using mesos::Attributes;
using mesos::ContainerID;
using mesos::DockerTaskExecutorPrepareInfo;
using mesos::Environment;
using mesos::ExecutorInfo;
using mesos::FrameworkID;
using mesos::FrameworkInfo;
using mesos::Labels;
using mesos::Resources;
using mesos::SlaveInfo;
using mesos::TaskInfo;
using mesos::TaskStatus;

using process::Future;
using process::Promise;
using process::metrics::Counter;
using process::metrics::Timer;

namespace command_hook {
namespace {

// Window of the latency timer's percentiles in /metrics/snapshot.
const Duration kLatencyWindow = Minutes(10);

// What one call decided, with the converted result when it is applied.
template <typename T>
struct Answer
{
  Action action = Action::kKeepDefault;
  string reason;
  Option<T> value;
};

// A configured method with its runner and metrics.
struct Method
{
  Method(MethodConfig config, const string& prefix, Logger logger)
    : runner(std::move(config), std::move(logger)),
      calls(prefix + "/calls"),
      errors(prefix + "/errors"),
      timeouts(prefix + "/timeouts"),
      latency(prefix + "/latency", kLatencyWindow) {}

  MethodRunner runner;
  Counter calls;
  Counter errors;
  Counter timeouts;
  Timer<Milliseconds> latency;
};

JSON::Value optional_object(const Option<std::map<string, string>>& env)
{
  if (env.isNone()) return JSON::Null();
  JSON::Object object;
  for (const auto& kv : env.get()) object.values[kv.first] = kv.second;
  return object;
}

// Accepts the message's JSON form, or for messages that are a single
// repeated field (Labels, Environment) just that array.
JSON::Value wrap_array(const JSON::Value& value, const string& field)
{
  if (value.is<JSON::Array>()) {
    JSON::Object object;
    object.values[field] = value;
    return object;
  }
  return value;
}

class CommandHook : public mesos::Hook
{
public:
  explicit CommandHook(Config config) : name_(config.name)
  {
    Logger logger = [](int level, const string& message) {
      if (level == 0) LOG(INFO) << message;
      else if (level == 1) LOG(WARNING) << message;
      else LOG(ERROR) << message;
    };
    for (MethodConfig& mc : config.methods) {
      const string method = mc.method;
      const string prefix = "command_hook/" + name_ + "/" + method;
      LOG(INFO) << "Command hook '" << name_ << "': " << method << " -> "
                << mc.command.argv[0] << " (" << to_string(mc.mode)
                << ", fail-" << to_string(mc.failure) << ", timeout "
                << mc.limits.timeout.count() << " ms)";
      std::shared_ptr<Method> m(new Method(std::move(mc), prefix, logger));
      process::metrics::add(m->calls);
      process::metrics::add(m->errors);
      process::metrics::add(m->timeouts);
      process::metrics::add(m->latency);
      methods_[method] = m;
    }
  }

  ~CommandHook() override
  {
    for (auto& kv : methods_) {
      process::metrics::remove(kv.second->calls);
      process::metrics::remove(kv.second->errors);
      process::metrics::remove(kv.second->timeouts);
      process::metrics::remove(kv.second->latency);
    }
  }

  Result<Labels> masterLaunchTaskLabelDecorator(
      const TaskInfo& taskInfo,
      const FrameworkInfo& frameworkInfo,
      const SlaveInfo& slaveInfo) override
  {
    JSON::Object event;
    event.values["taskInfo"] = JSON::protobuf(taskInfo);
    event.values["frameworkInfo"] = JSON::protobuf(frameworkInfo);
    event.values["slaveInfo"] = JSON::protobuf(slaveInfo);
    return to_result(call<Labels>("masterLaunchTaskLabelDecorator", event,
                                  parse_labels));
  }

  Result<Resources> masterLaunchTaskResourceDecorator(
      const TaskInfo& taskInfo,
      const Resources& slaveResources) override
  {
    JSON::Object event;
    event.values["taskInfo"] = JSON::protobuf(taskInfo);
    event.values["slaveResources"] = resources_json(slaveResources);
    return to_result(call<Resources>("masterLaunchTaskResourceDecorator",
                                     event, parse_resources));
  }

  Result<Labels> slaveRunTaskLabelDecorator(
      const TaskInfo& taskInfo,
      const ExecutorInfo& executorInfo,
      const FrameworkInfo& frameworkInfo,
      const SlaveInfo& slaveInfo) override
  {
    JSON::Object event;
    event.values["taskInfo"] = JSON::protobuf(taskInfo);
    event.values["executorInfo"] = JSON::protobuf(executorInfo);
    event.values["frameworkInfo"] = JSON::protobuf(frameworkInfo);
    event.values["slaveInfo"] = JSON::protobuf(slaveInfo);
    return to_result(call<Labels>("slaveRunTaskLabelDecorator", event,
                                  parse_labels));
  }

  Try<Nothing> masterSlaveLostHook(const SlaveInfo& slaveInfo) override
  {
    JSON::Object event;
    event.values["slaveInfo"] = JSON::protobuf(slaveInfo);
    return to_try(call<Nothing>("masterSlaveLostHook", event, ignore_result));
  }

  Result<Environment> slaveExecutorEnvironmentDecorator(
      const ExecutorInfo& executorInfo) override
  {
    JSON::Object event;
    event.values["executorInfo"] = JSON::protobuf(executorInfo);
    return to_result(call<Environment>("slaveExecutorEnvironmentDecorator",
                                       event, parse_environment));
  }

  Future<Option<DockerTaskExecutorPrepareInfo>>
  slavePreLaunchDockerTaskExecutorDecorator(
      const Option<TaskInfo>& taskInfo,
      const ExecutorInfo& executorInfo,
      const string& containerName,
      const string& containerWorkDirectory,
      const string& mappedSandboxDirectory,
      const Option<std::map<string, string>>& env) override
  {
    const string method = "slavePreLaunchDockerTaskExecutorDecorator";
    if (methods_.count(method) == 0) return None();

    JSON::Object event;
    event.values["taskInfo"] =
      taskInfo.isSome() ? JSON::Value(JSON::protobuf(taskInfo.get()))
                        : JSON::Value(JSON::Null());
    event.values["executorInfo"] = JSON::protobuf(executorInfo);
    event.values["containerName"] = containerName;
    event.values["containerWorkDirectory"] = containerWorkDirectory;
    event.values["mappedSandboxDirectory"] = mappedSandboxDirectory;
    event.values["env"] = optional_object(env);

    // The only asynchronous method: run the command off the libprocess
    // worker thread so a slow policy does not stall the agent.
    std::shared_ptr<Promise<Option<DockerTaskExecutorPrepareInfo>>> promise(
        new Promise<Option<DockerTaskExecutorPrepareInfo>>());
    Future<Option<DockerTaskExecutorPrepareInfo>> future = promise->future();
    std::shared_ptr<Method> m = methods_[method];
    const string name = name_;
    std::thread([m, method, name, event, promise]() {
      Answer<DockerTaskExecutorPrepareInfo> answer =
        run<DockerTaskExecutorPrepareInfo>(*m, name, method, event,
                                           parse_docker_info);
      switch (answer.action) {
        case Action::kApply:
          promise->set(Option<DockerTaskExecutorPrepareInfo>(
              answer.value.get()));
          break;
        case Action::kKeepDefault:
          promise->set(Option<DockerTaskExecutorPrepareInfo>::none());
          break;
        case Action::kFail:
          promise->fail(answer.reason);
          break;
      }
    }).detach();
    return future;
  }

  Try<Nothing> slavePostFetchHook(
      const ContainerID& containerId,
      const string& directory) override
  {
    JSON::Object event;
    event.values["containerId"] = JSON::protobuf(containerId);
    event.values["directory"] = directory;
    return to_try(call<Nothing>("slavePostFetchHook", event, ignore_result));
  }

  Try<Nothing> slaveRemoveExecutorHook(
      const FrameworkInfo& frameworkInfo,
      const ExecutorInfo& executorInfo) override
  {
    JSON::Object event;
    event.values["frameworkInfo"] = JSON::protobuf(frameworkInfo);
    event.values["executorInfo"] = JSON::protobuf(executorInfo);
    return to_try(call<Nothing>("slaveRemoveExecutorHook", event,
                                ignore_result));
  }

  Result<TaskStatus> slaveTaskStatusDecorator(
      const FrameworkID& frameworkId,
      const TaskStatus& status) override
  {
    JSON::Object event;
    event.values["frameworkId"] = JSON::protobuf(frameworkId);
    event.values["status"] = JSON::protobuf(status);
    // Mesos takes only `labels` and `container_status` from the result, so
    // a command may answer with just those; the rest comes from the input.
    return to_result(call<TaskStatus>(
        "slaveTaskStatusDecorator", event,
        [status](const JSON::Value& value) -> Try<TaskStatus> {
          if (!value.is<JSON::Object>()) {
            return Error("expected a TaskStatus object");
          }
          TaskStatus result = status;
          result.clear_labels();
          result.clear_container_status();
          JSON::Object object = JSON::protobuf(result);
          for (const auto& kv : value.as<JSON::Object>().values) {
            object.values[kv.first] = kv.second;
          }
          return protobuf::parse<TaskStatus>(object);
        }));
  }

  Result<Resources> slaveResourcesDecorator(const SlaveInfo& slaveInfo) override
  {
    JSON::Object event;
    event.values["slaveInfo"] = JSON::protobuf(slaveInfo);
    return to_result(call<Resources>("slaveResourcesDecorator", event,
                                     parse_resources));
  }

  Result<Attributes> slaveAttributesDecorator(
      const SlaveInfo& slaveInfo) override
  {
    JSON::Object event;
    event.values["slaveInfo"] = JSON::protobuf(slaveInfo);
    return to_result(call<Attributes>(
        "slaveAttributesDecorator", event,
        [](const JSON::Value& value) -> Try<Attributes> {
          Try<google::protobuf::RepeatedPtrField<mesos::Attribute>> parsed =
            protobuf::parse<google::protobuf::RepeatedPtrField<mesos::Attribute>>(
                value);
          if (parsed.isError()) return Error(parsed.error());
          return Attributes(parsed.get());
        }));
  }

private:
  template <typename T, typename Convert>
  Answer<T> call(const string& method, JSON::Object event, Convert convert)
  {
    auto it = methods_.find(method);
    if (it == methods_.end()) return Answer<T>();  // no command: default
    return run<T>(*it->second, name_, method, std::move(event), convert);
  }

  // Runs the command, records metrics, converts the result and applies the
  // method's failure policy to every kind of error, conversion included.
  template <typename T, typename Convert>
  static Answer<T> run(Method& m, const string& name, const string& method,
                       JSON::Object event, Convert convert)
  {
    event.values["method"] = method;
    const string input = stringify(event);

    Promise<Nothing> done;
    m.latency.time(done.future());
    ++m.calls;
    Outcome outcome = m.runner.invoke(input);
    done.set(Nothing());

    const FailurePolicy policy = m.runner.config().failure;
    Decision decision = decide(outcome, policy);
    Answer<T> answer;
    if (decision.action == Action::kApply && std::is_same<T, Nothing>::value) {
      decision.action = Action::kKeepDefault;  // no result: stdout is ignored
    } else if (decision.action == Action::kApply) {
      Try<JSON::Value> json = JSON::parse(outcome.out);
      Try<T> value = json.isError() ? Try<T>(Error("result is not JSON: " +
                                                   json.error()))
                                    : convert(json.get());
      if (value.isSome()) {
        answer.value = value.get();
      } else {
        outcome.status = Status::kProtocolError;
        outcome.detail = "invalid result for " + method + ": " + value.error();
        decision = decide(outcome, policy);
      }
    }
    answer.action = decision.action;
    answer.reason = decision.reason;

    if (outcome.status == Status::kTimeout) ++m.timeouts;
    if (!outcome.ok() || outcome.status == Status::kProtocolError) {
      ++m.errors;
      LOG(WARNING) << "Command hook '" << name << "' " << method << ": "
                   << decision.reason
                   << (decision.action == Action::kFail
                         ? " (fail-closed: returning an error)"
                         : " (fail-open: keeping Mesos's default)");
    }
    return answer;
  }

  template <typename T>
  static Result<T> to_result(const Answer<T>& answer)
  {
    switch (answer.action) {
      case Action::kApply: return answer.value.get();
      case Action::kFail: return Error(answer.reason);
      case Action::kKeepDefault: break;
    }
    return None();
  }

  static Try<Nothing> to_try(const Answer<Nothing>& answer)
  {
    if (answer.action == Action::kFail) return Error(answer.reason);
    return Nothing();
  }

  static Try<Nothing> ignore_result(const JSON::Value&) { return Nothing(); }

  static JSON::Value resources_json(const Resources& resources)
  {
    google::protobuf::RepeatedPtrField<mesos::Resource> repeated = resources;
    return JSON::protobuf(repeated);
  }

  static Try<Labels> parse_labels(const JSON::Value& value)
  {
    return protobuf::parse<Labels>(wrap_array(value, "labels"));
  }

  static Try<Environment> parse_environment(const JSON::Value& value)
  {
    return protobuf::parse<Environment>(wrap_array(value, "variables"));
  }

  static Try<DockerTaskExecutorPrepareInfo> parse_docker_info(
      const JSON::Value& value)
  {
    return protobuf::parse<DockerTaskExecutorPrepareInfo>(value);
  }

  static Try<Resources> parse_resources(const JSON::Value& value)
  {
    Try<google::protobuf::RepeatedPtrField<mesos::Resource>> parsed =
      protobuf::parse<google::protobuf::RepeatedPtrField<mesos::Resource>>(
          value);
    if (parsed.isError()) return Error(parsed.error());
    Option<Error> invalid = Resources::validate(parsed.get());
    if (invalid.isSome()) return Error("invalid resources: " + invalid->message);
    return Resources(parsed.get());
  }

  const string name_;
  std::map<string, std::shared_ptr<Method>> methods_;
};

mesos::Hook* create_hook(const char* symbol, const mesos::Parameters& parameters)
{
  try {
    command_hook::Parameters params;
    for (const mesos::Parameter& p : parameters.parameter()) {
      params.emplace_back(p.key(), p.value());
    }
    ParseOptions options;
    options.default_name = symbol;
    options.command_owner = 0;
    Config config;
    string error = parse_config(params, options, &config);
    if (error.empty()) {
      // Metric names carry the instance name; two instances must differ.
      static std::mutex mutex;
      static std::set<string> names;
      std::lock_guard<std::mutex> lock(mutex);
      if (!names.insert(config.name).second) {
        error = "instance name '" + config.name + "' is already used by "
                "another command hook instance (set a distinct 'name')";
      }
    }
    if (!error.empty()) {
      LOG(ERROR) << "Command hook '" << symbol << "' refused its parameters: "
                 << error;
      return nullptr;
    }
    return new CommandHook(std::move(config));
  } catch (const std::exception& e) {
    LOG(ERROR) << "Command hook '" << symbol << "' could not start: " << e.what();
  } catch (...) {
    LOG(ERROR) << "Command hook '" << symbol << "' could not start";
  }
  return nullptr;
}

} // namespace
} // namespace command_hook

// One module per hook instance: Mesos refuses the same module name with
// different parameters, so each configured instance takes its own symbol.
#define COMMAND_HOOK_MODULE(SYMBOL)                                        \
  static mesos::Hook* create_##SYMBOL(const mesos::Parameters& parameters)        \
  {                                                                        \
    return command_hook::create_hook(#SYMBOL, parameters);                 \
  }                                                                        \
  mesos::modules::Module<mesos::Hook> SYMBOL(                              \
      MESOS_MODULE_API_VERSION, MESOS_VERSION, "mesos_fleet.hooks",        \
      "mesos_fleet@example.invalid",                                      \
      "Hands hook events to an operator's command (JSON on stdin/stdout).", \
      nullptr, create_##SYMBOL);

COMMAND_HOOK_MODULE(mesos_fleet_hooks_CommandHook1)
COMMAND_HOOK_MODULE(mesos_fleet_hooks_CommandHook2)
COMMAND_HOOK_MODULE(mesos_fleet_hooks_CommandHook3)
COMMAND_HOOK_MODULE(mesos_fleet_hooks_CommandHook4)
COMMAND_HOOK_MODULE(mesos_fleet_hooks_CommandHook5)
COMMAND_HOOK_MODULE(mesos_fleet_hooks_CommandHook6)
COMMAND_HOOK_MODULE(mesos_fleet_hooks_CommandHook7)
COMMAND_HOOK_MODULE(mesos_fleet_hooks_CommandHook8)
