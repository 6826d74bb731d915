"""Module loading by the rules of Mesos 1.11's ModuleManager and HookManager.

The libraries are really dlopen'ed in this process (through libmesos's
mesos_standin_* C interface, after libmesos itself was loaded RTLD_GLOBAL),
so undefined symbols of a hook resolve against this install's libmesos
exactly as in a real agent. Error texts are Mesos's own.
"""

import ctypes
import json
import os
import re
import threading

from .common import Exit, log

# Every kind Mesos 1.11 knows. The minimum version of each is the running version.
KNOWN_KINDS = (
    "Allocator", "Anonymous", "Authenticatee", "Authenticator", "Authorizer",
    "ContainerLogger", "Hook", "HttpAuthenticatee", "HttpAuthenticator", "Isolator",
    "MasterContender", "MasterDetector", "QoSController", "ResourceEstimator",
    "SecretResolver", "TestModule", "DiskProfileAdaptor",
)


class ModuleBase(ctypes.Structure):
    """Layout of mesos::modules::ModuleBase followed by Module<Hook>::create (also
    Module<Isolator>::create: the same layout)."""
    _fields_ = [
        ("moduleApiVersion", ctypes.c_char_p),
        ("mesosVersion", ctypes.c_char_p),
        ("kind", ctypes.c_char_p),
        ("authorName", ctypes.c_char_p),
        ("authorEmail", ctypes.c_char_p),
        ("description", ctypes.c_char_p),
        ("compatible", ctypes.c_void_p),
        ("create", ctypes.c_void_p),  # only meaningful for kinds with create()
    ]


# --- the modules manifest -------------------------------------------------------

def parse_manifest(text):
    """Parses modules JSON into [{'file'|'name', 'modules': [{'name', 'parameters'}]}]."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ValueError("Failed to parse JSON: %s" % e)
    if not isinstance(data, dict):
        raise ValueError("Expecting a JSON object")
    libraries = data.get("libraries", [])
    if not isinstance(libraries, list):
        raise ValueError("Not expecting a JSON %s for field 'libraries'" % type(libraries).__name__)
    result = []
    for library in libraries:
        if not isinstance(library, dict):
            raise ValueError("Expecting a JSON object for 'libraries'")
        entry = {}
        for key in ("file", "name"):
            if key in library:
                if not isinstance(library[key], str):
                    raise ValueError("Not expecting a JSON non-string for field '%s'" % key)
                entry[key] = library[key]
        modules = []
        for module in library.get("modules", []):
            if not isinstance(module, dict):
                raise ValueError("Expecting a JSON object for 'modules'")
            parameters = []
            for parameter in module.get("parameters", []):
                if not (isinstance(parameter, dict) and isinstance(parameter.get("key"), str)
                        and isinstance(parameter.get("value"), str)):
                    raise ValueError("Missing required fields: key, value")
                parameters.append((parameter["key"], parameter["value"]))
            item = {"parameters": parameters}
            if "name" in module:
                item["name"] = module["name"]
            modules.append(item)
        entry["modules"] = modules
        result.append(entry)
    return result


def _text_string(s):
    out = []
    for ch in s.encode():
        c = chr(ch)
        if c in '"\\\'':
            out.append("\\" + c)
        elif c in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append("\\%03o" % ch)
    return '"%s"' % "".join(out)


def debug_string(libraries):
    """Renders a manifest as protobuf text format, as Mesos's /flags shows --modules."""
    lines = []
    for library in libraries:
        lines.append("libraries {")
        for key in ("file", "name"):
            if key in library:
                lines.append("  %s: %s" % (key, _text_string(library[key])))
        for module in library["modules"]:
            lines.append("  modules {")
            if "name" in module:
                lines.append("    name: %s" % _text_string(module["name"]))
            for key, value in module["parameters"]:
                lines += ["    parameters {", "      key: %s" % _text_string(key),
                          "      value: %s" % _text_string(value), "    }"]
            lines.append("  }")
        lines.append("}")
    return "".join(line + "\n" for line in lines)


# --- versions ------------------------------------------------------------------

def parse_version(text):
    m = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?",
                     text)
    if not m:
        raise ValueError("Failed to parse version '%s'" % text)
    major, minor, patch = (int(g or 0) for g in m.groups()[:3])
    return (major, minor, patch), m.group(4)


def format_version(parsed):
    (major, minor, patch), prerelease = parsed
    return "%d.%d.%d%s" % (major, minor, patch, "-" + prerelease if prerelease else "")


def version_key(parsed):
    # A prerelease sorts before the release.
    return parsed[0], 0 if parsed[1] else 1, parsed[1] or ""


# --- libmesos ------------------------------------------------------------------

class Libmesos:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path, mode=os.RTLD_NOW | os.RTLD_GLOBAL)
        lib = self.lib
        lib.mesos_standin_version.restype = ctypes.c_char_p
        lib.mesos_standin_free.argtypes = [ctypes.c_void_p]
        for fn in (lib.mesos_standin_dlopen, lib.mesos_standin_dlsym):
            fn.restype = ctypes.c_void_p
        lib.mesos_standin_dlopen.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.mesos_standin_dlsym.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.mesos_standin_create_hook.restype = ctypes.c_void_p
        lib.mesos_standin_create_hook.argtypes = [
            ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_char_p)]
        lib.mesos_standin_decorate_environment.restype = ctypes.c_void_p
        lib.mesos_standin_decorate_environment.argtypes = [
            ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_char_p)]
        lib.mesos_standin_master_launch_task_label_decorator.restype = ctypes.c_void_p
        lib.mesos_standin_master_launch_task_label_decorator.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
            ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_char_p), ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
            ctypes.c_char_p, ctypes.c_int]
        lib.mesos_standin_master_launch_task_resource_decorator.restype = ctypes.c_void_p
        lib.mesos_standin_master_launch_task_resource_decorator.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
            ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_double),
            ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_double)]
        lib.mesos_standin_master_slave_lost_hook.restype = ctypes.c_void_p
        lib.mesos_standin_master_slave_lost_hook.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        lib.mesos_standin_create_isolator.restype = ctypes.c_void_p
        lib.mesos_standin_create_isolator.argtypes = [
            ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_char_p)]
        lib.mesos_standin_isolator_recover.restype = ctypes.c_void_p
        lib.mesos_standin_isolator_recover.argtypes = [
            ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_longlong), ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_char_p)]
        lib.mesos_standin_isolator_prepare.restype = ctypes.c_void_p
        lib.mesos_standin_isolator_prepare.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
            ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
            ctypes.POINTER(ctypes.c_double)]
        lib.mesos_standin_isolator_isolate.restype = ctypes.c_void_p
        lib.mesos_standin_isolator_isolate.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_longlong]
        for fn in (lib.mesos_standin_isolator_usage, lib.mesos_standin_isolator_cleanup):
            fn.restype = ctypes.c_void_p
            fn.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        self.version = lib.mesos_standin_version().decode()

    def _take_string(self, pointer):
        text = ctypes.string_at(pointer).decode(errors="replace")
        self.lib.mesos_standin_free(pointer)
        return text

    def dlopen(self, path):
        error = ctypes.c_void_p()
        handle = self.lib.mesos_standin_dlopen(path.encode(), ctypes.byref(error))
        if not handle:
            raise ValueError(self._take_string(error.value))
        return handle

    def dlsym(self, handle, name):
        error = ctypes.c_void_p()
        symbol = self.lib.mesos_standin_dlsym(handle, name.encode(), ctypes.byref(error))
        if not symbol:
            raise ValueError(self._take_string(error.value))
        return symbol

    @staticmethod
    def _strings(values):
        """A char* array; None stays a null pointer."""
        array = (ctypes.c_char_p * max(len(values), 1))()
        for i, value in enumerate(values):
            array[i] = None if value is None else value.encode()
        return array

    def create_hook(self, module_address, parameters):
        keys = self._strings([k for k, _ in parameters])
        values = self._strings([v for _, v in parameters])
        return self.lib.mesos_standin_create_hook(module_address, len(parameters), keys, values)

    def create_isolator(self, module_address, parameters):
        keys = self._strings([k for k, _ in parameters])
        values = self._strings([v for _, v in parameters])
        return self.lib.mesos_standin_create_isolator(
            module_address, len(parameters), keys, values)

    # Isolator methods. Each answers {"result": "ready"[, "value": ...]}, {"result": "failed",
    # "message": ...} or {"result": "pending"}. A container is a task record (container_id,
    # pid, directory, task_id as its executor's ID, framework_id, command).

    def isolator_recover(self, isolator, containers):
        count = len(containers)
        pids = (ctypes.c_longlong * max(count, 1))(*[c["pid"] for c in containers])
        pointer = self.lib.mesos_standin_isolator_recover(
            isolator, count, self._strings([c["container_id"] for c in containers]), pids,
            self._strings([c["directory"] for c in containers]),
            self._strings([c["task_id"] for c in containers]),
            self._strings([c["framework_id"] for c in containers]),
            self._strings([c.get("command", "") for c in containers]))
        return json.loads(self._take_string(pointer))

    def isolator_prepare(self, isolator, container):
        """container also has environment ([(name, value)]: the command's, after the hooks)
        and resources (scalar Resource objects)."""
        variables = container.get("environment") or []
        resources = container.get("resources") or []
        pointer = self.lib.mesos_standin_isolator_prepare(
            isolator, container["container_id"].encode(), container["directory"].encode(),
            container["task_id"].encode(), container["framework_id"].encode(),
            container["command"].encode(), len(variables),
            self._strings([n for n, _ in variables]), self._strings([v for _, v in variables]),
            len(resources), self._strings([r["name"] for r in resources]),
            (ctypes.c_double * max(len(resources), 1))(
                *[r["scalar"]["value"] for r in resources]))
        return json.loads(self._take_string(pointer))

    def isolator_isolate(self, isolator, container_id, pid):
        pointer = self.lib.mesos_standin_isolator_isolate(isolator, container_id.encode(), pid)
        return json.loads(self._take_string(pointer))

    def isolator_usage(self, isolator, container_id):
        pointer = self.lib.mesos_standin_isolator_usage(isolator, container_id.encode())
        return json.loads(self._take_string(pointer))

    def isolator_cleanup(self, isolator, container_id):
        pointer = self.lib.mesos_standin_isolator_cleanup(isolator, container_id.encode())
        return json.loads(self._take_string(pointer))

    def decorate_environment(self, hook, environment):
        """environment: None (the command has none) or [(name, value)]."""
        variables = environment or []
        names = self._strings([n for n, _ in variables])
        values = self._strings([v for _, v in variables])
        pointer = self.lib.mesos_standin_decorate_environment(
            hook, int(environment is not None), len(variables), names, values)
        return json.loads(self._take_string(pointer))

    def decorate_task_resources(self, hook, task, agent_resources):
        """Hook::masterLaunchTaskResourceDecorator(TaskInfo, Resources): task as for
        decorate_task_labels, with "resources" (scalar Resource objects in JSON); the agent's
        total resources likewise."""
        def scalars(resources):
            return (self._strings([r["name"] for r in resources]),
                    (ctypes.c_double * max(len(resources), 1))(
                        *[r["scalar"]["value"] for r in resources]))
        task_names, task_values = scalars(task["resources"])
        agent_names, agent_values = scalars(agent_resources)
        pointer = self.lib.mesos_standin_master_launch_task_resource_decorator(
            hook, task["name"].encode(), task["task_id"].encode(), task["agent_id"].encode(),
            task["command"].encode(), len(task["resources"]), task_names, task_values,
            len(agent_resources), agent_names, agent_values)
        return json.loads(self._take_string(pointer))

    def slave_lost(self, hook, agent):
        """Hook::masterSlaveLostHook(SlaveInfo): agent has id, hostname, port."""
        pointer = self.lib.mesos_standin_master_slave_lost_hook(
            hook, agent["id"].encode(), agent["hostname"].encode(), int(agent["port"]))
        return json.loads(self._take_string(pointer))

    def decorate_task_labels(self, hook, task, framework, agent):
        """Hook::masterLaunchTaskLabelDecorator(TaskInfo, FrameworkInfo, SlaveInfo).
        task: name, task_id, agent_id, command, labels (None: the task has no Labels, else
        [{'key'[, 'value']}]); framework: id, name, user; agent: hostname, port."""
        labels = task["labels"] or []
        keys = self._strings([label["key"] for label in labels])
        values = self._strings([label.get("value") for label in labels])
        pointer = self.lib.mesos_standin_master_launch_task_label_decorator(
            hook, task["name"].encode(), task["task_id"].encode(), task["agent_id"].encode(),
            task["command"].encode(), int(task["labels"] is not None), len(labels), keys, values,
            framework["id"].encode(), framework["name"].encode(), framework["user"].encode(),
            agent["hostname"].encode(), int(agent["port"]))
        return json.loads(self._take_string(pointer))


# --- ModuleManager / HookManager ---------------------------------------------------

class ModuleManager:
    def __init__(self, libmesos):
        self.libmesos = libmesos
        self.handles = {}      # library name -> handle
        self.bases = {}        # module name -> ModuleBase address
        self.libraries = {}    # module name -> library name
        self.parameters = {}   # module name -> [(key, value)]

    def load_manifest(self, libraries):
        """Returns None or the error text (without the 'Error loading modules: ' prefix)."""
        for library in libraries:
            if "file" in library:
                name = library["file"]
            elif "name" in library:
                name = "lib%s.so" % library["name"]
            else:
                return "Library name or path not provided"
            if name not in self.handles:
                try:
                    self.handles[name] = self.libmesos.dlopen(name)
                except ValueError as e:
                    return "Error opening library: '%s': Could not load library '%s': %s" % (
                        name, name, e)
            for module in library["modules"]:
                if "name" not in module:
                    return "Error: module name not provided with library '%s'" % name
                module_name = module["name"]
                try:
                    address = self.libmesos.dlsym(self.handles[name], module_name)
                except ValueError as e:
                    return ("Error loading module '%s': Error looking up symbol '%s' in '%s' : %s"
                            % (module_name, module_name, name, e))
                error = self.verify(module_name, address)
                if error:
                    return "Error verifying module '%s': %s" % (module_name, error)
                if module_name in self.bases:
                    error = self.verify_identical(name, module, address)
                    if error:
                        return ("Error loading module '%s'; this is potentially due to duplicate "
                                "module names; %s" % (module_name, error))
                    continue
                self.bases[module_name] = address
                self.libraries[module_name] = name
                self.parameters[module_name] = list(module["parameters"])
        return None

    def load_dir(self, directory):
        """--modules_dir: every file of the directory, in name order."""
        try:
            names = sorted(os.listdir(directory))
        except OSError as e:
            return "Error loading module manifests from '%s' directory: %s" % (
                directory, e.strerror)
        for filename in names:
            path = os.path.join(directory, filename)
            try:
                with open(path) as f:
                    text = f.read()
            except OSError as e:
                return "Error reading module manifest file '%s': %s" % (path, e.strerror)
            try:
                libraries = parse_manifest(text)
            except ValueError as e:
                return "Error parsing module manifest file '%s': %s" % (path, e)
            error = self.load_manifest(libraries)
            if error:
                return "Error loading modules from '%s': %s" % (path, error)
        return None

    def verify(self, name, address):
        base = ModuleBase.from_address(address)
        if None in (base.mesosVersion, base.moduleApiVersion, base.authorName,
                    base.authorEmail, base.description, base.kind):
            return "Error loading module '%s'; missing fields" % name
        api = base.moduleApiVersion.decode(errors="replace")
        if api != "2":
            return "Module API version mismatch. Mesos has: 2, library requires: %s" % api
        kind = base.kind.decode(errors="replace")
        if kind not in KNOWN_KINDS:
            return "Unknown module kind: %s" % kind
        running = parse_version(self.libmesos.version)
        try:
            module_version = parse_version(base.mesosVersion.decode(errors="replace"))
        except ValueError as e:
            return str(e)
        if version_key(module_version) < version_key(running):
            return ("Minimum supported mesos version for '%s' is %s, but module is compiled "
                    "with version %s" % (kind, format_version(running),
                                         format_version(module_version)))
        if version_key(module_version) != version_key(running):
            # With or without compatible(): the minimum version of every
            # kind is the running version, so only an exact match passes.
            return "Mesos has version %s, but module is compiled with version %s" % (
                format_version(running), format_version(module_version))
        if base.compatible:
            compatible = ctypes.CFUNCTYPE(ctypes.c_bool)(base.compatible)
            if not compatible():
                return "Module %shas determined to be incompatible" % name  # sic
        return None

    def verify_identical(self, library_name, module, address):
        name = module["name"]
        if library_name != self.libraries[name]:
            return ("The same module appears in two different module libraries - '%s' and '%s'"
                    % (library_name, self.libraries[name]))
        if list(module["parameters"]) != self.parameters[name]:
            return "A module with same name but different parameters already exists"
        a, b = ModuleBase.from_address(address), ModuleBase.from_address(self.bases[name])
        fields = ("moduleApiVersion", "mesosVersion", "kind", "authorName", "authorEmail",
                  "description", "compatible")
        if any(getattr(a, f) != getattr(b, f) for f in fields):
            return "A module with same name but different module manifest already exists"
        return None

    def kind_of(self, name):
        return ModuleBase.from_address(self.bases[name]).kind.decode(errors="replace")

    def create_isolator(self, name):
        """ModuleManager::create<Isolator>(name) (src/module/manager.hpp) with the module's
        parameters: returns (Isolator*, None) or (None, the error)."""
        base = ModuleBase.from_address(self.bases[name])
        if not base.create:
            return None, ("Error creating module instance for '%s': create() method not found"
                          % name)
        if self.kind_of(name) != "Isolator":
            return None, ("Error creating module instance for '%s': module is of kind '%s', but "
                          "the requested kind is 'Isolator'" % (name, self.kind_of(name)))
        isolator = self.libmesos.create_isolator(self.bases[name], self.parameters[name])
        if not isolator:
            return None, "Error creating Module instance for '%s'" % name
        return isolator, None


class HookManager:
    """--hooks: instantiates each named Hook module; decorators run in order, one call at a
    time (src/hook/manager.cpp: every method runs under one mutex)."""

    def __init__(self, modules):
        self.modules = modules
        self.hooks = []  # [(name, Hook*)]
        self.mutex = threading.Lock()

    def available(self):
        """HookManager::hooksAvailable(): the daemons call hooks only when there are some."""
        return bool(self.hooks)

    def initialize(self, hook_list):
        """Returns None or the error text (without 'Error installing hooks: ')."""
        for name in hook_list.split(","):
            if any(name == n for n, _ in self.hooks):
                return "Hook module '%s' already loaded" % name
            if name not in self.modules.bases or self.modules.kind_of(name) != "Hook":
                return "No hook module named '%s' available" % name
            base = ModuleBase.from_address(self.modules.bases[name])
            if not base.create:
                return ("Failed to instantiate hook module '%s': Error creating module instance "
                        "for '%s': create() method not found" % (name, name))
            hook = self.modules.libmesos.create_hook(
                self.modules.bases[name], self.modules.parameters[name])
            if not hook:
                return ("Failed to instantiate hook module '%s': Error creating Module instance "
                        "for '%s'" % (name, name))
            self.hooks.append((name, hook))
        return None

    def executor_environment(self, environment):
        """Runs slaveExecutorEnvironmentDecorator of every hook, each seeing the
        previous result. environment: None or [(name, value)]."""
        with self.mutex:
            for name, hook in self.hooks:
                result = self.modules.libmesos.decorate_environment(hook, environment)
                if result["result"] == "some":
                    environment = [tuple(v) for v in result["variables"]]
                elif result["result"] == "error":
                    log("W", "Agent environment decorator hook failed for module '%s': %s"
                        % (name, result["message"]))
        return environment

    def master_launch_task_labels(self, task, framework, agent):
        """HookManager::masterLaunchTaskLabelDecorator (src/hook/manager.cpp): every hook
        sees the task with the labels the previous one returned; Some replaces them, None
        keeps them, an Error is logged and keeps them. Returns the labels at the end: a list,
        empty when the task had none and no hook set any (the task's Labels are then set, but
        empty). task, framework, agent: as Libmesos.decorate_task_labels takes them."""
        task = dict(task)
        with self.mutex:
            for name, hook in self.hooks:
                result = self.modules.libmesos.decorate_task_labels(hook, task, framework, agent)
                if result["result"] == "some":
                    task["labels"] = result["labels"]
                elif result["result"] == "error":
                    log("W", "Master label decorator hook failed for module '%s': %s"
                        % (name, result["message"]))
        return list(task["labels"] or [])


    def master_launch_task_resources(self, task, agent_resources):
        """HookManager::masterLaunchTaskResourceDecorator (src/hook/manager.cpp): each hook
        sees the task with the resources the previous one returned; Some replaces them, None
        keeps them, an Error is logged and keeps them. Returns the resources at the end."""
        task = dict(task)
        with self.mutex:
            for name, hook in self.hooks:
                result = self.modules.libmesos.decorate_task_resources(hook, task, agent_resources)
                if result["result"] == "some":
                    task["resources"] = [{"name": n, "type": "SCALAR", "scalar": {"value": v}}
                                         for n, v in result["resources"]]
                elif result["result"] == "error":
                    log("W", "Master resource decorator hook failed for module '%s': %s"
                        % (name, result["message"]))
        return task["resources"]

    def master_slave_lost(self, agent):
        """HookManager::masterSlaveLostHook (src/hook/manager.cpp): every hook, in order; an
        Error is logged."""
        with self.mutex:
            for name, hook in self.hooks:
                result = self.modules.libmesos.slave_lost(hook, agent)
                if result["result"] == "error":
                    log("W", "Master agent-lost hook failed for module '%s': %s"
                        % (name, result["message"]))


def load_modules_and_hooks(flags, libmesos, modules_value):
    """The start-up sequence of mesos-agent/mesos-master main(); raises Exit."""
    manager = ModuleManager(libmesos)
    if flags.get("modules") is not None and flags.get("modules_dir") is not None:
        raise Exit("Only one of --modules or --modules_dir should be specified")
    if flags.get("modules_dir") is not None:
        error = manager.load_dir(flags.get("modules_dir"))
        if error:
            raise Exit("Error loading modules: " + error)
    if modules_value is not None:
        error = manager.load_manifest(modules_value)
        if error:
            raise Exit("Error loading modules: " + error)
    hooks = HookManager(manager)
    if flags.get("hooks") is not None:
        error = hooks.initialize(flags.get("hooks"))
        if error:
            raise Exit("Error installing hooks: " + error)
    return manager, hooks
