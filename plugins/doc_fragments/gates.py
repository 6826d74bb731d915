# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """How the modules that restart an agent reach it and its masters, and prove it healthy."""

    DOCUMENTATION = r"""
options:
  agent_url:
    description: Base URL of the agent's HTTP endpoints (C(host:port) means C(http://host:port)).
    type: str
    default: http://127.0.0.1:5051
  master_url:
    description:
      - Base URLs of the masters. They are asked in order; the leader, or the first that
        answers, is used. Required by the C(reregistered) gate.
    type: list
    elements: str
    aliases: [master_urls]
  timeouts:
    description:
      - Seconds each gate may take, by gate name; 0 means a single attempt. Defaults are
        C(health) 15, C(reregistered) 20, C(flags) 10, C(recovery) 10, C(tasks) 30, C(canary) 30.
    type: dict
    default: {}
  intervals:
    description:
      - Seconds between the attempts of each gate, by gate name. Defaults are C(health) 0.25 and
        C(reregistered) 0.25 (they wait for the restarted agent, and until it says it is
        registered they ask only the agent), 1 for the others.
    type: dict
    default: {}
  request_timeout:
    description: Seconds one HTTP request may take.
    type: float
    default: 5
  canary_command:
    description:
      - A command run on the host after the other gates; exit status 0 passes. A list of
        arguments, or a string split like a shell would (no shell runs it). Its output is
        returned.
    type: raw
  restart_timeout:
    description: Seconds the agent's restart may take; used for the re-registration window warning.
    type: float
    default: 15
"""
