# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: plugin_preload
type: aggregate
short_description: Load the filter and test plugins once, before Ansible forks its workers
version_added: 0.1.0
description:
  - Ansible runs each task for each host in a freshly forked worker process, and every worker
    loads and compiles the filter and test plugins its templates use all over again; on a
    rollout that is most of the controller's CPU per host. This callback loads them once in the
    controller's main process when the playbook starts, so every worker inherits them.
  - It prints nothing and changes nothing else. If loading fails, the workers load the plugins
    as they would without it.
  - Enable it with C(callbacks_enabled = mesos_fleet.hooks.plugin_preload) under C([defaults])
    in C(ansible.cfg) (this collection's checkout does), or C(ANSIBLE_CALLBACKS_ENABLED).
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
"""

import os

from ansible.plugins.callback import CallbackBase
from ansible.utils.display import Display

display = Display()

COLLECTION = "mesos_fleet.hooks"


def preload():
    """Load every builtin filter and test, and every filter of this collection, into the
    loaders' caches of this process. Returns how many collection filters were loaded."""
    from ansible.plugins.loader import filter_loader, test_loader
    for loader in (filter_loader, test_loader):
        for dummy in loader.all():
            pass
    filter_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "filter")
    # Each filter is documented in <filter>.yml; several share a file of code.
    names = sorted(f[:-4] for f in os.listdir(filter_dir) if f.endswith(".yml"))
    return sum(1 for name in names if filter_loader.get("%s.%s" % (COLLECTION, name)) is not None)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "mesos_fleet.hooks.plugin_preload"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_start(self, playbook):
        try:
            count = preload()
        except Exception as e:  # pylint: disable=broad-except
            # An optimisation only: without it the workers load the plugins themselves.
            display.vvv("plugin_preload: not preloaded: %s" % e)
            return
        display.vvv("plugin_preload: loaded the builtin filters and tests and %d %s filters" % (count, COLLECTION))
