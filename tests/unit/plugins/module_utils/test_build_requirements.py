"""What a builder lacks for a hook build, against fakes of dpkg/rpm and a real preprocessor."""

import shutil
import subprocess

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import build_requirements as br

PROTOBUF = "/usr/lib/x86_64-linux-gnu/libprotobuf.so.32"
CURL = "/usr/lib/x86_64-linux-gnu/libcurl.so.4"
CURL_GNUTLS = "/usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4"
LIBMESOS = "/opt/mesos/lib/libmesos-1.11.0.so"


class FakeHost:
    """Answers the commands the check runs as a Debian (or RPM) host with these files would."""

    def __init__(self, tools=("c++", "cmake", "dpkg-query"), missing=(), owners=None, cmake="3.25.1",
                 cpp_rc=0, cpp_err=""):
        self.tools = set(tools)
        self.missing = list(missing)
        self.owners = owners or {}
        self.cmake = cmake
        self.cpp_rc, self.cpp_err = cpp_rc, cpp_err
        self.calls = []

    def which(self, name):
        return "/usr/bin/" + name if name in self.tools else None

    def run(self, argv, data=None):
        self.calls.append((argv, data))
        if "-MG" in argv:
            deps = ["/opt/mesos/include/mesos/hook.hpp"] + self.missing
            return self.cpp_rc, "-: " + " \\\n ".join(deps) + "\n", self.cpp_err
        if argv[:2] == ["dpkg-query", "-S"]:
            owner = self.owners.get(argv[2])
            return (0, "%s:amd64: %s\n" % (owner[0], argv[2]), "") if owner else (1, "", "no path found")
        if argv[:2] == ["dpkg-query", "-W"]:
            version = [v for p, v in self.owners.values() if argv[3].startswith(p)]
            return (0, version[0], "") if version else (1, "", "")
        if argv[0] == "rpm":
            owner = self.owners.get(argv[-1])
            return (0, "%s %s\n" % owner, "") if owner else (1, "", "")
        if argv[-1] == "--version":
            return 0, "cmake version %s\n\nCMake suite maintained by Kitware\n" % self.cmake, ""
        raise AssertionError("unexpected command %r" % (argv,))


def build(**kw):
    base = dict(hook="command_hook", flags=["-std=c++14", "-fPIC", "-I/opt/mesos/include"], libmesos=LIBMESOS,
                prefix="/opt/mesos", build_system="cmake", cmake_minimum="3.16",
                mesos_headers=["mesos/hook.hpp", "mesos/module/hook.hpp"])
    base.update(kw)
    return base


def check(host, linked=None, *builds):
    return br.check_builds(list(builds) or [build()], host.which, host.run, lambda path: linked or {})


def test_nothing_missing_needs_nothing():
    host = FakeHost()
    assert check(host, {"libprotobuf.so.32": PROTOBUF}) == dict(missing=[], problems=[], packages=[])
    stub = [data for argv, data in host.calls if "-MG" in argv][0]
    assert stub == "#include <mesos/hook.hpp>\n#include <mesos/module/hook.hpp>\n"


def test_missing_headers_map_to_the_dev_package_of_the_library_libmesos_links_at_its_version():
    host = FakeHost(tools=("c++", "dpkg-query"),
                    missing=["google/protobuf/port_def.inc", "google/protobuf/port_undef.inc", "curl/curl.h"],
                    owners={PROTOBUF: ("libprotobuf32", "3.21.12-3"), CURL: ("libcurl4", "7.88.1-10+deb12u5")})
    result = check(host, {"libprotobuf.so.32": PROTOBUF, "libcurl.so.4": CURL, "libz.so.1": "/lib/libz.so.1"})
    assert result["packages"] == ["cmake", "libcurl4-openssl-dev=7.88.1-10+deb12u5", "libprotobuf-dev=3.21.12-3"]
    assert result["problems"] == []
    protobuf = [m for m in result["missing"] if m["package"] == "libprotobuf-dev"]
    assert len(protobuf) == 1  # one package however many of its headers are missing
    assert protobuf[0]["what"] == ("headers of libprotobuf (libmesos links %s), for google/protobuf/port_def.inc"
                                   " and 1 more google/ headers" % PROTOBUF)
    assert protobuf[0]["hook"] == "command_hook"
    assert [m["what"] for m in result["missing"]][0] == "cmake (the hook's build tool)"


def test_the_curl_flavour_libmesos_links_decides_the_package():
    host = FakeHost(missing=["curl/curl.h"], owners={CURL_GNUTLS: ("libcurl3-gnutls", "7.88.1-10")})
    result = check(host, {"libcurl-gnutls.so.4": CURL_GNUTLS})
    assert result["packages"] == ["libcurl4-gnutls-dev=7.88.1-10"]


def test_rpm_hosts_get_rpm_names_and_versions():
    host = FakeHost(tools=("c++", "cmake", "rpm"), missing=["google/protobuf/port_def.inc"],
                    owners={PROTOBUF: ("protobuf", "3.5.0-13.el8")})
    assert check(host, {"libprotobuf.so.15": PROTOBUF})["packages"] == ["protobuf-devel-3.5.0-13.el8"]


def test_headers_no_linked_library_provides_are_a_problem_naming_the_third_party_dir():
    host = FakeHost(missing=["picojson.h", "google/protobuf/port_def.inc", "google/protobuf/arena.h"])
    result = check(host, {})  # protobuf linked statically: no package can match it
    assert result["packages"] == []
    assert result["problems"] == [
        "hook command_hook: %s (included by the Mesos headers) are not on this host, and no library libmesos "
        "links provides them: they belong to the third-party headers Mesos was built with, installed under "
        "/opt/mesos/lib/mesos/3rdparty/include when Mesos is configured with --enable-install-module-dependencies"
        % headers for headers in ("google/protobuf/arena.h and 1 more google/ headers", "picojson.h")]


def test_header_only_libraries_come_from_the_distribution_one_line_for_all_their_headers():
    # A real Mesos 1.11.0 configured --with-boost=/usr: its headers include 18 boost headers.
    boost = ["boost/functional/hash.hpp", "boost/variant.hpp", "boost/uuid/uuid.hpp"]
    host = FakeHost(missing=boost)
    result = check(host, {"libprotobuf.so.32": PROTOBUF})
    assert result["packages"] == ["libboost-dev"]
    assert [m["what"] for m in result["missing"]] == [
        "headers of boost (header-only: the distribution's version), for boost/functional/hash.hpp "
        "and 2 more boost/ headers"]


def test_a_cmake_older_than_the_hook_asks_is_a_problem():
    result = check(FakeHost(cmake="3.13.4"))
    assert result["problems"] == [
        "hook command_hook: cmake 3.13.4 is older than the 3.16 the hook's CMakeLists.txt asks for"]


def test_make_builds_need_make_and_no_compiler_means_no_header_check():
    host = FakeHost(tools=("dpkg-query",))
    result = check(host, {}, build(build_system="make", cmake_minimum=None))
    assert result["packages"] == ["g++", "make"]
    assert not [argv for argv, dummy in host.calls if "-MG" in argv]


def test_preprocessor_errors_without_missing_headers_are_reported():
    err = ("/opt/mesos/include/mesos/mesos.pb.h:17:2: error: #error This file was generated by an older "
           "version of protoc which is\n")
    result = check(FakeHost(cpp_rc=1, cpp_err=err))
    assert result["problems"] == ["hook command_hook: the installed Mesos headers do not compile here: %s"
                                  % err.strip()]


def test_several_builds_share_one_package_list():
    host = FakeHost(missing=["google/protobuf/port_def.inc"], owners={PROTOBUF: ("libprotobuf32", "3.21.12-3")})
    result = check(host, {"libprotobuf.so.32": PROTOBUF}, build(), build(hook="probe"))
    assert result["packages"] == ["libprotobuf-dev=3.21.12-3"]
    assert [m["hook"] for m in result["missing"]] == ["command_hook", "probe"]


@pytest.mark.skipif(not shutil.which("g++"), reason="needs g++")
def test_the_real_preprocessor_lists_what_the_mesos_headers_cannot_find(tmp_path):
    include = tmp_path / "include"
    (include / "mesos").mkdir(parents=True)
    (include / "mesos" / "hook.hpp").write_text("#include <mesos/mesos.pb.h>\n#include <string>\n")
    (include / "mesos" / "mesos.pb.h").write_text(
        "#include <google/protobuf/no_such_port_def.inc>\n#include <no_such_curl/curl.h>\n")

    def run(argv, data=None):
        proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    missing, errors = br.missing_headers(shutil.which("g++"), ["-std=c++14", "-I%s" % include],
                                         ["mesos/hook.hpp"], run)
    assert missing == ["google/protobuf/no_such_port_def.inc", "no_such_curl/curl.h"]
    assert errors == []


def test_builds_are_taken_from_the_roles_jobs_with_their_other_keys_ignored():
    job = dict(build(), src="/ctl/hook_src/command_hook", key="k" * 64, modules=["m"])
    assert br.normalise_builds([job]) == [build()]
    assert br.normalise_builds([dict(hook="p", flags=["-I/x"], libmesos="/l.so")])[0]["build_system"] == "make"
    with pytest.raises(ValueError, match=r"builds\[0\] has no flags, libmesos"):
        br.normalise_builds([dict(hook="p")])
    with pytest.raises(ValueError, match="build_system must be cmake or make"):
        br.normalise_builds([dict(build(), build_system="bazel")])
