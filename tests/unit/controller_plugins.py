"""Controller plugin objects for the *_cases.py files, which run in a child process: importing
Ansible's controller plugin machinery changes how modules report warnings in the process."""

from unittest import mock

import yaml

from ansible import constants as C


def load_lookup(plugin_module, name):
    """A lookup plugin with its documented options loaded, as Ansible's plugin loader makes it."""
    C.config.initialize_plugin_configuration_definitions(
        "lookup", name, yaml.safe_load(plugin_module.DOCUMENTATION)["options"])
    plugin = plugin_module.LookupModule()
    plugin._load_name = name
    return plugin


def action_task(args, check_mode=False, diff=False):
    """The task an action plugin is given: its args, check mode and diff, run synchronously."""
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = diff
    return task
