# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Keep the values of secret hook parameters out of diffs, results and reports.

A secret is known either by its value (the ``secrets`` module option, which is also ``no_log``
so Ansible masks it in every result) or by its place: a parameter key listed in a module's
``secret_parameters``. Diffs of a modules manifest show older values too (the one on the
agent before this change, or in a snapshot), so the values found under secret keys of either
side are hidden as well.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api

MASK = "********"


def _forms(value):
    """The ways a value can appear in our files: as is and JSON-escaped."""
    forms = set([value])
    forms.add(json.dumps(value)[1:-1])
    return forms


def redact_text(text, values):
    """``text`` with every occurrence of each secret value replaced by MASK."""
    if text is None or not values:
        return text
    forms = set()
    for value in values:
        if isinstance(value, str) and value:
            forms.update(_forms(value))
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def manifest_values(text, secret_keys):
    """Values of the parameters under secret keys in a modules manifest: its JSON, or the
    protobuf text a running agent's /flags show for --modules.

    secret_keys: module name -> [parameter keys]. Text that is not a manifest gives nothing.
    """
    if not text or not secret_keys:
        return set()
    try:
        libraries = mesos_api.declared_libraries(text)
    except ValueError:
        return set()
    # Every library, not one entry per module name: a hand-edited manifest may repeat a module.
    return set(value for library, modules in libraries for name, parameters in modules
               for key, value in parameters
               if key in (secret_keys.get(name) or ()) and isinstance(value, str))


def secret_keys_of(modules):
    """module name -> secret parameter keys, from module entries with ``secret_parameters``."""
    keys = {}
    for module in modules or []:
        if module.get("secret_parameters"):
            keys.setdefault(module["name"], [])
            keys[module["name"]] = sorted(set(keys[module["name"]]) | set(module["secret_parameters"]))
    return keys


def redact_diffs(diffs, values=(), secret_keys=None):
    """Ansible diff entries with secret values masked in ``before`` and ``after``."""
    out = []
    for diff in diffs:
        found = set(v for v in values if v)
        for side in ("before", "after"):
            if isinstance(diff.get(side), str):
                found |= manifest_values(diff[side], secret_keys)
        entry = dict(diff)
        for side in ("before", "after"):
            if isinstance(entry.get(side), str):
                entry[side] = redact_text(entry[side], found)
        out.append(entry)
    return out


def redact_data(data, values):
    """A copy of nested lists/dicts/strings with every secret value masked."""
    if isinstance(data, str):
        return redact_text(data, values)
    if isinstance(data, dict):
        return dict((k, redact_data(v, values)) for k, v in data.items())
    if isinstance(data, (list, tuple)):
        return [redact_data(v, values) for v in data]
    return data


def flatten(secrets):
    """Every value of a secrets option (module -> key -> value, or a list of values)."""
    if isinstance(secrets, dict):
        out = []
        for value in secrets.values():
            out.extend(flatten(value))
        return out
    if isinstance(secrets, (list, tuple)):
        out = []
        for value in secrets:
            out.extend(flatten(value))
        return out
    return [secrets] if isinstance(secrets, str) and secrets else []
