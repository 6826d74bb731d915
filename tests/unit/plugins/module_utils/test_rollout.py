import json
import os
import stat

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout as ro


@pytest.mark.parametrize("serial, total, sizes", [
    (1, 3, [1, 1, 1]),
    ("100%", 4, [4]),
    ("10%", 30, [3] * 10),
    ("10%", 5, [1] * 5),
    ([1, "10%", "25%"], 40, [1, 4, 10, 10, 10, 5]),
    ([1, 2], 6, [1, 2, 2, 1]),
    ("33%", 3, [1, 1, 1]),
])
def test_batch_sizes_match_ansible_serial(serial, total, sizes):
    assert ro.batch_sizes(serial, total) == sizes


@pytest.mark.parametrize("serial, message", [
    (0, "must be at least 1"),
    ("0%", "above 0% and at most 100%"),
    ("150%", "above 0% and at most 100%"),
    (-2, "must be at least 1"),
    ([], "must not be an empty list"),
    ("ten", "not a number or a percentage"),
    (True, "not a number or a percentage"),
])
def test_bad_serial_is_refused(serial, message):
    with pytest.raises(ro.RolloutError, match=message):
        ro.batch_sizes(serial, 10)


@pytest.mark.parametrize("value", [-1, 101, "x"])
def test_bad_fail_percentage(value):
    with pytest.raises(ro.RolloutError):
        ro.check_percentage(value)


def test_lock_is_exclusive_idempotent_and_released_by_its_run(tmp_path):
    lock = str(tmp_path / "state" / "rollout.lock")
    assert ro.acquire(lock, "run-a", now=100) is True
    assert oct(os.stat(os.path.dirname(lock)).st_mode & 0o777) == oct(0o700)
    assert ro.acquire(lock, "run-a", now=101) is False
    with pytest.raises(ro.RolloutError, match=r"another rollout \(run-a\) holds this host .* remove .*rollout.lock"):
        ro.acquire(lock, "run-b", now=160)
    with pytest.raises(ro.RolloutError, match="belongs to run run-a"):
        ro.release(lock, "run-b")
    assert ro.acquire(lock, "run-b", now=1000, stale_after=600) is True
    assert ro.read_lock(lock)["run_id"] == "run-b"
    assert ro.release(lock, "run-b") is True and not os.path.exists(lock)
    assert ro.release(lock, "run-b") is False


def test_records_in_host_order_skipping_hosts_without_one():
    hv = {"a": {"mesos_rollout_record": {"host": "a"}}, "b": {}, "c": {"mesos_rollout_record": {"host": "c"}}}
    assert ro.records(hv, ["c", "b", "a", "zz"]) == [{"host": "c"}, {"host": "a"}]


def test_plan_summary_sends_changed_or_stale_agents_in_order_and_records_the_rest():
    agent = {"build_fingerprint": "1.11.0-abc", "hooks": ["org_Probe"]}
    artifacts = {"probe": {"sha256": "f00"}, "other": {"sha256": "ba5"}}
    hv = {
        "a": {"mesos_rollout_config": {"changed": True, "live_stale": ""}, "mesos_agent": agent},
        "b": {"mesos_rollout_config": {"changed": False, "live_stale": "", "hooks_before": ["org_Probe"],
                                       "hooks_after": ["org_Probe"]},
              "mesos_agent": agent, "mesos_stage_artifacts": artifacts},
        "c": {"mesos_rollout_config": {"changed": False, "live_stale": "runs --hooks=[], the files say [x]"},
              "mesos_agent": agent},
    }
    plan = ro.plan_summary(hv, ["c", "b", "a"])
    assert plan["pending"] == ["c", "a"]
    assert plan["unchanged"] == {"b": {
        "host": "b", "result": "unchanged", "fingerprint": "1.11.0-abc", "artifact_sha256": "f00,ba5",
        "hooks_before": ["org_Probe"], "hooks_after": ["org_Probe"], "restart_seconds": 0.0,
        "gate_seconds": 0.0, "message": ""}}
    # The report takes a host's own record first, the plan's otherwise.
    hv["a"]["mesos_rollout_record"] = {"host": "a", "result": "updated"}
    records = ro.records(hv, ["a", "b", "c"], plan["unchanged"])
    assert records == [{"host": "a", "result": "updated"}, plan["unchanged"]["b"]]


@pytest.mark.parametrize("reached, words", [
    ("lock", "when every host of the batch was lost, later steps were not recorded"),
    ("files", "its files may already be the new ones"),
    ("restart", "may run the new configuration unproven"),
    ("rollback", "while rolling it back"),
    (None, "the agent's state is unknown"),
])
def test_a_host_lost_keeps_its_provisional_record_with_how_far_it_got(reached, words):
    hv = {
        "a": {"mesos_rollout_record": {"host": "a", "result": "updated", "message": ""}, "mesos_rollout_reached": "restart"},
        "b": {"mesos_rollout_record": {"host": "b", "result": "unreachable"}},
    }
    if reached:
        hv["b"]["mesos_rollout_reached"] = reached
    a, b = ro.records(hv, ["a", "b"])
    assert a == {"host": "a", "result": "updated", "message": ""}
    assert b["result"] == "unreachable" and b["message"].startswith("lost contact during its rollout, ")
    assert words in b["message"]
    assert "-e mesos_rollout_lock_stale_after=" in b["message"]
    assert "playbooks/rollback-hooks.yml -i <inventory> -e mesos_rollback_hosts=b" in b["message"]
    assert hv["b"]["mesos_rollout_record"] == {"host": "b", "result": "unreachable"}


def test_lock_module_reports_who_took_it(run_module, tmp_path):
    from ansible_collections.mesos_fleet.hooks.plugins.modules import rollout_lock
    lock = str(tmp_path / "rollout.lock")
    first = run_module(rollout_lock, dict(path=lock, run_id="r1"))
    assert first["acquired"] is True
    assert run_module(rollout_lock, dict(path=lock, run_id="r1"))["acquired"] is False
    busy = run_module(rollout_lock, dict(path=lock, run_id="r2"))
    assert busy.failed and "another rollout (r1) holds this host" in busy["msg"]
    assert run_module(rollout_lock, dict(path=lock, run_id="r2"), check_mode=True).failed
    assert run_module(rollout_lock, dict(path=lock, run_id="r1", state="released"))["changed"] is True
    assert not os.path.exists(lock)


def test_lock_lives_in_a_root_only_directory(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    os.chmod(str(state), 0o755)  # as a staging step may have left it
    assert ro.acquire(str(state / "rollout.lock"), "run-1")
    assert stat.S_IMODE(os.stat(str(state)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(str(state / "rollout.lock")).st_mode) == 0o600


def test_lock_refuses_a_shared_directory():
    with pytest.raises(ro.RolloutError) as e:
        ro.acquire("/tmp/rollout.lock", "run-1")
    assert "shared system directory" in str(e.value)


def test_lock_held_message_names_the_run_and_what_to_do(tmp_path):
    lock = str(tmp_path / "rollout.lock")
    assert ro.acquire(lock, "20261122T110000Z-42", now=1000)
    with pytest.raises(ro.RolloutError) as e:
        ro.acquire(lock, "run-b", now=1300)
    msg = str(e.value)
    assert "another rollout (20261122T110000Z-42) holds this host since 1970-01-01 00:16:40 UTC (300 s ago)" in msg
    assert "wait for it to finish" in msg
    assert "-e mesos_rollout_lock_stale_after=299" in msg
    assert "remove %s" % lock in msg
    # The advice works: a stale_after below the lock's age breaks it.
    assert ro.acquire(lock, "run-b", now=1300, stale_after=299) is True


LIVE = dict(id="S1", hooks=["com_Audit"], module_names=["com_Audit"], modules_dir=None)


@pytest.mark.parametrize("hooks, names, words", [
    (["com_Audit"], ["com_Audit"], None),
    (["com_Audit"], None, None),
    (["com_Audit", "org_Probe"], ["com_Audit", "org_Probe"],
     ["runs --hooks=[com_Audit], the files say [com_Audit,org_Probe]",
      "runs modules [com_Audit], the files declare [com_Audit, org_Probe]"]),
    (["com_Audit", "org_Probe"], None, ["the files say [com_Audit,org_Probe]"]),
    ([], [], ["runs --hooks=[com_Audit], the files say []", "the files declare []"]),
    (["com_Audit"], ["org_Probe"], ["runs modules [com_Audit], the files declare [org_Probe]"]),
])
def test_live_mismatch_says_what_the_agent_runs_against_its_files(hooks, names, words):
    found = ro.live_mismatch(LIVE, hooks, names)
    if words is None:
        assert found == ""
    else:
        for w in words:
            assert w in found


def test_live_mismatch_hook_order_matters_module_order_does_not():
    live = dict(hooks=["a", "b"], module_names=["a", "b"])
    assert ro.live_mismatch(live, ["b", "a"], ["b", "a"]) == "runs --hooks=[a,b], the files say [b,a]"
    assert ro.live_mismatch(live, ["a", "b"], ["b", "a"]) == ""


MANIFEST = json.dumps({"libraries": [{"file": "/a/libaudit.so", "modules": [
    {"name": "com_Audit", "parameters": [{"key": "level", "value": "2"}, {"key": "to", "value": "x"}]}]}]})
LOADED = ('libraries {\n  file: "/a/libaudit.so"\n  modules {\n    name: "com_Audit"\n'
          '    parameters {\n      key: "level"\n      value: "%s"\n    }\n'
          '    parameters {\n      key: "to"\n      value: "x"\n    }\n  }\n}\n')


@pytest.mark.parametrize("loaded, expected", [
    (LOADED % "2", ""),
    (LOADED % "1", "runs module com_Audit with other parameters than the files give (level)"),
    (LOADED.replace("/a/libaudit.so", "/b/libaudit.so") % "2",
     "runs module com_Audit from /b/libaudit.so, the files say /a/libaudit.so"),
    (None, ""),  # --modules_dir: /flags show no manifest to compare with
])
def test_live_mismatch_compares_what_each_module_was_loaded_with(loaded, expected):
    live = dict(LIVE, modules=loaded)
    assert ro.live_mismatch(live, ["com_Audit"], ["com_Audit"], MANIFEST) == expected


def test_live_mismatch_names_parameter_order_when_only_the_order_differs():
    swapped = json.dumps({"libraries": [{"file": "/a/libaudit.so", "modules": [
        {"name": "com_Audit", "parameters": [{"key": "to", "value": "x"}, {"key": "level", "value": "2"}]}]}]})
    live = dict(LIVE, modules=LOADED % "2")
    assert ro.live_mismatch(live, ["com_Audit"], ["com_Audit"], swapped) == (
        "runs module com_Audit with other parameters than the files give (their order)")


def test_live_mismatch_refuses_a_non_snapshot():
    with pytest.raises(ValueError, match="agent snapshot"):
        ro.live_mismatch(None, [], [])
