#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: agent_rollout
short_description: Roll one Mesos agent onto a set of hooks, or back, in one call behind health gates
version_added: 0.1.0
description:
  - O(state=rolled_out) takes the host's rollout lock, reads the running agent, plans its modules
    JSON and flags for the host's packaging style, saves a snapshot of every file the change
    touches, writes them, restarts the agent (only when a file changed, or when the running agent
    runs something else than its files hold, as after an interrupted run), runs the health gates,
    puts the snapshot back and restarts the agent again when a gate fails, and releases the lock.
  - O(state=rolled_back) puts a snapshot back (O(snapshot), else the newest under
    O(state_dir)/snapshots) and restarts the agent behind the same gates; the same code the
    rollout runs after a failed gate.
  - Returns the host's record with the step it reached. The call finishes even when the controller
    goes away meanwhile (it ignores the hang-up), so the agent ends proven or rolled back; the
    rollout lock, when the host itself failed meanwhile, says the step it reached.
  - Fails the host, with its record, when a gate failed (rolled back or not), and without writing
    anything when the change cannot be planned or the lock is held by another run.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
extends_documentation_fragment:
  - mesos_fleet.hooks.rollout_call
  - mesos_fleet.hooks.gates
  - mesos_fleet.hooks.hook_config
  - mesos_fleet.hooks.mesos_http
attributes:
  check_mode:
    support: full
    description: Reads the agent and plans the change; writes, restarts and locks nothing.
  diff_mode:
    support: full
    description: One diff per file that changes.
options:
  deactivate:
    description: Keep offers of the agent's resources back at the master during the restart.
    type: bool
    default: false
notes:
  - Requires C(systemctl) on the host; the gates read the agent and the masters over HTTP.
seealso:
  - module: mesos_fleet.hooks.agent_hooks
  - module: mesos_fleet.hooks.agent_gates
"""

EXAMPLES = r"""
- name: Load the probe hook on the agent, restart it behind the gates, roll back on a failure
  mesos_fleet.hooks.agent_rollout:
    present:
      - file: /var/lib/mesos-fleet-hooks/artifacts/probe/9f86.../libprobe_hook.so
        modules:
          - name: org_mesos_fleet_ProbeHook
            parameters: {env: PROBE=1}
        hooks: [org_mesos_fleet_ProbeHook]
    service: mesos-slave
    agent_url: http://agent1:5051
    master_url: [http://master1:5050]
    run_id: "20261207T101500Z-42"
  register: rollout

- name: Put the newest snapshot back
  mesos_fleet.hooks.agent_rollout:
    state: rolled_back
    service: mesos-slave
    agent_url: http://agent1:5051
    master_url: [http://master1:5050]
"""

RETURN = r"""
result:
  description: V(updated), V(unchanged), V(rolled_back) or V(failed) (rolled back too when a snapshot was taken).
  returned: always
  type: str
reached:
  description: >-
    The last step begun, V(read), V(files), V(restart), V(passed), V(rollback) or V(done)
    (V(start) when the lock stopped it).
  returned: always
  type: str
message:
  description: Why the host failed or was rolled back, or why it was restarted with its files unchanged.
  returned: always
  type: str
hooks_before:
  description: C(--hooks) before.
  returned: when the agent was read
  type: list
  elements: str
hooks_after:
  description: C(--hooks) the agent runs now (its previous ones after a rollback).
  returned: when the agent was read
  type: list
  elements: str
isolation_before:
  description: C(--isolation) the agent ran before (Mesos's default isolators when unset); null when the change
    involves no isolator module of ours, and C(--isolation) is then neither read nor changed.
  returned: when the agent was read
  type: list
  elements: str
isolation_after:
  description: C(--isolation) the change gives the agent (a rollback puts RV(isolation_before) back); null as
    for RV(isolation_before).
  returned: when the agent was read
  type: list
  elements: str
files:
  description: Files that changed (or would).
  returned: when the agent was read
  type: list
  elements: str
snapshot:
  description: The snapshot of the previous files (saved or put back).
  returned: when files were written or restored
  type: str
restart_seconds:
  description: How long the restart took; null when there was none.
  returned: always
  type: float
gate_seconds:
  description: How long the gates took; null when none ran.
  returned: always
  type: float
gates:
  description: One result per gate, as M(mesos_fleet.hooks.agent_gates) returns them.
  returned: when the agent was restarted
  type: list
  elements: dict
rollback:
  description: The rollback after a failed gate (V(passed), V(msg), V(gates), V(restart_seconds)).
  returned: when a gate failed and a snapshot was put back
  type: dict
live_stale:
  description: Why the running agent did not run what its files held; empty when it did.
  returned: O(state=rolled_out), when the agent was read
  type: str
lock_acquired:
  description: Whether this call took the rollout lock (false when this run held it already).
  returned: O(state=rolled_out)
  type: bool
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_rollout as ar
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import gates as g
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_config
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api


def run(module):
    p = dict(module.params)
    p.update(lock_path=os.path.join(p["state_dir"], "rollout.lock"),
             snapshot_dir=os.path.join(p["state_dir"], "snapshots"),
             backup_dir=os.path.join(p["state_dir"], "backup"))
    opts = ar.Options(p, check_mode=module.check_mode, diff=module._diff)
    if p["state"] == "rolled_out":
        if not p["run_id"]:
            raise ValueError("state=rolled_out needs run_id")
        record = ar.roll_out(opts)
    else:
        snapshot = p["snapshot"] or ar.newest_snapshot(p["snapshot_dir"])
        if not snapshot:
            raise ValueError("no snapshot under %s to roll back to" % p["snapshot_dir"])
        back = ar.roll_back(opts, snapshot)
        record = dict(result="rolled_back" if back["passed"] else "failed", reached="done",
                      message=back["msg"], changed=back["changed"], hooks_after=back["hooks_after"],
                      snapshot=snapshot, files=back["files"], gates=back["gates"],
                      restart_seconds=back["restart_seconds"], gate_seconds=back["gate_seconds"])
    return record


def main():
    module = AnsibleModule(
        argument_spec=dict(
            hook_config.ARGUMENT_SPEC,
            **g.ARGUMENT_SPEC,
            **mesos_api.ARGUMENT_SPEC,
            **ar.ARGUMENT_SPEC,
            deactivate=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    ar.keep_going_without_controller()
    mesos_api.configure(**mesos_api.http_options(module.params))
    try:
        record = run(module)
    except ar.ERRORS + (g.GateFailure,) as e:
        module.fail_json(msg=str(e), result="failed", reached="start")
    warning = record.pop("warning", None)
    if warning:
        module.warn(warning)
    # A rollout that ended rolled back failed; a rollback that did is what was asked for.
    if record["result"] == "failed" or (record["result"] == "rolled_back" and module.params["state"] == "rolled_out"):
        module.fail_json(msg="%s %s: %s" % (module.params["host"] or "the agent", record["result"].replace("_", " "),
                                            record["message"]), **record)
    module.exit_json(**record)


if __name__ == "__main__":
    main()
