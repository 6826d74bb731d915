"""Where ansible-playbook spends the controller's CPU, per task.

Put this directory first on PYTHONPATH and set ANSIBLE_PROF_DIR to an empty directory:

    ANSIBLE_PROF_DIR=/tmp/prof PYTHONPATH=bench/rollout/profile ansible-playbook ...
    bench/rollout/profile/summarise /tmp/prof

Every process Ansible forks (one worker per host and task) writes its cProfile stats and a
JSON line with its task, host and CPU seconds (its own and that of what it ran, ssh included);
the main process writes its stats and CPU at exit. Profiling roughly doubles the CPU it
measures: compare tasks with each other, not with unprofiled runs. With ANSIBLE_PROF_CPU_ONLY=1
only the CPU seconds are written, without cProfile, so they are those of an unprofiled run.
"""
import os
import sys

OUT = os.environ.get("ANSIBLE_PROF_DIR")

if OUT and os.path.basename(sys.argv[0]) == "ansible-playbook":
    import atexit
    import cProfile
    import json
    import multiprocessing.process
    import resource

    def cpu(who):
        usage = resource.getrusage(who)
        return usage.ru_utime + usage.ru_stime

    class NoProfile(object):
        """What the CPU-only mode uses in place of cProfile.Profile."""

        def enable(self):
            pass

        def disable(self):
            pass

        def dump_stats(self, path):
            pass

    Profile = NoProfile if os.environ.get("ANSIBLE_PROF_CPU_ONLY") == "1" else cProfile.Profile
    os.makedirs(OUT, exist_ok=True)
    main_profile = Profile()
    main_profile.enable()

    def main_done():
        main_profile.disable()
        main_profile.dump_stats(os.path.join(OUT, "main-%d.prof" % os.getpid()))
        with open(os.path.join(OUT, "main-%d.json" % os.getpid()), "w") as f:
            json.dump({"task": None, "self": cpu(resource.RUSAGE_SELF), "children": cpu(resource.RUSAGE_CHILDREN)}, f)

    atexit.register(main_done)

    # Workers end with os._exit, never reaching atexit: wrap what a forked process runs.
    bootstrap = multiprocessing.process.BaseProcess._bootstrap

    def profiled_bootstrap(self, *args, **kwargs):
        profile = Profile()
        profile.enable()
        try:
            return bootstrap(self, *args, **kwargs)
        finally:
            profile.disable()
            profile.dump_stats(os.path.join(OUT, "worker-%d.prof" % os.getpid()))
            task = getattr(self, "_task", None)
            with open(os.path.join(OUT, "worker-%d.json" % os.getpid()), "w") as f:
                json.dump({"task": task.get_name() if task else None, "host": str(getattr(self, "_host", "")),
                           "self": cpu(resource.RUSAGE_SELF), "children": cpu(resource.RUSAGE_CHILDREN)}, f)

    multiprocessing.process.BaseProcess._bootstrap = profiled_bootstrap
