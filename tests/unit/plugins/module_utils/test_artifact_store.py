import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store as st

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


def test_prune_keeps_the_newest_and_the_protected():
    entries = [(A, 1), (B, 2), (C, 3), (D, 4)]
    assert st.plan_prune(entries, keep={D}, keep_count=1) == [A, B]
    assert st.plan_prune(entries, keep={A}, keep_count=1) == [B, C]
    assert st.plan_prune(entries, keep=set(), keep_count=0) == [A, B, C, D]
    assert st.plan_prune(entries + [("not-an-artifact", 0)], keep=set(), keep_count=4) == []
    with pytest.raises(ValueError):
        st.plan_prune(entries, keep=set(), keep_count=-1)


def test_referenced_finds_artifacts_a_manifest_points_at():
    manifest = '{"libraries": [{"file": "/var/lib/mfh/probe/%s/libprobe.so"}, {"file": "/var/lib/mfh/other/%s/x.so"}]}' % (A, B)
    assert st.referenced([manifest, None], "/var/lib/mfh/probe") == {A}
    assert st.referenced([manifest], "/var/lib/mfh/probe/") == {A}


def test_prune_module_never_removes_a_referenced_artifact(run_module, tmp_path):
    from ansible_collections.mesos_fleet.hooks.plugins.modules import artifact_prune
    import os
    hook_dir = tmp_path / "probe"
    for i, name in enumerate([A, B, C, D]):
        (hook_dir / name).mkdir(parents=True)
        os.utime(str(hook_dir / name), (i, i))
    manifest = tmp_path / "modules.json"
    manifest.write_text('{"libraries": [{"file": "%s/%s/libprobe.so"}]}' % (hook_dir, A))
    args = dict(hook_dir=str(hook_dir), keep=[D], keep_count=0, manifests=[str(manifest)])
    check = run_module(artifact_prune, args, check_mode=True)
    assert check["changed"] and check["removed"] == [B, C] and (hook_dir / B).exists()
    done = run_module(artifact_prune, args)
    assert done["removed"] == [B, C] and sorted(os.listdir(str(hook_dir))) == [A, D]
    assert run_module(artifact_prune, args)["changed"] is False


def test_stage_plan_content_addressed_destinations():
    specs = [dict(name="probe", state="present", allow_resource_decorators=False),
             dict(name="gone", state="absent", allow_resource_decorators=False)]
    artifacts = {"probe": dict(path="/cache/probe/k/libprobe.so", sha256=A, library="libprobe.so",
                               modules=["org_fleet_Probe"], mesos_version="1.11.0")}
    plan = st.stage_plan(specs, artifacts, "/var/lib/mfh", "fp11")
    assert list(plan) == ["probe"]
    assert plan["probe"]["dest"] == "/var/lib/mfh/probe/%s/libprobe.so" % A
    assert plan["probe"]["src"] == "/cache/probe/k/libprobe.so"
    assert plan["probe"]["idle_methods"] == []
    with pytest.raises(ValueError, match="no built artifact of hook 'probe' for build fingerprint fp10"):
        st.stage_plan(specs, {}, "/var/lib/mfh", "fp10")


def test_stage_plan_stages_shipped_files_by_content_and_the_rollout_installs_them(tmp_path):
    script = tmp_path / "env-hook"
    script.write_bytes(b"#!/bin/sh\necho one\n")
    specs = [dict(name="probe", state="present", allow_resource_decorators=False, restart_for_files=True,
                  modules=[dict(name="org_fleet_Probe", parameters=[])], hooks=["org_fleet_Probe"],
                  files=[dict(src=str(script), dest="/usr/local/bin/env-hook", mode="0755")])]
    artifacts = {"probe": dict(path="/cache/libprobe.so", sha256=A, library="libprobe.so",
                               modules=["org_fleet_Probe"], mesos_version="1.11.0")}
    plan = st.stage_plan(specs, artifacts, "/var/lib/mfh")
    sha = st.file_sha256(str(script))
    assert plan["probe"]["files"] == [dict(src=str(script), sha256=sha, name="env-hook",
                                           staged="/var/lib/mfh/probe/files/%s/env-hook" % sha,
                                           dest="/usr/local/bin/env-hook", mode="0755", restart=True)]
    [entry] = st.manifest_entries(specs, plan)
    assert entry["files"] == [dict(staged="/var/lib/mfh/probe/files/%s/env-hook" % sha, sha256=sha,
                                   dest="/usr/local/bin/env-hook", mode="0755", restart=True)]
    # A changed script is a new content-addressed path: the staged one is never rewritten.
    script.write_bytes(b"#!/bin/sh\necho two\n")
    assert st.stage_plan(specs, artifacts, "/var/lib/mfh")["probe"]["files"][0]["staged"] != entry["files"][0]["staged"]


def test_stage_plan_takes_idle_methods_from_the_inventory_as_it_is_now():
    """The cache records what turns a method on; whether the inventory does is read each run."""
    artifacts = {"cmd": dict(path="/cache/cmd/k/libcmd.so", sha256=A, library="libcmd.so", modules=["cmd1"],
                             mesos_version="1.11.0",
                             enabled_by_parameter={"slaveResourcesDecorator": "slaveResourcesDecorator_command"})}

    def spec(params):
        return [dict(name="cmd", state="present", allow_resource_decorators=False,
                     modules=[dict(name="cmd1", parameters=params)])]

    off = st.stage_plan(spec([]), artifacts, "/var/lib/mfh")
    assert off["cmd"]["idle_methods"] == ["slaveResourcesDecorator"]
    on = st.stage_plan(spec([dict(key="slaveResourcesDecorator_command", value="/bin/r")]), artifacts, "/var/lib/mfh")
    assert on["cmd"]["idle_methods"] == []


def test_prune_never_follows_a_symlink_out_of_the_hook_dir(run_module, tmp_path):
    from ansible_collections.mesos_fleet.hooks.plugins.modules import artifact_prune
    import os
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("x")
    hook_dir = tmp_path / "probe"
    (hook_dir / A).mkdir(parents=True)
    os.symlink(str(outside), str(hook_dir / B))
    assert st.list_entries(str(hook_dir)) == [(A, os.lstat(str(hook_dir / A)).st_mtime)]
    result = run_module(artifact_prune, dict(hook_dir=str(hook_dir), keep=[], keep_count=0))
    assert result["removed"] == [A] and (outside / "keep.txt").exists() and os.path.islink(str(hook_dir / B))


def test_list_staged_names_the_artifact_files_and_nothing_else(tmp_path):
    import os
    root = tmp_path / "artifacts"
    (root / "probe" / A).mkdir(parents=True)
    (root / "probe" / A / "libprobe.so").write_bytes(b"so")
    (root / "probe" / B).mkdir()  # a directory an interrupted staging left empty
    (root / "probe" / "not-a-sha").mkdir()
    (root / "probe" / "not-a-sha" / "libprobe.so").write_bytes(b"so")
    (root / "probe" / A / ".libprobe.so.x.tmp").write_bytes(b"half")
    (root / "other" / C).mkdir(parents=True)
    (root / "other" / C / "libother.so").write_bytes(b"so")
    os.symlink(str(root / "other" / C / "libother.so"), str(root / "probe" / A / "liblink.so"))
    os.symlink(str(root / "other"), str(root / "linked"))
    assert st.list_staged(str(root)) == [
        "other/%s/libother.so" % C, "probe/%s/libprobe.so" % A]
    assert st.list_staged(str(tmp_path / "absent")) == []
