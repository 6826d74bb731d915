# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Atomic file replacement with optional timestamped backups.

A reader (the Mesos agent, systemd, a shell sourcing an env file) must see either the old
or the new content of a file, never a half-written one. Every write goes to a temporary
file in the same directory (so the rename cannot cross a filesystem), is fsync'ed, gets
its owner and mode, and only then replaces the target with os.replace().
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import errno
import grp
import os
import pwd
import stat
import tempfile

DEFAULT_NEW_FILE_MODE = 0o644
DEFAULT_DIR_MODE = 0o755
PRIVATE_DIR_MODE = 0o700
# Directories the system shares: never made private, whatever a caller asks.
SHARED_DIRS = ("/", "/etc", "/var", "/var/lib", "/var/tmp", "/tmp", "/usr", "/usr/local", "/opt", "/srv",
               "/home", "/root", "/run", "/var/run", "/var/log", "/boot", "/dev", "/proc", "/sys")


class AtomicFileError(Exception):
    """A file could not be read, written, backed up or removed; the message names it."""

    def __init__(self, path, message):
        super(AtomicFileError, self).__init__("%s: %s" % (path, message))
        self.path = path
        self.reason = message


def _describe(exc):
    return exc.strerror or str(exc) if isinstance(exc, EnvironmentError) else str(exc)


def read_bytes(path):
    """Return the content of ``path`` as bytes, or None when it does not exist.

    Anything else that prevents reading (permissions, a directory in the way, I/O errors)
    raises AtomicFileError naming the file.
    """
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except EnvironmentError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise AtomicFileError(path, "cannot read file: %s" % _describe(exc))


def read_text(path):
    """Return the content of ``path`` as text, or None when it does not exist.

    Bytes that are not UTF-8 are kept as surrogate escapes so that text read here and
    written back with :func:`encode_text` is byte-for-byte identical.
    """
    data = read_bytes(path)
    if data is None:
        return None
    return data.decode("utf-8", "surrogateescape")


def encode_text(text):
    """Inverse of the decoding done by :func:`read_text`."""
    return text.encode("utf-8", "surrogateescape")


def _resolve_uid(owner, path):
    if owner is None:
        return None
    if isinstance(owner, int) or str(owner).isdigit():
        return int(owner)
    try:
        return pwd.getpwnam(owner).pw_uid
    except KeyError:
        raise AtomicFileError(path, "unknown owner %r" % (owner,))


def _resolve_gid(group, path):
    if group is None:
        return None
    if isinstance(group, int) or str(group).isdigit():
        return int(group)
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise AtomicFileError(path, "unknown group %r" % (group,))


def _resolve_mode(mode, path):
    if mode is None:
        return None
    if isinstance(mode, int):
        value = mode
    else:
        try:
            value = int(str(mode), 8)
        except ValueError:
            raise AtomicFileError(path, "mode %r is not an octal number" % (mode,))
    if value < 0 or value > 0o7777:
        raise AtomicFileError(path, "mode %r is out of range" % (mode,))
    return value


def _timestamp():
    # Microseconds keep two backups of the same file within one second apart.
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def backup_name(path):
    """Name of a backup of ``path``: its absolute path flattened, plus a UTC timestamp.

    Flattening keeps backups of equally named files in different directories apart
    (``/etc/default/mesos-agent`` and ``/etc/sysconfig/mesos-agent``).
    """
    flat = os.path.abspath(path).strip(os.sep).replace(os.sep, "_")
    return "%s.%s.bak" % (flat, _timestamp())


def fsync_dir(directory):
    """Make a rename in ``directory`` durable, where the filesystem allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except EnvironmentError:
        return
    try:
        os.fsync(fd)
    except EnvironmentError:
        # Some filesystems refuse fsync on directories; the rename itself is still atomic.
        pass
    finally:
        os.close(fd)


def temp_dir_beside(directory):
    """Where to write the temporary files of a directory whose every entry is read (Mesos's
    --modules_dir, the wrapper's flag directory): a private directory beside it, on the same
    filesystem in all but odd layouts, so the final rename stays atomic."""
    directory = os.path.abspath(directory).rstrip("/") or "/"
    return os.path.join(os.path.dirname(directory), ".%s.mesos-fleet-tmp" % os.path.basename(directory))


def _write_temp_and_replace(path, data, mode, uid, gid, temp_dir=None):
    """Write ``data`` to a temporary file (next to ``path``, or in ``temp_dir``) and rename it
    over ``path``; clean up on any error."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise AtomicFileError(path, "directory %s does not exist" % directory)
    if temp_dir is not None:
        ensure_private_dir(temp_dir)
    try:
        fd, tmp_path = tempfile.mkstemp(
            prefix=".%s." % os.path.basename(path), suffix=".tmp", dir=temp_dir or directory
        )
    except EnvironmentError as exc:
        raise AtomicFileError(path, "cannot create a temporary file in %s: %s" % (temp_dir or directory, _describe(exc)))
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)
            if uid is not None or gid is not None:
                os.fchown(fd, -1 if uid is None else uid, -1 if gid is None else gid)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_path, path)
    except BaseException as exc:
        try:
            os.unlink(tmp_path)
        except EnvironmentError:
            pass
        if isinstance(exc, EnvironmentError):
            if exc.errno == errno.EXDEV:
                raise AtomicFileError(path, "cannot write file: %s is on another filesystem, so the file "
                                            "cannot be replaced atomically from there" % temp_dir)
            raise AtomicFileError(path, "cannot write file: %s" % _describe(exc))
        raise
    finally:
        if temp_dir is not None:
            try:
                os.rmdir(temp_dir)
            except EnvironmentError:
                pass
    fsync_dir(directory)


def _make_dirs(path, mode):
    """Create ``path`` and its missing parents, each with exactly ``mode`` (umask aside)."""
    path = os.path.abspath(path)
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, mode)
            os.chmod(directory, mode)
        except EnvironmentError as exc:
            if exc.errno != errno.EEXIST:
                raise AtomicFileError(directory, "cannot create directory: %s" % _describe(exc))
    return list(reversed(missing))


def ensure_dir(path, mode=DEFAULT_DIR_MODE):
    """Create ``path`` and missing parents as ``mode`` (0755); existing directories are left alone."""
    return _make_dirs(path, mode)


def ensure_private_dir(path):
    """Make ``path`` a root-only directory (0700, owned by us): create it, or tighten it.

    Missing parents are created 0700 too (they are the private state directory). A shared
    system directory (/, /etc, /var/lib, /tmp, ...) is refused rather than tightened.
    """
    path = os.path.abspath(path)
    if os.path.normpath(path) in SHARED_DIRS:
        raise AtomicFileError(path, "is a shared system directory; refusing to make it private (0700)")
    _make_dirs(path, PRIVATE_DIR_MODE)
    try:
        st = os.lstat(path)
        if not stat.S_ISDIR(st.st_mode):
            raise AtomicFileError(path, "is not a directory")
        if stat.S_IMODE(st.st_mode) != PRIVATE_DIR_MODE:
            os.chmod(path, PRIVATE_DIR_MODE)
        if st.st_uid != os.geteuid():
            os.chown(path, os.geteuid(), -1)
    except EnvironmentError as exc:
        raise AtomicFileError(path, "cannot make the directory private: %s" % _describe(exc))
    return path


def _backup(path, data, backup_dir):
    ensure_private_dir(backup_dir)
    target = os.path.join(backup_dir, backup_name(path))
    suffix = 1
    while os.path.lexists(target):
        target = os.path.join(backup_dir, "%s.%d" % (backup_name(path), suffix))
        suffix += 1
    # Root-only, whatever the original's mode: a backup may hold secrets the original held.
    _write_temp_and_replace(target, data, PRIVATE_FILE_MODE, None, None)
    return target


PRIVATE_FILE_MODE = 0o600


def config_file_mode(path, private=False):
    """(mode, uid, gid) for an agent configuration file we write.

    Root-owned when we run as root (whoever owns it decides what a root-run agent loads),
    never writable by group or others; 0600 when it holds secrets; otherwise the file's current
    mode without those bits, and 0644 for a new file.
    """
    uid = gid = None
    if os.geteuid() == 0:
        uid = gid = 0
    if private:
        return PRIVATE_FILE_MODE, uid, gid
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except EnvironmentError:
        mode = DEFAULT_NEW_FILE_MODE
    return mode & ~0o022, uid, gid


def atomic_write(path, data, mode=None, owner=None, group=None, backup_dir=None, temp_dir=None):
    """Replace the content of ``path`` with ``data`` (bytes) atomically.

    ``mode`` (int or octal string), ``owner`` and ``group`` (names or numeric ids) default
    to those of the existing file; a new file is 0644 and, when running as root,
    root:root. A symlink is followed: its target is replaced and the link kept. With
    ``backup_dir``, an existing file's old content is first copied to a timestamped file
    there (see :func:`backup_name`); the backup's path is returned, else None. With
    ``temp_dir`` (see :func:`temp_dir_beside`) no temporary file ever appears beside ``path``.

    Raises AtomicFileError naming the file; on error the target is untouched and no
    temporary file is left behind.
    """
    if not isinstance(data, bytes):
        raise TypeError("atomic_write() needs bytes, got %s" % type(data).__name__)
    target = os.path.realpath(path)
    want_mode = _resolve_mode(mode, path)
    uid = _resolve_uid(owner, path)
    gid = _resolve_gid(group, path)
    try:
        st = os.stat(target)
    except EnvironmentError as exc:
        if exc.errno != errno.ENOENT:
            raise AtomicFileError(path, "cannot stat file: %s" % _describe(exc))
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise AtomicFileError(path, "not a regular file")

    if st is not None:
        final_mode = stat.S_IMODE(st.st_mode) if want_mode is None else want_mode
        final_uid = st.st_uid if uid is None else uid
        final_gid = st.st_gid if gid is None else gid
    else:
        final_mode = DEFAULT_NEW_FILE_MODE if want_mode is None else want_mode
        as_root = os.geteuid() == 0
        final_uid = uid if uid is not None else (0 if as_root else None)
        final_gid = gid if gid is not None else (0 if as_root else None)

    backup_path = None
    if backup_dir is not None and st is not None:
        old = read_bytes(target)
        if old is None:
            raise AtomicFileError(path, "file disappeared while it was being backed up")
        backup_path = _backup(target, old, backup_dir)

    _write_temp_and_replace(target, data, final_mode, final_uid, final_gid, temp_dir)
    return backup_path


def atomic_remove(path, backup_dir=None):
    """Remove ``path`` if it exists, after backing it up to ``backup_dir`` when given.

    Returns the backup path or None. Raises AtomicFileError naming the file.
    """
    try:
        st = os.lstat(path)
    except EnvironmentError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise AtomicFileError(path, "cannot stat file: %s" % _describe(exc))
    if stat.S_ISDIR(st.st_mode):
        raise AtomicFileError(path, "is a directory, refusing to remove it")
    backup_path = None
    if backup_dir is not None and stat.S_ISREG(st.st_mode):
        old = read_bytes(path)
        if old is not None:
            backup_path = _backup(path, old, backup_dir)
    try:
        os.unlink(path)
    except EnvironmentError as exc:
        if exc.errno != errno.ENOENT:
            raise AtomicFileError(path, "cannot remove file: %s" % _describe(exc))
    fsync_dir(os.path.dirname(os.path.abspath(path)))
    return backup_path
