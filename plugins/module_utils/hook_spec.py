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
          parameters: {slave_executor_environment_decorator_command: /usr/local/bin/env-hook,
                       api_token: "{{ vault_api_token }}"}
          secret_parameters: [api_token] # kept out of logs, diffs and reports; manifest 0600
      hooks: [org_mesos_fleet_CommandHook]   # what goes into --hooks; default: every module
                                             # not listed under isolation
      isolation: []                      # isolator modules, for the agent's --isolation
      allow_resource_decorators: false   # see hook_validate
      files:                             # what its commands need, shipped from the controller
        - src: /srv/hooks/env-hook       # a file on the controller
          dest: /usr/local/bin/env-hook  # where the agent's commands find it
          mode: "0755"                   # default 0755; never writable by group or others

:func:`problems` lists every problem at once (what the playbooks print before any host task);
:func:`normalise` returns the filled-in declarations and raises on any problem. In the
normalised form the values of secret parameters are replaced by :data:`SECRET`: they travel to
the agent only through :func:`secret_values` and a ``no_log`` module option.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm

HOOK_KEYS = ("name", "source", "state", "modules", "hooks", "isolation", "allow_resource_decorators", "files")
MODULE_KEYS = ("name", "parameters", "secret_parameters")
FILE_KEYS = ("src", "dest", "mode")
DEFAULT_FILE_MODE = "0755"
_MODE = re.compile(r"^0?[0-7]{3}$")
_DIR_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

# Where entries without ``source`` find their sources: the collection's hook_src/. Only meaningful
# on the controller (filters, lookups), where this file sits in the installed collection.
BUNDLED_SRC_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                               "hook_src")

# What a secret value is shown as, everywhere it would otherwise appear.
SECRET = "********"

# Parameter keys that name a credential. Such a parameter must be listed in secret_parameters:
# a false alarm costs nothing (the value is only hidden), a miss puts a credential in the logs.
_SECRET_KEY = re.compile(r"(^|[_.-])(password|passwd|passphrase|secret|token|api_?key|credentials?|"
                         r"private_?key|auth)($|[_.-])", re.IGNORECASE)

# The command hook's methods (hook_src/command_hook): '<method>_command' is a command path.
HOOK_METHODS = (
    "masterLaunchTaskLabelDecorator", "masterLaunchTaskResourceDecorator", "slaveRunTaskLabelDecorator",
    "masterSlaveLostHook", "slaveExecutorEnvironmentDecorator", "slavePreLaunchDockerTaskExecutorDecorator",
    "slavePostFetchHook", "slaveRemoveExecutorHook", "slaveTaskStatusDecorator", "slaveResourcesDecorator",
    "slaveAttributesDecorator",
)
COMMAND_KEYS = tuple("%s_command" % m for m in HOOK_METHODS)


class HookSpecError(ValueError):
    """A hook declaration that cannot be deployed; the message names the entry and field."""


def looks_secret(key):
    """Whether a parameter key names a credential (token, password, api_key, ...)."""
    return bool(_SECRET_KEY.search(key))


def command_parameters(parameters):
    """The command paths among normalised parameters: [(key, path)]."""
    return [(p["key"], p["value"]) for p in parameters if p["key"] in COMMAND_KEYS]


def persistent(modules):
    """Whether any module runs a command in persistent mode (``mode`` or ``<method>_mode``
    ``persistent``): such a process is started once and keeps the files it read, so a change of
    the hook's files needs the daemon restarted."""
    return any((p["key"] == "mode" or p["key"].endswith("_mode")) and p["value"] == "persistent"
               for m in modules for p in m.get("parameters") or [])


def _files(out, where, files, dests):
    """Check a hook's ``files``; return them normalised (mode as an octal string)."""
    if not isinstance(files, list):
        out.append("mesos_hooks%s.files: must be a list of {src, dest, mode}" % where)
        return []
    result = []
    for k, item in enumerate(files):
        fwhere = "%s.files[%d]" % (where, k)
        if not _check_keys(out, fwhere, item, FILE_KEYS):
            continue
        src, dest = item.get("src"), item.get("dest")
        ok = _check_path(out, fwhere + ".src", src, "path of a file on the controller")
        ok = _check_path(out, fwhere + ".dest", dest, "path on the host") and ok
        if ok and not os.path.isfile(src):
            # Read where the declarations are checked: on the controller, before any host task.
            out.append("mesos_hooks%s.src: %s is not a file on the controller" % (fwhere, src))
            ok = False
        mode = item.get("mode", DEFAULT_FILE_MODE)
        if isinstance(mode, int) and not isinstance(mode, bool):
            mode = "%04o" % mode  # YAML reads an unquoted 0755 as the number 493
        if not isinstance(mode, str) or not _MODE.match(mode):
            out.append("mesos_hooks%s.mode: %r must be an octal mode such as \"0755\"" % (fwhere, mode))
            ok = False
        elif int(mode, 8) & 0o022:
            out.append("mesos_hooks%s.mode: %s lets group or others write %s; the command hook refuses a "
                       "command that others can change" % (fwhere, mode, dest))
            ok = False
        if ok and dest in dests:
            out.append("mesos_hooks%s.dest: %s is also shipped by hook '%s'" % (fwhere, dest, dests[dest]))
            ok = False
        if ok:
            dests[dest] = where
            result.append(dict(src=src, dest=dest, mode="%04o" % int(mode, 8)))
    return result


def _check_keys(out, where, item, allowed):
    if not isinstance(item, dict):
        out.append("mesos_hooks%s: must be a mapping, got %s" % (where, type(item).__name__))
        return False
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        out.append("mesos_hooks%s: unknown key(s) %s (allowed: %s)" % (where, ", ".join(unknown), ", ".join(allowed)))
    return True


def _check_path(out, where, path, what="path"):
    if not isinstance(path, str) or not os.path.isabs(path):
        out.append("mesos_hooks%s: '%s' must be an absolute %s" % (where, path, what))
    elif ".." in path.split("/"):
        out.append("mesos_hooks%s: '%s' must not contain '..'" % (where, path))
    elif os.path.normpath(path) != path:
        out.append("mesos_hooks%s: '%s' must be a normalised path (no '.', '//' or trailing '/')" % (where, path))
    else:
        return True
    return False


def _module(out, mwhere, module, symbols, hook_name):
    """Check one module entry; return its normalised form, or None."""
    if not _check_keys(out, mwhere, module, MODULE_KEYS):
        return None
    symbol = module.get("name")
    ok = True
    if not isinstance(symbol, str) or not mm.C_IDENTIFIER.match(symbol):
        out.append("mesos_hooks%s.name: %r is not a valid C identifier (letters, digits and _, "
                   "not starting with a digit)" % (mwhere, symbol))
        ok = False
    elif symbol in symbols:
        out.append("mesos_hooks%s.name: module '%s' is already declared by hook '%s'" % (mwhere, symbol, symbols[symbol]))
    else:
        symbols[symbol] = hook_name
    try:
        parameters = mm.normalise_parameters(module.get("parameters"))
    except mm.ManifestError as e:
        out.append("mesos_hooks%s.%s" % (mwhere, e))
        return None
    keys = [p["key"] for p in parameters]
    for key in sorted(set(k for k in keys if keys.count(k) > 1)):
        out.append("mesos_hooks%s.parameters: key '%s' is given more than once" % (mwhere, key))
    secret = module.get("secret_parameters", [])
    if not isinstance(secret, list) or not all(isinstance(k, str) and k for k in secret):
        out.append("mesos_hooks%s.secret_parameters: must be a list of parameter keys" % mwhere)
        secret = []
    for key in secret:
        if key not in keys:
            out.append("mesos_hooks%s.secret_parameters: '%s' is not one of the module's parameters (%s)"
                       % (mwhere, key, ", ".join(keys) or "none"))
    for key in keys:
        if looks_secret(key) and key not in secret:
            out.append("mesos_hooks%s.parameters.%s: looks like a credential; list it in secret_parameters so its "
                       "value stays out of logs, diffs and reports" % (mwhere, key))
    for key, path in command_parameters(parameters):
        if key in secret:
            out.append("mesos_hooks%s.secret_parameters: '%s' is a command path, not a secret" % (mwhere, key))
        _check_path(out, "%s.parameters.%s" % (mwhere, key), path, "path of the command")
    if not ok:
        return None
    shown = [dict(key=p["key"], value=SECRET if p["key"] in secret else p["value"]) for p in parameters]
    return dict(name=symbol, parameters=shown, secret_parameters=sorted(set(secret) & set(keys)))


def _module_list(out, where, key, names, module_names):
    """``names`` (hooks or isolation) checked against the entry's modules; [] when unusable."""
    if not isinstance(names, list):
        out.append("mesos_hooks%s.%s: must be a list of module names" % (where, key))
        return []
    for h in names:
        if h not in module_names:
            out.append("mesos_hooks%s.%s: '%s' is not one of this hook's modules (%s)"
                       % (where, key, h, ", ".join(module_names)))
    if len(set(map(str, names))) != len(names):
        out.append("mesos_hooks%s.%s: lists a module twice" % (where, key))
    return names


def _check(hooks, src_dir, out):
    if hooks is None:
        return []
    if not isinstance(hooks, list):
        out.append("mesos_hooks: must be a list of hooks, got %s" % type(hooks).__name__)
        return []
    result = []
    names = set()
    symbols = {}
    dests = {}
    for i, hook in enumerate(hooks):
        where = "[%d]" % i
        if isinstance(hook, dict) and isinstance(hook.get("name"), str) and hook["name"]:
            where = "[%d] (%s)" % (i, hook["name"])
        if not _check_keys(out, where, hook, HOOK_KEYS):
            continue
        name = hook.get("name")
        if not isinstance(name, str) or not name:
            out.append("mesos_hooks%s.name: must be a non-empty string" % where)
            name = None
        else:
            if not _DIR_NAME.match(name):
                out.append("mesos_hooks%s.name: '%s' must be a plain directory name (letters, digits, _ . -)" % (where, name))
                name = None
            elif name in names:
                out.append("mesos_hooks%s.name: hook '%s' is declared twice" % (where, name))
            else:
                names.add(name)
        source = hook.get("source") or (os.path.join(src_dir, name) if name else None)
        if "source" in hook or name:
            _check_path(out, where + ".source", source)

        state = hook.get("state", "present")
        if state not in ("present", "absent"):
            out.append("mesos_hooks%s.state: must be present or absent, got %r" % (where, state))
        allow = hook.get("allow_resource_decorators", False)
        if not isinstance(allow, bool):
            out.append("mesos_hooks%s.allow_resource_decorators: must be true or false, got %r" % (where, allow))

        modules = hook.get("modules")
        normal_modules = []
        if not isinstance(modules, list) or not modules:
            out.append("mesos_hooks%s.modules: must list at least one module" % where)
            modules = []
        for j, module in enumerate(modules):
            normal = _module(out, "%s.modules[%d]" % (where, j), module, symbols, name)
            if normal is not None:
                normal_modules.append(normal)

        module_names = [m["name"] for m in normal_modules]
        isolation = _module_list(out, where, "isolation", hook.get("isolation", []), module_names)
        wanted_hooks = _module_list(out, where, "hooks", hook.get("hooks", [m for m in module_names if m not in isolation]),
                                    module_names)
        for both in [m for m in wanted_hooks if m in isolation]:
            out.append("mesos_hooks%s: '%s' is listed under both hooks and isolation; a module is a hook or an "
                       "isolator" % (where, both))

        files = _files(out, where, hook.get("files", []), dests)
        result.append(dict(name=name, source=source, state=state, modules=normal_modules,
                           hooks=list(wanted_hooks), isolation=list(isolation), allow_resource_decorators=allow,
                           files=files, restart_for_files=persistent(normal_modules)))
    return result


def problems(hooks, src_dir=BUNDLED_SRC_DIR):
    """Every problem of the declarations, each naming the entry and field; [] when deployable."""
    out = []
    _check(hooks, src_dir, out)
    return out


def normalise(hooks, src_dir=BUNDLED_SRC_DIR):
    """Validate the declarations and fill in defaults; raise HookSpecError listing every problem."""
    out = []
    result = _check(hooks, src_dir, out)
    if out:
        raise HookSpecError("; ".join(out))
    return result


def secret_values(hooks):
    """module name -> {key: value} of the parameters marked secret (for a no_log module option)."""
    found = {}
    for hook in hooks or []:
        if not isinstance(hook, dict):
            continue
        for module in hook.get("modules") or []:
            if not isinstance(module, dict) or not module.get("secret_parameters"):
                continue
            try:
                parameters = mm.normalise_parameters(module.get("parameters"))
            except mm.ManifestError:
                continue
            wanted = set(module["secret_parameters"])
            values = dict((p["key"], p["value"]) for p in parameters if p["key"] in wanted)
            if values:
                found[module.get("name")] = values
    return found
