# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a change of hooks would do to one agent, worked out on the agent without writing.

``preview`` is the read-only half of agent_hooks: the planned files, the --hooks before and
after, and whether the running agent runs what the files will hold. ``preview_at_discovery``
gives the same before the hooks are built: it assumes each hook's library stays where the
agent's manifest has it now, and says which paths it assumed, so that the controller can keep
the preview for an agent whose staged artifacts turn out to be at exactly those paths (a run
that changes nothing) and count every other agent as one to visit, without a remote call of
its own to plan it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_config as ac
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import redaction
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout

# Stands for a library not built yet: only the manifest that holds our libraries now is read
# from the plan made with it.
_PLACEHOLDER = "/mesos-fleet-hooks-preview/%s.so"


def with_secrets(modules, secrets):
    """Normalised modules with the secret parameters' values filled in from ``secrets``."""
    out = []
    for m in modules:
        parameters = mm.normalise_parameters(m.get("parameters"))
        wanted = m.get("secret_parameters") or []
        given = secrets.get(m["name"]) or {}
        for key in wanted:
            if not isinstance(given.get(key), str):
                raise ac.ConfigError("module %s: secret parameter '%s' has no value in secrets" % (m["name"], key))
            if key not in [q["key"] for q in parameters]:
                parameters.append(dict(key=key, value=given[key]))
        parameters = [dict(key=q["key"], value=given[q["key"]] if q["key"] in wanted else q["value"])
                      for q in parameters]
        out.append(dict(name=m["name"], parameters=parameters))
    return out


def entries(present, secrets):
    """The present libraries with their secret values filled in, and the secret keys per module."""
    out, secret_keys = [], {}
    for entry in present:
        out.append(dict(file=entry["file"], modules=with_secrets(entry["modules"], secrets), hooks=entry["hooks"]))
        for name, keys in redaction.secret_keys_of(entry["modules"]).items():
            secret_keys[name] = keys
    return out, secret_keys


def preview(store, present, absent, secret_keys, secrets, managed_path, dir_file_name, backup_dir,
            position="append", live=None, diff=False):
    """(plan, result) for ``present`` (from :func:`entries`) and ``absent``; writes nothing.

    The result is what agent_hooks returns in check mode; with ``live`` (an agent snapshot
    taken before anything is written) it also says in ``live_stale`` whether the running agent
    runs something else than the files would hold.
    """
    plan = ac.plan(store, present, absent, managed_path, dir_file_name, position=position,
                   pristine_for=lambda path: ac.read_pristine(backup_dir, path))
    result = dict(changed=plan.changed, files=[path for path, (b, a) in plan.changes.items() if b != a],
                  hooks_before=plan.hooks_before, hooks_after=plan.hooks_after,
                  modules_before=plan.modules_before, modules_after=plan.modules_after,
                  restart_needed=plan.changed, daemon_reload_needed=plan.daemon_reload_needed,
                  manifest_path=plan.manifest_path)
    if live is not None:
        manifest = rollout.planned_manifest(plan, store.root)
        result["live_stale"] = rollout.live_mismatch(live, plan.hooks_after,
                                                     rollout.manifest_module_names(manifest), manifest)
        # /flags show the secrets the agent loaded, which may be older than those given now.
        result["live"] = redaction.redact_data(live, redaction.manifest_values(live.get("modules"), secret_keys))
    if diff:
        result["diff"] = redaction.redact_diffs(plan.diffs(), redaction.flatten(secrets), secret_keys)
    return plan, result


def preview_at_discovery(store, hooks, absent, secrets, managed_path, dir_file_name, backup_dir,
                         position="append", live=None):
    """The preview of a change whose libraries are not built yet.

    hooks: the present hooks, each a dict with ``name``, ``modules`` and ``hooks`` (the
    hook_specs form). Returns ``assumes`` (hook name -> the library path the agent's manifest
    gives its modules now, None where it names none) and, when every hook has one (or there is
    none), ``result``: the preview (as :func:`preview` gives it, without diff) of loading each
    hook from there.
    """
    placed = [dict(file=_PLACEHOLDER % h["name"], modules=h["modules"], hooks=h["hooks"]) for h in hooks]
    present, secret_keys = entries(placed, secrets)
    found = ac.plan(store, present, absent, managed_path, dir_file_name, position=position,
                    pristine_for=lambda path: ac.read_pristine(backup_dir, path))
    before = found.changes.get(found.manifest_path, (None, None))[0] if found.manifest_path else None
    index = mm.module_index([(found.manifest_path, mm.parse(before.decode("utf-8"), found.manifest_path))]) \
        if before else {}
    assumes = {}
    for hook in hooks:
        paths = set((index.get(m["name"]) or (None,))[0] for m in hook["modules"])
        path = paths.pop() if len(paths) == 1 else None
        assumes[hook["name"]] = path if path and path.startswith("/") else None
    out = dict(assumes=assumes)
    if all(assumes.values()):  # also with no hook to load: a removal needs no artifact
        for entry, hook in zip(present, hooks):
            entry["file"] = assumes[hook["name"]]
        out["result"] = preview(store, present, absent, secret_keys, secrets, managed_path, dir_file_name,
                                backup_dir, position=position, live=live)[1]
    return out
