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


def _replacements(monkeypatch):
    """Every (temporary file, target) pair os.replace() is given."""
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        seen.append((os.path.dirname(src), dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return seen


def test_no_temporary_file_appears_in_the_modules_dir_or_the_flag_directory(tmp_path, monkeypatch):
    # Mesos loads every entry of --modules_dir, dotfiles too (src/module/manager.cpp), and the
    # wrapper passes every file of the flag directory as a flag: a crash between the temporary
    # file's creation and its rename would leave the agent unable to start.
    root = tmp_path / "host"
    modules_dir = "/opt/mesosphere/etc/mesos-slave-modules"
    write_tree(root, {"/etc/mesos-slave/modules_dir": modules_dir + "\n",
                      modules_dir + "/10-dcos.json": OTHER_MANIFEST})
    original = read_tree(root)
    store = flag_stores.make_store("flagdir", root=str(root))
    seen = _replacements(monkeypatch)
    plan = apply_plan(root, store, present=[PROBE])
    assert plan.read_whole == ["/etc/mesos-slave", modules_dir]
    written = dict((dst, src_dir) for src_dir, dst in seen)
    ours = str(root) + modules_dir + "/50-mesos-fleet-hooks.json"
    assert written[ours] == str(root) + "/opt/mesosphere/etc/.mesos-slave-modules.mesos-fleet-tmp"
    assert written[str(root) + "/etc/mesos-slave/hooks"] == str(root) + "/etc/.mesos-slave.mesos-fleet-tmp"
    # The temporary directories go once the files are in place.
    assert not os.path.exists(str(root) + "/etc/.mesos-slave.mesos-fleet-tmp")
    assert not os.path.exists(str(root) + "/opt/mesosphere/etc/.mesos-slave-modules.mesos-fleet-tmp")

    # A rollback writes the snapshot's files back the same way.
    deployed = read_tree(root)
    removal = ac.plan(store, [], ["org_fleet_Probe"], MANAGED, "50-mesos-fleet-hooks.json")
    snapshot = ac.save_snapshot(removal, str(root), str(tmp_path / "snapshots"))
    ac.apply(removal, str(root))
    assert read_tree(root) == original
    del seen[:]
    ac.restore(snapshot, str(root))
    assert read_tree(root) == deployed
    assert seen and all(src_dir.endswith(".mesos-fleet-tmp") for src_dir, dst in seen)
