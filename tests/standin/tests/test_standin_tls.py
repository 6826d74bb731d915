"""TLS as libprocess 1.11 serves it with LIBPROCESS_SSL_* (3rdparty/libprocess/src/openssl.cpp,
src/ssl/openssl_socket.cpp), and uses it for the daemons' own calls (process.cpp)."""

import json
import os
import re
import socket
import ssl
import subprocess
import urllib.error

import pytest

from standin_helpers import MODERN, get, wait_for

# Python 3.10+'s default cipher string (Lib/ssl.py, Modules/_ssl.c), stated here so that the
# test does not depend on how this Python was built.
PYTHON_DEFAULT = ("@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:"
                  "!SHA1:!AESCCM")


def tls_env(pki, **settings):
    """LIBPROCESS_SSL_* with the test certificate; settings: ca_file="...", ... (None drops)."""
    env = {"enabled": "true", "cert_file": pki.server, "key_file": pki.server_key,
           "ciphers": MODERN}
    env.update(settings)
    return dict(("LIBPROCESS_SSL_" + k.upper(), v) for k, v in env.items() if v is not None)


def trusting(ca, cert=None, key=None):
    """A client context that verifies the server against ``ca`` (and 127.0.0.1 as its name)."""
    context = ssl.create_default_context(cafile=ca)
    if cert:
        context.load_cert_chain(cert, key)
    return context


def handshake(port, context, server_hostname="127.0.0.1"):
    """The server's certificate and the negotiated (protocol, cipher) of one TLS connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
        with context.wrap_socket(raw, server_hostname=server_hostname) as conn:
            return conn.getpeercert(), (conn.version(), conn.cipher()[0])


def plain_get(port, path="/health"):
    """The status of a plain HTTP GET, or the exception it raised."""
    try:
        return get(port, path)[0]
    except (OSError, urllib.error.URLError) as e:
        return e


def test_agent_serves_https_with_its_certificate(run_agent, pki):
    context = trusting(pki.ca)
    agent = run_agent(env=tls_env(pki), context=context).wait_healthy()
    assert get(agent.port, "/flags", context=context)[0] == 200
    cert, (protocol, _) = handshake(agent.port, context)
    assert ("IP Address", "127.0.0.1") in cert["subjectAltName"]
    assert protocol == "TLSv1.2"  # LIBPROCESS_SSL_ENABLE_TLS_V1_3 is false by default
    # Valid for the host's name as well.
    handshake(agent.port, context, server_hostname=pki.hostname)


def test_plain_http_fails_without_downgrade(run_agent, pki):
    context = trusting(pki.ca)
    agent = run_agent(env=tls_env(pki), context=context).wait_healthy()
    assert isinstance(plain_get(agent.port), OSError)
    wait_for(lambda: re.search(r"W.*Failed to accept socket: Failed to SSL handshake with "
                               r"127\.0\.0\.1:%d: Protocol error$" % agent.port, agent.log(), re.M))


def test_downgrade_serves_plain_http_and_tls_on_one_port(run_agent, pki):
    context = trusting(pki.ca)
    agent = run_agent(env=tls_env(pki, support_downgrade="true"), context=context).wait_healthy()
    assert get(agent.port, "/flags", context=context)[0] == 200
    assert plain_get(agent.port, "/flags") == 200
    assert "Failed SSL connections will be downgraded to a non-SSL socket" in agent.log()


def test_client_that_does_not_trust_the_ca_fails_verification(run_agent, pki):
    agent = run_agent(env=tls_env(pki), context=trusting(pki.ca)).wait_healthy()
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(agent.port, trusting(pki.other_ca))


def test_mesos_default_ciphers_and_protocols(master, pki):
    m = master(env=tls_env(pki, ciphers=None), context=_legacy_client(pki))
    # A client with Python's own defaults shares no cipher with Mesos's default list.
    modern = trusting(pki.ca)
    modern.set_ciphers(PYTHON_DEFAULT)
    with pytest.raises(ssl.SSLError):
        handshake(m.port, modern)
    assert handshake(m.port, _legacy_client(pki))[1] == ("TLSv1.2", "AES128-SHA")
    tls13 = trusting(pki.ca)
    tls13.minimum_version = ssl.TLSVersion.TLSv1_3
    with pytest.raises(ssl.SSLError):
        handshake(m.port, tls13)


def _legacy_client(pki):
    context = trusting(pki.ca)
    context.set_ciphers("AES128-SHA")
    return context


def test_tls_1_3_when_enabled(master, pki):
    context = trusting(pki.ca)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    m = master(env=tls_env(pki, enable_tls_v1_3="true"), context=context)
    assert handshake(m.port, context)[1][0] == "TLSv1.3"


def test_required_client_certificate(master, pki):
    with_cert = trusting(pki.ca, pki.client, pki.client_key)
    m = master(env=tls_env(pki, require_client_cert="true", ca_file=pki.ca), context=with_cert)
    assert get(m.port, "/slaves", context=with_cert)[0] == 200
    with pytest.raises(OSError):
        get(m.port, "/slaves", context=trusting(pki.ca))
    # A certificate the CA did not sign.
    with pytest.raises(OSError):
        get(m.port, "/slaves", context=trusting(pki.ca, pki.other_ca, pki.other_ca_key))


def test_deprecated_ssl_prefix_loses_to_libprocess_ssl(master, pki):
    env = tls_env(pki, enabled="false")
    env["SSL_ENABLED"] = "true"
    m = master(env=env)
    assert plain_get(m.port, "/slaves") == 200
    assert ("Mismatched values for SSL environment variables SSL_enabled and "
            "LIBPROCESS_SSL_enabled") in m.log()


def startup_error(prefix, tmp_path, env):
    result = subprocess.run(
        [os.path.join(prefix, "sbin/mesos-master"), "--ip=127.0.0.1", "--port=0",
         "--work_dir=%s" % tmp_path], env=dict(env, PATH=os.environ["PATH"]),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=20)
    assert result.returncode == 1, result.stdout
    return result.stdout.split("EXIT with status 1: ", 1)[1].strip()


# OpenSSL's own text follows, as the host's OpenSSL words it.
OPENSSL = r"\(OpenSSL error #\d+\): error:[0-9A-F]{8}:"
LOAD = ("Failed to load flags from environment variables prefixed by LIBPROCESS_SSL_ or SSL_ "
        "(deprecated): ")


@pytest.mark.parametrize("settings, message", [
    ({"enabled": "yes"}, re.escape(
        LOAD + "Failed to load flag 'enabled': Failed to load value 'yes': Expecting a boolean "
        "(e.g., true or false)")),
    ({"verification_depth": "deep"}, re.escape(
        LOAD + "Failed to load flag 'verification_depth': Failed to load value 'deep': Failed to "
        "convert into required type")),
    ({"key_file": None}, re.escape("SSL requires key! NOTE: Set path with LIBPROCESS_SSL_KEY_FILE")),
    ({"cert_file": None},
     re.escape("SSL requires certificate! NOTE: Set path with LIBPROCESS_SSL_CERT_FILE")),
    ({"hostname_validation_scheme": "dns"},
     re.escape("Unknown value for hostname_validation_scheme: dns")),
    ({"cert_file": "/nonexistent/cert.pem"}, "Could not load cert file '/nonexistent/cert.pem' "
     + OPENSSL + "system library::No such file or directory"),
    # OpenSSL 3 checks the key against the certificate as it loads it.
    ({"key_file": "STRAY"},
     "Could not load key file '.*/stray.key' " + OPENSSL + "x509 certificate routines::key values "
     "mismatch"),
    ({"ciphers": "NO-SUCH-CIPHER"}, "Could not set ciphers 'NO-SUCH-CIPHER' " + OPENSSL
     + "SSL routines::no cipher match"),
    ({"verify_server_cert": "true", "ca_file": "/nonexistent/ca.pem"},
     "Could not load CA file and/or directory " + OPENSSL + ".* -> FILE: /nonexistent/ca\\.pem"),
])
def test_invalid_tls_configuration_stops_the_daemon(prefix, tmp_path, pki, settings, message):
    if settings.get("key_file") == "STRAY":
        settings = dict(settings, key_file=pki.stray_key)
    error = startup_error(prefix, tmp_path, tls_env(pki, **settings))
    assert re.fullmatch(message, error), error


def slaves(master_port, context):
    return get(master_port, "/slaves", context=context)[1]["slaves"]


def test_agent_registers_with_a_tls_master_and_verifies_it(master, run_agent, pki, prefix):
    context = trusting(pki.ca)
    env = tls_env(pki, verify_server_cert="true", ca_file=pki.ca)
    m = master(env=env, context=context)
    agent = run_agent(env=env, context=context, master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: any(s["port"] == agent.port and s["active"]
                         for s in slaves(m.port, context)))
    # mesos-standin-task reaches an agent that serves TLS only with an https:// address.
    result = subprocess.run(
        [os.path.join(prefix, "bin/mesos-standin-task"), "launch",
         "--agent", "https://127.0.0.1:%d" % agent.port, "--command", "exit 0"],
        stdout=subprocess.PIPE, universal_newlines=True, timeout=20)
    assert result.returncode == 0 and json.loads(result.stdout)["state"] == "TASK_RUNNING"


def test_agent_does_not_register_with_a_master_it_cannot_verify(master, run_agent, pki):
    context = trusting(pki.ca)
    m = master(env=tls_env(pki), context=context)
    agent = run_agent(env=tls_env(pki, verify_server_cert="true", ca_file=pki.other_ca),
                      context=context, master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: "certificate verify failed" in agent.log())
    assert slaves(m.port, context) == []


def test_tls_agent_reaches_a_plain_master_only_with_downgrade(master, run_agent, pki):
    m = master()
    context = trusting(pki.ca)
    refused = run_agent(env=tls_env(pki), context=context,
                        master="127.0.0.1:%d" % m.port).wait_healthy()
    downgraded = run_agent(env=tls_env(pki, support_downgrade="true"), context=context,
                           master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: any(s["port"] == downgraded.port for s in get(m.port, "/slaves")[1]["slaves"]))
    wait_for(lambda: "Failed to register with the master" in refused.log())
    assert all(s["port"] != refused.port for s in get(m.port, "/slaves")[1]["slaves"])
