# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: build_jobs
short_description: Plan one hook build per hook and build group, with its artifact cache location
version_added: 0.1.0
description:
  - Combines the build groups (from P(mesos_fleet.hooks.build_groups#filter)), the described hook
    sources (from M(mesos_fleet.hooks.hook_source)) and the builders' agent facts into build jobs.
  - Each job carries the compile flags derived from the builder's Mesos install and a cache key
    over sources, fingerprint and flags, so an unchanged hook is never compiled twice.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: sources, builder_facts, cache_dir
options:
  _input:
    description: The build groups.
    type: list
    elements: dict
    required: true
  sources:
    description: Mapping of hook name to its M(mesos_fleet.hooks.hook_source) result plus C(path).
    type: dict
    required: true
  builder_facts:
    description: Mapping of builder host to its C(mesos_agent) facts.
    type: dict
    required: true
  cache_dir:
    description: The controller's artifact cache directory.
    type: path
    required: true
"""

EXAMPLES = r"""
- name: Plan the builds
  ansible.builtin.set_fact:
    mesos_build_jobs: "{{ mesos_build_groups | mesos_fleet.hooks.build_jobs(sources, builder_facts, '/var/cache/hooks') }}"
"""

RETURN = r"""
_value:
  description: One job per hook and build group.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build as hb


def build_jobs(groups, sources, builder_facts, cache_dir):
    try:
        return hb.plan_jobs(groups, sources, builder_facts, cache_dir)
    except (hb.BuildError, KeyError) as e:
        raise AnsibleFilterError("cannot plan hook builds: %s" % e)


class FilterModule(object):
    def filters(self):
        return {"build_jobs": build_jobs}
