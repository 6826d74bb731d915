# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reconcile an agent's hook configuration (modules JSON + flags) as one change, with a snapshot.

The rollout changes several files at once: the modules manifest, and the flag files, env files
or drop-ins of the host's packaging style. They are planned together (nothing touched), saved in
a snapshot, then written. Restoring the snapshot puts every file back exactly as it was
(including files that did not exist), which is how a host that fails its health gates returns
to its last good configuration.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import os
import stat
import tempfile
import time

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm

SNAPSHOT_INDEX = "snapshot.json"


class ConfigError(ValueError):
    """The change cannot be planned, applied or restored safely; nothing (more) was written."""


class AgentPlan(object):
    def __init__(self, changes, hooks_before, hooks_after, modules_before, modules_after,
                 daemon_reload_needed, manifest_path, pristine=None, read_whole=(), isolation_before=None,
                 isolation_after=None, shipped=None):
        # path -> (before bytes or None, after bytes or None), in write order.
        self.changes = changes
        # Directories whose every entry the agent reads (--modules_dir, the flag directory):
        # no temporary file may appear there.
        self.read_whole = read_whole
        self.hooks_before = hooks_before
        self.hooks_after = hooks_after
        # The isolators --isolation gives (the default ones when unset); None when the change
        # involves no isolator of ours, and --isolation is then neither read nor checked.
        self.isolation_before = isolation_before
        self.isolation_after = isolation_after
        self.modules_before = modules_before
        self.modules_after = modules_after
        self.daemon_reload_needed = daemon_reload_needed
        self.manifest_path = manifest_path
        # The operator's manifest before our first merge into it, to keep for a byte-exact removal.
        self.pristine = pristine
        # The files shipped with the hooks (see plan_files).
        self.shipped = shipped or ShippedFiles()

    @property
    def changed(self):
        return any(before != after for before, after in self.changes.values()) or bool(self.shipped.drift)

    @property
    def restart_paths(self):
        """The changed paths the daemon must restart to take: anything but shipped files that
        its commands read afresh at each call."""
        return sorted(path for path, (before, after) in self.changes.items()
                      if before != after and path not in self.shipped.read_at_each_call)

    @property
    def restart_needed(self):
        return bool(self.restart_paths)

    @property
    def restart_only_for_files(self):
        """The shipped files whose change alone makes the daemon restart (a hook's persistent
        command reads them only when it starts); [] when anything else changes too."""
        paths = self.restart_paths
        return paths if paths and all(path in self.shipped.modes for path in paths) else []

    def diffs(self):
        return diffs(self.changes)


class ShippedFiles(object):
    """What a plan does to the files shipped with the hooks:

    - ``modes``: path -> (mode, uid, gid) it is written with (ours are root's when we run as root);
    - ``drift``: paths whose content is right but whose owner or mode is not;
    - ``read_at_each_call``: paths only one-shot commands read, so a change of them alone needs no
      restart;
    - ``origins``: path -> what stood there before our first install (the record keep_origins
      writes: the hook, the daemon, the operator's file if there was one), put back when the hook
      goes or stops listing it;
    - ``restored``: the paths put back so in this plan.
    """

    def __init__(self):
        self.modes = {}
        self.drift = []
        self.read_at_each_call = set()
        self.origins = {}
        self.restored = []


def origin_path(backup_dir, path):
    """Where what stood at a shipped file's path before we first installed it is recorded."""
    return os.path.join(backup_dir, "shipped", hashlib.sha256(path.encode("utf-8")).hexdigest() + ".json")


def read_origin(backup_dir, path):
    """{"existed": bool, and with it the content, mode, uid, gid} of what stood at ``path`` before
    our first install, or None when we never installed it."""
    text = atomic_file.read_text(origin_path(backup_dir, path))
    return None if text is None else json.loads(text)


def plan_files(root, present, absent_files, backup_dir, changes, daemon="agent"):
    """Add the shipped files to ``changes`` (path -> (before, after)); their ShippedFiles.

    present: the present entries, each with its ``name`` (the hook's) and ``files`` (staged,
    sha256, dest, mode, restart); absent_files: paths shipped with hooks being taken out. Those,
    and a file a present hook installed for this daemon but no longer lists, are put back as they
    were before our first install (or left alone when we never installed them). Hooks this run
    does not mention, and the other daemon's on the same host, keep theirs."""
    shipped = ShippedFiles()
    shipped_now = set(f["dest"] for entry in present for f in entry.get("files") or [])
    present_hooks = set(entry.get("name") for entry in present if entry.get("name"))
    dropped = [record["path"] for record in origins(backup_dir)
               if record.get("daemon") == daemon and record["path"] not in shipped_now
               and record.get("hook") in present_hooks]
    for entry in present:
        for f in entry.get("files") or []:
            dest = f["dest"]
            after = atomic_file.read_bytes(_under(root, f["staged"]))
            if after is None or hashlib.sha256(after).hexdigest() != f["sha256"]:
                raise ConfigError("the staged copy %s of %s is missing or changed; stage the hooks again"
                                  % (f["staged"], dest))
            before, st = _regular_file(root, dest)
            mode = int(f["mode"], 8)
            shipped.modes[dest] = (mode,) + _owner()
            if not f.get("restart"):
                shipped.read_at_each_call.add(dest)
            if before == after and (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) != shipped.modes[dest]:
                shipped.drift.append(dest)
            if before != after and read_origin(backup_dir, dest) is None:
                shipped.origins[dest] = dict(hook=entry.get("name"), daemon=daemon, existed=before is not None)
                if before is not None:
                    shipped.origins[dest].update(content=base64.b64encode(before).decode("ascii"),
                                                 mode=stat.S_IMODE(st.st_mode), uid=st.st_uid, gid=st.st_gid)
            _record(changes, dest, before, after)
    for dest in [d for d in list(absent_files) + dropped if d not in shipped_now]:
        origin = read_origin(backup_dir, dest)
        if origin is None:
            continue  # not ours: the operator's file stays
        before, _st = _regular_file(root, dest)
        after = base64.b64decode(origin["content"]) if origin["existed"] else None
        if origin["existed"]:
            shipped.modes[dest] = (origin["mode"], origin["uid"], origin["gid"])
        shipped.read_at_each_call.add(dest)
        shipped.restored.append(dest)
        _record(changes, dest, before, after)
    return shipped


def _owner():
    return (0, 0) if os.geteuid() == 0 else (os.geteuid(), os.getegid())


def _regular_file(root, path):
    """(content, stat) of a shipped file's path, (None, None) when nothing is there; a path that
    holds anything but a regular file (a directory, a symlink) is refused, never replaced."""
    try:
        st = os.lstat(_under(root, path))
    except OSError:
        return None, None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError("%s is not a regular file; refusing to replace it with the hook's file" % path)
    return atomic_file.read_bytes(_under(root, path)), st


def origins(backup_dir):
    """Every record of a shipped file we installed and have not put back yet."""
    folder = os.path.join(backup_dir, "shipped") if backup_dir else None
    names = sorted(os.listdir(folder)) if folder and os.path.isdir(folder) else []
    texts = [atomic_file.read_text(os.path.join(folder, n)) for n in names if n.endswith(".json")]
    return [json.loads(text) for text in texts if text is not None]


def keep_origins(backup_dir, shipped):
    """Record what stood at each shipped file's path before our first install of it, with the
    hook and daemon that installed it."""
    for dest, origin in shipped.origins.items():
        keep = origin_path(backup_dir, dest)
        atomic_file.ensure_private_dir(os.path.dirname(keep))
        record = dict(path=dest, **origin)
        atomic_file.atomic_write(keep, (json.dumps(record, sort_keys=True) + "\n").encode("utf-8"), mode=0o600)


def put_back_shipped(plan, root, backup_dir):
    """Put back what stood at each path ``plan`` restores (write_change leaves them), then forget
    its record. Called once the daemon no longer runs the hook that used the file: after a
    restart, once its gates pass (the running daemon may call it until then, and a rollback
    needs the record again), or at once when nothing restarts."""
    apply(plan, root, backup_dir=backup_dir,
          skip=[path for path in plan.changes if path not in plan.shipped.restored])
    for dest in plan.shipped.restored:
        atomic_file.atomic_remove(origin_path(backup_dir, dest))


def diffs(changes):
    """Ansible diff entries for path -> (before, after) bytes, skipping unchanged files."""
    return [flag_stores.FileChange(path, before, after).to_diff()
            for path, (before, after) in changes.items() if before != after]


def _encode(text):
    return None if text is None else atomic_file.encode_text(text)


def _record(changes, path, before, after):
    """Keep the first ``before`` and the last ``after`` when several plans touch one file."""
    if path in changes:
        changes[path] = (changes[path][0], after)
    else:
        changes[path] = (before, after)


def plan(store, present, absent, managed_path, dir_file_name, position="append", pristine_for=None,
         absent_files=(), backup_dir=None):
    """Plan the whole change for one agent.

    present: [{"file": staged .so path, "modules": [{name, parameters}], "hooks": [names],
    "isolation": [isolator module names], "files": [shipped files, see plan_files]}]
    absent: module names of hooks (and isolators) to take out. pristine_for(path) -> the operator's manifest as it
    was before our first merge, or None. absent_files, backup_dir: see plan_files.
    """
    changes = {}
    shipped = plan_files(store.root, present, absent_files, backup_dir, changes, daemon=store.layout.daemon)
    flags = dict((name, item["value"]) for name, item in store.read_flags().items())
    modules_flag = flags.get("modules") or None
    modules_dir = flags.get("modules_dir") or None

    libraries = [dict(file=p["file"], modules=p["modules"]) for p in present]
    manifest_flag_path = None
    if modules_flag:
        kind, value = mm.modules_flag_source(modules_flag)
        manifest_flag_path = value if kind == "file" else None
    pristine = pristine_for(manifest_flag_path) if (pristine_for and manifest_flag_path) else None
    manifest = mm.plan(
        libraries, remove=absent, modules_flag=modules_flag, modules_dir=modules_dir,
        managed_path=managed_path, dir_file_name=dir_file_name,
        read=lambda path: atomic_file.read_text(_under(store.root, path)),
        list_dir=lambda d: os.listdir(_under(store.root, d)) if os.path.isdir(_under(store.root, d)) else [],
        pristine=pristine,
    )

    if manifest.path:
        _record(changes, manifest.path, _encode(manifest.before), _encode(manifest.after))

    our_hooks = [h for p in present for h in p["hooks"]]
    our_isolators = [i for p in present for i in p.get("isolation") or []]
    view = flag_stores.FileView(store.root)
    reload_needed = False
    hooks_before = flag_stores.split_hooks(flags.get("hooks"))
    isolation_before = flag_stores.split_isolation(flags.get("isolation"))
    removed_hooks = [h for h in absent if h in hooks_before]
    removed_isolators = [i for i in absent if i in isolation_before]
    unset_modules = modules_flag if manifest.modules_flag == "" else None
    if removed_hooks or removed_isolators or unset_modules:
        removal = store.plan(hooks=removed_hooks, state="absent", modules=unset_modules, view=view,
                             isolators=removed_isolators)
        for change in removal.changes:
            _record(changes, change.path, change.before, change.after)
        reload_needed = removal.daemon_reload_needed
        view = flag_stores.FileView(store.root, dict((p, a) for p, (b, a) in changes.items()))
    if our_hooks or our_isolators:
        addition = store.plan(hooks=our_hooks, state="present", position=position,
                              modules=manifest.modules_flag or None, view=view, isolators=our_isolators)
        for change in addition.changes:
            _record(changes, change.path, change.before, change.after)
        reload_needed = reload_needed or addition.daemon_reload_needed
    elif manifest.modules_flag:
        raise ConfigError("our libraries are loaded but no module of theirs is listed for --hooks or --isolation")

    final_view = flag_stores.FileView(store.root, dict((p, a) for p, (b, a) in changes.items()))
    after_flags = dict((n, i["value"]) for n, i in store.read_flags(final_view).items())
    return AgentPlan(
        changes=changes,
        hooks_before=hooks_before,
        hooks_after=flag_stores.split_hooks(after_flags.get("hooks")),
        isolation_before=isolation_before if (our_isolators or removed_isolators) else None,
        isolation_after=flag_stores.split_isolation(after_flags.get("isolation")) if (our_isolators or removed_isolators) else None,
        modules_before=dict(modules=flags.get("modules", ""), modules_dir=flags.get("modules_dir", "")),
        modules_after=dict(modules=after_flags.get("modules", ""), modules_dir=after_flags.get("modules_dir", "")),
        daemon_reload_needed=reload_needed,
        manifest_path=manifest.path,
        pristine=manifest.before if manifest.stores_pristine else None,
        read_whole=sorted(set(d for d in (modules_dir, after_flags.get("modules_dir"), store.flag_directory(view))
                              if d)),
        shipped=shipped,
    )


def read_pristine(backup_dir, path):
    """The operator's manifest as it was before our first merge into it, or None."""
    return atomic_file.read_text(mm.pristine_path(backup_dir, path))


def keep_pristine(backup_dir, path, text):
    """Keep the operator's manifest (root-only) so removing our libraries can restore it exactly."""
    keep = mm.pristine_path(backup_dir, path)
    atomic_file.ensure_private_dir(os.path.dirname(keep))
    atomic_file.atomic_write(keep, atomic_file.encode_text(text), mode=0o600)


def drop_pristine(backup_dir, path):
    """Forget the kept copy once the manifest is back to it."""
    atomic_file.atomic_remove(mm.pristine_path(backup_dir, path))


def _under(root, path):
    return path if not root or root == "/" else os.path.join(root, path.lstrip("/"))


def save_snapshot(plan, root, snapshot_dir, extra=None):
    """Save every file the plan touches, as it is now, into a new directory under snapshot_dir."""
    atomic_file.ensure_private_dir(snapshot_dir)
    # Named by time so an operator can find the latest; mkdtemp makes it unique and 0700.
    target = tempfile.mkdtemp(prefix=time.strftime("%Y%m%dT%H%M%SZ-", time.gmtime()), dir=snapshot_dir)
    files = []
    for i, path in enumerate(plan.changes):
        real = _under(root, path)
        data = atomic_file.read_bytes(real)
        entry = dict(path=path, exists=data is not None)
        if data is not None:
            st = os.stat(real)
            entry.update(copy="%d.orig" % i, mode=st.st_mode & 0o7777, uid=st.st_uid, gid=st.st_gid)
            atomic_file.atomic_write(os.path.join(target, entry["copy"]), data, mode=0o600)
        files.append(entry)
    index = dict(files=files, hooks=plan.hooks_before, modules=plan.modules_before, extra=extra or {},
                 read_whole=list(plan.read_whole))
    atomic_file.atomic_write(os.path.join(target, SNAPSHOT_INDEX),
                             (json.dumps(index, indent=2, sort_keys=True) + "\n").encode("utf-8"), mode=0o600)
    return target


def _temp_dir(root, path, read_whole):
    """Where a write of ``path`` puts its temporary file: beside the directory when the agent
    reads every entry of it (Mesos loads a dotfile in --modules_dir too), else next to it."""
    directory = os.path.dirname(path.rstrip("/"))
    if directory in [d.rstrip("/") for d in read_whole]:
        return atomic_file.temp_dir_beside(_under(root, directory))
    return None


def apply(plan, root, backup_dir=None, private=(), skip=()):
    """Write the plan but for the paths in ``skip``; on a failed write, put back what was
    already written and raise.

    private: paths (as in the plan) whose content holds secrets; they are written 0600.
    """
    done = []
    for path in plan.shipped.drift:
        mode, uid, gid = plan.shipped.modes[path]
        os.chown(_under(root, path), uid, gid)
        os.chmod(_under(root, path), mode)
    for path, (before, after) in plan.changes.items():
        if before == after or path in skip:
            continue
        real = _under(root, path)
        if atomic_file.read_bytes(real) != before:
            _undo(root, done, plan.read_whole)
            raise ConfigError("%s changed since the plan was made; nothing was kept" % path)
        try:
            if after is None:
                atomic_file.atomic_remove(real, backup_dir=backup_dir)
            else:
                atomic_file.ensure_dir(os.path.dirname(real))
                mode, uid, gid = plan.shipped.modes.get(path) or atomic_file.config_file_mode(real, private=path in private)
                atomic_file.atomic_write(real, after, mode=mode, owner=uid, group=gid, backup_dir=backup_dir,
                                         temp_dir=_temp_dir(root, path, plan.read_whole))
        except (atomic_file.AtomicFileError, EnvironmentError) as e:
            _undo(root, done, plan.read_whole)
            raise ConfigError("cannot write %s: %s; the files already written were restored" % (path, e))
        done.append((path, before))


def write_change(plan, root, backup_dir, snapshot_dir, present, absent, secret_keys):
    """Save a snapshot of every file ``plan`` touches (with ``snapshot_dir``), keep the
    operator's manifest before our first merge into it, write the plan (the manifest 0600 when
    it holds a secret) but for the shipped files it puts back (put_back_shipped does those), and
    forget that copy once the manifest is back to it. Returns the snapshot's path, or None."""
    extra = dict(present=[e["file"] for e in present], absent=absent, secret_keys=secret_keys)
    private = [plan.manifest_path] if secret_keys else []
    snapshot = save_snapshot(plan, root, snapshot_dir, extra=extra) if snapshot_dir else None
    if plan.pristine is not None and read_pristine(backup_dir, plan.manifest_path) is None:
        keep_pristine(backup_dir, plan.manifest_path, plan.pristine)
    keep_origins(backup_dir, plan.shipped)
    apply(plan, root, backup_dir=backup_dir, private=private, skip=plan.shipped.restored)
    if plan.manifest_path:
        final = plan.changes.get(plan.manifest_path, (None, None))[1]
        kept = read_pristine(backup_dir, plan.manifest_path)
        if kept is not None and final == atomic_file.encode_text(kept):
            drop_pristine(backup_dir, plan.manifest_path)
    return snapshot


def _undo(root, done, read_whole=()):
    for path, before in reversed(done):
        real = _under(root, path)
        if before is None:
            atomic_file.atomic_remove(real)
        else:
            atomic_file.atomic_write(real, before, temp_dir=_temp_dir(root, path, read_whole))


def restore_plan(snapshot, root):
    """What restoring a snapshot would change: path -> (now, then)."""
    try:
        with open(os.path.join(snapshot, SNAPSHOT_INDEX)) as handle:
            index = json.load(handle)
    except (IOError, OSError, ValueError) as e:
        raise ConfigError("snapshot %s cannot be read: %s" % (snapshot, e))
    changes = {}
    for entry in index["files"]:
        now = atomic_file.read_bytes(_under(root, entry["path"]))
        then = None
        if entry["exists"]:
            then = atomic_file.read_bytes(os.path.join(snapshot, entry["copy"]))
            if then is None:
                raise ConfigError("snapshot %s is missing its copy of %s" % (snapshot, entry["path"]))
        changes[entry["path"]] = (now, then)
    return index, changes


def restore(snapshot, root):
    """Put every file of the snapshot back as it was (re-created, rewritten or removed)."""
    index, changes = restore_plan(snapshot, root)
    modes = dict((e["path"], e) for e in index["files"])
    for path, (now, then) in changes.items():
        if now == then:
            continue
        real = _under(root, path)
        if then is None:
            atomic_file.atomic_remove(real)
        else:
            entry = modes[path]
            atomic_file.atomic_write(real, then, mode=entry["mode"], owner=entry["uid"], group=entry["gid"],
                                     temp_dir=_temp_dir(root, path, index.get("read_whole", [])))
    return index, changes
