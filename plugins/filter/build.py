# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that plan the builds and what each agent stages. Each filter's documentation is in
<filter>.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build as hb
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


def build_groups(agents, builders=None):
    try:
        return hb.group_hosts(agents, builders or {})
    except hb.BuildError as e:
        raise AnsibleFilterError(str(e))


def build_jobs(groups, sources, builder_facts, cache_dir, wanted=None):
    try:
        return hb.plan_jobs(groups, sources, builder_facts, cache_dir, wanted)
    except (hb.BuildError, KeyError) as e:
        raise AnsibleFilterError("cannot plan hook builds: %s" % e)


def daemon_facts(hostvars, hosts):
    """host -> what discovery found about the daemon each host runs (mesos_master on a master,
    else mesos_agent)."""
    return dict((host, rollout.daemon_facts(hostvars[host] if host in hostvars else {})) for host in hosts)


def stage_plan(specs, artifacts, root, fingerprint=None):
    try:
        return artifact_store.stage_plan(specs, artifacts, root, fingerprint)
    except (ValueError, KeyError) as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {
            "build_groups": build_groups,
            "build_jobs": build_jobs,
            "daemon_facts": daemon_facts,
            "stage_plan": stage_plan,
        }
