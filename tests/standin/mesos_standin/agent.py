"""mesos-agent of the stand-in.

Start-up follows the real agent: flags (MESOS_* environment, then command
line), modules (--modules / --modules_dir), hooks (--hooks), recovery of the
checkpointed agent ID and tasks from --work_dir, HTTP on --port, then
(re-)registration with the master under the checkpointed agent ID.

Fake tasks (POST /standin/launch, or mesos-standin-task) are real processes
in their own session, checkpointed under the work dir: they outlive the
agent (under systemd only with KillMode=process) and are recovered by the
next agent. Their environment has passed through the hooks'
slaveExecutorEnvironmentDecorator and the isolator modules' prepare()
(containerizer.py).

With --master=zk://... (or a file:// holding one) the agent detects the leading master through
ZooKeeper (zookeeper.py) and re-registers with every new leader under its agent ID.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid

from . import containerizer as containerizers
from . import daemon, zookeeper
from .common import (AGENT_READONLY, AGENT_READWRITE, FRAMEWORK_NAME, TASK_COMMAND, Exit,
                     Response, Server, advertised_ip, atomic_write, exit_with, hostname_of,
                     http_authenticators, http_json, log, parse_duration, parse_labels)

FLAG_DEFAULTS = {
    "master": None, "zk_session_timeout": "10secs", "work_dir": None, "port": "5051", "ip": None, "hostname": None,
    "advertise_ip": None, "advertise_port": None,
    "modules": None, "modules_dir": None, "hooks": None,
    "executor_reregistration_timeout": "2secs", "executor_shutdown_grace_period": "5secs",
    "registration_backoff_factor": "1secs", "recover": "reconnect", "strict": "true",
    "isolation": "posix/cpu,posix/mem", "containerizers": "mesos", "launcher": "posix",
    "resources": None, "attributes": None, "default_role": "*",
    "log_dir": None, "logging_level": "INFO", "quiet": "false",
    "systemd_enable_support": "true", "systemd_runtime_directory": "/run/systemd/system",
    "cgroups_root": "mesos", "switch_user": "true", "hostname_lookup": "true",
    "gc_delay": "1weeks", "fetcher_cache_dir": "/tmp/mesos/fetch",
    "executor_environment_variables": None, "image_providers": None,
    "authenticate_http_readonly": "false", "authenticate_http_readwrite": "false",
    "http_credentials": None, "http_authenticators": None,
    "help": "false", "version": "false",
}
BOOLEANS = ("strict", "quiet", "systemd_enable_support", "switch_user", "hostname_lookup",
            "authenticate_http_readonly", "authenticate_http_readwrite", "help", "version")

# Test-only faults, one name a line, read at start: <work_dir>/standin-fault applies to every
# start while it exists, <work_dir>/standin-fault.once to the next start only (it is removed).
#   no-register   never (re-)register with the master (the gate timeout case)
#   new-agent-id  start as a new agent, as a real one does once its "latest" checkpoint link
#                 is gone: the old ID's running tasks are killed as orphans, and the new ID is
#                 checkpointed, so every later start recovers the new ID, not the old one
FAULTS = ("no-register", "new-agent-id")


def read_faults(work_dir):
    faults = []
    for name in ("standin-fault", "standin-fault.once"):
        path = os.path.join(work_dir, name)
        try:
            with open(path) as f:
                words = f.read().split()
        except OSError:
            continue
        if name.endswith(".once"):
            os.unlink(path)
        unknown = [w for w in words if w not in FAULTS]
        if unknown:
            raise Exit("Unknown stand-in fault(s) in %s: %s" % (path, ", ".join(unknown)))
        faults.extend(words)
    for fault in faults:
        log("W", "Stand-in fault injected: %s" % fault)
    return set(faults)


TERMINAL = ("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST")
CHECKPOINT_KEYS = ("task_id", "framework_id", "container_id", "pid", "start_time",
                   "directory", "state", "statuses")


def proc_start_time(pid):
    """Start time of pid (clock ticks since boot), None if gone or a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def parse_scalar_resources(text):
    """--resources as 'name:value;...' (src/common/resources.cpp Resources::parse), the scalar
    ones only, as Resource objects in JSON; the stand-in detects no resources of the host."""
    resources = []
    for item in (text or "").split(";"):
        name, _, value = item.partition(":")
        try:
            resources.append({"name": name.strip(), "type": "SCALAR",
                              "scalar": {"value": float(value)}})
        except ValueError:
            continue
    return resources


class Task:
    def __init__(self, record, process=None):
        self.record = record      # checkpointed JSON
        self.process = process    # Popen when this agent started it

    def __getattr__(self, name):
        try:
            return self.record[name]
        except KeyError:
            raise AttributeError(name)

    def alive(self):
        return proc_start_time(self.record["pid"]) == self.record["start_time"]


def recovery_failure(error, latest):
    """src/slave/slave.cpp Slave::__recover(): how a failed recovery ends the agent."""
    return Exit(
        "Failed to perform recovery: %s\n"
        "If recovery failed due to a change in configuration and you want to\n"
        "keep the current agent id, you might want to change the\n"
        "`--reconfiguration_policy` flag to a more permissive value.\n"
        "\n"
        "To restart this agent with a new agent id instead, do as follows:\n"
        "rm -f %s\n"
        "This ensures that the agent does not recover old live executors.\n"
        "\n"
        "If you use the Docker containerizer and think that the Docker\n"
        "daemon state is broken, you can try to clear it. But be careful:\n"
        "these commands will erase all containers and images from this host,\n"
        "not just those started by Mesos!\n"
        "docker kill $(docker ps -q)\n"
        "docker rm $(docker ps -a -q)\n"
        "docker rmi $(docker images -q)\n"
        "\n"
        "Finally, restart the agent." % (error, latest))


class Agent:
    def __init__(self, flags, version, hooks, modules_text, containerizer=None):
        self.flags = flags
        self.version = version
        self.hooks = hooks
        self.containerizer = containerizer or containerizers.Containerizer(None, [])
        self.modules_text = modules_text
        self.work_dir = os.path.abspath(flags.get("work_dir"))
        self.hostname = hostname_of(flags)
        self.ip = advertised_ip(flags)
        self.port = int(flags.get("advertise_port") or flags.get("port"))
        self.pid = "slave(1)@%s:%d" % (self.ip, self.port)
        self.start_time = time.time()
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.agent_id = None
        # Mesos's Slave::state: RECOVERING until recovery ends, then a master is detected
        # (slave/registered turns 1) and, later, the master answers the (re-)registration.
        self.recovering = True
        self.master_detected = False
        self.registered = False
        self.master_pid = None
        self.ping_interval = 1.0
        self.recovery_errors = 0
        self.tasks = {}           # task id -> Task
        self.framework_id = None
        self.faults = set()
        self.resources = parse_scalar_resources(flags.get("resources"))
        self.detector = None      # zookeeper.LeaderDetector with a zk:// master
        self.detected_leader = None
        self.wake = threading.Event()

    def sleep(self, seconds):
        """Waits, or less when the agent stops or ZooKeeper shows another leader."""
        self.wake.wait(seconds)
        self.wake.clear()

    def detect_with_zookeeper(self, url):
        """src/slave/main.cpp: a ZooKeeper master detector (src/master/detector/zookeeper.cpp),
        watching from the start; the agent reads it once recovered."""
        group = zookeeper.Group(url, parse_duration(self.flags.get("zk_session_timeout")))
        group.start()

        def failed(message):
            # src/slave/slave.cpp detected(): a failed detection ends the agent.
            exit_with(Exit("Failed to detect a master: %s" % message))
            os._exit(1)

        self.detector = zookeeper.LeaderDetector(
            group, lambda leader, members: self.wake.set(), failed, self.stopping)
        self.detector.start()

    # --- checkpoints ---

    def meta_dir(self, agent_id=None):
        return os.path.join(self.work_dir, "meta", "slaves", agent_id or self.agent_id)

    def recover(self):
        latest = os.path.join(self.work_dir, "meta", "slaves", "latest")
        if "new-agent-id" in self.faults and os.path.islink(latest):
            self.destroy_orphans(os.readlink(latest))
        if "new-agent-id" in self.faults or not os.path.islink(latest):
            log("I", "No checkpointed agent info found; starting as a new agent")
            return 0
        self.agent_id = os.readlink(latest)
        log("I", "Recovering agent %s" % self.agent_id)
        tasks_dir = os.path.join(self.meta_dir(), "tasks")
        running = 0
        for name in sorted(os.listdir(tasks_dir)) if os.path.isdir(tasks_dir) else []:
            path = os.path.join(tasks_dir, name)
            try:
                with open(path) as f:
                    record = json.load(f)
                missing = [k for k in CHECKPOINT_KEYS if k not in record]
                if missing:
                    raise ValueError("missing " + ", ".join(missing))
                task = Task(record)
            except (OSError, ValueError, AttributeError) as e:
                error = "Failed to read task checkpoint '%s': %s" % (path, e)
                if self.flags.is_true("strict"):
                    raise recovery_failure(error, latest)
                # --no-strict: skip what cannot be read, and count it.
                self.recovery_errors += 1
                log("E", error)
                continue
            self.framework_id = record["framework_id"]
            self.tasks[record["task_id"]] = task
        # src/slave/containerizer/mesos/containerizer.cpp recover(): every checkpointed
        # executor run that is not completed and has a pid is a container to recover, whether
        # its process still runs or not; recoverIsolators() hands them all to every isolator
        # of the *current* --isolation (nothing records which isolators a container was
        # launched with), and any failure fails the agent's recovery (Slave::__recover()).
        containers = [t for t in self.tasks.values() if t.state == "TASK_RUNNING"]
        failure = self.containerizer.recover([t.record for t in containers])
        if failure is not None:
            raise recovery_failure(failure, latest)
        for task in containers:
            if task.alive():
                running += 1
            else:
                # The reaper finds the pid gone: the container is destroyed (isolators cleaned
                # up) and the executor's tasks fail.
                self.containerizer.cleanup(task.container_id)
                self.update(task, "TASK_FAILED", "Executor terminated while the agent was down")
        log("I", "Recovered %d running task(s)" % running)
        return running

    def destroy_orphans(self, old_id):
        """Without a checkpointed agent to recover, every container still running is an orphan
        the containerizer destroys at recovery (src/slave/containerizer/mesos/containerizer.cpp
        __recover: "Cleaning up orphan container")."""
        tasks_dir = os.path.join(self.meta_dir(old_id), "tasks")
        for name in sorted(os.listdir(tasks_dir)) if os.path.isdir(tasks_dir) else []:
            try:
                with open(os.path.join(tasks_dir, name)) as f:
                    task = Task(json.load(f))
                if task.state == "TASK_RUNNING" and task.alive():
                    log("I", "Cleaning up orphan container of task %s" % task.task_id)
                    os.killpg(task.pid, signal.SIGKILL)
            except (OSError, ValueError, KeyError, AttributeError):
                continue

    def checkpoint(self, task):
        atomic_write(os.path.join(self.meta_dir(), "tasks", task.task_id + ".json"),
                     json.dumps(task.record, indent=1))

    def checkpoint_agent_id(self, agent_id):
        meta = self.meta_dir(agent_id)
        atomic_write(os.path.join(meta, "slave.info"), json.dumps(
            {"id": agent_id, "hostname": self.hostname, "port": self.port}))
        latest = os.path.join(self.work_dir, "meta", "slaves", "latest")
        tmp = latest + ".tmp"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(agent_id, tmp)
        os.replace(tmp, latest)

    def update(self, task, state, message=""):
        with self.lock:
            task.record["state"] = state
            task.record["statuses"].append(
                {"state": state, "timestamp": time.time(), "message": message})
            self.checkpoint(task)
        log("I", "Task %s is now %s%s" % (task.task_id, state, ": " + message if message else ""))

    # --- registration ---

    def master_url(self):
        if self.detector is not None:
            leader = self.detector.leader
            # The agent talks to the leader's PID (slave.cpp detected(): master = UPID(pid)).
            return None if leader is None else "http://" + leader["pid"].split("@")[-1]
        master = self.flags.get("master")
        if master.startswith("file://"):
            with open(master[len("file://"):]) as f:
                master = f.read().strip()
        if master.startswith("zk://"):
            raise Exit("The Mesos stand-in has no ZooKeeper support: --master=%s" % master)
        return "http://" + master.split("@")[-1]

    def registration_loop(self, wait_for_executors):
        if wait_for_executors:
            # With recovered frameworks, a real agent ends its recovery only when
            # --executor_reregistration_timeout expires (src/slave/slave.cpp _recover() and
            # reregisterExecutorTimeout(), MESOS-7539), however soon its executors are back.
            self.stopping.wait(parse_duration(self.flags.get("executor_reregistration_timeout")))
        self.recovering = False
        backoff = min(parse_duration(self.flags.get("registration_backoff_factor")), 1.0)
        while not self.stopping.is_set():
            try:
                url = self.master_url()
            except (OSError, Exit) as e:
                log("E", "Failed to detect the master: %s" % e)
                self.stopping.wait(1.0)
                continue
            if self.detector is not None:
                # src/slave/slave.cpp detected(): each new leader (or none) ends the current
                # registration; the agent re-registers with the new one under its ID.
                leader = self.detector.leader
                if leader != self.detected_leader:
                    self.detected_leader = leader
                    self.registered = False
                    if leader is None:
                        log("I", "Lost leading master")
                    else:
                        log("I", "New master detected at %s" % leader.get("pid"))
                # slave/registered: master.isSome() (src/slave/slave.hpp _registered()).
                self.master_detected = leader is not None
                if leader is None:
                    self.sleep(1.0)
                    continue
            else:
                # A --master=host:port is detected at once; slave/registered says only that
                # (src/slave/slave.hpp _registered(): master.isSome()).
                self.master_detected = True
            if "no-register" in self.faults:
                if self.detector is None:
                    return
                self.sleep(1.0)
                continue
            if not self.registered:
                self.register(url)
                self.sleep(backoff if not self.registered else self.ping_interval)
            else:
                self.ping(url)
                self.sleep(self.ping_interval)

    def framework_info(self, task):
        """The FrameworkInfo the agent holds for a task's framework: the one its
        RunTaskMessage brought (checkpointed with the task), else the stand-in's own."""
        return task.record.get("framework") or {
            "id": {"value": task.framework_id}, "name": FRAMEWORK_NAME, "user": "root",
            "checkpoint": True, "failover_timeout": 0}

    def register(self, url):
        payload = {"agent_id": self.agent_id, "hostname": self.hostname, "ip": self.ip,
                   "port": self.port, "pid": self.pid, "version": self.version,
                   "resources": self.resources}
        if self.agent_id is not None:
            # src/slave/slave.cpp doReliableRegistration(): a re-registration carries the
            # agent's live tasks and the FrameworkInfo of each of their frameworks.
            with self.lock:
                live = [t for t in self.tasks.values() if t.state not in TERMINAL]
                payload["tasks"] = [dict({"task_id": t.task_id, "framework_id": t.framework_id,
                                          "state": t.state,
                                          "resources": t.record.get("resources") or []},
                                         **({"labels": t.record["labels"]}
                                            if t.record.get("labels") is not None else {}))
                                    for t in live]
                frameworks = {}
                for t in live:
                    frameworks.setdefault(t.framework_id, self.framework_info(t))
                payload["frameworks"] = list(frameworks.values())
        try:
            status, body = http_json(url + "/standin/register", payload, timeout=2)
        except OSError as e:
            log("W", "Failed to register with the master at %s: %s" % (url, e))
            return
        if status != 200:
            log("W", "Master at %s refused registration: %s %s" % (url, status, body))
            return
        with self.lock:
            first = self.agent_id is None
            if first:
                # src/slave/slave.cpp registered(): the new SlaveInfo is checkpointed and "latest"
                # points at it (src/slave/paths.cpp createSlaveDirectory).
                self.checkpoint_agent_id(body["agent_id"])
                self.agent_id = body["agent_id"]
            self.master_pid = body["pid"]
            # The master's pace; one that does not say gets a ping every second.
            self.ping_interval = float(body.get("ping_interval") or 1.0)
            self.registered = True
        if first:
            log("I", "Registered with master %s; given agent ID %s" % (body["pid"], self.agent_id))
        else:
            log("I", "Re-registered with master %s" % body["pid"])

    def ping(self, url):
        try:
            status, _ = http_json(url + "/standin/ping", {"agent_id": self.agent_id}, timeout=2)
        except OSError as e:
            status = "unreachable (%s)" % e
        if status != 200:
            log("W", "Lost the master (%s); re-registering" % status)
            self.registered = False

    def notify_exit(self):
        if not self.registered:
            return
        try:
            url = self.master_url()
            if url is not None:
                http_json(url + "/standin/exited", {"agent_id": self.agent_id}, timeout=1)
        except (OSError, Exit):
            pass

    # --- tasks ---

    def launch(self, request):
        try:
            spec = request.json() or {}
            assert isinstance(spec, dict)
        except (ValueError, AssertionError):
            return Response(400, "Expecting a JSON object")
        with self.lock:
            if not self.registered or self.agent_id is None:
                return Response(503, "Agent is not registered with a master yet")
            task_id = str(spec.get("task_id") or "task-" + uuid.uuid4().hex[:12])
            if task_id in self.tasks or not re.fullmatch(r"[A-Za-z0-9_.-]+", task_id):
                return Response(400, "Task ID '%s' is invalid or already used" % task_id)
            try:
                labels = parse_labels(spec.get("labels"))
            except ValueError as e:
                return Response(400, str(e))
            command = str(spec.get("command") or TASK_COMMAND)
            environment = spec.get("environment")
            if environment is not None:
                environment = [(str(k), str(v)) for k, v in sorted(environment.items())]
            if self.framework_id is None:
                self.framework_id = "%s-0000" % self.agent_id.rsplit("-S", 1)[0]
            # A task launched through the master belongs to the master's framework.
            framework_id = str(spec.get("framework_id") or self.framework_id)
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", framework_id):
                return Response(400, "Framework ID '%s' is invalid" % framework_id)
            environment = self.hooks.executor_environment(environment)
            container_id = str(uuid.uuid4())
            sandbox = os.path.join(
                self.work_dir, "slaves", self.agent_id, "frameworks", framework_id,
                "executors", task_id, "runs", container_id)
            os.makedirs(sandbox, exist_ok=True)
            record = {
                "task_id": task_id, "framework_id": framework_id,
                "container_id": container_id, "command": command, "pid": 0,
                "start_time": None, "directory": sandbox, "state": "TASK_STAGING",
                "statuses": [],
            }
            if labels is not None:
                record["labels"] = labels
            if isinstance(spec.get("framework"), dict):
                record["framework"] = spec["framework"]
            if isinstance(spec.get("resources"), list):
                record["resources"] = spec["resources"]
            # src/slave/containerizer/mesos/containerizer.cpp launch(): prepare() of every
            # isolator, in order, before the process is forked; a failure fails the launch
            # (Slave::executorLaunched(): TASK_FAILED, "Failed to launch container: ...") and
            # the container is destroyed, which cleans up every isolator.
            try:
                isolator_environment = self.containerizer.prepare(dict(
                    record, environment=environment, resources=[
                        r for r in record.get("resources") or []
                        if isinstance(r, dict) and "scalar" in r]))
            except ValueError as e:
                self.containerizer.cleanup(container_id)
                task = Task(record)
                self.tasks[task_id] = task
                self.update(task, "TASK_FAILED", "Failed to launch container: %s" % e)
                log("E", "Failed to launch container %s for task %s: %s"
                    % (container_id, task_id, e))
                return Response(200, {"task_id": task_id, "state": "TASK_FAILED",
                                      "framework_id": framework_id, "agent_id": self.agent_id,
                                      "directory": sandbox})
            # _launch(): the environment is the agent's, then the isolators', then the
            # command's own (here after the hooks), each overriding the one before.
            env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "MESOS_AGENT_ENDPOINT": "%s:%d" % (self.ip, self.port),
                   "MESOS_FRAMEWORK_ID": framework_id, "MESOS_EXECUTOR_ID": task_id,
                   "MESOS_SLAVE_ID": self.agent_id, "MESOS_SANDBOX": sandbox,
                   "MESOS_DIRECTORY": sandbox, "MESOS_CHECKPOINT": "1"}
            env.update(dict(isolator_environment))
            env.update(dict(environment or []))
            with open(os.path.join(sandbox, "stdout"), "ab") as out, \
                    open(os.path.join(sandbox, "stderr"), "ab") as err:
                process = subprocess.Popen(
                    ["/bin/sh", "-c", command], cwd=sandbox, env=env, stdin=subprocess.DEVNULL,
                    stdout=out, stderr=err, start_new_session=True)
            record.update({
                "pid": process.pid, "start_time": proc_start_time(process.pid),
                "state": "TASK_RUNNING", "environment": sorted(env.items()),
                "statuses": [{"state": "TASK_RUNNING", "timestamp": time.time(), "message": ""}],
            })
            task = Task(record, process)
            self.tasks[task_id] = task
            self.checkpoint(task)
            # isolate(): every isolator with the forked pid (in Mesos before the exec); a failure
            # destroys the container.
            failure = self.containerizer.isolate(container_id, process.pid)
            if failure is not None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
                self.containerizer.cleanup(container_id)
                self.update(task, "TASK_FAILED", "Failed to launch container: %s" % failure)
                return Response(200, {"task_id": task_id, "state": "TASK_FAILED",
                                      "framework_id": framework_id, "agent_id": self.agent_id,
                                      "directory": sandbox})
        log("I", "Launched task %s (pid %d)" % (task_id, process.pid))
        return Response(200, {"task_id": task_id, "pid": process.pid, "state": "TASK_RUNNING",
                              "framework_id": framework_id, "agent_id": self.agent_id,
                              "directory": sandbox})

    def kill(self, request):
        try:
            task_id = (request.json() or {})["task_id"]
        except (ValueError, KeyError, TypeError):
            return Response(400, "Expecting {\"task_id\": ...}")
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                return Response(404, "Unknown task '%s'" % task_id)
            running = task.state == "TASK_RUNNING"
            if running and task.alive():
                try:
                    os.killpg(task.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            if task.state not in TERMINAL:
                self.update(task, "TASK_KILLED")
        if running:
            # destroy(): the isolators are cleaned up once the container's processes are gone.
            threading.Thread(target=self.cleanup_when_gone, args=(task,), daemon=True).start()
        return Response(200, {"task_id": task_id, "state": task.state})

    def cleanup_when_gone(self, task):
        deadline = time.time() + parse_duration(self.flags.get("executor_shutdown_grace_period"))
        while time.time() < deadline:
            if task.process is not None:
                if task.process.poll() is not None:
                    break
            elif not task.alive():
                break
            time.sleep(0.05)
        self.containerizer.cleanup(task.container_id)

    def monitor_loop(self):
        while not self.stopping.wait(0.5):
            with self.lock:
                for task in list(self.tasks.values()):
                    if task.state != "TASK_RUNNING":
                        continue
                    if task.process is not None:
                        code = task.process.poll()
                        if code is None:
                            continue
                        state = "TASK_FINISHED" if code == 0 else (
                            "TASK_KILLED" if code < 0 else "TASK_FAILED")
                        self.update(task, state, "Command exited with status %d" % code)
                    elif not task.alive():
                        self.update(task, "TASK_FAILED", "Executor terminated")
                    else:
                        continue
                    # The reaper saw the container's process end: destroy() cleans up every
                    # isolator (cleanupIsolators(), in reverse order).
                    self.containerizer.cleanup(task.container_id)

    # --- HTTP ---

    def flags_json(self):
        values = dict(self.flags.values)
        if self.modules_text is not None:
            values["modules"] = self.modules_text
        return values

    def task_json(self, task):
        result = {"id": task.task_id, "name": task.task_id, "framework_id": task.framework_id,
                  "executor_id": "", "slave_id": self.agent_id, "state": task.state,
                  "resources": {r["name"]: r["scalar"]["value"]
                                for r in task.record.get("resources") or []}, "statuses": [
                      {"state": s["state"], "timestamp": s["timestamp"]} for s in task.statuses]}
        # src/common/http.cpp json(Task): labels when the task has them, as an array.
        if task.record.get("labels") is not None:
            result["labels"] = task.record["labels"]
        return result

    def state(self, request):
        if self.recovering:
            # src/slave/http.cpp Http::state.
            return Response(503, "Agent has not finished recovery")
        with self.lock:
            frameworks = {}  # framework id -> (executors, completed executors)
            for task in self.tasks.values():
                executors, completed = frameworks.setdefault(task.framework_id, ([], []))
                executor = {
                    "id": task.task_id, "name": "Command Executor (Task: %s)" % task.task_id,
                    "source": task.task_id, "container": task.container_id,
                    "directory": task.directory, "type": "COMMAND",
                    "framework_id": task.framework_id, "resources": {},
                    "tasks": [], "queued_tasks": [], "completed_tasks": []}
                if task.state in TERMINAL:
                    executor["completed_tasks"].append(self.task_json(task))
                    completed.append(executor)
                else:
                    executor["tasks"].append(self.task_json(task))
                    executors.append(executor)
            infos = {}
            for task in self.tasks.values():
                infos.setdefault(task.framework_id, self.framework_info(task))
            # src/slave/http.cpp FrameworkWriter: the FrameworkInfo's fields.
            frameworks = [{
                "id": framework_id, "name": infos[framework_id].get("name", ""),
                "user": infos[framework_id].get("user", ""),
                "failover_timeout": infos[framework_id].get("failover_timeout", 0),
                "checkpoint": infos[framework_id].get("checkpoint", False), "role": "*",
                "hostname": infos[framework_id].get("hostname", ""),
                "executors": executors, "completed_executors": completed}
                for framework_id, (executors, completed) in frameworks.items()]
            state = {
                "version": self.version, "start_time": self.start_time,
                "id": self.agent_id or "", "pid": self.pid, "hostname": self.hostname,
                "capabilities": [], "resources": {}, "reserved_resources": {},
                "unreserved_resources": {}, "attributes": {}, "flags": self.flags_json(),
                "frameworks": frameworks, "completed_frameworks": []}
            if self.master_pid:
                state["master_hostname"] = self.master_pid.split("@")[-1].rsplit(":", 1)[0]
            return Response(200, state)

    def metrics(self, request):
        with self.lock:
            counts = {}
            for task in self.tasks.values():
                counts[task.state] = counts.get(task.state, 0) + 1
            return Response(200, {
                "slave/registered": 1.0 if self.master_detected else 0.0,
                "slave/recovery_errors": float(self.recovery_errors),
                "slave/uptime_secs": time.time() - self.start_time,
                "slave/tasks_running": float(counts.get("TASK_RUNNING", 0)),
                "slave/tasks_finished": float(counts.get("TASK_FINISHED", 0)),
                "slave/tasks_failed": float(counts.get("TASK_FAILED", 0)),
                "slave/tasks_killed": float(counts.get("TASK_KILLED", 0)),
                "slave/executors_running": float(counts.get("TASK_RUNNING", 0)),
            })

    def statistics(self, request):
        """/monitor/statistics (src/slave/http.cpp Http::_statistics()): one entry per running
        executor with the statistics of MesosContainerizerProcess::usage(): the isolators'
        usage() merged over the timestamp (the stand-in's built-in isolators report nothing;
        resource limits are not reproduced)."""
        with self.lock:
            running = [t for t in self.tasks.values() if t.state == "TASK_RUNNING"]
        entries = []
        for task in running:
            entries.append({
                "framework_id": task.framework_id, "executor_id": task.task_id,
                "executor_name": "Command Executor (Task: %s)" % task.task_id,
                "source": task.task_id,
                "statistics": self.containerizer.usage(task.container_id, time.time())})
        return Response(200, entries)

    def routes(self):
        # Realms as src/slave/slave.cpp routes them (/health has none); /metrics/snapshot is
        # libprocess's, in the read-only realm (3rdparty/libprocess/src/process.cpp).
        return {
            ("GET", "/health"): lambda r: Response(200, b""),
            ("GET", "/flags"): (AGENT_READONLY, lambda r: Response(200, {"flags": self.flags_json()})),
            ("GET", "/state"): (AGENT_READONLY, self.state),
            ("GET", "/state.json"): (AGENT_READONLY, self.state),
            ("GET", "/metrics/snapshot"): (AGENT_READONLY, self.metrics),
            ("GET", "/monitor/statistics"): (AGENT_READONLY, self.statistics),
            ("POST", "/standin/launch"): self.launch,
            ("POST", "/standin/kill"): self.kill,
        }


def main(argv, prefix):
    started = daemon.start("mesos-agent", FLAG_DEFAULTS, BOOLEANS, argv, prefix, required=(
        ("master", "Missing required option `--master`"),
        ("work_dir", "Flag 'work_dir' is required, but it was not provided")))
    if not isinstance(started, daemon.Startup):
        return started
    flags = started.flags
    try:
        # src/slave/main.cpp: the containerizer (and its isolators) is created after the
        # modules and hooks, before the agent starts and recovers.
        containerizer = containerizers.create(flags, started.modules)
    except Exit as e:
        return exit_with(e)
    agent = Agent(flags, started.libmesos.version, started.hooks, started.modules_text,
                  containerizer)
    try:
        agent.faults = read_faults(agent.work_dir)
        authenticators = http_authenticators(flags, "http_credentials", (
            ("authenticate_http_readonly", AGENT_READONLY),
            ("authenticate_http_readwrite", AGENT_READWRITE)))
        running = agent.recover()
        try:
            zk_url = zookeeper.resolve(flags.get("master"))
        except ValueError as e:
            if not flags.get("master").startswith("file://"):
                raise Exit("Failed to create a master detector: %s" % e)
            zk_url = None  # an unreadable file: read again at each detection, as before
    except Exit as e:
        return exit_with(e)
    server = Server(started.listener, agent.routes(), "/slave(1)", authenticators)

    def shutdown(signum, frame):
        log("I", "Received signal %d; exiting" % signum)
        agent.stopping.set()
        agent.wake.set()
        agent.notify_exit()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    if zk_url is not None:
        try:
            agent.detect_with_zookeeper(zk_url)
        except ValueError as e:
            return exit_with(Exit("Failed to create a master detector: %s" % e))
    threading.Thread(target=agent.registration_loop, args=(running > 0,), daemon=True).start()
    threading.Thread(target=agent.monitor_loop, daemon=True).start()
    # Like Mesos 1.11, nothing is logged about loaded modules or hooks.
    log("I", "Agent started on %s" % agent.pid)
    server.serve_forever(poll_interval=0.2)
    if agent.detector is not None:
        # Leave at once, without kazoo's exit handlers: like a Mesos daemon that a signal
        # ends, the ZooKeeper session is not closed and times out on the server.
        os._exit(0)
    return 0
