#include <signal.h>

#include <gtest/gtest.h>

#include "persistent.hpp"
#include "test_util.hpp"

using namespace command_hook;
using namespace command_hook::testing;

namespace {

// Answers every event line with its own pid, so tests can tell processes
// apart.
const char kEcho[] = "while read line; do echo \"OK {\\\"pid\\\":$$}\"; done";

} // namespace

TEST(Persistent, OneProcessAnswersManyCalls)
{
  PersistentCommand command(shell(kEcho), limits(5000));
  Outcome first = command.call("{\"method\":\"a\"}");
  ASSERT_EQ(Status::kOk, first.status) << first.describe();
  for (int i = 0; i < 20; ++i) {
    Outcome o = command.call("{\n\"method\": \"b\"\n}");  // framed to one line
    ASSERT_EQ(Status::kOk, o.status) << o.describe();
    EXPECT_EQ(first.out, o.out);
  }
  EXPECT_EQ(1u, command.starts());
  EXPECT_EQ("{\"pid\":" + std::to_string(command.pid()) + "}", first.out);
}

TEST(Persistent, RestartsACommandThatDiedBetweenCalls)
{
  PersistentCommand command(shell(kEcho), limits(5000));
  ASSERT_TRUE(command.call("{}").ok());
  pid_t old = command.pid();
  ::kill(old, SIGKILL);
  ASSERT_TRUE(gone_within(old, 2000));

  Outcome o = command.call("{}");
  ASSERT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_EQ(2u, command.starts());
  EXPECT_NE(old, command.pid());
}

TEST(Persistent, DeathDuringACallIsAnErrorAndTheNextCallRestarts)
{
  TempDir dir;
  // First process dies on its first event; later ones behave.
  std::string marker = dir.path() + "/died-once";
  PersistentCommand command(
      shell("if [ -e " + marker + " ]; then " + kEcho + "; else touch " +
            marker + "; read line; echo 'giving up' >&2; exit 3; fi"),
      limits(5000));

  Outcome o = command.call("{}");
  EXPECT_EQ(Status::kFailed, o.status);
  EXPECT_EQ(3, o.exit_code);
  EXPECT_NE(std::string::npos, o.describe().find("giving up")) << o.describe();

  o = command.call("{}");
  EXPECT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_EQ(2u, command.starts());
}

TEST(Persistent, HangIsTimedOutKilledAndReplaced)
{
  TempDir dir;
  std::string marker = dir.path() + "/hung-once";
  PersistentCommand command(
      shell("if [ -e " + marker + " ]; then " + kEcho + "; else touch " +
            marker + "; trap '' TERM; read line; sleep 30; fi"),
      limits(300, 200));

  Outcome o = command.call("{}");
  EXPECT_EQ(Status::kTimeout, o.status);
  EXPECT_LT(o.elapsed.count(), 2000);
  EXPECT_EQ(-1, command.pid());  // killed (TERM ignored -> KILL) and reaped

  o = command.call("{}");
  EXPECT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_EQ(2u, command.starts());
}

TEST(Persistent, ErrorReplyCarriesTheReasonAndKeepsTheProcess)
{
  PersistentCommand command(
      shell("while read line; do echo 'ERROR host path /etc is not allowed'; done"),
      limits(5000));
  Outcome o = command.call("{}");
  EXPECT_EQ(Status::kFailed, o.status);
  EXPECT_EQ("host path /etc is not allowed", o.err);
  EXPECT_TRUE(command.call("{}").status == Status::kFailed);
  EXPECT_EQ(1u, command.starts());
}

TEST(Persistent, GarbageReplyIsAProtocolErrorAndRestarts)
{
  PersistentCommand command(
      shell("while read line; do echo 'not a reply'; done"), limits(5000));
  Outcome o = command.call("{}");
  EXPECT_EQ(Status::kProtocolError, o.status);
  EXPECT_EQ(-1, command.pid());
  command.call("{}");
  EXPECT_EQ(2u, command.starts());
}

TEST(Persistent, ExtraReplyLinesPutTheNextCallOnAFreshProcess)
{
  PersistentCommand command(
      shell("while read line; do echo 'OK {\"n\":1}'; echo 'OK {\"n\":2}'; done"),
      limits(5000));
  Outcome o = command.call("{}");
  ASSERT_EQ(Status::kOk, o.status);
  EXPECT_EQ("{\"n\":1}", o.out);
  // The stray second line must not be taken as the answer to this event.
  ::usleep(100000);
  o = command.call("{}");
  ASSERT_EQ(Status::kOk, o.status);
  EXPECT_EQ("{\"n\":1}", o.out);
  EXPECT_EQ(2u, command.starts());
}

TEST(Persistent, OversizedReplyIsRefused)
{
  PersistentCommand command(
      shell("while read line; do printf 'OK '; head -c 10000 /dev/zero | tr '\\0' x; echo; done"),
      limits(5000, 200, 1000));
  Outcome o = command.call("{}");
  EXPECT_EQ(Status::kOutputTooLarge, o.status);
  EXPECT_EQ(-1, command.pid());
}

TEST(Persistent, StderrIsLoggedNotMistakenForReplies)
{
  std::vector<std::string> logged;
  PersistentCommand command(
      shell("while read line; do echo 'checking event' >&2; echo OK; done"),
      limits(5000), [&](int, const std::string& m) { logged.push_back(m); });
  EXPECT_EQ(Status::kOk, command.call("{}").status);
  EXPECT_EQ(Status::kOk, command.call("{}").status);
  bool seen = false;
  for (const std::string& m : logged) seen |= m.find("checking event") != std::string::npos;
  EXPECT_TRUE(seen);
}

TEST(Persistent, SpawnFailureIsReportedEachCall)
{
  PersistentCommand command({{"/nonexistent/persistent-hook"}, {}}, limits(1000));
  EXPECT_EQ(Status::kSpawnError, command.call("{}").status);
  EXPECT_EQ(Status::kSpawnError, command.call("{}").status);
}

TEST(Persistent, StopLeavesNoProcessBehind)
{
  {
    PersistentCommand command(shell(std::string("sleep 30 & ") + kEcho),
                              limits(5000));
    ASSERT_TRUE(command.call("{}").ok());
  }
  EXPECT_TRUE(no_children());
}
