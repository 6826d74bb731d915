# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rollout report: one record per host, rendered as a fixed-width table and as JSON."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math
import os

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import redaction

RESULTS = ("updated", "unchanged", "rolled_back", "failed", "unreachable")
FINGERPRINT_WIDTH = 24
SHA_WIDTH = 12
COLUMNS = (
    # header, key, right-aligned
    ("HOST", "host", False),
    ("ROLE", "role", False),
    ("RESULT", "result", False),
    ("FINGERPRINT", "fingerprint", False),
    ("ARTIFACT", "artifact", False),
    ("HOOKS BEFORE -> AFTER", "hooks", False),
    # Only in a report where a rollout changed or checked some agent's --isolation.
    ("ISOLATION BEFORE -> AFTER", "isolation", False),
    ("RESTART", "restart", True),
    ("GATES", "gates", True),
    ("MESSAGE", "message", False),
)


class ReportError(ValueError):
    """A record is unusable; the message names the record and the field."""


def _names(value, where):
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise ReportError("%s must be a list of hook names, got %r" % (where, value))
    names = []
    for name in value:
        if not isinstance(name, str):
            raise ReportError("%s must be a list of hook names, got %r" % (where, value))
        if name.strip():
            names.append(name.strip())
    return names


def _seconds(value, where):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ReportError("%s must be a number of seconds, got %r" % (where, value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ReportError("%s must be a number of seconds, got %r" % (where, value))
    if number < 0 or math.isnan(number):
        raise ReportError("%s must be 0 or more seconds, got %r" % (where, value))
    return round(number, 3)


def _text(value, where):
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ReportError("%s must be a string, got %r" % (where, value))
    return str(value)


def normalise(records):
    """Check the records and return them with every field present and typed.

    Each record: ``host`` (required), ``result`` (one of RESULTS, required; ``unreachable``: the
    controller lost contact with the host during its rollout), ``fingerprint``,
    ``artifact_sha256``, ``hooks_before``, ``hooks_after`` (lists or comma strings),
    ``restart_seconds``, ``gate_seconds`` (numbers or null), ``message``, ``role`` (``agent``
    when absent, or ``master (leader)`` / ``master (standby)``), ``reached`` (the last
    step its rollout call began, see agent_rollout; null when none returned),
    ``isolation_before``, ``isolation_after`` (the agent's --isolation as lists, null when its
    rollout involved no isolator of ours).
    """
    if not isinstance(records, (list, tuple)):
        raise ReportError("records must be a list, got %s" % type(records).__name__)
    known = ("host", "role", "fingerprint", "artifact_sha256", "hooks_before", "hooks_after",
             "isolation_before", "isolation_after", "restart_seconds", "gate_seconds", "result", "message",
             "reached")
    out = []
    seen = set()
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise ReportError("record %d must be a dict, got %r" % (i, record))
        where = "record %d" % i
        host = record.get("host")
        if not isinstance(host, str) or not host.strip():
            raise ReportError("%s has no host" % where)
        where = "record %d (%s)" % (i, host)
        if host in seen:
            raise ReportError("%s: host listed twice" % where)
        seen.add(host)
        unknown = sorted(set(record) - set(known))
        if unknown:
            raise ReportError("%s: unknown field(s) %s" % (where, ", ".join(unknown)))
        result = record.get("result")
        if result not in RESULTS:
            raise ReportError("%s: result must be one of %s, got %r" % (where, ", ".join(RESULTS), result))
        sha = _text(record.get("artifact_sha256"), where + " artifact_sha256").lower()
        # One digest per hook staged on the host, comma-separated.
        for digest in sha.split(",") if sha else []:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ReportError("%s: artifact_sha256 must be 64 hex digits per staged hook, comma-separated, "
                                  "got %r" % (where, sha))
        out.append({
            "host": host,
            "result": result,
            "role": _text(record.get("role"), where + " role") or "agent",
            "fingerprint": _text(record.get("fingerprint"), where + " fingerprint"),
            "artifact_sha256": sha,
            "hooks_before": _names(record.get("hooks_before"), where + " hooks_before"),
            "hooks_after": _names(record.get("hooks_after"), where + " hooks_after"),
            "isolation_before": _optional_names(record.get("isolation_before"), where + " isolation_before"),
            "isolation_after": _optional_names(record.get("isolation_after"), where + " isolation_after"),
            "restart_seconds": _seconds(record.get("restart_seconds"), where + " restart_seconds"),
            "gate_seconds": _seconds(record.get("gate_seconds"), where + " gate_seconds"),
            "message": " ".join(_text(record.get("message"), where + " message").split()),
            "reached": _text(record.get("reached"), where + " reached") or None,
        })
    return out


def is_ok(counts):
    """Whether every host of a summary() was updated or left unchanged."""
    return counts["failed"] == 0 and counts["rolled_back"] == 0 and counts["unreachable"] == 0


def summary(records):
    counts = dict((r, 0) for r in RESULTS)
    for record in records:
        counts[record["result"]] += 1
    counts["hosts"] = len(records)
    return counts


def _optional_names(value, where):
    return None if value is None else _names(value, where)


def _short(text, width):
    return text if len(text) <= width else text[:width - 3] + "..."


def _before_after(before, after):
    def names(values):
        return ",".join(values) if values else "-"

    if not before and not after:
        return "-"
    if before == after:
        return "%s (same)" % names(after)
    return "%s -> %s" % (names(before), names(after))


def _cells(record):
    def secs(value):
        return "-" if value is None else "%.1fs" % value

    return {
        "host": record["host"],
        "role": record["role"],
        "result": record["result"].replace("_", " "),
        "fingerprint": _short(record["fingerprint"], FINGERPRINT_WIDTH) or "-",
        "artifact": ",".join(d[:SHA_WIDTH] for d in record["artifact_sha256"].split(",") if d) or "-",
        "hooks": _before_after(record["hooks_before"], record["hooks_after"]),
        "isolation": _before_after(record["isolation_before"], record["isolation_after"]),
        "restart": secs(record["restart_seconds"]),
        "gates": secs(record["gate_seconds"]),
        "message": record["message"],
    }


def render_text(records, title=None):
    """A fixed-width table of normalised ``records`` and a summary line, ending in a newline."""
    rows = [_cells(r) for r in records]
    isolation = any(r["isolation_before"] is not None or r["isolation_after"] is not None for r in records)
    columns = [c for c in COLUMNS if c[1] != "isolation" or isolation]
    widths = {}
    for header, key, _right in columns:
        widths[key] = max([len(header)] + [len(row[key]) for row in rows])

    def line(values):
        cells = []
        for header, key, right in columns:
            text = values[key]
            if key == "message":
                cells.append(text)
            else:
                cells.append(text.rjust(widths[key]) if right else text.ljust(widths[key]))
        return "  ".join(cells).rstrip()

    lines = []
    if title:
        lines.append(title)
        lines.append("=" * len(title))
    lines.append(line(dict((key, header) for header, key, _right in columns)))
    lines.append("  ".join("-" * (len(header) if key == "message" else widths[key])
                           for header, key, _right in columns))
    for row in rows:
        lines.append(line(row))
    counts = summary(records)
    lines.append("%d host%s: %d updated, %d unchanged, %d rolled back, %d failed%s" % (
        counts["hosts"], "" if counts["hosts"] == 1 else "s", counts["updated"],
        counts["unchanged"], counts["rolled_back"], counts["failed"],
        ", %d unreachable" % counts["unreachable"] if counts["unreachable"] else ""))
    # Not table cells: an agent that may be down, or in a state nobody saw, needs the operator
    # now, in full.
    for record in rollback_failures(records):
        lines.append("")
        lines.append("!!! ROLLBACK FAILED on %s: %s" % (record["host"], record["message"]))
    for record in records:
        if record["result"] == "unreachable":
            lines.append("")
            lines.append("!!! LOST CONTACT with %s: %s" % (record["host"], record["message"]))
    return "\n".join(lines) + "\n"


ROLLBACK_FAILED = "ROLLBACK FAILED"


def rollback_failures(records):
    """The records of hosts whose rollback itself failed (the agent may be down)."""
    return [r for r in records if r["result"] == "failed" and ROLLBACK_FAILED in r["message"]]


def render_json(records, title=None):
    """The report as JSON text: ``title``, ``ok`` (every host updated or unchanged),
    ``summary`` (counts per result) and ``records``."""
    counts = summary(records)
    doc = {"title": title or "", "ok": is_ok(counts),
           "summary": counts, "records": list(records),
           "rollback_failed": [r["host"] for r in rollback_failures(records)]}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


# The module's options; its action plugin checks them the same way when it writes on the
# controller itself.
ARGUMENT_SPEC = dict(
    # Fields are checked by normalise(), which also accepts 'message' (a name an argument spec
    # may not use) and comma-separated hook lists.
    records=dict(type="list", elements="dict", required=True),
    path=dict(type="path", required=True),
    text_path=dict(type="path"),
    secrets=dict(type="raw", default=[], no_log=True),
    title=dict(type="str", default="Mesos hook rollout"),
    mode=dict(type="raw", default="0644"),
)


def default_text_path(path):
    stem = path[:-len(".json")] if path.endswith(".json") else path
    return stem + ".txt"


def write(p, check_mode=False, diff=False):
    """Render the report from the module's parameters ``p`` and write what changed; the result
    the module (or its action plugin, on the controller) returns."""
    path = p["path"]
    text_path = p["text_path"] or default_text_path(path)
    if os.path.realpath(path) == os.path.realpath(text_path):
        raise ValueError("path and text_path are the same file: %s" % path)
    mode = _mode(p["mode"])
    records = normalise(redaction.redact_data(p["records"], redaction.flatten(p["secrets"])))
    text = render_text(records, p["title"])
    document = render_json(records, p["title"])
    counts = summary(records)
    result = dict(text=text, summary=counts, ok=is_ok(counts),
                  path=path, text_path=text_path)

    old_json = atomic_file.read_text(path)
    old_text = atomic_file.read_text(text_path)
    writes = [(f, content) for f, content, old in ((path, document, old_json), (text_path, text, old_text))
              if old != content]
    result["changed"] = bool(writes)
    if diff:
        result["diff"] = dict(before=old_text or "", after=text,
                              before_header=text_path, after_header=text_path)
    if check_mode:
        return result
    for target, content in writes:
        parent = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(parent):
            try:
                os.makedirs(parent, 0o755)
            except OSError as e:
                raise ValueError("cannot create directory %s: %s" % (parent, e.strerror or e))
        # An existing report keeps its mode (and owner); a new one gets ``mode``.
        is_new = atomic_file.read_bytes(target) is None
        atomic_file.atomic_write(target, atomic_file.encode_text(content), mode=mode if is_new else None)
    return result


def _mode(value):
    try:
        mode = value if isinstance(value, int) else int(str(value), 8)
    except ValueError:
        raise ValueError("mode %r is not an octal number" % (value,))
    if not 0 <= mode <= 0o7777:
        raise ValueError("mode %r is out of range" % (value,))
    return mode
