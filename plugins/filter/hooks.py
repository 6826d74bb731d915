# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters over the hook declarations (mesos_hooks): checked specs, secrets, what each agent loads.
Each filter's documentation is in <filter>.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_spec


def hook_specs(hooks):
    try:
        return hook_spec.normalise(hooks)
    except hook_spec.HookSpecError as e:
        raise AnsibleFilterError(str(e))


def hook_secrets(hooks):
    return hook_spec.secret_values(hooks)


def fleet_hooks(hostvars, hosts, masters=()):
    """``hooks``: every hook declared on any of ``hosts`` (mesos_hooks, or mesos_master_hooks for
    the hosts of ``masters``), once each, in the order first seen; ``wanted``: host -> names of
    the hooks it declares present. The input check has made sure a hook declared on several hosts
    is declared alike."""
    hooks, seen, wanted = [], set(), {}
    for host in hosts:
        name = "mesos_master_hooks" if host in masters else "mesos_hooks"
        declared = (hostvars[host] if host in hostvars else {}).get(name) or []
        try:
            specs = hook_spec.normalise(declared)
        except hook_spec.HookSpecError as e:
            raise AnsibleFilterError("%s: %s" % (host, e))
        wanted[host] = [spec["name"] for spec in specs if spec["state"] == "present"]
        for entry, spec in zip(declared, specs):
            if spec["name"] not in seen:
                seen.add(spec["name"])
                hooks.append(entry)
    return {"hooks": hooks, "wanted": wanted}


def manifest_entries(specs, staged):
    try:
        return artifact_store.manifest_entries(specs, staged)
    except ValueError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {
            "fleet_hooks": fleet_hooks,
            "hook_specs": hook_specs,
            "hook_secrets": hook_secrets,
            "manifest_entries": manifest_entries,
        }
