import json
import os
import shutil
import subprocess
import time

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_discovery as ad
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores

pytestmark = pytest.mark.skipif(not shutil.which("g++"), reason="needs g++ to build a libmesos with a build-id")


def run(argv):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def libmesos(tmp_path_factory):
    d = tmp_path_factory.mktemp("lib")
    src = d / "m.cpp"
    src.write_text("int mesos_marker() { return 1; }\n")
    out = d / "libmesos.so"
    subprocess.check_call(["g++", "-shared", "-fPIC", "-Wl,--build-id", str(src), "-o", str(out)])
    return out


def make_host(root, libmesos, version="1.11.0", flags=None):
    prefix = root / "opt" / "mesos"
    (prefix / "sbin").mkdir(parents=True)
    agent = prefix / "sbin" / "mesos-agent"
    agent.write_text("#!/bin/sh\necho 'mesos %s'\n" % version)
    agent.chmod(0o755)
    (prefix / "lib").mkdir()
    shutil.copy(str(libmesos), str(prefix / "lib" / ("libmesos-%s.so" % version)))
    (prefix / "include" / "mesos").mkdir(parents=True)
    for header in ("module.hpp", "hook.hpp"):
        (prefix / "include" / "mesos" / header).write_text("")
    (prefix / "lib" / "pkgconfig").mkdir()
    (prefix / "lib" / "pkgconfig" / "mesos.pc").write_text(
        "prefix=%s\nVersion: %s\nCflags: -I${prefix}/include -D__STDC_FORMAT_MACROS\n" % (prefix, version))
    flagdir = root / "etc" / "mesos-slave"
    flagdir.mkdir(parents=True)
    for name, value in (flags or {}).items():
        (flagdir / name).write_text(value + "\n")
    units = root / "lib" / "systemd" / "system"
    units.mkdir(parents=True)
    (units / "mesos-slave.service").write_text("[Service]\nExecStart=/usr/bin/mesos-init-wrapper slave\n")
    return str(prefix)


def which_all(name):
    return shutil.which(name)


def test_discovers_version_fingerprint_style_flags_and_service(tmp_path, libmesos):
    flags = {"port": "5052", "hooks": "a_Hook,b_Hook", "modules": "file:///etc/mesos/modules.json"}
    prefix = make_host(tmp_path, libmesos, flags=flags)
    facts = ad.discover(run, which_all, prefix=prefix, root=str(tmp_path))
    assert facts["version"] == "1.11.0"
    assert facts["libmesos"] == prefix + "/lib/libmesos-1.11.0.so"
    assert len(facts["libmesos_build_id"]) >= 16
    assert facts["abi_fingerprint"] == "1.11.0-" + facts["libmesos_build_id"][:16]
    assert facts["build_fingerprint"].startswith("1.11.0-")
    assert facts["style"] == "flagdir" and facts["service"] == "mesos-slave.service"
    assert facts["hooks"] == ["a_Hook", "b_Hook"] and facts["modules"] == "file:///etc/mesos/modules.json"
    assert facts["agent_url"] == "http://127.0.0.1:5052"
    assert facts["pkgconfig"]["include_dirs"] == [prefix + "/include"]
    # A compiler and the Mesos headers: build tools are checked (and installed) per build.
    assert facts["can_build"] is bool(shutil.which("c++") or shutil.which("g++"))


def test_survey_of_a_good_host_gives_the_facts_and_no_problem(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos, flags={"port": "5052", "hooks": "a_Hook"})
    found = ad.survey(run, which_all, preflight_modules=[{"name": "m", "parameters": []}], prefix=prefix,
                      root=str(tmp_path))
    assert found["problems"] == [] and found["requirements_missing"] == []
    assert found["facts"] == ad.discover(run, which_all, prefix=prefix, root=str(tmp_path))
    assert ad.summary_line("agent1", found["facts"]).startswith(
        "agent1: Mesos 1.11.0 at %s, fingerprint 1.11.0-" % prefix)
    assert "style flagdir, service mesos-slave.service, hooks [a_Hook]" in ad.summary_line("agent1", found["facts"])


def test_survey_refuses_modules_with_modules_dir_and_keeps_going(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos, flags={"modules": "/etc/m.json", "modules_dir": "/etc/m.d"})
    found = ad.survey(run, which_all, prefix=prefix, root=str(tmp_path))
    assert len(found["problems"]) == 1 and "sets both --modules=/etc/m.json and --modules_dir=/etc/m.d" in found["problems"][0]
    assert found["facts"]["version"] == "1.11.0"


def test_survey_reports_stray_files_the_agent_would_read_at_its_restart(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos, flags={"modules_dir": "/etc/mesos/modules.d", "hooks": "a_Hook"})
    modules_dir = tmp_path / "etc/mesos/modules.d"
    modules_dir.mkdir(parents=True)
    (modules_dir / "10-site.json").write_text('{"libraries": [], "comment": "unknown keys are fine"}')
    (modules_dir / ".10-site.json.swp").write_text("vim swap")
    (modules_dir / "old").mkdir()
    (modules_dir / "20-broken.json").write_text('{"libraries": [{"modules": [{"name": "m"}]}]}')
    flag_dir = tmp_path / "etc/mesos-slave"
    (flag_dir / "hooks~").write_text("a_Hook\n")
    (flag_dir / "modules.bak").write_text("x\n")
    (flag_dir / "?no-strict").write_text("")
    (flag_dir / ".hooks.swp").write_text("dotfiles are skipped by the wrapper's glob")
    found = ad.survey(run, which_all, prefix=prefix, root=str(tmp_path))
    assert found["facts"]["flag_dir"] == "/etc/mesos-slave"
    assert found["problems"] == [
        "/etc/mesos/modules.d/.10-site.json.swp is not a modules JSON file (Expecting value: line 1 column 1 "
        "(char 0)); Mesos reads every entry of --modules_dir, dotfiles too, and the agent will not start. "
        "Move it out of /etc/mesos/modules.d",
        "/etc/mesos/modules.d/20-broken.json is not a modules JSON file Mesos can load "
        "(/etc/mesos/modules.d/20-broken.json.libraries[0]: needs 'file' or 'name' (Mesos: Library name or path "
        "not provided)); Mesos reads every entry of --modules_dir, dotfiles too, and the agent will not start. "
        "Move it out of /etc/mesos/modules.d",
        "/etc/mesos/modules.d/old is not a file; Mesos reads every entry of --modules_dir, dotfiles too, and "
        "the agent will not start. Move it out of /etc/mesos/modules.d",
        "/etc/mesos-slave/hooks~ is passed to the agent as --hooks~, a flag it does not know, and the agent "
        "will not start. Move it out of the flag directory",
        "/etc/mesos-slave/modules.bak is passed to the agent as --modules.bak, a flag it does not know, and "
        "the agent will not start. Move it out of the flag directory",
    ]


def test_survey_refuses_a_host_another_rollout_holds_unless_its_lock_is_stale(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos, flags={"port": "5052"})
    state = tmp_path / "var" / "lib" / "mesos-fleet-hooks"
    lock = "/var/lib/mesos-fleet-hooks/rollout.lock"
    assert ad.survey(run, which_all, prefix=prefix, root=str(tmp_path), lock_path=lock)["problems"] == []
    state.mkdir(parents=True)
    (state / "rollout.lock").write_text(json.dumps({"run_id": "20261202T100000Z-1", "since": time.time() - 120}))
    found = ad.survey(run, which_all, prefix=prefix, root=str(tmp_path), lock_path=lock)
    assert len(found["problems"]) == 1
    assert "another rollout (20261202T100000Z-1) holds this host" in found["problems"][0]
    assert "remove %s on this host" % lock in found["problems"][0]
    assert found["facts"]["version"] == "1.11.0"
    # Older than the operator's limit: the rollout will break it, so it rules nothing out.
    assert ad.survey(run, which_all, prefix=prefix, root=str(tmp_path), lock_path=lock,
                     lock_stale_after=60)["problems"] == []
    assert len(ad.survey(run, which_all, prefix=prefix, root=str(tmp_path), lock_path=lock,
                         lock_stale_after=600)["problems"]) == 1


def test_two_builds_of_the_same_version_get_different_fingerprints(tmp_path, libmesos):
    a = make_host(tmp_path / "a", libmesos)
    b = make_host(tmp_path / "b", libmesos)
    # A rebuilt libmesos (a fork saying the same version) has another build-id.
    src = tmp_path / "fork.cpp"
    src.write_text("int mesos_marker() { return 2; }\n")
    subprocess.check_call(["g++", "-shared", "-fPIC", "-Wl,--build-id", str(src), "-o", b + "/lib/libmesos-1.11.0.so"])
    fa = ad.discover(run, which_all, prefix=a, root=str(tmp_path / "a"))
    fb = ad.discover(run, which_all, prefix=b, root=str(tmp_path / "b"))
    assert fa["version"] == fb["version"]
    assert fa["build_fingerprint"] != fb["build_fingerprint"]


def test_a_broken_agent_binary_is_reported(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos)
    (tmp_path / "opt" / "mesos" / "sbin" / "mesos-agent").write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    with pytest.raises(ad.DiscoveryError, match="--version failed \\(exit 3\\): boom"):
        ad.discover(run, which_all, prefix=prefix, root=str(tmp_path))


def test_unknown_packaging_style_is_reported(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos)
    shutil.rmtree(str(tmp_path / "etc" / "mesos-slave"))
    os.remove(str(tmp_path / "lib" / "systemd" / "system" / "mesos-slave.service"))
    with pytest.raises(flag_stores.FlagStoreError, match="cannot detect the Mesos agent packaging style"):
        ad.discover(run, which_all, prefix=prefix, root=str(tmp_path))


def test_no_compiler_means_cannot_build(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos)
    facts = ad.discover(run, lambda name: None, prefix=prefix, root=str(tmp_path))
    assert facts["can_build"] is False and facts["compiler_abi"] is None


def test_a_build_host_without_an_agent_configuration(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos)
    shutil.rmtree(str(tmp_path / "etc" / "mesos-slave"))
    facts = ad.discover(run, which_all, prefix=prefix, root=str(tmp_path), read_flags=False)
    assert facts["style"] is None and facts["flags"] == {} and facts["service"] is None
    assert facts["build_fingerprint"].startswith("1.11.0-")


@pytest.mark.parametrize("facts, kill, health, expected", [
    ({"service": "mesos-slave.service", "kill_mode": "control-group"}, True, False,
     ["mesos-slave.service has KillMode=control-group; restarting it kills every executor and task on the agent. "
      "Set KillMode=process in the unit (Mesos requires it) or set mesos_discover_require_kill_mode_process=false "
      "to accept the loss"]),
    ({"service": "mesos-slave.service", "kill_mode": "control-group"}, False, False, []),
    ({"kill_mode": "process", "healthy": False, "agent_url": "http://10.0.0.7:5051",
      "agent_url_from": "--ip of the running agent (pid 812)"}, True, True,
     ["http://10.0.0.7:5051/health does not answer (address from --ip of the running agent (pid 812)); "
      "fix the agent before a rollout"]),
    ({"kill_mode": "process", "healthy": None, "address_problem": "--ip_discovery_command=x failed"}, True, True,
     ["--ip_discovery_command=x failed"]),
    ({"service": "mesos-agent.service", "kill_mode": "process", "main_pid": "700", "agent_pid": 701}, True, True,
     ["mesos-agent.service runs a wrapper (pid 700) that forks the agent (pid 701) instead of exec'ing it: with "
      "KillMode=process a restart stops only the wrapper, the old agent keeps its port and the new one cannot bind "
      "it. Make the wrapper exec the agent"]),
    ({"service": "mesos-agent.service", "kill_mode": "process", "main_pid": "701", "agent_pid": 701}, True, True, []),
    ({"kill_mode": "process", "healthy": False, "agent_url": "http://10.0.0.7:5051"}, True, False, []),
    ({"kill_mode": "process", "healthy": None}, True, True, []),
], ids=["kill-mode", "kill-mode-accepted", "unhealthy", "address", "forking-wrapper", "exec-wrapper",
        "unhealthy-not-required", "health-not-checked"])
def test_agent_problems(facts, kill, health, expected):
    assert ad.agent_problems(facts, kill, health) == expected


@pytest.mark.parametrize("master, given, expected", [
    ("zk://zk1:2181/mesos", [], ["cannot tell the master's HTTP address from --master=zk://zk1:2181/mesos; set "
                                 "mesos_rollout_master_urls (e.g. ['http://master1:5050'])"]),
    ("zk://zk1:2181/mesos", ["http://m1:5050"], []),
    ("m1:5050", [], []),
], ids=["zk-unset", "zk-set", "host-port"])
def test_an_agent_whose_master_cannot_be_told_is_a_problem(master, given, expected):
    assert ad.master_url_problems({"flags": {"master": master}}, given) == expected


def test_discovers_the_master_of_a_host_that_runs_both(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos, flags={"hooks": "agent_Hook", "modules": "file:///etc/mesos/agent.json"})
    master = tmp_path / "opt" / "mesos" / "sbin" / "mesos-master"
    master.write_text("#!/bin/sh\necho 'mesos 1.11.0'\n")
    master.chmod(0o755)
    (tmp_path / "etc" / "mesos-master").mkdir()
    (tmp_path / "etc" / "mesos-master" / "hooks").write_text("master_Hook\n")
    (tmp_path / "etc" / "mesos-master" / "ip").write_text("10.0.0.3\n")
    units = tmp_path / "lib" / "systemd" / "system"
    (units / "mesos-master.service").write_text("[Service]\nExecStart=/usr/bin/mesos-init-wrapper master\n")
    facts = ad.discover(run, which_all, prefix=prefix, root=str(tmp_path), daemon="master")
    assert facts["daemon"] == "master" and facts["binary"] == str(master)
    assert facts["style"] == "flagdir" and facts["service"] == "mesos-master.service"
    assert facts["hooks"] == ["master_Hook"] and facts["flag_dir"] == "/etc/mesos-master"
    assert facts["master_url"] == "http://10.0.0.3:5050" and "agent_url" not in facts
    # The agent's own facts stay the agent's.
    assert ad.discover(run, which_all, prefix=prefix, root=str(tmp_path))["hooks"] == ["agent_Hook"]


def test_a_master_host_without_a_master_binary_says_so(tmp_path, libmesos):
    prefix = make_host(tmp_path, libmesos)
    found = ad.survey(run, which_all, prefix=prefix, root=str(tmp_path), daemon="master")
    assert found["facts"] is None
    assert found["problems"] == ["discovery: no mesos-master binary under %s" % prefix]
