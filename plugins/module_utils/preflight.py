# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read-only checks on an agent, run before anything is written on any host.

What only the agent can tell: whether each command the command hook will run passes the
hook's own rule (``check_command_path`` in hook_src/command_hook/core/config.cpp: an absolute
path to a regular executable file owned by root, not writable by group or others, under
directories owned by root and not writable by group or others, sticky root-owned directories
such as /tmp excepted), and whether the agent's flags set both ``--modules`` and
``--modules_dir`` (Mesos exits; we could not tell which one to change), whether a stray file in
--modules_dir or the flag directory would stop the agent at its restart, and whether another
rollout still holds the host's lock. Nothing here writes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import stat as stat_mod
import time

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_spec
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import host_lock
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm


def _under(root, path):
    return path if not root or root == "/" else os.path.join(root, path.lstrip("/"))


def command_path_problem(path, owner=0, root="/", stat=os.stat):
    """Why the command hook would refuse ``path`` (the agent would then not start), or None."""
    if not isinstance(path, str) or not path.startswith("/"):
        return "command '%s' must be an absolute path" % (path,)
    try:
        st = stat(_under(root, path))
    except OSError:
        return "command '%s' does not exist or is not accessible" % path
    if not stat_mod.S_ISREG(st.st_mode):
        return "command '%s' is not a regular file" % path
    if not st.st_mode & stat_mod.S_IXUSR:
        return "command '%s' is not executable (mode %04o)" % (path, stat_mod.S_IMODE(st.st_mode))
    if st.st_uid != owner:
        return "command '%s' must be owned by uid %d (owned by uid %d); chown root" % (path, owner, st.st_uid)
    if st.st_mode & (stat_mod.S_IWGRP | stat_mod.S_IWOTH):
        return ("command '%s' must not be writable by group or others (mode %04o); chmod go-w"
                % (path, stat_mod.S_IMODE(st.st_mode)))
    return directory_problem(path, "command '%s'" % path, owner, root, stat)


def directory_problem(path, what, owner=0, root="/", stat=os.stat, missing_ok=False):
    """Why a directory above ``path`` lets someone but root replace it (then None): whoever can
    write a directory above a command can replace the command. ``what`` names it in the message;
    a missing directory is a problem unless ``missing_ok``."""
    directory = path
    while directory != "/":
        directory = os.path.dirname(directory) or "/"
        try:
            ds = stat(_under(root, directory))
        except OSError:
            if missing_ok:
                continue
            return "directory '%s' of %s is not accessible" % (directory, what)
        sticky_root = bool(ds.st_mode & stat_mod.S_ISVTX) and ds.st_uid == 0
        if (ds.st_uid not in (owner, 0)) or (ds.st_mode & (stat_mod.S_IWGRP | stat_mod.S_IWOTH) and not sticky_root):
            return ("directory '%s' of %s must be owned by root and not writable by group or others "
                    "(uid %d, mode %04o)" % (directory, what, ds.st_uid, stat_mod.S_IMODE(ds.st_mode)))
    return None


def shipped_path_problem(path, owner=0, root="/", stat=os.stat):
    """Why a file we ship to ``path`` could not be installed as the command hook's rule wants
    (then None): something other than a file there, or a directory above it that others can
    write (those missing are created root-owned 0755)."""
    try:
        st = stat(_under(root, path))
    except OSError:
        st = None
    if st is not None and not stat_mod.S_ISREG(st.st_mode):
        return "'%s' is there but not a regular file; the hook's file would not replace it" % path
    # Missing directories are created by the rollout, root-owned 0755.
    return directory_problem(path, "'%s'" % path, owner, root, stat, missing_ok=True)


def command_problems(modules, owner=0, root="/", stat=os.stat, shipped=()):
    """Problems of every command path among the modules' parameters (normalised specs), and of
    every path a hook ships a file to (``shipped``): a command among those is installed before
    the restart, so only where it goes is checked."""
    out = []
    for path in shipped:
        problem = shipped_path_problem(path, owner=owner, root=root, stat=stat)
        if problem:
            out.append("mesos_hooks files: %s" % problem)
    for module in modules or []:
        for key, path in hook_spec.command_parameters(module.get("parameters") or []):
            if path in shipped:
                continue
            problem = command_path_problem(path, owner=owner, root=root, stat=stat)
            if problem:
                out.append("mesos_hooks module %s parameter %s: %s (the command hook refuses it and the agent "
                           "would not start)" % (module.get("name"), key, problem))
    return out


def flag_problems(flags):
    """Problems of the agent's current flags ({flag: value}) that make our change impossible."""
    out = []
    if flags.get("modules") and flags.get("modules_dir"):
        out.append("the agent sets both --modules=%s and --modules_dir=%s; Mesos refuses to start with both. "
                   "Keep one (remove the other from the agent's configuration) and run again"
                   % (flags["modules"], flags["modules_dir"]))
    return out


# A flag file's name as the wrapper turns it into a flag: "name", "?name", "?no-name".
FLAG_FILE_NAME = re.compile(r"^\??(no-)?[A-Za-z0-9_]+$")


def stray_entries(modules_dir=None, flag_dir=None, root="/"):
    """Entries that stop the agent at its next start, which our restart would be.

    Mesos loads every entry of --modules_dir, dotfiles included, as a modules JSON file and
    exits on one it cannot parse (src/module/manager.cpp). mesos-init-wrapper passes every
    file of the flag directory but dotfiles (a shell glob) as ``--<name>=<content>``, and the
    agent exits on a flag it does not know: a backup such as ``hooks~`` or ``modules.bak``."""
    out = []
    if modules_dir and os.path.isdir(_under(root, modules_dir)):
        for name in sorted(os.listdir(_under(root, modules_dir))):
            path = os.path.join(modules_dir, name)
            why = _not_a_modules_file(_under(root, path), path)
            if why:
                out.append("%s %s; Mesos reads every entry of --modules_dir, dotfiles too, and the agent will "
                           "not start. Move it out of %s" % (path, why, modules_dir))
    if flag_dir and os.path.isdir(_under(root, flag_dir)):
        for name in sorted(os.listdir(_under(root, flag_dir))):
            path = os.path.join(flag_dir, name)
            if name.startswith(".") or not os.path.isfile(_under(root, path)) or FLAG_FILE_NAME.match(name):
                continue
            out.append("%s is passed to the agent as --%s, a flag it does not know, and the agent will not "
                       "start. Move it out of the flag directory" % (path, name.lstrip("?")))
    return out


def _not_a_modules_file(real, path):
    """Why the entry at ``real`` (``path`` on the host) is not a modules file Mesos can load,
    checked as the manifests we write are (modules_manifest.validate), or None."""
    if not os.path.isfile(real):
        return "is not a file"
    try:
        with open(real, "rb") as handle:
            doc = json.loads(handle.read().decode("utf-8"))
    except (IOError, OSError, ValueError) as e:
        return "is not a modules JSON file (%s)" % e
    try:
        mm.validate(doc, path)
    except mm.ManifestError as e:
        return "is not a modules JSON file Mesos can load (%s)" % e
    return None


def lock_problem(path, stale_after=0, now=None, root="/"):
    """Why another run's rollout lock at ``path`` stops a new run, or None. Checked on every
    agent before the first restart, so a second run (with any change, the same one too) stops
    before it restarts anything, not at the first agent the other run holds. A lock the rollout
    would break (older than stale_after seconds) is no problem."""
    found = _under(root, path)
    if not os.path.exists(found):
        return None
    now = time.time() if now is None else now
    holder = host_lock.read_lock(found)
    if not host_lock.lock_blocks(holder, now, stale_after):
        return None
    return host_lock.lock_held_message(path, holder, host_lock.lock_age(holder, now))
