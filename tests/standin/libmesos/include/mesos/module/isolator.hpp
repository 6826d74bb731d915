// Module<Isolator> of the Mesos stand-in: ModuleBase followed by create(),
// the layout of Mesos 1.11.0's include/mesos/module/isolator.hpp.
#ifndef MESOS_STANDIN_MODULE_ISOLATOR_HPP
#define MESOS_STANDIN_MODULE_ISOLATOR_HPP

#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/slave/isolator.hpp>

namespace mesos {
namespace modules {

template <>
inline const char* kind<mesos::slave::Isolator>()
{
  return "Isolator";
}

template <>
struct Module<mesos::slave::Isolator> : ModuleBase
{
  Module(
      const char* moduleApiVersion_,
      const char* mesosVersion_,
      const char* authorName_,
      const char* authorEmail_,
      const char* description_,
      bool (*compatible_)(),
      mesos::slave::Isolator* (*create_)(const mesos::Parameters& parameters))
    : ModuleBase(
          moduleApiVersion_,
          mesosVersion_,
          mesos::modules::kind<mesos::slave::Isolator>(),
          authorName_,
          authorEmail_,
          description_,
          compatible_),
      create(create_) {}

  mesos::slave::Isolator* (*create)(const mesos::Parameters& parameters);
};

} // namespace modules
} // namespace mesos

#endif // MESOS_STANDIN_MODULE_ISOLATOR_HPP
