"""HTTP authentication as Mesos 1.11 does it: --authenticate_http_readonly/readwrite with the
basic authenticator over --http_credentials (agent) or --credentials (master)."""

import base64
import json
import urllib.error
import urllib.request


def call(port, path, principal=None, secret=None, payload=None):
    """(status, WWW-Authenticate header, body text) of one request."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data,
                                     method="GET" if data is None else "POST")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if principal is not None:
        token = base64.b64encode(("%s:%s" % (principal, secret)).encode()).decode()
        request.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(request, timeout=3) as r:
            return r.status, r.headers.get("WWW-Authenticate"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("WWW-Authenticate"), e.read().decode()


def credentials_file(tmp_path, principal="ops", secret="s3cret"):
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({"credentials": [{"principal": principal, "secret": secret}]}))
    path.chmod(0o600)
    return path


def test_agent_read_only_endpoints_want_credentials_health_never(run_agent, tmp_path):
    agent = run_agent("--authenticate_http_readonly=true",
                      "--http_credentials=file://%s" % credentials_file(tmp_path)).wait_healthy()
    for path in ("/flags", "/state", "/metrics/snapshot", "/slave(1)/state"):
        assert call(agent.port, path) == (401, 'Basic realm="mesos-agent-readonly"', "401 Unauthorized."), path
        assert call(agent.port, path, "ops", "wrong")[0] == 401, path
        assert call(agent.port, path, "nobody", "s3cret")[0] == 401, path
        assert call(agent.port, path, "ops", "s3cret")[0] == 200, path
    assert call(agent.port, "/health")[0] == 200


def test_a_secret_with_a_colon_never_authenticates(run_agent, tmp_path):
    # authenticator.cpp splits the decoded "principal:secret" on ':' and wants two parts.
    agent = run_agent("--authenticate_http_readonly=true",
                      "--http_credentials=%s" % credentials_file(tmp_path, secret="a:b")).wait_healthy()
    assert call(agent.port, "/flags", "ops", "a:b")[0] == 401


def test_read_write_alone_leaves_read_only_endpoints_open(run_agent, tmp_path):
    agent = run_agent("--authenticate_http_readwrite=true",
                      "--http_credentials=%s" % credentials_file(tmp_path)).wait_healthy()
    assert call(agent.port, "/flags")[0] == 200


def test_authentication_without_credentials_stops_the_agent(run_agent, tmp_path):
    agent = run_agent("--authenticate_http_readonly=true")
    assert agent.wait_exit() != 0
    assert ("No credentials provided for the default 'basic' HTTP authenticator for realm "
            "'mesos-agent-readonly'") in agent.log()


def test_master_realms_and_its_credentials_flag(master, tmp_path):
    path = credentials_file(tmp_path)
    m = master("--authenticate_http_readonly=true", "--authenticate_http_readwrite=true",
               "--credentials=%s" % path)
    for route in ("/slaves", "/state", "/flags", "/master/slaves"):
        assert call(m.port, route) == (401, 'Basic realm="mesos-master-readonly"', "401 Unauthorized."), route
        assert call(m.port, route, "ops", "s3cret")[0] == 200, route
    call_body = {"type": "DEACTIVATE_AGENT", "deactivate_agent": {"agent_id": {"value": "nope"}}}
    assert call(m.port, "/api/v1", payload=call_body)[:2] == (401, 'Basic realm="mesos-master-readwrite"')
    assert call(m.port, "/api/v1", "ops", "s3cret", payload=call_body)[0] == 400
    assert call(m.port, "/health")[0] == 200
