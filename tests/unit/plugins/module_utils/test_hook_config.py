"""The preview discovery makes before the hooks are built: the paths it assumes, and that where
they hold it says what agent_hooks would say in check mode, on the same host."""
import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_discovery
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_config
from ansible_collections.mesos_fleet.hooks.plugins.modules import agent_hooks

from file_trees import FLAGDIR_AGENT, OTHER_MANIFEST as MANIFEST, read_tree, write_tree

SO = "/var/lib/mesos-fleet-hooks/artifacts/probe/%s/libprobe_hook.so" % ("b" * 64)
NEW_SO = SO.replace("b" * 64, "c" * 64)
PROBE = dict(name="probe", state="present", hooks=["org_fleet_Probe"],
             modules=[dict(name="org_fleet_Probe", parameters=[dict(key="env", value="A=1")],
                           secret_parameters=["token"])])
SECRETS = {"org_fleet_Probe": {"token": "s3cret"}}
MANAGED = "/etc/mesos-fleet-hooks/modules.json"
DIR_FILE = "50-mesos-fleet-hooks.json"


@pytest.fixture
def host(tmp_path):
    write_tree(tmp_path / "host", FLAGDIR_AGENT)
    return tmp_path / "host"


def hooks_args(host, tmp_path, spec, secrets, file, check_mode):
    present = [dict(file=file, modules=spec["modules"], hooks=spec["hooks"])] if spec["state"] == "present" else []
    absent = [m["name"] for m in spec["modules"]] if spec["state"] == "absent" else []
    return dict(present=present, absent=absent, secrets=secrets, root=str(host),
                backup_dir=str(tmp_path / "backup"), snapshot_dir=str(tmp_path / "snapshots"))


def at_discovery(host, tmp_path, spec, secrets=None, live=None):
    secrets = SECRETS if secrets is None else secrets
    store = flag_stores.make_store("flagdir", root=str(host))
    present = [spec] if spec["state"] == "present" else []
    absent = [m["name"] for m in spec["modules"]] if spec["state"] == "absent" else []
    return hook_config.preview_at_discovery(store, present, absent, secrets, MANAGED, DIR_FILE,
                                            str(tmp_path / "backup"), live=live)


def deployed(run_module, host, tmp_path):
    result = run_module(agent_hooks, hooks_args(host, tmp_path, PROBE, SECRETS, SO, False))
    assert result["changed"]


def check_mode(run_module, host, tmp_path, spec, secrets=None, file=SO):
    secrets = SECRETS if secrets is None else secrets
    result = run_module(agent_hooks, hooks_args(host, tmp_path, spec, secrets, file, True), check_mode=True)
    return dict((k, v) for k, v in result.items() if k not in ("invocation", "warnings", "deprecations"))


def test_a_host_without_the_hook_has_no_path_to_assume_and_no_preview(host, tmp_path):
    before = read_tree(host)
    found = at_discovery(host, tmp_path, PROBE)
    assert found == {"assumes": {"probe": None}}
    assert read_tree(host) == before


@pytest.mark.parametrize("spec, secrets, changed", [
    (PROBE, SECRETS, False),                                        # the run that changes nothing
    (dict(PROBE, modules=[dict(PROBE["modules"][0], parameters=[dict(key="env", value="A=2")])]), SECRETS, True),
    (PROBE, {"org_fleet_Probe": {"token": "rotated"}}, True),       # a new secret value
    (dict(PROBE, state="absent"), {}, True),                        # taken out: no artifact needed
])
def test_where_the_library_stays_the_preview_is_what_agent_hooks_says_in_check_mode(
        run_module, host, tmp_path, spec, secrets, changed):
    deployed(run_module, host, tmp_path)
    before = read_tree(host)
    found = at_discovery(host, tmp_path, spec, secrets)
    expected = check_mode(run_module, host, tmp_path, spec, secrets)
    assert found["assumes"] == ({"probe": SO} if spec["state"] == "present" else {})
    assert found["result"]["changed"] is changed
    assert found["result"] == expected
    assert read_tree(host) == before


def test_a_new_build_is_assumed_at_the_old_path_so_the_controller_sees_it_differs(run_module, host, tmp_path):
    deployed(run_module, host, tmp_path)
    found = at_discovery(host, tmp_path, PROBE)
    assert found["assumes"] == {"probe": SO} and found["result"]["changed"] is False
    # What the host would plan for the new build: the controller must not take the preview for it.
    assert check_mode(run_module, host, tmp_path, PROBE, file=NEW_SO)["changed"] is True


def test_the_preview_says_when_the_running_agent_lags_behind_its_files(run_module, host, tmp_path):
    deployed(run_module, host, tmp_path)
    live = {"id": "S1", "hooks": ["com_example_Other"], "module_names": ["com_example_Other"], "modules": ""}
    found = at_discovery(host, tmp_path, PROBE, live=live)
    assert found["result"]["changed"] is False
    assert "runs --hooks=[com_example_Other], the files say [com_example_Other,org_fleet_Probe]" in found["result"]["live_stale"]


def test_discovery_leaves_out_a_preview_it_cannot_work_out(host, tmp_path):
    (host / "etc/mesos/modules.json").write_text("{not json")
    facts = dict(style="flagdir", agent_url="http://127.0.0.1:5051")
    change = dict(hooks=[PROBE], position="append", managed_path=MANAGED, dir_file_name=DIR_FILE,
                  backup_dir=str(tmp_path / "backup"))
    assert agent_discovery.rollout_preview(facts, change, SECRETS, root=str(host), snapshot=lambda url, timeout: {}) is None
    (host / "etc/mesos/modules.json").write_text(MANIFEST)
    found = agent_discovery.rollout_preview(facts, change, SECRETS, root=str(host),
                                            snapshot=lambda url, timeout: {"hooks": ["com_example_Other"]})
    assert found == {"assumes": {"probe": None}}


def test_the_preview_never_holds_a_secret_value(run_module, host, tmp_path):
    import json
    deployed(run_module, host, tmp_path)
    loaded = (host / "etc/mesos/modules.json").read_text()
    assert "s3cret" in loaded  # the agent needs it; the preview must not carry it to the controller
    live = {"id": "S1", "hooks": ["com_example_Other", "org_fleet_Probe"],
            "module_names": ["com_example_Other", "org_fleet_Probe"], "modules": loaded}
    found = at_discovery(host, tmp_path, PROBE, live=live)
    assert found["result"]["live_stale"] == "" and "s3cret" not in json.dumps(found)
