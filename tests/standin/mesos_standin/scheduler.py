"""mesos-standin-scheduler: a framework for the stand-in masters (test only).

    mesos-standin-scheduler --master=HOST:PORT|zk://HOST:PORT[,...]/PATH|file://PATH
        [--name=NAME] [--user=USER] [--failover_timeout=SECS] [--framework_id_file=PATH]
        [--task=ID ...] [--agent_id=ID] [--command=CMD] [--zk_session_timeout=10secs]

It subscribes through the v1 scheduler API (POST /api/v1/scheduler, SUBSCRIBE) to the leading
master, found through ZooKeeper as the scheduler library finds it (src/scheduler/scheduler.cpp
and src/sched/sched.cpp detect the leader with the same master detector as the agent), holds the
streaming connection, and launches each --task once through that master. When the connection
ends (the master stopped, or another one leads) it subscribes again, to the leader it detects
then, with the FrameworkID it was given (src/sched/sched.cpp re-registers with its framework ID
after a new master is detected; the v1 library leaves that to the scheduler, which sends
SUBSCRIBE with framework_info.id). With --framework_id_file the ID is kept there, so a restarted
scheduler comes back as the same framework, as Marathon does with the ID it stores.
--failover_timeout (default 1 week, as Marathon's) is how long the master keeps the framework
and its tasks after the connection drops (master.cpp _exited()).
"""

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time

from . import libprocess, zookeeper
from .common import Exit, exit_with, http_json, log, parse_duration


class Scheduler:
    def __init__(self, args):
        self.args = args
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.framework_id = None
        self.detector = None
        self.connection = None
        self.connected_to = None
        self.launched = set()
        if args.framework_id_file and os.path.exists(args.framework_id_file):
            with open(args.framework_id_file) as f:
                self.framework_id = f.read().strip() or None

    def master_url(self):
        """The leading master: from ZooKeeper (its PID's address), else --master."""
        if self.detector is not None:
            leader = self.detector.leader
            return None if leader is None else "http://" + leader["pid"].split("@")[-1]
        master = self.args.master
        if master.startswith("file://"):
            with open(master[len("file://"):]) as f:
                master = f.read().strip()
        return "http://" + master.split("@")[-1]

    def framework_info(self):
        info = {"user": self.args.user, "name": self.args.name, "checkpoint": True,
                "failover_timeout": self.args.failover_timeout, "hostname": socket.gethostname()}
        if self.framework_id:
            info["id"] = {"value": self.framework_id}
        return info

    def run(self):
        while not self.stopping.is_set():
            try:
                url = self.master_url()
            except OSError as e:
                log("E", "Failed to detect a master: %s" % e)
                url = None
            if url is None:
                self.wait(1.0)
                continue
            try:
                self.subscribe(url)
            except (OSError, ValueError) as e:
                if not self.stopping.is_set():
                    log("W", "Connection to the master at %s failed: %s" % (url, e))
            finally:
                self.connection = self.connected_to = None
            if not self.stopping.is_set():
                log("I", "Disconnected from the master at %s; subscribing again" % url)
                self.wait(1.0)

    def wait(self, seconds):
        self.wake.wait(seconds)
        self.wake.clear()

    def subscribe(self, url):
        call = {"type": "SUBSCRIBE", "subscribe": {"framework_info": self.framework_info()}}
        if self.framework_id:
            call["framework_id"] = {"value": self.framework_id}
        conn, path = libprocess.connect(url + "/api/v1/scheduler", timeout=5)
        self.connection, self.connected_to = conn, url
        try:
            conn.request("POST", path, body=json.dumps(call).encode(), headers={
                "Content-Type": "application/json", "Accept": "application/json"})
            response = conn.getresponse()
            if response.status != 200:
                # 307 from a master that does not lead (a detector that is behind), 503 while
                # it recovers: try again, with what the detector says then.
                raise ValueError("%d %s %s" % (response.status, response.reason,
                                               response.getheader("Location") or
                                               response.read().decode(errors="replace")))
            # Held open: nothing is read but the stream, however long it stays quiet.
            conn.sock.settimeout(None)
            while not self.stopping.is_set():
                line = response.readline()
                if not line:
                    return
                event = json.loads(response.read(int(line)))
                self.handle(event, url)
        finally:
            conn.close()

    def handle(self, event, url):
        kind = event.get("type")
        if kind == "SUBSCRIBED":
            self.framework_id = event["subscribed"]["framework_id"]["value"]
            if self.args.framework_id_file:
                tmp = self.args.framework_id_file + ".tmp"
                with open(tmp, "w") as f:
                    f.write(self.framework_id + "\n")
                os.replace(tmp, self.args.framework_id_file)
            log("I", "Subscribed with master %s as framework %s" % (
                event["subscribed"].get("master_info", {}).get("pid"), self.framework_id))
            threading.Thread(target=self.launch_tasks, args=(url,), daemon=True).start()
        elif kind == "ERROR":
            message = event.get("error", {}).get("message")
            log("E", "Received an ERROR event: %s" % message)
            if message == "Framework has been removed":
                exit_with(Exit("Framework %s has been removed" % self.framework_id))
                os._exit(1)
        elif kind != "HEARTBEAT":
            log("I", "Received a %s event" % kind)

    def launch_tasks(self, url):
        """Each --task, once (the stand-in has no offers: the master picks the agent unless
        --agent_id names one); retried while no agent is active."""
        while not self.stopping.is_set() and self.connected_to == url:
            pending = [t for t in self.args.task if t not in self.launched]
            if not pending:
                return
            for task_id in pending:
                spec = {"framework_id": self.framework_id, "task_id": task_id}
                if self.args.agent_id:
                    spec["agent_id"] = self.args.agent_id
                if self.args.command:
                    spec["command"] = self.args.command
                try:
                    status, body = http_json(url + "/standin/launch", spec, timeout=5)
                except OSError as e:
                    status, body = None, str(e)
                if status == 200 or (status == 400 and "already used" in str(body)):
                    self.launched.add(task_id)
                    log("I", "Task %s launched" % task_id)
                else:
                    log("W", "Failed to launch task %s: %s %s" % (task_id, status, body))
            self.stopping.wait(1.0)

    def watch_leader(self):
        """A new leader detected ends the connection to the old one (its socket is shut)."""
        while not self.stopping.wait(0.2):
            conn, url = self.connection, self.connected_to
            if conn is None or url is None:
                continue
            try:
                current = self.master_url()
            except OSError:
                continue
            if current != url and conn.sock is not None:
                log("I", "New master detected: %s" % current)
                try:
                    conn.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.stopping.set()
        self.wake.set()
        conn = self.connection
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def parse_args(argv):
    p = argparse.ArgumentParser(prog="mesos-standin-scheduler", description=__doc__.split("\n\n")[1])
    p.add_argument("--master", required=True)
    p.add_argument("--name", default="mesos-standin-scheduler")
    p.add_argument("--user", default="root")
    p.add_argument("--failover_timeout", type=float, default=604800.0)
    p.add_argument("--framework_id_file")
    p.add_argument("--task", action="append", default=[])
    p.add_argument("--agent_id")
    p.add_argument("--command")
    p.add_argument("--zk_session_timeout", default="10secs")
    return p.parse_args(argv)


def main(argv, prefix=None):
    args = parse_args(argv)
    scheduler = Scheduler(args)
    try:
        libprocess.use_tls(libprocess.initialize_tls())
        try:
            url = zookeeper.resolve(args.master)
        except ValueError as e:
            raise Exit("Failed to create a master detector: %s" % e)
        if url is not None:
            group = zookeeper.Group(url, parse_duration(args.zk_session_timeout))
            group.start()

            def failed(message):
                exit_with(Exit("Failed to detect a master: %s" % message))
                os._exit(1)

            scheduler.detector = zookeeper.LeaderDetector(
                group, lambda leader, members: scheduler.wake.set(), failed, scheduler.stopping)
            scheduler.detector.start()
    except Exit as e:
        return exit_with(e)

    def shutdown(signum, frame):
        log("I", "Received signal %d; exiting" % signum)
        scheduler.stop()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    threading.Thread(target=scheduler.watch_leader, daemon=True).start()
    log("I", "Scheduler %s starting (framework %s)" % (args.name, scheduler.framework_id or "new"))
    worker = threading.Thread(target=scheduler.run, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.5)
    # Leave without kazoo's exit handlers, as the daemons do.
    sys.stdout.flush()
    os._exit(0)
