"""Module and hook loading: what a real agent accepts, and what it refuses
with exit status 1 and Mesos's own words."""

import json
import os

import pytest

from standin_helpers import PROBE, environ_of, get, manifest, pid_alive, post, registered, wait_for


def test_probe_hook_loads_and_decorates_task_environment(run_agent, master, probe, tasks):
    m = master()
    modules = manifest(probe, parameters=[("env_value", "from-probe")])
    agent = run_agent("--modules=%s" % json.dumps(modules), "--hooks=" + PROBE,
                      master="127.0.0.1:%d" % m.port).wait_healthy()

    flags = get(agent.port, "/flags")[1]["flags"]
    assert flags["hooks"] == PROBE
    # Mesos shows --modules as the protobuf text of the parsed manifest.
    assert flags["modules"] == (
        'libraries {\n  file: "%s"\n  modules {\n    name: "%s"\n    parameters {\n'
        '      key: "env_value"\n      value: "from-probe"\n    }\n  }\n}\n' % (probe, PROBE))

    wait_for(lambda: registered(agent))
    status, task = post(agent.port, "/standin/launch", {"task_id": "t1",
                                                        "environment": {"MINE": "1"}})
    assert status == 200, task
    tasks.append(task["pid"])
    env = environ_of(task["pid"])
    assert env["MESOS_FLEET_PROBE"] == "from-probe"
    assert env["MINE"] == "1"  # the hook extends the command's environment

    state = get(agent.port, "/state")[1]
    running = [t for f in state["frameworks"] for e in f["executors"] for t in e["tasks"]]
    assert [(t["id"], t["state"]) for t in running] == [("t1", "TASK_RUNNING")]
    assert state["version"] == "1.11.0"
    assert state["flags"]["hooks"] == PROBE


def test_task_without_hooks_has_no_probe_variable(run_agent, master, tasks):
    m = master()
    agent = run_agent(master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: registered(agent))
    status, task = post(agent.port, "/standin/launch", {})
    tasks.append(task["pid"])
    assert "MESOS_FLEET_PROBE" not in environ_of(task["pid"])


@pytest.mark.parametrize("form", ["file_url", "path", "inline"])
def test_modules_flag_forms(run_agent, probe, tmp_path, form):
    path = tmp_path / "modules.json"
    path.write_text(json.dumps(manifest(probe)))
    value = {"file_url": "file://%s" % path, "path": str(path),
             "inline": json.dumps(manifest(probe))}[form]
    agent = run_agent("--modules=" + value, "--hooks=" + PROBE).wait_healthy()
    assert 'name: "%s"' % PROBE in get(agent.port, "/flags")[1]["flags"]["modules"]


def test_flags_from_environment_and_command_line(run_agent, probe, tmp_path):
    modules_dir = tmp_path / "modules.d"
    modules_dir.mkdir()
    (modules_dir / "probe.json").write_text(json.dumps(manifest(probe)))
    # MESOS_* variables set flags (DC/OS style); the command line wins.
    agent = run_agent("--logging_level=WARNING", env={
        "MESOS_MODULES_DIR": str(modules_dir), "MESOS_HOOKS": PROBE,
        "MESOS_LOGGING_LEVEL": "ERROR", "MESOS_NOT_A_FLAG": "ignored"}).wait_healthy()
    flags = get(agent.port, "/flags")[1]["flags"]
    assert flags["modules_dir"] == str(modules_dir)
    assert flags["hooks"] == PROBE
    assert flags["logging_level"] == "WARNING"
    assert "modules" not in flags


def test_same_module_twice_identical_is_accepted(run_agent, probe):
    library = manifest(probe)["libraries"][0]
    agent = run_agent("--modules=%s" % json.dumps({"libraries": [library, library]}),
                      "--hooks=" + PROBE)
    agent.wait_healthy()


def _cases(prefixes, probe, probe_from, build_module, tmp_path):
    """(flags, env, expected stderr text or texts) per refusal."""
    old, new = probe_from("old"), probe_from("new")
    pinned, fork = probe_from("new", pin=True), probe_from("fork")
    odd_api = build_module("odd_api", API_VERSION='"1"')
    odd_kind = build_module("odd_kind", KIND='"Isolator"')
    odd_unknown = build_module("odd_unknown", KIND='"Bogus"')
    odd_null = build_module("odd_null", NULL_AUTHOR="1")
    odd_incompatible = build_module("odd_incompatible", COMPATIBLE="false")
    missing = str(tmp_path / "no-such-lib.so")
    mods = lambda *a, **k: "--modules=" + json.dumps(manifest(*a, **k))  # noqa: E731
    dir1 = tmp_path / "d"
    dir1.mkdir()
    (dir1 / "10-good.json").write_text(json.dumps(manifest(probe)))
    (dir1 / "20-bad.json").write_text(json.dumps(manifest(old)))
    dir2 = tmp_path / "d2"
    dir2.mkdir()
    (dir2 / "probe.json").write_text(json.dumps(manifest(probe)))
    (dir2 / "probe.json~").write_text("editor backup, not JSON")
    hooks = "--hooks=" + PROBE
    return {
        "older_version": (
            [mods(old), hooks], None,
            "EXIT with status 1: Error loading modules: Error verifying module "
            "'%s': Minimum supported mesos version for 'Hook' is 1.11.0, but module is "
            "compiled with version 1.10.0" % PROBE),
        "newer_version": (
            [mods(new), hooks], None,
            "Error loading modules: Error verifying module '%s': Mesos has version 1.11.0, "
            "but module is compiled with version 1.12.0" % PROBE),
        "api_version_1": (
            [mods(odd_api, name="odd_api")], None,
            "Error loading modules: Error verifying module 'odd_api': Module API version "
            "mismatch. Mesos has: 2, library requires: 1"),
        "unknown_kind": (
            [mods(odd_unknown, name="odd_unknown")], None,
            "Error verifying module 'odd_unknown': Unknown module kind: Bogus"),
        "wrong_kind_as_hook": (
            [mods(odd_kind, name="odd_kind"), "--hooks=odd_kind"], None,
            "Error installing hooks: No hook module named 'odd_kind' available"),
        "missing_field": (
            [mods(odd_null, name="odd_null")], None,
            "Error verifying module 'odd_null': Error loading module 'odd_null'; "
            "missing fields"),
        "incompatible": (
            [mods(odd_incompatible, name="odd_incompatible")], None,
            "Module odd_incompatiblehas determined to be incompatible"),
        "missing_symbol": (
            [mods(probe, name="org_example_Nope")], None,
            "Error loading modules: Error loading module 'org_example_Nope': Error looking "
            "up symbol 'org_example_Nope' in '%s' : %s: undefined symbol: org_example_Nope"
            % (probe, probe)),
        "unresolved_libmesos_symbol": (
            [mods(pinned), hooks], None,
            "Error loading modules: Error opening library: '%s': Could not load library "
            "'%s': %s: undefined symbol: _ZN5mesos19build_1_12_0_abi_v1Ev"
            % (pinned, pinned, pinned)),
        "abi_fork": (
            [mods(fork), hooks], None,
            # Same version, other ABI: every libmesos symbol is missing.
            ("Error loading modules: Error opening library: '%s'" % fork,
             "%s: undefined symbol: _Z" % fork, "5mesos8abi_fork")),
        "missing_library": (
            [mods(missing), hooks], None,
            "Error loading modules: Error opening library: '%s': Could not load library "
            "'%s': %s: cannot open shared object file: No such file or directory"
            % (missing, missing, missing)),
        "hook_not_loaded": (
            [mods(probe), "--hooks=%s,org_example_Other" % PROBE], None,
            "Error installing hooks: No hook module named 'org_example_Other' available"),
        "hook_without_modules": (
            [hooks], None,
            "Error installing hooks: No hook module named '%s' available" % PROBE),
        "hook_twice": (
            [mods(probe), "--hooks=%s,%s" % (PROBE, PROBE)], None,
            "Error installing hooks: Hook module '%s' already loaded" % PROBE),
        "empty_hooks_variable": (
            [mods(probe)], {"MESOS_HOOKS": ""},
            "Error installing hooks: No hook module named '' available"),
        "create_fails": (
            [mods(probe, parameters=[("env_value", "x"), ("fail_create", "true")]), hooks],
            None,
            "Error installing hooks: Failed to instantiate hook module '%s': Error creating "
            "Module instance for '%s'" % (PROBE, PROBE)),
        "create_bad_parameter": (
            [mods(probe, parameters=[("no_such_key", "x")]), hooks], None,
            "Error creating Module instance for '%s'" % PROBE),
        "same_name_other_parameters": (
            ["--modules=" + json.dumps({"libraries": [
                manifest(probe)["libraries"][0],
                manifest(probe, parameters=[("env_value", "other")])["libraries"][0]]})],
            None,
            "Error loading modules: Error loading module '%s'; this is potentially due to "
            "duplicate module names; A module with same name but different parameters "
            "already exists" % PROBE),
        "modules_and_modules_dir": (
            [mods(probe), "--modules_dir=%s" % dir1], None,
            "EXIT with status 1: Only one of --modules or --modules_dir should be specified"),
        "modules_dir_bad_file": (
            [], {"MESOS_MODULES_DIR": str(dir1)},
            "Error loading modules: Error loading modules from '%s': Error verifying module "
            "'%s': Minimum supported mesos version" % (dir1 / "20-bad.json", PROBE)),
        # Mesos reads every file of --modules_dir, whatever its name.
        "modules_dir_stray_file": (
            ["--modules_dir=%s" % dir2, hooks], None,
            "Error loading modules: Error parsing module manifest file '%s': "
            % (dir2 / "probe.json~")),
    }


CASES = ["older_version", "newer_version", "api_version_1", "unknown_kind",
         "wrong_kind_as_hook", "missing_field", "incompatible", "missing_symbol",
         "unresolved_libmesos_symbol", "abi_fork", "missing_library", "hook_not_loaded",
         "hook_without_modules", "hook_twice", "empty_hooks_variable", "create_fails",
         "create_bad_parameter", "same_name_other_parameters", "modules_and_modules_dir",
         "modules_dir_bad_file", "modules_dir_stray_file"]


@pytest.fixture(scope="module")
def cases(prefixes, probe, probe_from, build_module, tmp_path_factory):
    return _cases(prefixes, probe, probe_from, build_module, tmp_path_factory.mktemp("cases"))


@pytest.mark.parametrize("case", CASES)
def test_agent_refuses_with_mesos_message(cases, run_agent, case):
    flags, env, expected = cases[case]
    agent = run_agent(*flags, env=env)
    assert agent.wait_exit() == 1
    log = agent.log()
    for part in expected if isinstance(expected, tuple) else (expected,):
        assert part in log, log
    assert not agent.healthy()


def test_refusing_agent_leaves_running_tasks_alone(cases, run_agent, master, probe, tmp_path,
                                                   tasks):
    m = master()
    work_dir = tmp_path / "work"
    good = run_agent(work_dir=work_dir, master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: registered(good))
    task = post(good.port, "/standin/launch", {"task_id": "keep"})[1]
    tasks.append(task["pid"])
    good.stop()
    flags, env, _ = cases["newer_version"]
    bad = run_agent(*flags, work_dir=work_dir, master="127.0.0.1:%d" % m.port)
    assert bad.wait_exit() == 1
    assert pid_alive(task["pid"])


def test_unknown_command_line_flag_is_an_error(run_agent):
    agent = run_agent("--hook=x")
    assert agent.wait_exit() == 1
    assert "Failed to load unknown flag 'hook'" in agent.log()


def test_version_flag(prefix, prefixes):
    import subprocess
    for name, version in (("main", "1.11.0"), ("new", "1.12.0")):
        out = subprocess.run([os.path.join(prefixes[name], "sbin/mesos-agent"), "--version"],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True)
        assert out.stdout == "mesos %s\n" % version


def test_hooks_run_in_order_each_seeing_the_previous_result(run_agent, master, probe,
                                                            build_module, tasks):
    m = master()
    seer = build_module("odd_seer", DECORATE="1")
    failing = build_module("odd_failing", DECORATE_ERROR="1")
    modules = {"libraries": [
        manifest(probe)["libraries"][0],
        {"file": seer, "modules": [{"name": "odd_seer"}]},
        {"file": failing, "modules": [{"name": "odd_failing"}]}]}
    results, logs = {}, {}
    for order in ("%s,odd_failing,odd_seer" % PROBE, "odd_seer,%s" % PROBE):
        agent = run_agent("--modules=" + json.dumps(modules), "--hooks=" + order,
                          master="127.0.0.1:%d" % m.port).wait_healthy()
        wait_for(lambda: registered(agent))
        task = post(agent.port, "/standin/launch", {"environment": {"OWN": "1"}})[1]
        tasks.append(task["pid"])
        results[order] = environ_of(task["pid"])
        agent.stop()
        logs[order] = agent.log()
    first, second = results.values()
    # A failing decorator is logged and skipped; the next hook sees the probe's output.
    assert first["ODD_SEEN"] == "OWN,MESOS_FLEET_PROBE,"
    assert first["MESOS_FLEET_PROBE"] == "probe-ok"
    assert "hook failed for module 'odd_failing': odd decorator failed" in list(logs.values())[0]
    assert second["ODD_SEEN"] == "OWN,"
    assert second["MESOS_FLEET_PROBE"] == "probe-ok"
