import json

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


@pytest.mark.parametrize("sizes, batch, number", [
    ([2, 2], ["a", "b"], 1),
    ([2, 2], ["c", "d"], 2),
    ([1, 3], ["b", "c", "d"], 2),
    ([2, 2], ["b", "c"], 0),   # serial from the inventory: batches of another size
    ([2, 2], ["zz"], 0),
    ([2, 2], [], 0),
])
def test_batch_number_names_the_planned_batch_or_none(sizes, batch, number):
    assert ro.batch_number(sizes, ["a", "b", "c", "d"], batch) == number


AGENT = {"build_fingerprint": "1.11.0-abc", "hooks": ["org_Old"]}
ARTIFACTS = {"probe": {"sha256": "f00"}, "other": {"sha256": "ba5"}}
CONFIG = {"changed": True, "live_stale": "", "hooks_before": ["org_Old"], "hooks_after": ["org_Old", "org_Probe"],
          "snapshot": "/var/lib/mesos-fleet-hooks/snapshots/1"}
GATES = {"changed": True, "restart_seconds": 3.5, "seconds": 1.25}


def visited(**steps):
    """A host's facts after the steps given (name=registered result) of its rollout."""
    facts = {"mesos_agent": AGENT, "mesos_stage_artifacts": ARTIFACTS, "mesos_rollout_preview": CONFIG}
    facts.update(("mesos_rollout_" + name, value) for name, value in steps.items())
    return facts


def test_a_host_that_passed_its_gates_is_updated_with_its_times_and_hooks():
    [record] = ro.records({"a": visited(config=dict(CONFIG, lock_acquired=True), gates=GATES,
                                        released={"skipped": True})}, ["a"])
    assert record == {
        "host": "a", "result": "updated", "fingerprint": "1.11.0-abc", "artifact_sha256": "f00,ba5",
        "hooks_before": ["org_Old"], "hooks_after": ["org_Old", "org_Probe"], "restart_seconds": 3.5,
        "gate_seconds": 1.25, "message": ""}


def test_a_host_restarted_only_because_it_ran_stale_flags_says_so():
    stale = dict(CONFIG, changed=False, live_stale="runs --hooks=[], the files say [org_Probe]")
    [record] = ro.records({"a": visited(config=stale, gates=GATES, released={})}, ["a"])
    assert record["result"] == "updated"
    assert record["message"] == ("restarted although its files were already written: the running agent "
                                 "runs --hooks=[], the files say [org_Probe]")


def test_a_rolled_back_host_keeps_its_old_hooks_and_the_reason():
    facts = visited(config=CONFIG, gates=dict(GATES, failed=True, msg="gate 'flags' failed"),
                    released={}, outcome="rolled_back", message="Restart the agent: gate 'flags' failed",
                    reached="rollback")
    [record] = ro.records({"a": facts}, ["a"])
    assert (record["result"], record["hooks_after"], record["message"]) == (
        "rolled_back", ["org_Old"], "Restart the agent: gate 'flags' failed")


def test_a_visited_host_whose_files_needed_nothing_is_unchanged():
    same = dict(CONFIG, changed=False, hooks_after=["org_Old"])
    [record] = ro.records({"a": visited(config=same, released={"skipped": True})}, ["a"])
    assert (record["result"], record["hooks_after"], record["restart_seconds"]) == ("unchanged", ["org_Old"], 0.0)


def test_records_in_host_order_plan_records_for_the_rest_and_none_for_hosts_not_reached():
    hv = {"a": visited(config=CONFIG, gates=GATES, released={}), "b": visited(), "c": visited()}
    unchanged = {"c": {"host": "c", "result": "unchanged"}}
    assert [r["host"] for r in ro.records(hv, ["c", "b", "a", "zz"], unchanged)] == ["c", "a"]


def test_plan_summary_sends_changed_or_stale_agents_in_order_and_records_the_rest():
    agent = {"build_fingerprint": "1.11.0-abc", "hooks": ["org_Probe"]}
    hv = {
        "a": {"mesos_rollout_preview": {"changed": True, "live_stale": ""}, "mesos_agent": agent},
        "b": {"mesos_rollout_preview": {"changed": False, "live_stale": "", "hooks_before": ["org_Probe"],
                                        "hooks_after": ["org_Probe"]},
              "mesos_agent": agent, "mesos_stage_artifacts": ARTIFACTS},
        "c": {"mesos_rollout_preview": {"changed": False, "live_stale": "runs --hooks=[], the files say [x]"},
              "mesos_agent": agent},
    }
    plan = ro.plan_summary(hv, ["c", "b", "a"])
    assert plan["pending"] == ["c", "a"]
    assert plan["unchanged"] == {"b": {
        "host": "b", "result": "unchanged", "fingerprint": "1.11.0-abc", "artifact_sha256": "f00,ba5",
        "hooks_before": ["org_Probe"], "hooks_after": ["org_Probe"], "restart_seconds": 0.0,
        "gate_seconds": 0.0, "message": ""}}
    # A visited host's own record first, the plan's otherwise.
    hv["a"].update(mesos_rollout_config=CONFIG, mesos_rollout_released={})
    records = ro.records(hv, ["a", "b", "c"], plan["unchanged"])
    assert [r["result"] for r in records] == ["unchanged", "unchanged"] and records[1] == plan["unchanged"]["b"]


STAGED = {"probe": {"sha256": "f00", "dest": "/a/probe/f00/libprobe.so"}}
CURRENT = {"changed": False, "live_stale": "", "hooks_before": ["org_Probe"], "hooks_after": ["org_Probe"]}
SKIPPED = {"skipped": True, "changed": False}


def discovered(assumes, result="current"):
    preview = {"assumes": assumes}
    if result is not None:
        preview["result"] = CURRENT if result == "current" else result
    return {"build_fingerprint": "1.11.0-abc", "hooks": ["org_Probe"], "rollout_preview": preview}


@pytest.mark.parametrize("facts, pending", [
    # Discovery assumed the library the staging put in place: its preview is the plan.
    ({"mesos_agent": discovered({"probe": "/a/probe/f00/libprobe.so"})}, False),
    ({"mesos_agent": discovered({"probe": "/a/probe/f00/libprobe.so"}, dict(CURRENT, live_stale="runs x"))}, True),
    ({"mesos_agent": discovered({"probe": "/a/probe/f00/libprobe.so"}, dict(CURRENT, changed=True))}, True),
    # A new build (another path), no library of the hook's yet, or other hooks: visit it.
    ({"mesos_agent": discovered({"probe": "/a/probe/0ld/libprobe.so"})}, True),
    ({"mesos_agent": discovered({"probe": None}, result=None)}, True),
    ({"mesos_agent": discovered({})}, True),
    ({"mesos_agent": discovered({"probe": "/a/probe/f00/libprobe.so", "other": "/a/other/1/x.so"})}, True),
    # Planned on the host: that plan counts, whatever discovery thought.
    ({"mesos_agent": discovered({"probe": "/a/probe/f00/libprobe.so"}),
      "mesos_rollout_preview": dict(CURRENT, changed=True)}, True),
    # Skipped with nothing previewed: never taken for unchanged.
    ({"mesos_agent": {"hooks": []}}, True),
])
def test_plan_summary_keeps_a_discovered_preview_only_where_the_staged_libraries_are_those_it_assumed(facts, pending):
    host = dict({"mesos_rollout_preview": SKIPPED, "mesos_stage_artifacts": STAGED}, **facts)
    plan = ro.plan_summary({"a": host}, ["a"])
    assert plan["pending"] == (["a"] if pending else [])
    if not pending:
        assert plan["unchanged"]["a"]["hooks_after"] == ["org_Probe"]


@pytest.mark.parametrize("given, master, expected", [
    ([], "master1:5050", ["http://master1:5050"]),
    (["https://m1:5050", "https://m2:5050"], "master1:5050", ["https://m1:5050", "https://m2:5050"]),
    ("http://m1:5050", None, ["http://m1:5050"]),
    ([], "zk://zk1:2181,zk2:2181/mesos", []),
    ([], "file:///etc/mesos/master", []),
    ([], "master1", []),
    (None, None, []),
])
def test_master_urls_come_from_the_setting_else_a_host_port_master_flag(given, master, expected):
    agent = {"flags": {"master": master} if master else {}}
    assert ro.master_urls(given, agent) == expected


def test_plan_summary_lists_the_agents_to_restart_whose_master_it_cannot_tell():
    zk = {"flags": {"master": "zk://zk1:2181/mesos"}}
    changed = {"changed": True, "live_stale": ""}
    hv = {
        "zk-unset": {"mesos_rollout_preview": changed, "mesos_agent": zk},
        "zk-set": {"mesos_rollout_preview": changed, "mesos_agent": zk,
                   "mesos_rollout_master_urls": ["http://m1:5050"]},
        "host-port": {"mesos_rollout_preview": changed, "mesos_agent": {"flags": {"master": "m1:5050"}}},
        # Never restarted, so its master does not matter.
        "zk-current": {"mesos_rollout_preview": {"changed": False, "live_stale": ""}, "mesos_agent": zk},
    }
    plan = ro.plan_summary(hv, ["zk-unset", "zk-set", "host-port", "zk-current"])
    assert plan["masterless"] == ["zk-unset"]
    assert plan["pending"] == ["zk-unset", "zk-set", "host-port"]


LOST = {"unreachable": True, "msg": "Failed to connect to the host via ssh"}


@pytest.mark.parametrize("steps, words", [
    # In the batch, nothing run yet: the report written as the batch starts.
    ({}, "when every host of the batch was lost, later steps were not recorded"),
    ({"config": LOST}, "while taking its rollout lock and writing its modules JSON and flags"),
    ({"config": LOST}, "its files may already be the new ones, and its rollout lock may be left behind"),
    # Files written, the restart not needed (or not begun): the agent runs what it ran.
    ({"config": CONFIG, "gates": {"skipped": True}, "released": LOST},
     "its files may already be the new ones"),
    # Lost during the call that restarts the agent: whether the restart began is not known.
    ({"config": CONFIG, "gates": LOST},
     "so its restart may not have begun: the agent may still run its previous configuration "
     "(its files are the new ones), run the new configuration unproven, or be down"),
    # The gates ran but did not drop the lock: a lock they could not drop, or an older run.
    ({"config": CONFIG, "gates": GATES}, "may run the new configuration unproven"),
    ({"config": CONFIG, "gates": GATES, "released": LOST}, "may run the new configuration unproven"),
    # Passed and lock dropped, lost while letting offers reach it again.
    ({"config": CONFIG, "gates": dict(GATES, lock_released=True), "reactivated": LOST},
     "after it passed its gates on the new configuration, which dropped its rollout lock"),
    ({"config": CONFIG, "reached": "rollback", "outcome": "rolled_back"},
     "while rolling it back"),
])
def test_a_visited_host_without_its_last_step_is_lost_and_says_how_far_it_got(steps, words):
    [record] = ro.records({"a": visited(**steps)}, ["a"], batch=["a"])
    assert record["result"] == "unreachable" and record["message"].startswith("lost contact during its rollout, ")
    assert words in record["message"]
    assert "-e mesos_rollout_lock_stale_after=" in record["message"]
    assert "playbooks/rollback-hooks.yml -i <inventory> -e mesos_rollback_hosts=a" in record["message"]
    # It ran what discovery found; nothing of the new configuration is claimed.
    assert (record["hooks_before"], record["hooks_after"], record["restart_seconds"]) == (["org_Old"], ["org_Old"], None)


def test_an_unknown_step_says_the_state_is_unknown():
    assert "the agent's state is unknown" in ro.lost_contact_message("a", "elsewhere")


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
