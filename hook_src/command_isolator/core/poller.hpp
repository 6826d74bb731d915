// The watch poller: one thread per isolator instance that calls a function
// for every watched container, one container after the other, then waits
// `interval` before the next round. Mesos's Isolator::watch() returns a
// future that the containerizer waits on for the container's whole life
// (containerizer.cpp: isolator->watch(containerId).onAny(... limited ...));
// polling a command keeps every Mesos thread free and bounds the agent's
// load to one watch command at a time per instance.
#ifndef COMMAND_ISOLATOR_POLLER_HPP
#define COMMAND_ISOLATOR_POLLER_HPP

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace command_isolator {

class Poller
{
public:
  // `poll(key)` returns true to keep watching the container, false to stop
  // (a limitation was reported, or the watch failed).
  using Poll = std::function<bool(const std::string& key)>;

  Poller(std::chrono::milliseconds interval, Poll poll);
  ~Poller();  // stops and joins the thread

  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void add(const std::string& key);     // polled from the next round on
  void remove(const std::string& key);  // not polled again once this returns
                                        // (unless called from poll() itself)
  std::vector<std::string> keys();
  unsigned long rounds();               // rounds completed so far

private:
  void loop();

  const std::chrono::milliseconds interval_;
  const Poll poll_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<std::string> keys_;
  std::string polling_;  // the key poll() is running for, "" when none
  bool stop_ = false;
  unsigned long rounds_ = 0;
  std::thread thread_;
};

} // namespace command_isolator

#endif // COMMAND_ISOLATOR_POLLER_HPP
