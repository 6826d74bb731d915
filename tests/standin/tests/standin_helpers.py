"""Helpers and fixtures for the stand-in tests: stand-in installs in temporary
prefixes, and daemons run as plain processes on 127.0.0.1 (no systemd needed)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

STANDIN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALLER = os.path.join(STANDIN, "install-standin")
ODD_MODULE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "odd_module.cpp")
PROBE = "org_mesos_fleet_ProbeHook"
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
# LIBPROCESS_SSL_CIPHERS as a fleet sets it: none of Mesos's default ciphers (all CBC-SHA1,
# TLS 1.2 only) is offered by a Python >= 3.10 client with its own defaults.
MODERN = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"

# name -> installer arguments. "main" is the agent under test.
INSTALLS = {
    "main": ["--version", "1.11.0"],
    "old": ["--version", "1.10.0"],
    "new": ["--version", "1.12.0"],
    "fork": ["--version", "1.11.0", "--abi", "abi_fork"],
}


def install(prefix, *args, role="agent", service=False):
    return subprocess.run([PYTHON, INSTALLER, "--role", role, "--prefix", str(prefix),
                           *([] if service else ["--no-service"]), *args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)


@pytest.fixture(scope="session")
def prefixes(tmp_path_factory):
    """Every install of INSTALLS, built once per test session (two at a time)."""
    base = tmp_path_factory.mktemp("prefixes")

    def build(item):
        name, args = item
        result = install(base / name, *args)
        assert result.returncode == 0, result.stdout
        return name, str(base / name)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(build, INSTALLS.items()))


@pytest.fixture(scope="session")
def prefix(prefixes):
    return prefixes["main"]


@pytest.fixture(scope="session")
def probe(prefixes):
    return os.path.join(prefixes["main"], "lib/mesos/probe/libprobe_hook.so")


@pytest.fixture(scope="session")
def build_module(prefixes, tmp_path_factory):
    """build_module(name, install='main', **defines) compiles odd_module.cpp
    with mesos.pc's flags of that install; returns the .so path."""
    out = tmp_path_factory.mktemp("modules")

    def build(name, install="main", **defines):
        target = out / ("lib%s.so" % name)
        cflags = ["-I%s/include" % prefixes[install], "-D__STDC_FORMAT_MACROS"]
        cmd = ["g++", "-std=c++14", "-shared", "-fPIC", *cflags, "-DMODULE_NAME=%s" % name]
        cmd += ['-D%s=%s' % (k, v) for k, v in defines.items()]
        subprocess.run(cmd + [ODD_MODULE, "-o", str(target)], check=True)
        return str(target)

    return build


@pytest.fixture(scope="session")
def probe_from(prefixes, tmp_path_factory):
    """probe_from(install, pin=False): the probe hook built with its
    CMakeLists.txt against another install."""
    out = tmp_path_factory.mktemp("probes")

    def build(install, pin=False):
        target = out / ("%s%s" % (install, "-pinned" if pin else ""))
        target.mkdir(exist_ok=True)
        build_probe(prefixes[install], str(target), pin)
        return str(target / "libprobe_hook.so")

    return build


def build_probe(prefix, out, pin=False):
    """The probe hook built with its CMakeLists.txt against the install at prefix, into out."""
    subprocess.run(["cmake", "-S", os.path.join(STANDIN, "probe_hook"), "-B", out,
                    "-DMESOS_PREFIX=" + prefix, "-DPIN_VERSION=%s" % ("ON" if pin else "OFF")],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", out], check=True, stdout=subprocess.DEVNULL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manifest(path, name=PROBE, parameters=(("env_value", "probe-ok"),)):
    return {"libraries": [{"file": path, "modules": [
        {"name": name, "parameters": [{"key": k, "value": v} for k, v in parameters]}]}]}


def get(port, path, host="127.0.0.1", context=None):
    """(status, JSON body) of GET path; over https, with this ssl context, when one is given."""
    url = "%s://%s:%d%s" % ("https" if context else "http", host, port, path)
    try:
        with urllib.request.urlopen(url, timeout=3, context=context) as r:
            body = r.read()
            return r.status, json.loads(body) if body else None
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def registered(agent):
    """The agent's master lists it active: it has (re-)registered. Its own slave/registered
    says only that it has detected a master, as in Mesos."""
    master = get(agent.port, "/flags")[1]["flags"]["master"]
    try:
        status, body = get(int(master.rsplit(":", 1)[1]), "/slaves")
    except OSError:
        return False
    return status == 200 and any(s["port"] == agent.port and s["active"] for s in body["slaves"])


def post(port, path, payload, content_type="application/json"):
    data = json.dumps(payload).encode()
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data,
                                     method="POST")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=3) as r:
            body = r.read()
            return r.status, json.loads(body) if body else None
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_for(predicate, timeout=10.0, interval=0.1):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out waiting for %s" % predicate)
        time.sleep(interval)


class Daemon:
    """A stand-in daemon run as a plain process; stderr goes to a log file."""

    def __init__(self, binary, args, log_path, env=None, port=None, host="127.0.0.1",
                 context=None):
        self.binary, self.args, self.log_path = binary, list(args), log_path
        self.host, self.context = host, context  # where /health answers, and how (TLS)
        self.port = port if port is not None else int(next(
            a.split("=", 1)[1] for a in self.args if a.startswith("--port=")))
        environ = {k: v for k, v in os.environ.items()
                   if not k.startswith(("MESOS_", "LIBPROCESS_", "SSL_"))}
        environ.update(env or {})
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen([binary, *self.args], stdout=log, stderr=log,
                                            env=environ)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def healthy(self):
        try:
            return get(self.port, "/health", self.host, self.context)[0] == 200
        except OSError:
            return False

    def wait_healthy(self, timeout=10):
        def check():
            assert self.process.poll() is None, "exited %s:\n%s" % (
                self.process.returncode, self.log())
            return self.healthy()
        wait_for(check, timeout)
        return self

    def wait_exit(self, timeout=10):
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("still running:\n" + self.log())

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(10)


@pytest.fixture
def daemons():
    started = []
    yield started
    for daemon in started:
        daemon.stop(signal.SIGKILL)


@pytest.fixture
def run_agent(prefix, tmp_path, daemons):
    """run_agent(*flags, env=None, work_dir=None, port=None, prefix=None) -> Daemon.
    Adds --port, --ip, --work_dir and --master (a closed port unless given)."""
    counter = [0]

    def run(*flags, env=None, work_dir=None, port=None, master=None, install=None, context=None):
        counter[0] += 1
        port = port or free_port()
        args = ["--port=%d" % port, "--ip=127.0.0.1",
                "--work_dir=%s" % (work_dir or tmp_path / ("agent%d" % counter[0])),
                "--master=%s" % (master or "127.0.0.1:%d" % free_port()), *flags]
        daemon = Daemon(os.path.join(install or prefix, "sbin/mesos-agent"), args,
                        tmp_path / ("agent%d.log" % counter[0]), env, context=context)
        daemons.append(daemon)
        return daemon

    return run


@pytest.fixture
def master(prefix, tmp_path, daemons):
    def run(*flags, env=None, context=None):
        daemon = Daemon(os.path.join(prefix, "sbin/mesos-master"),
                        ["--port=%d" % free_port(), "--ip=127.0.0.1", *flags],
                        tmp_path / "master.log", env, context=context)
        daemons.append(daemon)
        return daemon.wait_healthy()

    return run


@pytest.fixture
def scheduler(prefix, tmp_path, daemons):
    """scheduler(master, *flags) -> Daemon of a mesos-standin-scheduler subscribed to master
    (HOST:PORT or zk://...), with --framework_id_file; .framework_id() waits for its ID."""
    counter = [0]

    def run(master, *flags):
        counter[0] += 1
        id_file = tmp_path / ("framework%d.id" % counter[0])
        daemon = Daemon(os.path.join(prefix, "bin/mesos-standin-scheduler"),
                        ["--master=%s" % master, "--framework_id_file=%s" % id_file, *flags],
                        tmp_path / ("scheduler%d.log" % counter[0]), port=0)
        daemons.append(daemon)

        def framework_id():
            def read():
                assert daemon.process.poll() is None, daemon.log()
                return id_file.exists() and id_file.read_text().strip()
            return wait_for(read)
        daemon.framework_id = framework_id
        return daemon

    return run


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def environ_of(pid):
    """The task's environment. A task is `sh -c 'exec sleep ...'`: while the shell execs,
    /proc/<pid>/environ reads empty for a moment, so wait for the exec to be done."""
    def read():
        with open("/proc/%d/environ" % pid, "rb") as f:
            return f.read()
    raw = wait_for(read)
    return dict(item.decode().split("=", 1) for item in raw.split(b"\0") if item)


@pytest.fixture
def tasks():
    """Collects fake task pids and kills them after the test."""
    pids = []
    yield pids
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


class Pki:
    """Test certificates, made at test time (nothing is committed): paths of PEM files."""


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """A CA; a server certificate it signed for 127.0.0.1 (IP SAN), localhost and this host's
    name; a client certificate it signed (CN and SAN localhost, the reverse DNS name of
    127.0.0.1); another CA that signed nothing; and a key that belongs to no certificate."""
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    base = tmp_path_factory.mktemp("pki")
    now = datetime.datetime.now(datetime.timezone.utc)
    pki = Pki()

    def write(name, key, cert):
        key_path, cert_path = base / (name + ".key"), base / (name + ".pem")
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        key_path.chmod(0o600)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        setattr(pki, name + "_key", str(key_path))
        setattr(pki, name, str(cert_path))

    def new_key():
        # RSA: every cipher of Mesos's default LIBPROCESS_SSL_CIPHERS wants an RSA (or DSS) key.
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def certificate(name, common_name, issuer=None, san=(), usages=()):
        key = new_key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        signer_key, signer_name = issuer or (key, subject)
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(signer_name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=2)))
        if issuer is None:
            builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        else:
            builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            builder = builder.add_extension(x509.SubjectAlternativeName(list(san)), False)
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(usages)), False)
        cert = builder.sign(signer_key, hashes.SHA256())
        write(name, key, cert)
        return key, subject

    ca = certificate("ca", "stand-in test CA")
    certificate("other_ca", "another test CA")
    pki.hostname = socket.gethostname()
    certificate("server", pki.hostname, ca, [
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost"),
        x509.DNSName(pki.hostname)],
        # libprocess presents its certificate as a client too.
        [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH])
    certificate("client", "localhost", ca, [x509.DNSName("localhost")],
                [ExtendedKeyUsageOID.CLIENT_AUTH])
    stray = new_key()
    (base / "stray.key").write_bytes(stray.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    pki.stray_key = str(base / "stray.key")
    return pki
