# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: input_problems
short_description: Every problem of the operator's input over all hosts, before any host is contacted
version_added: 0.1.0
description:
  - Checks the C(mesos_*) variables of every given host (types and choices from the roles'
    C(meta/argument_specs.yml), absolute paths, timeouts above 0, gate names, master URLs,
    unknown variables), C(mesos_hooks) (see P(mesos_fleet.hooks.hook_specs#filter)) and the
    batches (C(mesos_rollout_serial), C(mesos_rollout_max_fail_percentage)).
  - Returns the problems, each naming the variable, the hosts and what is allowed; an identical
    problem on several hosts is listed once. Reads no host.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: hosts, serial, max_fail, scope
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  hosts:
    description: The hosts to check, in play order.
    type: list
    elements: str
    required: true
  serial:
    description: C(mesos_rollout_serial), or null when not given.
    type: raw
  max_fail:
    description: C(mesos_rollout_max_fail_percentage), or null when not given.
    type: raw
  scope:
    description: Variable names, or prefixes ending in C(_), the playbook uses; null checks every C(mesos_*) variable.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Refuse bad input before any host is contacted
  ansible.builtin.fail:
    msg: "{{ problems }}"
  vars:
    problems: "{{ hostvars | mesos_fleet.hooks.input_problems(ansible_play_hosts_all) }}"
  when: problems | length > 0
  run_once: true
"""

RETURN = r"""
_value:
  description: The problems; empty when the input is good.
  type: list
  elements: str
"""

import glob
import os

import yaml
from jinja2 import Undefined

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import input_check

_COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def role_options(roles_dir=os.path.join(_COLLECTION, "roles")):
    """name -> option of every role's main entry point."""
    options = {}
    for path in sorted(glob.glob(os.path.join(roles_dir, "*", "meta", "argument_specs.yml"))):
        with open(path) as handle:
            specs = yaml.safe_load(handle) or {}
        options.update(specs.get("argument_specs", {}).get("main", {}).get("options", {}))
    return options


def _undefined(value):
    """Why a templated value (or anything inside it) is undefined, or None."""
    if isinstance(value, Undefined):
        return getattr(value, "_undefined_message", None) or "undefined"
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return None
    for item in items:
        reason = _undefined(item)
        if reason:
            return reason
    return None


def _host_vars(hostvars, host):
    """The host's mesos_* variables, each templated; one that cannot be is reported as such."""
    found = {}
    host_vars = hostvars[host]
    for name in list(host_vars.keys()):
        if not str(name).startswith("mesos_"):
            continue
        try:
            value = host_vars[name]
            reason = _undefined(value)
        except Exception as e:  # pylint: disable=broad-except
            value, reason = None, str(e)
        found[name] = input_check.Unusable(reason) if reason else value
    return found


def input_problems(hostvars, hosts, serial=None, max_fail=None, scope=None):
    hosts_vars = dict((host, _host_vars(hostvars, host)) for host in hosts)
    return input_check.fleet_problems(hosts_vars, role_options(), os.path.join(_COLLECTION, "hook_src"),
                                      serial=serial, max_fail=max_fail, scope=scope)


class FilterModule(object):
    def filters(self):
        return {"input_problems": input_problems}
