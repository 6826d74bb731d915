// Fault case: compiles and loads, but says it was built for Mesos 1.12.0.
#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/hook.hpp>

mesos::Hook* create(const mesos::Parameters&) { return nullptr; }
mesos::modules::Module<mesos::Hook> org_mesos_fleet_FaultHook(
    MESOS_MODULE_API_VERSION, "1.12.0", "mesos_fleet.hooks", "mesos-fleet@example.org",
    "Fault hook: built for another Mesos version.", nullptr, create);
