// The Mesos message types a hook uses. As in Mesos, they are protobuf
// classes generated from mesos.proto (see proto/mesos/mesos.proto.in): a
// hook needs protobuf's headers to compile, and libprotobuf, linked by
// libmesos, to load.
#ifndef MESOS_STANDIN_MESOS_HPP
#define MESOS_STANDIN_MESOS_HPP

// Declares the ABI tag's inline namespace before the generated code opens
// it again as a plain one.
#include <mesos/version.hpp>

#include <mesos/mesos.pb.h>

#endif // MESOS_STANDIN_MESOS_HPP
