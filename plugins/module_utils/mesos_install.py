# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What Mesos is installed on a host, and which builds of it are interchangeable.

Mesos loads a module only when the module was compiled against exactly its version, and it
compares version strings only. Two builds that both say 1.11.0 can still differ in ABI (a fork,
another compiler, other build options), so hosts are grouped by a fingerprint that adds the GNU
build-id of the installed libmesos, the machine architecture and the C++ compiler ABI.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re

# Where packages put Mesos: distribution packages, source installs, Mesosphere and DC/OS.
DEFAULT_PREFIXES = (
    "/usr",
    "/usr/local",
    "/opt/mesos",
    "/opt/mesosphere/active/mesos",
)
BINARIES = {
    "agent": ("sbin/mesos-agent", "sbin/mesos-slave", "bin/mesos-agent", "bin/mesos-slave"),
    "master": ("sbin/mesos-master", "bin/mesos-master"),
}
LIB_DIRS = ("lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu")

_VERSION_OUTPUT = re.compile(r"^\s*mesos\s+(\S+)\s*$", re.MULTILINE)
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$")
_LIBMESOS = re.compile(r"^libmesos-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.so$")


class InstallError(ValueError):
    """The host's Mesos install cannot be understood; the message says what was looked at."""


class Version(object):
    """A Mesos version, ordered like stout's Version: numbers first, a prerelease sorts lower."""

    def __init__(self, text):
        if not isinstance(text, str) or not _VERSION.match(text.strip()):
            raise InstallError("'%s' is not a Mesos version (expected X.Y.Z)" % (text,))
        self.text = text.strip()
        self._sort_key = parse_version(self.text)[0]

    def _key(self):
        return self._sort_key

    def __eq__(self, other):
        return self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __lt__(self, other):
        return self._key() < other._key()

    def __le__(self, other):
        return self == other or self < other

    def __gt__(self, other):
        return other < self

    def __ge__(self, other):
        return other <= self

    def __hash__(self):
        return hash(self._key())

    def __str__(self):
        return self.text

    def __repr__(self):
        return "Version(%r)" % self.text


def parse_version(text):
    """Parse a version the way stout's Version::parse does.

    Returns (sort_key, canonical_string); raises ValueError with stout's wording.
    """
    if not isinstance(text, str):
        raise ValueError('version is not a string: %r' % (text,))
    build = None
    rest = text
    if '+' in rest:
        rest, build = rest.split('+', 1)
        if not build or any(not part for part in build.split('.')):
            raise ValueError('Invalid build label: %s' % build)
    prerelease = []
    if '-' in rest:
        rest, pre = rest.split('-', 1)
        prerelease = pre.split('.')
        if any(not part for part in prerelease):
            raise ValueError('Invalid prerelease label: %s' % pre)
    parts = rest.split('.')
    if len(parts) > 3:
        raise ValueError('Version has %d components; maximum 3 components allowed' % len(parts))
    numbers = [0, 0, 0]
    for i, part in enumerate(parts):
        if not part.isdigit() or (len(part) > 1 and part[0] == '0'):
            raise ValueError("Invalid version component '%s'" % part)
        numbers[i] = int(part)
    pre_key = tuple((0, int(p), '') if p.isdigit() else (1, 0, p) for p in prerelease)
    key = tuple(numbers) + ((0, pre_key) if prerelease else (1, ()),)
    canonical = '%d.%d.%d' % tuple(numbers)
    if prerelease:
        canonical += '-' + '.'.join(prerelease)
    if build:
        canonical += '+' + build
    return key, canonical


def parse_version_output(text):
    """The version from ``mesos-agent --version`` (``mesos 1.11.0``)."""
    m = _VERSION_OUTPUT.search(text or "")
    if not m:
        raise InstallError("unexpected --version output: %r" % (text or "").strip()[:200])
    return str(Version(m.group(1)))


def parse_pkgconfig(text):
    """Variables and fields of a ``mesos.pc`` file, with ``${var}`` references expanded."""
    variables = {}
    fields = {}

    def expand(value):
        for attempt in range(10):  # nested ${var} references, bounded
            new = re.sub(r"\$\{(\w+)\}", lambda m: variables.get(m.group(1), ""), value)
            if new == value:
                break
            value = new
        return value

    for line in (text or "").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^(\w[\w.]*)\s*=\s*(.*)$", line)
        if m:
            variables[m.group(1)] = expand(m.group(2).strip())
            continue
        m = re.match(r"^([\w.]+)\s*:\s*(.*)$", line)
        if m:
            fields[m.group(1)] = expand(m.group(2).strip())
    return variables, fields


def compile_flags_from_pkgconfig(text):
    """Include dirs, defines and the version a ``mesos.pc`` gives a module build."""
    variables, fields = parse_pkgconfig(text)
    includes, defines = [], []
    for word in fields.get("Cflags", "").split():
        if word.startswith("-I") and len(word) > 2:
            includes.append(word[2:])
        elif word.startswith("-D") and len(word) > 2:
            defines.append(word[2:])
    return dict(
        prefix=variables.get("prefix"),
        version=fields.get("Version"),
        include_dirs=includes,
        defines=defines,
        libs=fields.get("Libs", "").split(),
    )


def find_binary(prefix, daemon="agent", exists=os.path.exists):
    for rel in BINARIES[daemon]:
        path = os.path.join(prefix, rel)
        if exists(path):
            return path
    return None


def find_prefix(prefixes=DEFAULT_PREFIXES, daemon="agent", exists=os.path.exists):
    """The first prefix that holds the daemon's binary."""
    for prefix in prefixes:
        if find_binary(prefix, daemon, exists):
            return prefix
    raise InstallError("no %s binary under %s" % (
        " or ".join(sorted(set(os.path.basename(b) for b in BINARIES[daemon]))), ", ".join(prefixes)))


def find_libmesos(prefix, version=None, listdir=os.listdir, isdir=os.path.isdir):
    """Path of the versioned ``libmesos-X.Y.Z.so`` under the prefix (the one agents load)."""
    found = []
    for rel in LIB_DIRS:
        d = os.path.join(prefix, rel)
        if not isdir(d):
            continue
        for name in sorted(listdir(d)):
            m = _LIBMESOS.match(name)
            if m:
                found.append((m.group(1), os.path.join(d, name)))
    if version is not None:
        exact = [path for v, path in found if v == version]
        if exact:
            return exact[0]
        if found:
            raise InstallError("libmesos under %s is %s, but the agent says %s"
                               % (prefix, ", ".join(v for v, p in found), version))
    if not found:
        raise InstallError("no libmesos-X.Y.Z.so in %s" % ", ".join(os.path.join(prefix, d) for d in LIB_DIRS))
    return found[-1][1]


def header_dirs(prefix, isfile=os.path.isfile, isdir=os.path.isdir):
    """The include dirs a module build needs, and which of them are missing."""
    include = os.path.join(prefix, "include")
    thirdparty = os.path.join(prefix, "lib", "mesos", "3rdparty", "include")
    return dict(
        include_dir=include if isfile(os.path.join(include, "mesos", "module.hpp")) else None,
        hook_header=isfile(os.path.join(include, "mesos", "hook.hpp")),
        thirdparty_include_dir=thirdparty if isdir(thirdparty) else None,
    )


def abi_fingerprint(version, build_id):
    """Mesos version plus libmesos build-id: equal fingerprints load the same modules."""
    return "%s-%s" % (version, (build_id or "nobuildid")[:16])


def build_fingerprint(version, build_id, arch, compiler_abi):
    """Key of a build group: hosts sharing it can use one artifact, compiled once."""
    digest = hashlib.sha256("\0".join([version, build_id or "", arch or "", compiler_abi or ""]).encode())
    return "%s-%s-%s" % (version, arch or "unknown", digest.hexdigest()[:12])


def compiler_abi(dumpmachine, dumpfullversion):
    """A compiler ABI token from ``g++ -dumpmachine`` and ``g++ -dumpfullversion``.

    Only the major version counts: libstdc++ keeps its ABI within a major release.
    """
    if not dumpmachine or not dumpfullversion:
        return None
    return "g++%s-%s" % (dumpfullversion.strip().split(".")[0], dumpmachine.strip())
