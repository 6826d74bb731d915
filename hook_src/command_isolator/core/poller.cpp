#include "poller.hpp"

#include <algorithm>

namespace command_isolator {

Poller::Poller(std::chrono::milliseconds interval, Poll poll)
  : interval_(interval), poll_(std::move(poll)), thread_([this]() { loop(); }) {}

Poller::~Poller()
{
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Poller::add(const std::string& key)
{
  std::lock_guard<std::mutex> lock(mutex_);
  if (std::find(keys_.begin(), keys_.end(), key) == keys_.end()) keys_.push_back(key);
}

void Poller::remove(const std::string& key)
{
  std::unique_lock<std::mutex> lock(mutex_);
  keys_.erase(std::remove(keys_.begin(), keys_.end(), key), keys_.end());
  // Wait out a poll in flight for this key, unless we are that poll.
  if (std::this_thread::get_id() != thread_.get_id()) {
    idle_.wait(lock, [&]() { return polling_ != key; });
  }
}

std::vector<std::string> Poller::keys()
{
  std::lock_guard<std::mutex> lock(mutex_);
  return keys_;
}

unsigned long Poller::rounds()
{
  std::lock_guard<std::mutex> lock(mutex_);
  return rounds_;
}

void Poller::loop()
{
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, interval_, [&]() { return stop_; });
    if (stop_) break;
    std::vector<std::string> round = keys_;
    for (const std::string& key : round) {
      if (stop_) break;
      if (std::find(keys_.begin(), keys_.end(), key) == keys_.end()) continue;
      polling_ = key;
      lock.unlock();
      bool keep = poll_(key);
      lock.lock();
      polling_.clear();
      idle_.notify_all();
      if (!keep) keys_.erase(std::remove(keys_.begin(), keys_.end(), key), keys_.end());
    }
    ++rounds_;
  }
}

} // namespace command_isolator
