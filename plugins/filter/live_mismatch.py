# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: live_mismatch
short_description: Say why a running Mesos agent does not run what its configuration files hold
version_added: 0.1.0
description:
  - Compares the C(--hooks) and C(--modules) the running agent shows in C(/flags) (an
    C(agent_gates) snapshot) with what its files now give. Returns an empty string when they
    match, else the difference. A run interrupted between writing the files and restarting leaves
    them different although the files no longer change.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: hooks, module_names
options:
  _input:
    description: The snapshot from C(agent_gates) with I(snapshot_only=true).
    type: dict
    required: true
  hooks:
    description: The C(--hooks) list the files give, in order.
    type: list
    elements: str
    required: true
  module_names:
    description: The module names C(--modules) declares; omit (null) for an agent on C(--modules_dir).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Restart also when the running agent lags behind its files
  ansible.builtin.set_fact:
    stale: "{{ before.snapshot | mesos_fleet.hooks.live_mismatch(config.hooks_after, ['org_mesos_fleet_ProbeHook']) }}"
"""

RETURN = r"""
_value:
  description: The difference, or an empty string.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


def live_mismatch(live, hooks, module_names=None):
    try:
        return rollout.live_mismatch(live, hooks, module_names)
    except ValueError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {"live_mismatch": live_mismatch}
