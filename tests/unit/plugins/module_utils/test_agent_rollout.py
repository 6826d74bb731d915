"""One agent's rollout in one call, against a Mesos-shaped agent and master over HTTP and a fake
systemd whose restart makes the agent run what its files on the (temporary) host say."""

import hashlib
import json
import os
import signal
import sys

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_rollout as ar
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import gates as g
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import host_lock

from file_trees import FLAGDIR_AGENT, read_tree, write_tree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_mesos_api import AGENT_ID, FakeAgent, FakeMaster, pb_text  # noqa: E402 pylint: disable=wrong-import-position

SO = "/var/lib/mesos-fleet-hooks/artifacts/probe/%s/libprobe_hook.so" % ("b" * 64)
PROBE = "org_fleet_Probe"
PRESENT = [dict(file=SO, modules=[dict(name=PROBE, parameters={"env": "A=1"})], hooks=[PROBE])]
QUICK = {"health": 0.6, "reregistered": 0.6, "flags": 0.6, "recovery": 0.6, "tasks": 0.6, "canary": 0.6}
STEP = {name: 0.05 for name in QUICK}


class FakeSystemd(object):
    """``systemctl restart``: the agent starts again on what its files say, under its ID with its
    tasks; with ``refuse`` set, an agent asked to load that module never answers /health again
    (as Mesos exits at start on a hook module it cannot load)."""

    def __init__(self, agent, root, refuse=None, new_id=None):
        self.agent, self.root, self.refuse = agent, root, refuse
        # The agent starts as a new one under this ID at the next restart and keeps it (as a
        # real agent that lost its "latest" checkpoint link does), its old tasks gone.
        self.new_id = new_id
        self.restarts = []

    def restart(self, service, daemon_reload=False, run=None):
        flags = dict((k, v["value"]) for k, v in flag_stores.make_store("auto", root=self.root).read_flags().items())
        hooks = flags.get("hooks", "")
        with open(os.path.join(self.root, flags["modules"].lstrip("/"))) as handle:
            libraries = json.load(handle)["libraries"]
        self.agent.flags["hooks"] = hooks
        # Mesos's /flags show every flag, --isolation with its default too (src/slave/flags.cpp).
        self.agent.flags["isolation"] = flags.get("isolation") or flag_stores.DEFAULT_ISOLATION
        self.agent.flags["modules"] = pb_text([dict(file=lib["file"], modules=[
            dict(name=m["name"], parameters=[(q["key"], q["value"]) for q in m.get("parameters", [])])
            for m in lib["modules"]]) for lib in libraries])
        self.agent.healthy = not (self.refuse and self.refuse in hooks.split(","))
        if self.new_id:
            old = self.agent.agent_id
            self.agent.agent_id, self.agent.tasks, self.new_id = self.new_id, {}, None
            self.agent.master.agents[old]["connected"] = False
            self.agent.master.add_agent(self.agent.agent_id, self.agent.pid)
        elif self.agent.healthy and self.agent.master is not None:
            self.agent.master.reregister(self.agent.agent_id)  # a restarted agent re-registers
        self.restarts.append((service, daemon_reload, hooks))
        return 0.01

    @staticmethod
    def run(argv, timeout=None):
        return 1, "", "no systemd here"  # unit_exit: not asked to tell why a unit exited


@pytest.fixture
def host(tmp_path):
    write_tree(tmp_path / "host", FLAGDIR_AGENT)
    return str(tmp_path / "host")


@pytest.fixture
def fleet(host):
    """An agent running what the host's files say now (one hook of someone else's), its master."""
    agent = FakeAgent(hooks=["com_example_Other"],
                      libraries=[{"file": "/usr/lib/libother.so", "modules": [{"name": "com_example_Other"}]}])
    master = FakeMaster()
    master.add_agent(AGENT_ID, agent.pid)
    agent.master = master  # whom the agent re-registers with when FakeSystemd restarts it
    yield agent, master
    agent.close()
    master.close()


def options(host, tmp_path, agent, master, systemd, check_mode=False, **kw):
    p = dict(present=PRESENT, absent=[], absent_files=[], secrets={}, position="append", style="auto",
             managed_path="/etc/mesos-fleet-hooks/modules.json", dir_file_name="50-mesos-fleet-hooks.json",
             lock_path=str(tmp_path / "state/rollout.lock"), snapshot_dir=str(tmp_path / "state/snapshots"),
             backup_dir=str(tmp_path / "state/backup"), service="mesos-slave", run_id="run-1", lock_stale_after=0,
             deactivate=False, host="agent1", root=host, agent_url=agent.url, master_url=[master.url],
             timeouts=QUICK, intervals=STEP, request_timeout=2, canary_command=None, restart_timeout=5)
    p.update(kw)
    return ar.Options(p, check_mode=check_mode, restart=systemd.restart, run=systemd.run)


def files(host):
    return read_tree(host)


def test_a_change_is_written_restarted_once_proven_and_the_lock_released(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd))
    assert record["result"] == "updated" and record["reached"] == "done", record
    assert record["hooks_before"] == ["com_example_Other"] and record["hooks_after"] == ["com_example_Other", PROBE]
    assert len(systemd.restarts) == 1 and agent.flags["hooks"] == "com_example_Other," + PROBE
    assert [gate["name"] for gate in record["gates"]] == ["health", "reregistered", "flags", "recovery", "tasks"]
    assert record["lock_acquired"] and record["lock_released"] and not os.path.exists(tmp_path / "state/rollout.lock")
    assert os.path.isfile(os.path.join(record["snapshot"], "snapshot.json"))
    # The agent did not lag behind its files: it was restarted for the change.
    assert record["live_stale"] is None

    again = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-2"))
    assert again["result"] == "unchanged" and not again["changed"] and len(systemd.restarts) == 1


def test_no_master_to_read_before_the_change_fails_the_host_with_nothing_changed(host, tmp_path, fleet, monkeypatch):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    before = files(host)
    monkeypatch.setattr(ar.mesos_api, "FAILOVER_WAIT", 0.5)
    master.close()  # no master answers (a failover that does not end)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd))
    assert record["result"] == "failed" and record["reached"] == "read" and record["changed"] is False
    assert "no master answered /slaves" in record["message"]
    assert files(host) == before and not systemd.restarts


def test_check_mode_plans_and_shows_the_diff_but_writes_locks_and_restarts_nothing(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    before = files(host)
    opts = options(host, tmp_path, agent, master, systemd, check_mode=True)
    opts.diff = True
    record = ar.roll_out(opts)
    assert record["changed"] and record["result"] == "updated"
    assert any(PROBE in d["after"] for d in record["diff"])
    assert files(host) == before and not systemd.restarts and not os.path.exists(tmp_path / "state")


def test_a_failed_gate_puts_the_files_back_and_proves_the_agent_on_them(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host, refuse=PROBE)
    before = files(host)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd))
    assert record["result"] == "rolled_back" and record["reached"] == "done"
    assert record["message"].startswith("gate 'health' failed")
    assert record["rollback"]["passed"] and record["rollback"]["hooks_after"] == ["com_example_Other"]
    assert files(host) == before and agent.flags["hooks"] == "com_example_Other"
    assert [r[2] for r in systemd.restarts] == ["com_example_Other," + PROBE, "com_example_Other"]
    assert not os.path.exists(tmp_path / "state/rollout.lock")


def test_an_agent_back_under_a_new_id_gets_its_files_back_but_not_its_old_id_or_tasks(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host, new_id=AGENT_ID + "-NEW")
    before = files(host)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd))
    assert record["result"] == "rolled_back", record
    assert record["message"].startswith("gate 'reregistered' failed: agent came back under a NEW agent ID %s-NEW"
                                        % AGENT_ID)
    assert record["message"].endswith(
        "a rollback cannot bring back agent ID %s or its tasks: the agent killed their executors as orphans and "
        "checkpointed its new ID %s-NEW, which it keeps" % (AGENT_ID, AGENT_ID))
    # Proven on its previous files under the ID it now keeps.
    assert record["rollback"]["passed"] and files(host) == before and agent.flags["hooks"] == "com_example_Other"
    assert agent.agent_id == AGENT_ID + "-NEW"


def test_a_rollback_that_fails_too_says_so_and_what_to_run(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host, refuse="com_example_Other")  # never healthy again
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd))
    assert record["result"] == "failed" and record["message"].startswith("ROLLBACK FAILED after \"gate 'health' failed")
    assert "-e mesos_rollback_hosts=agent1 -e mesos_rollback_snapshot=%s" % record["snapshot"] in record["message"]
    assert not os.path.exists(tmp_path / "state/rollout.lock")


def test_an_agent_that_lags_behind_its_files_is_restarted_although_no_file_changes(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    ar.roll_out(options(host, tmp_path, agent, master, systemd))
    agent.flags["hooks"] = "com_example_Other"  # as if the run had stopped before the restart
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-2"))
    assert record["result"] == "updated" and record["files"] == [] and "snapshot" not in record
    assert record["message"].startswith("restarted although its files were already written: the running agent runs --hooks=")
    assert len(systemd.restarts) == 2 and systemd.restarts[1][1] is True  # daemon-reload: a drop-in may wait for it


def test_another_runs_lock_stops_the_call_before_anything_is_read(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    host_lock.acquire(str(tmp_path / "state/rollout.lock"), "other-run")
    host_lock.note_step(str(tmp_path / "state/rollout.lock"), "other-run", "restart")
    before = files(host)
    with pytest.raises(host_lock.LockError, match=r"another rollout \(other-run\) .*its last step: restart"):
        ar.roll_out(options(host, tmp_path, agent, master, systemd))
    assert files(host) == before and not agent.requests and not systemd.restarts
    assert host_lock.read_lock(str(tmp_path / "state/rollout.lock"))["run_id"] == "other-run"


def test_a_change_that_cannot_be_planned_fails_writing_nothing_and_releases_the_lock(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    write_tree(host, {"etc/mesos/modules.json": '{"libraries": [ edited by hand'})
    before = files(host)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd))
    assert record["result"] == "failed" and record["reached"] == "read" and "not valid JSON" in record["message"]
    assert files(host) == before and not systemd.restarts and not os.path.exists(tmp_path / "state/rollout.lock")


def test_no_master_address_fails_before_anything_is_written(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    before = files(host)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd, master_url=[]))
    assert record["result"] == "failed" and "set mesos_rollout_master_urls" in record["message"]
    assert files(host) == before and not systemd.restarts


def test_deactivated_during_the_restart_and_active_again_after(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd, deactivate=True))
    assert record["result"] == "updated", record["message"]
    calls = [json.loads(body)["type"] for method, path, body, headers in master.requests if path == "/api/v1"]
    assert calls == ["DEACTIVATE_AGENT", "REACTIVATE_AGENT"] and not master.agents[AGENT_ID]["deactivated"]


def test_the_rollback_on_its_own_puts_the_newest_snapshot_back_behind_the_gates(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    original = files(host)
    opts = options(host, tmp_path, agent, master, systemd)
    ar.roll_out(opts)
    snapshot = ar.newest_snapshot(str(tmp_path / "state/snapshots"))
    back = ar.roll_back(opts, snapshot)
    assert back["passed"] and back["changed"] and back["hooks_after"] == ["com_example_Other"]
    assert files(host) == original and agent.flags["hooks"] == "com_example_Other"
    assert [gate["name"] for gate in back["gates"]] == ar.ROLLBACK_GATES
    # Again: files and agent already on the snapshot, nothing to do.
    again = ar.roll_back(opts, snapshot)
    assert again["changed"] is False and len(systemd.restarts) == 2


def test_the_rollback_restarts_an_agent_that_is_down_with_the_gates_that_need_no_reading(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    opts = options(host, tmp_path, agent, master, systemd)
    ar.roll_out(opts)
    ar.roll_back(opts, ar.newest_snapshot(str(tmp_path / "state/snapshots")))
    master.agents[AGENT_ID]["connected"] = False  # files back already, agent not registered: restart it all the same
    back = ar.roll_back(opts, ar.newest_snapshot(str(tmp_path / "state/snapshots")))
    assert back["changed"] and [gate["name"] for gate in back["gates"]] == ["health", "flags", "recovery"]


def test_a_lost_controller_does_not_stop_the_call():
    saved = dict((sig, signal.getsignal(sig)) for sig in (signal.SIGHUP, signal.SIGPIPE))
    ar.keep_going_without_controller()
    try:
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN and signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def test_restart_refused_by_systemd_is_a_failed_gate(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    calls = []

    def refuse(service, daemon_reload=False, run=None):
        calls.append(service)
        if len(calls) == 1:
            raise g.RestartError("'systemctl restart mesos-slave' failed (exit 1): Unit not found")
        return systemd.restart(service, daemon_reload)

    opts = options(host, tmp_path, agent, master, systemd)
    opts.restart = refuse
    record = ar.roll_out(opts)
    assert record["result"] == "rolled_back" and "Unit not found" in record["message"]
    assert agent.flags["hooks"] == "com_example_Other" and calls == ["mesos-slave", "mesos-slave"]


def test_a_secret_parameter_is_written_root_only_and_never_returned(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    secret = [dict(file=SO, modules=[dict(name=PROBE, parameters={"api_token": "********"}, secret_parameters=["api_token"])],
                   hooks=[PROBE])]
    opts = options(host, tmp_path, agent, master, systemd, present=secret, secrets={PROBE: {"api_token": "s3cret-value"}})
    opts.diff = True
    record = ar.roll_out(opts)
    assert record["result"] == "updated", record["message"]
    assert "s3cret-value" not in json.dumps(record)
    manifest = os.path.join(host, "etc/mesos/modules.json")
    assert "s3cret-value" in open(manifest).read() and os.stat(manifest).st_mode & 0o777 == 0o600


def test_an_isolator_module_goes_into_isolation_behind_the_gates_and_out_again(host, tmp_path, fleet):
    agent, master = fleet
    agent.tasks = {}  # a drained agent (see the next test)
    systemd = FakeSystemd(agent, host)
    iso = "/var/lib/mesos-fleet-hooks/artifacts/iso/%s/libiso.so" % ("c" * 64)
    present = [dict(file=iso, modules=[dict(name="org_fleet_Iso")], hooks=[], isolation=["org_fleet_Iso"])]
    before = files(host)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd, present=present))
    assert record["result"] == "updated", record
    assert agent.flags["isolation"] == "posix/cpu,posix/mem,org_fleet_Iso" and agent.flags["hooks"] == "com_example_Other"
    flags_gate = [gate for gate in record["gates"] if gate["name"] == "flags"][0]
    assert flags_gate["passed"]
    again = ar.roll_out(options(host, tmp_path, agent, master, systemd, present=present, run_id="run-2"))
    assert again["result"] == "unchanged"
    gone = ar.roll_out(options(host, tmp_path, agent, master, systemd, present=[], absent=["org_fleet_Iso"],
                               run_id="run-3"))
    assert gone["result"] == "updated", gone
    assert agent.flags["isolation"] == "posix/cpu,posix/mem"
    assert files(host) == before


def test_an_isolator_is_not_put_under_running_tasks(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    iso = "/var/lib/mesos-fleet-hooks/artifacts/iso/%s/libiso.so" % ("c" * 64)
    present = [dict(file=iso, modules=[dict(name="org_fleet_Iso")], hooks=[], isolation=["org_fleet_Iso"])]
    before = files(host)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd, present=present))
    assert record["result"] == "failed" and record["reached"] == "read"
    assert record["message"].startswith("refusing to change --isolation (adding org_fleet_Iso) while the agent "
                                        "runs 4 task(s) (db-1, db-2 (TASK_STAGING), web-1, web-2)")
    assert files(host) == before and systemd.restarts == []


def test_an_isolator_is_not_taken_out_under_a_task_being_killed(host, tmp_path, fleet):
    # A real 1.11.0 agent lists a task in TASK_KILLING (kill policy grace period) under its live
    # executor: its container is alive, and the isolator taken out would never clean it up.
    agent, master = fleet
    agent.tasks = {}
    systemd = FakeSystemd(agent, host)
    iso = "/var/lib/mesos-fleet-hooks/artifacts/iso/%s/libiso.so" % ("c" * 64)
    present = [dict(file=iso, modules=[dict(name="org_fleet_Iso")], hooks=[], isolation=["org_fleet_Iso"])]
    assert ar.roll_out(options(host, tmp_path, agent, master, systemd, present=present))["result"] == "updated"
    agent.tasks = {"F1": {"killing": "TASK_KILLING"}}
    before, restarts = files(host), list(systemd.restarts)
    gone = ar.roll_out(options(host, tmp_path, agent, master, systemd, present=[], absent=["org_fleet_Iso"],
                               run_id="run-2"))
    assert gone["result"] == "failed" and gone["reached"] == "read", gone
    assert gone["message"].startswith("refusing to change --isolation (removing org_fleet_Iso) while the agent "
                                      "runs 1 task(s) (killing (TASK_KILLING))")
    assert files(host) == before and systemd.restarts == restarts


ENV_HOOK = "/usr/local/bin/env-hook"


def ship(host, content, restart=False, dest=ENV_HOOK):
    """The probe hook with one file shipped with it, staged on the host as artifact_stage does."""
    sha = hashlib.sha256(content).hexdigest()
    staged = "/var/lib/mesos-fleet-hooks/artifacts/probe/files/%s/%s" % (sha, os.path.basename(dest))
    write_tree(host, {staged: content.decode()})
    return [dict(PRESENT[0], name="probe", files=[dict(staged=staged, sha256=sha, dest=dest, mode="0755",
                                                       restart=restart)])]


def test_a_shipped_file_is_installed_before_the_restart_and_a_change_of_it_alone_restarts_nothing(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    first = ar.roll_out(options(host, tmp_path, agent, master, systemd, present=ship(host, b"#!/bin/sh\necho one\n")))
    assert first["result"] == "updated" and len(systemd.restarts) == 1
    assert ENV_HOOK in first["files"]
    st = os.stat(os.path.join(host, ENV_HOOK.lstrip("/")))
    assert (st.st_mode & 0o7777, st.st_uid) == (0o755, os.geteuid())

    # A one-shot command reads its file at each call: the new one needs no restart.
    second = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-2",
                                 present=ship(host, b"#!/bin/sh\necho two\n")))
    assert second["result"] == "updated" and second["changed"] and len(systemd.restarts) == 1
    assert second["message"] == ("installed %s without restarting the agent: its hooks' one-shot commands read them "
                                 "at each call" % ENV_HOOK)
    assert files(host)[ENV_HOOK[1:]] == b"#!/bin/sh\necho two\n"

    # A file that drifted to a mode others can write is put right, again without a restart.
    os.chmod(os.path.join(host, ENV_HOOK.lstrip("/")), 0o777)
    third = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-3",
                                present=ship(host, b"#!/bin/sh\necho two\n")))
    assert third["changed"] and third["files"] == [ENV_HOOK] and len(systemd.restarts) == 1
    assert os.stat(os.path.join(host, ENV_HOOK.lstrip("/"))).st_mode & 0o7777 == 0o755
    assert ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-4",
                               present=ship(host, b"#!/bin/sh\necho two\n")))["result"] == "unchanged"


def test_a_persistent_commands_file_restarts_the_agent_and_a_failed_gate_puts_the_old_file_back(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    first = ar.roll_out(options(host, tmp_path, agent, master, systemd, present=ship(host, b"one\n", restart=True)))
    assert first["message"] == ""  # the hook itself is new: that is the reason
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-2",
                                 present=ship(host, b"two\n", restart=True)))
    assert record["result"] == "updated" and len(systemd.restarts) == 2
    assert record["message"] == ("restarted for %s alone: a hook runs it as a persistent command, which reads "
                                 "it only when it starts" % ENV_HOOK)
    systemd.refuse = "com_example_Other"  # the agent does not come back this time: rolled back
    agent_files = files(host)
    failed = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-3",
                                 present=ship(host, b"three\n", restart=True)))
    assert failed["result"] == "failed" and files(host)[ENV_HOOK[1:]] == b"two\n"
    assert dict((k, v) for k, v in files(host).items() if "/files/" not in k) == \
        dict((k, v) for k, v in agent_files.items() if "/files/" not in k)


def test_removal_puts_back_what_stood_there_before_the_first_install_and_leaves_others_files(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    operators = "/usr/local/bin/label-hook"
    write_tree(host, {operators: "#!/bin/sh\n# the operator's own\n"})
    os.chmod(os.path.join(host, operators.lstrip("/")), 0o750)
    before = files(host)
    present = ship(host, b"#!/bin/sh\necho ours\n")
    present[0]["files"] += ship(host, b"#!/bin/sh\necho label\n", dest=operators)[0]["files"]
    ar.roll_out(options(host, tmp_path, agent, master, systemd, present=present))
    assert files(host)[operators[1:]] == b"#!/bin/sh\necho label\n"
    gone = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-2", present=[], absent=[PROBE],
                               absent_files=[ENV_HOOK, operators, "/usr/local/bin/never-ours"]))
    assert gone["result"] == "updated"
    after = dict((k, v) for k, v in files(host).items() if "var/lib/mesos-fleet-hooks/" not in k)
    assert after == dict((k, v) for k, v in before.items() if "var/lib/mesos-fleet-hooks/" not in k)
    assert os.stat(os.path.join(host, operators.lstrip("/"))).st_mode & 0o7777 == 0o750
    assert not os.listdir(tmp_path / "state/backup/shipped")


class WatchingSystemd(FakeSystemd):
    """Notes whether the hook's command is still there each time the agent restarts; with
    ``fail_next``, the agent does not answer /health after the next restart."""

    def __init__(self, agent, root, **kw):
        super(WatchingSystemd, self).__init__(agent, root, **kw)
        self.command_at_restart = []
        self.fail_next = False

    def restart(self, service, daemon_reload=False, run=None):
        self.command_at_restart.append(os.path.exists(os.path.join(self.root, ENV_HOOK.lstrip("/"))))
        seconds = super(WatchingSystemd, self).restart(service, daemon_reload, run)
        if self.fail_next:
            self.agent.healthy = self.fail_next = False
        return seconds


def test_a_removed_hooks_command_stays_until_the_agent_without_the_hook_passes_its_gates(host, tmp_path, fleet):
    # The running agent still calls the hook, and so the command, until it restarts without it.
    agent, master = fleet
    systemd = WatchingSystemd(agent, host)
    ar.roll_out(options(host, tmp_path, agent, master, systemd, present=ship(host, b"#!/bin/sh\necho ours\n")))
    backup = tmp_path / "state/backup/shipped"

    # The agent does not come back without the hook: rolled back, the command and its record kept.
    systemd.fail_next = True
    failed = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-2", present=[],
                                 absent=[PROBE], absent_files=[ENV_HOOK]))
    assert failed["result"] == "rolled_back", failed
    # Installed before the first restart; still there at the removal's restart and the rollback's.
    assert systemd.command_at_restart == [True, True, True]
    assert files(host)[ENV_HOOK[1:]] == b"#!/bin/sh\necho ours\n" and os.listdir(backup)

    gone = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-3", present=[],
                               absent=[PROBE], absent_files=[ENV_HOOK]))
    assert gone["result"] == "updated" and systemd.command_at_restart[-1] is True
    assert ENV_HOOK[1:] not in files(host) and not os.listdir(backup)


def test_a_directory_where_a_shipped_file_goes_is_refused_with_nothing_written(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    os.makedirs(os.path.join(host, ENV_HOOK.lstrip("/")))
    present = ship(host, b"#!/bin/sh\n")
    before = files(host)
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd, present=present))
    assert record["result"] == "failed" and record["message"] == (
        "%s is not a regular file; refusing to replace it with the hook's file" % ENV_HOOK)
    assert files(host) == before and not systemd.restarts


def test_a_file_a_hook_no_longer_lists_is_put_back_and_others_hooks_and_daemons_keep_theirs(host, tmp_path, fleet):
    agent, master = fleet
    systemd = FakeSystemd(agent, host)
    operators = "/usr/local/bin/label-hook"
    write_tree(host, {operators: "#!/bin/sh\n# the operator's own\n"})
    present = ship(host, b"#!/bin/sh\necho ours\n")
    present[0]["files"] += ship(host, b"#!/bin/sh\necho label\n", dest=operators)[0]["files"]
    ar.roll_out(options(host, tmp_path, agent, master, systemd, present=present))
    # What another hook, and a master on this host, installed: neither is this run's to take back.
    backup = tmp_path / "state/backup/shipped"
    for other, hook, daemon in (("/usr/local/bin/other", "other", "agent"), ("/usr/local/bin/mastered", "probe", "master")):
        write_tree(host, {other: "theirs\n"})
        (backup / ("%s.json" % hashlib.sha256(other.encode()).hexdigest())).write_text(
            json.dumps(dict(path=other, hook=hook, daemon=daemon, existed=False)))

    # The probe stops listing the label command: it goes back to the operator's file, at once.
    record = ar.roll_out(options(host, tmp_path, agent, master, systemd, run_id="run-2",
                                 present=ship(host, b"#!/bin/sh\necho ours\n")))
    assert record["result"] == "updated" and record["files"] == [operators], record
    assert files(host)[operators[1:]] == b"#!/bin/sh\n# the operator's own\n"
    assert files(host)["usr/local/bin/other"] == files(host)["usr/local/bin/mastered"] == b"theirs\n"
    assert len(os.listdir(str(backup))) == 3  # ours for env-hook, the other hook's, the master's
