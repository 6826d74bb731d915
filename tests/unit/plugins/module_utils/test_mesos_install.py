import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_install as mi


@pytest.mark.parametrize("text, version", [
    ("mesos 1.11.0\n", "1.11.0"),
    ("mesos 1.10.0", "1.10.0"),
    ("WARNING: Logging before InitGoogleLogging()\nmesos 1.12.0-rc1\n", "1.12.0-rc1"),
])
def test_version_output(text, version):
    assert mi.parse_version_output(text) == version


@pytest.mark.parametrize("text", ["", "mesos", "Mesos version unknown", "mesos 1.11"])
def test_version_output_garbage_is_an_error(text):
    with pytest.raises(mi.InstallError):
        mi.parse_version_output(text)


def test_version_ordering_matches_mesos():
    V = mi.Version
    assert V("1.10.0") < V("1.11.0") < V("1.11.1") < V("2.0.0")
    assert V("1.11.0-rc1") < V("1.11.0")
    assert V("1.11.0-rc1") < V("1.11.0-rc2")
    assert V("1.11.0") == V("1.11.0") and V("1.9.0") < V("1.10.0")
    assert len({V("1.11.0"), V("1.11.0")}) == 1


PC = """prefix=/opt/mesos
exec_prefix=${prefix}
libdir=${exec_prefix}/lib
includedir=${prefix}/include

Name: mesos
Description: Mesos
Version: 1.11.0
Libs: -L${libdir} -lmesos
Cflags: -I${includedir} -D__STDC_FORMAT_MACROS -I${libdir}/mesos/3rdparty/include
"""


def test_pkgconfig_gives_prefix_includes_and_defines():
    flags = mi.compile_flags_from_pkgconfig(PC)
    assert flags["prefix"] == "/opt/mesos" and flags["version"] == "1.11.0"
    assert flags["include_dirs"] == ["/opt/mesos/include", "/opt/mesos/lib/mesos/3rdparty/include"]
    assert flags["defines"] == ["__STDC_FORMAT_MACROS"]
    assert flags["libs"] == ["-L/opt/mesos/lib", "-lmesos"]


def make_install(root, version="1.11.0", binary="sbin/mesos-agent", headers=True, thirdparty=True):
    (root / binary).parent.mkdir(parents=True, exist_ok=True)
    (root / binary).write_text("#!/bin/sh\n")
    (root / "lib").mkdir(exist_ok=True)
    (root / "lib" / ("libmesos-%s.so" % version)).write_bytes(b"\x7fELF")
    if headers:
        (root / "include" / "mesos").mkdir(parents=True, exist_ok=True)
        (root / "include" / "mesos" / "module.hpp").write_text("")
        (root / "include" / "mesos" / "hook.hpp").write_text("")
    if thirdparty:
        (root / "lib" / "mesos" / "3rdparty" / "include").mkdir(parents=True, exist_ok=True)
    return str(root)


def test_discovery_finds_prefix_binary_library_and_headers(tmp_path):
    old = make_install(tmp_path / "usr", binary="sbin/mesos-slave")
    new = make_install(tmp_path / "opt")
    assert mi.find_prefix([str(tmp_path / "none"), old, new]) == old
    assert mi.find_binary(old).endswith("sbin/mesos-slave")
    assert mi.find_binary(old, "master") is None
    assert mi.find_libmesos(new, "1.11.0").endswith("lib/libmesos-1.11.0.so")
    dirs = mi.header_dirs(new)
    assert dirs["include_dir"] == new + "/include" and dirs["hook_header"]
    assert dirs["thirdparty_include_dir"] == new + "/lib/mesos/3rdparty/include"


def test_discovery_reports_what_is_missing(tmp_path):
    with pytest.raises(mi.InstallError, match="no mesos-agent or mesos-slave binary under"):
        mi.find_prefix([str(tmp_path)])
    with pytest.raises(mi.InstallError, match="no mesos-master binary under"):
        mi.find_prefix([str(tmp_path)], "master")
    bare = make_install(tmp_path / "bare", headers=False, thirdparty=False)
    dirs = mi.header_dirs(bare)
    assert dirs["include_dir"] is None and dirs["thirdparty_include_dir"] is None
    with pytest.raises(mi.InstallError, match="libmesos under .* is 1.11.0, but the agent says 1.10.0"):
        mi.find_libmesos(bare, "1.10.0")
    (tmp_path / "empty" / "lib").mkdir(parents=True)
    with pytest.raises(mi.InstallError, match="no libmesos-X.Y.Z.so"):
        mi.find_libmesos(str(tmp_path / "empty"))


def test_fingerprints_separate_what_cannot_share_an_artifact():
    base = mi.build_fingerprint("1.11.0", "aa" * 20, "x86_64", "g++12-x86_64-linux-gnu")
    assert base == mi.build_fingerprint("1.11.0", "aa" * 20, "x86_64", "g++12-x86_64-linux-gnu")
    assert base.startswith("1.11.0-x86_64-")
    others = [
        mi.build_fingerprint("1.10.0", "aa" * 20, "x86_64", "g++12-x86_64-linux-gnu"),
        mi.build_fingerprint("1.11.0", "bb" * 20, "x86_64", "g++12-x86_64-linux-gnu"),
        mi.build_fingerprint("1.11.0", "aa" * 20, "aarch64", "g++12-x86_64-linux-gnu"),
        mi.build_fingerprint("1.11.0", "aa" * 20, "x86_64", "g++13-x86_64-linux-gnu"),
    ]
    assert len(set(others + [base])) == 5
    assert mi.abi_fingerprint("1.11.0", "0123456789abcdef0123") == "1.11.0-0123456789abcdef"
    assert mi.compiler_abi("x86_64-linux-gnu\n", "12.2.0\n") == "g++12-x86_64-linux-gnu"
    assert mi.compiler_abi("", "12.2.0") is None
