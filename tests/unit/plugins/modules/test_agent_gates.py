import os
import sys

import pytest

from ansible.module_utils.common import warnings as ansible_warnings
from ansible_collections.mesos_fleet.hooks.plugins.modules import agent_gates

# The Mesos-shaped test servers live with the client's tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "module_utils"))
from test_mesos_api import AGENT_ID, FRAMEWORK, HOOK, agent, master  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position

FAST = {"health": 1, "reregistered": 1, "flags": 1, "recovery": 1, "tasks": 1, "canary": 1}
QUICK = {"health": 0.1, "reregistered": 0.1, "flags": 0.1, "recovery": 0.1, "tasks": 0.1, "canary": 0.1}


@pytest.fixture(autouse=True)
def fresh_warnings():
    # Under Ansible every module run is its own process; here runs share the warnings list.
    ansible_warnings._global_warnings.clear()  # pylint: disable=protected-access


@pytest.fixture
def before(run_module, agent):
    result = run_module(agent_gates, dict(agent_url=agent.url, snapshot_only=True))
    assert not result.failed and result["changed"] is False
    return result["snapshot"]


def gate_args(agent, master, before, **kw):
    args = dict(agent_url=agent.url, master_url=[master.url], before=before, expected_hooks=[HOOK],
                expected_modules=[HOOK, "com_example_Isolator"], expected_modules_dir="",
                timeouts=FAST, intervals=QUICK, restart_timeout=5)
    args.update(kw)
    return args


def test_snapshot_only_returns_what_the_gates_compare(before, agent):
    assert before["id"] == AGENT_ID and before["registered"] is True
    assert before["hooks"] == [HOOK]
    assert before["tasks"][FRAMEWORK] == ["web-1", "web-2"]
    assert [r[1] for r in agent.requests] == ["/state", "/metrics/snapshot", "/flags"]


def test_all_gates_pass(run_module, agent, master, before):
    result = run_module(agent_gates, gate_args(agent, master, before))
    assert not result.failed, result["msg"]
    assert result["passed"] is True and result["changed"] is False and result["failed_gate"] is None
    assert [r["name"] for r in result["gates"]] == ["health", "reregistered", "flags", "recovery", "tasks"]
    assert all(r["passed"] and r["attempts"] == 1 for r in result["gates"])
    assert result["budget"]["window"] == 75 and result["budget"]["warning"] is None
    assert result["snapshot"]["id"] == AGENT_ID
    assert "warnings" not in result


def test_failed_gate_fails_the_host_with_results(run_module, agent, master, before):
    agent.flags["hooks"] = "org_Old"
    result = run_module(agent_gates, gate_args(agent, master, before))
    assert result.failed and result["passed"] is False
    assert result["failed_gate"] == "flags"
    assert result["msg"].startswith("gate 'flags' failed: /flags: --hooks is [org_Old], expected [%s]" % HOOK)
    flags = [r for r in result["gates"] if r["name"] == "flags"][0]
    assert flags["attempts"] > 1 and flags["seconds"] >= 0.9
    assert [r["skipped"] for r in result["gates"]] == [False, False, False, True, True]


def test_new_agent_id_fails_the_host_saying_tasks_are_lost(run_module, agent, master, before):
    agent.agent_id = "2e2e2e2e-S0"
    result = run_module(agent_gates, gate_args(agent, master, before))
    assert result.failed and result["failed_gate"] == "reregistered"
    assert "NEW agent ID 2e2e2e2e-S0" in result["msg"] and "are lost" in result["msg"]


def test_canary_runs_when_given(run_module, agent, master, before, tmp_path):
    marker = tmp_path / "canary-ran"
    result = run_module(agent_gates, gate_args(agent, master, before,
                                               canary_command=["touch", str(marker)]))
    assert not result.failed, result["msg"]
    assert result["gates"][-1]["name"] == "canary" and result["gates"][-1]["details"]["rc"] == 0
    assert marker.exists()


def test_check_mode_reads_once_never_runs_the_canary_and_never_fails(run_module, agent, master, before, tmp_path):
    marker = tmp_path / "canary-ran"
    agent.flags["hooks"] = "org_Old"
    agent.recovery_errors = 1
    result = run_module(agent_gates, gate_args(agent, master, before, canary_command=["touch", str(marker)]),
                        check_mode=True)
    assert not result.failed
    assert result["passed"] is False and result["changed"] is False
    assert result["msg"].startswith("check mode, gates read once and not enforced")
    assert [(r["name"], r["passed"], r["attempts"]) for r in result["gates"]] == [
        ("health", True, 1), ("reregistered", True, 1), ("flags", False, 1), ("recovery", False, 1),
        ("tasks", True, 1)]
    assert not marker.exists()
    assert agent.calls("POST") == [] and master.calls("POST") == []


def test_check_mode_snapshot_works(run_module, agent):
    result = run_module(agent_gates, dict(agent_url=agent.url, snapshot_only=True), check_mode=True)
    assert result["snapshot"]["id"] == AGENT_ID


def test_window_is_read_from_the_master_and_warned_about(run_module, agent, master, before):
    master.flags.update(agent_ping_timeout="5secs", max_agent_ping_timeouts="3")
    # Gates outside the budget get room, so that a loaded machine does not fail them.
    timeouts = dict(FAST, health=10, flags=10, recovery=10, tasks=10, canary=10)
    result = run_module(agent_gates, gate_args(agent, master, before, timeouts=timeouts))
    assert not result.failed
    assert result["budget"]["window"] == 15
    # restart 5 + health 10 + reregistered 1 + rollback restart 5
    assert result["budget"]["worst_case"] == 21
    assert "21s > 15s" in str(result["warnings"])


def test_defaults_give_no_window_warning(run_module, agent, master, before):
    args = gate_args(agent, master, before)
    del args["timeouts"], args["restart_timeout"]
    result = run_module(agent_gates, args)
    assert not result.failed and result["budget"]["worst_case"] == 65
    assert "warnings" not in result


def test_explicit_window_wins(run_module, agent, master, before):
    result = run_module(agent_gates, gate_args(agent, master, before, reregistration_window=600))
    assert result["budget"]["window"] == 600
    assert master.calls("GET", "/flags") == []


def test_only_the_listed_gates_run(run_module, agent, master, before):
    del master.agents[AGENT_ID]
    result = run_module(agent_gates, gate_args(agent, master, before, gates=["health", "tasks"]))
    assert not result.failed
    assert [r["name"] for r in result["gates"]] == ["health", "tasks"]


@pytest.mark.parametrize("change, words", [
    (dict(agent_url="ftp://agent:5051"), "scheme must be http or https"),
    (dict(timeouts={"health": -5}), "gate 'health': timeout must be 0 or more seconds"),
    (dict(timeouts={"health": "soon"}), "timeouts.health must be a number"),
    (dict(intervals={"tasks": 0}), "gate 'tasks': interval must be more than 0"),
    (dict(timeouts={"helth": 5}), "unknown gate 'helth'"),
    (dict(master_url=None), "the reregistered gate needs master_url"),
    (dict(gates=["canary"]), "the canary gate needs canary_command"),
    (dict(before={"tasks": {}}), "the before snapshot has no agent ID"),
    (dict(request_timeout=0), "request_timeout must be more than 0"),
    (dict(restart_timeout=-1), "restart_timeout must be 0 or more"),
])
def test_bad_input_fails_clearly_and_asks_nothing(run_module, agent, master, before, change, words):
    agent.requests.clear()
    master.requests.clear()
    args = gate_args(agent, master, before)
    args.update(change)
    result = run_module(agent_gates, args)
    assert result.failed
    assert words in result["msg"]
    assert agent.requests == []


def test_before_is_required_unless_snapshot_only(run_module, agent):
    result = run_module(agent_gates, dict(agent_url=agent.url))
    assert result.failed and "before" in result["msg"]


def test_non_json_agent_answer_fails_the_snapshot(run_module, agent):
    agent.override("/state", (200, "not json"))
    result = run_module(agent_gates, dict(agent_url=agent.url, snapshot_only=True))
    assert result.failed and result["msg"].startswith(agent.url + "/state: answer is not JSON")


def test_secret_values_in_the_agents_flags_are_masked(run_module, agent, master, before):
    secret = "5ecret-value"
    agent.flags["modules"] = agent.flags["modules"].replace("5secs", secret)
    result = run_module(agent_gates, gate_args(agent, master, before, secrets={HOOK: {"timeout": secret}}))
    assert not result.failed, result["msg"]
    assert secret not in str(dict(result))


def test_restart_service_restarts_first_then_runs_the_gates(run_module, agent, master, before, monkeypatch):
    from ansible_collections.mesos_fleet.hooks.plugins.module_utils import gates
    calls = []
    monkeypatch.setattr(gates, "run_command", lambda argv, limit: calls.append(argv) or (0, "", ""))
    result = run_module(agent_gates, gate_args(agent, master, before, restart_service="mesos-agent", daemon_reload=True))
    assert not result.failed, result["msg"]
    assert calls == [["systemctl", "reset-failed", "mesos-agent"], ["systemctl", "daemon-reload"],
                     ["systemctl", "restart", "mesos-agent"]]
    assert result["changed"] is True and result["restart_seconds"] >= 0 and result["passed"] is True
    # In check mode nothing is restarted.
    calls[:] = []
    checked = run_module(agent_gates, gate_args(agent, master, before, restart_service="mesos-agent"), check_mode=True)
    assert calls == [] and "restart_seconds" not in checked


def test_a_failed_restart_fails_the_host_before_any_gate(run_module, agent, master, before, monkeypatch):
    from ansible_collections.mesos_fleet.hooks.plugins.module_utils import gates
    monkeypatch.setattr(gates, "run_command", lambda argv, limit: (5, "", "Unit mesos-agent.service not found."))
    agent.requests[:] = []
    result = run_module(agent_gates, gate_args(agent, master, before, restart_service="mesos-agent"))
    assert result.failed
    assert result["msg"] == ("restart of mesos-agent: 'systemctl restart mesos-agent' failed (exit 5): "
                             "Unit mesos-agent.service not found.")
    assert agent.requests == []
