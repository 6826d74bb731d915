// Mesos adapter of the command isolator: a mesos::slave::Isolator
// (include/mesos/slave/isolator.hpp, Mesos 1.11.0) whose methods hand each
// call to the operator's command configured for it. Process handling,
// limits, persistent mode and parameters come from the command hook's core
// (hook_src/command_hook/core); the protocol rules from ../core.
//
// Every command runs on a thread of its own and completes the future Mesos
// waits on: the containerizer calls isolators from its actor
// (src/slave/containerizer/mesos/containerizer.cpp), which a blocking call
// would stall for every container on the agent.
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <glog/logging.h>

#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/isolator.hpp>
#include <mesos/resources.hpp>
#include <mesos/slave/containerizer.hpp>
#include <mesos/slave/isolator.hpp>
#include <mesos/version.hpp>

#include <process/future.hpp>
#include <process/metrics/counter.hpp>
#include <process/metrics/metrics.hpp>
#include <process/metrics/timer.hpp>

#include <stout/duration.hpp>
#include <stout/hashset.hpp>
#include <stout/json.hpp>
#include <stout/nothing.hpp>
#include <stout/option.hpp>
#include <stout/protobuf.hpp>
#include <stout/stringify.hpp>
#include <stout/try.hpp>

#include "config.hpp"
#include "method.hpp"
#include "poller.hpp"
#include "protocol.hpp"

using std::string;
using std::vector;

using mesos::ContainerID;
using mesos::ContainerStatus;
using mesos::Resources;
using mesos::ResourceStatistics;
using mesos::slave::ContainerConfig;
using mesos::slave::ContainerLaunchInfo;
using mesos::slave::ContainerLimitation;
using mesos::slave::ContainerState;

using process::Failure;
using process::Future;
using process::Promise;
using process::metrics::Counter;
using process::metrics::Timer;

namespace command_isolator {
namespace {

const Duration kLatencyWindow = Minutes(10);

struct Method
{
  Method(command_hook::MethodConfig config, const string& prefix,
         command_hook::Logger logger)
    : runner(std::move(config), std::move(logger)),
      calls(prefix + "/calls"),
      errors(prefix + "/errors"),
      timeouts(prefix + "/timeouts"),
      latency(prefix + "/latency", kLatencyWindow) {}

  command_hook::MethodRunner runner;
  Counter calls;
  Counter errors;
  Counter timeouts;
  Timer<Milliseconds> latency;
};

// What a call came to: the action and, for kApply, the checked result.
struct Answer
{
  Action action = Action::kKeepDefault;
  string reason;
  string result;  // the command's stdout when applied
};

Answer run(Method& m, const string& name, const string& method,
           const string& event)
{
  Promise<Nothing> done;
  m.latency.time(done.future());
  ++m.calls;
  command_hook::Outcome outcome = m.runner.invoke(event);
  done.set(Nothing());

  json::Value ignored;
  Decision decision = resolve(method, outcome, m.runner.config().failure, &ignored);
  if (outcome.status == command_hook::Status::kTimeout) ++m.timeouts;
  if (!decision.reason.empty()) {
    ++m.errors;
    LOG(WARNING) << "Command isolator '" << name << "' " << method << ": "
                 << decision.reason
                 << (decision.action == Action::kFail
                       ? " (fail-closed: failing the call)"
                       : (method == "cleanup" ? " (cleanup is best-effort: ignored)"
                                              : " (fail-open: as if no command)"));
  }
  Answer answer;
  answer.action = decision.action;
  answer.reason = decision.reason;
  if (decision.action == Action::kApply) answer.result = outcome.out;
  return answer;
}

template <typename T>
Try<T> to_message(const string& text)
{
  Try<JSON::Object> object = JSON::parse<JSON::Object>(text);
  if (object.isError()) return Error(object.error());
  return protobuf::parse<T>(object.get());
}

string resources_json(const Resources& resources)
{
  google::protobuf::RepeatedPtrField<mesos::Resource> repeated = resources;
  return stringify(JSON::protobuf(repeated));
}

class CommandIsolator : public mesos::slave::Isolator
{
public:
  CommandIsolator(IsolatorConfig config)
    : name_(config.commands.name),
      nesting_(config.nesting),
      standalone_(config.standalone),
      limitations_("command_isolator/" + config.commands.name + "/watch/limitations")
  {
    command_hook::Logger logger = [](int level, const string& message) {
      if (level == 0) LOG(INFO) << message;
      else if (level == 1) LOG(WARNING) << message;
      else LOG(ERROR) << message;
    };
    for (command_hook::MethodConfig& mc : config.commands.methods) {
      const string method = mc.method;
      LOG(INFO) << "Command isolator '" << name_ << "': " << method << " -> "
                << mc.command.argv[0] << " (" << to_string(mc.mode)
                << ", fail-" << to_string(mc.failure) << ", timeout "
                << mc.limits.timeout.count() << " ms)";
      std::shared_ptr<Method> m(new Method(
          std::move(mc), "command_isolator/" + name_ + "/" + method, logger));
      process::metrics::add(m->calls);
      process::metrics::add(m->errors);
      process::metrics::add(m->timeouts);
      process::metrics::add(m->latency);
      methods_[method] = m;
    }
    if (methods_.count("watch") != 0) {
      process::metrics::add(limitations_);
      poller_.reset(new Poller(config.watch_interval,
                               [this](const string& key) { return poll(key); }));
    }
  }

  ~CommandIsolator() override
  {
    poller_.reset();  // joins the watch thread before anything goes
    for (auto& kv : methods_) {
      process::metrics::remove(kv.second->calls);
      process::metrics::remove(kv.second->errors);
      process::metrics::remove(kv.second->timeouts);
      process::metrics::remove(kv.second->latency);
    }
    if (methods_.count("watch") != 0) process::metrics::remove(limitations_);
  }

  bool supportsNesting() override { return nesting_; }
  bool supportsStandalone() override { return standalone_; }

  Future<Nothing> recover(const vector<ContainerState>& states,
                          const hashset<ContainerID>& orphans) override
  {
    // The containerizer hands every isolator all checkpointed containers it
    // supports, whether or not this isolator prepared them (it keeps no
    // record of which isolators a container was launched with:
    // containerizer.cpp, recoverIsolators()).
    JSON::Array states_json, orphans_json;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const ContainerState& state : states) {
        known_.insert(state.container_id());
        states_json.values.push_back(JSON::protobuf(state));
      }
      for (const ContainerID& orphan : orphans) {
        known_.insert(orphan);
        orphans_json.values.push_back(JSON::protobuf(orphan));
      }
    }
    return call<Nothing>("recover",
        {{"states", stringify(states_json)}, {"orphans", stringify(orphans_json)}},
        Nothing(), [](const string&) -> Try<Nothing> { return Nothing(); });
  }

  Future<Option<ContainerLaunchInfo>> prepare(
      const ContainerID& containerId,
      const ContainerConfig& containerConfig) override
  {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      known_.insert(containerId);
    }
    return call<Option<ContainerLaunchInfo>>("prepare",
        {{"containerId", stringify(JSON::protobuf(containerId))},
         {"containerConfig", stringify(JSON::protobuf(containerConfig))}},
        None(),
        [](const string& out) -> Try<Option<ContainerLaunchInfo>> {
          Try<ContainerLaunchInfo> info = to_message<ContainerLaunchInfo>(out);
          if (info.isError()) return Error(info.error());
          return Option<ContainerLaunchInfo>(info.get());
        });
  }

  Future<Nothing> isolate(const ContainerID& containerId, pid_t pid) override
  {
    return call<Nothing>("isolate",
        {{"containerId", stringify(JSON::protobuf(containerId))},
         {"pid", stringify(pid)}},
        Nothing(), [](const string&) -> Try<Nothing> { return Nothing(); });
  }

  // With a watch command, the container is polled (watch_interval_ms) until
  // the command reports a limitation (the future is set; the containerizer
  // then destroys the container with TASK_FAILED: containerizer.cpp,
  // limited()), a fail-closed error (the future fails; the containerizer
  // destroys it too), or cleanup. Without one the future stays pending, as
  // Isolator::watch()'s default.
  Future<ContainerLimitation> watch(const ContainerID& containerId) override
  {
    if (!poller_) return Future<ContainerLimitation>();
    const string key = containerId.SerializeAsString();
    std::shared_ptr<Watched> watched(new Watched{containerId, {}});
    {
      std::lock_guard<std::mutex> lock(mutex_);
      watched_[key] = watched;
    }
    poller_->add(key);
    return watched->promise.future();
  }

  Future<Nothing> update(
      const ContainerID& containerId,
      const Resources& resourceRequests,
      const google::protobuf::Map<string, mesos::Value::Scalar>& resourceLimits) override
  {
    JSON::Object limits;
    for (const auto& kv : resourceLimits) limits.values[kv.first] = kv.second.value();
    return call<Nothing>("update",
        {{"containerId", stringify(JSON::protobuf(containerId))},
         {"resourceRequests", resources_json(resourceRequests)},
         {"resourceLimits", stringify(limits)}},
        Nothing(), [](const string&) -> Try<Nothing> { return Nothing(); });
  }

  Future<ResourceStatistics> usage(const ContainerID& containerId) override
  {
    return call<ResourceStatistics>("usage",
        {{"containerId", stringify(JSON::protobuf(containerId))}},
        ResourceStatistics(),
        [](const string& out) -> Try<ResourceStatistics> {
          // timestamp is a required field, so parsing needs one; it is
          // cleared again so that the containerizer's own timestamp (set
          // before it merges the isolators' statistics: containerizer.cpp,
          // _usage()) is not overwritten.
          Try<JSON::Object> object = JSON::parse<JSON::Object>(out);
          if (object.isError()) return Error(object.error());
          object->values["timestamp"] = 0.0;
          Try<ResourceStatistics> statistics =
            protobuf::parse<ResourceStatistics>(object.get());
          if (statistics.isSome()) statistics->clear_timestamp();
          return statistics;
        });
  }

  Future<ContainerStatus> status(const ContainerID& containerId) override
  {
    return call<ContainerStatus>("status",
        {{"containerId", stringify(JSON::protobuf(containerId))}},
        ContainerStatus(),
        [](const string& out) { return to_message<ContainerStatus>(out); });
  }

  // Best-effort: always succeeds (a failed cleanup future would leave the
  // container in the agent: containerizer.cpp, _____destroy()). Containers
  // this isolator never prepared or recovered are ignored, as
  // isolator.hpp asks (MESOS-6059).
  Future<Nothing> cleanup(const ContainerID& containerId) override
  {
    const string key = containerId.SerializeAsString();
    if (poller_) poller_->remove(key);
    bool known;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      watched_.erase(key);
      known = known_.erase(containerId) > 0;
    }
    if (!known) {
      VLOG(1) << "Command isolator '" << name_ << "': ignoring cleanup of unknown container "
              << containerId;
      return Nothing();
    }
    return call<Nothing>("cleanup",
        {{"containerId", stringify(JSON::protobuf(containerId))}},
        Nothing(), [](const string&) -> Try<Nothing> { return Nothing(); });
  }

private:
  struct Watched
  {
    ContainerID containerId;
    Promise<ContainerLimitation> promise;
  };

  // Runs the method's command on its own thread and completes the future:
  // `fallback` when there is no command or the result is blank or the
  // failure is fail-open; the converted result when applied; a Failure when
  // fail-closed.
  template <typename T, typename Convert>
  Future<T> call(const string& method,
                 const vector<std::pair<string, string>>& fields,
                 const T& fallback, Convert convert)
  {
    auto it = methods_.find(method);
    if (it == methods_.end()) return fallback;
    std::shared_ptr<Method> m = it->second;
    std::shared_ptr<Promise<T>> promise(new Promise<T>());
    Future<T> future = promise->future();
    const string name = name_;
    const string event = make_event(method, fields);
    std::thread([m, name, method, event, fallback, convert, promise]() {
      Answer answer = run(*m, name, method, event);
      if (answer.action == Action::kApply) {
        Try<T> value = convert(answer.result);
        if (value.isSome()) {
          promise->set(value.get());
          return;
        }
        // Well-formed JSON that protobuf refuses (a wrong field type...).
        ++m->errors;
        answer.reason = "invalid " + method + " result: " + value.error();
        answer.action = m->runner.config().failure == FailurePolicy::kClosed &&
                        method != "cleanup" ? Action::kFail : Action::kKeepDefault;
        LOG(WARNING) << "Command isolator '" << name << "' " << method << ": "
                     << answer.reason;
      }
      if (answer.action == Action::kFail) {
        promise->fail("Command isolator '" + name + "' " + method + ": " + answer.reason);
      } else {
        promise->set(fallback);
      }
    }).detach();
    return future;
  }

  // One watch call for one container, on the poller's thread.
  bool poll(const string& key)
  {
    std::shared_ptr<Watched> watched;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = watched_.find(key);
      if (it == watched_.end()) return false;
      watched = it->second;
    }
    Method& m = *methods_.at("watch");
    Answer answer = run(m, name_, "watch",
        make_event("watch", {{"containerId", stringify(JSON::protobuf(watched->containerId))}}));
    if (answer.action == Action::kApply) {
      Try<ContainerLimitation> limitation = to_message<ContainerLimitation>(answer.result);
      if (limitation.isSome() && !limitation->resources().empty()) {
        Option<Error> invalid = Resources::validate(limitation->resources());
        if (invalid.isSome()) limitation = Error("invalid resources: " + invalid->message);
      }
      if (limitation.isSome()) {
        ++limitations_;
        LOG(WARNING) << "Command isolator '" << name_ << "': container "
                     << watched->containerId << " reached a limitation: "
                     << limitation->message();
        watched->promise.set(limitation.get());
        return false;
      }
      ++m.errors;
      answer.reason = "invalid watch result: " + limitation.error();
      answer.action = m.runner.config().failure == FailurePolicy::kClosed
                        ? Action::kFail : Action::kKeepDefault;
      LOG(WARNING) << "Command isolator '" << name_ << "' watch: " << answer.reason;
    }
    if (answer.action == Action::kFail) {
      watched->promise.fail("Command isolator '" + name_ + "' watch: " + answer.reason);
      return false;
    }
    return true;
  }

  const string name_;
  const bool nesting_;
  const bool standalone_;
  std::map<string, std::shared_ptr<Method>> methods_;
  Counter limitations_;
  std::mutex mutex_;
  hashset<ContainerID> known_;
  std::map<string, std::shared_ptr<Watched>> watched_;
  std::unique_ptr<Poller> poller_;
};

mesos::slave::Isolator* create_isolator(const char* symbol,
                                        const mesos::Parameters& parameters)
{
  try {
    command_hook::Parameters params;
    for (const mesos::Parameter& p : parameters.parameter()) {
      params.emplace_back(p.key(), p.value());
    }
    command_hook::ParseOptions options;
    options.default_name = symbol;
    options.command_owner = 0;
    IsolatorConfig config;
    string error = parse_isolator_config(params, options, &config);
    if (error.empty()) {
      // Metric names carry the instance name; two instances must differ.
      static std::mutex mutex;
      static std::set<string> names;
      std::lock_guard<std::mutex> lock(mutex);
      if (!names.insert(config.commands.name).second) {
        error = "instance name '" + config.commands.name + "' is already used by "
                "another command isolator instance (set a distinct 'name')";
      }
    }
    if (!error.empty()) {
      LOG(ERROR) << "Command isolator '" << symbol << "' refused its parameters: "
                 << error;
      return nullptr;
    }
    return new CommandIsolator(std::move(config));
  } catch (const std::exception& e) {
    LOG(ERROR) << "Command isolator '" << symbol << "' could not start: " << e.what();
  } catch (...) {
    LOG(ERROR) << "Command isolator '" << symbol << "' could not start";
  }
  return nullptr;
}

} // namespace
} // namespace command_isolator

// One module per isolator instance: Mesos refuses one module name loaded
// twice with different parameters. Kind "Isolator":
// include/mesos/module/isolator.hpp.
#define COMMAND_ISOLATOR_MODULE(SYMBOL)                                       \
  static mesos::slave::Isolator* create_##SYMBOL(                             \
      const mesos::Parameters& parameters)                                    \
  {                                                                           \
    return command_isolator::create_isolator(#SYMBOL, parameters);            \
  }                                                                           \
  mesos::modules::Module<mesos::slave::Isolator> SYMBOL(                      \
      MESOS_MODULE_API_VERSION, MESOS_VERSION, "mesos_fleet.hooks",           \
      "mesos_fleet@example.invalid",                                         \
      "Hands isolator calls to an operator's command (JSON on stdin/stdout).", \
      nullptr, create_##SYMBOL);

COMMAND_ISOLATOR_MODULE(mesos_fleet_hooks_CommandIsolator1)
COMMAND_ISOLATOR_MODULE(mesos_fleet_hooks_CommandIsolator2)
COMMAND_ISOLATOR_MODULE(mesos_fleet_hooks_CommandIsolator3)
COMMAND_ISOLATOR_MODULE(mesos_fleet_hooks_CommandIsolator4)
