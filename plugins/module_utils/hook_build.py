# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Build a hook once per build group: sources, grouping, cache keys, commands, compiler errors.

A hook source directory holds the C++ sources, a build file (CMakeLists.txt or Makefile) and a
``hook.json`` naming what the build produces::

    {"library": "libprobe_hook.so", "kind": "Hook", "modules": ["org_example_ProbeHook"]}

It may also say which hook methods do nothing unless a module parameter turns them on
(``"enabled_by_parameter": {"slaveResourcesDecorator": "slaveResourcesDecorator_command"}``), so
the resource-decorator check refuses such a method only where the inventory sets that parameter.

The build file receives the Mesos install prefix (``MESOS_PREFIX``), the compile flags derived
from the agent's install (``MESOS_CXXFLAGS``) and the output directory (CMake's build tree, or
``OUT=`` for make), and leaves the library there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re

HOOK_MANIFEST = "hook.json"
# The module kinds the collection deploys (src/module/manager.cpp names them so).
KINDS = ("Hook", "Isolator")
BUILD_FILES = (("cmake", "CMakeLists.txt"), ("make", "Makefile"))
# Never part of a source digest: build outputs and editor/VCS noise.
IGNORED_DIRS = frozenset([".git", "build", "__pycache__", ".pytest_cache", ".cache"])
IGNORED_SUFFIXES = (".o", ".so", ".a", ".pyc", "~")
# Verified on a real Mesos 1.11.0 built against Debian's protobuf 3.21 (which needs C++14).
# A strict standard, never gnu++NN: GNU mode predefines `unix`, which breaks process/address.hpp.
DEFAULT_CXX_STD = "c++14"
_C_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SIBLING = re.compile(r"^\.\./[A-Za-z0-9][A-Za-z0-9_.-]*$")
_LIBRARY_NAME = re.compile(r"^lib[A-Za-z0-9_+-]+\.so$")
_MESOS_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]((?:mesos|stout|process)/[^>"]+)[>"]', re.MULTILINE)
_CMAKE_MINIMUM = re.compile(r"cmake_minimum_required\s*\(\s*VERSION\s+(\d+(?:\.\d+)*)", re.IGNORECASE)
SOURCE_SUFFIXES = (".cpp", ".cc", ".cxx", ".hpp", ".h", ".hh")
_ERROR_LINE = re.compile(r"(\berror\b|fatal error|undefined reference|No such file|CMake Error|\*\*\*)",
                         re.IGNORECASE)


class BuildError(ValueError):
    """A hook cannot be built; the message names the hook and the cause."""


def read_hook_manifest(root):
    """Validate a hook source directory and return its manifest plus its build system."""
    if not os.path.isdir(root):
        raise BuildError("hook source %s does not exist or is not a directory" % root)
    path = os.path.join(root, HOOK_MANIFEST)
    try:
        with open(path) as handle:
            manifest = json.load(handle)
    except IOError:
        raise BuildError("%s is missing: a hook source needs it to say which library and modules it builds" % path)
    except ValueError as e:
        raise BuildError("%s: not valid JSON: %s" % (path, e))
    if not isinstance(manifest, dict):
        raise BuildError("%s: must be a JSON object" % path)
    library = manifest.get("library")
    if not isinstance(library, str) or not _LIBRARY_NAME.match(library):
        raise BuildError("%s: 'library' must be a file name like libmy_hook.so, got %r" % (path, library))
    modules = manifest.get("modules")
    if not isinstance(modules, list) or not modules:
        raise BuildError("%s: 'modules' must list the module symbols the library defines" % path)
    for name in modules:
        if not isinstance(name, str) or not _C_IDENTIFIER.match(name):
            raise BuildError("%s: module name %r is not a valid C identifier" % (path, name))
    kinds = module_kinds(path, manifest, modules)
    requires = manifest.get("requires", [])
    if not isinstance(requires, list) or not all(
            isinstance(r, str) and _SIBLING.match(r) and os.path.isdir(os.path.join(root, r)) for r in requires):
        raise BuildError("%s: 'requires' must list sibling source directories the build also reads, as "
                         "\"../<name>\" (each must exist), got %r" % (path, requires))
    enabled_by = manifest.get("enabled_by_parameter", {})
    if not isinstance(enabled_by, dict) or not all(
            isinstance(k, str) and _C_IDENTIFIER.match(k) and isinstance(v, str) and v
            for k, v in enabled_by.items()):
        raise BuildError("%s: 'enabled_by_parameter' must map hook method names to the parameter key "
                         "that turns each on, got %r" % (path, enabled_by))
    system = None
    for candidate, filename in BUILD_FILES:
        if os.path.isfile(os.path.join(root, filename)):
            system = candidate
            break
    if system is None:
        raise BuildError("hook source %s has no build file (CMakeLists.txt or Makefile)" % root)
    return dict(library=library, kinds=kinds, modules=list(modules), build_system=system,
                enabled_by_parameter=dict(enabled_by), requires=list(requires))


def module_kinds(path, manifest, modules):
    """Module name -> its kind: hook.json's ``kind`` for every module (default Hook), or a
    ``kinds`` object naming each; only the kinds deployed here (KINDS)."""
    kind = manifest.get("kind", "Hook")
    given = manifest.get("kinds")
    if given is not None:
        if not isinstance(given, dict) or sorted(given) != sorted(modules):
            raise BuildError("%s: 'kinds' must give the kind of each module of 'modules', got %r" % (path, given))
        kinds = dict(given)
    else:
        kinds = dict((name, kind) for name in modules)
    for name, value in sorted(kinds.items()):
        if value not in KINDS:
            raise BuildError("%s: module %s is of kind %r; the kinds deployed are %s"
                             % (path, name, value, ", ".join(KINDS)))
    return kinds


def source_files(root):
    """Relative paths of the files that make up a hook's source, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
        for name in filenames:
            if name.endswith(IGNORED_SUFFIXES):
                continue
            found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(found)


def source_digest(root):
    """sha256 over the hook's file names and contents: equal digests build equal artifacts."""
    digest = hashlib.sha256()
    for rel in source_files(root):
        with open(os.path.join(root, rel), "rb") as handle:
            content = handle.read()
        digest.update(("%s\0%d\0" % (rel, len(content))).encode("utf-8"))
        digest.update(content)
    return digest.hexdigest()


def source_needs(root, files):
    """What a builder must have for these sources: the Mesos headers they include (whose own
    includes a builder must be able to find) and the CMake version their CMakeLists.txt asks."""
    headers = set()
    for rel in files:
        if rel.endswith(SOURCE_SUFFIXES):
            with open(os.path.join(root, rel), "rb") as handle:
                headers.update(_MESOS_INCLUDE.findall(handle.read().decode("utf-8", "replace")))
    minimum = None
    if "CMakeLists.txt" in files:
        with open(os.path.join(root, "CMakeLists.txt")) as handle:
            found = _CMAKE_MINIMUM.search(handle.read())
        minimum = found.group(1) if found else None
    return dict(mesos_headers=sorted(headers), cmake_minimum=minimum)


def describe_source(root):
    """What the hook_source module and the hook_sources lookup return for one source directory."""
    info = read_hook_manifest(root)
    info["files"] = source_files(root)
    # A source it requires (a sibling directory) changes the artifact as much as its own files.
    info["digest"] = hashlib.sha256(" ".join(
        [source_digest(root)] + [source_digest(os.path.join(root, r)) for r in info["requires"]]).encode()).hexdigest() \
        if info["requires"] else source_digest(root)
    info["requires"] = [os.path.normpath(os.path.join(root, r)) for r in info["requires"]]
    info["path"] = root
    info.update(source_needs(root, info["files"]))
    return info


def describe_sources(specs):
    """Hook name -> describe_source() of each spec's C(source); raises BuildError naming every
    hook that cannot be read and every declared module its source does not build."""
    described, problems = {}, []
    for spec in specs:
        try:
            info = describe_source(spec["source"])
        except (BuildError, IOError, OSError) as e:
            problems.append("hook %s: %s" % (spec["name"], e))
            continue
        unbuilt = [m["name"] for m in spec.get("modules") or [] if m["name"] not in info["modules"]]
        if unbuilt:
            problems.append("hook %s: module(s) %s are not built by %s (its hook.json lists %s)"
                            % (spec["name"], ", ".join(unbuilt), spec["source"], ", ".join(info["modules"])))
        # A hook goes into --hooks, an isolator into --isolation; Mesos refuses either elsewhere.
        for key, kind in (("hooks", "Hook"), ("isolation", "Isolator")):
            wrong = [m for m in spec.get(key) or [] if m in info["kinds"] and info["kinds"][m] != kind]
            if wrong:
                problems.append("hook %s: %s listed under %s, but %s says %s: list %s modules under %s" % (
                    spec["name"], ", ".join(wrong), key, HOOK_MANIFEST,
                    ", ".join("%s is of kind %s" % (m, info["kinds"][m]) for m in wrong),
                    "Isolator" if kind == "Hook" else "Hook", "isolation" if kind == "Hook" else "hooks"))
        info["idle_methods"] = idle_methods(spec, info["enabled_by_parameter"])
        described[spec["name"]] = info
    if problems:
        raise BuildError("; ".join(problems))
    return described


def idle_methods(spec, enabled_by):
    """The hook methods that do nothing as the declaration ``spec`` configures the hook: those
    the source's ``enabled_by_parameter`` turns on by a parameter that no module sets."""
    configured = set(p["key"] for m in spec.get("modules") or [] for p in m.get("parameters") or []
                     if p.get("value"))
    return sorted(method for method, key in (enabled_by or {}).items() if key not in configured)


def compile_flags(install, cxx_std=DEFAULT_CXX_STD):
    """The compiler flags a module needs, from the agent's discovered install.

    ``install`` carries what agent_info found: ``pkgconfig`` (parsed mesos.pc, or None),
    ``include_dir`` and ``thirdparty_include_dir``.
    """
    pc = install.get("pkgconfig") or {}
    includes = list(pc.get("include_dirs") or [])
    defines = list(pc.get("defines") or [])
    if not includes:
        includes = [d for d in (install.get("include_dir"), install.get("thirdparty_include_dir")) if d]
        defines = ["__STDC_FORMAT_MACROS"]
    if not includes:
        raise BuildError("no Mesos headers found under %s (install the Mesos development headers)"
                         % install.get("prefix"))
    return ["-std=%s" % cxx_std, "-fPIC"] + ["-I%s" % d for d in includes] + ["-D%s" % d for d in defines]


def artifact_key(digest, fingerprint, flags):
    """Cache key of one artifact: the same sources, build group and flags give the same key."""
    h = hashlib.sha256()
    h.update(json.dumps([digest, fingerprint, list(flags)], separators=(",", ":")).encode("utf-8"))
    return h.hexdigest()


def work_dir_name(key):
    """Name of a job's build directory on the builder, fixed by its artifact key.

    Compilers write source paths into the library (__FILE__ in every LOG line), so only the same
    sources built at the same path give the same bytes. A fixed path means a lost or cold cache
    rebuilds an identical artifact, and agents already running it are not restarted.
    """
    return "mesos-fleet-build.%s" % key[:16]


def build_commands(system, src, build_dir, prefix, flags, jobs=2):
    """argv lists that build the hook out of tree (the source directory is never written)."""
    cxxflags = " ".join(flags)
    if system == "cmake":
        return [
            ["cmake", "-S", src, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
             "-DMESOS_PREFIX=%s" % prefix, "-DMESOS_CXXFLAGS=%s" % cxxflags],
            ["cmake", "--build", build_dir, "--parallel", str(jobs)],
        ]
    if system == "make":
        return [["make", "-C", src, "-j%d" % jobs, "OUT=%s" % build_dir,
                 "MESOS_PREFIX=%s" % prefix, "MESOS_CXXFLAGS=%s" % cxxflags]]
    raise BuildError("unknown build system %r" % system)


def first_errors(output, limit=15):
    """The compiler lines that matter: each error line with the line before it for context."""
    lines = (output or "").splitlines()
    picked = []
    for i, line in enumerate(lines):
        if _ERROR_LINE.search(line):
            if i and lines[i - 1] not in picked and not _ERROR_LINE.search(lines[i - 1]):
                picked.append(lines[i - 1])
            picked.append(line)
        if len(picked) >= limit:
            break
    return picked or lines[-limit:]


def group_hosts(agents, builders=None):
    """Group agents by build fingerprint and choose a builder for each group.

    ``agents`` and ``builders``: mapping host -> agent_info facts (``build_fingerprint``,
    ``version``, ``can_build``). A dedicated builder with the group's fingerprint is preferred,
    else the first agent of the group that can build. Raises BuildError naming every group that
    has no possible builder.
    """
    builders = builders or {}
    groups = {}
    for host in sorted(agents):
        fp = agents[host].get("build_fingerprint")
        if not fp:
            raise BuildError("%s: no build fingerprint in its agent facts (did discovery run?)" % host)
        group = groups.setdefault(fp, dict(fingerprint=fp, version=agents[host].get("version"), hosts=[]))
        group["hosts"].append(host)
    for fp, group in groups.items():
        candidates = [(h, builders[h]) for h in sorted(builders)]
        candidates += [(h, agents[h]) for h in group["hosts"]]
        able = [h for h, facts in candidates if facts.get("build_fingerprint") == fp and facts.get("can_build")]
        group["builder"] = able[0] if able else None
    missing = [g for g in groups.values() if not g["builder"]]
    if missing:
        raise BuildError("; ".join(
            "build group %s (Mesos %s) has no host with a compiler and the Mesos headers: %s"
            % (g["fingerprint"], g["version"], ", ".join(g["hosts"])) for g in missing))
    return [groups[fp] for fp in sorted(groups)]


def plan_jobs(groups, sources, builder_facts, cache_dir, wanted=None):
    """One build job per (hook, build group), each with its cache location.

    ``sources``: mapping hook name -> hook_source result (library, modules, build_system,
    digest, path). ``builder_facts``: mapping builder host -> its agent facts. ``wanted``
    (host -> names of the hooks it is to load; None: every hook everywhere): a hook is built
    only for the groups with a host that loads it, so a masters' hook is not built for agents.
    """
    jobs = []
    for name in sorted(sources):
        source = sources[name]
        for group in groups:
            if wanted is not None and not any(name in (wanted.get(host) or ()) for host in group["hosts"]):
                continue
            facts = builder_facts[group["builder"]]
            flags = compile_flags(facts)
            key = artifact_key(source["digest"], group["fingerprint"], flags)
            jobs.append(dict(
                hook=name,
                src=source["path"],
                library=source["library"],
                modules=list(source["modules"]),
                kinds=dict(source.get("kinds") or {}),
                # Copied beside the hook's sources on the builder, under their own names.
                requires=list(source.get("requires") or []),
                enabled_by_parameter=dict(source.get("enabled_by_parameter") or {}),
                idle_methods=list(source.get("idle_methods") or []),
                build_system=source.get("build_system"),
                mesos_headers=list(source.get("mesos_headers") or []),
                cmake_minimum=source.get("cmake_minimum"),
                fingerprint=group["fingerprint"],
                version=group["version"],
                hosts=list(group["hosts"]),
                builder=group["builder"],
                prefix=facts["prefix"],
                libmesos=facts["libmesos"],
                flags=flags,
                key=key,
                cache_dir=os.path.join(cache_dir, name, key),
                work_dir_name=work_dir_name(key),
            ))
    return jobs


def artifact_map(jobs, metas):
    """fingerprint -> hook name -> artifact metadata (with its cache ``path``)."""
    if len(jobs) != len(metas):
        raise BuildError("%d build jobs but %d artifact records" % (len(jobs), len(metas)))
    out = {}
    for job, meta in zip(jobs, metas):
        if meta.get("key") != job["key"]:
            raise BuildError("artifact record in %s belongs to another build (key %s, expected %s)"
                             % (job["cache_dir"], meta.get("key"), job["key"]))
        entry = dict(meta)
        entry["path"] = os.path.join(job["cache_dir"], job["library"])
        out.setdefault(job["fingerprint"], {})[job["hook"]] = entry
    return out
