import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_spec as hs

GOOD = {"name": "probe", "modules": [{"name": "org_fleet_Probe", "parameters": {"env": "A=1"}}]}


def with_(**kw):
    hook = dict(GOOD)
    hook.update(kw)
    return hook


def test_defaults_are_filled_in():
    [hook] = hs.normalise([GOOD], "/coll/hook_src")
    assert hook == {"name": "probe", "source": "/coll/hook_src/probe", "state": "present",
                    "modules": [{"name": "org_fleet_Probe", "parameters": [{"key": "env", "value": "A=1"}],
                                 "secret_parameters": []}],
                    "hooks": ["org_fleet_Probe"], "isolation": [], "allow_resource_decorators": False,
                    "files": [], "restart_for_files": False}
    assert hs.normalise(None, "/x") == []


def test_isolator_modules_go_to_isolation_and_the_others_stay_hooks():
    modules = [{"name": "org_fleet_Hook"}, {"name": "org_fleet_Isolator"}]
    [hook] = hs.normalise([with_(modules=modules, isolation=["org_fleet_Isolator"])], "/coll/hook_src")
    assert (hook["hooks"], hook["isolation"]) == (["org_fleet_Hook"], ["org_fleet_Isolator"])
    problems = hs.problems([with_(modules=modules, hooks=["org_fleet_Isolator"], isolation=["org_fleet_Isolator", "x"])],
                           "/coll/hook_src")
    assert any("isolation: 'x' is not one of this hook's modules" in p for p in problems)
    assert any("'org_fleet_Isolator' is listed under both hooks and isolation" in p for p in problems)


def test_files_shipped_with_a_hook_are_checked_and_normalised(tmp_path):
    script = tmp_path / "env-hook"
    script.write_text("#!/bin/sh\n")
    [hook] = hs.normalise([with_(files=[{"src": str(script), "dest": "/usr/local/bin/env-hook"},
                                        {"src": str(script), "dest": "/etc/env-hook.conf", "mode": 0o644}])], "/c")
    assert hook["files"] == [{"src": str(script), "dest": "/usr/local/bin/env-hook", "mode": "0755"},
                             {"src": str(script), "dest": "/etc/env-hook.conf", "mode": "0644"}]
    problems = hs.problems([
        with_(files=[{"src": str(tmp_path / "nope"), "dest": "/usr/local/bin/a"},
                     {"src": str(script), "dest": "bin/b"},
                     {"src": str(script), "dest": "/usr/local/bin/c", "mode": "0775"},
                     {"src": str(script), "dest": "/usr/local/bin/d", "mode": "rwx"},
                     {"src": str(script), "dest": "/usr/local/bin/e", "owner": "nobody"}]),
        with_(name="other", modules=[{"name": "org_fleet_Other"}],
              files=[{"src": str(script), "dest": "/usr/local/bin/c"}, {"src": str(script), "dest": "/usr/local/bin/e"}]),
    ], "/c")
    assert problems == [
        "mesos_hooks[0] (probe).files[0].src: %s is not a file on the controller" % (tmp_path / "nope"),
        "mesos_hooks[0] (probe).files[1].dest: 'bin/b' must be an absolute path on the host",
        "mesos_hooks[0] (probe).files[2].mode: 0775 lets group or others write /usr/local/bin/c; the command hook "
        "refuses a command that others can change",
        "mesos_hooks[0] (probe).files[3].mode: 'rwx' must be an octal mode such as \"0755\"",
        "mesos_hooks[0] (probe).files[4]: unknown key(s) owner (allowed: src, dest, mode)",
        "mesos_hooks[1] (other).files[1].dest: /usr/local/bin/e is also shipped by hook '[0] (probe)'",
    ]


@pytest.mark.parametrize("parameters, restart", [
    ({"slaveRunTaskLabelDecorator_command": "/usr/local/bin/label"}, False),
    ({"slaveRunTaskLabelDecorator_command": "/usr/local/bin/label", "mode": "oneshot"}, False),
    ({"slaveRunTaskLabelDecorator_command": "/usr/local/bin/label", "mode": "persistent"}, True),
    ({"slaveRunTaskLabelDecorator_command": "/usr/local/bin/label", "slaveRunTaskLabelDecorator_mode": "persistent"},
     True),
])
def test_files_of_a_persistent_command_restart_the_daemon(parameters, restart):
    [hook] = hs.normalise([with_(modules=[{"name": "m", "parameters": parameters}])], "/c")
    assert hook["restart_for_files"] is restart


@pytest.mark.parametrize("hooks, message", [
    ({"name": "probe"}, "must be a list of hooks"),
    (["probe"], "[0]: must be a mapping"),
    ([with_(colour="blue")], "unknown key(s) colour"),
    ([with_(name="")], "[0].name: must be a non-empty string"),
    ([with_(name=7)], "must be a non-empty string"),
    ([with_(name="../etc")], "must be a plain directory name"),
    ([GOOD, GOOD], "hook 'probe' is declared twice"),
    ([with_(source="hooks/probe")], "must be an absolute path"),
    ([with_(source="/srv/../etc")], "must not contain '..'"),
    ([with_(state="gone")], "must be present or absent"),
    ([with_(position="prepend")], "unknown key(s) position"),
    ([with_(allow_resource_decorators="yes")], "must be true or false"),
    ([with_(files={"src": "/a", "dest": "/b"})], "files: must be a list of {src, dest, mode}"),
    ([with_(modules=[])], "must list at least one module"),
    ([with_(modules=[{"name": "org-fleet"}])], "'org-fleet' is not a valid C identifier"),
    ([with_(modules=[{"name": "1abc"}])], "not a valid C identifier"),
    ([with_(modules=[{"name": "m", "params": {}}])], "unknown key(s) params"),
    ([with_(modules=[{"name": "m", "parameters": {"timeout": 5}}])], "value of 'timeout' must be a string"),
    ([with_(modules=[{"name": "m", "parameters": [{"value": "x"}]}])], "must be an object with 'key'"),
    ([with_(hooks=["other"])], "'other' is not one of this hook's modules"),
    ([with_(hooks="org_fleet_Probe")], "must be a list of module names"),
    ([with_(hooks=["org_fleet_Probe", "org_fleet_Probe"])], "lists a module twice"),
    ([GOOD, with_(name="probe2")], "module 'org_fleet_Probe' is already declared by hook 'probe'"),
])
def test_bad_declarations_are_refused_naming_the_entry(hooks, message):
    with pytest.raises(hs.HookSpecError) as e:
        hs.normalise(hooks, "/coll/hook_src")
    assert message in str(e.value)
    assert str(e.value).startswith("mesos_hooks")
