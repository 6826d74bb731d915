#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: agent_preflight
short_description: Read-only checks of an agent before anything is written on any host
version_added: 0.1.0
description:
  - Checks every command path among the hook modules' parameters by the command hook's own rule
    (regular executable file owned by root, not writable by group or others, under root-owned
    directories not writable by group or others), and that the agent does not set both
    C(--modules) and C(--modules_dir).
  - Reads only; returns the problems and does not fail, so a playbook can list the problems of
    every host in one message.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
attributes:
  check_mode:
    support: full
    description: Reads only, in check mode as otherwise.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  modules:
    description: Normalised module declarations (C(name), C(parameters) as C(key)/C(value) pairs).
    type: list
    elements: dict
    default: []
  read_flags:
    description: Also read the agent's flags (false on build hosts that run no agent).
    type: bool
    default: true
  style:
    description: Packaging style of the agent's configuration.
    type: str
    choices: [auto, flagdir, envfile, dropin, dcos]
    default: auto
  root:
    description: Treat this directory as C(/). For testing.
    type: path
    default: /
"""

EXAMPLES = r"""
- name: Check the agent before any change
  mesos_fleet.hooks.agent_preflight:
    modules: "{{ mesos_hooks | mesos_fleet.hooks.hook_specs('/srv/hooks') | map(attribute='modules') | flatten }}"
  register: preflight
"""

RETURN = r"""
problems:
  description: What would make the change fail on this agent; empty when none.
  returned: always
  type: list
  elements: str
flags_error:
  description: Why the agent's flags could not be read (discovery reports it in full).
  returned: when the flags could not be read
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import preflight


def main():
    module = AnsibleModule(
        argument_spec=dict(
            modules=dict(type="list", elements="dict", default=[]),
            read_flags=dict(type="bool", default=True),
            style=dict(type="str", choices=["auto"] + list(flag_stores.STYLES), default="auto"),
            root=dict(type="path", default="/"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    result = dict(changed=False)
    problems = preflight.command_problems(p["modules"], root=p["root"])
    if p["read_flags"]:
        try:
            store = flag_stores.make_store(p["style"], root=p["root"])
            flags = dict((name, item["value"]) for name, item in store.read_flags().items())
            problems.extend(preflight.flag_problems(flags))
        except flag_stores.FlagStoreError as e:
            result["flags_error"] = str(e)
    module.exit_json(problems=problems, **result)


if __name__ == "__main__":
    main()
