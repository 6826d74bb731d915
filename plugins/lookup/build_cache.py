# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: build_cache
short_description: What the controller's hook build cache holds for the planned builds
version_added: 0.1.0
description:
  - Reads the build cache on the controller for the build role's planned jobs
    (C(__mesos_build_jobs_planned)). Each job's directory C(<cache_dir>/<hook>/<key>/) holds the
    artifact and its C(meta.json), written last.
  - With O(want=missing), returns the jobs without a finished build, the ones to compile.
  - With O(want=artifacts), checks that every cached library still has the sha256 its
    C(meta.json) records and returns one element, fingerprint -> hook name -> artifact
    metadata (with its cache C(path)); fails listing every record it cannot read and every
    library that was changed or lost, with the directory to delete to rebuild it.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
options:
  _terms:
    description: The planned build jobs (a list of them, or the jobs as separate terms).
    type: list
    elements: dict
    required: true
  want:
    description: What to return.
    type: str
    choices: [missing, artifacts]
    required: true
"""

EXAMPLES = r"""
- name: Decide what to compile
  ansible.builtin.set_fact:
    __mesos_build_todo: "{{ query('mesos_fleet.hooks.build_cache', __mesos_build_jobs_planned, want='missing') }}"
  run_once: true

- name: Check the cached artifacts and publish them to every host
  ansible.builtin.set_fact:
    mesos_build_artifacts: "{{ lookup('mesos_fleet.hooks.build_cache', __mesos_build_jobs_planned, want='artifacts') }}"
  run_once: true
"""

RETURN = r"""
_raw:
  description:
    - O(want=missing) - the jobs to compile.
    - O(want=artifacts) - one element, fingerprint -> hook name -> artifact metadata.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import build_cache
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        jobs = terms[0] if len(terms) == 1 and isinstance(terms[0], list) else terms
        if not all(isinstance(job, dict) and "cache_dir" in job for job in jobs):
            raise AnsibleLookupError("build_cache takes the planned build jobs (__mesos_build_jobs_planned)")
        if self.get_option("want") == "missing":
            return build_cache.missing(jobs)
        try:
            return [build_cache.artifacts(jobs)]
        except hook_build.BuildError as exc:
            raise AnsibleLookupError(str(exc))
