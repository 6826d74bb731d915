# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The operator's hook declarations (``mesos_hooks``), checked before any host is touched.

One entry per hook library::

    - name: command_hook                 # a directory name: artifacts live under it
      source: /srv/hooks/command_hook    # default: <collection>/hook_src/<name>
      state: present                     # or absent: take it out of every agent
      modules:                           # module symbols to load, with their parameters
        - name: org_mesos_fleet_CommandHook
          parameters: {slave_executor_environment_decorator_command: /usr/local/bin/env-hook}
      hooks: [org_mesos_fleet_CommandHook]   # what goes into --hooks; default: every module
      allow_resource_decorators: false   # see hook_validate
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm

HOOK_KEYS = ("name", "source", "state", "modules", "hooks", "allow_resource_decorators")
MODULE_KEYS = ("name", "parameters")
_DIR_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class HookSpecError(ValueError):
    """A hook declaration that cannot be deployed; the message names the entry and field."""


def _fail(where, message):
    raise HookSpecError("mesos_hooks%s: %s" % (where, message))


def _check_keys(where, item, allowed):
    if not isinstance(item, dict):
        _fail(where, "must be a mapping, got %s" % type(item).__name__)
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        _fail(where, "unknown key(s) %s (allowed: %s)" % (", ".join(unknown), ", ".join(allowed)))


def normalise(hooks, src_dir):
    """Validate the declarations and fill in defaults; raise HookSpecError on the first problem."""
    if hooks is None:
        return []
    if not isinstance(hooks, list):
        _fail("", "must be a list of hooks, got %s" % type(hooks).__name__)
    result = []
    names = set()
    symbols = {}
    for i, hook in enumerate(hooks):
        where = "[%d]" % i
        _check_keys(where, hook, HOOK_KEYS)
        name = hook.get("name")
        if not isinstance(name, str) or not name:
            _fail(where + ".name", "must be a non-empty string")
        where = "[%d] (%s)" % (i, name)
        if not _DIR_NAME.match(name):
            _fail(where + ".name", "'%s' must be a plain directory name (letters, digits, _ . -)" % name)
        if name in names:
            _fail(where + ".name", "hook '%s' is declared twice" % name)
        names.add(name)

        source = hook.get("source") or os.path.join(src_dir, name)
        if not isinstance(source, str) or not os.path.isabs(source):
            _fail(where + ".source", "'%s' must be an absolute path" % (source,))
        if ".." in source.split("/"):
            _fail(where + ".source", "'%s' must not contain '..'" % source)

        state = hook.get("state", "present")
        if state not in ("present", "absent"):
            _fail(where + ".state", "must be present or absent, got %r" % (state,))
        allow = hook.get("allow_resource_decorators", False)
        if not isinstance(allow, bool):
            _fail(where + ".allow_resource_decorators", "must be true or false")

        modules = hook.get("modules")
        if not isinstance(modules, list) or not modules:
            _fail(where + ".modules", "must list at least one module")
        normal_modules = []
        for j, module in enumerate(modules):
            mwhere = "%s.modules[%d]" % (where, j)
            _check_keys(mwhere, module, MODULE_KEYS)
            symbol = module.get("name")
            if not isinstance(symbol, str) or not mm.C_IDENTIFIER.match(symbol):
                _fail(mwhere + ".name", "%r is not a valid C identifier" % (symbol,))
            if symbol in symbols:
                _fail(mwhere + ".name", "module '%s' is already declared by hook '%s'" % (symbol, symbols[symbol]))
            symbols[symbol] = name
            try:
                parameters = mm.normalise_parameters(module.get("parameters"))
            except mm.ManifestError as e:
                _fail(mwhere, str(e))
            normal_modules.append(dict(name=symbol, parameters=parameters))

        module_names = [m["name"] for m in normal_modules]
        wanted_hooks = hook.get("hooks", module_names)
        if not isinstance(wanted_hooks, list):
            _fail(where + ".hooks", "must be a list of module names")
        for h in wanted_hooks:
            if h not in module_names:
                _fail(where + ".hooks", "'%s' is not one of this hook's modules (%s)" % (h, ", ".join(module_names)))
        if len(set(wanted_hooks)) != len(wanted_hooks):
            _fail(where + ".hooks", "lists a module twice")

        result.append(dict(name=name, source=source, state=state, modules=normal_modules,
                           hooks=list(wanted_hooks), allow_resource_decorators=allow))
    return result
