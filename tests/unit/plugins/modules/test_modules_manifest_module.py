import json
import os
import stat

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.modules import modules_manifest

from file_trees import read_tree

LIB = {"file": "/var/lib/mesos/modules/probe/abc/libprobe.so",
       "modules": [{"name": "org_fleet_Probe", "parameters": {"env": "A=1"}}]}
ORIGINAL = '{"libraries": [{"file": "/usr/lib/libother.so", "modules": [{"name": "com_example_Other"}]}]}\n'


@pytest.fixture
def host(tmp_path):
    manifest = tmp_path / "etc" / "modules.json"
    manifest.parent.mkdir()
    manifest.write_text(ORIGINAL)
    os.chmod(str(manifest), 0o640)
    return tmp_path


def args(host, **kw):
    base = dict(libraries=[LIB], modules_flag="file://%s/etc/modules.json" % host,
                managed_path=str(host / "managed" / "modules.json"), backup_dir=str(host / "backup"))
    base.update(kw)
    return base


@pytest.mark.parametrize("state", ["present", "absent"])
def test_check_mode_reports_without_writing(run_module, host, state):
    if state == "absent":
        run_module(modules_manifest, args(host))
    before = read_tree(host)
    result = run_module(modules_manifest, args(host, state=state), check_mode=True, diff=True)
    assert result["changed"] is True
    assert read_tree(host) == before
    assert "org_fleet_Probe" in (result["diff"]["after"] if state == "present" else result["diff"]["before"])


def test_present_merges_keeps_mode_backs_up_and_is_idempotent(run_module, host):
    first = run_module(modules_manifest, args(host), diff=True)
    assert first["changed"] and first["modules_flag"] is None
    manifest = host / "etc" / "modules.json"
    written = json.loads(manifest.read_text())
    assert [lib["file"] for lib in written["libraries"]] == ["/usr/lib/libother.so", LIB["file"]]
    assert written["libraries"][1]["modules"][0]["parameters"] == [{"key": "env", "value": "A=1"}]
    assert stat.S_IMODE(os.stat(str(manifest)).st_mode) == 0o640
    assert open(first["backup"]).read() == ORIGINAL
    second = run_module(modules_manifest, args(host))
    assert second["changed"] is False


def test_absent_restores_the_original_bytes_and_is_idempotent(run_module, host):
    run_module(modules_manifest, args(host))
    removed = run_module(modules_manifest, args(host, state="absent"))
    assert removed["changed"] is True
    assert (host / "etc" / "modules.json").read_text() == ORIGINAL
    assert run_module(modules_manifest, args(host, state="absent"))["changed"] is False


def test_without_modules_flag_our_file_is_created_then_removed(run_module, host):
    managed = host / "managed" / "modules.json"
    created = run_module(modules_manifest, args(host, modules_flag=""))
    assert created["changed"] and created["modules_flag"] == "file://%s" % managed
    assert json.loads(managed.read_text())["libraries"][0]["file"] == LIB["file"]
    assert oct(stat.S_IMODE(os.stat(str(managed)).st_mode)) == oct(0o644)
    removed = run_module(modules_manifest, args(host, modules_flag="file://%s" % managed, state="absent"))
    assert removed["changed"] and removed["modules_flag"] == "" and not managed.exists()


def test_modules_dir_mode(run_module, host):
    d = host / "modules.d"
    d.mkdir()
    (d / "10-other.json").write_text(ORIGINAL)
    result = run_module(modules_manifest, args(host, modules_flag="", modules_dir=str(d)))
    assert result["path"] == str(d / "50-mesos-fleet-hooks.json")
    assert (d / "10-other.json").read_text() == ORIGINAL
    assert run_module(modules_manifest, args(host, modules_flag="", modules_dir=str(d)))["changed"] is False


@pytest.mark.parametrize("override, message", [
    (dict(libraries=[dict(LIB, file="relative/libprobe.so")]), "is not an absolute path"),
    (dict(libraries=[dict(LIB, file="/var/lib/../libprobe.so")]), "not a normalised path"),
    (dict(libraries=[dict(LIB, modules=[{"name": "bad-name"}])]), "'bad-name' is not a valid C identifier"),
    (dict(libraries=[dict(LIB, modules=[{"name": "m", "parameters": {"timeout": 5}}])]),
     "value of 'timeout' must be a string"),
    (dict(modules_dir="/etc/mesos/modules.d"), "both --modules and --modules_dir"),
    (dict(modules_flag="relative.json"), "not an absolute path"),
])
def test_bad_input_fails_clearly_and_changes_nothing(run_module, host, override, message):
    before = read_tree(host)
    result = run_module(modules_manifest, args(host, **override))
    assert result.failed and message in result["msg"]
    assert read_tree(host) == before


def test_corrupt_manifest_on_host_fails_and_changes_nothing(run_module, host):
    (host / "etc" / "modules.json").write_text('{"libraries": [ {"file": ')
    before = read_tree(host)
    result = run_module(modules_manifest, args(host))
    assert result.failed and "modules.json: not valid JSON" in result["msg"]
    assert read_tree(host) == before


def test_a_group_writable_manifest_is_written_root_owned_without_group_write(run_module, host):
    manifest = host / "etc" / "modules.json"
    os.chmod(str(manifest), 0o664)
    if os.geteuid() == 0:
        os.chown(str(manifest), 1234, 1234)
    assert run_module(modules_manifest, args(host))["changed"]
    st = os.stat(str(manifest))
    assert stat.S_IMODE(st.st_mode) == 0o644
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (0, 0)
