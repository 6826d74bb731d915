# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: artifact_map
short_description: Index built hook artifacts by build fingerprint and hook name
version_added: 0.1.0
description:
  - Pairs the planned build jobs with the metadata records read from the artifact cache and
    returns, per build fingerprint, per hook name, the metadata plus the artifact's C(path);
    a record that belongs to another build is refused.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: metas
options:
  _input:
    description: The build jobs from P(mesos_fleet.hooks.build_jobs#filter).
    type: list
    elements: dict
    required: true
  metas:
    description: The C(meta.json) records of the jobs, in the same order.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Index the artifacts
  ansible.builtin.set_fact:
    artifacts: "{{ jobs | mesos_fleet.hooks.artifact_map(metas) }}"
"""

RETURN = r"""
_value:
  description: Build fingerprint to hook name to metadata; each has the artifact's C(path) in the cache.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build as hb


def artifact_map(jobs, metas):
    try:
        return hb.artifact_map(jobs, metas)
    except hb.BuildError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {"artifact_map": artifact_map}
