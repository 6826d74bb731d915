# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hook_secrets
short_description: The values of the hook parameters marked secret, for a no_log module option
version_added: 0.1.0
description:
  - Module name -> parameter key -> value, for the parameters each module lists in
    C(secret_parameters). P(mesos_fleet.hooks.hook_specs#filter) shows those values as
    C(********); pass this to the C(secrets) option of M(mesos_fleet.hooks.agent_hooks) or
    M(mesos_fleet.hooks.rollout_report), which never print them.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
options:
  _input:
    description: The C(mesos_hooks) list.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Write the modules JSON and flags
  mesos_fleet.hooks.agent_hooks:
    present: "{{ present }}"
    secrets: "{{ mesos_hooks | mesos_fleet.hooks.hook_secrets }}"
"""

RETURN = r"""
_value:
  description: Module name -> parameter key -> value.
  type: dict
"""

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_spec


def hook_secrets(hooks):
    return hook_spec.secret_values(hooks)


class FilterModule(object):
    def filters(self):
        return {"hook_secrets": hook_secrets}
