#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: agent_operator
short_description: Deactivate or reactivate a Mesos agent through the master's operator API
version_added: 0.1.0
description:
  - Sends C(DEACTIVATE_AGENT) or C(REACTIVATE_AGENT) to the leading master's C(/api/v1). A
    deactivated agent gets no new offers; its running tasks keep running. Deactivating an agent
    before its restart keeps new tasks off it while its hooks change.
  - Idempotent. Reads the master's C(/slaves) first and sends the call only when the agent is
    not in I(state) yet; reads C(/slaves) again afterwards to prove the change.
  - Never drains the agent (C(DRAIN_AGENT) kills tasks and is not offered).
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
extends_documentation_fragment:
  - mesos_fleet.hooks.mesos_http
attributes:
  check_mode:
    support: full
    description: Reads C(/slaves) and reports whether the call would be sent.
  diff_mode:
    support: full
    description: Shows whether the agent is deactivated before and after.
options:
  master_url:
    description:
      - Base URLs of the masters (C(host:port) means C(http://host:port)). They are asked in
        order; the leader, or the first that answers, is used; a non-leading master's
        redirect is followed.
    type: list
    elements: str
    required: true
    aliases: [master_urls]
  agent_id:
    description: The agent's ID, for example the I(snapshot.id) of M(mesos_fleet.hooks.agent_gates).
    type: str
  agent_url:
    description: The agent's base URL; its ID is read from its C(/state). Use instead of I(agent_id).
    type: str
  state:
    description: C(deactivated) stops offers for the agent's resources, C(active) resumes them.
    type: str
    choices: [active, deactivated]
    required: true
  request_timeout:
    description: Seconds one HTTP request may take.
    type: float
    default: 5
seealso:
  - module: mesos_fleet.hooks.agent_gates
"""

EXAMPLES = r"""
- name: Stop offers for the agent while its hooks change
  mesos_fleet.hooks.agent_operator:
    master_url: [http://master1:5050, http://master2:5050]
    agent_id: "{{ before.snapshot.id }}"
    state: deactivated

- name: Resume offers once the gates passed
  mesos_fleet.hooks.agent_operator:
    master_url: [http://master1:5050, http://master2:5050]
    agent_url: "http://{{ inventory_hostname }}:5051"
    state: active
"""

RETURN = r"""
agent_id:
  description: The agent's ID.
  returned: success
  type: str
  sample: 3c1a0f5e-1f4c-4f55-9d0b-5b1f2b3a9d11-S0
hostname:
  description: The agent's hostname as the master lists it.
  returned: success
  type: str
master_url:
  description: The master that answered (the leader).
  returned: success
  type: str
  sample: http://master1:5050
deactivated_before:
  description: Whether the agent was deactivated before.
  returned: success
  type: bool
deactivated_after:
  description: Whether the agent is deactivated now (in check mode, would be).
  returned: success
  type: bool
active:
  description: The master's C(active) for the agent as last read; false also while the agent is disconnected.
  returned: success
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api


def run(module):
    p = module.params
    if p["request_timeout"] <= 0:
        raise ValueError("request_timeout must be more than 0 seconds, got %r" % p["request_timeout"])
    agent_id = p["agent_id"]
    if not agent_id:
        agent_url = mesos_api.base_url(p["agent_url"])
        agent_id = mesos_api.agent_state(agent_url, p["request_timeout"]).get("id")
        if not agent_id:
            raise ValueError("%s/state shows no agent ID: the agent is not registered" % agent_url)
    result = mesos_api.set_agent_active(p["master_url"], agent_id, p["state"] == "active",
                                        check_mode=module.check_mode, timeout=p["request_timeout"])
    if module._diff:
        result["diff"] = dict(before=dict(deactivated=result["deactivated_before"]),
                              after=dict(deactivated=result["deactivated_after"]))
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            master_url=dict(type="list", elements="str", required=True, aliases=["master_urls"]),
            agent_id=dict(type="str"),
            agent_url=dict(type="str"),
            state=dict(type="str", choices=["active", "deactivated"], required=True),
            request_timeout=dict(type="float", default=5),
            **mesos_api.ARGUMENT_SPEC,
        ),
        mutually_exclusive=[("agent_id", "agent_url")],
        required_one_of=[("agent_id", "agent_url")],
        supports_check_mode=True,
    )
    mesos_api.configure(**mesos_api.http_options(module.params))
    try:
        module.exit_json(**run(module))
    except (ValueError, mesos_api.MesosApiError) as e:
        module.fail_json(msg=str(e))


if __name__ == "__main__":
    main()
