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
                    "hooks": ["org_fleet_Probe"], "isolation": [], "allow_resource_decorators": False}
    assert hs.normalise(None, "/x") == []


def test_isolator_modules_go_to_isolation_and_the_others_stay_hooks():
    modules = [{"name": "org_fleet_Hook"}, {"name": "org_fleet_Isolator"}]
    [hook] = hs.normalise([with_(modules=modules, isolation=["org_fleet_Isolator"])], "/coll/hook_src")
    assert (hook["hooks"], hook["isolation"]) == (["org_fleet_Hook"], ["org_fleet_Isolator"])
    problems = hs.problems([with_(modules=modules, hooks=["org_fleet_Isolator"], isolation=["org_fleet_Isolator", "x"])],
                           "/coll/hook_src")
    assert any("isolation: 'x' is not one of this hook's modules" in p for p in problems)
    assert any("'org_fleet_Isolator' is listed under both hooks and isolation" in p for p in problems)


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
