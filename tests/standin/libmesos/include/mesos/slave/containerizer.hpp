// The containerizer messages an isolator of the stand-in uses, generated
// from proto/mesos/slave/containerizer.proto.in as Mesos generates its
// <mesos/slave/containerizer.pb.h>.
#ifndef MESOS_STANDIN_SLAVE_CONTAINERIZER_HPP
#define MESOS_STANDIN_SLAVE_CONTAINERIZER_HPP

#include <mesos/version.hpp>

#include <mesos/mesos.hpp>
#include <mesos/type_utils.hpp>

#include <mesos/slave/containerizer.pb.h>

#endif // MESOS_STANDIN_SLAVE_CONTAINERIZER_HPP
