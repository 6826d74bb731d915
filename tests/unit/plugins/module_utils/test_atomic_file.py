# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file
from ansible_collections.mesos_fleet.hooks.plugins.module_utils.atomic_file import (
    AtomicFileError,
    atomic_remove,
    atomic_write,
    read_bytes,
    read_text,
)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _listing(directory):
    return sorted(os.listdir(str(directory)))


def test_new_file_gets_content_and_default_mode(tmp_path):
    target = tmp_path / "flag"
    assert atomic_write(str(target), b"value\n") is None
    assert target.read_bytes() == b"value\n"
    assert _mode(str(target)) == 0o644
    if os.geteuid() == 0:
        st = os.stat(str(target))
        assert (st.st_uid, st.st_gid) == (0, 0)
    assert _listing(tmp_path) == ["flag"]


def test_existing_mode_and_owner_are_kept(tmp_path):
    target = tmp_path / "flag"
    target.write_bytes(b"old")
    os.chmod(str(target), 0o600)
    if os.geteuid() == 0:
        os.chown(str(target), 4321, 4322)
    atomic_write(str(target), b"new")
    assert target.read_bytes() == b"new"
    assert _mode(str(target)) == 0o600
    if os.geteuid() == 0:
        st = os.stat(str(target))
        assert (st.st_uid, st.st_gid) == (4321, 4322)


def test_explicit_mode_wins_and_accepts_octal_string(tmp_path):
    target = tmp_path / "flag"
    target.write_bytes(b"old")
    atomic_write(str(target), b"new", mode="0640")
    assert _mode(str(target)) == 0o640
    atomic_write(str(target), b"new", mode=0o600)
    assert _mode(str(target)) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_explicit_owner_and_group_by_id_and_name(tmp_path):
    target = tmp_path / "flag"
    atomic_write(str(target), b"x", owner=1234, group="1235")
    st = os.stat(str(target))
    assert (st.st_uid, st.st_gid) == (1234, 1235)
    atomic_write(str(target), b"y", owner="root", group="root")
    st = os.stat(str(target))
    assert (st.st_uid, st.st_gid) == (0, 0)


def test_unknown_owner_is_refused_before_writing(tmp_path):
    target = tmp_path / "flag"
    target.write_bytes(b"old")
    with pytest.raises(AtomicFileError, match="unknown owner 'no-such-user-xyz'"):
        atomic_write(str(target), b"new", owner="no-such-user-xyz")
    assert target.read_bytes() == b"old"
    assert _listing(tmp_path) == ["flag"]


def test_bad_mode_is_refused(tmp_path):
    target = tmp_path / "flag"
    with pytest.raises(AtomicFileError, match="not an octal number"):
        atomic_write(str(target), b"new", mode="rw-r--r--")
    assert not target.exists()


def test_backup_holds_old_content_with_timestamped_name(tmp_path):
    target = tmp_path / "etc" / "default" / "mesos"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"MESOS_HOOKS=a\n")
    backups = tmp_path / "backups" / "nested"
    first = atomic_write(str(target), b"MESOS_HOOKS=a,b\n", backup_dir=str(backups))
    second = atomic_write(str(target), b"MESOS_HOOKS=a,b,c\n", backup_dir=str(backups))
    assert first != second
    assert os.path.dirname(first) == str(backups)
    flat = str(target).strip("/").replace("/", "_")
    assert os.path.basename(first).startswith(flat + ".")
    assert open(first, "rb").read() == b"MESOS_HOOKS=a\n"
    assert open(second, "rb").read() == b"MESOS_HOOKS=a,b\n"
    assert target.read_bytes() == b"MESOS_HOOKS=a,b,c\n"


def test_no_backup_for_new_file(tmp_path):
    backups = tmp_path / "backups"
    assert atomic_write(str(tmp_path / "flag"), b"x", backup_dir=str(backups)) is None
    assert not backups.exists() or _listing(backups) == []


def test_symlink_target_is_replaced_and_link_kept(tmp_path):
    real = tmp_path / "real"
    real.write_bytes(b"old")
    link = tmp_path / "link"
    link.symlink_to(real)
    atomic_write(str(link), b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_directory_in_the_way_is_refused(tmp_path):
    target = tmp_path / "flag"
    target.mkdir()
    with pytest.raises(AtomicFileError, match="not a regular file"):
        atomic_write(str(target), b"x")


def test_missing_parent_directory_is_a_clear_error(tmp_path):
    with pytest.raises(AtomicFileError, match="does not exist"):
        atomic_write(str(tmp_path / "nope" / "flag"), b"x")


def test_failure_during_write_leaves_target_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "flag"
    target.write_bytes(b"old")

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic_file.os, "fsync", broken_fsync)
    with pytest.raises(AtomicFileError, match="Input/output error"):
        atomic_write(str(target), b"new")
    assert target.read_bytes() == b"old"
    assert _listing(tmp_path) == ["flag"]


def test_failure_during_rename_leaves_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "flag"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_file.os, "replace", broken_replace)
    with pytest.raises(AtomicFileError, match="No space left"):
        atomic_write(str(target), b"new")
    assert target.read_bytes() == b"old"
    assert _listing(tmp_path) == ["flag"]


def test_rejects_text(tmp_path):
    with pytest.raises(TypeError):
        atomic_write(str(tmp_path / "flag"), u"text")


def test_read_text_missing_is_none(tmp_path):
    assert read_text(str(tmp_path / "absent")) is None
    assert read_bytes(str(tmp_path / "absent")) is None


def test_read_text_round_trips_non_utf8_bytes(tmp_path):
    target = tmp_path / "flag"
    raw = b"caf\xe9 \xc3\xa9\n"
    target.write_bytes(raw)
    text = read_text(str(target))
    assert atomic_file.encode_text(text) == raw


def test_read_text_directory_is_a_clear_error(tmp_path):
    target = tmp_path / "hooks"
    target.mkdir()
    with pytest.raises(AtomicFileError) as info:
        read_text(str(target))
    assert str(target) in str(info.value)
    assert "cannot read" in str(info.value)


def test_read_text_permission_denied_is_a_clear_error(tmp_path, monkeypatch):
    target = tmp_path / "hooks"
    target.write_bytes(b"x")
    os.chmod(str(target), 0)
    if os.geteuid() == 0:
        # root reads anything; simulate the kernel's answer instead.
        real_open = open

        def denying_open(path, *args, **kwargs):
            if str(path) == str(target):
                raise PermissionError(13, "Permission denied", str(target))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr("builtins.open", denying_open)
    with pytest.raises(AtomicFileError, match="hooks: cannot read file: Permission denied"):
        read_text(str(target))


def test_atomic_remove_backs_up_then_removes(tmp_path):
    target = tmp_path / "hooks"
    target.write_bytes(b"a,b\n")
    backups = tmp_path / "bk"
    backup = atomic_remove(str(target), backup_dir=str(backups))
    assert not target.exists()
    assert open(backup, "rb").read() == b"a,b\n"
    assert atomic_remove(str(target), backup_dir=str(backups)) is None


def test_atomic_remove_refuses_directory(tmp_path):
    target = tmp_path / "hooks"
    target.mkdir()
    with pytest.raises(AtomicFileError, match="is a directory"):
        atomic_remove(str(target))
    assert target.is_dir()


# --- directories and backups -----------------------------------------------------------------

def test_private_dir_is_created_0700_with_its_missing_parents(tmp_path):
    old = os.umask(0)
    try:
        atomic_file.ensure_private_dir(str(tmp_path / "state" / "backup"))
    finally:
        os.umask(old)
    assert _mode(str(tmp_path / "state")) == 0o700 and _mode(str(tmp_path / "state" / "backup")) == 0o700


def test_private_dir_that_exists_is_tightened(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    os.chmod(str(state), 0o755)
    atomic_file.ensure_private_dir(str(state))
    assert _mode(str(state)) == 0o700


@pytest.mark.parametrize("shared", ["/", "/tmp", "/var/lib", "/etc/"])
def test_shared_system_directories_are_never_made_private(shared):
    before = _mode(shared)
    with pytest.raises(AtomicFileError) as e:
        atomic_file.ensure_private_dir(shared)
    assert "shared system directory" in str(e.value)
    assert _mode(shared) == before


def test_dirs_are_created_0755_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        created = atomic_file.ensure_dir(str(tmp_path / "a" / "b"))
    finally:
        os.umask(old)
    assert created == [str(tmp_path / "a"), str(tmp_path / "a" / "b")]
    assert _mode(str(tmp_path / "a")) == 0o755 and _mode(str(tmp_path / "a" / "b")) == 0o755


def test_backups_are_root_only_whatever_the_original_mode(tmp_path):
    target = tmp_path / "flags"
    target.write_bytes(b"old")
    os.chmod(str(target), 0o644)
    backup = atomic_write(str(target), b"new", backup_dir=str(tmp_path / "backup"))
    assert _mode(backup) == 0o600 and _mode(str(tmp_path / "backup")) == 0o700
    assert _mode(str(target)) == 0o644


@pytest.mark.parametrize("existing, private, expected", [
    (None, False, 0o644), (0o666, False, 0o644), (0o775, False, 0o755), (0o640, False, 0o640),
    (0o644, True, 0o600), (None, True, 0o600),
])
def test_config_files_are_never_group_or_world_writable(tmp_path, existing, private, expected):
    target = tmp_path / "flag"
    if existing is not None:
        target.write_bytes(b"x")
        os.chmod(str(target), existing)
    mode, uid, gid = atomic_file.config_file_mode(str(target), private=private)
    assert mode == expected
    assert (uid, gid) == ((0, 0) if os.geteuid() == 0 else (None, None))
