# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that check the operator's input and sum up what discovery found, over every host. Each
filter's documentation is in <filter>.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

import yaml
from jinja2 import Undefined

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_discovery
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_spec
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import input_check
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


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
        if reason and "'hostvars' is undefined" in reason:
            # A value read through another host's variables (the masters' addresses, say) cannot
            # be templated from here; the role's argument spec checks it at the role's entry.
            continue
        found[name] = input_check.Unusable(reason) if reason else value
    return found


def input_problems(hostvars, hosts, serial=None, max_fail=None, scope=None):
    hosts_vars = dict((host, _host_vars(hostvars, host)) for host in hosts)
    return input_check.fleet_problems(hosts_vars, role_options(), hook_spec.BUNDLED_SRC_DIR,
                                      serial=serial, max_fail=max_fail, scope=scope)


def preflight_problems(hostvars, hosts, name="__mesos_discover_survey"):
    results = {}
    for host in hosts:
        facts = hostvars[host] if host in hostvars else {}
        result = facts.get(name)
        results[host] = list((result or {}).get("problems") or [])
    return input_check.by_host(results)


def discovery_summary(hostvars, hosts):
    return [agent_discovery.summary_line(host, rollout.daemon_facts(hostvars[host] if host in hostvars else {}) or None)
            for host in hosts]


class FilterModule(object):
    def filters(self):
        return {
            "input_problems": input_problems,
            "preflight_problems": preflight_problems,
            "discovery_summary": discovery_summary,
        }
