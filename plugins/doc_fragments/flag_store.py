# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Where an agent's flags live, for the modules that read or change them."""

    DOCUMENTATION = r"""
options:
  style:
    description:
      - Packaging style of the agent. V(auto) detects it from the files that exist and fails when
        none or more than one style matches.
    type: str
    choices: [auto, flagdir, envfile, dropin, dcos]
    default: auto
  flag_dir:
    description:
      - O(style=flagdir) only. The flag directory; by default whichever of C(/etc/mesos-slave) and
        C(/etc/mesos-agent) exists.
    type: path
  env_files:
    description:
      - Env files in the order they are read (later ones win).
      - O(style=flagdir) defaults to C(/etc/default/mesos) and C(/etc/default/<basename of flag_dir>).
      - O(style=envfile) defaults to C(/etc/default/mesos), C(/etc/default/mesos-slave),
        C(/etc/default/mesos-agent), C(/etc/sysconfig/mesos-agent); the last existing one is the
        one changes are written to.
      - O(style=dcos) defaults to the C(EnvironmentFile=) chain of C(dcos-mesos-slave.service).
    type: list
    elements: path
  unit:
    description:
      - O(style=dropin) only. The agent's systemd unit name; by default whichever of
        C(mesos-agent.service) and C(mesos-slave.service) exists.
    type: str
  override_file:
    description:
      - O(style=dcos) only. The operator override env file, where changes of agent flags are
        written; must be one of O(env_files).
      - Defaults to C(/var/lib/dcos/mesos-slave-common), the file DC/OS documents for operator
        changes of agent flags.
    type: path
"""
