"""Health gates against real local HTTP servers answering like a Mesos agent and master.

Time is a fake clock whose sleep() advances it, so timeouts and retries run instantly; a hook
on sleep() changes what the servers answer, as a restarting agent would.
"""

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import gates as g
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api

# The agent and master fixtures come from there too.
from test_mesos_api import AGENT_ID, FRAMEWORK, HOOK, OTHER_FRAMEWORK, agent, master  # noqa: F401 pylint: disable=unused-import

ALL_BUT_CANARY = ("health", "reregistered", "flags", "recovery", "tasks")


class FakeClock:
    def __init__(self, on_sleep=None):
        self.now = 1000.0
        self.sleeps = []
        self.on_sleep = on_sleep

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep:
            self.on_sleep(len(self.sleeps))


@pytest.fixture
def before(agent):
    return mesos_api.agent_snapshot(agent.url)


def expect(**kw):
    base = dict(hooks=[HOOK], module_names=[HOOK, "com_example_Isolator"], modules_dir="")
    base.update(kw)
    return g.Expectations(**base)


def run(agent, master, before, names=ALL_BUT_CANARY, expectations=None, clock=None, timeouts=None,
        intervals=None, **kw):
    clock = clock or FakeClock()
    probe = g.AgentProbe(agent.url, [master.url], request_timeout=2)
    specs = g.gate_specs(list(names), timeouts or dict((n, 10) for n in names), intervals)
    return g.check_gates(before, probe, expectations or expect(), specs, clock=clock, sleep=clock.sleep, **kw)


def gate(outcome, name):
    return [r for r in outcome["gates"] if r["name"] == name][0]


# --- all pass --------------------------------------------------------------------

def test_healthy_agent_passes_every_gate_at_first_attempt(agent, master, before):
    clock = FakeClock()
    outcome = run(agent, master, before, clock=clock)
    assert outcome["passed"] is True and outcome["failed_gate"] is None
    assert [r["name"] for r in outcome["gates"]] == list(ALL_BUT_CANARY)
    assert all(r["passed"] and r["attempts"] == 1 and r["error"] is None for r in outcome["gates"])
    assert clock.sleeps == []
    assert gate(outcome, "reregistered")["details"] == {
        "agent_id": AGENT_ID, "master_url": master.url, "active": True, "deactivated": False,
        "registered_at": master.agents[AGENT_ID]["registered_time"], "registered_before": None}
    assert gate(outcome, "tasks")["details"] == {"tasks": 3}
    assert outcome["msg"].startswith("all 5 gates passed")


def test_gates_run_in_fixed_order_whatever_the_list_order(agent, master, before):
    outcome = run(agent, master, before, names=["tasks", "health"])
    assert [r["name"] for r in outcome["gates"]] == ["health", "tasks"]


# --- health ----------------------------------------------------------------------

def test_health_retries_until_the_agent_answers(agent, master, before):
    agent.healthy = False  # not started yet: /health itself never answers 503
    clock = FakeClock(lambda n: setattr(agent, "healthy", n >= 2))
    outcome = run(agent, master, before, clock=clock, intervals={"health": 2})
    assert outcome["passed"]
    assert gate(outcome, "health")["attempts"] == 3
    assert gate(outcome, "health")["seconds"] == 4
    assert clock.sleeps == [2, 2]


def test_health_timeout_fails_and_skips_the_rest(agent, master, before):
    agent.healthy = False
    clock = FakeClock()
    outcome = run(agent, master, before, clock=clock, timeouts={"health": 5, "reregistered": 10},
                  names=["health", "reregistered"])
    health = gate(outcome, "health")
    assert outcome["passed"] is False and outcome["failed_gate"] == "health"
    # Attempts at 0, 0.25, ..., 5 s (the default interval): the timeout is honoured, not overrun.
    assert health["attempts"] == 21 and health["seconds"] == 5
    assert "/health: request failed" in health["error"] and "after 21 attempts in 5.0 s" in health["error"]
    assert gate(outcome, "reregistered")["skipped"] is True
    assert gate(outcome, "reregistered")["attempts"] == 0
    assert outcome["msg"].startswith("gate 'health' failed: %s/health: request failed" % agent.url)


# What a real agent logs before it exits on a refused module (glog line, then exit 1).
REFUSED = ("E1207 02:41:07.123456  4242 main.cpp:555] EXIT with status 1: Error loading modules: "
           "Error verifying module 'org_example_EnvHook': Mesos has version 1.11.0, but module is "
           "compiled with version 1.12.0")


class FakeSystemd:
    """Answers systemctl show and journalctl as for a unit in the given state."""

    def __init__(self, active, sub, journal=""):
        self.active, self.sub, self.journal = active, sub, journal
        self.calls = []

    def __call__(self, argv, timeout=None):
        self.calls.append(argv)
        if argv[0] == "systemctl":
            return 0, "ActiveState=%s\nSubState=%s\nExecMainStatus=1\n" % (self.active, self.sub), ""
        return 0, self.journal, ""


def test_exit_reason_is_mesoss_last_exit_line_else_the_last_error():
    log = "I1207 starting\n" + REFUSED.replace("1.12.0", "1.10.0") + "\n" + REFUSED + "\n"
    assert g.exit_reason(log) == REFUSED[REFUSED.index("EXIT with status"):]
    assert g.exit_reason("I1207 02:41:07.1  1 main.cpp:1] ok\n"
                         "E1207 02:41:07.2  1 main.cpp:2] Failed to bind: address in use\nbye\n") == \
        "Failed to bind: address in use"
    assert g.exit_reason("all fine\n") is None


@pytest.mark.parametrize("active, sub", [("active", "running"), ("activating", "start")])
def test_a_running_unit_has_not_exited(active, sub):
    systemd = FakeSystemd(active, sub, REFUSED)
    assert g.unit_exit("mesos-slave.service", 1700000000, systemd) is None
    assert [c[0] for c in systemd.calls] == ["systemctl"]


@pytest.mark.parametrize("active, sub", [("activating", "auto-restart"), ("failed", "failed"), ("inactive", "dead")])
def test_an_exited_unit_says_why_from_its_journal_since_the_restart(active, sub):
    systemd = FakeSystemd(active, sub, "I1207 loading\n" + REFUSED + "\n")
    reason = g.unit_exit("mesos-slave.service", 1700000000.7, systemd)
    assert reason.startswith("mesos-slave.service exited after the restart (%s, %s, exit status 1): " % (active, sub))
    assert reason.endswith("EXIT with status 1: Error loading modules: Error verifying module 'org_example_EnvHook': "
                           "Mesos has version 1.11.0, but module is compiled with version 1.12.0")
    assert systemd.calls[1][:3] == ["journalctl", "--unit", "mesos-slave.service"]
    assert systemd.calls[1][-2:] == ["--since", "@1700000000"]


def test_a_daemon_that_exited_fails_the_gate_at_once_with_its_reason(agent, master, before):
    agent.healthy = False
    clock = FakeClock()
    probe = g.AgentProbe(agent.url, [master.url], request_timeout=2, service="mesos-slave.service",
                         since=1700000000, run=FakeSystemd("activating", "auto-restart", REFUSED))
    specs = g.gate_specs(["health", "reregistered"], {"health": 60, "reregistered": 10})
    outcome = g.check_gates(before, probe, expect(), specs, clock=clock, sleep=clock.sleep)
    health = gate(outcome, "health")
    assert outcome["passed"] is False and outcome["failed_gate"] == "health"
    assert health["attempts"] == 1 and clock.sleeps == []
    assert "Mesos has version 1.11.0, but module is compiled with version 1.12.0" in health["error"]
    assert outcome["msg"].startswith("gate 'health' failed: mesos-slave.service exited after the restart")


def test_a_daemon_still_running_lets_the_gate_retry(agent, master, before):
    agent.healthy = False
    clock = FakeClock(lambda n: setattr(agent, "healthy", True))
    probe = g.AgentProbe(agent.url, [master.url], request_timeout=2, service="mesos-slave.service",
                         since=1700000000, run=FakeSystemd("active", "running"))
    outcome = g.check_gates(before, probe, expect(), g.gate_specs(["health"], {"health": 10}),
                            clock=clock, sleep=clock.sleep)
    assert outcome["passed"] is True and gate(outcome, "health")["attempts"] == 2


def test_zero_timeout_means_one_attempt(agent, master, before):
    agent.healthy = False
    clock = FakeClock()
    outcome = run(agent, master, before, clock=clock, timeouts={"health": 0}, names=["health"])
    assert gate(outcome, "health")["attempts"] == 1 and clock.sleeps == []
    assert "after" not in gate(outcome, "health")["error"]


def test_agent_down_is_a_connect_error(master, before, agent):
    agent.close()
    outcome = run(agent, master, before, timeouts={"health": 2}, names=["health"])
    assert "cannot connect" in gate(outcome, "health")["error"]


# --- reregistered ------------------------------------------------------------------

def test_reregistered_waits_for_registration(agent, master, before):
    agent.recovering = True
    master.agents[AGENT_ID]["connected"] = False

    def come_back(n):
        if n == 3:
            agent.recovering = False
            master.reregister(AGENT_ID)

    outcome = run(agent, master, before, clock=FakeClock(come_back), names=["reregistered"])
    assert outcome["passed"] and gate(outcome, "reregistered")["attempts"] == 4


def test_reregistered_waits_for_an_agent_the_new_leader_knows_only_from_its_registry(agent, master, before):
    master.fail_over()
    outcome = run(agent, master, before, names=["reregistered"], timeouts={"reregistered": 2},
                  intervals={"reregistered": 1})
    assert ("knows agent %s from its registry (recovered_slaves) but the agent has not re-registered with "
            "it yet: the master failed over" % AGENT_ID) in gate(outcome, "reregistered")["error"]

    def come_back(n):
        if n == 2:
            master.reregister(AGENT_ID)

    outcome = run(agent, master, before, clock=FakeClock(come_back), names=["reregistered"])
    assert outcome["passed"] and gate(outcome, "reregistered")["attempts"] == 3


def test_reregistered_fails_while_the_agent_has_found_no_master(agent, master, before):
    agent.master_detected = False
    outcome = run(agent, master, before, names=["reregistered"], timeouts={"reregistered": 3},
                  intervals={"reregistered": 1})
    assert "slave/registered = 0: it has not detected a master yet" in gate(outcome, "reregistered")["error"]
    assert gate(outcome, "reregistered")["attempts"] == 4


def test_reregistered_waits_out_the_agents_recovery(agent, master, before):
    # Mesos answers /state with 503 until the recovery ends (src/slave/http.cpp).
    agent.recovering = True
    outcome = run(agent, master, before, names=["reregistered"], timeouts={"reregistered": 2},
                  intervals={"reregistered": 1})
    assert "/state: HTTP 503 Service Unavailable: Agent has not finished recovery" in gate(outcome, "reregistered")["error"]


def test_a_detected_master_is_not_a_registration_until_the_master_says_so(agent, master, before):
    # slave/registered is 1 once the agent has found its master; only a reregistered_time later
    # than the one before the restart proves the master took it back.
    before = dict(before, master_registered_at=mesos_api.registered_at(master.slaves()["slaves"][0]))
    outcome = run(agent, master, before, names=["reregistered"], timeouts={"reregistered": 2},
                  intervals={"reregistered": 1})
    assert "has not seen agent %s re-register since the restart" % AGENT_ID in gate(outcome, "reregistered")["error"]
    clock = FakeClock(lambda n: master.reregister(AGENT_ID) if n == 1 else None)
    outcome = run(agent, master, before, clock=clock, names=["reregistered"], intervals={"reregistered": 1})
    assert outcome["passed"] and gate(outcome, "reregistered")["attempts"] == 2


def test_new_agent_id_fails_at_once_saying_tasks_are_lost(agent, master, before):
    agent.agent_id = "99999999-0000-4000-8000-000000000000-S0"
    clock = FakeClock()
    outcome = run(agent, master, before, clock=clock, names=["reregistered", "tasks"])
    rereg = gate(outcome, "reregistered")
    assert not outcome["passed"] and rereg["attempts"] == 1 and clock.sleeps == []
    assert "NEW agent ID 99999999-0000-4000-8000-000000000000-S0 (was %s)" % AGENT_ID in rereg["error"]
    assert "tasks that ran under %s are lost" % AGENT_ID in rereg["error"]
    assert gate(outcome, "tasks")["skipped"]


def test_master_listing_the_agent_under_a_new_id_fails_at_once(agent, master, before):
    del master.agents[AGENT_ID]
    master.add_agent("b00b-S1", agent.pid)
    agent.agent_id = ""  # the agent itself has not shown its ID yet
    outcome = run(agent, master, before, names=["reregistered"])
    rereg = gate(outcome, "reregistered")
    assert rereg["attempts"] == 1
    assert "lists this agent (%s) under a NEW agent ID b00b-S1" % agent.pid in rereg["error"]


def test_master_not_listing_the_agent_fails_after_timeout(agent, master, before):
    del master.agents[AGENT_ID]
    outcome = run(agent, master, before, names=["reregistered"], timeouts={"reregistered": 2},
                  intervals={"reregistered": 1})
    rereg = gate(outcome, "reregistered")
    assert rereg["attempts"] == 3
    assert "master %s does not list agent %s" % (master.url, AGENT_ID) in rereg["error"]


def test_master_state_active_or_as_configured(agent, master, before):
    master.agents[AGENT_ID]["deactivated"] = True
    outcome = run(agent, master, before, names=["reregistered"], timeouts={"reregistered": 0})
    assert "as not active (deactivated)" in gate(outcome, "reregistered")["error"]
    outcome = run(agent, master, before, names=["reregistered"],
                  expectations=expect(master_state="deactivated"))
    assert outcome["passed"]
    assert gate(outcome, "reregistered")["details"]["deactivated"] is True
    master.agents[AGENT_ID]["deactivated"] = False
    outcome = run(agent, master, before, names=["reregistered"], timeouts={"reregistered": 0},
                  expectations=expect(master_state="deactivated"))
    assert "as not deactivated" in gate(outcome, "reregistered")["error"]
    outcome = run(agent, master, before, names=["reregistered"], expectations=expect(master_state="any"))
    assert outcome["passed"]


def test_no_master_answering_fails_reregistered(agent, master, before):
    master.close()
    outcome = run(agent, master, before, names=["reregistered"], timeouts={"reregistered": 0})
    assert "no master answered /slaves" in gate(outcome, "reregistered")["error"]


# --- flags -------------------------------------------------------------------------

def test_hooks_missing_from_flags_fail_naming_them(agent, master, before):
    del agent.flags["hooks"]
    outcome = run(agent, master, before, names=["flags"], timeouts={"flags": 1})
    error = gate(outcome, "flags")["error"]
    assert "--hooks is [], expected [%s] (missing %s)" % (HOOK, HOOK) in error


def test_hooks_in_another_order_fail(agent, master, before):
    agent.flags["hooks"] = "b_Hook,%s" % HOOK
    outcome = run(agent, master, before, names=["flags"], timeouts={"flags": 0},
                  expectations=expect(hooks=[HOOK, "b_Hook"]))
    assert "same names in another order" in gate(outcome, "flags")["error"]


def test_unexpected_hook_fails(agent, master, before):
    agent.flags["hooks"] = "%s,org_Stale" % HOOK
    outcome = run(agent, master, before, names=["flags"], timeouts={"flags": 0})
    assert "unexpected org_Stale" in gate(outcome, "flags")["error"]


def test_modules_and_modules_dir_are_compared(agent, master, before):
    outcome = run(agent, master, before, names=["flags"], timeouts={"flags": 0},
                  expectations=expect(module_names=[HOOK]))
    assert "--modules declares [%s, com_example_Isolator]" % HOOK in gate(outcome, "flags")["error"]
    assert "unexpected com_example_Isolator" in gate(outcome, "flags")["error"]
    outcome = run(agent, master, before, names=["flags"], timeouts={"flags": 0},
                  expectations=expect(modules_dir="/etc/mesos/modules.d"))
    assert "--modules_dir is '', expected '/etc/mesos/modules.d'" in gate(outcome, "flags")["error"]
    # Module names in any order pass.
    outcome = run(agent, master, before, names=["flags"],
                  expectations=expect(module_names=["com_example_Isolator", HOOK]))
    assert outcome["passed"]


def test_flags_not_expected_are_not_checked(agent, master, before):
    agent.flags["hooks"] = "whatever"
    outcome = run(agent, master, before, names=["flags"],
                  expectations=g.Expectations(hooks=None, module_names=None, modules_dir=None))
    assert outcome["passed"]


def test_flags_that_appear_after_a_while_pass(agent, master, before):
    agent.flags["hooks"] = "org_Old"

    def restarted(n):
        if n == 2:
            agent.flags["hooks"] = HOOK

    outcome = run(agent, master, before, names=["flags"], clock=FakeClock(restarted))
    assert outcome["passed"] and gate(outcome, "flags")["attempts"] == 3


# --- recovery ----------------------------------------------------------------------

def test_recovery_errors_fail_at_once(agent, master, before):
    agent.recovery_errors = 2
    clock = FakeClock()
    outcome = run(agent, master, before, names=["recovery"], clock=clock)
    assert gate(outcome, "recovery")["attempts"] == 1 and clock.sleeps == []
    assert "slave/recovery_errors = 2" in gate(outcome, "recovery")["error"]


def test_missing_recovery_metric_is_retried(agent, master, before):
    agent.override("/metrics/snapshot", (200, {"slave/registered": 1}))
    outcome = run(agent, master, before, names=["recovery"], timeouts={"recovery": 2})
    assert gate(outcome, "recovery")["attempts"] == 3
    assert "metric 'slave/recovery_errors' is missing" in gate(outcome, "recovery")["error"]


# --- tasks -------------------------------------------------------------------------

def test_task_missing_after_restart_fails_naming_it(agent, master, before):
    del agent.tasks[FRAMEWORK]["web-2"]
    outcome = run(agent, master, before, names=["tasks"], timeouts={"tasks": 3})
    tasks = gate(outcome, "tasks")
    assert tasks["attempts"] == 4
    assert "web-2 (not listed, framework %s)" % FRAMEWORK in tasks["error"]


def test_task_that_ended_fails_at_once(agent, master, before):
    agent.tasks[OTHER_FRAMEWORK]["db-1"] = "TASK_FAILED"
    clock = FakeClock()
    outcome = run(agent, master, before, names=["tasks"], clock=clock)
    assert gate(outcome, "tasks")["attempts"] == 1 and clock.sleeps == []
    assert "have ended: db-1 (TASK_FAILED, framework %s)" % OTHER_FRAMEWORK in gate(outcome, "tasks")["error"]


def test_task_lost_at_recovery_names_the_executor_reregistration_timeout(agent, master, before):
    agent.flags["executor_reregistration_timeout"] = "5secs"
    agent.tasks[FRAMEWORK]["web-1"] = "TASK_LOST"
    outcome = run(agent, master, before, names=["tasks"])
    assert ("have ended: web-1 (TASK_LOST, framework %s); an agent marks a task LOST or GONE when its executor "
            "does not re-register within --executor_reregistration_timeout (5secs here) after the restart"
            % FRAMEWORK) in gate(outcome, "tasks")["error"]


def test_tasks_recovered_after_a_while_pass(agent, master, before):
    saved = dict(agent.tasks)
    agent.tasks = {}

    def recovered(n):
        if n == 2:
            agent.tasks = saved

    outcome = run(agent, master, before, names=["tasks"], clock=FakeClock(recovered))
    assert outcome["passed"] and gate(outcome, "tasks")["attempts"] == 3


def test_task_not_yet_running_is_waited_for(agent, master, before):
    agent.tasks[FRAMEWORK]["web-1"] = "TASK_STAGING"
    outcome = run(agent, master, before, names=["tasks"], timeouts={"tasks": 0})
    assert "web-1 (TASK_STAGING" in gate(outcome, "tasks")["error"]


def test_new_tasks_do_not_matter_and_no_tasks_before_passes(agent, master, before):
    agent.tasks[FRAMEWORK]["web-3"] = "TASK_RUNNING"
    assert run(agent, master, before, names=["tasks"])["passed"]
    before["tasks"] = {}
    agent.tasks = {}
    outcome = run(agent, master, before, names=["tasks"])
    assert outcome["passed"] and gate(outcome, "tasks")["details"] == {"tasks": 0}


# --- canary ------------------------------------------------------------------------

def test_canary_exit_zero_passes_with_output(agent, master, before):
    outcome = run(agent, master, before, names=["canary"],
                  expectations=expect(canary=["sh", "-c", "echo canary ok; echo note >&2"]))
    canary = gate(outcome, "canary")
    assert canary["passed"]
    assert canary["details"] == {"command": ["sh", "-c", "echo canary ok; echo note >&2"], "rc": 0,
                                 "stdout": "canary ok\n", "stderr": "note\n"}


def test_canary_failure_is_retried_and_reports_output(agent, master, before, tmp_path):
    marker = tmp_path / "runs"
    command = "sh -c 'echo run >> %s; echo bad thing >&2; exit 3'" % marker
    outcome = run(agent, master, before, names=["canary"], timeouts={"canary": 2},
                  expectations=expect(canary=command))
    canary = gate(outcome, "canary")
    assert not canary["passed"] and canary["attempts"] == 3
    assert marker.read_text().count("run") == 3
    assert "exited 3: bad thing" in canary["error"]
    assert canary["details"]["rc"] == 3 and canary["details"]["stderr"] == "bad thing\n"


def test_canary_that_hangs_is_killed(agent, master, before):
    outcome = run(agent, master, before, names=["canary"], timeouts={"canary": 0.5},
                  expectations=expect(canary=["sh", "-c", "sleep 30"]))
    canary = gate(outcome, "canary")
    assert "timed out" in canary["error"] and canary["details"]["rc"] is None


def test_canary_may_take_longer_than_one_http_request(agent, master, before):
    # request_timeout is 2 s in these tests; the canary has its gate's 10 s.
    outcome = run(agent, master, before, names=["canary"],
                  expectations=expect(canary=["sh", "-c", "sleep 2.5; echo slow but fine"]))
    assert gate(outcome, "canary")["passed"], gate(outcome, "canary")["error"]
    assert gate(outcome, "canary")["attempts"] == 1


def test_canary_that_cannot_run(agent, master, before):
    outcome = run(agent, master, before, names=["canary"], timeouts={"canary": 0},
                  expectations=expect(canary="/nonexistent/canary --x"))
    assert "exited 127: cannot run /nonexistent/canary" in gate(outcome, "canary")["error"]


# --- whole runs ----------------------------------------------------------------------

def test_stop_on_failure_off_runs_every_gate(agent, master, before):
    agent.override("/health", (None, "", None))  # only /health goes unanswered
    outcome = run(agent, master, before, timeouts=dict((n, 0) for n in ALL_BUT_CANARY),
                  stop_on_failure=False)
    assert outcome["failed_gate"] == "health"
    assert [r["passed"] for r in outcome["gates"]] == [False, True, True, True, True]
    assert not any(r["skipped"] for r in outcome["gates"])


@pytest.mark.parametrize("bad, words", [
    ({"tasks": {}}, "no agent ID"),
    ({"id": "", "tasks": {}}, "no agent ID"),
    ({"id": AGENT_ID}, "no 'tasks' mapping"),
    ({"id": AGENT_ID, "tasks": {"f": "web-1"}}, "no 'tasks' mapping"),
    ("snapshot", "must be a dict"),
])
def test_unusable_before_snapshot_is_refused(agent, master, bad, words):
    with pytest.raises(ValueError) as e:
        run(agent, master, bad)
    assert words in str(e.value)
    assert agent.requests == []


@pytest.mark.parametrize("kw, words", [
    (dict(timeout=-1), "timeout must be 0 or more seconds"),
    (dict(interval=0), "interval must be more than 0 seconds"),
    (dict(timeout="soon"), "timeout must be a number"),
])
def test_bad_gate_timing_is_refused(kw, words):
    with pytest.raises(ValueError) as e:
        g.GateSpec("health", **kw)
    assert words in str(e.value) and "'health'" in str(e.value)


def test_unknown_or_repeated_gate_is_refused():
    with pytest.raises(ValueError) as e:
        g.gate_specs(["health", "vibes"])
    assert "unknown gate 'vibes'" in str(e.value)
    with pytest.raises(ValueError):
        g.gate_specs(["health"], timeouts={"helth": 3})
    with pytest.raises(ValueError):
        g.gate_specs(["health", "health"])


def test_bad_expectations_are_refused():
    with pytest.raises(ValueError):
        g.Expectations(master_state="up")
    with pytest.raises(ValueError):
        g.Expectations(hooks="org_A")
    with pytest.raises(ValueError):
        g.Expectations(canary="sh -c 'unterminated")
    with pytest.raises(ValueError):
        g.AgentProbe("http://127.0.0.1:5051", request_timeout=-2)


# --- re-registration window ------------------------------------------------------------

def test_default_timeouts_fit_the_default_window():
    specs = g.gate_specs(ALL_BUT_CANARY + ("canary",))
    budget = g.reregistration_budget(specs, restart_timeout=15)
    # restart 15 + health 15 + reregistered 20 + rollback restart 15
    assert budget["worst_case"] == 65 and budget["window"] == 75
    assert budget["counted"] == ["health", "reregistered"]
    assert budget["warning"] is None


def test_slow_restart_can_outlast_the_default_window():
    specs = g.gate_specs(ALL_BUT_CANARY, timeouts={"health": 30, "reregistered": 30})
    budget = g.reregistration_budget(specs, restart_timeout=30)
    assert budget["worst_case"] == 120
    assert "120s > 75s" in budget["warning"]
    assert "restart 30s + health 30s + reregistered 30s + rollback restart 30s" in budget["warning"]


def test_timeouts_that_fit_give_no_warning():
    specs = g.gate_specs(ALL_BUT_CANARY, timeouts={"health": 10, "reregistered": 20, "tasks": 300})
    budget = g.reregistration_budget(specs, restart_timeout=15)
    assert budget["worst_case"] == 60 and budget["warning"] is None


def test_without_reregistered_every_gate_counts():
    specs = g.gate_specs(["health", "flags", "tasks"], timeouts={"health": 10, "flags": 5, "tasks": 20})
    budget = g.reregistration_budget(specs, restart_timeout=5, window=30)
    assert budget["counted"] == ["health", "flags", "tasks"]
    assert budget["worst_case"] == 45 and "45s > 30s" in budget["warning"]


def test_bad_budget_inputs_are_refused():
    specs = g.gate_specs(["health"])
    with pytest.raises(ValueError):
        g.reregistration_budget(specs, restart_timeout=-1)
    with pytest.raises(ValueError):
        g.reregistration_budget(specs, restart_timeout=5, window=0)


def test_restart_reloads_units_when_asked_then_restarts_and_times_it():
    calls, now = [], [100.0]

    def run(argv, limit):
        calls.append(argv)
        now[0] += 1.25
        return 0, "", ""

    assert g.restart_unit("mesos-slave", daemon_reload=True, run=run, clock=lambda: now[0]) == 2.5
    assert calls == [["systemctl", "reset-failed", "mesos-slave"], ["systemctl", "daemon-reload"],
                     ["systemctl", "restart", "mesos-slave"]]
    calls[:] = []
    g.restart_unit("mesos-slave", run=run, clock=lambda: now[0])
    assert calls == [["systemctl", "reset-failed", "mesos-slave"], ["systemctl", "restart", "mesos-slave"]]


def test_restart_goes_on_whatever_clearing_the_failure_count_answers():
    # reset-failed exits 1 for a unit with nothing to clear on some systemd versions.
    calls = []

    def run(argv, limit):
        calls.append(argv)
        return (1, "", "Unit mesos-slave.service not loaded.") if argv[1] == "reset-failed" else (0, "", "")

    assert g.restart_unit("mesos-slave", run=run) >= 0
    assert calls[-1] == ["systemctl", "restart", "mesos-slave"]


@pytest.mark.parametrize("answer, words", [
    ((1, "", "Job for mesos-slave.service failed.\n"), "'systemctl restart mesos-slave' failed (exit 1): Job for mesos-slave.service failed."),
    ((None, "", ""), "'systemctl restart mesos-slave' did not return within 300 s"),
])
def test_a_failed_or_hung_restart_says_which_command_and_why(answer, words):
    with pytest.raises(g.RestartError) as e:
        g.restart_unit("mesos-slave", run=lambda argv, limit: answer)
    assert str(e.value) == words


def test_the_gates_that_wait_for_the_restarted_agent_look_four_times_a_second(agent, master, before):
    # The agent answers /health only from its third look and registers from its sixth.
    agent.healthy = False
    agent.master_detected = False

    def start(n):
        agent.healthy = n >= 2
        agent.master_detected = n >= 5
    clock = FakeClock(on_sleep=start)
    outcome = run(agent, master, before, clock=clock, names=["health", "reregistered", "flags"])
    assert outcome["passed"], outcome["msg"]
    assert clock.sleeps == [0.25] * 5
    assert [gate(outcome, n)["attempts"] for n in ("health", "reregistered", "flags")] == [3, 4, 1]
    assert [s.interval for s in g.gate_specs(list(g.GATE_ORDER))] == [0.25, 0.25, 1.0, 1.0, 1.0, 1.0]
