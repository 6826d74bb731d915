import json

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout_report as rr

HOOK = "org_fleet_Cmd"
SHA = "3f2a9c1d0e4b" + "5a" * 26

RECORDS = [
    dict(host="agent-1.dc1", result="updated", fingerprint="1.11.0+b3f1c0de4a5e6f708192a3b4-x86_64-gcc12",
         artifact_sha256=SHA, hooks_before=[], hooks_after=[HOOK], restart_seconds=2.71, gate_seconds=3.14,
         message="all gates passed"),
    dict(host="agent-2.dc1", result="unchanged", fingerprint="1.11.0+b3f1", artifact_sha256=SHA,
         hooks_before=[HOOK], hooks_after=[HOOK]),
    dict(host="agent-3.dc2", result="rolled_back", fingerprint="1.11.0+77aa", artifact_sha256="9" * 64,
         hooks_before=["com_Audit"], hooks_after="com_Audit," + HOOK,
         restart_seconds=2.5, gate_seconds=30.02,
         message="gate 'tasks' failed:\n  web-2 gone"),
    dict(host="agent-4", result="failed", message="no answer after rollback"),
    dict(host="master-1", role="master (leader)", result="updated", fingerprint="1.11.0+b3f1",
         artifact_sha256=SHA, hooks_before=[], hooks_after=[HOOK], restart_seconds=1.2, gate_seconds=12.5),
]

GOLDEN = (
    'Mesos hook rollout\n'
    '==================\n'
    'HOST         ROLE             RESULT       FINGERPRINT               ARTIFACT    '
    '  HOOKS BEFORE -> AFTER                 RESTART  GATES  MESSAGE\n'
    '-----------  ---------------  -----------  ------------------------  ------------'
    '  ------------------------------------  -------  -----  -------\n'
    'agent-1.dc1  agent            updated      1.11.0+b3f1c0de4a5e6f...  3f2a9c1d0e4b'
    '  - -> org_fleet_Cmd                       2.7s   3.1s  all gates passed\n'
    'agent-2.dc1  agent            unchanged    1.11.0+b3f1               3f2a9c1d0e4b'
    '  org_fleet_Cmd (same)                        -      -\n'
    'agent-3.dc2  agent            rolled back  1.11.0+77aa               999999999999'
    "  com_Audit -> com_Audit,org_fleet_Cmd     2.5s  30.0s  gate 'tasks' failed: web-2 gone\n"
    'agent-4      agent            failed       -                         -             -              '
    '                             -      -  no answer after rollback\n'
    'master-1     master (leader)  updated      1.11.0+b3f1               3f2a9c1d0e4b'
    '  - -> org_fleet_Cmd                       1.2s  12.5s\n'
    '5 hosts: 2 updated, 1 unchanged, 1 rolled back, 1 failed\n'
)


def test_text_report_golden():
    assert rr.render_text(rr.normalise(RECORDS), "Mesos hook rollout") == GOLDEN


def test_text_report_without_title_and_single_host():
    text = rr.render_text(rr.normalise(RECORDS[:1]))
    lines = text.splitlines()
    assert lines[0].startswith("HOST ")
    assert lines[-1] == "1 host: 1 updated, 0 unchanged, 0 rolled back, 0 failed"
    assert all(line == line.rstrip() for line in lines)


def test_an_isolation_column_only_when_a_rollout_involved_isolators():
    assert "ISOLATION" not in rr.render_text(rr.normalise(RECORDS))
    records = [dict(RECORDS[0], isolation_before="posix/cpu,posix/mem",
                    isolation_after=["posix/cpu", "posix/mem", "org_Iso"]),
               dict(RECORDS[1], isolation_before=["posix/cpu"], isolation_after=["posix/cpu"]), RECORDS[2]]
    lines = rr.render_text(rr.normalise(records)).splitlines()
    assert "ISOLATION BEFORE -> AFTER" in lines[0]
    assert "posix/cpu,posix/mem -> posix/cpu,posix/mem,org_Iso" in lines[2]
    assert "posix/cpu (same)" in lines[3]
    assert lines[4].split()[:1] == [RECORDS[2]["host"]] and "  -  " in lines[4]


def test_empty_report():
    assert rr.render_text([]).splitlines()[-1] == "0 hosts: 0 updated, 0 unchanged, 0 rolled back, 0 failed"


def test_json_report_keeps_full_values():
    doc = json.loads(rr.render_json(rr.normalise(RECORDS), "Mesos hook rollout"))
    assert doc["title"] == "Mesos hook rollout"
    assert doc["ok"] is False
    assert doc["summary"] == {"hosts": 5, "updated": 2, "unchanged": 1, "rolled_back": 1, "failed": 1,
                              "unreachable": 0}
    first, third, fourth = doc["records"][0], doc["records"][2], doc["records"][3]
    assert doc["records"][4]["role"] == "master (leader)"
    assert first == {"host": "agent-1.dc1", "result": "updated", "role": "agent",
                     "fingerprint": "1.11.0+b3f1c0de4a5e6f708192a3b4-x86_64-gcc12", "artifact_sha256": SHA,
                     "hooks_before": [], "hooks_after": [HOOK], "restart_seconds": 2.71, "gate_seconds": 3.14,
                     "message": "all gates passed", "reached": None, "isolation_before": None,
                     "isolation_after": None}
    assert third["hooks_after"] == ["com_Audit", HOOK]
    assert third["message"] == "gate 'tasks' failed: web-2 gone"
    assert fourth["restart_seconds"] is None and fourth["artifact_sha256"] == ""


def test_json_ok_when_nothing_failed_or_rolled_back():
    doc = json.loads(rr.render_json(rr.normalise(RECORDS[:2])))
    assert doc["ok"] is True


@pytest.mark.parametrize("bad, words", [
    ("agent-1", "records must be a list"),
    (["agent-1"], "record 0 must be a dict"),
    ([dict(result="updated")], "record 0 has no host"),
    ([dict(host="a", result="done")], "record 0 (a): result must be one of updated, unchanged, rolled_back, failed, unreachable"),
    ([dict(host="a", result="updated"), dict(host="a", result="failed")], "record 1 (a): host listed twice"),
    ([dict(host="a", result="updated", restart_seconds=-2)], "restart_seconds must be 0 or more"),
    ([dict(host="a", result="updated", gate_seconds="fast")], "gate_seconds must be a number"),
    ([dict(host="a", result="updated", artifact_sha256="abc")], "artifact_sha256 must be 64 hex digits"),
    ([dict(host="a", result="updated", hooks_after=[1])], "hooks_after must be a list of hook names"),
    ([dict(host="a", result="updated", colour="red")], "unknown field(s) colour"),
])
def test_bad_records_are_refused_by_name(bad, words):
    with pytest.raises(rr.ReportError) as e:
        rr.normalise(bad)
    assert words in str(e.value)


def test_failed_rollback_is_called_out_below_the_table_and_in_json():
    records = rr.normalise([
        dict(host="agent-1", result="rolled_back", message="gate 'flags' failed"),
        dict(host="agent-2", result="failed",
             message="ROLLBACK FAILED after \"gate failed\": no answer. Then run: "
                     "ansible-playbook playbooks/rollback-hooks.yml -e mesos_rollback_hosts=agent-2"),
        dict(host="agent-3", result="failed", message="cannot write /etc/mesos-slave/hooks"),
    ])
    text = rr.render_text(records).splitlines()
    assert text[-1].startswith("!!! ROLLBACK FAILED on agent-2: ROLLBACK FAILED after")
    assert "mesos_rollback_hosts=agent-2" in text[-1]
    assert sum("!!!" in line for line in text) == 1
    assert json.loads(rr.render_json(records))["rollback_failed"] == ["agent-2"]


def test_no_rollback_failure_no_shouting():
    records = rr.normalise(RECORDS)
    assert "!!!" not in rr.render_text(records)
    assert json.loads(rr.render_json(records))["rollback_failed"] == []


def test_a_host_contact_was_lost_with_is_counted_and_called_out():
    records = rr.normalise(RECORDS[:1] + [
        dict(host="agent-5", result="unreachable", hooks_before=[], hooks_after=[],
             message="lost contact during its rollout, while writing its modules JSON and flags"),
    ])
    text = rr.render_text(records).splitlines()
    assert text[-3] == "2 hosts: 1 updated, 0 unchanged, 0 rolled back, 0 failed, 1 unreachable"
    assert text[-1] == "!!! LOST CONTACT with agent-5: lost contact during its rollout, while writing its modules JSON and flags"
    doc = json.loads(rr.render_json(records))
    assert doc["ok"] is False and doc["summary"]["unreachable"] == 1


def test_a_host_with_several_hooks_staged_lists_each_artifact():
    from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout
    facts = {"mesos_agent": {"build_fingerprint": "1.11.0-x86_64-671bf82", "hooks": []},
             "mesos_stage_artifacts": {"command_hook": {"sha256": SHA}, "probe": {"sha256": "9" * 64}}}
    record = rollout.host_record("agent-1", facts, {"result": "updated", "hooks_after": [HOOK, "org_Probe"]})
    [row] = rr.normalise([record])
    assert row["artifact_sha256"] == SHA + "," + "9" * 64
    assert "3f2a9c1d0e4b,999999999999" in rr.render_text([row])
