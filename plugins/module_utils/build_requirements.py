# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a builder lacks to compile a hook against its installed Mesos, and which package gives it.

Mesos's installed headers include the headers of the libraries Mesos was built with: protobuf
(the generated ``mesos/*.pb.h``), curl (``stout/net.hpp``), zlib and others. A package that
ships Mesos ships its headers, not those, so a host that runs Mesos usually cannot build a hook
until they are installed, in the version of the library libmesos links (protobuf's generated
headers refuse any other).

The check reads only. It runs the builder's compiler as a preprocessor (``-M -MG``) over the
Mesos headers the hook includes: every header that cannot be found is listed instead of being
an error. Each is mapped to the library libmesos links (its ``DT_NEEDED`` entries), the
distribution package that owns that library, and the development package of the same version.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

# Include prefix -> (library libmesos links whose headers these are, Debian package, RPM package).
# The first entry whose prefix matches and whose library libmesos links wins (curl and gRPC come
# in two flavours each). A library of None: header-only (boost, when Mesos was configured with
# --with-boost), never linked, so the distribution's version is the one to install. Packages
# that the headers' own includes need (libgflags-dev for glog's) come as the distribution's
# dependencies of these.
HEADER_PACKAGES = (
    ("google/protobuf/", "libprotobuf.so", "libprotobuf-dev", "protobuf-devel"),
    ("curl/", "libcurl-gnutls.so", "libcurl4-gnutls-dev", None),
    ("curl/", "libcurl.so", "libcurl4-openssl-dev", "libcurl-devel"),
    ("zlib.h", "libz.so", "zlib1g-dev", "zlib-devel"),
    ("zconf.h", "libz.so", "zlib1g-dev", "zlib-devel"),
    ("glog/", "libglog.so", "libgoogle-glog-dev", "glog-devel"),
    ("gflags/", "libgflags.so", "libgflags-dev", "gflags-devel"),
    ("grpcpp/", "libgrpc++_unsecure.so", "libgrpc++-dev", "grpc-devel"),
    ("grpcpp/", "libgrpc++.so", "libgrpc++-dev", "grpc-devel"),
    ("grpc/", "libgrpc.so", "libgrpc-dev", "grpc-devel"),
    ("zookeeper/", "libzookeeper_mt.so", "libzookeeper-mt-dev", "zookeeper-devel"),
    ("archive.h", "libarchive.so", "libarchive-dev", "libarchive-devel"),
    ("sasl/", "libsasl2.so", "libsasl2-dev", "cyrus-sasl-devel"),
    ("leveldb/", "libleveldb.so", "libleveldb-dev", "leveldb-devel"),
    ("openssl/", "libssl.so", "libssl-dev", "openssl-devel"),
    ("apr_", "libapr-1.so", "libapr1-dev", "apr-devel"),
    ("svn_", "libsvn_delta-1.so", "libsvn-dev", "subversion-devel"),
    ("boost/", None, "libboost-dev", "boost-devel"),
)
# What a build tool or compiler is called as a package.
TOOL_PACKAGES = {
    "g++": ("g++", "gcc-c++"),
    "cmake": ("cmake", "cmake"),
    "make": ("make", "make"),
}
_CMAKE_VERSION = re.compile(r"cmake version (\d+(?:\.\d+)*)")


def _version_tuple(text):
    return tuple(int(p) for p in text.split("."))


def missing_headers(cxx, flags, headers, run):
    """Headers the given Mesos headers need that the builder's compiler cannot find, and the
    preprocessor's own errors (an ``#error`` of a header of the wrong version, say)."""
    stub = "".join("#include <%s>\n" % h for h in headers)
    rc, out, err = run([cxx] + list(flags) + ["-M", "-MG", "-x", "c++", "-"], data=stub)
    deps = out.split(":", 1)[1] if ":" in out else ""
    missing = sorted(set(t for t in deps.replace("\\\n", " ").split() if not t.startswith("/")))
    errors = [line.strip() for line in (err or "").splitlines() if "error" in line] if rc != 0 else []
    return missing, errors


def _linked(stem, libraries):
    for name, path in sorted(libraries.items()):
        if name == stem or name.startswith(stem + "."):
            return name, path
    return None


def package_for_header(header, libraries):
    """What provides a missing header: ``library`` and ``path`` (what libmesos links for it; None
    for header-only libraries), ``deb`` and ``rpm``; None when no known library libmesos links
    (or header-only one) provides it."""
    for prefix, stem, deb, rpm in HEADER_PACKAGES:
        if header.startswith(prefix):
            linked = _linked(stem, libraries) if stem else (None, None)
            if linked:
                return dict(library=linked[0], path=linked[1], deb=deb, rpm=rpm)
    return None


def _family(header):
    """Headers reported together: their first path component (``boost/...``), or the file."""
    return header.split("/", 1)[0] + "/" if "/" in header else header


def _grouped(headers):
    """Family -> the missing headers in it, in order."""
    groups = {}
    for header in headers:
        groups.setdefault(_family(header), []).append(header)
    return groups


def _which_headers(headers):
    return headers[0] + (" and %d more %s headers" % (len(headers) - 1, _family(headers[0]))
                         if len(headers) > 1 else "")


class PackageManager:
    """Who owns a file and at which version, and how to ask for a package at a version."""

    def __init__(self, kind, run):
        self.kind = kind
        self.run = run

    def owner(self, path):
        """(package, version) of the installed package that owns ``path``; None if none does."""
        for candidate in (path, os.path.realpath(path)):
            if self.kind == "deb":
                rc, out, dummy = self.run(["dpkg-query", "-S", candidate])
                if rc == 0 and ":" in out:
                    package = out.splitlines()[0].rsplit(": ", 1)[0].split(",")[0].strip()
                    rc, version, dummy = self.run(["dpkg-query", "-W", "-f=${Version}", package])
                    if rc == 0 and version.strip():
                        return package, version.strip()
            elif self.kind == "rpm":
                rc, out, dummy = self.run(["rpm", "-qf", "--qf", "%{NAME} %{VERSION}-%{RELEASE}\\n", candidate])
                if rc == 0 and out.strip():
                    package, version = out.splitlines()[0].split(" ", 1)
                    return package, version
        return None

    def pinned(self, package, version):
        if not version:
            return package
        return "%s=%s" % (package, version) if self.kind == "deb" else "%s-%s" % (package, version)

    def name(self, deb, rpm):
        return deb if self.kind == "deb" else rpm


def package_manager(which, run):
    if which("dpkg-query"):
        return PackageManager("deb", run)
    if which("rpm"):
        return PackageManager("rpm", run)
    return None


def normalise_builds(builds):
    """The keys the check reads from the build role's jobs; ValueError naming what is wrong."""
    out = []
    for i, job in enumerate(builds or []):
        if not isinstance(job, dict):
            raise ValueError("builds[%d] must be a dict, got %r" % (i, job))
        absent = [k for k in ("hook", "flags", "libmesos") if not job.get(k)]
        if absent:
            raise ValueError("builds[%d] has no %s" % (i, ", ".join(absent)))
        system = job.get("build_system") or "make"
        if system not in ("cmake", "make"):
            raise ValueError("builds[%d]: build_system must be cmake or make, got %r" % (i, system))
        out.append(dict(hook=str(job["hook"]), flags=[str(f) for f in job["flags"]], libmesos=str(job["libmesos"]),
                        prefix=job.get("prefix"), build_system=system,
                        mesos_headers=[str(h) for h in job.get("mesos_headers") or []],
                        cmake_minimum=job.get("cmake_minimum")))
    return out


def check_build(build, which, run, linked):
    """What one build job lacks on this builder.

    ``build``: ``hook``, ``flags``, ``mesos_headers``, ``build_system``, ``cmake_minimum``,
    ``libmesos``, ``prefix``. Returns ``missing`` (dicts: ``what``, ``package`` or None,
    ``version``) and ``problems`` (what no package fixes). ``linked(path)`` maps the libraries
    libmesos links (``libprotobuf.so.32``) to their paths, as the dynamic loader finds them.
    """
    missing, problems = [], []
    manager = package_manager(which, run)

    def want(what, deb, rpm, version=None):
        package = manager.name(deb, rpm) if manager else None
        missing.append(dict(what=what, package=package, version=version,
                            spec=manager.pinned(package, version) if package else None))

    cxx = which("c++") or which("g++")
    if not cxx:
        want("a C++14 compiler", *TOOL_PACKAGES["g++"])
    tool = build.get("build_system") or "make"
    path = which(tool)
    if not path:
        want("%s (the hook's build tool)" % tool, *TOOL_PACKAGES[tool])
    elif tool == "cmake" and build.get("cmake_minimum"):
        found = _CMAKE_VERSION.search(run([path, "--version"])[1])
        if found and _version_tuple(found.group(1)) < _version_tuple(build["cmake_minimum"]):
            problems.append("cmake %s is older than the %s the hook's CMakeLists.txt asks for"
                            % (found.group(1), build["cmake_minimum"]))
    if not cxx:
        return dict(missing=missing, problems=problems)

    headers, errors = missing_headers(cxx, build["flags"], build.get("mesos_headers") or ["mesos/hook.hpp"], run)
    if errors and not headers:
        problems.append("the installed Mesos headers do not compile here: %s" % "; ".join(errors[:3]))
    libraries = linked(build["libmesos"]) if headers else {}
    for family, group in sorted(_grouped(headers).items()):
        found = package_for_header(group[0], libraries)
        if found is None:
            problems.append(
                "%s (included by the Mesos headers) are not on this host, and no library libmesos links "
                "provides them: they belong to the third-party headers Mesos was built with, installed under "
                "%s/lib/mesos/3rdparty/include when Mesos is configured with "
                "--enable-install-module-dependencies" % (_which_headers(group), build.get("prefix") or "<prefix>"))
            continue
        if found["library"]:
            owner = manager.owner(found["path"]) if manager else None
            what = "headers of %s (libmesos links %s), for %s" % (
                found["library"].split(".so")[0], found["path"], _which_headers(group))
        else:
            owner = None
            what = "headers of %s (header-only: the distribution's version), for %s" % (
                family.rstrip("/"), _which_headers(group))
        if manager and not manager.name(found["deb"], found["rpm"]):
            problems.append("%s: no %s package is known for them" % (what, manager.kind))
            continue
        want(what, found["deb"], found["rpm"], owner[1] if owner else None)
    return dict(missing=missing, problems=problems)


def check_builds(builds, which, run, linked):
    """Every build job of this builder: ``missing`` and ``problems`` named by hook, and the
    package specs that would fix what is missing (``packages``)."""
    missing, problems, packages = [], [], []
    for build in builds:
        result = check_build(build, which, run, linked)
        for item in result["missing"]:
            missing.append(dict(item, hook=build["hook"]))
            if item["spec"] and item["spec"] not in packages:
                packages.append(item["spec"])
            elif not item["spec"]:
                problems.append("hook %s: %s is missing and no package manager here installs it"
                                % (build["hook"], item["what"]))
        problems.extend("hook %s: %s" % (build["hook"], p) for p in result["problems"])
    return dict(missing=missing, problems=sorted(set(problems), key=problems.index), packages=packages)
