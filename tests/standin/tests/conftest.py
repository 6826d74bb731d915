"""Fixtures of the stand-in tests live in standin_helpers (a unique module
name, so these tests can run in one pytest session with other suites)."""

from standin_helpers import (  # noqa: F401 - fixtures are found by name
    build_module, daemons, master, pki, prefix, prefixes, probe, probe_from, run_agent, tasks)
