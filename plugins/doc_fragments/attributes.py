# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Attributes shared by the collection's modules."""

    # Modules that read and never change anything.
    READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    description: Reads only, so it runs unchanged in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
"""
