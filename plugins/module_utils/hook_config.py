# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a change of hooks would do to one agent, worked out on the agent without writing.

``preview`` is the read-only half of a rollout: the planned files, the --hooks before and
after, and whether the running agent runs what the files will hold.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_config as ac
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import redaction
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


# The options of the modules that write a change of hooks (doc fragment mesos_fleet.hooks.hook_config).
ARGUMENT_SPEC = dict(
    present=dict(type="list", elements="dict", default=[], options=dict(
        name=dict(type="str"),
        file=dict(type="path", required=True),
        modules=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            parameters=dict(type="raw"),
            secret_parameters=dict(type="list", elements="str", default=[], no_log=False),
        )),
        hooks=dict(type="list", elements="str", required=True),
        isolation=dict(type="list", elements="str", default=[]),
        files=dict(type="list", elements="dict", default=[], options=dict(
            staged=dict(type="path", required=True),
            sha256=dict(type="str", required=True),
            dest=dict(type="path", required=True),
            mode=dict(type="str", default="0755"),
            restart=dict(type="bool", default=False),
        )),
    )),
    absent_files=dict(type="list", elements="path", default=[]),
    secrets=dict(type="dict", default={}, no_log=True),
    absent=dict(type="list", elements="str", default=[]),
    position=dict(type="str", choices=["append", "prepend"], default="append"),
    managed_path=dict(type="path", default="/etc/mesos-fleet-hooks/modules.json"),
    dir_file_name=dict(type="str", default="50-mesos-fleet-hooks.json"),
)


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
        out.append(dict(name=entry.get("name"), file=entry["file"], modules=with_secrets(entry["modules"], secrets),
                        hooks=entry["hooks"], isolation=entry.get("isolation") or [], files=entry.get("files") or []))
        for name, keys in redaction.secret_keys_of(entry["modules"]).items():
            secret_keys[name] = keys
    return out, secret_keys


def preview(store, present, absent, secret_keys, secrets, managed_path, dir_file_name, backup_dir,
            position="append", live=None, diff=False, absent_files=()):
    """(plan, result) for ``present`` (from :func:`entries`) and ``absent``; writes nothing.

    The result is what agent_hooks returns in check mode; with ``live`` (an agent snapshot
    taken before anything is written) it also says in ``live_stale`` whether the running agent
    runs something else than the files would hold.
    """
    plan = ac.plan(store, present, absent, managed_path, dir_file_name, position=position,
                   pristine_for=lambda path: ac.read_pristine(backup_dir, path), absent_files=absent_files,
                   backup_dir=backup_dir)
    result = dict(changed=plan.changed, files=[path for path, (b, a) in plan.changes.items() if b != a]
                  + plan.shipped.drift,
                  hooks_before=plan.hooks_before, hooks_after=plan.hooks_after,
                  modules_before=plan.modules_before, modules_after=plan.modules_after,
                  restart_needed=plan.restart_needed, daemon_reload_needed=plan.daemon_reload_needed,
                  manifest_path=plan.manifest_path)
    if live is not None:
        manifest = rollout.planned_manifest(plan, store.root)
        result["live_stale"] = rollout.live_mismatch(live, plan.hooks_after,
                                                     rollout.manifest_module_names(manifest), manifest,
                                                     isolation=plan.isolation_after)
        # /flags show the secrets the agent loaded, which may be older than those given now.
        result["live"] = redaction.redact_data(live, redaction.manifest_values(live.get("modules"), secret_keys))
    if diff:
        result["diff"] = redaction.redact_diffs(plan.diffs(), redaction.flatten(secrets), secret_keys)
    return plan, result
