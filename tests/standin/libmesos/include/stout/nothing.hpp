// Nothing of the Mesos stand-in (stout-compatible name).
#ifndef MESOS_STANDIN_STOUT_NOTHING_HPP
#define MESOS_STANDIN_STOUT_NOTHING_HPP

struct Nothing {};

#endif // MESOS_STANDIN_STOUT_NOTHING_HPP
