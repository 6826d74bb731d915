#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "poller.hpp"

using namespace command_isolator;
using std::chrono::milliseconds;

namespace {

bool eventually(const std::function<bool()>& predicate, long ms = 3000)
{
  auto until = std::chrono::steady_clock::now() + milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (predicate()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return predicate();
}

} // namespace

TEST(Poller, PollsEveryKeyEachRoundUntilRemoved)
{
  std::mutex mutex;
  std::map<std::string, int> calls;
  Poller poller(milliseconds(20), [&](const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex);
    ++calls[key];
    return true;
  });
  poller.add("a");
  poller.add("b");
  poller.add("a");  // once only
  EXPECT_EQ(2u, poller.keys().size());
  ASSERT_TRUE(eventually([&]() {
    std::lock_guard<std::mutex> lock(mutex);
    return calls["a"] >= 3 && calls["b"] >= 3;
  }));
  poller.remove("a");
  int a_after_remove;
  {
    std::lock_guard<std::mutex> lock(mutex);
    a_after_remove = calls["a"];
  }
  unsigned long rounds = poller.rounds();
  ASSERT_TRUE(eventually([&]() { return poller.rounds() >= rounds + 3; }));
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(a_after_remove, calls["a"]);
}

TEST(Poller, StopsAKeyWhosePollSaysSo)
{
  std::atomic<int> calls(0);
  Poller poller(milliseconds(10), [&](const std::string&) {
    ++calls;
    return false;  // e.g. a limitation was reported
  });
  poller.add("c");
  ASSERT_TRUE(eventually([&]() { return calls == 1 && poller.keys().empty(); }));
  unsigned long rounds = poller.rounds();
  ASSERT_TRUE(eventually([&]() { return poller.rounds() >= rounds + 3; }));
  EXPECT_EQ(1, calls);
}

TEST(Poller, RemoveWaitsForAPollInFlight)
{
  std::atomic<bool> in_poll(false);
  std::atomic<bool> finished(false);
  Poller poller(milliseconds(10), [&](const std::string&) {
    in_poll = true;
    std::this_thread::sleep_for(milliseconds(200));
    finished = true;
    return true;
  });
  poller.add("slow");
  ASSERT_TRUE(eventually([&]() { return in_poll.load(); }));
  poller.remove("slow");
  EXPECT_TRUE(finished);  // cleanup never overlaps a watch call
}

TEST(Poller, DestructorStopsPromptly)
{
  auto start = std::chrono::steady_clock::now();
  {
    Poller poller(milliseconds(60000), [](const std::string&) { return true; });
    poller.add("x");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
}
