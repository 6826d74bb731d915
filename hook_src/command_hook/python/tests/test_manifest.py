"""hook.json must name exactly the module symbols the adapter defines."""

import json
import os
import re

HOOK_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_manifest_matches_adapter_symbols():
    with open(os.path.join(HOOK_DIR, "hook.json")) as f:
        manifest = json.load(f)
    with open(os.path.join(HOOK_DIR, "mesos", "command_hook.cpp")) as f:
        symbols = re.findall(r"^COMMAND_HOOK_MODULE\((\w+)\)", f.read(), re.M)
    assert manifest["kind"] == "Hook"
    assert manifest["library"] == "libcommand_hook.so"
    assert manifest["modules"] == symbols
    assert len(set(symbols)) == len(symbols) >= 2
