#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: master_rollout
short_description: Roll one Mesos master onto a set of hooks, or back, in one call behind health gates
version_added: 0.2.0
description:
  - O(state=rolled_out) takes the host's rollout lock, reads the running master (its own C(/flags),
    whether it leads, its member of the masters' ZooKeeper group) and the cluster around it (the
    leader, its active agents and connected frameworks), plans the master's modules JSON and flags
    for the host's packaging style, refuses to restart it when the masters left running would not
    make the replicated log's C(--quorum), snapshots every file the change touches, writes them,
    restarts the master (only when a file changed, or when it runs something else than its files
    hold), runs the master gates, and on a failed gate puts the snapshot back and restarts it again
    behind the same gates.
  - "Gates, in order: C(health) (the master's C(/health)), C(flags) (its C(/flags) show exactly the
    hooks and modules), C(group) (with C(--zk): back in the ZooKeeper group under a new member),
    C(leader) (a leader is elected and has recovered), C(agents) (every agent that was active is
    active again), C(frameworks) (every framework that was connected is connected again), and
    C(canary) with O(canary_command)."
  - O(state=rolled_back) puts a snapshot back (O(snapshot), else the newest under
    O(state_dir)/snapshots) and restarts the master behind the gates.
  - Returns the host's record with the step it reached and the master's RV(role) at the restart.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
requirements:
  - kazoo (Debian package C(python3-kazoo)) on the master, for a master with C(--zk).
extends_documentation_fragment:
  - mesos_fleet.hooks.rollout_call
  - mesos_fleet.hooks.hook_config
  - mesos_fleet.hooks.mesos_http
attributes:
  check_mode:
    support: full
    description: Reads the master and the cluster and plans the change; writes, restarts and locks nothing.
  diff_mode:
    support: full
    description: One diff per file that changes.
options:
  master_url:
    description: Base URL of this host's master, as reachable from the host itself.
    type: str
    default: http://127.0.0.1:5050
  master_urls:
    description:
      - Base URLs of the other masters, asked in turn for the leader's view while this one restarts.
    type: list
    elements: str
    default: []
  timeouts:
    description:
      - Seconds each gate may take, by gate name; 0 means a single attempt. Defaults are
        C(health) 30, C(flags) 10, C(group) 30, C(leader) 60, C(agents) 60, C(frameworks) 60, C(canary) 30.
    type: dict
    default: {}
  intervals:
    description: Seconds between the attempts of each gate, by gate name.
    type: dict
    default: {}
  request_timeout:
    description: Seconds one HTTP request (or ZooKeeper read) may take.
    type: float
    default: 5
  canary_command:
    description:
      - A command run on the host after the other gates; exit status 0 passes. A list of
        arguments, or a string split like a shell would (no shell runs it).
    type: raw
"""

EXAMPLES = r"""
- name: Roll this master onto the command hook
  mesos_fleet.hooks.master_rollout:
    present:
      - file: /var/lib/mesos-fleet-hooks/artifacts/command/0f3a.../libcommand_hook.so
        modules:
          - name: org_mesos_fleet_CommandHook
            parameters: {masterLaunchTaskLabelDecorator: /usr/local/bin/label-task}
        hooks: [org_mesos_fleet_CommandHook]
    service: mesos-master.service
    master_url: http://10.0.0.11:5050
    master_urls: [http://10.0.0.12:5050, http://10.0.0.13:5050]
    run_id: "20261207T180000Z-1"
"""

RETURN = r"""
result:
  description: V(unchanged), V(updated), V(rolled_back) or V(failed).
  returned: always
  type: str
reached:
  description: The last step begun (read, files, restart, passed, rollback, done).
  returned: always
  type: str
role:
  description: V(leader) when this master led the cluster when it was read, else V(standby).
  returned: when the master was read
  type: str
leader_before:
  description: The leading master's URL before the restart.
  returned: when the master was read
  type: str
leader_after:
  description: The leading master's URL once the C(leader) gate passed.
  returned: when the master was restarted
  type: str
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
gates:
  description: One result per gate (V(name), V(passed), V(attempts), V(seconds), V(error), V(details)).
  returned: when the master was restarted
  type: list
  elements: dict
rollback:
  description: The rollback after a failed gate (V(passed), V(msg), V(gates), V(restart_seconds)).
  returned: when a gate failed and a snapshot was put back
  type: dict
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_rollout as ar
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_config
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import master_rollout as mr
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api


def run(module):
    p = dict(module.params)
    p.update(lock_path=os.path.join(p["state_dir"], "rollout.lock"),
             snapshot_dir=os.path.join(p["state_dir"], "snapshots"),
             backup_dir=os.path.join(p["state_dir"], "backup"))
    opts = mr.Options(p, check_mode=module.check_mode, diff=module._diff)
    if p["state"] == "rolled_out":
        if not p["run_id"]:
            raise ValueError("state=rolled_out needs run_id")
        return mr.roll_out(opts)
    snapshot = p["snapshot"] or ar.newest_snapshot(p["snapshot_dir"])
    if not snapshot:
        raise ValueError("no snapshot under %s to roll back to" % p["snapshot_dir"])
    back = mr.roll_back(opts, snapshot)
    return dict(result="rolled_back" if back["passed"] else "failed", reached="done", daemon="master",
                message=back["msg"], changed=back["changed"], hooks_after=back["hooks_after"],
                snapshot=snapshot, files=back["files"], gates=back["gates"],
                restart_seconds=back["restart_seconds"], gate_seconds=back["gate_seconds"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            hook_config.ARGUMENT_SPEC,
            **mesos_api.ARGUMENT_SPEC,
            **ar.ARGUMENT_SPEC,
            master_url=dict(type="str", default="http://127.0.0.1:5050"),
            master_urls=dict(type="list", elements="str", default=[]),
            timeouts=dict(type="dict", default={}),
            intervals=dict(type="dict", default={}),
            request_timeout=dict(type="float", default=5),
            canary_command=dict(type="raw"),
        ),
        supports_check_mode=True,
    )
    ar.keep_going_without_controller()
    mesos_api.configure(**mesos_api.http_options(module.params))
    try:
        record = run(module)
    except mr.ERRORS as e:
        module.fail_json(msg=str(e), result="failed", reached="start")
    if record["result"] == "failed" or (record["result"] == "rolled_back" and module.params["state"] == "rolled_out"):
        module.fail_json(msg="%s %s: %s" % (module.params["host"] or "the master", record["result"].replace("_", " "),
                                            record["message"]), **record)
    module.exit_json(**record)


if __name__ == "__main__":
    main()
