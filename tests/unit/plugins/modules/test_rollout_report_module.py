import json
import os
import stat

from ansible_collections.mesos_fleet.hooks.plugins.modules import rollout_report

HOOK = "org_mesos_fleet_CommandHook"
SHA = "ab" * 32
RECORDS = [
    dict(host="agent-1", result="updated", fingerprint="1.11.0+9f2c", artifact_sha256=SHA,
         hooks_before=[], hooks_after=[HOOK], restart_seconds=2.7, gate_seconds=3.1, message="all gates passed"),
    dict(host="agent-2", result="rolled_back", fingerprint="1.11.0+9f2c", artifact_sha256=SHA,
         hooks_before=[], hooks_after=[], restart_seconds=2.6, gate_seconds=10.0,
         message="gate 'flags' failed"),
]


def test_writes_json_and_text_and_returns_the_table(run_module, tmp_path):
    path = tmp_path / "reports" / "rollout.json"
    result = run_module(rollout_report, dict(records=RECORDS, path=str(path)))
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert result["text_path"] == str(tmp_path / "reports" / "rollout.txt")
    text = (tmp_path / "reports" / "rollout.txt").read_text()
    assert text == result["text"]
    assert text.splitlines()[0] == "Mesos hook rollout"
    assert "agent-2  agent  rolled back" in text
    assert text.splitlines()[-1] == "2 hosts: 1 updated, 0 unchanged, 1 rolled back, 0 failed"
    doc = json.loads(path.read_text())
    assert doc["ok"] is False and result["ok"] is False
    assert doc["summary"] == result["summary"] == {"hosts": 2, "updated": 1, "unchanged": 0,
                                                   "rolled_back": 1, "failed": 0, "unreachable": 0}
    assert [r["host"] for r in doc["records"]] == ["agent-1", "agent-2"]
    assert doc["records"][0]["hooks_after"] == [HOOK] and doc["records"][0]["restart_seconds"] == 2.7
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o644
    # No temporary files are left next to the reports.
    assert sorted(p.name for p in path.parent.iterdir()) == ["rollout.json", "rollout.txt"]


def test_same_report_again_changes_nothing(run_module, tmp_path):
    args = dict(records=RECORDS, path=str(tmp_path / "r.json"), text_path=str(tmp_path / "r.log"), mode="0600")
    assert run_module(rollout_report, args)["changed"] is True
    assert stat.S_IMODE(os.stat(str(tmp_path / "r.log")).st_mode) == 0o600
    mtime = os.stat(str(tmp_path / "r.json")).st_mtime_ns
    again = run_module(rollout_report, args)
    assert again["changed"] is False
    assert os.stat(str(tmp_path / "r.json")).st_mtime_ns == mtime


def test_check_mode_writes_nothing_and_shows_the_diff(run_module, tmp_path):
    path = tmp_path / "rollout.json"
    result = run_module(rollout_report, dict(records=RECORDS, path=str(path), title="dc1 rollout"),
                        check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["text"].startswith("dc1 rollout\n===========\n")
    assert result["diff"]["before"] == "" and result["diff"]["after"] == result["text"]
    assert list(tmp_path.iterdir()) == []


def test_bad_record_fails_and_writes_nothing(run_module, tmp_path):
    bad = [dict(RECORDS[0], artifact_sha256="not-a-hash")]
    result = run_module(rollout_report, dict(records=bad, path=str(tmp_path / "r.json")))
    assert result.failed and "record 0 (agent-1): artifact_sha256 must be 64 hex digits" in result["msg"]
    assert list(tmp_path.iterdir()) == []


def test_unknown_result_is_refused(run_module, tmp_path):
    bad = [dict(RECORDS[0], result="ok")]
    result = run_module(rollout_report, dict(records=bad, path=str(tmp_path / "r.json")))
    assert result.failed and "result" in result["msg"] and "updated" in result["msg"]
    assert list(tmp_path.iterdir()) == []


def test_negative_seconds_and_bad_mode_are_refused(run_module, tmp_path):
    bad = [dict(RECORDS[0], gate_seconds=-1)]
    result = run_module(rollout_report, dict(records=bad, path=str(tmp_path / "r.json")))
    assert result.failed and "gate_seconds must be 0 or more" in result["msg"]
    result = run_module(rollout_report, dict(records=RECORDS, path=str(tmp_path / "r.json"), mode="rw-r"))
    assert result.failed and "not an octal number" in result["msg"]
    assert list(tmp_path.iterdir()) == []


def test_same_path_for_both_reports_is_refused(run_module, tmp_path):
    path = str(tmp_path / "r.json")
    result = run_module(rollout_report, dict(records=RECORDS, path=path, text_path=path))
    assert result.failed and "the same file" in result["msg"]


def test_secret_values_never_reach_the_report_its_result_or_diff(run_module, tmp_path):
    secret = 'tok"3n-value'
    records = [dict(RECORDS[1], message="create() refused api_token=%s" % secret)]
    path = tmp_path / "rollout.json"
    result = run_module(rollout_report, dict(records=records, path=str(path),
                                             secrets={"m1": {"api_token": secret}}), diff=True)
    assert not result.failed, result.get("msg")
    for text in (json.dumps(result), path.read_text(), (tmp_path / "rollout.txt").read_text()):
        assert secret not in text and json.dumps(secret)[1:-1] not in text
        assert "api_token=********" in text
