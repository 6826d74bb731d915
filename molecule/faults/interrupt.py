#!/usr/bin/env python3
"""Run a command and press Ctrl-C on it once a given host's rollout has reached a given step
(the step its rollout call notes in the host's lock), or run another command at that moment
instead (--run, e.g. to cut that host's ssh).

    interrupt.py --step restart --host agent1 -- ansible-playbook ...
    interrupt.py --step restart --host agent2 --run 'podman exec agent2 pkill -x sshd' -- ansible-playbook ...
    interrupt.py --step released --host agent1 --run '...' -- ...   (once agent1's call has ended)

The host is a podman container of that name; its lock is read with podman exec every 0.2 s.

Like Ctrl-C in a terminal, SIGINT goes to the command's whole process group (ansible-playbook,
its workers and their ssh); with --run, that group is stopped (SIGSTOP) until the other command
returns. ansible-playbook sometimes hangs after the first Ctrl-C (seen once in this scenario:
the main process waiting on a lock, a worker gone); an operator then presses Ctrl-C again, and
so does this script after 20 s, and kills the group after 20 s more.
Prints the output as it comes, then a last line `interrupted: yes|no` (whether the moment
came), and exits with the command's status.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time


def insist(proc, wait=20):
    """Ctrl-C again, then kill, if the command does not end after the first Ctrl-C."""
    for sig in (signal.SIGINT, signal.SIGKILL):
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return
            time.sleep(0.5)
        sys.stdout.write("interrupt.py: still running after %d s, sending %s\n" % (wait, sig.name))
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return


LOCK = "/var/lib/mesos-fleet-hooks/rollout.lock"


def step_of(host):
    """The step the rollout holding ``host`` has reached, or None."""
    read = subprocess.run(["podman", "exec", host, "cat", LOCK], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, universal_newlines=True, check=False)
    try:
        return json.loads(read.stdout).get("step") if read.returncode == 0 else None
    except ValueError:
        return None


def act(proc, args):
    """At the moment: Ctrl-C, or the other command with the run stopped meanwhile."""
    if args.run:
        # The command is stopped meanwhile, so what it does next on that host meets the fault
        # however long the command here takes.
        os.killpg(proc.pid, signal.SIGSTOP)
        try:
            ran = subprocess.run(args.run, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 universal_newlines=True, timeout=60, check=False)
        finally:
            os.killpg(proc.pid, signal.SIGCONT)
        sys.stdout.write("interrupt.py: ran %r after %s reached %r: exit %d %s\n" % (
            args.run, args.host, args.step, ran.returncode, ran.stdout.strip()))
        return
    os.killpg(proc.pid, signal.SIGINT)
    sys.stdout.write("interrupt.py: SIGINT sent after %s reached %r\n" % (args.host, args.step))
    threading.Thread(target=insist, args=(proc,), daemon=True).start()


def watch(proc, args, done):
    held = False
    while proc.poll() is None:
        step = step_of(args.host)
        # "released": the moment the host's lock, seen before, is gone (its call has ended).
        if step == args.step or (args.step == "released" and held and step is None):
            done.append(True)
            act(proc, args)
            return
        held = held or step is not None
        time.sleep(0.2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--run", help="a shell command to run then, instead of pressing Ctrl-C")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    proc = subprocess.Popen(args.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, universal_newlines=True)
    done = []
    threading.Thread(target=watch, args=(proc, args, done), daemon=True).start()
    for line in proc.stdout:
        sys.stdout.write(line)
    rc = proc.wait()
    sys.stdout.write("interrupted: %s\n" % ("yes" if done else "no"))
    return rc


if __name__ == "__main__":
    sys.exit(main())
