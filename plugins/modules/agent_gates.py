#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: agent_gates
short_description: Prove a restarted Mesos agent is healthy, or snapshot it before the restart
version_added: 0.1.0
description:
  - With I(snapshot_only=true), reads the agent's ID, registration, recovery errors, flags,
    C(--hooks), C(--modules) and running tasks, and returns them as I(snapshot). Take it just
    before the restart and pass it back as I(before).
  - Otherwise runs the health gates in this order, each retried every I(intervals) seconds until
    its own I(timeouts), stopping at the first that fails. C(health) the agent's C(/health)
    answers 200. C(reregistered) the agent shows the agent ID of I(before) and the master lists it
    under that ID in I(master_state), re-registered later than I(before)'s C(master_registered_at)
    when it has one (the agent's own C(slave/registered) is 1 as soon as it has found a master, so
    only the master proves it; C(/state) answers 503 until the agent's recovery ends, and the gate
    retries). C(flags) C(/flags) shows
    exactly I(expected_hooks), I(expected_modules) and I(expected_modules_dir). C(recovery)
    C(slave/recovery_errors) is 0. C(tasks) every task running in I(before) is C(TASK_RUNNING).
    C(canary) I(canary_command) exits 0.
  - An agent that comes back under a new agent ID did not recover its checkpointed state (its
    tasks are lost); that fails at once with a message saying so.
  - With I(restart_service), restarts that systemd unit first (after C(systemctl reset-failed),
    so repeated restarts never hit the unit's start rate limit, and C(systemctl daemon-reload)
    when I(daemon_reload)) and returns how long it took in RV(restart_seconds); the gates then
    start as soon as the restart returns. A failed attempt at a gate then also asks systemd
    whether the daemon has exited since the restart (the unit C(failed), C(inactive) or in
    C(auto-restart)). Mesos exits at start on a module it refuses, and the gate then fails at once
    with the daemon's own reason from the unit's journal (its last C(EXIT with status) line)
    instead of waiting out its timeout.
  - The module fails when a gate fails, so a playbook can roll the host back in a C(rescue).
  - Warns when the restart, the gates up to C(reregistered) and a rollback restart could
    together outlast the master's re-registration window (C(agent_ping_timeout) x
    C(max_agent_ping_timeouts), 75 s by default), after which the master would mark the agent
    unreachable.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
extends_documentation_fragment:
  - mesos_fleet.hooks.gates
  - mesos_fleet.hooks.mesos_http
attributes:
  check_mode:
    support: full
    description:
      - Only reads. Each gate is tried once, the canary command is not run, and a failing gate
        is reported in I(gates) without failing the host.
  diff_mode:
    support: none
    description: The gates only read; there is nothing to show as a diff.
options:
  snapshot_only:
    description: Only read the agent and return I(snapshot); no gate runs.
    type: bool
    default: false
  before:
    description: The I(snapshot) returned by an earlier call with I(snapshot_only=true).
    type: dict
  gates:
    description:
      - The gates to run; they always run in the order C(health), C(reregistered), C(flags),
        C(recovery), C(tasks), C(canary).
      - Defaults to all but C(canary), plus C(canary) when I(canary_command) is set.
    type: list
    elements: str
    choices: [health, reregistered, flags, recovery, tasks, canary]
  expected_hooks:
    description:
      - The exact C(--hooks) list, in order, the agent must run with. An empty list means no
        hooks. Not checked when omitted.
    type: list
    elements: str
  expected_modules:
    description:
      - The module names the agent's C(--modules) must declare, in any order (all of them, ours
        and the operator's), for example the I(modules) returned by
        M(mesos_fleet.hooks.modules_manifest). An empty list means no C(--modules). Not checked
        when omitted.
    type: list
    elements: str
  expected_modules_dir:
    description:
      - The exact C(--modules_dir) the agent must run with; an empty string means unset. Not
        checked when omitted.
    type: str
  master_state:
    description:
      - How the master must list the agent for C(reregistered) to pass. C(deactivated) when the
        rollout deactivated it before the restart (see M(mesos_fleet.hooks.agent_operator)).
    type: str
    choices: [active, deactivated, any]
    default: active
  restart_service:
    description:
      - A systemd unit to restart before the gates run (the agent's service). Not restarted in
        check mode. Without it, the caller restarted the agent already.
    type: str
  daemon_reload:
    description: With I(restart_service), run C(systemctl daemon-reload) first (a unit drop-in changed).
    type: bool
    default: false
  reregistration_window:
    description:
      - Seconds the master waits for a silent agent before marking it unreachable. Read from
        the master's C(/flags) when omitted (75 when no master answers).
    type: float
  secrets:
    description:
      - Secret hook parameter values (module name -> key -> value). The agent's C(/flags) show
        every module parameter, so these values are masked wherever they appear in the result.
    type: dict
    default: {}
notes:
  - Gates read the agent over HTTP only, so the module can run on the agent or be delegated.
seealso:
  - module: mesos_fleet.hooks.agent_operator
  - module: mesos_fleet.hooks.rollout_report
"""

EXAMPLES = r"""
- name: Snapshot the agent before the restart
  mesos_fleet.hooks.agent_gates:
    agent_url: "http://{{ inventory_hostname }}:5051"
    snapshot_only: true
  register: before

- name: Prove the agent is healthy with the new hooks
  mesos_fleet.hooks.agent_gates:
    agent_url: "http://{{ inventory_hostname }}:5051"
    master_url: "{{ mesos_masters | map('regex_replace', '^(.*)$', 'http://\\1:5050') | list }}"
    before: "{{ before.snapshot }}"
    expected_hooks: [org_mesos_fleet_CommandHook]
    expected_modules: "{{ manifest.modules }}"
    timeouts:
      reregistered: 20
    canary_command: /usr/local/bin/mesos-canary --quick
  register: gates
"""

RETURN = r"""
restart_seconds:
  description: With I(restart_service), the seconds the restart took (daemon-reload included).
  returned: when the unit was restarted
  type: float
snapshot:
  description:
    - The agent as read now (with I(snapshot_only=true)) or after the gates (otherwise, when the
      agent answers).
  returned: when the agent answers
  type: dict
  contains:
    url:
      description: The agent's base URL.
      type: str
    id:
      description: The agent ID; empty while the agent is not registered.
      type: str
    hostname:
      description: The agent's hostname from C(/state).
      type: str
    pid:
      description: The agent's libprocess PID, C(slave(1)@ip:port).
      type: str
    version:
      description: The running Mesos version.
      type: str
    registered:
      description: Whether C(slave/registered) is 1, that is the agent has detected a master (not that the master accepted it).
      type: bool
    recovery_errors:
      description: C(slave/recovery_errors).
      type: int
    flags:
      description: All of C(/flags).
      type: dict
    hooks:
      description: C(--hooks) as a list.
      type: list
      elements: str
    modules:
      description: C(--modules) as C(/flags) shows it (protobuf text of the manifest), or null.
      type: str
    module_names:
      description: The module names C(--modules) declares.
      type: list
      elements: str
    modules_dir:
      description: C(--modules_dir), or null.
      type: str
    tasks:
      description: Running task IDs by framework ID.
      type: dict
  sample:
    id: 3c1a0f5e-1f4c-4f55-9d0b-5b1f2b3a9d11-S0
    registered: true
    recovery_errors: 0
    hooks: [org_mesos_fleet_CommandHook]
    tasks: {"3c1a0f5e-0000": ["web-1"]}
passed:
  description: Whether every gate passed.
  returned: when gates ran
  type: bool
failed_gate:
  description: The first gate that failed, or null.
  returned: when gates ran
  type: str
seconds:
  description: Seconds all gates took together.
  returned: when gates ran
  type: float
gates:
  description: One result per gate, in run order.
  returned: when gates ran
  type: list
  elements: dict
  contains:
    name:
      description: The gate.
      type: str
    passed:
      description: Whether it passed.
      type: bool
    skipped:
      description: Not run because an earlier gate failed.
      type: bool
    attempts:
      description: How many times it was tried.
      type: int
    seconds:
      description: How long it took.
      type: float
    timeout:
      description: Its timeout in seconds.
      type: float
    error:
      description: Why its last attempt failed; null when it passed.
      type: str
    details:
      description:
        - What it saw. For C(reregistered) the agent ID, the master that answered, C(active),
          C(deactivated), and the master's time of the agent's last (re-)registration
          (C(registered_at)) against the one read before the restart (C(registered_before)).
          For C(canary) the command, C(rc), C(stdout) and C(stderr).
      type: dict
budget:
  description: The re-registration window check.
  returned: when gates ran
  type: dict
  contains:
    window:
      description: The master's re-registration window in seconds.
      type: float
    worst_case:
      description: Restart, gates up to C(reregistered) and rollback restart at their timeouts.
      type: float
    counted:
      description: The gates counted in I(worst_case).
      type: list
      elements: str
    warning:
      description: Why the worst case does not fit, or null.
      type: str
msg:
  description: A one-line verdict.
  returned: always
  type: str
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import gates as g
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api


def _window(p, module):
    if p["reregistration_window"] is not None:
        return p["reregistration_window"]
    if p["master_url"]:
        try:
            flags = mesos_api.master_flags(p["master_url"], p["request_timeout"])
            return mesos_api.reregistration_window(flags)
        except (mesos_api.MesosApiError, ValueError) as e:
            module.warn("cannot read the master's re-registration window, assuming 75 s: %s" % e)
    return mesos_api.DEFAULT_PING_TIMEOUT * mesos_api.DEFAULT_MAX_PING_TIMEOUTS


def run(module):
    p = module.params
    if p["request_timeout"] <= 0:
        raise ValueError("request_timeout must be more than 0 seconds, got %r" % p["request_timeout"])
    if p["snapshot_only"]:
        snapshot = mesos_api.agent_snapshot(p["agent_url"], p["request_timeout"])
        return dict(changed=False, snapshot=snapshot,
                    msg="agent %s (%s) read" % (snapshot["id"] or "without ID", snapshot["url"]))

    names = p["gates"]
    if names is None:
        names = [n for n in g.GATE_ORDER if n != "canary" or p["canary_command"]]
    if "reregistered" in names and not p["master_url"]:
        raise ValueError("the reregistered gate needs master_url")
    if "canary" in names and not p["canary_command"]:
        raise ValueError("the canary gate needs canary_command")
    specs = g.gate_specs(names, g.seconds_by_gate(p["timeouts"], "timeouts"), g.seconds_by_gate(p["intervals"], "intervals"))
    expect = g.Expectations(hooks=p["expected_hooks"], module_names=p["expected_modules"],
                            modules_dir=p["expected_modules_dir"], master_state=p["master_state"],
                            canary=p["canary_command"])
    restarting = p["restart_service"] and not module.check_mode
    # Just before the restart: the daemon's journal from then on says why it exited, if it did.
    probe = g.AgentProbe(p["agent_url"], p["master_url"], p["request_timeout"],
                         service=p["restart_service"] if restarting else None, since=time.time())
    g.validate_before(p["before"], names)

    budget = g.reregistration_budget(specs, p["restart_timeout"], _window(p, module))
    if budget["warning"]:
        module.warn(budget["warning"])

    restarted = {}
    if restarting:
        try:
            restarted["restart_seconds"] = g.restart_unit(p["restart_service"], p["daemon_reload"])
        except g.RestartError as e:
            module.fail_json(msg="restart of %s: %s" % (p["restart_service"], e), budget=budget)
        restarted["changed"] = True
    if module.check_mode:
        # Read once, never wait, never run the operator's command, never fail the host.
        specs = [g.GateSpec(s.name, 0, s.interval) for s in specs if s.name != "canary"]
        outcome = g.check_gates(p["before"], probe, expect, specs, stop_on_failure=False)
        outcome["msg"] = "check mode, gates read once and not enforced: " + outcome["msg"]
    else:
        outcome = g.check_gates(p["before"], probe, expect, specs)
    result = dict(dict(changed=False, budget=budget, **outcome), **restarted)
    try:
        result["snapshot"] = mesos_api.agent_snapshot(p["agent_url"], p["request_timeout"])
    except mesos_api.MesosApiError:
        pass
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            g.ARGUMENT_SPEC,
            **mesos_api.ARGUMENT_SPEC,
            snapshot_only=dict(type="bool", default=False),
            before=dict(type="dict"),
            gates=dict(type="list", elements="str", choices=list(g.GATE_ORDER)),
            expected_hooks=dict(type="list", elements="str"),
            expected_modules=dict(type="list", elements="str"),
            expected_modules_dir=dict(type="str"),
            master_state=dict(type="str", choices=list(g.MASTER_STATES), default="active"),
            restart_service=dict(type="str"),
            daemon_reload=dict(type="bool", default=False),
            reregistration_window=dict(type="float"),
            # Only declared so that Ansible masks the values in everything the module returns.
            secrets=dict(type="dict", default={}, no_log=True),
        ),
        required_if=[("snapshot_only", False, ("before",))],
        supports_check_mode=True,
    )
    mesos_api.configure(**mesos_api.http_options(module.params))
    try:
        result = run(module)
    except (ValueError, mesos_api.MesosApiError) as e:
        module.fail_json(msg=str(e))
    if result.get("passed") is False and not module.check_mode:
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
