// A small hook module for testing hook rollouts against any Mesos (the
// stand-in or a real install): on agents, slaveExecutorEnvironmentDecorator
// adds one environment variable to every executor it sees; on masters,
// masterLaunchTaskLabelDecorator adds one label to every task launched,
// when label_key is given (otherwise it leaves the labels alone);
// masterLaunchTaskResourceDecorator sets the task's cpus to task_cpus, when
// given; masterSlaveLostHook appends the lost agent's ID, a line, to
// lost_file, when given.
//
// Module name: org_mesos_fleet_ProbeHook. Parameters:
//   env_name     name of the variable to add (default MESOS_FLEET_PROBE)
//   env_value    its value (required)
//   label_key    key of the label to add (default: no label is added)
//   label_value  its value (default: a label without a value)
//   task_cpus    cpus every task launched gets (default: left alone)
//   lost_file    file the IDs of lost agents are appended to (default: none)
// create() returns nullptr (the agent then refuses to start: "Error
// creating Module instance") when env_value is missing or when
// fail_create=true, so a broken rollout can be produced on purpose.

#include <cstdlib>
#include <fstream>
#include <string>

#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/hook.hpp>

namespace {

class ProbeHook : public mesos::Hook
{
public:
  ProbeHook(
      const std::string& name,
      const std::string& value,
      const std::string& labelKey,
      const std::string* labelValue,
      const std::string& taskCpus,
      const std::string& lostFile)
    : name_(name),
      value_(value),
      labelKey_(labelKey),
      hasLabelValue_(labelValue != nullptr),
      labelValue_(labelValue != nullptr ? *labelValue : ""),
      taskCpus_(taskCpus),
      lostFile_(lostFile) {}

  // The task's resources with cpus set to task_cpus: Mesos replaces the
  // task's resources with what a hook returns.
  Result<mesos::Resources> masterLaunchTaskResourceDecorator(
      const mesos::TaskInfo& taskInfo,
      const mesos::Resources&) override
  {
    if (taskCpus_.empty()) {
      return None();
    }

    mesos::Resources resources;
    for (int i = 0; i < taskInfo.resources_size(); i++) {
      if (taskInfo.resources(i).name() != "cpus") {
        resources += taskInfo.resources(i);
      }
    }

    mesos::Resource cpus;
    cpus.set_name("cpus");
    cpus.set_type(mesos::Value::SCALAR);
    cpus.mutable_scalar()->set_value(std::strtod(taskCpus_.c_str(), nullptr));
    resources += cpus;
    return resources;
  }

  Try<Nothing> masterSlaveLostHook(const mesos::SlaveInfo& slaveInfo) override
  {
    if (!lostFile_.empty()) {
      std::ofstream out(lostFile_, std::ios::app);
      out << slaveInfo.id().value() << "\n";
      if (!out) {
        return Error("Failed to write to '" + lostFile_ + "'");
      }
    }
    return Nothing();
  }

  // The task's labels followed by label_key=label_value: Mesos replaces the
  // task's labels with what a hook returns.
  Result<mesos::Labels> masterLaunchTaskLabelDecorator(
      const mesos::TaskInfo& taskInfo,
      const mesos::FrameworkInfo&,
      const mesos::SlaveInfo&) override
  {
    if (labelKey_.empty()) {
      return None();
    }

    mesos::Labels labels;
    if (taskInfo.has_labels()) {
      labels.CopyFrom(taskInfo.labels());
    }

    mesos::Label* label = labels.add_labels();
    label->set_key(labelKey_);
    if (hasLabelValue_) {
      label->set_value(labelValue_);
    }
    return labels;
  }

  Result<mesos::Environment> slaveExecutorEnvironmentDecorator(
      const mesos::ExecutorInfo& executorInfo) override
  {
    mesos::Environment environment;
    if (executorInfo.command().has_environment()) {
      environment.CopyFrom(executorInfo.command().environment());
    }

    mesos::Environment::Variable* variable = environment.add_variables();
    variable->set_name(name_);
    variable->set_value(value_);
    return environment;
  }

private:
  const std::string name_;
  const std::string value_;
  const std::string labelKey_;
  const bool hasLabelValue_;
  const std::string labelValue_;
  const std::string taskCpus_;
  const std::string lostFile_;
};


mesos::Hook* createProbeHook(const mesos::Parameters& parameters)
{
#ifdef PROBE_PIN_VERSION
  // Needs a symbol only the libmesos of the build it was compiled against
  // has: proves that symbols are resolved against the agent's libmesos.
  MESOS_STANDIN_VERSION_SYMBOL();
#endif

  std::string name = "MESOS_FLEET_PROBE";
  std::string value;
  bool haveValue = false;
  std::string labelKey;
  std::string labelValue;
  bool haveLabelValue = false;
  std::string taskCpus;
  std::string lostFile;

  for (int i = 0; i < parameters.parameter_size(); i++) {
    const mesos::Parameter& parameter = parameters.parameter(i);
    if (parameter.key() == "env_name") {
      name = parameter.value();
    } else if (parameter.key() == "env_value") {
      value = parameter.value();
      haveValue = true;
    } else if (parameter.key() == "label_key") {
      labelKey = parameter.value();
    } else if (parameter.key() == "label_value") {
      labelValue = parameter.value();
      haveLabelValue = true;
    } else if (parameter.key() == "task_cpus") {
      taskCpus = parameter.value();
    } else if (parameter.key() == "lost_file") {
      lostFile = parameter.value();
    } else if (parameter.key() == "fail_create" &&
               parameter.value() == "true") {
      return nullptr;
    } else {
      return nullptr; // An unknown parameter is a configuration error.
    }
  }

  if (!haveValue || name.empty()) {
    return nullptr;
  }

  return new ProbeHook(
      name,
      value,
      labelKey,
      haveLabelValue ? &labelValue : nullptr,
      taskCpus,
      lostFile);
}

} // namespace


mesos::modules::Module<mesos::Hook> org_mesos_fleet_ProbeHook(
    MESOS_MODULE_API_VERSION,
    MESOS_VERSION,
    "mesos_fleet.hooks",
    "mesos-fleet@example.org",
    "Probe hook: adds an environment variable to executors and a label to "
    "tasks.",
    nullptr,
    createProbeHook);
