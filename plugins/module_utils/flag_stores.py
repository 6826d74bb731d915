# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read and patch a Mesos agent's or master's flags for each packaging style seen in real fleets.

Styles (see DESIGN.md, "Packaging styles"):

``flagdir``
    ``mesos-init-wrapper``: one file per flag under ``/etc/mesos-slave`` or
    ``/etc/mesos-agent`` (``?name`` is the boolean ``--name``, ``?no-name`` its negation),
    after ``/etc/default/mesos`` and ``/etc/default/mesos-<slave|agent>`` are sourced.
``envfile``
    ``[export ]MESOS_X=...`` lines in ``/etc/default/mesos*`` or ``/etc/sysconfig/mesos-agent``.
``dropin``
    a systemd unit whose ``ExecStart`` carries ``--flag=value`` and/or ``Environment=MESOS_X=``;
    changed only through our own drop-in ``<unit>.d/50-mesos-fleet-hooks.conf``.
``dcos``
    DC/OS env files, changed only in the operator override ``/var/lib/dcos/mesos-slave-common``.

A master's files are the same with ``master`` for ``slave``/``agent`` (see LAYOUTS): flag files
under ``/etc/mesos-master``, ``/etc/default/mesos-master``, ``mesos-master.service``, and DC/OS's
``/etc/mesosphere/mesos/master.env`` as the override file.

Precedence follows Mesos (stout flags): a flag on the command line wins over ``MESOS_*`` in
the environment; among environment sources the later assignment wins.

Changes are planned first (a list of :class:`FileChange`, nothing touched), checked by
re-reading the planned files, then applied with :func:`apply_plan`.
Each style writes one *override layer*. A flag is written there only when the wanted value
differs from what the layers below give; when it equals them, our override is removed.
So removing our hooks restores the files byte for byte, and a second run plans nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.mesos_fleet.hooks.plugins.module_utils.atomic_file import (
    AtomicFileError,
    atomic_remove,
    atomic_write,
    config_file_mode,
    ensure_dir,
    encode_text,
    read_bytes,
)

STYLES = ("flagdir", "envfile", "dropin", "dcos")
MANAGED_FLAGS = ("modules", "modules_dir", "hooks", "isolation")
# An agent without --isolation runs these (src/slave/flags.cpp, on Linux).
DEFAULT_ISOLATION = "posix/cpu,posix/mem"
POSITIONS = ("append", "prepend")
STATES = ("present", "absent")

DROPIN_NAME = "50-mesos-fleet-hooks.conf"
DROPIN_HEADER = "# Managed by mesos_fleet.hooks (agent_flags): Mesos module and hook flags.\n"

# The module options that say where a daemon's flags live (doc fragment mesos_fleet.hooks.flag_store).
ARGUMENT_SPEC = dict(
    style=dict(type="str", choices=["auto"] + list(STYLES), default="auto"),
    flag_dir=dict(type="path"),
    env_files=dict(type="list", elements="path"),
    unit=dict(type="str"),
    override_file=dict(type="path"),
)
# Highest priority first, as systemd searches them.
UNIT_DIRS = ("/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system")


class Layout(object):
    """Where one kind of Mesos daemon (agent or master) keeps its flags in each style."""

    def __init__(self, daemon, flag_dirs, env_files, unit_names, dcos_env_files, dcos_override_file,
                 dcos_marker, wrapper_vars):
        self.daemon = daemon
        self.flag_dirs = flag_dirs
        self.env_files = env_files
        self.unit_names = unit_names
        # EnvironmentFile= order of the DC/OS unit; later files win.
        self.dcos_env_files = dcos_env_files
        self.dcos_override_file = dcos_override_file
        self.dcos_marker = dcos_marker
        # Non-MESOS_ variables mesos-init-wrapper turns into flags of this daemon.
        self.wrapper_vars = wrapper_vars


LAYOUTS = {
    "agent": Layout(
        daemon="agent",
        flag_dirs=("/etc/mesos-slave", "/etc/mesos-agent"),
        env_files=("/etc/default/mesos", "/etc/default/mesos-slave", "/etc/default/mesos-agent",
                   "/etc/sysconfig/mesos-agent"),
        unit_names=("mesos-agent.service", "mesos-slave.service"),
        # dcos/dcos packages/mesos/extra/dcos-mesos-slave.service
        dcos_env_files=(
            "/opt/mesosphere/environment",
            "/opt/mesosphere/etc/mesos-slave-common",
            "/opt/mesosphere/etc/mesos-slave",
            "/opt/mesosphere/etc/proxy.env",
            "/opt/mesosphere/etc/mesos-slave-common-extras",
            "/var/lib/dcos/mesos-slave-common",
            "/var/lib/dcos/mesos-resources",
            "/run/dcos/etc/mesos-slave",
            "/etc/mesosphere/mesos/agent.env",
        ),
        dcos_override_file="/var/lib/dcos/mesos-slave-common",
        dcos_marker="/opt/mesosphere/etc/mesos-slave-common",
        wrapper_vars={"MASTER": "master", "IP": "ip", "LOGS": "log_dir", "ISOLATION": "isolation"},
    ),
    "master": Layout(
        daemon="master",
        flag_dirs=("/etc/mesos-master",),
        env_files=("/etc/default/mesos", "/etc/default/mesos-master", "/etc/sysconfig/mesos-master"),
        unit_names=("mesos-master.service",),
        # dcos/dcos packages/mesos/extra/dcos-mesos-master.service. The master's chain has no
        # file under /var/lib/dcos: the operator's file is the last one, master.env.
        dcos_env_files=(
            "/opt/mesosphere/environment",
            "/opt/mesosphere/etc/mesos-master",
            "/opt/mesosphere/etc/proxy.env",
            "/opt/mesosphere/etc/mesos-master-provider",
            "/opt/mesosphere/etc/mesos-master-extras",
            "/run/dcos/etc/mesos-master",
            "/etc/mesosphere/mesos/master.env",
        ),
        dcos_override_file="/etc/mesosphere/mesos/master.env",
        dcos_marker="/opt/mesosphere/etc/mesos-master",
        wrapper_vars={"ZK": "zk", "PORT": "port", "CLUSTER": "cluster", "IP": "ip", "LOGS": "log_dir"},
    ),
}
DAEMONS = tuple(sorted(LAYOUTS))
# The directory of an override file that a DC/OS master may not have until the first override
# is written; made only where its parent (/etc/mesosphere, present on every DC/OS node) is.
_OVERRIDE_DIRS = frozenset([os.path.dirname(LAYOUTS["master"].dcos_override_file)])
AGENT = LAYOUTS["agent"]

_HOOK_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ENV_NAME = re.compile(r"^(\s*)(export\s+)?([A-Za-z_][A-Za-z0-9_]*)=")
_SAFE_BARE = re.compile(r"^[A-Za-z0-9_,./:=+@%^-]+$")


class FlagStoreError(Exception):
    """Bad input or a configuration that cannot be read or patched safely."""


# --------------------------------------------------------------------------------------
# Small value types


class Definition:
    """One place that sets a flag: ``value`` is None for a boolean given without a value."""

    __slots__ = ("flag", "value", "source")

    def __init__(self, flag, value, source):
        self.flag = flag
        self.value = value
        self.source = source


class FileChange:
    """A planned change of one file; ``None`` before means create, ``None`` after delete."""

    __slots__ = ("path", "before", "after")

    def __init__(self, path, before, after):
        self.path = path
        self.before = before
        self.after = after

    def to_diff(self):
        return {
            "before_header": self.path if self.before is not None else "%s (absent)" % self.path,
            "after_header": self.path if self.after is not None else "%s (absent)" % self.path,
            "before": _text(self.before),
            "after": _text(self.after),
        }


class Plan:
    """What :meth:`FlagStore.plan` decided; ``changes`` is empty when nothing is to do."""

    def __init__(self, style, changes, flags_before, flags_after, hooks_before, hooks_after,
                 daemon_reload_needed, warnings=None):
        self.style = style
        self.changes = changes
        self.flags_before = flags_before
        self.flags_after = flags_after
        self.hooks_before = hooks_before
        self.hooks_after = hooks_after
        self.daemon_reload_needed = daemon_reload_needed and bool(changes)
        self.warnings = warnings or []

    @property
    def changed(self):
        return bool(self.changes)

    @property
    def restart_needed(self):
        # The agent reads its flags only at start.
        return _values(self.flags_before) != _values(self.flags_after)

    def diffs(self):
        return [change.to_diff() for change in self.changes]


def _text(data):
    return "" if data is None else data.decode("utf-8", "surrogateescape")


def _values(flags):
    return dict((name, info["value"]) for name, info in flags.items())


# --------------------------------------------------------------------------------------
# Hook list handling (pure)


def validate_hook_names(hooks):
    """Return ``hooks`` as a list after checking each is a C identifier, with no duplicates."""
    if hooks is None:
        return []
    if isinstance(hooks, str):
        raise FlagStoreError("hooks must be a list of hook module names, not a string")
    seen = set()
    result = []
    for index, name in enumerate(hooks):
        if not isinstance(name, str) or name == "":
            raise FlagStoreError("hooks[%d]: a hook name must be a non-empty string" % index)
        if not _HOOK_NAME.match(name):
            raise FlagStoreError(
                "hooks[%d]: %r is not a valid hook module name (a C identifier: letters, digits "
                "and '_', not starting with a digit)" % (index, name)
            )
        if name in seen:
            raise FlagStoreError("hooks[%d]: %r is listed twice" % (index, name))
        seen.add(name)
        result.append(name)
    return result


def split_hooks(value):
    """Split a ``--hooks`` value as Mesos does (comma list, empty items dropped)."""
    if not value:
        return []
    return [item for item in value.split(",") if item != ""]


def updated_hooks(current, ours, state="present", position="append"):
    """Return the hook list after adding (``present``) or removing (``absent``) ``ours``.

    Other hooks keep their order. With ``present``, nothing moves when all of ours are
    already there in our order; otherwise ours are taken out and put back at ``position``.
    """
    if state not in STATES:
        raise FlagStoreError("state must be one of %s, got %r" % (", ".join(STATES), state))
    if position not in POSITIONS:
        raise FlagStoreError("position must be one of %s, got %r" % (", ".join(POSITIONS), position))
    current = list(current)
    others = [hook for hook in current if hook not in ours]
    if state == "absent":
        return others
    if not ours:
        return current
    present = [hook for hook in current if hook in ours]
    if present == list(ours):
        return current
    return others + list(ours) if position == "append" else list(ours) + others


def split_isolation(value):
    """The isolators of an ``--isolation`` value, as Mesos tokenizes it (src/slave/containerizer/
    mesos/containerizer.cpp); the default ones when unset."""
    return split_hooks(DEFAULT_ISOLATION if value is None else value)


def updated_isolation(current, isolators, state="present", position="append"):
    """The ``--isolation`` value after adding or removing our isolator modules: the agent's own
    isolators (the default ones when it sets none) keep their order; None (unset) when that
    gives back exactly the default an agent without the flag runs, so that taking ours out of
    an agent that set none leaves it unset again (one that set the default by hand then runs
    the same isolators from Mesos's default)."""
    before = split_isolation(current)
    after = updated_hooks(before, validate_hook_names(isolators), state, position)
    if after == before:
        return current
    if not after or after == split_isolation(None):
        return None
    return ",".join(after)


def wanted_flags(current, hooks, state="present", position="append", modules=None, modules_dir=None,
                 isolators=None):
    """Compute the wanted values of the managed flags from the current effective values.

    ``current`` maps flag name -> value (absent or None = unset). ``isolators``: our isolator
    modules, added to (or taken out of) ``--isolation`` as ``hooks`` are to ``--hooks``. Returns
    a dict over MANAGED_FLAGS with None meaning unset. Raises FlagStoreError for a result Mesos
    refuses.
    """
    ours = validate_hook_names(hooks)
    if modules is not None and modules_dir is not None:
        raise FlagStoreError(
            "modules and modules_dir are mutually exclusive: Mesos exits when both "
            "--modules and --modules_dir are set"
        )
    if modules is not None and (not isinstance(modules, str) or not modules.strip()):
        raise FlagStoreError("modules must be a non-empty string (file:///path, a path or JSON)")
    if modules_dir is not None and (not isinstance(modules_dir, str) or not modules_dir.startswith("/")):
        raise FlagStoreError("modules_dir must be an absolute directory path, got %r" % (modules_dir,))
    result = dict((flag, current.get(flag)) for flag in MANAGED_FLAGS)
    new_hooks = updated_hooks(split_hooks(current.get("hooks")), ours, state, position)
    if new_hooks != split_hooks(current.get("hooks")):
        result["hooks"] = ",".join(new_hooks) if new_hooks else None
    if isolators:
        result["isolation"] = updated_isolation(current.get("isolation"), isolators, state, position)
    if state == "present":
        if modules is not None:
            result["modules"] = modules
        if modules_dir is not None:
            result["modules_dir"] = modules_dir
    else:
        if modules is not None and current.get("modules") == modules:
            result["modules"] = None
        if modules_dir is not None and current.get("modules_dir") == modules_dir:
            result["modules_dir"] = None
    return result


def check_wanted(wanted, current_sources, state, ours, isolators=()):
    """Refuse results Mesos would exit on, naming where the conflicting values come from."""
    if wanted.get("modules") is not None and wanted.get("modules_dir") is not None:
        where = []
        for flag in ("modules", "modules_dir"):
            source = current_sources.get(flag)
            where.append("--%s=%s (%s)" % (flag, wanted[flag], source or "requested"))
        raise FlagStoreError(
            "refusing: --modules and --modules_dir would both be set (%s); Mesos exits when "
            "both are set. Pass the one this agent already uses, or remove the other first"
            % "; ".join(where)
        )
    isolation = [name for name in split_isolation(wanted.get("isolation")) if name in (isolators or ())]
    if state == "present" and isolation and wanted.get("modules") is None and wanted.get("modules_dir") is None:
        raise FlagStoreError(
            "refusing: --isolation would name %s without --modules or --modules_dir to load it; pass "
            "modules or modules_dir" % ",".join(isolation))
    hooks = split_hooks(wanted.get("hooks"))
    if hooks and wanted.get("modules") is None and wanted.get("modules_dir") is None:
        raise FlagStoreError(
            "refusing: --hooks=%s would be set without --modules or --modules_dir, and the "
            "agent would exit with 'No hook module named ...'; %s"
            % (",".join(hooks), "pass modules or modules_dir" if state == "present"
               else "keep --modules/--modules_dir while other hooks use them")
        )


# --------------------------------------------------------------------------------------
# File access through a view, so planned content can be re-read before anything is written


class FileView:
    """Reads host paths below ``root``, with planned content (``overrides``) taking priority."""

    def __init__(self, root="/", overrides=None):
        self.root = root or "/"
        self.overrides = dict(overrides or {})

    def real(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def read_bytes(self, path):
        if path in self.overrides:
            return self.overrides[path]
        try:
            return read_bytes(self.real(path))
        except AtomicFileError as exc:
            raise FlagStoreError("%s: %s" % (path, exc.reason))

    def read_text(self, path):
        data = self.read_bytes(path)
        return None if data is None else data.decode("utf-8", "surrogateescape")

    def isdir(self, path):
        return os.path.isdir(self.real(path))

    def isfile(self, path):
        if path in self.overrides:
            return self.overrides[path] is not None
        return os.path.isfile(self.real(path))

    def listdir(self, path):
        names = set()
        if os.path.isdir(self.real(path)):
            try:
                names.update(os.listdir(self.real(path)))
            except EnvironmentError as exc:
                raise FlagStoreError("cannot list %s: %s" % (path, exc.strerror or exc))
        prefix = path.rstrip("/") + "/"
        for planned, data in self.overrides.items():
            if planned.startswith(prefix) and "/" not in planned[len(prefix):]:
                name = planned[len(prefix):]
                if data is None:
                    names.discard(name)
                else:
                    names.add(name)
        return sorted(names)


# --------------------------------------------------------------------------------------
# Shell / systemd environment files


def _scan_shell_word(text, start):
    """Scan one shell word from ``text[start:]``.

    Returns (end, value, dynamic, quoting); ``dynamic`` is True when the word uses $ or
    backticks (its value is only known to a shell). Raises ValueError on an open quote.
    """
    i = start
    value = []
    dynamic = False
    quoting = None
    while i < len(text):
        char = text[i]
        if char in " \t":
            break
        if char == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ValueError("unterminated single quote")
            value.append(text[i + 1:end])
            quoting = quoting or "single"
            i = end + 1
        elif char == '"':
            i += 1
            quoting = quoting or "double"
            while True:
                if i >= len(text):
                    raise ValueError("unterminated double quote")
                char = text[i]
                if char == '"':
                    i += 1
                    break
                if char == "\\" and i + 1 < len(text) and text[i + 1] in '\\"$`\n':
                    if text[i + 1] != "\n":
                        value.append(text[i + 1])
                    i += 2
                    continue
                if char in "$`":
                    dynamic = True
                value.append(char)
                i += 1
        elif char == "\\":
            if i + 1 < len(text):
                if text[i + 1] != "\n":
                    value.append(text[i + 1])
                i += 2
            else:
                i += 1
        elif char == "`" or text.startswith("$(", i):
            # A command substitution is one part of the word, spaces and all
            # (ZK=`cat /etc/mesos/zk` in the packages' /etc/default/mesos-master).
            end = _substitution_end(text, i)
            value.append(text[i:end])
            dynamic = True
            i = end
        elif char == "$":
            dynamic = True
            value.append(char)
            i += 1
        elif char in ";&|<>()":
            raise ValueError("shell operator %r" % char)
        else:
            value.append(char)
            i += 1
    return i, "".join(value), dynamic, quoting or "bare"


def _substitution_end(text, start):
    """The index after the command substitution (`...` or $(...)) that starts at ``start``."""
    if text[start] == "`":
        i = start + 1
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == "`":
                return i + 1
            i += 1
        raise ValueError("unterminated backquote")
    depth, i = 0, start + 1
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated $(")


def _quote_env(value, quoting="bare"):
    """Quote ``value`` for a shell (and systemd) env file, preferring ``quoting``."""
    if quoting == "bare" and _SAFE_BARE.match(value):
        return value
    if quoting == "double" or "'" in value:
        escaped = re.sub(r'([\\"$`])', r"\\\1", value)
        return '"%s"' % escaped
    return "'%s'" % value


class _EnvLine:
    __slots__ = ("raw", "name", "value", "dynamic", "quoting", "value_span", "number")

    def __init__(self, raw, number, name=None, value=None, dynamic=False, quoting=None, value_span=None):
        self.raw = raw
        self.number = number
        self.name = name
        self.value = value
        self.dynamic = dynamic
        self.quoting = quoting
        self.value_span = value_span


def _managed_var(name):
    return name.upper().startswith("MESOS_") and name[6:].lower() in MANAGED_FLAGS


class EnvFile:
    """A ``NAME=value`` file, parsed line by line so untouched lines stay byte-identical."""

    def __init__(self, path, text, wrapper_vars=None):
        self.path = path
        self.original = None if text is None else encode_text(text)
        self.exists = text is not None
        self.wrapper_vars = wrapper_vars
        self.lines = self._parse(text or "")

    def _parse(self, text):
        lines = []
        pending = ""
        start_number = 1
        for number, physical in enumerate(text.splitlines(True), 1):
            if not pending:
                start_number = number
            pending += physical
            body = pending.rstrip("\n")
            if body.endswith("\\") and not body.lstrip().startswith("#") and (
                len(body) - len(body.rstrip("\\"))
            ) % 2 == 1:
                continue
            lines.append(self._parse_line(pending, start_number))
            pending = ""
        if pending:
            lines.append(self._parse_line(pending, start_number))
        return lines

    def _parse_line(self, raw, number):
        body = raw.rstrip("\n")
        match = _ENV_NAME.match(body)
        if not match:
            stripped = body.strip()
            if stripped and not stripped.startswith("#"):
                for flag in MANAGED_FLAGS:
                    if re.search(r"\bMESOS_%s\b" % flag, body, re.IGNORECASE):
                        raise FlagStoreError(
                            "%s line %d: cannot understand %r, which touches MESOS_%s; write it "
                            "as a plain NAME=value assignment" % (self.path, number, stripped, flag.upper())
                        )
            return _EnvLine(raw, number)
        name = match.group(3)
        try:
            end, value, dynamic, quoting = _scan_shell_word(body, match.end())
            rest = body[end:]
            if rest.strip() and not rest.strip().startswith("#"):
                raise ValueError("unexpected %r after the value" % rest.strip())
        except ValueError as exc:
            if name.upper().startswith("MESOS_") or (self.wrapper_vars and name in self.wrapper_vars):
                raise FlagStoreError("%s line %d: malformed assignment of %s: %s" % (self.path, number, name, exc))
            return _EnvLine(raw, number)
        if dynamic and _managed_var(name):
            raise FlagStoreError(
                "%s line %d: %s uses shell expansion ($ or `); its value cannot be known or "
                "patched safely" % (self.path, number, name)
            )
        return _EnvLine(raw, number, name, value, dynamic, quoting, (match.end(), end))

    def definitions(self):
        """``MESOS_*`` assignments, as the agent sees them in its environment."""
        return [Definition(line.name[6:].lower(), line.value, "%s:%d" % (self.path, line.number))
                for line in self.lines
                if line.name and line.name.upper().startswith("MESOS_") and len(line.name) > 6]

    def wrapper_definitions(self):
        """MASTER=, IP=, ... which mesos-init-wrapper turns into command-line flags."""
        wrapper_vars = self.wrapper_vars or {}
        return [Definition(wrapper_vars[line.name], line.value, "%s:%d" % (self.path, line.number))
                for line in self.lines if line.name in wrapper_vars]

    def _assignments(self, flag):
        return [i for i, line in enumerate(self.lines)
                if line.name and line.name.upper() == "MESOS_" + flag.upper()]

    def set(self, flag, value):
        indexes = self._assignments(flag)
        if indexes:
            line = self.lines[indexes[-1]]
            body = line.raw.rstrip("\n")
            newline = line.raw[len(body):]
            start, end = line.value_span
            quoted = _quote_env(value, line.quoting)
            line.raw = body[:start] + quoted + body[end:] + newline
            line.value = value
            line.value_span = (start, start + len(quoted))
            return
        prefix = "%sMESOS_%s=" % ("export " if self._uses_export() else "", flag.upper())
        quoted = _quote_env(value)
        raw = prefix + quoted
        last = self.lines[-1] if self.lines else None
        if last is not None and not last.raw.endswith("\n"):
            # The file lacks a final newline: keep it that way, so that removing this line
            # again gives back the original bytes.
            last.raw += "\n"
        else:
            raw += "\n"
        number = last.number + last.raw.count("\n") if last is not None else 1
        self.lines.append(_EnvLine(raw, number, "MESOS_" + flag.upper(), value, False, "bare",
                                   (len(prefix), len(prefix) + len(quoted))))

    def unset(self, flag):
        for index in reversed(self._assignments(flag)):
            removed = self.lines.pop(index)
            if index == len(self.lines) and not removed.raw.endswith("\n") and self.lines:
                if self.lines[-1].raw.endswith("\n"):
                    self.lines[-1].raw = self.lines[-1].raw[:-1]

    def _uses_export(self):
        assignments = [line for line in self.lines if line.name and line.name.upper().startswith("MESOS_")]
        exported = [line for line in assignments if _ENV_NAME.match(line.raw).group(2)]
        return bool(assignments) and len(exported) * 2 >= len(assignments)

    def render(self):
        return encode_text("".join(line.raw for line in self.lines))

    def changes(self, delete_when_empty=False):
        after = self.render()
        if delete_when_empty and after == b"":
            after = None
        if not self.exists and after == b"":
            after = None
        if after == self.original:
            return []
        return [FileChange(self.path, self.original, after)]


class FlagDir:
    """A mesos-init-wrapper flag directory: one file per flag."""

    def __init__(self, path, view):
        self.path = path
        self.view = view
        self.files = {}  # name -> (original bytes, current bytes or None)
        self._defs = []
        for name in view.listdir(path):
            full = "%s/%s" % (path.rstrip("/"), name)
            if name.startswith(".") or not view.isfile(full):
                if name in ("attributes", "resources") and view.isdir(full):
                    self._defs.append(self._composite(name, full))
                continue
            data = view.read_bytes(full)
            if data is None:
                continue
            self.files[name] = [data, data]
            if name.startswith("?"):
                flag = name[1:]
                if flag.startswith("no-"):
                    self._defs.append(Definition(flag[3:], "false", full))
                else:
                    self._defs.append(Definition(flag, "true", full))
            else:
                # The wrapper passes $(cat file): trailing newlines go, inner ones stay.
                value = data.decode("utf-8", "surrogateescape").rstrip("\n")
                if name in MANAGED_FLAGS and "\n" in value:
                    raise FlagStoreError(
                        "%s: malformed flag file, --%s must be a single line" % (full, name))
                self._defs.append(Definition(name, value, full))

    def _composite(self, name, full):
        items = []
        for key in self.view.listdir(full):
            data = self.view.read_bytes("%s/%s" % (full, key))
            if data:
                items.append("%s:%s" % (key, data.decode("utf-8", "surrogateescape").rstrip("\n")))
        return Definition(name, ";".join(items) if items else None, full + "/")

    def definitions(self):
        return [d for d in self._defs if not (d.source.endswith("/") and d.value is None)]

    def set(self, flag, value):
        entry = self.files.get(flag)
        if entry is not None and entry[1] is not None:
            keep_newline = entry[1].endswith(b"\n")
        else:
            keep_newline = True
        data = encode_text(value) + (b"\n" if keep_newline else b"")
        if entry is None:
            self.files[flag] = [None, data]
        else:
            entry[1] = data

    def unset(self, flag):
        if flag in self.files:
            self.files[flag][1] = None

    def changes(self, delete_when_empty=False):
        result = []
        for name in sorted(self.files):
            before, after = self.files[name]
            if before != after:
                result.append(FileChange("%s/%s" % (self.path.rstrip("/"), name), before, after))
        return result


# --------------------------------------------------------------------------------------
# Stores


class FlagStore:
    """Common part of the styles: effective flags and the plan/verify cycle."""

    style = None

    def __init__(self, root="/", layout=AGENT):
        self.root = root or "/"
        self.layout = layout

    # Subclasses: _load(view) -> state; _definitions(state) -> [Definition] low->high;
    # _patch(state, wanted, current) -> (changes, daemon_reload_needed)

    def read_flags(self, view=None):
        """Return {flag: {'value', 'source', 'overridden'}} for every flag set on the agent."""
        state = self._load(view or FileView(self.root))
        return self._effective(self._definitions(state))

    def flag_directory(self, view=None):
        """The directory whose every file becomes a flag, or None in styles without one."""
        return None

    @staticmethod
    def _effective(definitions):
        result = {}
        for definition in definitions:
            previous = result.get(definition.flag)
            overridden = []
            if previous is not None:
                overridden = previous["overridden"] + [previous["source"]]
            result[definition.flag] = {
                "value": definition.value,
                "source": definition.source,
                "overridden": overridden,
            }
        return result

    def plan(self, hooks=None, state="present", position="append", modules=None, modules_dir=None,
             view=None, isolators=None):
        """Plan the change; nothing is written. Raises FlagStoreError on bad input.

        ``view`` lets a plan start from another plan's result (its ``overrides``).
        """
        ours = validate_hook_names(hooks)
        view = view or FileView(self.root)
        loaded = self._load(view)
        before = self._effective(self._definitions(loaded))
        current = dict((flag, info["value"]) for flag, info in before.items())
        wanted = wanted_flags(current, ours, state, position, modules, modules_dir, isolators)
        sources = dict((flag, info["source"]) for flag, info in before.items())
        check_wanted(wanted, sources, state, ours, isolators)
        todo = dict((flag, value) for flag, value in wanted.items() if current.get(flag) != value)
        changes, reload_needed = self._patch(loaded, todo, current) if todo else ([], False)

        # Re-read the configuration as it would be after the change and check it gives
        # exactly the wanted flags; this catches any source that would still override us.
        planned = FileView(self.root, dict(view.overrides, **dict((c.path, c.after) for c in changes)))
        after = self._effective(self._definitions(self._load(planned)))
        for flag in MANAGED_FLAGS:
            got = after.get(flag, {}).get("value")
            if got != wanted[flag]:
                source = after.get(flag, {}).get("source", "nowhere")
                raise FlagStoreError(
                    "cannot set --%s to %r in the %s style: after the change it would be %r "
                    "(from %s), which overrides our change" % (flag, wanted[flag], self.style, got, source)
                )
        return Plan(
            self.style, changes, before, after,
            split_hooks(current.get("hooks")), split_hooks(wanted.get("hooks")),
            reload_needed,
        )


class LayeredStore(FlagStore):
    """Styles made of ordered sources, of which one (the override layer) is ours to write."""

    def _sources(self, view):
        """Return (sources low->high, index of the override layer)."""
        raise NotImplementedError

    def _load(self, view):
        return self._sources(view)

    def _definitions(self, loaded):
        sources, _target = loaded
        result = []
        for source in sources:
            result.extend(source.definitions())
        return result

    def _patch(self, loaded, todo, current):
        sources, target = loaded
        for flag in [f for f in MANAGED_FLAGS if f in todo]:
            value = todo[flag]
            below = self._effective(
                [d for s in sources[:target] for d in s.definitions()]
            ).get(flag, {}).get("value")
            above = [d for s in sources[target + 1:] for d in s.definitions() if d.flag == flag]
            if above:
                raise FlagStoreError(
                    "cannot change --%s: it is set in %s, which overrides %s where this style "
                    "writes" % (flag, above[-1].source, _source_path(sources[target]))
                )
            if value is None:
                for source in sources[:target + 1]:
                    if hasattr(source, "unset"):
                        source.unset(flag)
            elif value == below:
                sources[target].unset(flag)
            else:
                sources[target].set(flag, value)
        changes = []
        for index, source in enumerate(sources):
            if hasattr(source, "changes"):
                changes.extend(source.changes(delete_when_empty=self._delete_empty_target and index == target))
        return changes, False

    _delete_empty_target = False


def _source_path(source):
    return getattr(source, "path", "?")


class FlagDirStore(LayeredStore):
    """mesos-init-wrapper: env files are sourced, then flag files become command-line flags."""

    style = "flagdir"

    def __init__(self, root="/", flag_dir=None, env_files=None, layout=AGENT):
        super(FlagDirStore, self).__init__(root, layout)
        self.flag_dir = flag_dir
        self.env_files = env_files

    def flag_directory(self, view=None):
        return self._resolve_dir(view or FileView(self.root))

    def _resolve_dir(self, view):
        if self.flag_dir:
            if not view.isdir(self.flag_dir):
                raise FlagStoreError("flag directory %s does not exist" % self.flag_dir)
            return self.flag_dir
        flag_dirs = self.layout.flag_dirs
        found = [path for path in flag_dirs if view.isdir(path)]
        if len(found) != 1:
            raise FlagStoreError(
                "cannot tell the flag directory: %s; set flag_dir"
                % ("none of %s exists" % ", ".join(flag_dirs) if not found else "both %s exist" % " and ".join(found))
            )
        return found[0]

    def _sources(self, view):
        flag_dir = self._resolve_dir(view)
        env_files = self.env_files
        if env_files is None:
            env_files = ["/etc/default/mesos", "/etc/default/%s" % os.path.basename(flag_dir.rstrip("/"))]
        env = [EnvFile(path, view.read_text(path), wrapper_vars=self.layout.wrapper_vars) for path in env_files]
        # The wrapper turns MASTER, IP, LOGS, ISOLATION into command-line flags placed
        # before the flag files' ones: a read-only layer between environment and flag files.
        wrapper = _ReadOnly([d for source in env for d in source.wrapper_definitions()])
        return env + [wrapper, FlagDir(flag_dir, view)], len(env) + 1


class _ReadOnly:
    def __init__(self, definitions):
        self._defs = definitions

    def definitions(self):
        return list(self._defs)


class EnvFileStore(LayeredStore):
    """Env files read in order; the last existing one is the override layer."""

    style = "envfile"

    def __init__(self, root="/", env_files=None, layout=AGENT):
        super(EnvFileStore, self).__init__(root, layout)
        self.env_files = list(env_files or layout.env_files)

    def _sources(self, view):
        sources = [EnvFile(path, view.read_text(path)) for path in self.env_files]
        existing = [index for index, source in enumerate(sources) if source.exists]
        target = existing[-1] if existing else len(sources) - 1
        return sources, target


class DcosStore(LayeredStore):
    """DC/OS: the unit's EnvironmentFile= chain; the operator override file is ours."""

    style = "dcos"
    _delete_empty_target = True

    def __init__(self, root="/", env_files=None, override_file=None, layout=AGENT):
        super(DcosStore, self).__init__(root, layout)
        self.env_files = list(env_files or layout.dcos_env_files)
        self.override_file = override_file or layout.dcos_override_file
        if self.override_file not in self.env_files:
            raise FlagStoreError("the DC/OS override file %s must be one of env_files" % self.override_file)

    def _sources(self, view):
        sources = [EnvFile(path, view.read_text(path)) for path in self.env_files]
        return sources, self.env_files.index(self.override_file)


# --------------------------------------------------------------------------------------
# systemd units and drop-ins


def _split_exec(text):
    """Split a systemd command line into (start, end, value) words, keeping raw spans."""
    words = []
    i = 0
    while i < len(text):
        if text[i] in " \t\n":
            i += 1
            continue
        start = i
        value = []
        while i < len(text) and text[i] not in " \t\n":
            char = text[i]
            if char in "'\"":
                end = i + 1
                while end < len(text) and text[end] != char:
                    if text[end] == "\\" and char == '"':
                        end += 1
                    end += 1
                if end >= len(text):
                    raise ValueError("unterminated quote")
                chunk = text[i + 1:end]
                if char == '"':
                    chunk = re.sub(r"\\(.)", r"\1", chunk)
                value.append(chunk)
                i = end + 1
            elif char == "\\" and i + 1 < len(text):
                value.append(text[i + 1])
                i += 2
            else:
                value.append(char)
                i += 1
        words.append((start, i, "".join(value)))
    return words


def _flag_of_word(word):
    match = re.match(r"^--([A-Za-z0-9_-]+)(?:=(.*))?$", word, re.DOTALL)
    if not match:
        return None, None
    name = match.group(1).lower()
    value = match.group(2)
    if value is None:
        if name.startswith("no-"):
            return name[3:], "false"
        return name, "true"
    return name, value


def _quote_exec(value):
    """Quote one ExecStart= word; % and $ are doubled so systemd passes them literally."""
    value = value.replace("%", "%%").replace("$", "$$")
    if re.match(r"^[A-Za-z0-9_,./:=+@^%-]+$", value):
        return value
    return '"%s"' % re.sub(r'([\\"])', r"\\\1", value)


def _read_unit_file(path, text):
    """Yield (section, key, value, line_number) from a unit file, joining continuations."""
    section = None
    pending = None
    pending_number = 0
    for number, line in enumerate(text.splitlines(), 1):
        if pending is not None:
            line = pending + " " + line.strip()
            number = pending_number
            pending = None
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.endswith("\\"):
            # systemd joins continued lines with a single space.
            pending = stripped[:-1].rstrip()
            pending_number = number
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
            continue
        if "=" not in stripped:
            raise FlagStoreError("%s line %d: malformed unit line %r" % (path, number, stripped))
        key, value = stripped.split("=", 1)
        yield section, key.strip(), value.strip(), number
    if pending is not None:
        yield section, pending.split("=", 1)[0].strip(), pending.split("=", 1)[-1].strip(), pending_number


class UnitConfig:
    """The parts of a service unit (plus drop-ins) that decide Mesos flags."""

    def __init__(self):
        self.environment = []       # Definitions from Environment= (low precedence)
        self.env_files = []         # (path, optional)
        self.unset = set()          # variable names from UnsetEnvironment=
        self.exec_start = None      # (raw value, source) of the effective ExecStart
        self.exec_count = 0
        self.files = []             # unit file and drop-ins read, in order


class DropinStore(FlagStore):
    """A systemd unit running the agent directly; we write only our own drop-in."""

    style = "dropin"

    def __init__(self, root="/", unit=None, unit_dirs=None, dropin_name=DROPIN_NAME, layout=AGENT):
        super(DropinStore, self).__init__(root, layout)
        self.unit = unit
        self.unit_dirs = list(unit_dirs or UNIT_DIRS)
        self.dropin_name = dropin_name

    def find_unit(self, view):
        names = [self.unit] if self.unit else list(self.layout.unit_names)
        for name in names:
            for directory in self.unit_dirs:
                path = "%s/%s" % (directory, name)
                if view.isfile(path):
                    return name, path
        raise FlagStoreError(
            "no systemd unit %s found in %s" % (" or ".join(names), ", ".join(self.unit_dirs))
        )

    def ours_path(self, unit_name):
        return "%s/%s.d/%s" % (self.unit_dirs[0], unit_name, self.dropin_name)

    def _dropins(self, view, unit_name, include_ours=True):
        chosen = {}
        for directory in reversed(self.unit_dirs):  # higher-priority dirs mask same names
            dropin_dir = "%s/%s.d" % (directory, unit_name)
            for name in view.listdir(dropin_dir):
                if name.endswith(".conf") and view.isfile("%s/%s" % (dropin_dir, name)):
                    chosen[name] = "%s/%s" % (dropin_dir, name)
        if not include_ours:
            chosen.pop(self.dropin_name, None)
        return [chosen[name] for name in sorted(chosen)]

    def _parse(self, view, include_ours=True):
        unit_name, unit_path = self.find_unit(view)
        config = UnitConfig()
        for path in [unit_path] + self._dropins(view, unit_name, include_ours):
            text = view.read_text(path)
            if text is None:
                continue
            config.files.append(path)
            for section, key, value, number in _read_unit_file(path, text):
                if section != "Service":
                    continue
                where = "%s:%d" % (path, number)
                if key == "Environment":
                    self._parse_environment(config, value, where)
                elif key == "EnvironmentFile":
                    if value == "":
                        config.env_files = []
                    else:
                        optional = value.startswith("-")
                        config.env_files.append((value.lstrip("-"), optional))
                elif key == "UnsetEnvironment":
                    config.unset.update(item.split("=", 1)[0] for item in value.split())
                elif key == "ExecStart":
                    if value == "":
                        config.exec_start = None
                        config.exec_count = 0
                    else:
                        config.exec_start = (value, where)
                        config.exec_count += 1
        return unit_name, unit_path, config

    @staticmethod
    def _parse_environment(config, value, where):
        if value == "":
            config.environment = []
            return
        try:
            items = [word for _s, _e, word in _split_exec(value)]
        except ValueError as exc:
            raise FlagStoreError("%s: malformed Environment= line: %s" % (where, exc))
        for item in items:
            if "=" not in item:
                raise FlagStoreError("%s: malformed Environment= assignment %r" % (where, item))
            name, val = item.split("=", 1)
            if name.upper().startswith("MESOS_") and len(name) > 6:
                config.environment.append(Definition(name[6:].lower(), val.replace("%%", "%"), where))

    def _exec_flags(self, config):
        if config.exec_count > 1:
            raise FlagStoreError(
                "%s: the unit has %d ExecStart= lines; cannot tell the agent's command line"
                % (config.exec_start[1], config.exec_count)
            )
        if config.exec_start is None:
            return []
        raw, where = config.exec_start
        try:
            words = _split_exec(raw)
        except ValueError as exc:
            raise FlagStoreError("%s: malformed ExecStart=: %s" % (where, exc))
        result = []
        for start, end, word in words[1:]:
            flag, value = _flag_of_word(word.replace("%%", "%").replace("$$", "$"))
            if flag:
                result.append((flag, value, start, end))
        return result

    def _load(self, view):
        unit_name, unit_path, config = self._parse(view)
        return view, unit_name, unit_path, config

    def _env_definitions(self, view, config):
        defs = list(config.environment)
        for path, optional in config.env_files:
            if "%" in path or "$" in path:
                continue
            env_file = EnvFile(path, view.read_text(path))
            defs.extend(env_file.definitions())
        return [d for d in defs if ("MESOS_" + d.flag.upper()) not in set(n.upper() for n in config.unset)]

    def _definitions(self, loaded):
        view, _name, _path, config = loaded
        defs = self._env_definitions(view, config)
        where = config.exec_start[1] + " ExecStart" if config.exec_start else ""
        defs.extend(Definition(flag, value, where) for flag, value, _s, _e in self._exec_flags(config))
        return defs

    def _patch(self, loaded, todo, current):
        view = loaded[0]
        unit_name, _unit_path, base = self._parse(view, include_ours=False)
        ours_path = self.ours_path(unit_name)
        base_exec = self._exec_flags(base)
        base_env_defs = self._env_definitions(view, base)
        from_files = set()
        for path, _optional in base.env_files:
            if "%" in path or "$" in path:
                continue
            from_files.update(d.flag for d in EnvFile(path, view.read_text(path)).definitions())

        wanted = dict((flag, current.get(flag)) for flag in MANAGED_FLAGS)
        wanted.update(todo)
        env_lines = []
        unset_lines = []
        exec_edits = {}  # flag -> new value or None (drop), on the command line
        for flag in MANAGED_FLAGS:
            value = wanted[flag]
            on_cmd = [entry for entry in base_exec if entry[0] == flag]
            env_value = self._effective(base_env_defs).get(flag, {}).get("value")
            base_value = on_cmd[-1][1] if on_cmd else env_value
            if value == base_value:
                continue
            if value is None:
                if on_cmd:
                    exec_edits[flag] = None
                if env_value is not None:
                    unset_lines.append("UnsetEnvironment=MESOS_%s\n" % flag.upper())
            elif on_cmd or flag in from_files:
                # EnvironmentFile= beats Environment=, and the command line beats both.
                exec_edits[flag] = value
            else:
                env_lines.append('Environment="MESOS_%s=%s"\n' % (
                    flag.upper(), re.sub(r'([\\"])', r"\\\1", value.replace("%", "%%"))))

        body = env_lines + unset_lines
        if exec_edits:
            if base.exec_start is None:
                raise FlagStoreError("%s has no ExecStart= to carry the flags" % _unit_path)
            body += ["ExecStart=\n", "ExecStart=%s\n" % self._edit_exec(base.exec_start[0], base_exec, exec_edits)]
        after = encode_text(DROPIN_HEADER + "[Service]\n" + "".join(body)) if body else None
        before = view.read_bytes(ours_path)
        if before == after:
            return [], False
        return [FileChange(ours_path, before, after)], True

    @staticmethod
    def _edit_exec(raw, words, edits):
        pieces = []
        cursor = 0
        done = set()
        for flag, _value, start, end in words:
            if flag not in edits:
                continue
            if edits[flag] is None or flag in done:
                # Drop the word and the blank before it.
                cut = start
                while cut > cursor and raw[cut - 1] in " \t":
                    cut -= 1
                pieces.append(raw[cursor:cut])
            else:
                pieces.append(raw[cursor:start])
                pieces.append(_quote_exec("--%s=%s" % (flag, edits[flag])))
                done.add(flag)
            cursor = end
        pieces.append(raw[cursor:])
        line = "".join(pieces)
        for flag in MANAGED_FLAGS:
            if flag in edits and edits[flag] is not None and flag not in done:
                line += " " + _quote_exec("--%s=%s" % (flag, edits[flag]))
        return line


# --------------------------------------------------------------------------------------
# Style detection, construction, applying


def _unit_evidence(view, layout):
    """The daemon's unit path when it runs the daemon directly with flags in the unit or its
    drop-ins (the dropin style), else None."""
    store = DropinStore(layout=layout)
    try:
        _name, path, config = store._parse(view)
    except FlagStoreError as exc:
        if str(exc).startswith("no systemd unit"):
            return None
        raise
    if config.exec_start is None or "mesos-init-wrapper" in config.exec_start[0]:
        return None
    if config.environment or store._exec_flags(config):
        return path
    return None


def _layout(daemon):
    try:
        return LAYOUTS[daemon]
    except KeyError:
        raise FlagStoreError("unknown daemon %r; use one of %s" % (daemon, ", ".join(DAEMONS)))


def detect_style(root="/", daemon="agent"):
    """Return the packaging style of the ``daemon`` (agent or master) of the host below ``root``,
    from the files that exist.

    Raises FlagStoreError when no style or more than one style matches.
    """
    layout = _layout(daemon)
    view = FileView(root)
    evidence = {}
    if view.isfile(layout.dcos_marker):
        evidence["dcos"] = layout.dcos_marker
    flag_dirs = [path for path in layout.flag_dirs if view.isdir(path)]
    if flag_dirs:
        evidence["flagdir"] = " and ".join(flag_dirs)
    unit = _unit_evidence(view, layout)
    if unit:
        evidence["dropin"] = "%s (flags on ExecStart= or Environment=MESOS_*)" % unit
    env_files = [path for path in layout.env_files if view.isfile(path)]
    if env_files and "flagdir" not in evidence and "dropin" not in evidence and "dcos" not in evidence:
        evidence["envfile"] = ", ".join(env_files)
    if not evidence:
        raise FlagStoreError(
            "cannot detect the Mesos %s packaging style under %s: found none of %s, %s, a "
            "%s unit with flags, or %s; set style explicitly"
            % (daemon, root, layout.dcos_marker, " or ".join(layout.flag_dirs),
               "/".join(name[:-len(".service")] for name in layout.unit_names), ", ".join(layout.env_files))
        )
    if len(evidence) > 1:
        raise FlagStoreError(
            "ambiguous Mesos %s packaging style under %s: %s; set style explicitly"
            % (daemon, root, "; ".join("%s (%s)" % (style, evidence[style]) for style in sorted(evidence)))
        )
    if "flagdir" in evidence and len(flag_dirs) > 1:
        raise FlagStoreError(
            "ambiguous Mesos %s packaging style under %s: both %s exist; set flag_dir"
            % (daemon, root, " and ".join(flag_dirs))
        )
    return list(evidence)[0]


def make_store(style, root="/", daemon="agent", **paths):
    """Build the store for ``style`` ('auto' detects it) of the ``daemon`` (agent or master).
    ``paths`` are the style's options:

    flagdir: flag_dir, env_files; envfile: env_files; dropin: unit, unit_dirs;
    dcos: env_files, override_file. None values mean the defaults.
    """
    layout = _layout(daemon)
    if style == "auto":
        style = detect_style(root, daemon)
    paths = dict((key, value) for key, value in paths.items() if value is not None)
    allowed = {
        "flagdir": ("flag_dir", "env_files"),
        "envfile": ("env_files",),
        "dropin": ("unit", "unit_dirs"),
        "dcos": ("env_files", "override_file"),
    }
    if style not in allowed:
        raise FlagStoreError("unknown style %r; use one of auto, %s" % (style, ", ".join(STYLES)))
    extra = sorted(set(paths) - set(allowed[style]))
    if extra:
        raise FlagStoreError("option(s) %s do not apply to the %s style" % (", ".join(extra), style))
    for key, value in paths.items():
        for path in value if isinstance(value, list) else [value]:
            if key != "unit" and not str(path).startswith("/"):
                raise FlagStoreError("%s: %r is not an absolute path" % (key, path))
    cls = {"flagdir": FlagDirStore, "envfile": EnvFileStore, "dropin": DropinStore, "dcos": DcosStore}[style]
    return cls(root=root, layout=layout, **paths)


def apply_plan(plan, root="/", backup_dir=None):
    """Write the planned changes atomically, after checking no file changed meanwhile.

    Returns the list of backup paths. If a write fails, the files already written get
    their ``before`` content back and FlagStoreError is raised.
    """
    view = FileView(root)
    for change in plan.changes:
        if view.read_bytes(change.path) != change.before:
            raise FlagStoreError("%s changed since the plan was made; nothing was written" % change.path)
    backups = []
    done = []
    for change in plan.changes:
        real = view.real(change.path)
        try:
            if change.after is None:
                backup = atomic_remove(real, backup_dir=backup_dir)
                _remove_empty_dropin_dir(real)
            else:
                parent = os.path.dirname(real)
                if parent.endswith(".service.d") or (
                        os.path.dirname(change.path) in _OVERRIDE_DIRS and os.path.isdir(os.path.dirname(parent))):
                    ensure_dir(parent)  # a unit's drop-in directory, or DC/OS's /etc/mesosphere/mesos: 0755
                mode, uid, gid = config_file_mode(real)
                backup = atomic_write(real, change.after, mode=mode, owner=uid, group=gid, backup_dir=backup_dir)
        except (AtomicFileError, EnvironmentError) as exc:
            _undo(view, done)
            raise FlagStoreError("cannot write %s: %s%s" % (
                change.path, getattr(exc, "reason", None) or exc,
                "; the files already written were restored" if done else ""))
        done.append(change)
        if backup:
            backups.append(backup)
    return backups


def _undo(view, done):
    for change in reversed(done):
        real = view.real(change.path)
        try:
            if change.before is None:
                atomic_remove(real)
            else:
                atomic_write(real, change.before)
        except (AtomicFileError, EnvironmentError):
            pass


def _remove_empty_dropin_dir(real_path):
    parent = os.path.dirname(real_path)
    if parent.endswith(".service.d"):
        try:
            os.rmdir(parent)
        except EnvironmentError:
            pass  # not empty: other drop-ins live there
