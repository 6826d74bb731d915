"""The example commands, run as the hook runs them."""

import json
import os
import subprocess
import sys

import pytest

import docker_policy

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "examples")


def run(example, args, event, mode="oneshot"):
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "MESOS_HOOK_MODE": mode}
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, example)] + args,
                          input=json.dumps(event), capture_output=True, text=True,
                          env=env, timeout=30, check=False)


def docker_event(container, in_task=True):
    event = {"method": "slavePreLaunchDockerTaskExecutorDecorator",
             "taskInfo": None, "executorInfo": {"executor_id": {"value": "e"}},
             "containerName": "mesos-1", "containerWorkDirectory": "/sandbox",
             "mappedSandboxDirectory": "/mnt/mesos/sandbox", "env": None}
    if in_task:
        event["taskInfo"] = {"name": "t", "task_id": {"value": "t1"},
                             "container": container}
    else:
        event["executorInfo"]["container"] = container
    return event


def volume(host_path, container_path="/in"):
    return {"host_path": host_path, "container_path": container_path, "mode": "RW"}


ALLOW = ["--allow", "/data", "--allow", "/srv/shared/"]


@pytest.mark.parametrize("container", [
    {"type": "DOCKER", "docker": {"image": "nginx"}},
    {"type": "DOCKER", "docker": {"image": "x"}, "volumes": [volume("/data/a")]},
    {"type": "DOCKER", "docker": {"image": "x"}, "volumes": [volume("/srv/shared")]},
    {"type": "DOCKER", "docker": {"image": "x"}, "volumes": [volume("logs")]},
    {"type": "DOCKER", "docker": {"image": "x", "parameters": [
        {"key": "volume", "value": "named-volume:/cache"}]}},
    {"type": "DOCKER", "docker": {"image": "x", "parameters": [
        {"key": "privileged", "value": "false"}]}},
])
def test_docker_policy_accepts(container):
    done = run("docker_policy.py", ALLOW, docker_event(container))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize("container, reason", [
    ({"docker": {"image": "x", "privileged": True}}, "privileged"),
    ({"docker": {"image": "x", "parameters": [{"key": "privileged", "value": "true"}]}},
     "privileged"),
    ({"docker": {"image": "x"}, "volumes": [volume("/etc")]}, "host path /etc"),
    ({"docker": {"image": "x"}, "volumes": [volume("/data/../etc/shadow")]},
     "host path /data/../etc/shadow"),
    ({"docker": {"image": "x"}, "volumes": [volume("/database")]}, "/database"),
    ({"docker": {"image": "x"}, "volumes": [volume("../../etc")]}, "../../etc"),
    ({"docker": {"image": "x", "parameters": [{"key": "v", "value": "/:/host"}]}},
     "host path /"),
    ({"docker": {"image": "x", "parameters": [
        {"key": "mount", "value": "type=bind,source=/var/run/docker.sock,target=/s"}]}},
     "/var/run/docker.sock"),
])
def test_docker_policy_rejects_with_reason(container, reason):
    done = run("docker_policy.py", ALLOW, docker_event(container))
    assert done.returncode == 1
    assert reason in done.stderr


def test_docker_policy_checks_custom_executor_container():
    event = docker_event({"docker": {"image": "x"}, "volumes": [volume("/etc")]},
                         in_task=False)
    assert run("docker_policy.py", ALLOW, event).returncode == 1


def test_docker_policy_allow_privileged_flag():
    event = docker_event({"docker": {"image": "x", "privileged": True}})
    assert run("docker_policy.py", ALLOW + ["--allow-privileged"], event).returncode == 0


def test_docker_policy_refuses_relative_allow_prefix():
    done = run("docker_policy.py", ["--allow", "data"], docker_event({}))
    assert done.returncode == 2
    assert "absolute" in done.stderr


def test_docker_policy_persistent_mode_replies_per_line():
    env = {"PATH": "/usr/bin:/bin", "MESOS_HOOK_MODE": "persistent"}
    proc = subprocess.Popen([sys.executable, os.path.join(EXAMPLES, "docker_policy.py")]
                            + ALLOW, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env)
    good = docker_event({"docker": {"image": "x"}, "volumes": [volume("/data/x")]})
    bad = docker_event({"docker": {"image": "x", "privileged": True}})
    out, dummy = proc.communicate(json.dumps(good) + "\n" + json.dumps(bad) + "\n",
                                  timeout=30)
    assert out == "OK\nERROR privileged containers are not allowed\n"


def test_host_path_matching_is_by_component():
    assert docker_policy.host_path_allowed("/data", ["/data"])
    assert docker_policy.host_path_allowed("/data//x/./y", ["/data/"])
    assert not docker_policy.host_path_allowed("/data2", ["/data"])
    assert not docker_policy.host_path_allowed("/data/../etc", ["/data"])
    assert docker_policy.host_path_allowed("/anything", ["/"])


def executor_event(variables):
    return {"method": "slaveExecutorEnvironmentDecorator",
            "executorInfo": {"executor_id": {"value": "e"}, "command": {
                "value": "sleep 1", "environment": {"variables": variables}}}}


def test_env_injector_adds_and_keeps_framework_values():
    done = run("env_injector.py", ["DATACENTER=eu-west-1", "TEAM=infra"],
               executor_event([{"name": "TEAM", "value": "search"},
                               {"name": "X", "value": "1"}]))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"variables": [
        {"name": "TEAM", "value": "search"}, {"name": "X", "value": "1"},
        {"name": "DATACENTER", "value": "eu-west-1"}]}


def test_env_injector_override_and_no_change():
    done = run("env_injector.py", ["TEAM=infra", "--override"],
               executor_event([{"name": "TEAM", "value": "search"}]))
    assert json.loads(done.stdout) == {"variables": [{"name": "TEAM", "value": "infra"}]}
    done = run("env_injector.py", ["TEAM=infra"],
               executor_event([{"name": "TEAM", "value": "search"}]))
    assert (done.returncode, done.stdout) == (0, "")


def test_env_injector_refuses_bad_pairs():
    done = run("env_injector.py", ["1BAD=x"], executor_event([]))
    assert done.returncode == 2 and "NAME=VALUE" in done.stderr


def test_label_decorator_adds_labels_and_agent_hostname():
    event = {"method": "slaveRunTaskLabelDecorator",
             "taskInfo": {"labels": {"labels": [{"key": "app", "value": "web"}]}},
             "executorInfo": {}, "frameworkInfo": {"name": "marathon"},
             "slaveInfo": {"hostname": "agent-7"}}
    done = run("label_decorator.py", ["owner=search"], event)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"labels": [
        {"key": "app", "value": "web"}, {"key": "agent_hostname", "value": "agent-7"},
        {"key": "owner", "value": "search"}]}


def test_label_decorator_ignores_other_methods():
    done = run("label_decorator.py", ["a=b"], {"method": "slavePostFetchHook"})
    assert (done.returncode, done.stdout) == (0, "")
