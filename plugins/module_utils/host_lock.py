# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The host's rollout lock: one file in the root-only state directory, created exclusively, so
that a second run over the same agents stops clearly instead of restarting them too.

Kept apart from the rest of the rollout code: every module call that touches the lock ships
this to the agent, and what an agent compiles on each call is part of the call's cost."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import time

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file


class LockError(Exception):
    """The lock cannot be taken (another run holds it, the directory is unsafe) or dropped."""


def acquire(path, run_id, now=None, stale_after=0):
    """Take the host's rollout lock for run_id; idempotent for the same run.

    Returns True when this call created the lock. A lock held by another run is refused unless
    it is older than stale_after seconds (0: never broken automatically).
    """
    now = time.time() if now is None else now
    body = json.dumps(dict(run_id=run_id, since=now, pid=os.getpid())).encode("utf-8")
    # The lock lives in the root-only state directory (with the backups and snapshots).
    try:
        atomic_file.ensure_private_dir(os.path.dirname(path))
    except atomic_file.AtomicFileError as e:
        raise LockError("cannot take lock %s: %s" % (path, e))
    for dummy in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as e:
            if e.errno != errno.EEXIST:
                raise LockError("cannot create lock %s: %s" % (path, e.strerror))
            if _held_by(path, read_lock(path), run_id, now, stale_after):
                return False
            os.unlink(path)  # another run's, older than stale_after
            continue
        try:
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        return True
    raise LockError("could not take lock %s" % path)


def take_lock(path, run_id, stale_after=0, check_only=False, now=None):
    """Take the host's rollout lock for run_id (acquire), or with ``check_only`` find out whether
    it could be taken without taking it. Returns (taken, holder): whether this call took the lock
    (or would), and what the lock file said before."""
    holder = read_lock(path)
    if not check_only:
        return acquire(path, run_id, now=now, stale_after=stale_after), holder
    now = time.time() if now is None else now
    if not os.path.exists(path):
        return True, holder
    return not _held_by(path, holder, run_id, now, stale_after), holder


def _held_by(path, holder, run_id, now, stale_after):
    """What the lock at ``path`` (``holder``, as read_lock gives it) means for run_id: True when
    run_id holds it, False when another run's lock is stale and may be broken; LockError when it
    stops run_id."""
    if holder.get("run_id") == run_id:
        return True
    if lock_blocks(holder, now, stale_after):
        raise LockError(lock_held_message(path, holder, lock_age(holder, now)))
    return False


def lock_age(holder, now):
    """Seconds since the run that holds the lock (as read_lock gives it) took it."""
    return now - float(holder.get("since") or 0)


def lock_blocks(holder, now, stale_after=0):
    """Whether another run's lock stops this run: it does unless it is older than stale_after
    seconds (0: it always does)."""
    return not (stale_after and lock_age(holder, now) > stale_after)


def lock_held_message(path, holder, age):
    """What an operator needs when another run's lock stops this one: who, since when, what to do."""
    age = int(age)
    return (
        "another rollout (%s) holds this host since %s (%d s ago%s). If that run is still going, "
        "wait for it to finish: never run two rollouts over the same agents. If it was interrupted "
        "(Ctrl-C, a lost controller), run again with -e mesos_rollout_lock_stale_after=%d "
        "(breaks a lock older than that many seconds), or remove %s on this host; the new run "
        "restarts any agent whose running flags differ from its files" % (
            holder.get("run_id", "unknown"),
            time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(holder.get("since") or 0))),
            age, ", its last step: %s" % holder["step"] if holder.get("step") else "", max(age - 1, 1), path))


def note_step(path, run_id, step):
    """Write in this run's lock the step its rollout of the host has reached, so that a lock a
    lost run leaves behind says how far it got. Rewritten atomically: the lock is its file's
    existence, and a half-written note must never make it unreadable."""
    holder = read_lock(path)
    if holder.get("run_id") != run_id:
        return
    holder["step"] = step
    atomic_file.atomic_write(path, json.dumps(holder).encode("utf-8"), mode=0o600)


def read_lock(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (IOError, OSError, ValueError):
        return {}


def release(path, run_id):
    """Drop the lock if this run holds it. Returns True when it was removed."""
    holder = read_lock(path)
    if not os.path.exists(path):
        return False
    if holder.get("run_id") not in (run_id, None):
        raise LockError("lock %s belongs to run %s, not %s; left in place" % (path, holder.get("run_id"), run_id))
    os.unlink(path)
    return True
