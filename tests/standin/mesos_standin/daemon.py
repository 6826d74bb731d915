"""The start-up both daemons share, in the order of Mesos's main():
flags, --version/--help, the address handed to libprocess (--ip, --ip_discovery_command),
libprocess's initialization (TLS, bind, listen), modules (--modules / --modules_dir), hooks."""

import os
import sys

from . import libprocess
from . import modules as mod
from .common import Exit, Flags, exit_with, log, read_modules_value, usage


class Startup:
    def __init__(self, flags, libmesos, modules_text, hooks, listener, modules=None):
        self.flags = flags
        self.modules = modules  # the ModuleManager (the agent creates isolators from it)
        self.listener = listener  # libprocess's listening socket
        self.libmesos = libmesos
        self.modules_text = modules_text  # --modules as /flags shows it
        self.hooks = hooks


def start(program, defaults, booleans, argv, prefix, required=()):
    """Returns a Startup, or the exit status when the daemon must stop."""
    flags = Flags(dict(libprocess.FLAG_DEFAULTS, **defaults), booleans)
    try:
        flags.load(argv, os.environ)
    except ValueError as e:
        sys.stderr.write(usage(program, str(e)) + "\n")
        return 1
    libmesos = mod.Libmesos(os.path.join(prefix, "lib", "libmesos.so"))
    if flags.is_true("version"):
        print("mesos %s" % libmesos.version)
        return 0
    if flags.is_true("help"):
        print(usage(program, "Mesos %s (stand-in)" % program))
        return 0
    for name, message in required:
        if flags.get(name) is None:
            sys.stderr.write(usage(program, message) + "\n")
            return 1

    # --modules is a flag: Mesos parses it with the others.
    modules_value = modules_text = None
    if flags.get("modules") is not None:
        try:
            modules_value = mod.parse_manifest(read_modules_value(flags.get("modules")))
        except ValueError as e:
            sys.stderr.write(usage(program, "Failed to load flag 'modules': %s" % e) + "\n")
            return 1
        modules_text = mod.debug_string(modules_value)
    try:
        libprocess.export_address(flags)
        log("I", "Build: mesos stand-in")
        log("I", "Version: %s" % libmesos.version)
        listener = libprocess.initialize()
        modules, hooks = mod.load_modules_and_hooks(flags, libmesos, modules_value)
    except Exit as e:
        return exit_with(e)
    return Startup(flags, libmesos, modules_text, hooks, listener, modules)
