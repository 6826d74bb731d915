# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The options of the modules that roll one daemon (agent or master) out, or back, in one call."""

    DOCUMENTATION = r"""
options:
  state:
    description: V(rolled_out) applies O(present) and O(absent); V(rolled_back) puts a snapshot back.
    type: str
    choices: [rolled_out, rolled_back]
    default: rolled_out
  style:
    description: Packaging style of the daemon; V(auto) detects it.
    type: str
    choices: [auto, flagdir, envfile, dropin, dcos]
    default: auto
  state_dir:
    description: Root-only state on the host, the rollout lock, C(snapshots/) and C(backup/).
    type: path
    default: /var/lib/mesos-fleet-hooks
  service:
    description: The daemon's systemd unit.
    type: str
    required: true
  run_id:
    description: The run that takes the host's rollout lock. Required with O(state=rolled_out).
    type: str
  lock_stale_after:
    description: Break another run's lock older than this many seconds; 0 never does.
    type: int
    default: 0
  snapshot:
    description: O(state=rolled_back) only. The snapshot to put back; the newest under O(state_dir) when unset.
    type: path
  host:
    description: The host's inventory name, for the commands a failure message gives.
    type: str
  root:
    description: Treat this directory as C(/) when reading and writing the daemon's files. For testing.
    type: path
    default: /
"""
