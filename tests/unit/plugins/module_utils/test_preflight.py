import os

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_discovery
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import preflight as pf
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import host_lock
from ansible_collections.mesos_fleet.hooks.plugins.modules import agent_info

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
CMD = "slaveRunTaskLabelDecorator_command"


@pytest.fixture
def tree(tmp_path):
    """<tmp>/usr/libexec/hooks/label: root-owned 0755 in 0755 directories (a good command)."""
    directory = tmp_path / "usr" / "libexec" / "hooks"
    directory.mkdir(parents=True)
    for d in (tmp_path / "usr", tmp_path / "usr" / "libexec", directory):
        os.chmod(str(d), 0o755)
    command = directory / "label"
    command.write_text("#!/bin/sh\ncat\n")
    os.chmod(str(command), 0o755)
    return tmp_path


def problem(tree, path="/usr/libexec/hooks/label"):
    return pf.command_path_problem(path, owner=os.geteuid(), root=str(tree))


def test_a_good_command_passes(tree):
    assert problem(tree) is None


# case, change to the tree, expected text
CASES = [
    ("relative", None, "bin/label", "command 'bin/label' must be an absolute path"),
    ("missing", None, "/usr/libexec/hooks/nope", "command '/usr/libexec/hooks/nope' does not exist or is not accessible"),
    ("directory", None, "/usr/libexec/hooks", "command '/usr/libexec/hooks' is not a regular file"),
    ("not-executable", ("usr/libexec/hooks/label", 0o644), None, "is not executable (mode 0644)"),
    ("group-writable", ("usr/libexec/hooks/label", 0o775), None,
     "command '/usr/libexec/hooks/label' must not be writable by group or others (mode 0775); chmod go-w"),
    ("world-writable", ("usr/libexec/hooks/label", 0o757), None, "must not be writable by group or others (mode 0757)"),
    ("writable-directory", ("usr/libexec", 0o777), None,
     "directory '/usr/libexec' of command '/usr/libexec/hooks/label' must be owned by root and not writable by group "
     "or others"),
]


@pytest.mark.parametrize("change, path, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_commands_the_hook_would_refuse(tree, change, path, expected):
    if change:
        os.chmod(str(tree / change[0]), change[1])
    assert expected in problem(tree, path or "/usr/libexec/hooks/label")


def test_sticky_root_owned_directory_is_allowed(tree):
    os.chmod(str(tree / "usr"), 0o1777)
    if os.stat(str(tree / "usr")).st_uid == 0:
        assert problem(tree) is None


@ROOT_ONLY
def test_command_not_owned_by_root(tree):
    os.chown(str(tree / "usr/libexec/hooks/label"), 1234, 1234)
    assert problem(tree) == ("command '/usr/libexec/hooks/label' must be owned by uid 0 (owned by uid 1234); "
                             "chown root")


@ROOT_ONLY
def test_directory_not_owned_by_root(tree):
    os.chown(str(tree / "usr/libexec"), 1234, 1234)
    assert "directory '/usr/libexec' of command" in problem(tree)


def test_command_problems_name_module_and_parameter(tree):
    os.chmod(str(tree / "usr/libexec/hooks/label"), 0o775)
    modules = [{"name": "mesos_fleet_hooks_CommandHook1", "parameters": [
        {"key": CMD, "value": "/usr/libexec/hooks/label"}, {"key": "name", "value": "labels"}]}]
    [message] = pf.command_problems(modules, owner=os.geteuid(), root=str(tree))
    assert message.startswith("mesos_hooks module mesos_fleet_hooks_CommandHook1 parameter %s: command" % CMD)
    assert "the agent would not start" in message


def test_a_command_shipped_with_its_hook_is_checked_where_it_goes_not_as_it_stands(tree):
    # Not there yet (or group-writable now): the rollout installs it, root-owned, before the restart.
    os.chmod(str(tree / "usr/libexec/hooks/label"), 0o775)
    modules = [{"name": "mesos_fleet_hooks_CommandHook1", "parameters": [
        {"key": CMD, "value": "/usr/libexec/hooks/label"}, {"key": "slavePostFetchHook_command", "value": "/opt/new/fetch"}]}]
    shipped = ["/usr/libexec/hooks/label", "/opt/new/fetch"]
    assert pf.command_problems(modules, owner=os.geteuid(), root=str(tree), shipped=shipped) == []
    # A directory above it that others can write, or a directory where the file goes, is refused.
    os.chmod(str(tree / "usr/libexec"), 0o777)
    (tree / "opt/new/fetch").mkdir(parents=True)
    assert pf.command_problems(modules, owner=os.geteuid(), root=str(tree), shipped=shipped) == [
        "mesos_hooks files: directory '/usr/libexec' of '/usr/libexec/hooks/label' must be owned by root and not "
        "writable by group or others (uid %d, mode 0777)" % os.geteuid(),
        "mesos_hooks files: '/opt/new/fetch' is there but not a regular file; the hook's file would not replace it"]


def test_modules_and_modules_dir_together_are_refused():
    [message] = pf.flag_problems({"modules": "file:///etc/mesos/modules.json", "modules_dir": "/etc/mesos/modules.d"})
    assert "sets both --modules=file:///etc/mesos/modules.json and --modules_dir=/etc/mesos/modules.d" in message
    assert "Keep one" in message
    assert pf.flag_problems({"modules": "/etc/m.json"}) == [] and pf.flag_problems({"modules_dir": "/d"}) == []


def snapshot_tree(root):
    return sorted((str(p), p.stat().st_mode, p.stat().st_mtime) for p in root.rglob("*"))


def no_run(argv):
    raise AssertionError("nothing is run on a host discovery cannot use: %s" % argv)


def test_survey_reads_only_and_reports_every_problem(tree):
    for name, text in {"modules": "/etc/mesos/modules.json\n", "modules_dir": "/etc/mesos/modules.d\n",
                       "hooks": "com_example_Other\n"}.items():
        path = tree / "etc" / "mesos-slave" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    os.chmod(str(tree / "usr/libexec/hooks/label"), 0o775)
    before = snapshot_tree(tree)
    modules = [{"name": "m1", "parameters": [{"key": CMD, "value": "/usr/libexec/hooks/label"}]}]
    # Without pyelftools the flags are still checked; the rest waits for the install.
    found = agent_discovery.survey(no_run, lambda name: None, preflight_modules=modules, have_elftools=False,
                                   root=str(tree), style="flagdir")
    assert found["facts"] is None and found["requirements_missing"] == ["pyelftools"]
    assert len(found["problems"]) == (2 if os.geteuid() == 0 else 3)
    assert any("must not be writable by group or others" in p for p in found["problems"])
    assert any("sets both --modules" in p for p in found["problems"])
    assert snapshot_tree(tree) == before


def test_survey_names_a_requirement_nobody_will_install(tmp_path):
    found = agent_discovery.survey(no_run, lambda name: None, have_elftools=False, install_requirements=False,
                                   root=str(tmp_path), read_flags=False)
    assert found["problems"] == ["pyelftools is not installed (Debian: python3-pyelftools); install it or set "
                                 "mesos_discover_install_requirements=true"]


def test_survey_reports_a_host_without_mesos_instead_of_failing(run_module, tmp_path):
    result = run_module(agent_info, dict(survey=True, prefix=str(tmp_path), check_health=False))
    assert not result.failed and not result["changed"]
    assert result["problems"] == ["discovery: no mesos-agent or mesos-slave binary under %s" % tmp_path]
    assert "ansible_facts" not in result


def test_lock_problem_reads_only_and_agrees_with_acquire(tmp_path):
    lock = str(tmp_path / "rollout.lock")
    assert pf.lock_problem(lock, now=1000) is None
    assert host_lock.acquire(lock, "run-a", now=1000)
    problem = pf.lock_problem(lock, now=1090)
    assert problem.startswith("another rollout (run-a) holds this host since ")
    assert "(90 s ago)" in problem and "-e mesos_rollout_lock_stale_after=89" in problem
    assert pf.lock_problem(lock, stale_after=100, now=1090) is not None
    assert pf.lock_problem(lock, stale_after=89, now=1090) is None
    assert host_lock.read_lock(lock)["run_id"] == "run-a"  # looking did not break it
    # Where lock_problem sees no problem, acquire takes the lock; where it sees one, it refuses.
    with pytest.raises(host_lock.LockError):
        host_lock.acquire(lock, "run-b", now=1090, stale_after=100)
    assert host_lock.acquire(lock, "run-b", now=1090, stale_after=89) is True
