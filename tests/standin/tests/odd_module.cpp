// A hook module whose manifest fields are set by -D macros, to produce the
// malformed modules a real agent refuses (wrong API version, unknown or
// wrong kind, missing field, compatible() saying no), and hooks whose
// environment decorator or master label decorator records what it saw or
// fails. Built by the tests against a stand-in install:
//   g++ -std=c++14 -shared -fPIC -I<prefix>/include -DMODULE_NAME=x
//       [-DAPI_VERSION='"1"'] [-DKIND='"Isolator"'] [-DNULL_AUTHOR]
//       [-DCOMPATIBLE=false] [-DDECORATE | -DDECORATE_ERROR]
//       [-DLABELS | -DLABELS_ERROR] odd_module.cpp -o libx.so

#include <mesos/hook.hpp>
#include <mesos/module.hpp>
#include <mesos/module/hook.hpp>

#ifndef API_VERSION
#define API_VERSION MESOS_MODULE_API_VERSION
#endif
#ifndef KIND
#define KIND "Hook"
#endif
#ifdef NULL_AUTHOR
#define AUTHOR nullptr
#else
#define AUTHOR "tests"
#endif

#include <string>

namespace {

class OddHook : public mesos::Hook
{
#if defined(DECORATE)
  // Adds ODD_SEEN=<names of the variables it was given>, to check the order
  // hooks run in.
  Result<mesos::Environment> slaveExecutorEnvironmentDecorator(
      const mesos::ExecutorInfo& executorInfo) override
  {
    mesos::Environment environment;
    std::string seen;
    if (executorInfo.command().has_environment()) {
      environment.CopyFrom(executorInfo.command().environment());
      for (int i = 0; i < environment.variables_size(); i++) {
        seen += environment.variables(i).name() + ",";
      }
    }
    mesos::Environment::Variable* variable = environment.add_variables();
    variable->set_name("ODD_SEEN");
    variable->set_value(seen);
    return environment;
  }
#elif defined(DECORATE_ERROR)
  Result<mesos::Environment> slaveExecutorEnvironmentDecorator(
      const mesos::ExecutorInfo&) override
  {
    return Error("odd decorator failed");
  }
#endif

#if defined(LABELS)
  // Keeps the task's labels and adds odd_seen=<their keys>, to check the
  // order hooks run in.
  Result<mesos::Labels> masterLaunchTaskLabelDecorator(
      const mesos::TaskInfo& taskInfo,
      const mesos::FrameworkInfo&,
      const mesos::SlaveInfo&) override
  {
    mesos::Labels labels = taskInfo.labels();
    std::string seen;
    for (int i = 0; i < labels.labels_size(); i++) {
      seen += labels.labels(i).key() + ",";
    }
    mesos::Label* label = labels.add_labels();
    label->set_key("odd_seen");
    label->set_value(seen);
    return labels;
  }
#elif defined(LABELS_ERROR)
  Result<mesos::Labels> masterLaunchTaskLabelDecorator(
      const mesos::TaskInfo&,
      const mesos::FrameworkInfo&,
      const mesos::SlaveInfo&) override
  {
    return Error("odd label decorator failed");
  }
#endif
};

mesos::Hook* create(const mesos::Parameters&)
{
  return new OddHook();
}

#ifdef COMPATIBLE
bool compatible()
{
  return COMPATIBLE;
}
#define COMPATIBLE_FN ::compatible
#else
#define COMPATIBLE_FN nullptr
#endif

} // namespace

// Module<Hook>'s layout with a free kind string (outside the anonymous
// namespace: the module symbol must have external linkage).
struct OddModule : mesos::modules::ModuleBase
{
  OddModule()
    : ModuleBase(API_VERSION, MESOS_VERSION, KIND, AUTHOR, "tests@example.org",
                 "Odd module for tests.", COMPATIBLE_FN),
      create(::create) {}

  mesos::Hook* (*create)(const mesos::Parameters&);
};

OddModule MODULE_NAME;
