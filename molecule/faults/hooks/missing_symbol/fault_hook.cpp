// Fault case: hook.json declares org_mesos_fleet_NotThere; the library defines another name.
#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/hook.hpp>

mesos::Hook* create(const mesos::Parameters&) { return nullptr; }
mesos::modules::Module<mesos::Hook> org_mesos_fleet_FaultHook(
    MESOS_MODULE_API_VERSION, MESOS_VERSION, "mesos_fleet.hooks", "mesos-fleet@example.org",
    "Fault hook: not the module hook.json names.", nullptr, create);
