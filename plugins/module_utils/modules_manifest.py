# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Mesos modules manifest: load, validate, merge, remove, render.

Mesos reads its modules from ``--modules`` (a ``file://`` URL, a plain path, or inline JSON) or
from ``--modules_dir`` (every JSON file in the directory), never both. A manifest is
``{"libraries": [{"file" | "name": ..., "modules": [{"name": ..., "parameters":
[{"key": ..., "value": ...}]}]}]}``. The same module name may appear twice only with the same
library and the same parameters in the same order; anything else makes the agent exit. Like
Mesos, an operator's manifest may carry keys Mesos does not know (stout's JSON-to-protobuf
parsing skips them, protobuf.hpp) and a library with both ``file`` and ``name`` (``file``
wins, src/module/manager.cpp); both are kept as they are.

Everything here is pure: callers read and write files (see atomic_file).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

C_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ManifestError(ValueError):
    """A manifest that Mesos would refuse, or that we refuse to change."""


def _fail(where, message):
    raise ManifestError("%s: %s" % (where, message))


def _check_object(where, item):
    if not isinstance(item, dict):
        _fail(where, "must be an object, got %s" % type(item).__name__)


def _check_string(where, value, allow_empty=False):
    if not isinstance(value, str):
        _fail(where, "must be a string, got %s" % type(value).__name__)
    if not allow_empty and not value:
        _fail(where, "must not be empty")


def validate(doc, source="manifest"):
    """Check ``doc`` has the structure Mesos expects; raise ManifestError naming the bad field."""
    _check_object(source, doc)
    libraries = doc.get("libraries", [])
    if not isinstance(libraries, list):
        _fail("%s.libraries" % source, "must be a list")
    for li, library in enumerate(libraries):
        where = "%s.libraries[%d]" % (source, li)
        _check_object(where, library)
        if "file" not in library and "name" not in library:
            _fail(where, "needs 'file' or 'name' (Mesos: Library name or path not provided)")
        for field in ("file", "name"):
            if field in library:
                _check_string("%s.%s" % (where, field), library[field])
        modules = library.get("modules", [])
        if not isinstance(modules, list):
            _fail("%s.modules" % where, "must be a list")
        for mi, module in enumerate(modules):
            mwhere = "%s.modules[%d]" % (where, mi)
            _check_object(mwhere, module)
            if "name" not in module:
                _fail(mwhere, "missing 'name'")
            _check_string("%s.name" % mwhere, module["name"])
            parameters = module.get("parameters", [])
            if not isinstance(parameters, list):
                _fail("%s.parameters" % mwhere, "must be a list")
            for pi, parameter in enumerate(parameters):
                pwhere = "%s.parameters[%d]" % (mwhere, pi)
                _check_object(pwhere, parameter)
                if "key" not in parameter:
                    _fail(pwhere, "missing 'key'")
                _check_string("%s.key" % pwhere, parameter["key"])
                if "value" in parameter:
                    _check_string("%s.value" % pwhere, parameter["value"], allow_empty=True)
    return doc


def validate_own_library(library, where="library"):
    """Stricter checks for libraries we write: absolute normalised paths, C identifiers."""
    validate({"libraries": [library]}, source=where)
    path = library.get("file")
    if path is None:
        _fail(where, "our libraries are referenced by absolute 'file' path, not by 'name'")
    if not os.path.isabs(path):
        _fail("%s.file" % where, "'%s' is not an absolute path" % path)
    if ".." in path.split("/") or os.path.normpath(path) != path:
        _fail("%s.file" % where, "'%s' is not a normalised path (no '..', '.', or '//')" % path)
    if not library.get("modules"):
        _fail("%s.modules" % where, "must list at least one module")
    seen = set()
    for mi, module in enumerate(library["modules"]):
        name = module["name"]
        if not C_IDENTIFIER.match(name):
            _fail("%s.modules[%d].name" % (where, mi), "'%s' is not a valid C identifier" % name)
        if name in seen:
            _fail("%s.modules[%d].name" % (where, mi), "module '%s' listed twice" % name)
        seen.add(name)


def parse(text, source="manifest"):
    """Parse and validate manifest JSON text."""
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ManifestError("%s: not valid JSON: %s" % (source, e))
    return validate(doc, source)


def modules_flag_source(value):
    """Classify a ``--modules`` value: ('inline', json_text) or ('file', absolute_path).

    Mesos treats a value starting with ``file://`` as a URL, one that parses as JSON as inline
    JSON, and anything else as a path.
    """
    value = value.strip()
    if value.startswith("file://"):
        path = value[len("file://"):]
    elif value.startswith("{"):
        return "inline", value
    else:
        path = value
    if not os.path.isabs(path):
        raise ManifestError("--modules: '%s' is not an absolute path or file:// URL" % value)
    return "file", path


def module_index(docs):
    """Map module name -> (library ref, parameters) over one or more (source, doc) pairs.

    Raises ManifestError for the conflict Mesos refuses: the same module name with a different
    library or different parameters.
    """
    index = {}
    for source, doc in docs:
        for library in doc.get("libraries", []):
            ref = library.get("file") or library.get("name")
            for module in library.get("modules", []):
                entry = (ref, [(p["key"], p.get("value", "")) for p in module.get("parameters", [])])
                name = module["name"]
                if name in index and index[name][0] != entry:
                    raise ManifestError(
                        "module '%s' is declared twice with a different library or parameters "
                        "(%s and %s); Mesos refuses to load that" % (name, index[name][1], source))
                index[name] = (entry, source)
    return dict((name, value[0]) for name, value in index.items())


def _module_names(library):
    return [m["name"] for m in library.get("modules", [])]


def _all_names_in(doc):
    return [name for library in doc.get("libraries", []) for name in _module_names(library)]


def merge(doc, ours):
    """Return a new manifest with our libraries in place of any earlier copy of them.

    A library is an earlier copy of ours when it carries the same ``file`` or only modules whose
    names we own (e.g. the previous artifact of the same hook). A library that mixes our module
    names with someone else's is a conflict: we refuse rather than split it.
    Everyone else's libraries keep their content and order; ours are appended.
    """
    our_names = set()
    our_files = set()
    for library in ours:
        our_names.update(_module_names(library))
        our_files.add(library.get("file"))
    kept = []
    replaced_at = None
    for li, library in enumerate(doc.get("libraries", [])):
        names = set(_module_names(library))
        if library.get("file") in our_files or (names and names <= our_names):
            if replaced_at is None:
                replaced_at = len(kept)
            continue
        shared = sorted(names & our_names)
        if shared:
            raise ManifestError(
                "libraries[%d] (%s) declares module(s) %s that this run manages, next to modules "
                "it does not; remove them from that library first"
                % (li, library.get("file") or library.get("name"), ", ".join(shared)))
        kept.append(library)
    # Keep our libraries where they were when replacing, so an update is a minimal diff.
    if replaced_at is None:
        replaced_at = len(kept)
    result = dict(doc)
    result["libraries"] = kept[:replaced_at] + [canonical_library(lib) for lib in ours] + kept[replaced_at:]
    return result


def remove_modules(doc, module_names):
    """Return a new manifest without the named modules; drop libraries left empty by that."""
    names = set(module_names)
    libraries = []
    for library in doc.get("libraries", []):
        modules = [m for m in library.get("modules", []) if m["name"] not in names]
        if len(modules) == len(library.get("modules", [])):
            libraries.append(library)
        elif modules:
            trimmed = dict(library)
            trimmed["modules"] = modules
            libraries.append(trimmed)
    result = dict(doc)
    result["libraries"] = libraries
    return result


def contains(doc, module_names):
    present = set()
    for library in doc.get("libraries", []):
        present.update(_module_names(library))
    return sorted(set(module_names) & present)


def canonical_library(library):
    """Our library in a fixed field order, with parameters as key/value pairs."""
    out = {}
    if "file" in library:
        out["file"] = library["file"]
    if "name" in library:
        out["name"] = library["name"]
    modules = []
    for module in library.get("modules", []):
        entry = {"name": module["name"]}
        parameters = module.get("parameters")
        if parameters:
            entry["parameters"] = [{"key": p["key"], "value": p.get("value", "")} for p in parameters]
        modules.append(entry)
    out["modules"] = modules
    return out


def render(doc):
    """Byte-stable JSON: the same manifest always renders to the same bytes."""
    return json.dumps(doc, indent=2, separators=(",", ": "), ensure_ascii=False) + "\n"


def normalise_parameters(parameters):
    """Accept parameters as a list of {key, value} or as a mapping; return the list form.

    A mapping is sorted by key so its rendering does not depend on inventory merge order.
    """
    if parameters is None:
        return []
    if isinstance(parameters, dict):
        items = sorted(parameters.items())
    elif isinstance(parameters, list):
        items = []
        for i, p in enumerate(parameters):
            if not isinstance(p, dict) or "key" not in p:
                raise ManifestError("parameters[%d]: must be an object with 'key' and 'value'" % i)
            items.append((p["key"], p.get("value", "")))
    else:
        raise ManifestError("parameters: must be a list of {key, value} or a mapping")
    out = []
    for key, value in items:
        if not isinstance(key, str) or not key:
            raise ManifestError("parameters: key %r must be a non-empty string" % (key,))
        if not isinstance(value, str):
            raise ManifestError(
                "parameters: value of '%s' must be a string, got %s (quote it in YAML)"
                % (key, type(value).__name__))
        out.append({"key": key, "value": value})
    return out


def pristine_path(backup_dir, path):
    """Where the operator's manifest is kept as it was before our first merge into it."""
    return os.path.join(backup_dir, "pristine", path.strip("/").replace("/", "_"))


class Change(object):
    """What one manifest file should become. ``after`` None means the file is removed."""

    def __init__(self, path, before, after, modules_flag, first_merge=False):
        self.path = path
        self.first_merge = first_merge
        self.before = before
        self.after = after
        # The value --modules should have afterwards; None leaves the flag as it is,
        # "" asks for it to be removed.
        self.modules_flag = modules_flag

    @property
    def changed(self):
        return self.before != self.after

    @property
    def stores_pristine(self):
        """True when this change is the first time our libraries enter an operator's file."""
        return self.first_merge and self.changed


def plan(libraries, remove=(), modules_flag=None, modules_dir=None, managed_path=None,
         dir_file_name=None, read=None, list_dir=None, pristine=None):
    """Decide how the agent's modules configuration changes; touch nothing.

    libraries: our libraries that must be loaded (validated with validate_own_library).
    remove: names of our modules that must not be loaded any more.
    modules_flag / modules_dir: the agent's current --modules / --modules_dir values.
    managed_path: the file we create when the agent has neither.
    dir_file_name: our file's name inside --modules_dir.
    read(path) -> text or None; list_dir(path) -> names; pristine: the operator's file as it was
    before our libraries were first merged into it (restored byte for byte on removal).
    """
    if modules_flag and modules_dir:
        raise ManifestError(
            "the agent has both --modules and --modules_dir set; Mesos refuses to start with both. "
            "Fix the agent's configuration first")
    our_names = []
    for i, library in enumerate(libraries):
        validate_own_library(library, "libraries[%d]" % i)
        our_names.extend(_module_names(library))
    if len(set(our_names)) != len(our_names):
        dup = sorted(set(n for n in our_names if our_names.count(n) > 1))
        raise ManifestError("module name(s) %s declared in more than one of our libraries" % ", ".join(dup))
    both = sorted(set(our_names) & set(remove))
    if both:
        raise ManifestError("module(s) %s both wanted and to be removed" % ", ".join(both))
    managed_names = our_names + list(remove)

    if modules_dir:
        return _plan_dir(libraries, managed_names, modules_dir, dir_file_name, read, list_dir)

    if modules_flag:
        kind, value = modules_flag_source(modules_flag)
        if kind == "inline":
            doc = parse(value, "--modules")
            if libraries or contains(doc, remove):
                raise ManifestError(
                    "--modules holds inline JSON; move it to a file (--modules=file:///path) so "
                    "it can be changed safely")
            return Change(None, None, None, None)
        path = value
        before = read(path)
        if before is None:
            raise ManifestError("--modules points at %s, which does not exist" % path)
        current = parse(before, path)
    else:
        if not managed_path or not os.path.isabs(managed_path):
            raise ManifestError("managed_path '%s' must be an absolute path" % managed_path)
        path = managed_path
        before = read(path)
        current = parse(before, path) if before is not None else {"libraries": []}

    first_merge = bool(modules_flag) and path != managed_path and bool(libraries) and \
        not contains(current, managed_names)
    wanted = merge(remove_modules(current, remove), libraries) if libraries else remove_modules(current, remove)
    if wanted == current:
        after = before
    elif path == managed_path and not wanted["libraries"]:
        # The file exists only because we created it: remove it and the flag with it.
        return Change(path, before, None, "" if modules_flag else None)
    else:
        after = render(wanted)
        if pristine is not None and not contains(wanted, managed_names) and parse(pristine, path) == wanted:
            after = pristine
    if after is not None:
        module_index([(path, parse(after, path))])
    flag = "file://" + path if not modules_flag and after is not None and libraries else None
    return Change(path, before, after, flag, first_merge)


def _plan_dir(libraries, managed_names, modules_dir, dir_file_name, read, list_dir):
    """--modules_dir: our libraries live in a file of our own, deleted when none is left."""
    if not dir_file_name or "/" in dir_file_name or not dir_file_name.endswith(".json"):
        raise ManifestError("dir_file_name '%s' must be a plain file name ending in .json" % dir_file_name)
    path = os.path.join(modules_dir, dir_file_name)
    before = read(path)
    if before is not None:
        foreign = sorted(set(_all_names_in(parse(before, path))) - set(managed_names))
        if foreign:
            raise ManifestError("%s holds modules this run does not manage (%s); refusing to change it"
                                % (path, ", ".join(foreign)))
    others = []
    for name in sorted(list_dir(modules_dir)):
        if name.endswith(".json") and name != dir_file_name:
            other = os.path.join(modules_dir, name)
            others.append((other, parse(read(other) or "", other)))
    if not libraries:
        return Change(path, before, None, None)
    after = render({"libraries": [canonical_library(lib) for lib in libraries]})
    if before is not None and parse(before, path) == parse(after, path):
        after = before
    module_index(others + [(path, parse(after, path))])
    return Change(path, before, after, None)
