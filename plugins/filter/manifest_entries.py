# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: manifest_entries
short_description: The libraries an agent loads, from hook declarations and staged artifacts
version_added: 0.1.0
description:
  - For each present hook, the staged artifact's path with the hook's modules (and parameters)
    and the names it puts in C(--hooks), in the form M(mesos_fleet.hooks.agent_hooks) takes.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: staged
options:
  _input:
    description: Normalised hook declarations.
    type: list
    elements: dict
    required: true
  staged:
    description: C(mesos_stage_artifacts) of the agent.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: What to load
  ansible.builtin.set_fact:
    present: "{{ specs | mesos_fleet.hooks.manifest_entries(mesos_stage_artifacts) }}"
"""

RETURN = r"""
_value:
  description: Entries with C(file), C(modules) and C(hooks).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store


def manifest_entries(specs, staged):
    try:
        return artifact_store.manifest_entries(specs, staged)
    except ValueError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {"manifest_entries": manifest_entries}
