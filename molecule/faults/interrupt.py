#!/usr/bin/env python3
"""Run a command and press Ctrl-C on it once a given host has finished a given task, or run
another command at that moment instead (--run, e.g. to cut that host's ssh).

    interrupt.py --task 'Write the modules JSON and flags' --host agent1 -- ansible-playbook ...
    interrupt.py --task ... --host agent2 --run 'podman exec agent2 pkill -x sshd' -- ansible-playbook ...

Like Ctrl-C in a terminal, SIGINT goes to the command's whole process group (ansible-playbook,
its workers and their ssh); with --run, that group is stopped (SIGSTOP) until the other command
returns. ansible-playbook sometimes hangs after the first Ctrl-C (seen once in this scenario:
the main process waiting on a lock, a worker gone); an operator then presses Ctrl-C again, and
so does this script after 20 s, and kills the group after 20 s more.
Prints the output as it comes, then a last line `interrupted: yes|no` (whether the moment
came), and exits with the command's status.
"""

import argparse
import os
import re
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--task", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--run", help="a shell command to run then, instead of pressing Ctrl-C")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    done = re.compile(r"^(changed|ok): \[%s\]" % re.escape(args.host))
    proc = subprocess.Popen(args.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, universal_newlines=True)
    in_task = interrupted = False
    for line in proc.stdout:
        sys.stdout.write(line)
        if line.startswith("TASK ["):
            in_task = args.task in line
        elif in_task and not interrupted and done.match(line):
            interrupted = True
            if args.run:
                # The command is stopped meanwhile, so its next step on that host meets the fault
                # whatever that step is and however long the command here takes.
                os.killpg(proc.pid, signal.SIGSTOP)
                try:
                    ran = subprocess.run(args.run, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         universal_newlines=True, timeout=60)
                finally:
                    os.killpg(proc.pid, signal.SIGCONT)
                sys.stdout.write("interrupt.py: ran %r after %s finished %r: exit %d %s\n" % (
                    args.run, args.host, args.task, ran.returncode, ran.stdout.strip()))
                continue
            os.killpg(proc.pid, signal.SIGINT)
            sys.stdout.write("interrupt.py: SIGINT sent after %s finished %r\n" % (args.host, args.task))
            threading.Thread(target=insist, args=(proc,), daemon=True).start()
    rc = proc.wait()
    sys.stdout.write("interrupted: %s\n" % ("yes" if interrupted else "no"))
    return rc


if __name__ == "__main__":
    sys.exit(main())
