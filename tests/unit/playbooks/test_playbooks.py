"""The playbooks themselves: bad input stops them before any host is contacted or changed,
and a secret hook parameter never shows in their output.

These run ansible-playbook; agents are either unreachable addresses (TEST-NET-1, RFC 5737) or
the local machine with a local connection.
"""

import json
import os
import stat
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)
PLAYBOOK = os.path.join(BIN, "ansible-playbook")

pytestmark = pytest.mark.skipif(not os.path.exists(PLAYBOOK), reason="ansible-playbook not in the test venv")


def run_playbook(playbook, inventory, *args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".cache", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_HOST_KEY_CHECKING="False",
               ANSIBLE_RETRY_FILES_ENABLED="False", ANSIBLE_LOCAL_TEMP=str(inventory.parent / "ansible-tmp"))
    proc = subprocess.run([PLAYBOOK, "-i", str(inventory), playbook] + list(args), cwd=REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=300,
                          check=False)
    return proc.returncode, proc.stdout


def write(path, text):
    path.write_text(text)
    return path


UNREACHABLE = """
all:
  children:
    mesos_agents:
      hosts:
        agent1: {ansible_host: 192.0.2.1}
        agent2: {ansible_host: 192.0.2.2, mesos_rollout_restart_timeout: -5}
      vars:
        ansible_connection: ssh
        ansible_ssh_timeout: 2
        mesos_rollout_gate_timeout: {health: 5}
        mesos_rollout_canary_command: "{{ undefined_thing }}"
        mesos_rollout_master_urls: "{{ groups['mesos_agents'] | map('extract', hostvars, 'ansible_host') | list }}"
        mesos_hooks:
          - {name: probe, colour: blue, modules: [{name: org-fleet}]}
          - {name: probe, source: ../hooks, modules: [{name: org_fleet_Probe2}]}
          - name: command_hook
            modules:
              - name: mesos_fleet_hooks_CommandHook1
                parameters: {slaveRunTaskLabelDecorator_command: bin/label, api_token: s3cr3t-in-inventory}
"""


@pytest.mark.parametrize("playbook", ["playbooks/deploy-hooks.yml", "playbooks/validate-hooks.yml"])
def test_bad_input_fails_before_any_host_is_contacted(tmp_path, playbook):
    inventory = write(tmp_path / "inventory.yml", UNREACHABLE)
    rc, out = run_playbook(playbook, inventory, "-e", '{"mesos_rollout_serial": "0%"}')
    assert rc != 0, out
    assert "Refuse bad input, listing every problem" in out
    # One message lists every problem, naming variable, host and what is allowed.
    for part in ["unknown key(s) colour", "'org-fleet' is not a valid C identifier", "hook 'probe' is declared twice",
                 "'../hooks' must be an absolute path", "'bin/label' must be an absolute path of the command",
                 "api_token: looks like a credential; list it in secret_parameters"]:
        assert part in out, part
    if playbook.endswith("deploy-hooks.yml"):
        for part in ["mesos_rollout_restart_timeout: must be at least 1 (seconds or a count), got -5 [agent2]",
                     "mesos_rollout_gate_timeout: unknown variable (did you mean mesos_rollout_gate_timeouts?) "
                     "[all 2 hosts]",
                     "mesos_rollout_serial: serial entry '0%' must be a percentage above 0% and at most 100%",
                     "mesos_rollout_canary_command: cannot be evaluated: 'undefined_thing' is undefined [all 2 hosts]"]:
            assert part in out, part
    # No host was contacted: nothing unreachable, no task after the check ran.
    assert "UNREACHABLE" not in out and "unreachable=0" in out
    for later in ("Install what discovery needs", "Discover the Mesos install", "Audit the agents"):
        assert later not in out
    assert "s3cr3t-in-inventory" not in out
    # Read through other hosts' variables: not "cannot be evaluated", it is checked at role entry.
    assert "mesos_rollout_master_urls" not in out


def test_rollback_checks_only_what_it_reads(tmp_path):
    inventory = write(tmp_path / "inventory.yml", UNREACHABLE.replace(
        "mesos_rollout_gate_timeout: {health: 5}", "mesos_rollback_snapshot: snapshots/last"))
    rc, out = run_playbook("playbooks/rollback-hooks.yml", inventory)
    assert rc != 0
    assert "mesos_rollback_snapshot: 'snapshots/last' must be an absolute path [all 2 hosts]" in out
    # A broken mesos_hooks does not block going back.
    assert "colour" not in out
    assert "UNREACHABLE" not in out and "Discover the Mesos install" not in out


LOCAL = """
all:
  children:
    mesos_agents:
      hosts:
        agent1: {}
        agent2: {}
      vars:
        ansible_connection: local
        ansible_become: false
        ansible_python_interpreter: %(python)s
        mesos_hooks:
          - name: command_hook
            modules:
              - name: mesos_fleet_hooks_CommandHook1
                parameters: {slaveRunTaskLabelDecorator_command: "%(command)s"}
"""


def test_agent_checks_read_only_and_stop_before_discovery(tmp_path):
    commands = tmp_path / "libexec"
    commands.mkdir(mode=0o755)
    os.chmod(str(commands), 0o755)
    command = commands / "label"
    command.write_text("#!/bin/sh\ncat\n")
    os.chmod(str(command), 0o775)  # group-writable: the command hook would refuse it
    inventory = write(tmp_path / "inventory.yml", LOCAL % dict(python=sys.executable, command=command))
    before = os.stat(str(command))
    rc, out = run_playbook("playbooks/deploy-hooks.yml", inventory)
    assert rc != 0, out
    assert "Refuse what the hosts rule out" in out
    assert ("agent1: mesos_hooks module mesos_fleet_hooks_CommandHook1 parameter slaveRunTaskLabelDecorator_command: "
            "command '%s' must not be writable by group or others (mode 0775); chmod go-w" % command) in out
    assert "agent2: mesos_hooks module" in out
    # Read, then refused before anything was written: no install, no build, no staging.
    assert "Install what discovery needs" not in out and "Compile what the cache" not in out
    assert "Copy each artifact" not in out
    after = os.stat(str(command))
    assert (after.st_mode, after.st_uid, after.st_mtime) == (before.st_mode, before.st_uid, before.st_mtime)


AGENT_TREE = {
    "etc/mesos-slave/modules": "/etc/mesos/modules.json\n",
    "etc/mesos-slave/hooks": "com_example_Other\n",
    "etc/mesos/modules.json": '{"libraries": [{"file": "/usr/lib/libother.so", "modules": [{"name": "com_example_Other"}]}]}\n',
}
SECRET = "pa55-W0rd/with\"quote"


def test_secret_parameter_never_shows_with_vvv_and_diff(tmp_path):
    for path, text in AGENT_TREE.items():
        target = tmp_path / "host" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    inventory = write(tmp_path / "inventory.yml", "localhost ansible_connection=local ansible_python_interpreter=%s\n"
                      % sys.executable)
    rc, out = run_playbook(os.path.join(REPO, "tests/unit/playbooks/secret-parameters.yml"), inventory,
                           "-vvv", "--diff", "-e", json.dumps({"test_root": str(tmp_path), "test_secret": SECRET}))
    assert rc == 0, out
    # The run did write the secret where the agent needs it, root-only ...
    manifest = tmp_path / "host/etc/mesos/modules.json"
    assert json.dumps(SECRET) in manifest.read_text()
    st = manifest.stat()
    assert (stat.S_IMODE(st.st_mode), st.st_uid) == (0o600, os.geteuid())
    assert "modules.json" in out and "mesos_fleet_hooks_CommandHook1" in out
    # ... the diffs of the write and of the restore show it masked ...
    assert out.count('\\"value\\": \\"********\\"') >= 3, out
    assert "api_token=********" in out and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in out
    # ... and nowhere else: not in the module args, the facts, the diffs or the report.
    json_escaped = json.dumps(SECRET)[1:-1]
    for form in (SECRET, json_escaped, "pa55-W0rd"):
        assert form not in out
        for name in ("report.json", "report.txt"):
            assert form not in (tmp_path / name).read_text()
    for copy in (tmp_path / "state").rglob("*"):
        if copy.is_file():
            assert stat.S_IMODE(copy.stat().st_mode) & 0o077 == 0, copy
    for directory in [tmp_path / "state" / "backup", tmp_path / "state" / "snapshots"]:
        if directory.exists():
            assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_the_checkout_preloads_the_filter_plugins_before_any_worker_forks(tmp_path):
    # ansible.cfg enables the callback; with -vvv it says what it loaded in the main process.
    inventory = write(tmp_path / "hosts.yml", "all: {hosts: {local: {ansible_connection: local}}}\n")
    playbook = write(tmp_path / "play.yml", """
- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ [] | mesos_fleet.hooks.hook_secrets }}"
""")
    rc, out = run_playbook(str(playbook), inventory, "-vvv")
    filters = [f for f in os.listdir(os.path.join(REPO, "plugins", "filter")) if f.endswith(".yml")]  # one per filter
    assert rc == 0, out
    assert ("plugin_preload: loaded the builtin filters and tests and %d mesos_fleet.hooks filters" % len(filters)) in out


def test_a_run_from_the_checkout_prints_no_deprecation_warning(tmp_path):
    # More hosts than forks, the checkout's ansible.cfg and a filter of the collection: nothing
    # the run prints asks the operator to act on a deprecation.
    hosts = ["h%d" % i for i in range(1, 6)]
    inventory = write(tmp_path / "hosts.yml", "all:\n  hosts:\n%s" % "".join(
        "    %s: {ansible_connection: local, ansible_python_interpreter: %s}\n" % (h, sys.executable) for h in hosts))
    playbook = write(tmp_path / "play.yml", """
- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: "{{ [] | mesos_fleet.hooks.hook_secrets }}"
""")
    rc, out = run_playbook(str(playbook), inventory, "--forks", "2")
    assert rc == 0, out
    assert "DEPRECATION" not in out and "[WARNING]" not in out, out
    # Nor Python's warnings of the tools under it (cryptography 51 warned of DSA at every run).
    assert "Warning:" not in out, out
