import json
import os

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_config as ac
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores

from file_trees import read_tree, write_tree

SO = "/var/lib/mesos-fleet-hooks/artifacts/probe/%s/libprobe_hook.so" % ("a" * 64)
PROBE = dict(file=SO, modules=[dict(name="org_fleet_Probe", parameters=[dict(key="env", value="A=1")])],
             hooks=["org_fleet_Probe"])
MANAGED = "/etc/mesos-fleet-hooks/modules.json"
OTHER_MANIFEST = '{"libraries": [{"file": "/usr/lib/libother.so", "modules": [{"name": "com_example_Other"}]}]}\n'


def apply_plan(root, store, present=(), absent=(), **kw):
    plan = ac.plan(store, list(present), list(absent), MANAGED, "50-mesos-fleet-hooks.json", **kw)
    ac.apply(plan, str(root))
    return plan


@pytest.fixture
def flagdir_host(tmp_path):
    root = tmp_path / "host"
    write_tree(root, {"/etc/mesos-slave/master": "zk://m:2181/mesos\n", "/etc/mesos-slave/port": "5051\n"})
    return root


def test_fresh_agent_gets_our_manifest_and_both_flags_then_removal_restores_everything(flagdir_host):
    original = read_tree(flagdir_host)
    store = flag_stores.make_store("flagdir", root=str(flagdir_host))
    plan = apply_plan(flagdir_host, store, present=[PROBE])
    assert plan.changed and plan.hooks_before == [] and plan.hooks_after == ["org_fleet_Probe"]
    assert plan.modules_after["modules"] == "file://" + MANAGED
    assert (flagdir_host / "etc/mesos-slave/hooks").read_text().strip() == "org_fleet_Probe"
    manifest = json.loads((flagdir_host / MANAGED.lstrip("/")).read_text())
    assert manifest["libraries"][0]["file"] == SO

    again = ac.plan(store, [PROBE], [], MANAGED, "50-mesos-fleet-hooks.json")
    assert not again.changed

    removal = apply_plan(flagdir_host, store, absent=["org_fleet_Probe"])
    assert removal.changed and removal.hooks_after == []
    assert read_tree(flagdir_host) == original


def test_operator_manifest_and_hooks_are_kept_in_order(tmp_path):
    root = tmp_path / "host"
    write_tree(root, {"/etc/mesos-slave/modules": "file:///etc/mesos/modules.json\n",
                      "/etc/mesos-slave/hooks": "com_example_Other\n",
                      "/etc/mesos/modules.json": OTHER_MANIFEST})
    original = read_tree(root)
    store = flag_stores.make_store("flagdir", root=str(root))
    plan = apply_plan(root, store, present=[PROBE])
    assert plan.hooks_after == ["com_example_Other", "org_fleet_Probe"]
    assert plan.manifest_path == "/etc/mesos/modules.json"
    assert [lib["file"] for lib in json.loads((root / "etc/mesos/modules.json").read_text())["libraries"]] == [
        "/usr/lib/libother.so", SO]
    apply_plan(root, store, absent=["org_fleet_Probe"],
               pristine_for=lambda path: OTHER_MANIFEST if path == "/etc/mesos/modules.json" else None)
    assert read_tree(root) == original


def test_snapshot_restore_puts_back_changed_created_and_removed_files(flagdir_host, tmp_path):
    original = read_tree(flagdir_host)
    store = flag_stores.make_store("flagdir", root=str(flagdir_host))
    plan = ac.plan(store, [PROBE], [], MANAGED, "50-mesos-fleet-hooks.json")
    snap = ac.save_snapshot(plan, str(flagdir_host), str(tmp_path / "snapshots"), extra={"run": "r1"})
    assert oct(os.stat(snap).st_mode & 0o777) == oct(0o700)
    ac.apply(plan, str(flagdir_host))
    assert read_tree(flagdir_host) != original
    index, changes = ac.restore_plan(snap, str(flagdir_host))
    assert index["hooks"] == [] and index["extra"] == {"run": "r1"}
    assert any(now != then for now, then in changes.values())
    ac.restore(snap, str(flagdir_host))
    assert read_tree(flagdir_host) == original
    # Restoring again changes nothing.
    assert all(now == then for now, then in ac.restore_plan(snap, str(flagdir_host))[1].values())


def test_a_file_changed_after_planning_is_not_overwritten(flagdir_host):
    store = flag_stores.make_store("flagdir", root=str(flagdir_host))
    plan = ac.plan(store, [PROBE], [], MANAGED, "50-mesos-fleet-hooks.json")
    (flagdir_host / "etc/mesos-slave/port").write_text("5052\n")
    (flagdir_host / "etc/mesos-slave/hooks").write_text("someone_else\n")
    before = read_tree(flagdir_host)
    with pytest.raises(ac.ConfigError, match="changed since the plan was made"):
        ac.apply(plan, str(flagdir_host))
    assert read_tree(flagdir_host) == before


def test_dropin_style_changes_go_to_our_dropin_only(tmp_path):
    root = tmp_path / "host"
    unit = "[Unit]\nDescription=Mesos agent\n[Service]\nExecStart=/usr/sbin/mesos-agent --master=m:5050 --work_dir=/var/lib/mesos\nKillMode=process\n"
    write_tree(root, {"/lib/systemd/system/mesos-agent.service": unit})
    original = read_tree(root)
    store = flag_stores.make_store("dropin", root=str(root))
    plan = apply_plan(root, store, present=[PROBE])
    assert plan.daemon_reload_needed
    assert "etc/systemd/system/mesos-agent.service.d/50-mesos-fleet-hooks.conf" in read_tree(root)
    assert (root / "lib/systemd/system/mesos-agent.service").read_text() == unit
    apply_plan(root, store, absent=["org_fleet_Probe"])
    assert read_tree(root) == original


def test_modules_dir_agent_gets_a_file_of_ours(tmp_path):
    root = tmp_path / "host"
    write_tree(root, {"/opt/mesosphere/etc/mesos-slave-common": "MESOS_MODULES_DIR=/opt/mesosphere/etc/mesos-slave-modules\n",
                      "/opt/mesosphere/etc/mesos-slave-modules/10-dcos.json": OTHER_MANIFEST})
    original = read_tree(root)
    store = flag_stores.make_store("dcos", root=str(root))
    plan = apply_plan(root, store, present=[PROBE])
    assert plan.manifest_path == "/opt/mesosphere/etc/mesos-slave-modules/50-mesos-fleet-hooks.json"
    assert plan.hooks_after == ["org_fleet_Probe"] and plan.modules_after["modules"] == ""
    apply_plan(root, store, absent=["org_fleet_Probe"])
    assert read_tree(root) == original
