#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "runner.hpp"
#include "test_util.hpp"

using namespace command_hook;
using namespace command_hook::testing;

TEST(Runner, FeedsStdinAndCollectsStdout)
{
  Outcome o = run_once({{"/bin/cat"}, {}}, "{\"method\":\"x\"}\n", limits(5000));
  ASSERT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_EQ("{\"method\":\"x\"}\n", o.out);
  EXPECT_EQ(0, o.exit_code);
  EXPECT_TRUE(no_children());
}

TEST(Runner, LargeInputAndOutputDoNotDeadlock)
{
  std::string input(3 << 20, 'x');  // well beyond a pipe buffer both ways
  Outcome o = run_once({{"/bin/cat"}, {}}, input, limits(10000, 200, 4 << 20));
  ASSERT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_EQ(input.size(), o.out.size());
}

TEST(Runner, NonZeroExitCarriesStderrReason)
{
  Outcome o = run_once(shell("echo 'host path /etc not allowed' >&2; exit 3"),
                       "{}", limits(5000));
  EXPECT_EQ(Status::kFailed, o.status);
  EXPECT_EQ(3, o.exit_code);
  EXPECT_NE(std::string::npos, o.describe().find("host path /etc not allowed"))
      << o.describe();
  EXPECT_TRUE(no_children());
}

TEST(Runner, CommandThatIgnoresStdinDoesNotRaiseSigpipe)
{
  // The reader exits at once; writing the rest must fail with EPIPE
  // quietly instead of killing this process with SIGPIPE.
  Outcome o = run_once({{"/bin/true"}, {}}, std::string(1 << 20, 'x'),
                       limits(5000));
  EXPECT_EQ(Status::kOk, o.status) << o.describe();
}

TEST(Runner, MissingCommandIsASpawnError)
{
  Outcome o = run_once({{"/nonexistent/hook-command"}, {}}, "{}", limits(1000));
  EXPECT_EQ(Status::kSpawnError, o.status);
  EXPECT_NE(std::string::npos, o.describe().find("/nonexistent/hook-command"));
  EXPECT_TRUE(no_children());
}

TEST(Runner, ReportsDeathBySignal)
{
  Outcome o = run_once(shell("kill -9 $$"), "", limits(5000));
  EXPECT_EQ(Status::kSignaled, o.status);
  EXPECT_EQ(SIGKILL, o.signal);
}

TEST(Runner, TimeoutSendsTermFirst)
{
  Outcome o = run_once(
      shell("trap 'echo got TERM >&2; exit 0' TERM; sleep 30 & wait"), "",
      limits(200, 5000));
  EXPECT_EQ(Status::kTimeout, o.status);
  EXPECT_NE(std::string::npos, o.err.find("got TERM"));
  EXPECT_LT(o.elapsed.count(), 3000);  // exited on TERM, not after the grace
  EXPECT_TRUE(no_children());
}

TEST(Runner, TimeoutKillsTheWholeGroupWhenTermIsIgnored)
{
  // Both the command and its background child ignore SIGTERM.
  Outcome o = run_once(
      shell("trap '' TERM; sleep 30 & echo $!; wait"), "", limits(200, 200));
  EXPECT_EQ(Status::kTimeout, o.status) << o.describe();
  EXPECT_LT(o.elapsed.count(), 3000);
  pid_t background = (pid_t)std::stol(o.out);
  EXPECT_TRUE(gone_within(background, 2000)) << "pid " << background;
  EXPECT_TRUE(no_children());
}

TEST(Runner, ProcessesLeftBehindAreKilledWhenTheCommandExits)
{
  // Without the pidfd/exit check this would wait 30 s for the sleep to
  // close the inherited stdout.
  Outcome o = run_once(shell("sleep 30 & echo $!"), "", limits(10000));
  ASSERT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_LT(o.elapsed.count(), 3000);
  EXPECT_TRUE(gone_within((pid_t)std::stol(o.out), 2000));
}

TEST(Runner, OutputCapKillsARunawayCommand)
{
  Outcome o = run_once({{"/usr/bin/yes"}, {}}, "", limits(10000, 200, 4096));
  EXPECT_EQ(Status::kOutputTooLarge, o.status);
  EXPECT_TRUE(o.out.empty());
  EXPECT_LT(o.elapsed.count(), 3000);
  EXPECT_TRUE(no_children());
}

TEST(Runner, OutputAtTheCapIsAccepted)
{
  Outcome o = run_once(shell("printf '%4096s' x"), "", limits(5000, 200, 4096));
  EXPECT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_EQ(4096u, o.out.size());
}

TEST(Runner, NoFileDescriptorLeaksIntoTheCommand)
{
  // An fd opened without O_CLOEXEC, as another agent thread might.
  int leaked = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaked, 0);
  ASSERT_EQ(100, ::dup2(leaked, 100));

  Outcome o = run_once({{"/bin/ls", "-1", "/proc/self/fd"}, {}}, "",
                       limits(5000));
  ::close(leaked);
  ::close(100);
  ASSERT_EQ(Status::kOk, o.status) << o.describe();

  std::set<int> fds;
  std::istringstream lines(o.out);
  std::string line;
  while (std::getline(lines, line)) fds.insert(std::stoi(line));
  // 0-2 are the pipes; ls itself opens one fd to read the directory.
  EXPECT_EQ(0u, fds.count(100)) << o.out;
  EXPECT_EQ(0u, fds.count(leaked)) << o.out;
  for (int fd : fds) EXPECT_LE(fd, 3) << o.out;
}

TEST(Runner, EnvironmentIsExactlyTheConfiguredOne)
{
  ::setenv("AGENT_SECRET_TOKEN", "hunter2", 1);
  Outcome o = run_once({{"/usr/bin/env"}, {"PATH=/usr/bin:/bin", "A=1"}}, "",
                       limits(5000));
  ::unsetenv("AGENT_SECRET_TOKEN");
  ASSERT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_EQ("PATH=/usr/bin:/bin\nA=1\n", o.out);
}

TEST(Runner, IgnoredSignalsAndBlockedMaskAreReset)
{
  // The agent ignores SIGPIPE and may block signals; the command must start
  // with default dispositions and an empty mask.
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old;
  ::sigaction(SIGPIPE, &ignore, &old);
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old_mask);

  Outcome o = run_once(shell("grep -E '^Sig(Blk|Ign)' /proc/self/status"), "",
                       limits(5000));

  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGPIPE, &old, nullptr);
  ASSERT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_NE(std::string::npos, o.out.find("SigBlk:\t0000000000000000")) << o.out;
  // grep's own dispositions: SIGPIPE (bit 13) must not be ignored.
  std::string ign = o.out.substr(o.out.find("SigIgn:\t") + 8, 16);
  unsigned long long mask = std::stoull(ign, nullptr, 16);
  EXPECT_EQ(0ull, mask & (1ull << (SIGPIPE - 1))) << o.out;
}

TEST(Runner, CommandRunsInItsOwnProcessGroup)
{
  Outcome o = run_once(shell("cut -d' ' -f5 /proc/$$/stat; echo $$"), "", limits(5000));
  ASSERT_EQ(Status::kOk, o.status) << o.describe();
  std::istringstream in(o.out);
  long pgid = 0, pid = 0;
  in >> pgid >> pid;
  EXPECT_EQ(pid, pgid);
  EXPECT_NE((long)::getpgrp(), pgid);
}
