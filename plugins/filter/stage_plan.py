# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: stage_plan
short_description: Where each hook artifact comes from and goes on one agent
version_added: 0.1.0
description:
  - For every present hook, pairs the artifact built for the agent's build fingerprint with its
    content-addressed destination C(<root>/<hook>/<sha256>/<library>).
  - Fails when a present hook has no artifact for the fingerprint.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: artifacts, root, fingerprint
options:
  _input:
    description: Normalised hook declarations (P(mesos_fleet.hooks.hook_specs#filter)).
    type: list
    elements: dict
    required: true
  artifacts:
    description: This agent's entry of C(mesos_build_artifacts) (hook name -> metadata).
    type: dict
    required: true
  root:
    description: Staging root on the agent.
    type: path
    required: true
  fingerprint:
    description: The agent's build fingerprint, for error messages.
    type: str
"""

EXAMPLES = r"""
- name: Plan the staging
  ansible.builtin.set_fact:
    plan: "{{ specs | mesos_fleet.hooks.stage_plan(mesos_build_artifacts[fp], '/var/lib/mesos-fleet-hooks/artifacts', fp) }}"
"""

RETURN = r"""
_value:
  description: hook name -> C(src), C(dest_dir), C(dest), C(sha256), C(library), C(modules), C(mesos_version).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store


def stage_plan(specs, artifacts, root, fingerprint=None):
    try:
        return artifact_store.stage_plan(specs, artifacts, root, fingerprint)
    except (ValueError, KeyError) as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {"stage_plan": stage_plan}
