"""The built module in a real Mesos agent (loopback only).

Runs when MESOS_PREFIX names a Mesos install and COMMAND_HOOK_LIBRARY the
libcommand_hook.so built against it (hook_src/run-tests sets both when
MESOS_PREFIX is given), as root (hook commands must be root-owned); skipped
otherwise. Starts a master (one command hook instance) and an agent (two
instances) on 127.0.0.1, launches a task with mesos-execute, and checks what
a user would see: the injected environment variable in the task, the labels
added on the master and the agent, the added agent attribute, the recorded
events, and the metrics on both.
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

PREFIX = os.environ.get("MESOS_PREFIX", "")
LIBRARY = os.environ.get("COMMAND_HOOK_LIBRARY", "")
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _binary(name):
    for sub in ("sbin", "bin"):
        path = os.path.join(PREFIX, sub, name)
        if os.access(path, os.X_OK):
            return path
    return None


pytestmark = pytest.mark.skipif(
    not (PREFIX and LIBRARY and os.path.isfile(LIBRARY) and _binary("mesos-agent")
         and _binary("mesos-master") and _binary("mesos-execute")
         and os.geteuid() == 0),
    reason="needs MESOS_PREFIX (a Mesos install), COMMAND_HOOK_LIBRARY and root")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def write(path, text, mode):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class Cluster:
    """A loopback master + agent, stopped (whole process groups) at the end."""

    def __init__(self, root):
        self.root = root
        self.procs = []
        self.env = dict(os.environ)
        self.env["LD_LIBRARY_PATH"] = os.path.join(PREFIX, "lib")

    def start(self, name, argv):
        log = open(os.path.join(self.root, name + ".log"), "w")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                env=self.env, start_new_session=True)
        self.procs.append(proc)
        return proc

    def log(self, name):
        with open(os.path.join(self.root, name + ".log")) as f:
            return f.read()

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@pytest.fixture
def root():
    path = tempfile.mkdtemp(prefix="command-hook-agent.")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def install_commands(root):
    """Root-owned, non-writable copies of the commands the hooks run."""
    hooks = os.path.join(root, "hooks")
    os.makedirs(os.path.join(hooks, "examples"))
    os.chmod(hooks, 0o755)
    os.chmod(os.path.join(hooks, "examples"), 0o755)
    shutil.copy(os.path.join(PYTHON_DIR, "mesos_hook_command.py"), hooks)
    for name in ("env_injector.py", "label_decorator.py", "docker_policy.py"):
        shutil.copy(os.path.join(PYTHON_DIR, "examples", name),
                    os.path.join(hooks, "examples"))
        os.chmod(os.path.join(hooks, "examples", name), 0o755)
    events = os.path.join(root, "events")
    os.makedirs(events)
    write(os.path.join(hooks, "record.sh"),
          '#!/bin/sh\ncat > "$1/$MESOS_HOOK_METHOD.$$.json"\n'
          "echo recorded  # stdout of a hook without a result is ignored\n", 0o755)
    write(os.path.join(hooks, "attributes.sh"),
          "#!/bin/sh\ncat >/dev/null\n"
          "echo '[{\"name\":\"hooked\",\"type\":\"TEXT\",\"text\":{\"value\":\"yes\"}}]'\n",
          0o755)
    write(os.path.join(hooks, "fail.sh"),
          "#!/bin/sh\necho 'status check unavailable' >&2\nexit 3\n", 0o755)
    return hooks, events


def modules_json(library, hooks, events, recorder_extra=()):
    def params(pairs):
        return [{"key": k, "value": v} for k, v in pairs]

    return {"libraries": [{"file": library, "modules": [
        {"name": "mesos_fleet_hooks_CommandHook1", "parameters": params([
            ("name", "recorder"),
            ("slavePostFetchHook_command", hooks + "/record.sh"),
            ("slavePostFetchHook_args", events),
            ("slaveRemoveExecutorHook_command", hooks + "/record.sh"),
            ("slaveRemoveExecutorHook_args", events),
            ("slaveAttributesDecorator_command", hooks + "/attributes.sh"),
            ("slaveTaskStatusDecorator_command", hooks + "/fail.sh"),
            ("slaveTaskStatusDecorator_failure", "open"),
        ] + list(recorder_extra))},
        {"name": "mesos_fleet_hooks_CommandHook2", "parameters": params([
            ("name", "decorators"),
            ("slaveExecutorEnvironmentDecorator_command",
             hooks + "/examples/env_injector.py"),
            ("slaveExecutorEnvironmentDecorator_args", "HOOK_TEST_VAR=from-the-hook"),
            ("slaveExecutorEnvironmentDecorator_mode", "persistent"),
            ("slaveRunTaskLabelDecorator_command", hooks + "/examples/label_decorator.py"),
            ("slaveRunTaskLabelDecorator_args", "owner=platform"),
            ("slavePreLaunchDockerTaskExecutorDecorator_command",
             hooks + "/examples/docker_policy.py"),
            ("slavePreLaunchDockerTaskExecutorDecorator_args", "--allow /data"),
            ("slavePreLaunchDockerTaskExecutorDecorator_failure", "closed"),
        ])},
    ]}]}


def master_modules_json(library, hooks, events):
    params = [
        ("name", "master"),
        ("masterLaunchTaskLabelDecorator_command", hooks + "/examples/label_decorator.py"),
        ("masterLaunchTaskLabelDecorator_args", "placed_by=master"),
        ("masterLaunchTaskResourceDecorator_command", hooks + "/record.sh"),
        ("masterLaunchTaskResourceDecorator_args", events),
    ]
    return {"libraries": [{"file": library, "modules": [
        {"name": "mesos_fleet_hooks_CommandHook1",
         "parameters": [{"key": k, "value": v} for k, v in params]}]}]}


def agent_argv(root, master, port, modules_file,
               hooks="mesos_fleet_hooks_CommandHook1,mesos_fleet_hooks_CommandHook2"):
    return [_binary("mesos-agent"), "--master=" + master, "--ip=127.0.0.1",
            "--port=%d" % port, "--work_dir=" + os.path.join(root, "agent"),
            "--runtime_dir=" + os.path.join(root, "agent-run"),
            "--launcher=posix", "--isolation=posix/cpu,posix/mem",
            "--containerizers=mesos", "--no-systemd_enable_support",
            "--launcher_dir=" + os.path.join(PREFIX, "libexec", "mesos"),
            "--resources=cpus:2;mem:1024;disk:1024",
            "--modules=file://" + modules_file,
            "--hooks=" + hooks]


def test_hooks_fire_in_a_real_agent(root):
    hooks, events = install_commands(root)
    modules_file = os.path.join(root, "modules.json")
    write(modules_file, json.dumps(modules_json(LIBRARY, hooks, events)), 0o644)

    cluster = Cluster(root)
    master_port, agent_port = free_port(), free_port()
    master = "127.0.0.1:%d" % master_port
    agent_url = "http://127.0.0.1:%d" % agent_port
    try:
        master_modules = os.path.join(root, "master-modules.json")
        write(master_modules, json.dumps(master_modules_json(LIBRARY, hooks, events)),
              0o644)
        cluster.start("master", [_binary("mesos-master"), "--ip=127.0.0.1",
                                 "--port=%d" % master_port, "--registry=in_memory",
                                 "--work_dir=" + os.path.join(root, "master"),
                                 "--modules=file://" + master_modules,
                                 "--hooks=mesos_fleet_hooks_CommandHook1"])
        agent = cluster.start("agent", agent_argv(root, master, agent_port, modules_file))
        wait_for(lambda: get_json("http://%s/slaves" % master)["slaves"], 60,
                 "the agent to register\n" + cluster.log("agent")[-3000:])
        assert agent.poll() is None

        # The attribute decorator ran at agent start.
        attributes = get_json(agent_url + "/state")["attributes"]
        assert attributes.get("hooked") == "yes", attributes

        done = subprocess.run(
            [_binary("mesos-execute"), "--master=" + master, "--name=hooked-task",
             "--command=echo INJECTED=$HOOK_TEST_VAR", "--resources=cpus:0.1;mem:32"],
            capture_output=True, text=True, timeout=120, env=cluster.env, check=False)
        assert "TASK_FINISHED" in done.stdout, done.stdout + done.stderr

        # The environment decorator's variable reached the task.
        stdout_files = glob.glob(os.path.join(
            root, "agent/slaves/*/frameworks/*/executors/*/runs/latest/stdout"))
        assert stdout_files
        assert "INJECTED=from-the-hook" in open(stdout_files[0]).read()

        # The label decorator's labels are on the task.
        def task_labels():
            state = get_json(agent_url + "/state")
            for framework in state["completed_frameworks"] + state["frameworks"]:
                for executor in (framework["completed_executors"]
                                 + framework["executors"]):
                    for task in executor["completed_tasks"] + executor["tasks"]:
                        if task["name"] == "hooked-task":
                            return {l["key"]: l["value"] for l in task.get("labels", [])}
            return {}
        labels = task_labels()
        assert labels.get("owner") == "platform", labels
        assert labels.get("agent_hostname"), labels
        assert labels.get("placed_by") == "master", labels  # master-side hook

        master_metrics = get_json("http://%s/metrics/snapshot" % master)
        assert master_metrics["command_hook/master/masterLaunchTaskLabelDecorator/calls"] >= 1
        assert master_metrics[
            "command_hook/master/masterLaunchTaskResourceDecorator/calls"] >= 1
        resources_event = json.load(open(
            glob.glob(events + "/masterLaunchTaskResourceDecorator.*.json")[0]))
        assert resources_event["taskInfo"]["name"] == "hooked-task"
        assert any(r["name"] == "cpus" for r in resources_event["slaveResources"])

        # Post-fetch and remove-executor events were handed over as JSON.
        wait_for(lambda: glob.glob(events + "/slaveRemoveExecutorHook.*.json"), 30,
                 "the remove-executor hook")
        fetched = json.load(open(glob.glob(events + "/slavePostFetchHook.*.json")[0]))
        assert fetched["method"] == "slavePostFetchHook"
        assert fetched["containerId"]["value"] and fetched["directory"].startswith(root)
        removed = json.load(open(glob.glob(events + "/slaveRemoveExecutorHook.*.json")[0]))
        assert removed["frameworkInfo"]["name"]
        assert removed["executorInfo"]["executor_id"]["value"]

        # Metrics, including the fail-open errors of the status decorator.
        metrics = get_json(agent_url + "/metrics/snapshot")
        for method in ("slavePostFetchHook", "slaveRemoveExecutorHook",
                       "slaveAttributesDecorator", "slaveTaskStatusDecorator"):
            assert metrics["command_hook/recorder/%s/calls" % method] >= 1, method
        assert metrics["command_hook/recorder/slaveTaskStatusDecorator/errors"] >= 1
        assert metrics["command_hook/recorder/slavePostFetchHook/errors"] == 0
        assert metrics["command_hook/decorators/slaveExecutorEnvironmentDecorator/calls"] >= 1
        assert "command_hook/decorators/slaveRunTaskLabelDecorator/latency_ms" in metrics
        # Percentiles need two samples in the window; the status decorator has them.
        assert metrics["command_hook/recorder/slaveTaskStatusDecorator/calls"] >= 2
        assert "command_hook/recorder/slaveTaskStatusDecorator/latency_ms/p99" in metrics
        assert "status check unavailable" in cluster.log("agent")
        assert agent.poll() is None
    finally:
        cluster.stop()


def test_agent_refuses_bad_parameters(root):
    hooks, events = install_commands(root)
    modules_file = os.path.join(root, "modules.json")
    write(modules_file, json.dumps(modules_json(
        LIBRARY, hooks, events, [("slavePostFetchHook_timeout_ms", "soon")])), 0o644)
    cluster = Cluster(root)
    try:
        agent = cluster.start("agent", agent_argv(root, "127.0.0.1:%d" % free_port(),
                                                  free_port(), modules_file))
        assert agent.wait(timeout=60) != 0
        log = cluster.log("agent")
        assert "'slavePostFetchHook_timeout_ms' must be a whole number" in log, log[-2000:]
        assert "Error installing hooks" in log, log[-2000:]
    finally:
        cluster.stop()


STUCK_METHODS = ("slaveRunTaskLabelDecorator", "slaveExecutorEnvironmentDecorator",
                 "slavePostFetchHook", "slaveTaskStatusDecorator", "slaveRemoveExecutorHook")


def test_hook_that_times_out_on_every_call_leaves_the_agent_working(root):
    # Every method's command ignores SIGTERM and never answers: each call must be cut off
    # after its timeout, the task must still run and finish, and the metrics must say so.
    hooks = os.path.join(root, "hooks")
    os.makedirs(hooks)
    os.chmod(hooks, 0o755)
    write(os.path.join(hooks, "stuck.sh"), "#!/bin/sh\ntrap '' TERM\nexec sleep 3131\n", 0o755)
    params = [("name", "stuck")]
    for method in STUCK_METHODS:
        params += [(method + "_command", hooks + "/stuck.sh"),
                   (method + "_timeout_ms", "300"), (method + "_kill_grace_ms", "200"),
                   (method + "_failure", "open")]
    modules_file = os.path.join(root, "modules.json")
    write(modules_file, json.dumps({"libraries": [{"file": LIBRARY, "modules": [
        {"name": "mesos_fleet_hooks_CommandHook1",
         "parameters": [{"key": k, "value": v} for k, v in params]}]}]}), 0o644)

    cluster = Cluster(root)
    master_port, agent_port = free_port(), free_port()
    master = "127.0.0.1:%d" % master_port
    agent_url = "http://127.0.0.1:%d" % agent_port
    try:
        cluster.start("master", [_binary("mesos-master"), "--ip=127.0.0.1",
                                 "--port=%d" % master_port, "--registry=in_memory",
                                 "--work_dir=" + os.path.join(root, "master")])
        agent = cluster.start("agent", agent_argv(root, master, agent_port, modules_file,
                                                  hooks="mesos_fleet_hooks_CommandHook1"))
        wait_for(lambda: get_json("http://%s/slaves" % master)["slaves"], 60,
                 "the agent to register\n" + cluster.log("agent")[-3000:])

        started = time.monotonic()
        done = subprocess.run(
            [_binary("mesos-execute"), "--master=" + master, "--name=stuck-hooks",
             "--command=echo still-working", "--resources=cpus:0.1;mem:32"],
            capture_output=True, text=True, timeout=120, env=cluster.env, check=False)
        assert "TASK_FINISHED" in done.stdout, done.stdout + done.stderr
        elapsed = time.monotonic() - started

        wait_for(lambda: get_json(agent_url + "/metrics/snapshot").get(
            "command_hook/stuck/slaveRemoveExecutorHook/timeouts", 0) >= 1, 30,
            "the remove-executor hook to time out")
        metrics = get_json(agent_url + "/metrics/snapshot")
        for method in STUCK_METHODS:
            calls = metrics["command_hook/stuck/%s/calls" % method]
            assert calls >= 1, method
            assert metrics["command_hook/stuck/%s/timeouts" % method] == calls, method
            assert metrics["command_hook/stuck/%s/errors" % method] == calls, method
        assert agent.poll() is None
        # Every stuck command was killed, none left running under the agent.
        time.sleep(0.5)
        left = [pid for pid in os.listdir("/proc") if pid.isdigit()
                and b"3131" in open("/proc/%s/cmdline" % pid, "rb").read()]
        assert left == [], left
        print("task finished in %.1f s with every hook call timing out" % elapsed)
    finally:
        cluster.stop()
