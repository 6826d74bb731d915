import json

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.modules import agent_hooks

SO = "/var/lib/mesos-fleet-hooks/artifacts/probe/%s/libprobe_hook.so" % ("b" * 64)
PRESENT = [dict(file=SO, modules=[dict(name="org_fleet_Probe", parameters={"env": "A=1"})], hooks=["org_fleet_Probe"])]
MANIFEST = '{"libraries": [{"file": "/usr/lib/libother.so", "modules": [{"name": "com_example_Other"}]}]}\n'


@pytest.fixture
def host(tmp_path):
    root = tmp_path / "host"
    for path, text in {"etc/mesos-slave/modules": "/etc/mesos/modules.json\n",
                       "etc/mesos-slave/hooks": "com_example_Other\n",
                       "etc/mesos/modules.json": MANIFEST}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def files(root):
    return dict((str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file())


def args(host, tmp_path, **kw):
    base = dict(present=PRESENT, root=str(host), backup_dir=str(tmp_path / "backup"),
                snapshot_dir=str(tmp_path / "snapshots"))
    base.update(kw)
    return base


def test_check_mode_shows_every_file_and_writes_nothing(run_module, host, tmp_path):
    before = files(host)
    result = run_module(agent_hooks, args(host, tmp_path), check_mode=True, diff=True)
    assert result["changed"] and sorted(result["files"]) == ["/etc/mesos-slave/hooks", "/etc/mesos/modules.json"]
    assert result["hooks_after"] == ["com_example_Other", "org_fleet_Probe"]
    assert any("org_fleet_Probe" in d["after"] for d in result["diff"])
    assert files(host) == before and not (tmp_path / "snapshots").exists()


def test_configure_snapshot_idempotence_restore_and_removal(run_module, host, tmp_path):
    original = files(host)
    first = run_module(agent_hooks, args(host, tmp_path))
    assert first["changed"] and first["restart_needed"] and first["snapshot"]
    assert json.loads((host / "etc/mesos/modules.json").read_text())["libraries"][1]["file"] == SO
    assert run_module(agent_hooks, args(host, tmp_path))["changed"] is False

    restored = run_module(agent_hooks, dict(state="restored", snapshot=first["snapshot"], root=str(host)), diff=True)
    assert restored["changed"] and restored["hooks_after"] == ["com_example_Other"]
    assert files(host) == original
    assert run_module(agent_hooks, dict(state="restored", snapshot=first["snapshot"], root=str(host)))["changed"] is False

    run_module(agent_hooks, args(host, tmp_path))
    removed = run_module(agent_hooks, args(host, tmp_path, present=[], absent=["org_fleet_Probe"]))
    assert removed["changed"] and removed["hooks_after"] == ["com_example_Other"]
    assert files(host) == original


@pytest.mark.parametrize("override, message", [
    (dict(present=[dict(PRESENT[0], file="relative.so")]), "is not an absolute path"),
    (dict(present=[dict(PRESENT[0], hooks=["bad-name"])]), "not a valid hook module name"),
    (dict(present=[dict(PRESENT[0], modules=[dict(name="org_fleet_Probe", parameters={"t": 5})])]),
     "value of 't' must be a string"),
    (dict(absent=["org_fleet_Probe"]), "both wanted and to be removed"),
    (dict(state="restored"), "state=restored needs snapshot"),
])
def test_bad_input_changes_nothing(run_module, host, tmp_path, override, message):
    before = files(host)
    result = run_module(agent_hooks, args(host, tmp_path, **override))
    assert result.failed and message in result["msg"]
    assert files(host) == before


def test_corrupt_manifest_is_reported_and_nothing_changes(run_module, host, tmp_path):
    (host / "etc/mesos/modules.json").write_text("{not json")
    before = files(host)
    result = run_module(agent_hooks, args(host, tmp_path))
    assert result.failed and "/etc/mesos/modules.json: not valid JSON" in result["msg"]
    assert files(host) == before
