#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: agent_hooks
short_description: Configure which hook libraries a Mesos agent loads, as one change with a snapshot
version_added: 0.1.0
description:
  - Plans the agent's modules JSON and its C(--modules)/C(--hooks) flags together, for the host's
    packaging style, so the agent never sees half a change. Other libraries and hooks keep their
    content and order.
  - With I(snapshot_dir), saves every file the change touches first; I(state=restored) puts a
    snapshot back exactly (files rewritten, re-created or removed) for rollback.
  - Writes atomically and refuses to write a file that changed since it was planned.
  - Does not restart the agent; C(restart_needed) and C(daemon_reload_needed) say what must follow.
  - With I(agent_url), first reads what the running agent loaded (its ID, tasks and C(/flags)),
    which the health gates compare with after the restart, and says in RV(live_stale) whether the
    running agent runs something else than the files hold after this change. A run interrupted
    between writing the files and the restart leaves files that no longer change, and an agent
    that must be restarted all the same.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
extends_documentation_fragment:
  - mesos_fleet.hooks.hook_config
  - mesos_fleet.hooks.mesos_http
attributes:
  check_mode:
    support: full
    description: Plans and reports the change (and the diff) without writing or snapshotting.
  diff_mode:
    support: full
    description: One diff per file that changes.
options:
  state:
    description: C(configured) applies I(present)/I(absent); C(restored) puts I(snapshot) back.
    type: str
    choices: [configured, restored]
    default: configured
  style:
    description: Packaging style; C(auto) detects it.
    type: str
    choices: [auto, flagdir, envfile, dropin, dcos]
    default: auto
  backup_dir:
    description: Timestamped backups of replaced files and the operator's pristine manifest (root only).
    type: path
    default: /var/lib/mesos-fleet-hooks/backup
  snapshot_dir:
    description: Save a snapshot of every file the change touches here before writing.
    type: path
  snapshot:
    description: The snapshot to put back, for I(state=restored).
    type: path
  agent_url:
    description: The agent's HTTP endpoint, to read what the running agent loaded before anything is written.
    type: str
  request_timeout:
    description: Seconds to wait for each request to I(agent_url).
    type: float
    default: 5
  root:
    description: Treat this directory as C(/) when reading and writing agent files. For testing.
    type: path
    default: /
"""

EXAMPLES = r"""
- name: Load the probe hook, snapshot first
  mesos_fleet.hooks.agent_hooks:
    present:
      - file: /var/lib/mesos-fleet-hooks/artifacts/probe/9f86.../libprobe_hook.so
        modules:
          - name: org_mesos_fleet_ProbeHook
            parameters: {env: PROBE=1}
        hooks: [org_mesos_fleet_ProbeHook]
    snapshot_dir: /var/lib/mesos-fleet-hooks/snapshots
  register: config

- name: Load a hook with a secret parameter (its value never shows in output or diffs)
  mesos_fleet.hooks.agent_hooks:
    present:
      - file: /var/lib/mesos-fleet-hooks/artifacts/audit/9f86.../libaudit_hook.so
        modules:
          - name: org_example_AuditHook
            parameters: {endpoint: "https://audit.example.com", api_token: "********"}
            secret_parameters: [api_token]
        hooks: [org_example_AuditHook]
    secrets:
      org_example_AuditHook: {api_token: "{{ vault_audit_token }}"}

- name: Roll back
  mesos_fleet.hooks.agent_hooks:
    state: restored
    snapshot: "{{ config.snapshot }}"
"""

RETURN = r"""
changed:
  description: Whether any file changed (or would).
  returned: always
  type: bool
files:
  description: Files that changed (or would).
  returned: always
  type: list
  elements: str
hooks_before:
  description: C(--hooks) before.
  returned: always
  type: list
  elements: str
hooks_after:
  description: C(--hooks) after.
  returned: always
  type: list
  elements: str
modules_before:
  description: C(--modules) and C(--modules_dir) before.
  returned: always
  type: dict
modules_after:
  description: C(--modules) and C(--modules_dir) after.
  returned: always
  type: dict
restart_needed:
  description: The agent reads its flags and modules only at start.
  returned: always
  type: bool
daemon_reload_needed:
  description: A systemd unit or drop-in changed.
  returned: always
  type: bool
snapshot:
  description: The snapshot saved before writing (or restored).
  returned: when a snapshot was saved or restored
  type: str
manifest_path:
  description: The modules manifest involved.
  returned: state=configured
  type: str
live:
  description:
    - What the running agent showed before anything was written (ID, registration, flags, hooks,
      module names, running tasks), the I(before) of M(mesos_fleet.hooks.agent_gates).
    - Secret parameter values are masked.
  returned: with I(agent_url)
  type: dict
live_stale:
  description:
    - Why the running agent does not run what the files hold after this change; empty when it does.
    - Compares C(--hooks), the module names, and each module's library and parameters (naming only parameter keys).
  returned: with I(agent_url)
  type: str
"""


from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_config as ac
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_config
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import redaction

ERRORS = (ac.ConfigError, mm.ManifestError, flag_stores.FlagStoreError, atomic_file.AtomicFileError,
          mesos_api.MesosApiError)


def restore(module):
    p = module.params
    if not p["snapshot"]:
        module.fail_json(msg="state=restored needs snapshot")
    index, changes = ac.restore_plan(p["snapshot"], p["root"])
    changed = any(now != then for now, then in changes.values())
    if changed and not module.check_mode:
        ac.restore(p["snapshot"], p["root"])
    result = dict(changed=changed, snapshot=p["snapshot"], hooks_after=index["hooks"],
                  modules_after=index["modules"], files=sorted(path for path, (a, b) in changes.items() if a != b),
                  restart_needed=changed, daemon_reload_needed=any(".service" in path for path in changes))
    if module._diff:
        secret_keys = index.get("extra", {}).get("secret_keys") or {}
        result["diff"] = redaction.redact_diffs(ac.diffs(changes), secret_keys=secret_keys)
    return result


def configure(module):
    """Plan and apply."""
    p = module.params
    present, secret_keys = hook_config.entries(p["present"], p["secrets"])
    store = flag_stores.make_store(p["style"], root=p["root"])
    # Read before anything is written: after the write the agent's files no longer tell what it runs.
    live = mesos_api.agent_snapshot(p["agent_url"], p["request_timeout"]) if p["agent_url"] else None
    plan, result = hook_config.preview(store, present, p["absent"], secret_keys, p["secrets"], p["managed_path"],
                                       p["dir_file_name"], p["backup_dir"], position=p["position"], live=live,
                                       diff=module._diff, absent_files=p["absent_files"])
    if not plan.changed or module.check_mode:
        return result
    snapshot = ac.write_change(plan, p["root"], p["backup_dir"], p["snapshot_dir"], present, p["absent"], secret_keys)
    ac.put_back_shipped(plan, p["root"], p["backup_dir"])
    if snapshot:
        result["snapshot"] = snapshot
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            hook_config.ARGUMENT_SPEC,
            **mesos_api.ARGUMENT_SPEC,
            state=dict(type="str", choices=["configured", "restored"], default="configured"),
            style=dict(type="str", choices=["auto"] + list(flag_stores.STYLES), default="auto"),
            backup_dir=dict(type="path", default="/var/lib/mesos-fleet-hooks/backup"),
            snapshot_dir=dict(type="path"),
            snapshot=dict(type="path"),
            agent_url=dict(type="str"),
            request_timeout=dict(type="float", default=5),
            root=dict(type="path", default="/"),
        ),
        supports_check_mode=True,
    )
    mesos_api.configure(**mesos_api.http_options(module.params))
    try:
        result = restore(module) if module.params["state"] == "restored" else configure(module)
    except ERRORS as e:
        module.fail_json(msg=str(e))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
