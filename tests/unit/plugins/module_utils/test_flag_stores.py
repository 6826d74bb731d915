# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file, flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils.flag_stores import (
    FlagStoreError,
    apply_plan,
    detect_style,
    make_store,
    split_hooks,
    updated_hooks,
    validate_hook_names,
    wanted_flags,
)

from file_trees import read_tree, write_tree

MODULES = "file:///etc/mesos/modules.json"
DCOS_MODULES_DIR = "/opt/mesosphere/etc/mesos-slave-modules"
UNIT = "/usr/lib/systemd/system/mesos-agent.service"
OUR_DROPIN = "/etc/systemd/system/mesos-agent.service.d/50-mesos-fleet-hooks.conf"


def read(root, path):
    real = os.path.join(str(root), path.lstrip("/"))
    if not os.path.exists(real):
        return None
    with open(real, "rb") as handle:
        return handle.read()


# One realistic host per style, with two hooks of someone else already enabled.
HOSTS = {
    "flagdir": {
        "/etc/mesos-slave/master": "zk://zk1:2181/mesos\n",
        "/etc/mesos-slave/work_dir": "/var/lib/mesos\n",
        "/etc/mesos-slave/hooks": "org_other_A,org_other_B\n",
        "/etc/mesos-slave/modules": MODULES + "\n",
        "/etc/mesos-slave/?no-switch_user": "",
        "/etc/mesos-slave/attributes/rack": "r1\n",
        "/etc/default/mesos": "# Shared by master and agent\nULIMIT=\"-n 8192\"\nMESOS_LOG_DIR=/var/log/mesos\n",
        "/etc/default/mesos-slave": "MASTER=zk://zk0:2181/mesos\n",
    },
    "envfile": {
        "/etc/default/mesos-agent": (
            "# Mesos agent settings\n"
            "export MESOS_MASTER='zk://zk1:2181/mesos'\n"
            "\n"
            "export MESOS_HOOKS=\"org_other_A,org_other_B\"   # keep this comment\n"
            "export MESOS_MODULES=" + MODULES + "\n"
            "export MESOS_WORK_DIR=/var/lib/mesos\n"
        ),
    },
    "dropin": {
        UNIT: (
            "[Unit]\nDescription=Mesos agent\n\n[Service]\n"
            "Environment=\"MESOS_MODULES=" + MODULES + "\" MESOS_LOG_DIR=/var/log/mesos\n"
            "ExecStart=/usr/sbin/mesos-agent --master=zk://zk1:2181/mesos \\\n"
            "    --work_dir=/var/lib/mesos --hooks=org_other_A,org_other_B\n"
            "KillMode=process\n\n[Install]\nWantedBy=multi-user.target\n"
        ),
        "/etc/systemd/system/mesos-agent.service.d/10-limits.conf": "[Service]\nLimitNOFILE=65536\n",
    },
    "dcos": {
        "/opt/mesosphere/environment": "PATH=/opt/mesosphere/bin:/usr/bin\n",
        "/opt/mesosphere/etc/mesos-slave-common": (
            "MESOS_MASTER=zk://zk-1.zk:2181/mesos\n"
            "MESOS_MODULES_DIR=" + DCOS_MODULES_DIR + "\n"
            "MESOS_HOOKS=org_other_A,org_other_B\n"
        ),
        "/opt/mesosphere/etc/mesos-slave": "MESOS_RESOURCES=cpus:4\n",
        "/var/lib/dcos/mesos-resources": "MESOS_RESOURCES='[{\"name\": \"cpus\", \"scalar\": {\"value\": 4}}]'\n",
    },
}

# The modules option that matches each host (keeps --modules / --modules_dir as is).
MODULE_ARGS = {
    "flagdir": {"modules": MODULES},
    "envfile": {"modules": MODULES},
    "dropin": {"modules": MODULES},
    "dcos": {"modules_dir": DCOS_MODULES_DIR},
}


@pytest.fixture
def host(tmp_path):
    def build(style, files=None):
        write_tree(tmp_path, HOSTS[style] if files is None else files)
        return str(tmp_path)
    return build


# ---------------------------------------------------------------------------------------
# Every style x present/absent x check mode / real


@pytest.mark.parametrize("style", sorted(HOSTS))
def test_detects_each_style(host, style):
    assert detect_style(host(style)) == style


@pytest.mark.parametrize("style", sorted(HOSTS))
def test_present_in_check_mode_plans_and_writes_nothing(host, style):
    root = host(style)
    before = read_tree(root, skip=("backups",))
    plan = make_store("auto", root).plan(["org_fleet_Cmd"], **MODULE_ARGS[style])
    assert plan.changed
    assert plan.hooks_before == ["org_other_A", "org_other_B"]
    assert plan.hooks_after == ["org_other_A", "org_other_B", "org_fleet_Cmd"]
    assert plan.flags_after["hooks"]["value"] == "org_other_A,org_other_B,org_fleet_Cmd"
    assert plan.restart_needed
    assert read_tree(root, skip=("backups",)) == before


@pytest.mark.parametrize("style", sorted(HOSTS))
def test_present_then_absent_for_real_restores_bytes(host, style, tmp_path):
    root = host(style)
    original = read_tree(root, skip=("backups",))
    store = make_store(style, root)

    plan = store.plan(["org_fleet_Cmd"], **MODULE_ARGS[style])
    backups = apply_plan(plan, root, backup_dir=str(tmp_path / "backups"))
    flags = store.read_flags()
    assert flags["hooks"]["value"] == "org_other_A,org_other_B,org_fleet_Cmd"
    for backup in backups:
        assert os.path.dirname(backup) == str(tmp_path / "backups")
    applied = read_tree(root, skip=("backups",))
    assert applied != original

    # Idempotent: the same input plans nothing and leaves the bytes alone.
    again = store.plan(["org_fleet_Cmd"], **MODULE_ARGS[style])
    assert not again.changed and not again.restart_needed
    assert again.changes == []
    assert read_tree(root, skip=("backups",)) == applied

    # Absent in check mode: planned but nothing touched.
    removal = store.plan(["org_fleet_Cmd"], state="absent")
    assert removal.changed
    assert removal.hooks_after == ["org_other_A", "org_other_B"]
    assert read_tree(root, skip=("backups",)) == applied

    apply_plan(removal, root)
    assert read_tree(root, skip=("backups",)) == original
    assert not store.plan(["org_fleet_Cmd"], state="absent").changed


@pytest.mark.parametrize("style", sorted(HOSTS))
def test_absent_when_not_there_changes_nothing(host, style):
    root = host(style)
    before = read_tree(root, skip=("backups",))
    plan = make_store(style, root).plan(["org_fleet_Cmd"], state="absent")
    assert not plan.changed
    assert plan.hooks_after == plan.hooks_before == ["org_other_A", "org_other_B"]
    assert read_tree(root, skip=("backups",)) == before


@pytest.mark.parametrize("style", sorted(HOSTS))
def test_removing_every_hook_removes_the_flag(host, style):
    root = host(style)
    store = make_store(style, root)
    apply_plan(store.plan(["org_other_A", "org_other_B"], state="absent"), root)
    flags = store.read_flags()
    assert "hooks" not in flags
    # Nothing else was lost.
    assert "master" in flags
    assert ("modules" in flags) or ("modules_dir" in flags)


# ---------------------------------------------------------------------------------------
# What each style writes


def test_flagdir_writes_the_hooks_file_only(host):
    root = host("flagdir")
    plan = make_store("flagdir", root).plan(["org_fleet_Cmd"], modules=MODULES)
    assert [c.path for c in plan.changes] == ["/etc/mesos-slave/hooks"]
    assert plan.changes[0].after == b"org_other_A,org_other_B,org_fleet_Cmd\n"
    assert not plan.daemon_reload_needed


def test_flagdir_reads_wrapper_conventions(host):
    root = host("flagdir")
    flags = make_store("flagdir", root).read_flags()
    assert flags["switch_user"] == {"value": "false", "source": "/etc/mesos-slave/?no-switch_user", "overridden": []}
    assert flags["attributes"]["value"] == "rack:r1"
    assert flags["log_dir"]["source"] == "/etc/default/mesos:3"
    # MASTER= in the env file is a command-line flag of the wrapper, the flag file comes later.
    assert flags["master"]["value"] == "zk://zk1:2181/mesos"
    assert flags["master"]["overridden"] == ["/etc/default/mesos-slave:1"]


def test_flagdir_new_hooks_file_and_its_removal(host):
    files = dict(HOSTS["flagdir"])
    del files["/etc/mesos-slave/hooks"]
    root = host("flagdir", files)
    original = read_tree(root, skip=("backups",))
    store = make_store("flagdir", root)
    apply_plan(store.plan(["org_fleet_Cmd"], modules=MODULES), root)
    assert read(root, "/etc/mesos-slave/hooks") == b"org_fleet_Cmd\n"
    apply_plan(store.plan(["org_fleet_Cmd"], state="absent"), root)
    assert read(root, "/etc/mesos-slave/hooks") is None
    assert read_tree(root, skip=("backups",)) == original


def test_flagdir_hooks_from_env_file_get_a_flag_file_override(host):
    files = dict(HOSTS["flagdir"])
    del files["/etc/mesos-slave/hooks"]
    files["/etc/default/mesos"] = "MESOS_HOOKS=org_other_A\n"
    root = host("flagdir", files)
    original = read_tree(root, skip=("backups",))
    store = make_store("flagdir", root)
    plan = store.plan(["org_fleet_Cmd"], modules=MODULES)
    assert [c.path for c in plan.changes] == ["/etc/mesos-slave/hooks"]
    apply_plan(plan, root)
    assert store.read_flags()["hooks"]["overridden"] == ["/etc/default/mesos:1"]
    apply_plan(store.plan(["org_fleet_Cmd"], state="absent"), root)
    assert read_tree(root, skip=("backups",)) == original


def test_flagdir_keeps_missing_final_newline(host):
    files = dict(HOSTS["flagdir"])
    files["/etc/mesos-slave/hooks"] = "org_other_A"
    root = host("flagdir", files)
    store = make_store("flagdir", root)
    apply_plan(store.plan(["org_fleet_Cmd"], modules=MODULES), root)
    assert read(root, "/etc/mesos-slave/hooks") == b"org_other_A,org_fleet_Cmd"


def test_envfile_keeps_comments_order_and_quoting(host):
    root = host("envfile")
    store = make_store("envfile", root)
    apply_plan(store.plan(["org_fleet_Cmd"], modules=MODULES), root)
    assert read(root, "/etc/default/mesos-agent").decode() == (
        "# Mesos agent settings\n"
        "export MESOS_MASTER='zk://zk1:2181/mesos'\n"
        "\n"
        "export MESOS_HOOKS=\"org_other_A,org_other_B,org_fleet_Cmd\"   # keep this comment\n"
        "export MESOS_MODULES=" + MODULES + "\n"
        "export MESOS_WORK_DIR=/var/lib/mesos\n"
    )


def test_envfile_new_line_follows_export_style_and_quotes_safely(host):
    root = host("envfile", {"/etc/default/mesos-agent": "export MESOS_MASTER=zk://z:2181/mesos\n"})
    store = make_store("envfile", root)
    odd = "/etc/mesos/it's here/modules.json"
    apply_plan(store.plan(["org_fleet_Cmd"], modules=odd), root)
    text = read(root, "/etc/default/mesos-agent").decode()
    assert text == (
        "export MESOS_MASTER=zk://z:2181/mesos\n"
        "export MESOS_MODULES=\"/etc/mesos/it's here/modules.json\"\n"
        "export MESOS_HOOKS=org_fleet_Cmd\n"
    )
    assert store.read_flags()["modules"]["value"] == odd
    assert not store.plan(["org_fleet_Cmd"], modules=odd).changed


def test_envfile_shared_file_is_overridden_in_the_agent_file(host):
    files = {
        "/etc/default/mesos": "MESOS_HOOKS=org_other_A\nMESOS_MODULES=" + MODULES + "\n",
        "/etc/default/mesos-agent": "# agent only\nMESOS_WORK_DIR=/var/lib/mesos",
    }
    root = host("envfile", files)
    original = read_tree(root, skip=("backups",))
    store = make_store("envfile", root)
    plan = store.plan(["org_fleet_Cmd"], modules=MODULES)
    # The master also reads /etc/default/mesos: it is left alone.
    assert [c.path for c in plan.changes] == ["/etc/default/mesos-agent"]
    assert plan.changes[0].after == (
        b"# agent only\nMESOS_WORK_DIR=/var/lib/mesos\nMESOS_HOOKS=org_other_A,org_fleet_Cmd"
    )
    apply_plan(plan, root)
    apply_plan(store.plan(["org_fleet_Cmd"], state="absent"), root)
    assert read_tree(root, skip=("backups",)) == original


def test_dropin_reissues_execstart_when_hooks_are_on_the_command_line(host):
    root = host("dropin")
    plan = make_store("dropin", root).plan(["org_fleet_Cmd"], modules=MODULES)
    assert [c.path for c in plan.changes] == [OUR_DROPIN]
    assert plan.daemon_reload_needed
    assert plan.changes[0].after.decode() == (
        flag_stores.DROPIN_HEADER
        + "[Service]\nExecStart=\n"
        "ExecStart=/usr/sbin/mesos-agent --master=zk://zk1:2181/mesos "
        "--work_dir=/var/lib/mesos --hooks=org_other_A,org_other_B,org_fleet_Cmd\n"
    )
    # The unit and other drop-ins are never written.
    assert plan.changes[0].before is None


def test_dropin_uses_environment_when_the_flag_is_not_on_the_command_line(host):
    files = dict(HOSTS["dropin"])
    files[UNIT] = "[Service]\nExecStart=/usr/sbin/mesos-agent --work_dir=/var/lib/mesos\n"
    root = host("dropin", files)
    original = read_tree(root, skip=("backups",))
    store = make_store("dropin", root)
    plan = store.plan(["org_fleet_Cmd"], modules=MODULES)
    assert plan.changes[0].after.decode() == (
        flag_stores.DROPIN_HEADER + "[Service]\n"
        "Environment=\"MESOS_MODULES=" + MODULES + "\"\n"
        "Environment=\"MESOS_HOOKS=org_fleet_Cmd\"\n"
    )
    apply_plan(plan, root)
    assert store.read_flags()["hooks"]["source"] == OUR_DROPIN + ":4"
    apply_plan(store.plan(["org_fleet_Cmd"], state="absent", modules=MODULES), root)
    assert read_tree(root, skip=("backups",)) == original
    assert not os.path.isdir(os.path.dirname(os.path.join(root, OUR_DROPIN.lstrip("/")))) or \
        os.listdir(os.path.dirname(os.path.join(root, OUR_DROPIN.lstrip("/")))) == ["10-limits.conf"]


def test_dropin_flag_from_environment_file_goes_on_the_command_line(host):
    files = {
        UNIT: "[Service]\nEnvironmentFile=-/etc/sysconfig/mesos-agent\nExecStart=/usr/sbin/mesos-agent\n",
        "/etc/sysconfig/mesos-agent": "MESOS_HOOKS=org_other_A\nMESOS_MODULES=" + MODULES + "\n",
    }
    root = host("dropin", files)
    store = make_store("dropin", root)
    plan = store.plan(["org_fleet_Cmd"], modules=MODULES)
    # Environment= would lose against EnvironmentFile=; the command line wins over both.
    assert plan.changes[0].after.decode().endswith(
        "ExecStart=\nExecStart=/usr/sbin/mesos-agent --hooks=org_other_A,org_fleet_Cmd\n"
    )
    apply_plan(plan, root)
    assert store.read_flags()["hooks"]["value"] == "org_other_A,org_fleet_Cmd"
    assert read(root, "/etc/sysconfig/mesos-agent") == files["/etc/sysconfig/mesos-agent"].encode()


def test_dropin_unset_uses_unset_environment(host):
    files = {UNIT: "[Service]\nEnvironment=MESOS_HOOKS=org_fleet_Cmd MESOS_MODULES=/m.json\n"
                   "ExecStart=/usr/sbin/mesos-agent\n"}
    root = host("dropin", files)
    store = make_store("dropin", root)
    plan = store.plan(["org_fleet_Cmd"], state="absent")
    assert "UnsetEnvironment=MESOS_HOOKS\n" in plan.changes[0].after.decode()
    apply_plan(plan, root)
    assert "hooks" not in store.read_flags()


def test_dropin_later_dropin_that_overrides_ours_is_refused(host):
    files = dict(HOSTS["dropin"])
    files["/etc/systemd/system/mesos-agent.service.d/90-local.conf"] = (
        "[Service]\nExecStart=\nExecStart=/usr/sbin/mesos-agent --hooks=org_other_A\n"
    )
    root = host("dropin", files)
    before = read_tree(root, skip=("backups",))
    with pytest.raises(FlagStoreError, match=r"90-local\.conf"):
        make_store("dropin", root).plan(["org_fleet_Cmd"], modules=MODULES)
    assert read_tree(root, skip=("backups",)) == before


def test_dcos_writes_the_operator_override_file(host):
    root = host("dcos")
    plan = make_store("dcos", root).plan(["org_fleet_Cmd"], modules_dir=DCOS_MODULES_DIR)
    assert [(c.path, c.before, c.after) for c in plan.changes] == [
        ("/var/lib/dcos/mesos-slave-common", None, b"MESOS_HOOKS=org_other_A,org_other_B,org_fleet_Cmd\n")
    ]


def test_dcos_existing_override_file_is_appended_and_restored(host):
    files = dict(HOSTS["dcos"])
    files["/var/lib/dcos/mesos-slave-common"] = "MESOS_ATTRIBUTES=zone:a\n"
    root = host("dcos", files)
    original = read_tree(root, skip=("backups",))
    store = make_store("dcos", root)
    apply_plan(store.plan(["org_fleet_Cmd"], modules_dir=DCOS_MODULES_DIR), root)
    assert read(root, "/var/lib/dcos/mesos-slave-common") == (
        b"MESOS_ATTRIBUTES=zone:a\nMESOS_HOOKS=org_other_A,org_other_B,org_fleet_Cmd\n"
    )
    apply_plan(store.plan(["org_fleet_Cmd"], state="absent"), root)
    assert read_tree(root, skip=("backups",)) == original


# ---------------------------------------------------------------------------------------
# Order


def test_order_is_preserved_and_prepend_puts_ours_first(host):
    root = host("flagdir")
    store = make_store("flagdir", root)
    plan = store.plan(["org_fleet_X", "org_fleet_Y"], position="prepend", modules=MODULES)
    assert plan.hooks_after == ["org_fleet_X", "org_fleet_Y", "org_other_A", "org_other_B"]
    apply_plan(plan, root)
    # Already there in our order: nothing moves, whatever the position.
    assert not store.plan(["org_fleet_X", "org_fleet_Y"], position="append", modules=MODULES).changed
    apply_plan(store.plan(["org_fleet_X"], state="absent"), root)
    assert read(root, "/etc/mesos-slave/hooks") == b"org_fleet_Y,org_other_A,org_other_B\n"


@pytest.mark.parametrize("current,ours,state,position,expected", [
    (["a", "b"], ["x"], "present", "append", ["a", "b", "x"]),
    (["a", "b"], ["x"], "present", "prepend", ["x", "a", "b"]),
    (["a", "x", "b"], ["x"], "present", "append", ["a", "x", "b"]),
    (["y", "a", "x"], ["x", "y"], "present", "append", ["a", "x", "y"]),
    (["y", "a", "x"], ["x", "y"], "present", "prepend", ["x", "y", "a"]),
    (["a", "x", "b", "y"], ["x", "y"], "absent", "append", ["a", "b"]),
    ([], ["x"], "absent", "append", []),
    (["a"], [], "present", "append", ["a"]),
])
def test_updated_hooks(current, ours, state, position, expected):
    assert updated_hooks(current, ours, state, position) == expected


def test_split_hooks_drops_empty_items_like_mesos():
    assert split_hooks("a,,b,") == ["a", "b"]
    assert split_hooks(None) == [] and split_hooks("") == []


def test_wanted_flags_absent_removes_modules_only_when_equal():
    current = {"modules": MODULES, "hooks": "x"}
    assert wanted_flags(current, ["x"], "absent", modules=MODULES) == {
        "modules": None, "modules_dir": None, "hooks": None, "isolation": None}
    assert wanted_flags(current, ["x"], "absent", modules="file:///other.json")["modules"] == MODULES


# ---------------------------------------------------------------------------------------
# Bad input: a clear error and nothing changed


@pytest.mark.parametrize("hooks,message", [
    ([""], r"hooks\[0\]: a hook name must be a non-empty string"),
    (["org_ok", "9lives"], r"hooks\[1\]: '9lives' is not a valid hook module name"),
    (["org-dash"], r"'org-dash' is not a valid hook module name"),
    (["a b"], r"'a b' is not a valid hook module name"),
    (["org_x", "org_x"], r"hooks\[1\]: 'org_x' is listed twice"),
    ("org_x", r"must be a list"),
])
@pytest.mark.parametrize("style", sorted(HOSTS))
def test_bad_hook_names_are_refused(host, style, hooks, message):
    root = host(style)
    before = read_tree(root, skip=("backups",))
    with pytest.raises(FlagStoreError, match=message):
        make_store(style, root).plan(hooks, **MODULE_ARGS[style])
    assert read_tree(root, skip=("backups",)) == before


def test_validate_hook_names_accepts_identifiers():
    assert validate_hook_names(["_a", "org_apache_mesos_TestHook", "A1"]) == [
        "_a", "org_apache_mesos_TestHook", "A1"]


def test_modules_and_modules_dir_together_are_refused(host):
    root = host("flagdir")
    before = read_tree(root, skip=("backups",))
    with pytest.raises(FlagStoreError, match="mutually exclusive"):
        make_store("flagdir", root).plan(["org_fleet_Cmd"], modules=MODULES, modules_dir="/etc/mesos/modules.d")
    assert read_tree(root, skip=("backups",)) == before


@pytest.mark.parametrize("style,args,source", [
    ("flagdir", {"modules_dir": "/etc/mesos/modules.d"}, "/etc/mesos-slave/modules"),
    ("envfile", {"modules_dir": "/etc/mesos/modules.d"}, "/etc/default/mesos-agent:5"),
    ("dropin", {"modules_dir": "/etc/mesos/modules.d"}, UNIT + ":5"),
    ("dcos", {"modules": MODULES}, "/opt/mesosphere/etc/mesos-slave-common:2"),
])
def test_setting_the_other_modules_flag_is_refused_naming_the_source(host, style, args, source):
    root = host(style)
    before = read_tree(root, skip=("backups",))
    with pytest.raises(FlagStoreError, match="both be set") as info:
        make_store(style, root).plan(["org_fleet_Cmd"], **args)
    assert source in str(info.value)
    assert read_tree(root, skip=("backups",)) == before


def test_absent_removes_our_modules_flag_only_with_the_last_hook(host):
    files = dict(HOSTS["flagdir"])
    del files["/etc/mesos-slave/hooks"]
    del files["/etc/mesos-slave/modules"]
    root = host("flagdir", files)
    original = read_tree(root, skip=("backups",))
    store = make_store("flagdir", root)
    apply_plan(store.plan(["org_fleet_Cmd"], modules=MODULES), root)
    apply_plan(store.plan(["org_fleet_Cmd"], modules="file:///etc/mesos/other.json"), root)
    assert store.read_flags()["modules"]["value"] == "file:///etc/mesos/other.json"
    # A different value is left alone; the value we set goes with our hook.
    assert "modules" in store.plan(["org_fleet_Cmd"], state="absent", modules=MODULES).flags_after
    apply_plan(store.plan(["org_fleet_Cmd"], state="absent", modules="file:///etc/mesos/other.json"), root)
    assert read_tree(root, skip=("backups",)) == original


def test_absent_keeps_modules_while_other_hooks_need_it(host):
    root = host("flagdir")
    before = read_tree(root, skip=("backups",))
    with pytest.raises(FlagStoreError, match="--hooks=org_other_A would be set without --modules"):
        make_store("flagdir", root).plan(["org_other_B"], state="absent", modules=MODULES)
    assert read_tree(root, skip=("backups",)) == before


def test_hooks_without_any_modules_flag_are_refused(host):
    files = dict(HOSTS["flagdir"])
    del files["/etc/mesos-slave/modules"]
    root = host("flagdir", files)
    before = read_tree(root, skip=("backups",))
    with pytest.raises(FlagStoreError, match="No hook module named"):
        make_store("flagdir", root).plan(["org_fleet_Cmd"])
    assert read_tree(root, skip=("backups",)) == before


@pytest.mark.parametrize("line,message", [
    ("MESOS_HOOKS=\"org_other_A\n", r"/etc/default/mesos-agent line 2: malformed assignment of MESOS_HOOKS: "
                                    r"unterminated double quote"),
    ("MESOS_HOOKS=a b\n", r"line 2: malformed assignment of MESOS_HOOKS: unexpected 'b'"),
    ("MESOS_HOOKS=$EXTRA_HOOKS\n", r"line 2: MESOS_HOOKS uses shell expansion"),
    ("MESOS_LOG_DIR='/var/log\n", r"line 2: malformed assignment of MESOS_LOG_DIR"),
    ("export MESOS_HOOKS+=,x\n", r"line 2: cannot understand"),
])
def test_malformed_env_lines_are_refused(host, line, message):
    root = host("envfile", {"/etc/default/mesos-agent": "MESOS_MODULES=/m.json\n" + line})
    before = read_tree(root, skip=("backups",))
    with pytest.raises(FlagStoreError, match=message):
        make_store("envfile", root).plan(["org_fleet_Cmd"])
    assert read_tree(root, skip=("backups",)) == before


def test_multi_line_hooks_flag_file_is_refused(host):
    files = dict(HOSTS["flagdir"])
    files["/etc/mesos-slave/hooks"] = "org_other_A\norg_other_B\n"
    root = host("flagdir", files)
    before = read_tree(root, skip=("backups",))
    with pytest.raises(FlagStoreError, match="/etc/mesos-slave/hooks: malformed flag file, --hooks must be a single line"):
        make_store("flagdir", root).plan(["org_fleet_Cmd"], modules=MODULES)
    assert read_tree(root, skip=("backups",)) == before


def test_other_shell_lines_are_kept(host):
    text = "ulimit -n 8192\nif true; then :; fi\nMESOS_MODULES=/m.json\n"
    root = host("envfile", {"/etc/default/mesos-agent": text})
    store = make_store("envfile", root)
    apply_plan(store.plan(["org_fleet_Cmd"]), root)
    assert read(root, "/etc/default/mesos-agent").decode() == text + "MESOS_HOOKS=org_fleet_Cmd\n"


def test_malformed_unit_line_is_refused(host):
    root = host("dropin", {UNIT: "[Service]\nExecStart=/usr/sbin/mesos-agent --hooks=a\nnonsense\n"})
    with pytest.raises(FlagStoreError, match=r"mesos-agent.service line 3: malformed unit line 'nonsense'"):
        make_store("dropin", root).plan(["org_fleet_Cmd"], modules=MODULES)


def _deny_open(monkeypatch, real_path):
    real_open = open

    def denying_open(path, *args, **kwargs):
        if str(path) == real_path:
            raise PermissionError(13, "Permission denied", real_path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", denying_open)


@pytest.mark.parametrize("style,path", [
    ("flagdir", "/etc/mesos-slave/work_dir"),
    ("envfile", "/etc/default/mesos-agent"),
    ("dropin", "/etc/systemd/system/mesos-agent.service.d/10-limits.conf"),
    ("dcos", "/opt/mesosphere/etc/mesos-slave"),
])
def test_unreadable_file_is_named(host, monkeypatch, style, path):
    root = host(style)
    before = read_tree(root, skip=("backups",))
    _deny_open(monkeypatch, os.path.join(root, path.lstrip("/")))
    with pytest.raises(FlagStoreError, match="%s: cannot read file: Permission denied" % path):
        make_store(style, root).plan(["org_fleet_Cmd"], **MODULE_ARGS[style])
    monkeypatch.undo()
    assert read_tree(root, skip=("backups",)) == before


# ---------------------------------------------------------------------------------------
# Detection


def test_detect_unknown_style(tmp_path):
    with pytest.raises(FlagStoreError, match="cannot detect the Mesos agent packaging style"):
        detect_style(str(tmp_path))


def test_detect_ambiguous_style_names_the_evidence(host):
    files = dict(HOSTS["flagdir"])
    files.update(HOSTS["dcos"])
    root = host("flagdir", files)
    with pytest.raises(FlagStoreError, match=r"ambiguous .*dcos \(/opt/mesosphere.*flagdir \(/etc/mesos-slave\)"):
        detect_style(root)


def test_detect_both_flag_dirs_is_ambiguous(host):
    files = dict(HOSTS["flagdir"])
    files["/etc/mesos-agent/port"] = "5051\n"
    root = host("flagdir", files)
    with pytest.raises(FlagStoreError, match="both /etc/mesos-slave and /etc/mesos-agent exist"):
        detect_style(root)
    # Naming the directory settles it.
    assert make_store("flagdir", root, flag_dir="/etc/mesos-agent").read_flags()["port"]["value"] == "5051"


def test_detect_wrapper_unit_with_env_files_is_envfile_not_dropin(host):
    root = host("envfile", {
        "/lib/systemd/system/mesos-slave.service": "[Service]\nExecStart=/usr/bin/mesos-init-wrapper slave\n",
        "/etc/default/mesos-slave": "MESOS_MASTER=zk://z/mesos\n",
    })
    assert detect_style(root) == "envfile"


def test_detect_dropin_from_a_dropin_environment_line(host):
    root = host("dropin", {
        UNIT: "[Service]\nExecStart=/usr/sbin/mesos-agent\n",
        "/etc/systemd/system/mesos-agent.service.d/override.conf": "[Service]\nEnvironment=MESOS_PORT=5051\n",
    })
    assert detect_style(root) == "dropin"


def test_detect_unit_without_flags_is_not_dropin(host):
    root = host("dropin", {UNIT: "[Service]\nExecStart=/usr/sbin/mesos-agent\n"})
    with pytest.raises(FlagStoreError, match="cannot detect"):
        detect_style(root)


def test_options_of_another_style_are_refused(tmp_path):
    with pytest.raises(FlagStoreError, match="unit do not apply to the envfile style"):
        make_store("envfile", str(tmp_path), unit="mesos-agent.service")


# ---------------------------------------------------------------------------------------
# Applying


def test_apply_refuses_a_stale_plan(host):
    root = host("flagdir")
    store = make_store("flagdir", root)
    plan = store.plan(["org_fleet_Cmd"], modules=MODULES)
    write_tree(root, {"/etc/mesos-slave/hooks": "org_other_A\n"})
    before = read_tree(root, skip=("backups",))
    with pytest.raises(FlagStoreError, match="changed since the plan was made"):
        apply_plan(plan, root)
    assert read_tree(root, skip=("backups",)) == before


def test_failed_write_undoes_earlier_files(host, monkeypatch):
    files = dict(HOSTS["flagdir"])
    files["/etc/default/mesos-slave"] = "MESOS_HOOKS=org_fleet_Cmd\n"
    files["/etc/mesos-slave/hooks"] = "org_fleet_Cmd\n"
    root = host("flagdir", files)
    before = read_tree(root, skip=("backups",))
    plan = make_store("flagdir", root).plan(["org_fleet_Cmd"], state="absent")
    # Unsetting must remove the flag from both places that set it.
    assert [c.path for c in plan.changes] == ["/etc/default/mesos-slave", "/etc/mesos-slave/hooks"]

    real_remove = flag_stores.atomic_remove

    def failing_remove(path, backup_dir=None):
        if path.endswith("/etc/mesos-slave/hooks"):
            raise atomic_file.AtomicFileError(path, "cannot remove file: Read-only file system")
        return real_remove(path, backup_dir=backup_dir)

    monkeypatch.setattr(flag_stores, "atomic_remove", failing_remove)
    with pytest.raises(FlagStoreError, match="cannot write /etc/mesos-slave/hooks: .*Read-only.*restored"):
        apply_plan(plan, root)
    assert read_tree(root, skip=("backups",)) == before


def test_backups_hold_the_old_content(host, tmp_path):
    root = host("envfile")
    original = read(root, "/etc/default/mesos-agent")
    plan = make_store("envfile", root).plan(["org_fleet_Cmd"], modules=MODULES)
    backups = apply_plan(plan, root, backup_dir=str(tmp_path / "backups"))
    assert len(backups) == 1
    with open(backups[0], "rb") as handle:
        assert handle.read() == original


# ---------------------------------------------------------------------------------------
# Masters: the same styles in the master's own files


MASTER_UNIT = "/usr/lib/systemd/system/mesos-master.service"
MASTER_HOSTS = {
    "flagdir": {
        "/etc/mesos/zk": "zk://zk1:2181/mesos\n",
        "/etc/mesos-master/quorum": "2\n",
        "/etc/mesos-master/work_dir": "/var/lib/mesos/master\n",
        "/etc/mesos-master/hooks": "org_other_A\n",
        "/etc/mesos-master/modules": MODULES + "\n",
        "/etc/default/mesos-master": "PORT=5050\nZK=zk://zk0:2181/mesos\n",
    },
    "envfile": {
        "/etc/default/mesos-master": (
            "export MESOS_ZK=zk://zk1:2181/mesos\nexport MESOS_QUORUM=2\n"
            "export MESOS_HOOKS=org_other_A\nexport MESOS_MODULES=" + MODULES + "\n"
        ),
    },
    "dropin": {
        MASTER_UNIT: (
            "[Unit]\nDescription=Mesos master\n\n[Service]\n"
            "ExecStart=/usr/sbin/mesos-master --zk=zk://zk1:2181/mesos --quorum=2 \\\n"
            "    --work_dir=/var/lib/mesos/master --hooks=org_other_A --modules=" + MODULES + "\n"
            "\n[Install]\nWantedBy=multi-user.target\n"
        ),
    },
    "dcos": {
        "/opt/mesosphere/environment": "PATH=/opt/mesosphere/bin:/usr/bin\n",
        "/opt/mesosphere/etc/mesos-master": (
            "MESOS_ZK=zk://zk-1.zk:2181/mesos\nMESOS_QUORUM=1\n"
            "MESOS_MODULES=" + MODULES + "\nMESOS_HOOKS=org_other_A\n"
        ),
        "/opt/mesosphere/etc/proxy.env": "",
        "/etc/mesosphere/roles/master": "",
    },
}
MASTER_OVERRIDE = {
    "flagdir": "/etc/mesos-master/hooks",
    "envfile": "/etc/default/mesos-master",
    "dropin": "/etc/systemd/system/mesos-master.service.d/50-mesos-fleet-hooks.conf",
    "dcos": "/etc/mesosphere/mesos/master.env",
}


@pytest.mark.parametrize("style", sorted(MASTER_HOSTS))
def test_master_styles_round_trip_in_the_masters_files(tmp_path, style):
    write_tree(tmp_path, MASTER_HOSTS[style])
    root = str(tmp_path)
    original = read_tree(root, skip=("backups",))
    assert detect_style(root, daemon="master") == style
    with pytest.raises(FlagStoreError, match="Mesos agent packaging style"):
        detect_style(root)  # nothing here is an agent's
    store = make_store("auto", root, daemon="master")
    plan = store.plan(["org_fleet_Cmd"], modules=MODULES)
    assert [change.path for change in plan.changes] == [MASTER_OVERRIDE[style]]
    apply_plan(plan, root)
    flags = make_store(style, root, daemon="master").read_flags()
    assert flags["hooks"]["value"] == "org_other_A,org_fleet_Cmd"
    assert flags["hooks"]["source"].startswith(MASTER_OVERRIDE[style])
    apply_plan(make_store(style, root, daemon="master").plan(["org_fleet_Cmd"], state="absent"), root)
    assert read_tree(root, skip=("backups",)) == original


def test_master_wrapper_variables_are_the_masters():
    # mesos-init-wrapper turns ZK= into --zk for the master; MASTER= means nothing to it.
    source = flag_stores.EnvFile("/etc/default/mesos-master", "ZK=zk://a/mesos\nMASTER=x\n",
                                 wrapper_vars=flag_stores.LAYOUTS["master"].wrapper_vars)
    assert [(d.flag, d.value) for d in source.wrapper_definitions()] == [("zk", "zk://a/mesos")]


def test_agent_and_master_on_one_host_keep_apart(tmp_path):
    write_tree(tmp_path, dict(HOSTS["flagdir"], **MASTER_HOSTS["flagdir"]))
    root = str(tmp_path)
    assert detect_style(root) == detect_style(root, daemon="master") == "flagdir"
    plan = make_store("auto", root, daemon="master").plan(["org_fleet_Cmd"], modules=MODULES)
    assert [change.path for change in plan.changes] == ["/etc/mesos-master/hooks"]
    assert make_store("auto", root).read_flags()["hooks"]["value"] == "org_other_A,org_other_B"


def test_unknown_daemon_is_refused(tmp_path):
    with pytest.raises(FlagStoreError, match="unknown daemon 'scheduler'"):
        make_store("auto", str(tmp_path), daemon="scheduler")


def test_the_packages_master_env_file_with_command_substitutions_reads(tmp_path):
    # As the Mesosphere package ships /etc/default/mesos-master: the wrapper turns ZK into --zk.
    write_tree(tmp_path, {"/etc/mesos-master/quorum": "2\n", "/etc/mesos/zk": "zk://zk1:2181/mesos\n",
                          "/etc/default/mesos-master": "PORT=5050\nZK=`cat /etc/mesos/zk`\nIP=$(hostname -i | cut -d' ' -f1)\n"})
    flags = make_store("auto", str(tmp_path), daemon="master").read_flags()
    assert flags["zk"]["value"] == "`cat /etc/mesos/zk`" and flags["port"]["value"] == "5050"
    assert flags["ip"]["value"] == "$(hostname -i | cut -d' ' -f1)"
    with pytest.raises(FlagStoreError, match="unterminated backquote"):
        make_store("auto", str(write_tree(tmp_path, {"/etc/default/mesos-master": "ZK=`cat /etc/mesos/zk\n"})),
                   daemon="master").read_flags()


# ---------------------------------------------------------------------------------------
# Isolator modules in --isolation


@pytest.mark.parametrize("current, state, expected", [
    # Unset: the agent runs posix/cpu,posix/mem (src/slave/flags.cpp); ours go after them.
    (None, "present", "posix/cpu,posix/mem,org_fleet_Iso"),
    ("filesystem/linux,cgroups/cpu", "present", "filesystem/linux,cgroups/cpu,org_fleet_Iso"),
    ("filesystem/linux,org_fleet_Iso,cgroups/cpu", "present", "filesystem/linux,org_fleet_Iso,cgroups/cpu"),
    ("filesystem/linux,org_fleet_Iso,cgroups/cpu", "absent", "filesystem/linux,cgroups/cpu"),
    # Taking ours out of what we made of an unset flag unsets it again.
    ("posix/cpu,posix/mem,org_fleet_Iso", "absent", None),
    (None, "absent", None),
])
def test_isolation_keeps_the_agents_isolators_and_their_order(current, state, expected):
    assert flag_stores.updated_isolation(current, ["org_fleet_Iso"], state) == expected


@pytest.mark.parametrize("style", sorted(HOSTS))
def test_an_isolator_goes_into_isolation_and_out_again_byte_for_byte(host, style):
    root = host(style)
    original = read_tree(root, skip=("backups",))
    plan = make_store(style, root).plan([], modules=MODULE_ARGS[style].get("modules"),
                                        modules_dir=MODULE_ARGS[style].get("modules_dir"), isolators=["org_fleet_Iso"])
    apply_plan(plan, root)
    flags = make_store(style, root).read_flags()
    assert flags["isolation"]["value"] == "posix/cpu,posix/mem,org_fleet_Iso"
    assert flags["hooks"]["value"] == "org_other_A,org_other_B"
    apply_plan(make_store(style, root).plan([], state="absent", isolators=["org_fleet_Iso"]), root)
    assert read_tree(root, skip=("backups",)) == original


def test_an_isolator_without_modules_to_load_it_is_refused(tmp_path):
    write_tree(tmp_path, {"/etc/mesos-slave/master": "zk://zk1:2181/mesos\n"})
    with pytest.raises(FlagStoreError, match="--isolation would name org_fleet_Iso without --modules"):
        make_store("flagdir", str(tmp_path)).plan([], isolators=["org_fleet_Iso"])
