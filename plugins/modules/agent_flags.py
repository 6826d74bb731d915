#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: agent_flags
short_description: Set a Mesos agent's --modules, --modules_dir and --hooks flags
version_added: 0.1.0
description:
  - Reads every flag of a Mesos agent from the files of its packaging style and adds or
    removes hook modules in C(--hooks), optionally setting C(--modules) or C(--modules_dir).
  - Other hooks keep their order; removing ours restores the files byte for byte, and
    removing the last hook removes the flag.
  - Each style has one layer this module writes. C(flagdir) writes one file per flag under
    C(/etc/mesos-slave) or C(/etc/mesos-agent) (mesos-init-wrapper). C(envfile) writes
    C(MESOS_X=) lines in the last existing env file. C(dropin) writes only the drop-in
    C(<unit>.d/50-mesos-fleet-hooks.conf) (C(Environment=) lines, or a reset and re-issued
    C(ExecStart=) when the flag is on the command line or in an C(EnvironmentFile=)).
    C(dcos) writes the operator override file C(/var/lib/dcos/mesos-slave-common).
  - Refuses, before writing anything, a result where both C(--modules) and
    C(--modules_dir) are set (the agent exits), hooks enabled with neither set, invalid or
    duplicate hook names, and files it cannot read or parse.
  - Files are replaced atomically; the agent is not restarted and systemd is not reloaded.
    The results C(restart_needed) and C(daemon_reload_needed) say when to do so.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
attributes:
  check_mode:
    support: full
    description: Plans the change and reports it; nothing is written.
  diff_mode:
    support: full
    description: Shows the before and after content of every file it changes.
extends_documentation_fragment:
  - mesos_fleet.hooks.flag_store
options:
  hooks:
    description:
      - Hook module names (C identifiers) to add to or remove from C(--hooks).
    type: list
    elements: str
    default: []
  state:
    description:
      - V(present) adds O(hooks) and sets O(modules) or O(modules_dir).
      - V(absent) removes O(hooks); O(modules) or O(modules_dir), when given, are removed
        only if the flag has exactly that value.
    type: str
    choices: [present, absent]
    default: present
  position:
    description:
      - Where our hooks go when they are added, or when they are present but not in the
        order of O(hooks). Other hooks keep their relative order.
    type: str
    choices: [append, prepend]
    default: append
  modules:
    description:
      - Value for C(--modules), for example V(file:///etc/mesos/modules-fleet.json).
    type: str
  modules_dir:
    description:
      - Value for C(--modules_dir), an absolute directory path.
    type: path
  backup_dir:
    description:
      - Directory where the old content of every changed file is saved under a timestamped
        name before it is replaced or removed. Created when missing.
    type: path
  unit_dirs:
    description:
      - O(style=dropin) only. Unit directories, highest priority first; the drop-in is
        written in the first one.
      - Defaults to C(/etc/systemd/system), C(/run/systemd/system),
        C(/usr/lib/systemd/system), C(/lib/systemd/system).
    type: list
    elements: path
  root:
    description:
      - For testing. Directory that stands for C(/); all paths above are looked up below it.
    type: path
    default: /
notes:
  - Mesos reads its flags only at start; restart the agent when RV(restart_needed) is true,
    after C(systemctl daemon-reload) when RV(daemon_reload_needed) is true.
seealso:
  - name: Mesos configuration
    description: Agent flags, including C(--modules), C(--modules_dir) and C(--hooks).
    link: https://mesos.apache.org/documentation/latest/configuration/agent/
"""

EXAMPLES = r"""
- name: Enable the command hook after the agent's existing hooks
  mesos_fleet.hooks.agent_flags:
    hooks: [org_mesos_fleet_CommandHook]
    modules: file:///etc/mesos/modules-fleet.json
    backup_dir: /var/backups/mesos-fleet
  register: flags

- name: Restart the agent when its flags changed
  ansible.builtin.systemd_service:
    name: mesos-agent
    state: restarted
    daemon_reload: "{{ flags.daemon_reload_needed }}"
  when: flags.restart_needed

- name: On DC/OS, add a hook; the modules JSON goes into the existing modules directory
  mesos_fleet.hooks.agent_flags:
    style: dcos
    hooks: [org_mesos_fleet_CommandHook]
    modules_dir: /opt/mesosphere/etc/mesos-slave-modules

- name: Remove our hook again, leaving the other hooks as they were
  mesos_fleet.hooks.agent_flags:
    hooks: [org_mesos_fleet_CommandHook]
    state: absent
"""

RETURN = r"""
style:
  description: The packaging style used.
  returned: success
  type: str
  sample: flagdir
files:
  description: Host paths of the files changed (or that would change in check mode).
  returned: success
  type: list
  elements: str
  sample: [/etc/mesos-slave/hooks]
flags_before:
  description:
    - Every flag set on the agent before the change, with the file (and line) it comes
      from and the sources it overrides.
  returned: success
  type: dict
  sample:
    hooks: {value: "org_example_A", source: "/etc/mesos-slave/hooks", overridden: []}
flags_after:
  description: The same as RV(flags_before), after the change.
  returned: success
  type: dict
hooks_before:
  description: The C(--hooks) list before the change.
  returned: success
  type: list
  elements: str
  sample: [org_example_A]
hooks_after:
  description: The C(--hooks) list after the change.
  returned: success
  type: list
  elements: str
  sample: [org_example_A, org_mesos_fleet_CommandHook]
backups:
  description: Paths of the backups written to O(backup_dir).
  returned: success
  type: list
  elements: str
daemon_reload_needed:
  description: True when a systemd unit drop-in changed.
  returned: success
  type: bool
restart_needed:
  description: True when the agent's effective flags changed.
  returned: success
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mesos_fleet.hooks.plugins.module_utils.flag_stores import (
    ARGUMENT_SPEC,
    FlagStoreError,
    apply_plan,
    make_store,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            ARGUMENT_SPEC,
            hooks=dict(type="list", elements="str", default=[]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            position=dict(type="str", default="append", choices=["append", "prepend"]),
            modules=dict(type="str"),
            modules_dir=dict(type="path"),
            backup_dir=dict(type="path"),
            unit_dirs=dict(type="list", elements="path"),
            root=dict(type="path", default="/"),
        ),
        mutually_exclusive=[["modules", "modules_dir"]],
        supports_check_mode=True,
    )
    params = module.params
    try:
        store = make_store(
            params["style"],
            root=params["root"],
            flag_dir=params["flag_dir"],
            env_files=params["env_files"],
            override_file=params["override_file"],
            unit=params["unit"],
            unit_dirs=params["unit_dirs"],
        )
        plan = store.plan(
            hooks=params["hooks"],
            state=params["state"],
            position=params["position"],
            modules=params["modules"],
            modules_dir=params["modules_dir"],
        )
        backups = []
        if plan.changed and not module.check_mode:
            backups = apply_plan(plan, root=params["root"], backup_dir=params["backup_dir"])
    except FlagStoreError as exc:
        module.fail_json(msg=str(exc))

    result = dict(
        changed=plan.changed,
        style=plan.style,
        files=[change.path for change in plan.changes],
        flags_before=plan.flags_before,
        flags_after=plan.flags_after,
        hooks_before=plan.hooks_before,
        hooks_after=plan.hooks_after,
        backups=backups,
        daemon_reload_needed=plan.daemon_reload_needed,
        restart_needed=plan.restart_needed,
    )
    if module._diff and plan.changed:
        result["diff"] = plan.diffs()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
