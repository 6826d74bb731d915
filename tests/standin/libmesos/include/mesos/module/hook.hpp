// Module<Hook> of the Mesos stand-in: ModuleBase followed by create(),
// the layout Mesos 1.11 uses for hook modules.
#ifndef MESOS_STANDIN_MODULE_HOOK_HPP
#define MESOS_STANDIN_MODULE_HOOK_HPP

#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module.hpp>

namespace mesos {
namespace modules {

template <>
inline const char* kind<mesos::Hook>()
{
  return "Hook";
}

template <>
struct Module<mesos::Hook> : ModuleBase
{
  Module(
      const char* moduleApiVersion_,
      const char* mesosVersion_,
      const char* authorName_,
      const char* authorEmail_,
      const char* description_,
      bool (*compatible_)(),
      mesos::Hook* (*create_)(const mesos::Parameters& parameters))
    : ModuleBase(
          moduleApiVersion_,
          mesosVersion_,
          mesos::modules::kind<mesos::Hook>(),
          authorName_,
          authorEmail_,
          description_,
          compatible_),
      create(create_) {}

  mesos::Hook* (*create)(const mesos::Parameters& parameters);
};

} // namespace modules
} // namespace mesos

#endif // MESOS_STANDIN_MODULE_HOOK_HPP
