# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hook_sources
short_description: Describe the hooks' source directories on the controller
version_added: 0.1.0
description:
  - For each hook declaration (normalised by the P(mesos_fleet.hooks.hook_specs#filter)
    filter), reads the C(hook.json) of its C(source) on the controller, finds its build file
    and fingerprints its files, as M(mesos_fleet.hooks.hook_source) does on a host.
  - Returns one element, hook name -> description. Fails listing every hook whose source
    cannot be read and every declared module its source does not build.
  - Runs in the controller process, so describing the sources starts no Python process.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
options:
  _terms:
    description: The hook declarations to describe (a list of them, or one per term).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Describe the present hooks' sources
  ansible.builtin.set_fact:
    hook_sources: >-
      {{ lookup('mesos_fleet.hooks.hook_sources',
                mesos_hooks | mesos_fleet.hooks.hook_specs
                | selectattr('state', 'equalto', 'present')) }}
  run_once: true
"""

RETURN = r"""
_raw:
  description:
    - One element, hook name -> C(path), C(library), C(modules), C(build_system), C(digest)
      and C(files), as M(mesos_fleet.hooks.hook_source) returns them.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        specs = terms[0] if len(terms) == 1 and isinstance(terms[0], list) else terms
        if not all(isinstance(spec, dict) and "name" in spec and "source" in spec for spec in specs):
            raise AnsibleLookupError("hook_sources takes hook declarations with a name and a source (see hook_specs)")
        try:
            return [hook_build.describe_sources(specs)]
        except hook_build.BuildError as exc:
            raise AnsibleLookupError(str(exc))
