# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hook_specs
short_description: Validate the operator's mesos_hooks declarations and fill in defaults
version_added: 0.1.0
description:
  - Checks every hook entry (keys, types, names, paths, module symbols, parameters, secret
    parameters, command paths) and fails listing every problem, each naming the entry and field.
    The playbooks run the same checks for every host first (P(mesos_fleet.hooks.input_problems#filter)).
  - Fills in C(source) (the collection's C(hook_src/<name>)), C(state), C(hooks) and
    C(secret_parameters). Where our hooks go among the agent's other hooks is the rollout's
    C(mesos_rollout_position).
  - The values of parameters listed in a module's C(secret_parameters) are replaced by
    C(********); P(mesos_fleet.hooks.hook_secrets#filter) gives them to a C(no_log) option.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: src_dir
options:
  _input:
    description: The C(mesos_hooks) list.
    type: list
    elements: dict
    required: true
  src_dir:
    description: Directory holding the bundled hook sources, for entries without C(source).
    type: path
    required: true
"""

EXAMPLES = r"""
- name: Check the hook declarations
  ansible.builtin.set_fact:
    mesos_build_specs: "{{ mesos_hooks | mesos_fleet.hooks.hook_specs('/usr/share/hooks') }}"
"""

RETURN = r"""
_value:
  description: The normalised declarations.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_spec


def hook_specs(hooks, src_dir):
    try:
        return hook_spec.normalise(hooks, src_dir)
    except hook_spec.HookSpecError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {"hook_specs": hook_specs}
