// Fault case: needs a symbol that no libmesos defines, so dlopen(RTLD_NOW) fails.
#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/hook.hpp>

extern "C" void mesos_fleet_no_such_symbol();
mesos::Hook* create(const mesos::Parameters&) { mesos_fleet_no_such_symbol(); return nullptr; }
mesos::modules::Module<mesos::Hook> org_mesos_fleet_FaultHook(
    MESOS_MODULE_API_VERSION, MESOS_VERSION, "mesos_fleet.hooks", "mesos-fleet@example.org",
    "Fault hook: an unresolved symbol.", nullptr, create);
