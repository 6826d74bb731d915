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
UPDATED = {"changed": True, "result": "updated", "reached": "done", "message": "", "hooks_before": ["org_Old"],
           "hooks_after": ["org_Old", "org_Probe"], "restart_seconds": 3.5, "gate_seconds": 1.25,
           "snapshot": "/var/lib/mesos-fleet-hooks/snapshots/1"}


def host(call=None):
    """A host's facts, with what its rollout call returned (None: not called yet)."""
    facts = {"mesos_agent": AGENT, "mesos_stage_artifacts": ARTIFACTS}
    if call is not None:
        facts[ro.RESULT] = call
    return facts


def test_a_host_that_passed_its_gates_is_updated_with_its_times_and_hooks():
    [record] = ro.records({"a": host(UPDATED)}, ["a"])
    assert record == {
        "host": "a", "result": "updated", "role": "agent", "fingerprint": "1.11.0-abc", "artifact_sha256": "f00,ba5",
        "hooks_before": ["org_Old"], "hooks_after": ["org_Old", "org_Probe"], "restart_seconds": 3.5,
        "gate_seconds": 1.25, "reached": "done", "message": "", "isolation_before": None, "isolation_after": None}


def test_an_isolator_change_is_reported_and_a_rolled_back_one_keeps_the_old_isolation():
    iso = dict(UPDATED, isolation_before=["posix/cpu"], isolation_after=["posix/cpu", "org_Iso"])
    [record] = ro.records({"a": host(iso)}, ["a"])
    assert (record["isolation_before"], record["isolation_after"]) == (["posix/cpu"], ["posix/cpu", "org_Iso"])
    [back] = ro.records({"a": host(dict(iso, failed=True, result="rolled_back"))}, ["a"])
    assert back["isolation_after"] == ["posix/cpu"]


def test_a_rolled_back_host_keeps_its_old_hooks_and_the_reason():
    call = dict(UPDATED, failed=True, result="rolled_back", message="gate 'flags' failed: ...",
                msg="a rolled back: gate 'flags' failed: ...")
    [record] = ro.records({"a": host(call)}, ["a"])
    assert (record["result"], record["hooks_after"], record["message"]) == (
        "rolled_back", ["org_Old"], "gate 'flags' failed: ...")


def test_a_call_that_failed_before_it_began_keeps_what_discovery_found_and_the_error():
    [record] = ro.records({"a": host({"failed": True, "msg": "another rollout (r1) holds this host"})}, ["a"])
    assert (record["result"], record["hooks_after"], record["message"]) == (
        "failed", ["org_Old"], "another rollout (r1) holds this host")


def test_a_master_is_reported_with_its_facts_and_whether_it_led():
    facts = {"mesos_master": {"build_fingerprint": "1.11.0-m", "hooks": ["org_Old"], "elected": True},
             ro.RESULT: dict(UPDATED, role="standby")}
    [record] = ro.records({"m": facts}, ["m"])
    assert (record["role"], record["fingerprint"]) == ("master (standby)", "1.11.0-m")
    lost = dict(facts)
    lost[ro.RESULT] = {"unreachable": True}
    assert ro.records({"m": lost}, ["m"], ["m"])[0]["role"] == "master (leader)"


def test_records_in_host_order_and_none_for_hosts_not_reached():
    hv = {"a": host(UPDATED), "b": host(), "c": host(dict(UPDATED, result="unchanged", changed=False))}
    assert [r["host"] for r in ro.records(hv, ["c", "b", "a", "zz"])] == ["c", "a"]


@pytest.mark.parametrize("call", [None, {"unreachable": True, "msg": "Failed to connect to the host via ssh"}])
def test_a_host_of_the_batch_without_a_returned_call_is_lost_and_says_what_to_do(call):
    [record] = ro.records({"a": host(call)}, ["a"], batch=["a"])
    assert record["result"] == "unreachable"
    assert record["message"].startswith("lost contact during its rollout call, or before it began. ")
    assert "it ends with the agent proven on the new configuration or rolled back" in record["message"]
    assert "-e mesos_rollout_lock_stale_after=" in record["message"]
    assert "playbooks/rollback-hooks.yml -i <inventory> -e mesos_rollback_hosts=a" in record["message"]
    # It ran what discovery found; nothing of the new configuration is claimed.
    assert (record["hooks_before"], record["hooks_after"], record["restart_seconds"]) == (["org_Old"], ["org_Old"], None)


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


def test_master_urls_use_https_when_the_agent_serves_tls():
    agent = {"flags": {"master": "10.0.0.5:5050"}, "agent_url": "https://10.0.0.11:5051"}
    assert ro.master_urls(None, agent) == ["https://10.0.0.5:5050"]
