# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess
import sys

import pytest


from ansible_collections.mesos_fleet.hooks.plugins.modules import agent_flags

from file_trees import read_tree, write_tree

MODULES = "file:///etc/mesos/modules.json"
HOOK = "org_mesos_fleet_CommandHook"

HOSTS = {
    "flagdir": {
        "/etc/mesos-slave/master": "zk://zk1:2181/mesos\n",
        "/etc/mesos-slave/hooks": "org_other_A\n",
        "/etc/mesos-slave/modules": MODULES + "\n",
        "/etc/default/mesos": "MESOS_LOG_DIR=/var/log/mesos\n",
    },
    "envfile": {
        "/etc/sysconfig/mesos-agent": "# agent\nMESOS_MASTER=zk://zk1:2181/mesos\nMESOS_HOOKS=org_other_A\n"
                                      "MESOS_MODULES=" + MODULES + "\n",
    },
    "dropin": {
        "/lib/systemd/system/mesos-agent.service": (
            "[Service]\nExecStart=/usr/sbin/mesos-agent --master=zk://zk1:2181/mesos "
            "--modules=" + MODULES + " --hooks=org_other_A\n"
        ),
    },
    "dcos": {
        "/opt/mesosphere/etc/mesos-slave-common": "MESOS_MODULES_DIR=/opt/mesosphere/etc/mesos-slave-modules\n"
                                                  "MESOS_HOOKS=org_other_A\n",
        "/var/lib/dcos/mesos-resources": "MESOS_RESOURCES=cpus:4\n",
    },
}
MODULE_ARGS = {
    "flagdir": {"modules": MODULES},
    "envfile": {"modules": MODULES},
    "dropin": {"modules": MODULES},
    "dcos": {"modules_dir": "/opt/mesosphere/etc/mesos-slave-modules"},
}
WRITTEN = {
    "flagdir": "/etc/mesos-slave/hooks",
    "envfile": "/etc/sysconfig/mesos-agent",
    "dropin": "/etc/systemd/system/mesos-agent.service.d/50-mesos-fleet-hooks.conf",
    "dcos": "/var/lib/dcos/mesos-slave-common",
}


@pytest.mark.parametrize("style", sorted(HOSTS))
def test_check_mode_reports_and_writes_nothing(tmp_path, run_module, style):
    write_tree(tmp_path, HOSTS[style])
    before = read_tree(tmp_path, skip=("backups",))
    args = dict(root=str(tmp_path), hooks=[HOOK], **MODULE_ARGS[style])
    result = run_module(agent_flags, args, check_mode=True, diff=True)
    assert not result.failed, result
    assert result["changed"] is True
    assert result["style"] == style
    assert result["files"] == [WRITTEN[style]]
    assert result["hooks_before"] == ["org_other_A"]
    assert result["hooks_after"] == ["org_other_A", HOOK]
    assert result["restart_needed"] is True
    assert result["daemon_reload_needed"] is (style == "dropin")
    assert result["backups"] == []
    assert [d["after_header"] for d in result["diff"]] == [WRITTEN[style]]
    assert HOOK in result["diff"][0]["after"]
    assert HOOK not in result["diff"][0]["before"]
    assert read_tree(tmp_path, skip=("backups",)) == before


@pytest.mark.parametrize("style", sorted(HOSTS))
def test_apply_is_idempotent_and_absent_restores(tmp_path, run_module, style):
    write_tree(tmp_path, HOSTS[style])
    original = read_tree(tmp_path, skip=("backups",))
    args = dict(root=str(tmp_path), hooks=[HOOK], style=style, backup_dir=str(tmp_path / "backups"),
                **MODULE_ARGS[style])
    result = run_module(agent_flags, args)
    assert not result.failed and result["changed"]
    assert result["flags_after"]["hooks"]["value"] == "org_other_A," + HOOK
    assert result["flags_before"]["hooks"]["value"] == "org_other_A"
    if style in ("dcos", "dropin"):
        assert result["backups"] == []  # the file we write is new
    else:
        assert len(result["backups"]) == 1
    applied = read_tree(tmp_path, skip=("backups",))

    result = run_module(agent_flags, args)
    assert not result.failed and result["changed"] is False and result["restart_needed"] is False
    assert read_tree(tmp_path, skip=("backups",)) == applied

    args["state"] = "absent"
    for key in MODULE_ARGS[style]:
        del args[key]  # given with absent, the flag itself would be removed
    result = run_module(agent_flags, args, check_mode=True)
    assert not result.failed and result["changed"] is True
    assert read_tree(tmp_path, skip=("backups",)) == applied
    result = run_module(agent_flags, args)
    assert not result.failed and result["changed"] is True
    assert result["hooks_after"] == ["org_other_A"]
    assert read_tree(tmp_path, skip=("backups",)) == original


def test_no_diff_key_without_diff_mode(tmp_path, run_module):
    write_tree(tmp_path, HOSTS["flagdir"])
    result = run_module(agent_flags, dict(root=str(tmp_path), hooks=[HOOK], modules=MODULES), check_mode=True)
    assert not result.failed and "diff" not in result


@pytest.mark.parametrize("args,message", [
    (dict(hooks=["bad-name"], modules=MODULES), "'bad-name' is not a valid hook module name"),
    (dict(hooks=[HOOK, HOOK], modules=MODULES), "is listed twice"),
    (dict(hooks=[HOOK], modules_dir="/etc/mesos/modules.d"), "/etc/mesos-slave/modules"),
    (dict(hooks=[HOOK], modules=MODULES, modules_dir="/x"), "mutually exclusive"),
    (dict(hooks=[HOOK], modules=MODULES, style="dcos"), "the DC/OS|mesos-slave-common|both be set"),
    (dict(hooks=[HOOK], modules=MODULES, unit="x.service"), "do not apply to the flagdir style"),
    # org_other_A still needs --modules: removing it would stop the agent.
    (dict(hooks=["org_other_B"], modules=MODULES, state="absent"), "--hooks=org_other_A would be set without"),
])
def test_errors_fail_cleanly_and_change_nothing(tmp_path, run_module, args, message):
    write_tree(tmp_path, HOSTS["flagdir"])
    before = read_tree(tmp_path, skip=("backups",))
    result = run_module(agent_flags, dict(root=str(tmp_path), **args))
    assert result.failed
    assert re.search(message, result["msg"]), result["msg"]
    assert read_tree(tmp_path, skip=("backups",)) == before


def test_ambiguous_host_fails_with_the_evidence(tmp_path, run_module):
    files = dict(HOSTS["flagdir"])
    files.update(HOSTS["dcos"])
    write_tree(tmp_path, files)
    before = read_tree(tmp_path, skip=("backups",))
    result = run_module(agent_flags, dict(root=str(tmp_path), hooks=[HOOK], modules=MODULES))
    assert result.failed
    assert "ambiguous" in result["msg"] and "set style explicitly" in result["msg"]
    assert read_tree(tmp_path, skip=("backups",)) == before


def test_runs_as_a_real_module_process(tmp_path):
    """The module file runs on its own, as Ansible runs it, with an args file."""
    write_tree(tmp_path, HOSTS["envfile"])
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
        "root": str(tmp_path), "hooks": [HOOK], "modules": MODULES, "_ansible_check_mode": True}}))
    env = dict(os.environ)
    collections_root = os.path.dirname(os.path.dirname(os.path.dirname(agent_flags.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.abspath(os.path.join(collections_root, "..", "..", ".."))] + sys.path)
    proc = subprocess.run(
        [sys.executable, agent_flags.__file__, str(args_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    result = json.loads(proc.stdout.decode())
    assert result["changed"] is True and result["style"] == "envfile"
    assert result["hooks_after"] == ["org_other_A", HOOK]
    assert "MESOS_HOOKS=org_other_A\n" in (tmp_path / "etc/sysconfig/mesos-agent").read_text()
