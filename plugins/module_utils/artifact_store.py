# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Staged hook artifacts on an agent: ``<root>/<hook>/<sha256>/<library>``.

A path holds one content forever, so a library an agent has loaded is never overwritten.
Old artifacts are pruned, but never one a modules manifest still references (the running
agent may have it loaded, and a rollback needs it) nor the newest few.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re
import stat

from ansible_collections.mesos_fleet.hooks.plugins.module_utils.hook_build import idle_methods

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def referenced(texts, hook_dir):
    """Artifact directory names under ``hook_dir`` that any of the manifest texts mention."""
    pattern = re.compile(re.escape(hook_dir.rstrip("/") + "/") + r"([0-9a-f]{64})/")
    found = set()
    for text in texts:
        found.update(pattern.findall(text or ""))
    return found


def plan_prune(entries, keep, keep_count):
    """Which artifact directories to delete.

    entries: [(name, mtime)] of the hook's artifact directories; keep: names never deleted;
    keep_count: how many of the newest others stay (for rollback).
    """
    if keep_count < 0:
        raise ValueError("keep_count must be 0 or more, got %d" % keep_count)
    candidates = sorted((e for e in entries if _SHA256.match(e[0]) and e[0] not in keep),
                        key=lambda e: (e[1], e[0]), reverse=True)
    return sorted(name for name, mtime in candidates[keep_count:])


def list_entries(hook_dir):
    """[(name, mtime)] of the artifact directories under hook_dir.

    Only real directories count: a symlink there is not one of ours, and pruning must never
    follow it to delete what it points at.
    """
    if not os.path.isdir(hook_dir):
        return []
    entries = []
    for name in os.listdir(hook_dir):
        st = os.lstat(os.path.join(hook_dir, name))
        if stat.S_ISDIR(st.st_mode):
            entries.append((name, st.st_mtime))
    return entries


def stage_plan(specs, artifacts, root, fingerprint=None):
    """hook name -> where its artifact comes from and goes, for one agent.

    specs: normalised hook declarations; artifacts: this agent's fingerprint entry of the build
    (hook name -> metadata with the controller cache ``path``).
    """
    plan = {}
    for spec in specs:
        if spec["state"] != "present":
            continue
        meta = (artifacts or {}).get(spec["name"])
        if meta is None:
            raise ValueError("no built artifact of hook '%s' for build fingerprint %s"
                             % (spec["name"], fingerprint))
        if not _SHA256.match(meta.get("sha256", "")):
            raise ValueError("artifact of hook '%s' has no valid sha256" % spec["name"])
        dest_dir = os.path.join(root, spec["name"], meta["sha256"])
        plan[spec["name"]] = dict(
            src=meta["path"],
            hook_dir=os.path.join(root, spec["name"]),
            dest_dir=dest_dir,
            dest=os.path.join(dest_dir, meta["library"]),
            sha256=meta["sha256"],
            library=meta["library"],
            modules=list(meta["modules"]),
            # Artifacts cached before isolators were deployed record none: all hooks then.
            kinds=dict(meta.get("kinds") or {}),
            mesos_version=meta["mesos_version"],
            allow_resource_decorators=spec["allow_resource_decorators"],
            # From the inventory as it is now: the cached build records only what turns them on.
            idle_methods=idle_methods(spec, meta.get("enabled_by_parameter")),
            files=[shipped_file(root, spec, f) for f in spec.get("files") or []],
        )
    return plan


def shipped_file(root, spec, declared):
    """Where a file shipped with the hook (``declared``: src, dest, mode) is staged on the agent,
    ``<root>/<hook>/files/<sha256>/<name>``, and what the rollout installs from it. Read on the
    controller, where ``src`` is."""
    sha = file_sha256(declared["src"])
    name = os.path.basename(declared["dest"])
    return dict(src=declared["src"], sha256=sha, name=name, staged=os.path.join(root, spec["name"], "files", sha, name),
                dest=declared["dest"], mode=declared["mode"], restart=spec.get("restart_for_files", False))


def manifest_entries(specs, staged):
    """What agent_hooks loads for each present hook: the staged file, modules and --hooks names."""
    entries = []
    for spec in specs:
        if spec["state"] != "present":
            continue
        if spec["name"] not in staged:
            raise ValueError("hook '%s' has no staged artifact on this agent" % spec["name"])
        entries.append(dict(name=spec["name"], file=staged[spec["name"]]["dest"], modules=spec["modules"], hooks=spec["hooks"],
                            isolation=spec.get("isolation") or [],
                            files=[dict((k, f[k]) for k in ("staged", "sha256", "dest", "mode", "restart"))
                                   for f in staged[spec["name"]].get("files") or []]))
    return entries


def list_staged(root):
    """Sorted ``<hook>/<sha256>/<library>`` paths of the artifacts under ``root`` (and
    ``<hook>/files/<sha256>/<name>`` of the files shipped with hooks): regular files
    in real directories, as staging leaves them. A hint, not a check: what cannot be read (or
    goes away while it is read) is left out, and ``root`` missing gives an empty list."""
    found = []
    for hook in _names(root):
        # The files shipped with the hook are staged alike under <hook>/files.
        for rel in (hook, hook + "/files"):
            found.extend(_staged_under(root, rel))
    return sorted(found)


def _staged_under(root, rel):
    found = []
    hook_dir = os.path.join(root, rel)
    try:
        entries = [] if os.path.islink(hook_dir) else list_entries(hook_dir)
    except OSError:
        return found
    for name, _mtime in entries:
        if not _SHA256.match(name):
            continue
        entry = os.path.join(hook_dir, name)
        for library in _names(entry):
            if library.startswith("."):
                continue  # a staging's temporary file
            try:
                if stat.S_ISREG(os.lstat(os.path.join(entry, library)).st_mode):
                    found.append("%s/%s/%s" % (rel, name, library))
            except OSError:
                continue
    return found


def _names(directory):
    try:
        return sorted(os.listdir(directory))
    except OSError:
        return []
