// Fault case: does not compile (a missing semicolon and an unknown type).
#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/hook.hpp>

mesos::Hook* create(const mesos::Parameters&) { return nullptr }
NoSuchType org_mesos_fleet_FaultHook;
