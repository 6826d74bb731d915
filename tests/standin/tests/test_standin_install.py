"""install-standin: the tree, its ELF facts, idempotence, and the packaging styles."""

import os
import shlex
import shutil
import ssl
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

from standin_helpers import MODERN, PROBE, Daemon, build_probe, free_port, get, install


def build_id(path):
    with open(path, "rb") as f:
        for section in ELFFile(f).iter_sections():
            if section.header.sh_type == "SHT_NOTE":
                for note in section.iter_notes():
                    if note["n_type"] == "NT_GNU_BUILD_ID":
                        return note["n_desc"]
    return None


def test_tree_layout(prefix):
    for rel in ("sbin/mesos-agent", "sbin/mesos-master", "bin/mesos-init-wrapper",
                "lib/libmesos-1.11.0.so", "lib/mesos/probe/libprobe_hook.so",
                "include/mesos/module.hpp", "include/mesos/module/hook.hpp",
                "include/mesos/hook.hpp", "include/mesos/mesos.hpp",
                "include/mesos/version.hpp", "lib/pkgconfig/mesos.pc"):
        assert os.path.isfile(os.path.join(prefix, rel)), rel
    assert os.readlink(os.path.join(prefix, "sbin/mesos-slave")) == "mesos-agent"
    assert os.readlink(os.path.join(prefix, "lib/libmesos.so")) == "libmesos-1.11.0.so"
    assert os.path.isdir(os.path.join(prefix, "lib/mesos/3rdparty/include"))


LAYOUT_CHECK = r"""
#include <cstddef>
#include <mesos/module/hook.hpp>
using mesos::modules::ModuleBase;
// Mesos 1.11's layout on x86_64: six strings, compatible, then create.
static_assert(offsetof(ModuleBase, moduleApiVersion) == 0, "");
static_assert(offsetof(ModuleBase, mesosVersion) == 8, "");
static_assert(offsetof(ModuleBase, kind) == 16, "");
static_assert(offsetof(ModuleBase, authorName) == 24, "");
static_assert(offsetof(ModuleBase, authorEmail) == 32, "");
static_assert(offsetof(ModuleBase, description) == 40, "");
static_assert(offsetof(ModuleBase, compatible) == 48, "");
static_assert(sizeof(ModuleBase) == 56, "");
static_assert(offsetof(mesos::modules::Module<mesos::Hook>, create) == 56, "");
static_assert(sizeof(mesos::modules::Module<mesos::Hook>) == 64, "");
"""


def test_module_headers_have_mesos_layout(prefix, tmp_path):
    source = tmp_path / "layout.cpp"
    source.write_text(LAYOUT_CHECK)
    subprocess.run(["g++", "-std=c++14", "-fsyntax-only", "-Wno-invalid-offsetof",
                    "-I%s/include" % prefix, str(source)], check=True)


def test_probe_module_symbol(probe):
    # Like a real module, the object is constructed at load time (.bss plus
    # an initializer), so only its symbol and size are static facts.
    with open(probe, "rb") as f:
        elf = ELFFile(f)
        symbol = elf.get_section_by_name(".dynsym").get_symbol_by_name(PROBE)[0]
        assert symbol["st_size"] == 64
        assert symbol["st_info"]["type"] == "STT_OBJECT"
        assert symbol["st_info"]["bind"] == "STB_GLOBAL"


def test_build_ids_differ_per_version_and_abi(prefixes):
    ids = {name: build_id(os.path.join(p, "lib/libmesos.so")) for name, p in prefixes.items()}
    assert all(ids.values())
    assert len(set(ids.values())) == len(ids), ids


@pytest.mark.skipif(shutil.which("pkg-config") is None, reason="pkg-config not installed")
def test_pkg_config(prefix):
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "lib/pkgconfig"))

    def pc(*args):
        return subprocess.run(["pkg-config", *args, "mesos"], env=env, check=True,
                              stdout=subprocess.PIPE, universal_newlines=True).stdout.split()
    assert pc("--modversion") == ["1.11.0"]
    assert pc("--cflags") == ["-I%s/include" % prefix, "-D__STDC_FORMAT_MACROS",
                              "-I%s/lib/mesos/3rdparty/include" % prefix]
    assert pc("--libs") == ["-L%s/lib" % prefix, "-lmesos"]


def test_rerun_changes_nothing(prefix):
    before = os.stat(os.path.join(prefix, "lib/libmesos-1.11.0.so")).st_mtime_ns
    result = install(prefix, "--version", "1.11.0")
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith(": 0 change(s)"), result.stdout
    assert os.stat(os.path.join(prefix, "lib/libmesos-1.11.0.so")).st_mtime_ns == before


@pytest.mark.parametrize("args", [
    ["--version", "1.11"],
    ["--version", "1.11.0", "--abi", "not-an-identifier"],
    ["--version", "1.11.0", "--master", "no-port"],
    ["--version", "1.11.0", "--flag", "Zk"],
])
def test_bad_input_changes_nothing(tmp_path, args):
    result = install(tmp_path / "p", *args)
    assert result.returncode == 2
    assert "install-standin: error:" in result.stdout
    assert not (tmp_path / "p").exists()


@pytest.fixture(scope="module")
def style_install(tmp_path_factory):
    """style_install(style) installs into a fresh root (not the host's /etc)."""
    base = tmp_path_factory.mktemp("styles")

    def run(style, *extra, name=None):
        name = name or style
        root, work = base / ("root-" + name), base / ("work-" + name)
        port = free_port()
        result = install(base / ("prefix-" + name), "--version", "1.11.0", "--style", style,
                         "--root", str(root), "--no-start", "--work-dir", str(work),
                         "--port", str(port), "--master", "127.0.0.1:%d" % free_port(), *extra,
                         service=True)
        assert result.returncode == 0, result.stdout
        return base / ("prefix-" + name), root, port

    return run


def unit_lines(root, name):
    with open(root / "etc/systemd/system" / (name + ".service")) as f:
        return [line.strip() for line in f]


def test_flagdir_style_wrapper_reads_flag_files(style_install, probe, tmp_path, daemons):
    prefix, root, port = style_install("flagdir")
    lines = unit_lines(root, "mesos-slave")
    assert "KillMode=process" in lines
    assert "ExecStart=%s/bin/mesos-init-wrapper slave" % prefix in lines
    flagdir = root / "etc/mesos-slave"
    assert (flagdir / "port").read_text() == "%d\n" % port
    (flagdir / "?no-strict").write_text("")
    (flagdir / "hooks").write_text(PROBE + "\n")
    (flagdir / "modules").write_text('{"libraries":[{"file":"%s","modules":[{"name":"%s",'
                                     '"parameters":[{"key":"env_value","value":"v"}]}]}]}'
                                     % (probe, PROBE))
    agent = Daemon(str(prefix / "bin/mesos-init-wrapper"), ["slave"], tmp_path / "log",
                   env={"STANDIN_ROOT": str(root)}, port=port)
    daemons.append(agent)
    flags = get(agent.wait_healthy().port, "/flags")[1]["flags"]
    assert (flags["strict"], flags["hooks"], flags["port"]) == ("false", PROBE, str(port))


def test_envfile_style_wrapper_sources_exports(style_install, tmp_path, daemons):
    prefix, root, port = style_install("envfile")
    assert "KillMode=process" in unit_lines(root, "mesos-agent")
    env_file = root / "etc/default/mesos-agent"
    assert "export MESOS_PORT=%d" % port in env_file.read_text().splitlines()
    with open(env_file, "a") as f:
        f.write("MESOS_LOGGING_LEVEL=WARNING\n")
    agent = Daemon(str(prefix / "bin/mesos-init-wrapper"), ["agent"], tmp_path / "log",
                   env={"STANDIN_ROOT": str(root)}, port=port)
    daemons.append(agent)
    flags = get(agent.wait_healthy().port, "/flags")[1]["flags"]
    assert flags["logging_level"] == "WARNING"


def test_dropin_style_execstart_runs_the_agent(style_install, tmp_path, daemons):
    prefix, root, port = style_install("dropin", "--kill-mode", "control-group")
    lines = unit_lines(root, "mesos-agent")
    assert "KillMode=control-group" in lines
    exec_start = shlex.split(next(l for l in lines if l.startswith("ExecStart="))[10:])
    assert exec_start[0] == str(prefix / "sbin/mesos-agent")
    agent = Daemon(exec_start[0], exec_start[1:], tmp_path / "log")
    daemons.append(agent)
    assert get(agent.wait_healthy().port, "/flags")[1]["flags"]["port"] == str(port)


def test_dcos_style_env_file(style_install):
    prefix, root, port = style_install("dcos")
    lines = unit_lines(root, "dcos-mesos-slave")
    assert "EnvironmentFile=/opt/mesosphere/etc/mesos-slave-common" in lines
    assert "ExecStart=%s/sbin/mesos-agent" % prefix in lines
    common = (root / "opt/mesosphere/etc/mesos-slave-common").read_text().splitlines()
    assert "MESOS_MODULES_DIR=/opt/mesosphere/etc/mesos-slave-modules" in common
    assert "MESOS_PORT=%d" % port in common
    assert (root / "opt/mesosphere/etc/mesos-slave-modules").is_dir()


def tls_options(pki, *extra):
    return ("--tls-cert", pki.server, "--tls-key", pki.server_key, "--tls-ciphers", MODERN, *extra)


def test_flagdir_style_tls_with_downgrade(style_install, pki, tmp_path, daemons):
    prefix, root, port = style_install("flagdir", *tls_options(pki, "--tls-downgrade"),
                                       name="flagdir-tls")
    assert (root / "etc/default/mesos-slave").read_text().splitlines() == [
        "LIBPROCESS_SSL_ENABLED=true", "LIBPROCESS_SSL_CERT_FILE=" + pki.server,
        "LIBPROCESS_SSL_KEY_FILE=" + pki.server_key, "LIBPROCESS_SSL_SUPPORT_DOWNGRADE=true",
        "LIBPROCESS_SSL_CIPHERS=" + MODERN]
    context = ssl.create_default_context(cafile=pki.ca)
    agent = Daemon(str(prefix / "bin/mesos-init-wrapper"), ["slave"], tmp_path / "log",
                   env={"STANDIN_ROOT": str(root)}, port=port, context=context)
    daemons.append(agent)
    assert get(agent.wait_healthy().port, "/flags", context=context)[0] == 200
    assert get(port, "/flags")[0] == 200


def test_dropin_style_tls_in_the_unit_environment(style_install, pki, tmp_path, daemons):
    prefix, root, port = style_install("dropin", *tls_options(pki, "--tls-ca-file", pki.ca),
                                       name="dropin-tls")
    lines = unit_lines(root, "mesos-agent")
    environment = dict(l[len("Environment="):].split("=", 1) for l in lines
                       if l.startswith("Environment="))
    assert environment == {
        "LIBPROCESS_SSL_ENABLED": "true", "LIBPROCESS_SSL_CERT_FILE": pki.server,
        "LIBPROCESS_SSL_KEY_FILE": pki.server_key, "LIBPROCESS_SSL_SUPPORT_DOWNGRADE": "false",
        "LIBPROCESS_SSL_CA_FILE": pki.ca, "LIBPROCESS_SSL_VERIFY_SERVER_CERT": "true",
        "LIBPROCESS_SSL_CIPHERS": MODERN}
    exec_start = shlex.split(next(l for l in lines if l.startswith("ExecStart="))[10:])
    context = ssl.create_default_context(cafile=pki.ca)
    agent = Daemon(exec_start[0], exec_start[1:], tmp_path / "log", env=environment,
                   context=context)
    daemons.append(agent)
    assert get(agent.wait_healthy().port, "/flags", context=context)[0] == 200
    with pytest.raises(OSError):
        get(port, "/flags")


@pytest.mark.parametrize("args", [
    ["--tls-cert", "/etc/ssl/agent.pem"],
    ["--tls-downgrade"],
    ["--tls-cert", "agent.pem", "--tls-key", "/etc/ssl/agent.key"],
    ["--tls-cert", "/etc/ssl/agent.pem", "--tls-key", "/etc/ssl/agent.key",
     "--tls-ciphers", "A B"],
])
def test_bad_tls_options(tmp_path, args):
    result = install(tmp_path / "p", "--version", "1.11.0", *args)
    assert result.returncode == 2 and "install-standin: error: --tls-" in result.stdout
    assert not (tmp_path / "p").exists()


def test_master_install_unit(tmp_path):
    root = tmp_path / "root"
    result = install(tmp_path / "p", "--version", "1.11.0", "--root", str(root), "--no-start",
                     "--work-dir", str(tmp_path / "w"), role="master", service=True)
    assert result.returncode == 0, result.stdout
    # As the Mesosphere package: PORT in /etc/default/mesos-master, no port file.
    assert (root / "etc/default/mesos-master").read_text() == "PORT=5050\n"
    assert not (root / "etc/mesos-master/port").exists()
    lines = unit_lines(root, "mesos-master")
    assert "KillMode=process" in lines
    assert "ExecStart=%s/bin/mesos-init-wrapper master" % (tmp_path / "p") in lines


def test_flagdir_master_gets_zk_and_port_from_the_package_defaults(tmp_path):
    """The Mesosphere wrapper's master(): /etc/default/mesos-master (PORT=5050,
    ZK=`cat /etc/mesos/zk`) becomes --port and --zk, before the flag files."""
    root = tmp_path / "root"
    result = install(tmp_path / "p", "--version", "1.11.0", "--root", str(root), "--no-start",
                     "--work-dir", str(tmp_path / "w"), "--port", "5055",
                     "--flag", "zk=zk://10.0.0.1:2181/mesos", "--flag", "quorum=2",
                     role="master", service=True)
    assert result.returncode == 0, result.stdout
    assert (root / "etc/mesos/zk").read_text() == "zk://10.0.0.1:2181/mesos\n"
    assert (root / "etc/default/mesos-master").read_text() == (
        "PORT=5055\nZK=`cat %s`\n" % (root / "etc/mesos/zk"))
    assert sorted(os.listdir(root / "etc/mesos-master")) == ["quorum", "work_dir"]
    # The wrapper's command line, shown by a stand-in mesos-master that prints it.
    fake = tmp_path / "fake"
    (fake / "sbin").mkdir(parents=True)
    (fake / "sbin/mesos-master").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (fake / "sbin/mesos-master").chmod(0o755)
    wrapper = (tmp_path / "p/bin/mesos-init-wrapper").read_text().replace(
        str(tmp_path / "p"), str(fake))
    (fake / "wrapper").write_text(wrapper)
    (fake / "wrapper").chmod(0o755)
    (root / "etc/default/mesos").write_text("CLUSTER=prod\nLOGS=/var/log/mesos\n")
    out = subprocess.run([str(fake / "wrapper"), "master"], env=dict(os.environ, STANDIN_ROOT=str(root)),
                         stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    assert out.splitlines() == ["--zk=zk://10.0.0.1:2181/mesos", "--port=5055", "--cluster=prod",
                                "--log_dir=/var/log/mesos", "--quorum=2",
                                "--work_dir=%s" % (tmp_path / "w")]


def test_dcos_master_unit_has_dcos_environment_file_chain(tmp_path):
    root = tmp_path / "root"
    result = install(tmp_path / "p", "--version", "1.11.0", "--style", "dcos", "--root", str(root),
                     "--no-start", "--work-dir", str(tmp_path / "w"), role="master", service=True)
    assert result.returncode == 0, result.stdout
    lines = unit_lines(root, "dcos-mesos-master")
    # dcos/dcos packages/mesos/extra/dcos-mesos-master.service, in order.
    assert [line for line in lines if line.startswith("EnvironmentFile=")] == [
        "EnvironmentFile=/opt/mesosphere/environment",
        "EnvironmentFile=/opt/mesosphere/etc/mesos-master",
        "EnvironmentFile=/opt/mesosphere/etc/proxy.env",
        "EnvironmentFile=-/opt/mesosphere/etc/mesos-master-provider",
        "EnvironmentFile=-/opt/mesosphere/etc/mesos-master-extras",
        "EnvironmentFile=-/run/dcos/etc/mesos-master",
        "EnvironmentFile=-/etc/mesosphere/mesos/master.env"]
    env = (root / "opt/mesosphere/etc/mesos-master").read_text().splitlines()
    assert "MESOS_MODULES_DIR=/opt/mesosphere/etc/mesos-master-modules" in env
    assert "MESOS_PORT=5050" in env
    assert (root / "opt/mesosphere/environment").exists()
    assert (root / "opt/mesosphere/etc/proxy.env").exists()
    assert (root / "opt/mesosphere/etc/mesos-master-modules").is_dir()


@pytest.mark.skipif(not os.environ.get("MESOS_REAL_PREFIX"),
                    reason="MESOS_REAL_PREFIX (a real Mesos install) is not set")
def test_probe_hook_builds_against_real_mesos(tmp_path):
    # The probe source uses only API that real Mesos has, so the same hook can
    # be rolled out to a real agent.
    real = os.environ["MESOS_REAL_PREFIX"]
    build_probe(real, str(tmp_path))
    with open(tmp_path / "libprobe_hook.so", "rb") as f:
        symbol = ELFFile(f).get_section_by_name(".dynsym").get_symbol_by_name(PROBE)[0]
        assert symbol["st_size"] == 64


def test_flagdir_wrapper_passes_a_stray_file_and_the_agent_refuses_it(style_install, tmp_path, daemons):
    # The Mesosphere wrapper globs the flag directory: dotfiles are skipped, a backup is not.
    prefix, root, dummy = style_install("flagdir")
    flagdir = root / "etc/mesos-slave"
    port = int((flagdir / "port").read_text())  # the root is shared with the test above
    (flagdir / ".hooks.swp").write_text("editor swap file\n")
    (flagdir / "hooks~").write_text(PROBE + "\n")
    result = subprocess.run([str(prefix / "bin/mesos-init-wrapper"), "slave"], env=dict(os.environ, STANDIN_ROOT=str(root)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=30)
    assert result.returncode != 0
    assert "Failed to load unknown flag 'hooks~'" in result.stdout
    (flagdir / "hooks~").unlink()
    agent = Daemon(str(prefix / "bin/mesos-init-wrapper"), ["slave"], tmp_path / "log",
                   env={"STANDIN_ROOT": str(root)}, port=port)
    daemons.append(agent)
    assert get(agent.wait_healthy().port, "/health")[0] == 200


def test_extra_flags_and_a_zookeeper_master_are_written_as_the_style_writes_flags(tmp_path):
    root = tmp_path / "root"
    result = install(tmp_path / "p", "--version", "1.11.0", "--style", "envfile", "--root", str(root),
                     "--no-start", "--work-dir", str(tmp_path / "w"), "--master", "zk://10.0.0.1:2181/mesos",
                     "--flag", "ip_discovery_command=/opt/site/ip-detect", service=True)
    assert result.returncode == 0, result.stdout
    lines = (root / "etc/default/mesos-agent").read_text().splitlines()
    assert "export MESOS_MASTER=zk://10.0.0.1:2181/mesos" in lines
    assert "export MESOS_IP_DISCOVERY_COMMAND=/opt/site/ip-detect" in lines
