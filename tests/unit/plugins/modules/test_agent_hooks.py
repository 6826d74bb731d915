import json
import os

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.modules import agent_hooks

from file_trees import FLAGDIR_AGENT, read_tree, write_tree

SO = "/var/lib/mesos-fleet-hooks/artifacts/probe/%s/libprobe_hook.so" % ("b" * 64)
PRESENT = [dict(file=SO, modules=[dict(name="org_fleet_Probe", parameters={"env": "A=1"})], hooks=["org_fleet_Probe"])]


@pytest.fixture
def host(tmp_path):
    write_tree(tmp_path / "host", FLAGDIR_AGENT)
    return tmp_path / "host"


def args(host, tmp_path, **kw):
    base = dict(present=PRESENT, root=str(host), backup_dir=str(tmp_path / "backup"),
                snapshot_dir=str(tmp_path / "snapshots"))
    base.update(kw)
    return base


def test_check_mode_shows_every_file_and_writes_nothing(run_module, host, tmp_path):
    before = read_tree(host)
    result = run_module(agent_hooks, args(host, tmp_path), check_mode=True, diff=True)
    assert result["changed"] and sorted(result["files"]) == ["/etc/mesos-slave/hooks", "/etc/mesos/modules.json"]
    assert result["hooks_after"] == ["com_example_Other", "org_fleet_Probe"]
    assert any("org_fleet_Probe" in d["after"] for d in result["diff"])
    assert read_tree(host) == before and not (tmp_path / "snapshots").exists()


def test_configure_snapshot_idempotence_restore_and_removal(run_module, host, tmp_path):
    original = read_tree(host)
    first = run_module(agent_hooks, args(host, tmp_path))
    assert first["changed"] and first["restart_needed"] and first["snapshot"]
    assert json.loads((host / "etc/mesos/modules.json").read_text())["libraries"][1]["file"] == SO
    assert run_module(agent_hooks, args(host, tmp_path))["changed"] is False

    restored = run_module(agent_hooks, dict(state="restored", snapshot=first["snapshot"], root=str(host)), diff=True)
    assert restored["changed"] and restored["hooks_after"] == ["com_example_Other"]
    assert read_tree(host) == original
    assert run_module(agent_hooks, dict(state="restored", snapshot=first["snapshot"], root=str(host)))["changed"] is False

    run_module(agent_hooks, args(host, tmp_path))
    removed = run_module(agent_hooks, args(host, tmp_path, present=[], absent=["org_fleet_Probe"]))
    assert removed["changed"] and removed["hooks_after"] == ["com_example_Other"]
    assert read_tree(host) == original


@pytest.mark.parametrize("override, message", [
    (dict(present=[dict(PRESENT[0], file="relative.so")]), "is not an absolute path"),
    (dict(present=[dict(PRESENT[0], hooks=["bad-name"])]), "not a valid hook module name"),
    (dict(present=[dict(PRESENT[0], modules=[dict(name="org_fleet_Probe", parameters={"t": 5})])]),
     "value of 't' must be a string"),
    (dict(absent=["org_fleet_Probe"]), "both wanted and to be removed"),
    (dict(state="restored"), "state=restored needs snapshot"),
])
def test_bad_input_changes_nothing(run_module, host, tmp_path, override, message):
    before = read_tree(host)
    result = run_module(agent_hooks, args(host, tmp_path, **override))
    assert result.failed and message in result["msg"]
    assert read_tree(host) == before


def test_corrupt_manifest_is_reported_and_nothing_changes(run_module, host, tmp_path):
    (host / "etc/mesos/modules.json").write_text("{not json")
    before = read_tree(host)
    result = run_module(agent_hooks, args(host, tmp_path))
    assert result.failed and "/etc/mesos/modules.json: not valid JSON" in result["msg"]
    assert read_tree(host) == before


# --- secrets and what the module writes ------------------------------------------------------

SECRET = "s3cr3t-T0ken"
SECRET_PRESENT = [dict(file=SO, hooks=["org_fleet_Probe"], modules=[dict(
    name="org_fleet_Probe", parameters={"env": "A=1", "api_token": "********"}, secret_parameters=["api_token"])])]
SECRETS = {"org_fleet_Probe": {"api_token": SECRET}}


def _mode(path):
    return os.stat(str(path)).st_mode & 0o7777


def test_secret_is_written_root_only_and_never_returned(run_module, host, tmp_path):
    result = run_module(agent_hooks, args(host, tmp_path, present=SECRET_PRESENT, secrets=SECRETS), diff=True)
    assert result["changed"]
    manifest = host / "etc/mesos/modules.json"
    assert SECRET in manifest.read_text()
    assert _mode(manifest) == 0o600 and os.stat(str(manifest)).st_uid == os.geteuid()
    text = json.dumps(result)
    assert SECRET not in text and "********" in text
    assert "api_token" in text  # the key shows, its value does not
    # The snapshot records which keys are secret, never their values.
    index = json.loads((tmp_path / "snapshots" / os.path.basename(result["snapshot"]) / "snapshot.json").read_text())
    assert index["extra"]["secret_keys"] == {"org_fleet_Probe": ["api_token"]}
    assert SECRET not in json.dumps(index)
    for d in (tmp_path / "snapshots", tmp_path / "backup", result["snapshot"]):
        assert _mode(d) == 0o700
    for f in list((tmp_path / "snapshots").rglob("*")) + list((tmp_path / "backup").rglob("*")):
        if f.is_file():
            assert _mode(f) == 0o600, f

    # Restoring knows no secret values: the diff still masks them by key.
    restored = run_module(agent_hooks, dict(state="restored", snapshot=result["snapshot"], root=str(host)), diff=True)
    assert restored["changed"] and SECRET not in json.dumps(restored)
    assert any("********" in (d.get("before") or "") for d in restored["diff"])


def test_check_mode_diff_masks_the_secret_already_on_the_agent(run_module, host, tmp_path):
    run_module(agent_hooks, args(host, tmp_path, present=SECRET_PRESENT, secrets=SECRETS))
    rotated = {"org_fleet_Probe": {"api_token": "n3w-T0ken"}}
    result = run_module(agent_hooks, args(host, tmp_path, present=SECRET_PRESENT, secrets=rotated),
                        check_mode=True, diff=True)
    text = json.dumps(result)
    assert result["changed"] and SECRET not in text and "n3w-T0ken" not in text
    assert SECRET in (host / "etc/mesos/modules.json").read_text()


def test_secret_without_a_value_is_refused_and_nothing_written(run_module, host, tmp_path):
    before = read_tree(host)
    result = run_module(agent_hooks, args(host, tmp_path, present=SECRET_PRESENT))
    assert result.failed and "secret parameter 'api_token' has no value in secrets" in result["msg"]
    assert read_tree(host) == before


def test_written_files_are_root_owned_and_not_group_or_world_writable(run_module, host, tmp_path):
    hooks_flag = host / "etc/mesos-slave/hooks"
    os.chmod(str(hooks_flag), 0o666)
    if os.geteuid() == 0:
        os.chown(str(hooks_flag), 1234, 1234)
    result = run_module(agent_hooks, args(host, tmp_path))
    assert result["changed"]
    assert _mode(hooks_flag) == 0o644
    assert _mode(host / "etc/mesos/modules.json") == 0o644
    if os.geteuid() == 0:
        assert (os.stat(str(hooks_flag)).st_uid, os.stat(str(hooks_flag)).st_gid) == (0, 0)


def test_new_manifest_and_its_directories_are_0644_and_0755(run_module, tmp_path):
    root = tmp_path / "host"
    (root / "etc/mesos-slave").mkdir(parents=True)
    (root / "etc/mesos-slave/hooks").write_text("com_example_Other\n")
    old = os.umask(0o077)
    try:
        result = run_module(agent_hooks, args(root, tmp_path, managed_path="/etc/mesos-fleet-hooks/sub/modules.json"))
    finally:
        os.umask(old)
    assert result["changed"]
    assert _mode(root / "etc/mesos-fleet-hooks") == 0o755 and _mode(root / "etc/mesos-fleet-hooks/sub") == 0o755
    assert _mode(root / "etc/mesos-fleet-hooks/sub/modules.json") == 0o644


# --- agent_url: what the running agent loaded, read before anything is written -------------

def live_agent(hooks, libraries):
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "module_utils"))
    from test_mesos_api import FakeAgent  # pylint: disable=import-outside-toplevel
    return FakeAgent(hooks=hooks, libraries=libraries)


OTHER_LIB = {"file": "/usr/lib/libother.so", "modules": [{"name": "com_example_Other"}]}
PROBE_LIB = {"file": SO, "modules": [{"name": "org_fleet_Probe", "parameters": [("env", "A=1")]}]}


def test_agent_url_reads_the_running_agent_first_and_says_it_must_restart(run_module, host, tmp_path):
    agent = live_agent(["com_example_Other"], [OTHER_LIB])
    try:
        result = run_module(agent_hooks, args(host, tmp_path, agent_url=agent.url))
        assert result["changed"] and result["live"]["hooks"] == ["com_example_Other"]
        assert result["live"]["tasks"] and result["live"]["id"]
        # The snapshot that the snapshot directory holds is not what the agent runs: the files say so.
        assert "runs --hooks=[com_example_Other], the files say [com_example_Other,org_fleet_Probe]" in result["live_stale"]
    finally:
        agent.close()


def test_agent_running_what_the_files_hold_is_not_stale_with_other_peoples_modules(run_module, host, tmp_path):
    run_module(agent_hooks, args(host, tmp_path))
    # The agent was restarted on the merged manifest: the operator's module and ours.
    agent = live_agent(["com_example_Other", "org_fleet_Probe"], [OTHER_LIB, PROBE_LIB])
    try:
        result = run_module(agent_hooks, args(host, tmp_path, agent_url=agent.url), check_mode=True)
        assert result["changed"] is False and result["live_stale"] == ""
    finally:
        agent.close()


def test_files_written_but_agent_not_restarted_is_stale(run_module, host, tmp_path):
    run_module(agent_hooks, args(host, tmp_path))
    agent = live_agent(["com_example_Other"], [OTHER_LIB])
    try:
        result = run_module(agent_hooks, args(host, tmp_path, agent_url=agent.url), check_mode=True)
        assert result["changed"] is False
        assert "runs modules [com_example_Other], the files declare [com_example_Other, org_fleet_Probe]" in result["live_stale"]
    finally:
        agent.close()


def test_parameters_written_but_agent_not_restarted_is_stale(run_module, host, tmp_path):
    # A run cut between writing a parameter change and the restart: hooks and module names
    # match, only the parameter the agent loaded is the old one.
    run_module(agent_hooks, args(host, tmp_path))
    old = dict(PROBE_LIB, modules=[dict(PROBE_LIB["modules"][0], parameters=[("env", "A=0")])])
    agent = live_agent(["com_example_Other", "org_fleet_Probe"], [OTHER_LIB, old])
    try:
        result = run_module(agent_hooks, args(host, tmp_path, agent_url=agent.url), check_mode=True)
        assert result["changed"] is False
        assert result["live_stale"] == "runs module org_fleet_Probe with other parameters than the files give (env)"
    finally:
        agent.close()


def test_new_artifact_written_but_agent_not_restarted_is_stale(run_module, host, tmp_path):
    run_module(agent_hooks, args(host, tmp_path))
    old = dict(PROBE_LIB, file="/var/lib/mesos-fleet-artifacts/probe/0ld/libprobe.so")
    agent = live_agent(["com_example_Other", "org_fleet_Probe"], [OTHER_LIB, old])
    try:
        result = run_module(agent_hooks, args(host, tmp_path, agent_url=agent.url), check_mode=True)
        assert result["live_stale"] == "runs module org_fleet_Probe from %s, the files say %s" % (old["file"], SO)
    finally:
        agent.close()


def test_a_rotated_secret_not_yet_loaded_is_stale_and_named_by_key_only(run_module, host, tmp_path):
    run_module(agent_hooks, args(host, tmp_path, present=SECRET_PRESENT, secrets=SECRETS))
    loaded = dict(PROBE_LIB, modules=[dict(name="org_fleet_Probe", parameters=[("api_token", SECRET), ("env", "A=1")])])
    agent = live_agent(["com_example_Other", "org_fleet_Probe"], [OTHER_LIB, loaded])
    try:
        same = run_module(agent_hooks, args(host, tmp_path, present=SECRET_PRESENT, secrets=SECRETS,
                                            agent_url=agent.url), check_mode=True)
        assert same["live_stale"] == ""
        rotated = {"org_fleet_Probe": {"api_token": "n3w-T0ken"}}
        run_module(agent_hooks, args(host, tmp_path, present=SECRET_PRESENT, secrets=rotated))
        result = run_module(agent_hooks, args(host, tmp_path, present=SECRET_PRESENT, secrets=rotated,
                                              agent_url=agent.url), check_mode=True)
        assert result["changed"] is False
        assert result["live_stale"] == "runs module org_fleet_Probe with other parameters than the files give (api_token)"
        assert SECRET not in str(result) and "n3w-T0ken" not in str(result)
    finally:
        agent.close()


def test_an_agent_that_does_not_answer_fails_before_anything_is_written(run_module, host, tmp_path):
    before = read_tree(host)
    result = run_module(agent_hooks, args(host, tmp_path, agent_url="http://127.0.0.1:9", request_timeout=1))
    assert result.failed and "127.0.0.1:9" in result["msg"]
    assert read_tree(host) == before and not (tmp_path / "snapshots").exists()


def test_secret_values_the_agent_shows_in_its_flags_are_masked(run_module, host, tmp_path):
    secret = "t0ken-from-vault"
    lib = {"file": SO, "modules": [{"name": "org_fleet_Probe", "parameters": [("api_token", secret)]}]}
    agent = live_agent(["org_fleet_Probe"], [lib])
    try:
        result = run_module(agent_hooks, args(host, tmp_path, agent_url=agent.url,
                                              secrets={"org_fleet_Probe": {"api_token": secret}}), check_mode=True)
        assert result["live"]["hooks"] == ["org_fleet_Probe"]
        assert secret not in json.dumps(dict(result))
    finally:
        agent.close()
