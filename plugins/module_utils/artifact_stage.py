# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stage every hook artifact of one agent in one pass: ``<root>/<hook>/<sha256>/<library>``.

For each artifact the destination is either present (a regular file with the expected
sha256: only its owner and mode are checked) or missing. A missing one is installed from a
copy the controller transferred to the host: the bytes go to a temporary file in the
destination directory (root-owned, 0644, fsync'ed, sha256 checked while writing), which is
then published with a hard link, so an existing path is never replaced and a library an
agent has loaded is never overwritten. Any error removes the temporary file and the
directories this run created. Then every artifact is checked against the agent's libmesos
(a callable given by the caller) and old artifacts are pruned, never the deployed one nor
any a modules manifest references.

Without the transferred copies (``sources``) nothing is written: the result lists what is
missing, so the controller transfers exactly those and calls again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file

DIR_MODE = 0o755
FILE_MODE = 0o644
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024
# Where os.link() cannot publish a file, a rename after checking the path is free does.
_NO_LINK = (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV)
KEYS = ("name", "sha256", "library", "modules", "allow_resource_decorators", "idle_methods")


class StageError(Exception):
    """Staging failed; the message names the hook, the path on the host and the cause."""


def describe(exc):
    """'[Errno 28] No space left on device' for an OSError, str() otherwise."""
    if isinstance(exc, EnvironmentError) and exc.errno:
        return "[Errno %d] %s" % (exc.errno, exc.strerror or os.strerror(exc.errno))
    return str(exc)


def normalise(items, root):
    """Clean artifact entries from the role's plan (a dict hook -> entry, or a list of entries).

    Keeps the keys the module takes plus ``src`` (the controller's copy), derives ``dest``
    from ``root`` and refuses entries whose given ``dest`` disagrees with it.
    """
    if isinstance(items, dict):
        items = [dict(entry, name=entry.get("name", name)) for name, entry in items.items()]
    if not isinstance(items, list):
        raise ValueError("artifacts must be a list or a dict of hook name -> artifact, got %s"
                         % type(items).__name__)
    if not root or not os.path.isabs(root):
        raise ValueError("root must be an absolute path, got %r" % (root,))
    out, seen = [], set()
    for entry in items:
        if not isinstance(entry, dict):
            raise ValueError("each artifact must be a dict, got %r" % (entry,))
        name = entry.get("name")
        if not name or "/" in str(name) or str(name) in (".", ".."):
            raise ValueError("artifact without a valid hook name: %r" % (entry,))
        if name in seen:
            raise ValueError("hook '%s' is listed twice" % name)
        seen.add(name)
        sha = entry.get("sha256") or ""
        if not _SHA256.match(sha):
            raise ValueError("hook '%s': sha256 %r is not 64 lowercase hex digits" % (name, sha))
        library = entry.get("library") or ""
        if not library or "/" in library or library in (".", ".."):
            raise ValueError("hook '%s': library %r is not a file name" % (name, library))
        modules = entry.get("modules")
        if not modules or not isinstance(modules, list):
            raise ValueError("hook '%s': no module symbols to check" % name)
        clean = dict(name=name, sha256=sha, library=library, modules=[str(m) for m in modules],
                     allow_resource_decorators=bool(entry.get("allow_resource_decorators", False)),
                     idle_methods=[str(m) for m in entry.get("idle_methods") or []],
                     kinds=dict((str(k), str(v)) for k, v in (entry.get("kinds") or {}).items()))
        if entry.get("src") is not None:
            clean["src"] = entry["src"]
        dest = destination(root, clean)
        if entry.get("dest") is not None and os.path.normpath(entry["dest"]) != dest:
            raise ValueError("hook '%s': dest %s is not %s" % (name, entry["dest"], dest))
        out.append(clean)
    return out


def shipped_files(artifacts):
    """The files shipped with the hooks, from the role's plan (a dict hook -> entry, or a list of
    entries, each with its ``files``; see artifact_store.shipped_file): [{hook, sha256, name, src}]."""
    if isinstance(artifacts, dict):
        artifacts = [dict(entry, name=entry.get("name", name)) for name, entry in artifacts.items()]
    return [dict(hook=entry.get("name"), sha256=f.get("sha256"), name=f.get("name"), src=f.get("src"))
            for entry in artifacts or [] if isinstance(entry, dict) for f in entry.get("files") or []]


def normalise_files(items, root):
    """Shipped files ([{hook, sha256, name, src}]) as entries staged like artifacts at
    ``<root>/<hook>/files/<sha256>/<name>``: name ``<hook>/files``, library the file's name. Each
    is known by that relative path (:func:`relative_path`), as the transfers are. Keeps ``src``
    (the controller's copy) when given."""
    out, seen = [], set()
    for f in items or []:
        hook, sha, name = f.get("hook") or "", f.get("sha256") or "", f.get("name") or ""
        if not hook or "/" in hook or hook in (".", ".."):
            raise ValueError("shipped file without a valid hook name: %r" % (f,))
        if not _SHA256.match(sha):
            raise ValueError("hook '%s': file sha256 %r is not 64 lowercase hex digits" % (hook, sha))
        if not name or "/" in name or name in (".", ".."):
            raise ValueError("hook '%s': file name %r is not a file name" % (hook, name))
        clean = dict(name="%s/files" % hook, sha256=sha, library=name)
        if f.get("src") is not None:
            clean["src"] = f["src"]
        if relative_path(clean) not in seen:
            seen.add(relative_path(clean))
            out.append(clean)
    return out


def destination(root, artifact):
    return os.path.join(os.path.normpath(root), relative_path(artifact))


def relative_path(artifact):
    """``<hook>/<sha256>/<library>``, as artifact_store.list_staged names what is on a host."""
    return "%s/%s/%s" % (artifact["name"], artifact["sha256"], artifact["library"])


def probe(artifact, root):
    """'present' or 'missing'; StageError when the path holds anything else."""
    dest = destination(root, artifact)
    try:
        st = os.lstat(dest)
    except EnvironmentError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return "missing"
        raise StageError("hook '%s': cannot read %s: %s" % (artifact["name"], dest, describe(exc)))
    if not stat.S_ISREG(st.st_mode):
        raise StageError("hook '%s': %s exists but is not a regular file; refusing to replace it"
                         % (artifact["name"], dest))
    try:
        found = artifact_store.file_sha256(dest)
    except EnvironmentError as exc:
        raise StageError("hook '%s': cannot read %s: %s" % (artifact["name"], dest, describe(exc)))
    if found != artifact["sha256"]:
        raise StageError(
            "hook '%s': %s already exists with sha256 %s, expected %s; refusing to overwrite it "
            "(an agent may have it loaded): remove it by hand if it is damaged"
            % (artifact["name"], dest, found, artifact["sha256"]))
    return "present"


def _owner_ids():
    return (0, 0) if os.geteuid() == 0 else (None, None)


def _fix_attrs(path, mode, name):
    """Give an existing directory or file root ownership (when we are root) and ``mode``."""
    uid, gid = _owner_ids()
    try:
        st = os.stat(path)
        changed = False
        if stat.S_IMODE(st.st_mode) != mode:
            os.chmod(path, mode)
            changed = True
        if uid is not None and (st.st_uid, st.st_gid) != (uid, gid):
            os.chown(path, uid, gid)
            changed = True
        return changed
    except EnvironmentError as exc:
        raise StageError("hook '%s': cannot set owner and mode of %s: %s" % (name, path, describe(exc)))


def dirs_to_check(root, artifact):
    dest_dir = os.path.dirname(destination(root, artifact))
    return [os.path.normpath(root), os.path.dirname(dest_dir), dest_dir]


def ensure_dirs(paths, name, created):
    """Create or fix each directory (root-owned 0755); append the created ones to ``created``."""
    changed = False
    uid, gid = _owner_ids()
    for path in paths:
        missing = []
        probe_path = path
        while not os.path.isdir(probe_path):
            missing.append(probe_path)
            parent = os.path.dirname(probe_path)
            if parent == probe_path:
                break
            probe_path = parent
        for directory in reversed(missing):
            try:
                os.mkdir(directory, DIR_MODE)
                created.append(directory)
                os.chmod(directory, DIR_MODE)
                if uid is not None:
                    os.chown(directory, uid, gid)
                changed = True
            except EnvironmentError as exc:
                if exc.errno == errno.EEXIST and os.path.isdir(directory):
                    continue
                raise StageError("hook '%s': cannot create directory %s: %s" % (name, directory, describe(exc)))
        if path not in missing:
            changed = _fix_attrs(path, DIR_MODE, name) or changed
    return changed


def install(artifact, root, source):
    """Copy ``source`` to the artifact's path through a temporary file in its directory.

    The sha256 is computed from the bytes written; a mismatch, a full or read-only
    filesystem or any other error removes the temporary file and leaves the path absent.
    Returns 'staged', or 'present' when another run published the same path meanwhile.
    """
    name = artifact["name"]
    dest = destination(root, artifact)
    directory = os.path.dirname(dest)
    uid, gid = _owner_ids()
    try:
        fd, tmp = tempfile.mkstemp(prefix=".%s." % artifact["library"], suffix=".tmp", dir=directory)
    except EnvironmentError as exc:
        raise StageError("hook '%s': cannot create a temporary file in %s: %s" % (name, directory, describe(exc)))
    try:
        digest = hashlib.sha256()
        try:
            with open(source, "rb") as src:
                for block in iter(lambda: src.read(_CHUNK), b""):
                    digest.update(block)
                    view = memoryview(block)
                    while view:
                        view = view[os.write(fd, view):]
            os.fchmod(fd, FILE_MODE)
            if uid is not None:
                os.fchown(fd, uid, gid)
            os.fsync(fd)
        finally:
            os.close(fd)
        if digest.hexdigest() != artifact["sha256"]:
            raise StageError("hook '%s': the copy transferred for %s has sha256 %s, expected %s"
                             % (name, dest, digest.hexdigest(), artifact["sha256"]))
        try:
            os.link(tmp, dest)
        except EnvironmentError as exc:
            if exc.errno == errno.EEXIST:
                return probe(artifact, root)
            if exc.errno not in _NO_LINK:
                raise
            if os.path.lexists(dest):
                return probe(artifact, root)
            os.rename(tmp, dest)
        return "staged"
    except EnvironmentError as exc:
        raise StageError("hook '%s': cannot stage %s: %s" % (name, dest, describe(exc)))
    finally:
        try:
            os.unlink(tmp)
        except EnvironmentError:
            pass
        atomic_file.fsync_dir(directory)


def _remove_created(created):
    for directory in sorted(created, key=len, reverse=True):
        try:
            os.rmdir(directory)
        except EnvironmentError:
            pass


def manifest_texts(paths):
    """Text of each modules manifest (a directory stands for its .json files)."""
    texts = []
    for path in paths:
        names = [path]
        if os.path.isdir(path):
            names = [os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith(".json")]
        for name in names:
            try:
                with open(name, "rb") as handle:
                    texts.append(handle.read().decode("utf-8", "surrogateescape"))
            except EnvironmentError as exc:
                if exc.errno != errno.ENOENT:
                    raise StageError("cannot read the modules manifest %s: %s" % (name, describe(exc)))
    return texts


def _listing(root, hook_dirs):
    lines = []
    for hook_dir in hook_dirs:
        for name, _mtime in sorted(artifact_store.list_entries(hook_dir)):
            lines.append(os.path.relpath(os.path.join(hook_dir, name), root) + "/")
    return lines


def stage(artifacts, root, validate, sources=None, check_mode=False, manifests=(), keep_count=2, files=()):
    """Stage, check and prune every artifact of one agent.

    artifacts: entries from :func:`normalise`; validate(path, artifact) -> dict with ok,
    problems, warnings, build_id (hook_elf.validate_hook); sources: hook name -> path of the
    transferred copy on this host, None on the first call; files: entries from
    :func:`normalise_files`, staged alike but not checked (their ``sources`` are keyed by
    :func:`relative_path`).

    Returns a dict: changed, missing (names that need a transferred copy; when not empty and
    not in check mode nothing was done), artifacts (name -> dest, sha256, state, checked,
    build_id, problems, warnings), files (relative path -> dest, state), staged, removed,
    problems, warnings, diff.
    """
    root = os.path.normpath(root)
    if keep_count < 0:
        raise StageError("keep_count must be 0 or more, got %d" % keep_count)
    states = dict((a["name"], probe(a, root)) for a in artifacts)
    file_states = dict((relative_path(f), probe(f, root)) for f in files)
    missing = [a["name"] for a in artifacts if states[a["name"]] == "missing"] + sorted(
        key for key, state in file_states.items() if state == "missing")
    result = dict(changed=False, missing=[], artifacts={}, files={}, staged=[], removed=[], problems=[], warnings=[])
    if missing and not check_mode:
        absent = [name for name in missing if not (sources or {}).get(name)]
        if absent:
            result["missing"] = absent
            return result

    hook_dirs = sorted(set(os.path.dirname(os.path.dirname(destination(root, a))) for a in list(artifacts) + list(files)))
    before = _listing(root, hook_dirs)

    created = []
    changed = False
    try:
        for artifact in artifacts:
            name = artifact["name"]
            dest = destination(root, artifact)
            if check_mode:
                continue
            changed = ensure_dirs(dirs_to_check(root, artifact), name, created) or changed
            if states[name] == "missing":
                states[name] = install(artifact, root, sources[name])
                changed = changed or states[name] == "staged"
            else:
                changed = _fix_attrs(dest, FILE_MODE, name) or changed
    except StageError:
        _remove_created(created)
        raise

    for artifact in artifacts:
        name = artifact["name"]
        dest = destination(root, artifact)
        entry = dict(dest=dest, sha256=artifact["sha256"], checked=False, build_id=None,
                     problems=[], warnings=[],
                     state="would stage" if check_mode and states[name] == "missing" else states[name])
        result["artifacts"][name] = entry
        if entry["state"] == "staged":
            result["staged"].append(dest)
        if entry["state"] == "would stage":
            # Not on the host yet: nothing to check until it is copied.
            continue
        verdict = validate(dest, artifact)
        entry.update(checked=True, build_id=verdict.get("build_id"), problems=list(verdict.get("problems", [])),
                     warnings=list(verdict.get("warnings", [])))
        result["warnings"].extend(entry["warnings"])
        if not verdict.get("ok"):
            result["problems"].append("%s failed validation: %s" % (dest, "; ".join(entry["problems"])))
    if result["problems"]:
        result["changed"] = changed
        return result

    changed = _stage_files(files, file_states, root, sources, check_mode, keep_count, result) or changed
    texts = manifest_texts(manifests)
    for artifact in artifacts:
        hook_dir = os.path.dirname(os.path.dirname(destination(root, artifact)))
        keep = set([artifact["sha256"]]) | artifact_store.referenced(texts, hook_dir)
        _prune(hook_dir, keep, keep_count, check_mode, result)

    added = [os.path.relpath(os.path.dirname(e["dest"]), root) + "/"
             for e in list(result["artifacts"].values()) + list(result["files"].values())
             if e["state"] in ("staged", "would stage")]
    gone = set(os.path.relpath(p, root) + "/" for p in result["removed"])
    after = sorted((set(before) | set(added)) - gone)
    result["changed"] = changed or bool(result["removed"]) or (check_mode and bool(added))
    result["diff"] = dict(before_header="%s (artifacts)" % root, after_header="%s (artifacts)" % root,
                          before="".join(line + "\n" for line in sorted(before)),
                          after="".join(line + "\n" for line in after))
    return result


def _stage_files(files, states, root, sources, check_mode, keep_count, result):
    """Stage the shipped files as artifacts are staged (never one rewritten in place), record
    them in ``result`` and prune each hook's old ones: the rollout installs a copy of a staged
    file and a rollback puts back its own copy, so none but the newest few are kept. Returns
    whether anything changed."""
    created, changed = [], False
    try:
        for f in files:
            key, dest = relative_path(f), destination(root, f)
            if check_mode:
                state = "would stage" if states[key] == "missing" else states[key]
            else:
                changed = ensure_dirs(dirs_to_check(root, f), f["name"], created) or changed
                if states[key] == "missing":
                    state = install(f, root, sources[key])
                else:
                    state = states[key]
                    changed = _fix_attrs(dest, FILE_MODE, f["name"]) or changed
            result["files"][key] = dict(dest=dest, sha256=f["sha256"], state=state)
            if state == "staged":
                result["staged"].append(dest)
            changed = changed or state in ("staged", "would stage")
    except StageError:
        _remove_created(created)
        raise
    for files_dir in sorted(set(os.path.join(root, f["name"]) for f in files)):
        keep = set(f["sha256"] for f in files if os.path.join(root, f["name"]) == files_dir)
        changed = _prune(files_dir, keep, keep_count, check_mode, result) or changed
    return changed


def _prune(hook_dir, keep, keep_count, check_mode, result):
    """Remove the content-addressed directories under ``hook_dir`` but ``keep`` and the newest
    ``keep_count`` others (only name them in check mode), into ``result["removed"]``."""
    names = artifact_store.plan_prune(artifact_store.list_entries(hook_dir), keep, keep_count)
    for name in names:
        path = os.path.join(hook_dir, name)
        if not check_mode:
            try:
                shutil.rmtree(path)
            except EnvironmentError as exc:
                raise StageError("cannot remove the old staged copy %s: %s" % (path, describe(exc)))
        result["removed"].append(path)
    return bool(names)
