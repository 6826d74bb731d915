// Minimal None of the Mesos stand-in (stout-compatible name).
#ifndef MESOS_STANDIN_STOUT_NONE_HPP
#define MESOS_STANDIN_STOUT_NONE_HPP

struct None {};

#endif // MESOS_STANDIN_STOUT_NONE_HPP
