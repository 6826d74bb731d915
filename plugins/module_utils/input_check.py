# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every operator input of the playbooks, checked at once before any host is contacted.

The playbooks run this first, on the controller only: the inventory's and the extra vars'
``mesos_*`` variables of every host against the roles' ``argument_specs`` (with Ansible's own
validator, the one that checks a role's variables when it is entered), plus what no single
role can check: variables no role knows (typos), paths, ``mesos_hooks`` (see hook_spec), a hook
declared differently on different hosts, and the rollout batches. The result is one list of
problems, each naming the variable, the host(s) it was found on, what is wrong and what is
allowed; identical problems on several hosts are listed once. The roles check their own
variables again when they are entered.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_spec
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout

ROLE_PREFIXES = ("mesos_build_", "mesos_discover_", "mesos_stage_", "mesos_rollout_",
                 "mesos_rollback_", "mesos_validate_")

# Variables the playbooks read besides the roles' options (type, description).
PLAYBOOK_VARS = {
    "mesos_hooks": ("list", "the hook declarations"),
    "mesos_master_hooks": ("list", "the hook declarations of a master"),
    "mesos_rollout_serial": ("raw", "batch sizes"),
    "mesos_rollout_max_fail_percentage": ("raw", "0..100"),
    "mesos_rollout_run_id": ("str", "set by the playbook"),
    "mesos_rollback_hosts": ("str", "a host pattern"),
    "mesos_rollback_snapshot": ("str", "a snapshot directory"),
    "mesos_validate_fail_on_drift": ("bool", "true or false"),
    "mesos_http_credentials": ("dict", "principal and secret"),
    "mesos_http_ca_path": ("str", "a PEM file of CA certificates on each host"),
}
# Facts modules return (and a fact cache may keep between runs).
RUNTIME_FACTS = ("mesos_agent", "mesos_master")
# The hook declarations: an agent's, and a master's (a master rolls only what it declares there).
HOOK_VARS = ("mesos_hooks", "mesos_master_hooks")

PATH_VARS = ("mesos_build_cache_dir", "mesos_build_tmp_dir", "mesos_stage_root", "mesos_rollout_state_dir",
             "mesos_rollout_managed_manifest", "mesos_rollout_report_path", "mesos_rollback_snapshot")
OPTIONAL_PATH_VARS = ("mesos_discover_prefix",)
POSITIVE_INTS = ("mesos_build_jobs", "mesos_rollout_restart_timeout")
NON_NEGATIVE_INTS = ("mesos_stage_keep", "mesos_rollout_lock_stale_after")
# Made root-only (0700) on the agents: never a directory the system shares.
PRIVATE_DIRS = ("mesos_rollout_state_dir",)
# HTTP credentials: their secret is never shown in a problem.
CREDENTIAL_VARS = ("mesos_http_credentials", "mesos_discover_http_credentials", "mesos_rollout_http_credentials")
GATES = ("health", "reregistered", "flags", "recovery", "tasks", "canary")
_URL = re.compile(r"^https?://[^/\s:]+(:\d+)?/?$")
_TRUE = ("true", "yes", "on", "1", "y", "t")
_FALSE = ("false", "no", "off", "0", "n", "f")


class Unusable(object):
    """A variable whose template could not be evaluated; ``reason`` says why."""

    def __init__(self, reason):
        self.reason = reason


def _is_bool(value):
    return isinstance(value, bool) or (isinstance(value, str) and value.lower() in _TRUE + _FALSE)


def _as_int(value):
    """An int from an int or a digit string (INI inventories give strings); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r"^\s*-?\d+\s*$", value):
        return int(value)
    return None


def _as_number(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def spec_validator(options):
    """Ansible's validator for role options (argument_specs entries), as role entry uses it; only
    types, elements and choices: defaults and required options are the roles' own business."""
    spec = {}
    for name, option in options.items():
        spec[name] = dict((k, v) for k, v in option.items()
                          if k in ("type", "elements", "choices", "options") and v is not None)
    return ArgumentSpecValidator(spec)


def _spec_problems(values, validator):
    """Ansible's messages for the given role variables that their argument specs refuse."""
    if not values:
        return []
    return ["%s" % message for message in validator.validate(values).error_messages]


def _path_problem(name, value, optional=False):
    if not isinstance(value, str):
        return None
    if optional and value == "":
        return None
    if not os.path.isabs(value):
        return "%s: '%s' must be an absolute path" % (name, value)
    if ".." in value.split("/"):
        return "%s: '%s' must not contain '..'" % (name, value)
    return None


def _rule_problems(name, value):
    out = []
    if name in PATH_VARS or name in OPTIONAL_PATH_VARS:
        problem = _path_problem(name, value, optional=name in OPTIONAL_PATH_VARS)
        if problem:
            out.append(problem)
        elif name in PRIVATE_DIRS and isinstance(value, str) and os.path.normpath(value) in atomic_file.SHARED_DIRS:
            out.append("%s: '%s' is a shared system directory; the state directory is made root-only (0700), "
                       "give one of its own such as /var/lib/mesos-fleet-hooks" % (name, value))
    if name in POSITIVE_INTS and _as_int(value) is not None and _as_int(value) < 1:
        out.append("%s: must be at least 1 (seconds or a count), got %r" % (name, value))
    if name in NON_NEGATIVE_INTS and _as_int(value) is not None and _as_int(value) < 0:
        out.append("%s: must be 0 or more, got %r" % (name, value))
    if name == "mesos_rollout_gate_timeouts" and isinstance(value, dict):
        for gate in sorted(value, key=str):
            if gate not in GATES:
                out.append("%s: unknown gate %r (allowed: %s)" % (name, gate, ", ".join(GATES)))
            seconds = _as_number(value[gate])
            if seconds is None or seconds <= 0:
                out.append("%s.%s: must be a number of seconds above 0, got %r" % (name, gate, value[gate]))
    if name in CREDENTIAL_VARS and isinstance(value, dict) and value:
        out.extend(_credential_problems(name, value))
    if name == "mesos_rollout_master_urls" and isinstance(value, list):
        for url in value:
            if isinstance(url, str) and not _URL.match(url):
                out.append("%s: %r must be an http(s)://host:port URL of a master" % (name, url))
    return out


def _credential_problems(name, value):
    """What Mesos's basic authenticator could never accept (3rdparty/libprocess/src/
    authenticator.cpp splits the decoded 'principal:secret' on ':' and wants two parts). The
    secret itself is never shown."""
    out = ["%s: unknown key %r (give principal and secret)" % (name, key)
           for key in sorted(value, key=str) if key not in ("principal", "secret")]
    principal, secret = value.get("principal"), value.get("secret")
    if not isinstance(principal, str) or not principal:
        out.append("%s.principal: must be a non-empty string" % name)
    elif ":" in principal:
        out.append("%s.principal: must not contain ':' (Mesos could never authenticate it)" % name)
    if not isinstance(secret, str):
        out.append("%s.secret: must be a string (from a vault, say)" % name)
    elif ":" in secret:
        out.append("%s.secret: contains ':', which Mesos's basic authenticator can never accept" % name)
    return out


def _close_match(name, known):
    best = None
    for candidate in known:
        common = os.path.commonprefix([name, candidate])
        if len(common) > len(name) // 2 and (best is None or len(common) > len(os.path.commonprefix([name, best]))):
            best = candidate
    return best


def in_scope(name, scope):
    """Whether ``name`` is one of ``scope``: exact names, or prefixes ending in '_'."""
    if scope is None:
        return name.startswith("mesos_")
    return any(name == s or (s.endswith("_") and name.startswith(s)) for s in scope)


def host_problems(variables, options, src_dir, scope=None, validator=None):
    """Problems of one host's ``mesos_*`` variables.

    variables: the host's variables (only names starting with ``mesos_`` are looked at);
    options: name -> argument_specs option of every role; src_dir: bundled hook sources;
    scope: the names or prefixes a playbook uses (default: every ``mesos_*`` variable).
    """
    out = []
    validator = validator or spec_validator(options)
    known = set(options) | set(PLAYBOOK_VARS) | set(RUNTIME_FACTS)
    role_vars = {}
    for name in sorted(variables):
        if not in_scope(name, scope):
            continue
        value = variables[name]
        if isinstance(value, Unusable):
            out.append("%s: cannot be evaluated: %s" % (name, value.reason))
            continue
        if name not in known:
            if name.startswith(ROLE_PREFIXES) or name.startswith("mesos_hook"):
                hint = _close_match(name, sorted(known))
                out.append("%s: unknown variable%s" % (name, " (did you mean %s?)" % hint if hint else ""))
            continue
        if name in RUNTIME_FACTS:
            continue
        if name in options:
            role_vars[name] = value  # checked together below
            continue
        if PLAYBOOK_VARS[name][0] == "bool":
            problems = [] if _is_bool(value) else ["%s: must be true or false, got %r" % (name, value)]
        elif PLAYBOOK_VARS[name][0] == "str":
            problems = [] if isinstance(value, str) else ["%s: must be a string, got %r" % (name, value)]
        elif PLAYBOOK_VARS[name][0] == "dict":
            problems = [] if isinstance(value, dict) else ["%s: must be a mapping (%s)" % (name, PLAYBOOK_VARS[name][1])]
        else:
            problems = []
        out.extend(problems or _rule_problems(name, value))
    refused = _spec_problems(role_vars, validator)
    out.extend(refused)
    for name in sorted(role_vars):
        if not any(("'%s'" % name) in message or (" %s " % name) in message for message in refused):
            out.extend(_rule_problems(name, role_vars[name]))
    for name in HOOK_VARS:
        if in_scope(name, scope) and name in variables and not isinstance(variables[name], Unusable):
            out.extend(name + problem[len("mesos_hooks"):] if problem.startswith("mesos_hooks") else problem
                       for problem in hook_spec.problems(variables[name], src_dir))
    return out


def _shape(hook):
    """What the build takes from a hook declaration (parameters may differ per host)."""
    modules = [m.get("name") for m in hook.get("modules") or [] if isinstance(m, dict)]
    return (hook.get("source"), hook.get("state", "present"), tuple(modules))


def consistency_problems(hosts_vars):
    """A hook declared differently on different hosts (the build plans each hook once, from
    the first declaration of it).

    Only hosts that declare the hook are compared (agents and masters declare their own hooks,
    build hosts often none); a declaration that is itself broken is reported by host_problems,
    not here.
    """
    declared = {}
    for host, variables in hosts_vars.items():
        for name in HOOK_VARS:
            hooks = variables.get(name)
            if not isinstance(hooks, list) or not all(isinstance(h, dict) for h in hooks):
                continue
            where = host if name == "mesos_hooks" else "%s (%s)" % (host, name)
            declared[where] = dict((h.get("name"), _shape(h)) for h in hooks)
    if len(declared) < 2:
        return []
    out = []
    names = sorted(set(n for d in declared.values() for n in d if isinstance(n, str)))
    for name in names:
        shapes = {}
        for host, hooks in declared.items():
            if name in hooks:
                shapes.setdefault(hooks[name], []).append(host)
        if len(shapes) > 1:
            detail = "; ".join("%s on %s" % ("not declared" if shape is None else
                                             "source %s, state %s, modules %s" % (shape[0] or "(default)", shape[1],
                                                                                  ", ".join(map(str, shape[2]))),
                                             ", ".join(hosts))
                               for shape, hosts in sorted(shapes.items(), key=lambda kv: kv[1]))
            out.append("mesos_hooks: hook '%s' is declared differently on different hosts (%s); the build plans each "
                       "hook once for the whole fleet, so declare its source, state and modules the same on every "
                       "agent (parameters may differ per host)" % (name, detail))
    return out


def batch_problems(serial, max_fail, total):
    """Problems of the extra vars that set the batches (the same for every host)."""
    out = []
    if serial is not None:
        try:
            rollout.batch_sizes(serial, max(1, int(total)))
        except rollout.RolloutError as e:
            out.append("mesos_rollout_serial: %s (allowed: a number of hosts >= 1, a percentage above 0%% "
                       "and at most 100%%, or a list of them)" % e)
    if max_fail is not None:
        try:
            rollout.check_percentage(max_fail, "mesos_rollout_max_fail_percentage")
        except rollout.RolloutError as e:
            out.append(str(e))
    return out


def fleet_problems(hosts_vars, options, src_dir, serial=None, max_fail=None, scope=None):
    """Every problem over all hosts, each once, with the hosts it was found on.

    hosts_vars: host -> its variables, in play order; scope: see :func:`host_problems`.
    """
    by_message = {}
    order = []
    validator = spec_validator(options)
    for host, variables in hosts_vars.items():
        for message in host_problems(variables, options, src_dir, scope, validator):
            if message not in by_message:
                by_message[message] = []
                order.append(message)
            if host not in by_message[message]:
                by_message[message].append(host)
    out = batch_problems(serial, max_fail, len(hosts_vars))
    if in_scope("mesos_hooks", scope):
        out.extend(consistency_problems(hosts_vars))
    total = len(hosts_vars)
    for message in order:
        hosts = by_message[message]
        if total > 1 and len(hosts) == total:
            where = "all %d hosts" % total
        else:
            where = ", ".join(hosts) if len(hosts) <= 5 else "%s and %d more" % (", ".join(hosts[:5]), len(hosts) - 5)
        out.append("%s [%s]" % (message, where))
    return out


def by_host(results):
    """Problems found on the agents themselves (host -> [problems]), each prefixed by its host."""
    return ["%s: %s" % (host, problem) for host, problems in results.items() for problem in problems or []]
