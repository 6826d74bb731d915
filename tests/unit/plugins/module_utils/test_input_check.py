"""Bad input is refused before any host is contacted: one case per row of docs/bad-input.md.

Each case gives the variables of one or two hosts (as the inventory and extra vars would) and
the text the one failure message must contain. The roles' real argument_specs are used.
"""

import os

import pytest
import yaml

from ansible_collections.mesos_fleet.hooks.plugins.filter.checks import role_options
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import input_check as ic

OPTIONS = role_options()
SRC = "/coll/hook_src"
PROBE = {"name": "probe", "modules": [{"name": "org_fleet_Probe", "parameters": {"env": "A=1"}}]}
CMD = "slaveRunTaskLabelDecorator_command"


def hook(**kw):
    entry = dict(PROBE)
    entry.update(kw)
    return entry


def module(**kw):
    entry = {"name": "mesos_fleet_hooks_CommandHook1"}
    entry.update(kw)
    return hook(name="command_hook", modules=[entry])


def shipping(files):
    return hook(name="command_hook", modules=[{"name": "mesos_fleet_hooks_CommandHook1"}], files=files)


def hooks(*entries):
    return {"mesos_hooks": list(entries)}


# id, {host: variables}, serial, max_fail, expected text (all of them must appear)
CASES = [
    ("unknown-hook-key", {"a1": hooks(hook(colour="blue"))}, None, None,
     ["mesos_hooks[0] (probe): unknown key(s) colour (allowed: name, source, state, modules, hooks, "
      "isolation, allow_resource_decorators, files)"]),
    ("unknown-module-key", {"a1": hooks(hook(modules=[{"name": "m", "params": {}}]))}, None, None,
     ["mesos_hooks[0] (probe).modules[0]: unknown key(s) params (allowed: name, parameters, secret_parameters)"]),
    ("unknown-variable", {"a1": {"mesos_rollout_gate_timeout": {"health": 5}}}, None, None,
     ["mesos_rollout_gate_timeout: unknown variable (did you mean mesos_rollout_gate_timeouts?)"]),
    ("hooks-not-a-list", {"a1": {"mesos_hooks": {"name": "probe"}}}, None, None,
     ["mesos_hooks: must be a list of hooks, got dict"]),
    ("hook-not-a-mapping", {"a1": {"mesos_hooks": ["probe"]}}, None, None,
     ["mesos_hooks[0]: must be a mapping, got str"]),
    ("wrong-type-bool", {"a1": {"mesos_rollout_deactivate": "maybe"}}, None, None,
     ["argument 'mesos_rollout_deactivate' is of type str and we were unable to convert to bool: "
      "The value 'maybe' is not a valid boolean"]),
    ("wrong-type-int", {"a1": {"mesos_stage_keep": "two"}}, None, None,
     ["argument 'mesos_stage_keep' is of type str and we were unable to convert to int"]),
    ("wrong-type-list", {"a1": {"mesos_rollout_master_urls": {"m1": 5050}}}, None, None,
     ["argument 'mesos_rollout_master_urls' is of type dict and we were unable to convert to list"]),
    ("wrong-type-parameter", {"a1": hooks(hook(modules=[{"name": "m", "parameters": {"timeout_ms": 5}}]))},
     None, None, ["value of 'timeout_ms' must be a string, got int (quote it in YAML)"]),
    ("wrong-choice", {"a1": {"mesos_rollout_position": "middle"}}, None, None,
     ["value of mesos_rollout_position must be one of: append, prepend, got: middle"]),
    ("wrong-state", {"a1": hooks(hook(state="gone"))}, None, None,
     ["mesos_hooks[0] (probe).state: must be present or absent, got 'gone'"]),
    ("empty-hook-name", {"a1": hooks(hook(name=""))}, None, None,
     ["mesos_hooks[0].name: must be a non-empty string"]),
    ("empty-module-name", {"a1": hooks(hook(modules=[{"name": ""}]))}, None, None,
     ["mesos_hooks[0] (probe).modules[0].name: '' is not a valid C identifier"]),
    ("no-modules", {"a1": hooks(hook(modules=[]))}, None, None,
     ["mesos_hooks[0] (probe).modules: must list at least one module"]),
    ("duplicate-hook", {"a1": hooks(PROBE, PROBE)}, None, None,
     ["mesos_hooks[1] (probe).name: hook 'probe' is declared twice"]),
    ("duplicate-module", {"a1": hooks(PROBE, hook(name="probe2"))}, None, None,
     ["module 'org_fleet_Probe' is already declared by hook 'probe'"]),
    ("duplicate-parameter", {"a1": hooks(hook(modules=[{"name": "m", "parameters": [
        {"key": "env", "value": "A=1"}, {"key": "env", "value": "B=2"}]}]))}, None, None,
     ["mesos_hooks[0] (probe).modules[0].parameters: key 'env' is given more than once"]),
    ("duplicate-hooks-entry", {"a1": hooks(hook(hooks=["org_fleet_Probe", "org_fleet_Probe"]))}, None, None,
     ["mesos_hooks[0] (probe).hooks: lists a module twice"]),
    ("module-not-c-identifier", {"a1": hooks(hook(modules=[{"name": "org-fleet"}]))}, None, None,
     ["'org-fleet' is not a valid C identifier (letters, digits and _, not starting with a digit)"]),
    ("module-starts-with-digit", {"a1": hooks(hook(modules=[{"name": "1abc"}]))}, None, None,
     ["'1abc' is not a valid C identifier"]),
    ("hook-name-path", {"a1": hooks(hook(name="../etc"))}, None, None,
     ["'../etc' must be a plain directory name (letters, digits, _ . -)"]),
    ("relative-source", {"a1": hooks(hook(source="hooks/probe"))}, None, None,
     ["mesos_hooks[0] (probe).source: 'hooks/probe' must be an absolute path"]),
    ("dotdot-source", {"a1": hooks(hook(source="/srv/../etc"))}, None, None,
     ["mesos_hooks[0] (probe).source: '/srv/../etc' must not contain '..'"]),
    ("relative-command", {"a1": hooks(module(parameters={CMD: "bin/label"}))}, None, None,
     ["mesos_hooks[0] (command_hook).modules[0].parameters.%s: 'bin/label' must be an absolute path of the "
      "command" % CMD]),
    ("dotdot-command", {"a1": hooks(module(parameters={CMD: "/usr/libexec/../../tmp/x"}))}, None, None,
     ["parameters.%s: '/usr/libexec/../../tmp/x' must not contain '..'" % CMD]),
    ("shipped-file-not-on-controller",
     {"a1": hooks(shipping([{"src": "/srv/hooks/label", "dest": "/usr/libexec/label"}]))}, None, None,
     ["mesos_hooks[0] (command_hook).files[0].src: /srv/hooks/label is not a file on the controller"]),
    ("shipped-file-writable-by-others",
     {"a1": hooks(shipping([{"src": "/bin/sh", "dest": "/usr/libexec/label", "mode": "0777"}]))}, None, None,
     ["mesos_hooks[0] (command_hook).files[0].mode: 0777 lets group or others write /usr/libexec/label; the command "
      "hook refuses a command that others can change"]),
    ("shipped-file-relative-dest",
     {"a1": hooks(shipping([{"src": "/bin/sh", "dest": "libexec/label"}]))}, None, None,
     ["mesos_hooks[0] (command_hook).files[0].dest: 'libexec/label' must be an absolute path on the host"]),
    ("relative-state-dir", {"a1": {"mesos_rollout_state_dir": "state"}}, None, None,
     ["mesos_rollout_state_dir: 'state' must be an absolute path"]),
    ("dotdot-path-variable", {"a1": {"mesos_stage_root": "/var/lib/../../etc"}}, None, None,
     ["mesos_stage_root: '/var/lib/../../etc' must not contain '..'"]),
    ("shared-state-dir", {"a1": {"mesos_rollout_state_dir": "/var/lib"}}, None, None,
     ["mesos_rollout_state_dir: '/var/lib' is a shared system directory"]),
    ("serial-zero", {"a1": {}}, 0, None,
     ["mesos_rollout_serial: serial entry 0 must be at least 1 (allowed: a number of hosts >= 1"]),
    ("serial-zero-percent", {"a1": {}}, [1, "0%"], None,
     ["mesos_rollout_serial: serial entry '0%' must be a percentage above 0% and at most 100%"]),
    ("serial-over-100-percent", {"a1": {}}, "150%", None,
     ["mesos_rollout_serial: serial entry '150%' must be a percentage above 0% and at most 100%"]),
    ("serial-empty-list", {"a1": {}}, [], None, ["mesos_rollout_serial: serial must not be an empty list"]),
    ("serial-not-a-number", {"a1": {}}, "ten", None, ["serial entry 'ten' is not a number or a percentage"]),
    ("max-fail-out-of-range", {"a1": {}}, None, -5, ["mesos_rollout_max_fail_percentage must be from 0 to 100, got -5"]),
    ("negative-gate-timeout", {"a1": {"mesos_rollout_gate_timeouts": {"health": -1}}}, None, None,
     ["mesos_rollout_gate_timeouts.health: must be a number of seconds above 0, got -1"]),
    ("unknown-gate", {"a1": {"mesos_rollout_gate_timeouts": {"healthy": 5}}}, None, None,
     ["mesos_rollout_gate_timeouts: unknown gate 'healthy' (allowed: health, reregistered, flags, recovery, tasks, "
      "canary)"]),
    ("negative-restart-timeout", {"a1": {"mesos_rollout_restart_timeout": -20}}, None, None,
     ["mesos_rollout_restart_timeout: must be at least 1 (seconds or a count), got -20"]),
    ("negative-timeout-from-ini", {"a1": {"mesos_rollout_restart_timeout": "-20"}}, None, None,
     ["mesos_rollout_restart_timeout: must be at least 1 (seconds or a count), got '-20'"]),
    ("negative-count", {"a1": {"mesos_rollout_lock_stale_after": -1}}, None, None,
     ["mesos_rollout_lock_stale_after: must be 0 or more, got -1"]),
    ("bad-master-url", {"a1": {"mesos_rollout_master_urls": ["master1:5050"]}}, None, None,
     ["mesos_rollout_master_urls: 'master1:5050' must be an http(s)://host:port URL of a master"]),
    ("unmarked-secret", {"a1": hooks(module(parameters={"api_token": "s3cr3t-value"}))}, None, None,
     ["parameters.api_token: looks like a credential; list it in secret_parameters"]),
    ("secret-key-not-a-parameter", {"a1": hooks(module(parameters={"name": "x"}, secret_parameters=["token"]))},
     None, None, ["secret_parameters: 'token' is not one of the module's parameters (name)"]),
    ("secret-parameters-not-a-list", {"a1": hooks(module(parameters={"api_token": "v"}, secret_parameters="api_token"))},
     None, None, ["secret_parameters: must be a list of parameter keys"]),
    ("command-marked-secret", {"a1": hooks(module(parameters={CMD: "/usr/bin/x"}, secret_parameters=[CMD]))},
     None, None, ["secret_parameters: '%s' is a command path, not a secret" % CMD]),
    ("hooks-names-other-module", {"a1": hooks(hook(hooks=["other"]))}, None, None,
     ["mesos_hooks[0] (probe).hooks: 'other' is not one of this hook's modules (org_fleet_Probe)"]),
    ("one-host-only", {"a1": {}, "a2": {"mesos_rollout_position": "middle"}}, None, None,
     ["value of mesos_rollout_position must be one of: append, prepend, got: middle [a2]"]),
    ("every-host", {"a1": hooks(hook(colour="x")), "a2": hooks(hook(colour="x"))}, None, None,
     ["unknown key(s) colour", "[all 2 hosts]"]),
    ("hook-differs-between-hosts", {"a1": hooks(PROBE), "a2": hooks(hook(source="/srv/probe")), "b1": {}}, None, None,
     ["mesos_hooks: hook 'probe' is declared differently on different hosts (source (default), state present, "
      "modules org_fleet_Probe on a1; source /srv/probe, state present, modules org_fleet_Probe on a2)"]),
    ("unusable-template", {"a1": {"mesos_rollout_state_dir": ic.Unusable("'undefined_var' is undefined")}},
     None, None, ["mesos_rollout_state_dir: cannot be evaluated: 'undefined_var' is undefined"]),
    ("credentials-not-a-mapping", {"a1": {"mesos_http_credentials": "ops:s3cret"}}, None, None,
     ["mesos_http_credentials: must be a mapping (principal and secret)"]),
    ("credentials-without-principal", {"a1": {"mesos_http_credentials": {"secret": "s3cret"}}}, None, None,
     ["mesos_http_credentials.principal: must be a non-empty string"]),
    ("credentials-secret-with-colon", {"a1": {"mesos_http_credentials": {"principal": "ops", "secret": "a:b"}}},
     None, None, ["mesos_http_credentials.secret: contains ':', which Mesos's basic authenticator can never accept"]),
    ("credentials-unknown-key", {"a1": {"mesos_rollout_http_credentials": {"user": "ops", "secret": "s3cret"}}},
     None, None, ["mesos_rollout_http_credentials: unknown key 'user' (give principal and secret)"]),
]


@pytest.mark.parametrize("hosts_vars, serial, max_fail, expected",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_a_clear_message(hosts_vars, serial, max_fail, expected):
    problems = ic.fleet_problems(hosts_vars, OPTIONS, SRC, serial=serial, max_fail=max_fail)
    text = "\n".join(problems)
    for part in expected:
        assert part in text


def test_a_masters_hooks_are_checked_as_an_agents_and_named_as_its_own():
    problems = ic.fleet_problems({"master1": {"mesos_master_hooks": hooks(hook(colour="x"))["mesos_hooks"]}},
                                 OPTIONS, SRC)
    assert any(p.startswith("mesos_master_hooks[0] (probe): unknown key(s) colour") for p in problems), problems
    # The same hook on an agent and a master must be declared alike.
    problems = ic.fleet_problems({"agent1": hooks(PROBE),
                                  "master1": {"mesos_master_hooks": hooks(hook(source="/srv/probe"))["mesos_hooks"]}},
                                 OPTIONS, SRC)
    assert any("declared differently" in p and "master1 (mesos_master_hooks)" in p for p in problems), problems


def test_hosts_may_declare_hooks_of_their_own():
    # Agents and masters each declare theirs (group_vars per group); each hook is built for the
    # groups of the hosts that load it.
    problems = ic.fleet_problems({"agent1": hooks(PROBE), "master1": hooks(hook(name="other", modules=[{"name": "m2"}]))},
                                 OPTIONS, SRC)
    assert not [p for p in problems if "declared differently" in p], problems


def test_there_are_at_least_twenty_cases_and_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) >= 20 and len(set(ids)) == len(ids)


def test_every_problem_is_listed_not_only_the_first():
    problems = ic.fleet_problems(
        {"a1": dict(hooks(hook(colour="x"), hook(name="p2", source="rel", modules=[{"name": "m2"}])),
                    mesos_rollout_position="middle",
                    mesos_rollout_restart_timeout=-1)},
        OPTIONS, SRC, serial="0%", max_fail=200)
    assert len(problems) == 6
    for part in ("serial entry '0%'", "max_fail_percentage", "colour", "'rel' must be an absolute path",
                 "mesos_rollout_position", "mesos_rollout_restart_timeout"):
        assert any(part in p for p in problems), part


def test_an_http_secret_never_appears_in_problems():
    problems = ic.fleet_problems({"a1": {"mesos_http_credentials": {"principal": "o:ps", "secret": "pa:ss-word"}},
                                  "a2": {"mesos_discover_http_credentials": {"principal": "ops", "secret": 17}}},
                                 OPTIONS, SRC)
    assert len(problems) == 3 and "pa:ss-word" not in "\n".join(problems)


def test_secret_values_never_appear_in_problems():
    problems = ic.fleet_problems({"a1": hooks(module(parameters={"api_token": "s3cr3t-value", "timeout_ms": 5}))},
                                 OPTIONS, SRC)
    assert problems and "s3cr3t-value" not in "\n".join(problems)


def test_parameters_may_differ_per_host():
    other = hook(modules=[{"name": "org_fleet_Probe", "parameters": {"env": "B=2"}}])
    assert ic.fleet_problems({"a1": hooks(PROBE), "a2": hooks(other), "builder": {}}, OPTIONS, SRC) == []


def test_good_input_has_no_problems():
    good = {
        "mesos_hooks": [PROBE, module(parameters={CMD: "/usr/libexec/mesos-hooks/label", "api_token": "v"},
                                      secret_parameters=["api_token"])],
        "mesos_rollout_gate_timeouts": {"health": 15, "tasks": "20"},
        "mesos_rollout_restart_timeout": "20",
        "mesos_rollout_state_dir": "/var/lib/mesos-fleet-hooks",
        "mesos_rollout_master_urls": ["http://master1:5050", "https://m2"],
        "mesos_rollout_deactivate": "yes",
        "mesos_discover_prefix": "",
        "mesos_agent": {"version": "1.11.0"},
        "mesos_rollout_serial": [1, "10%"],
        "mesos_rollout_max_fail_percentage": 0,
    }
    assert ic.fleet_problems({"a1": good, "a2": good}, OPTIONS, SRC, serial=[1, "10%", "100%"], max_fail="0") == []


def test_scope_limits_what_a_playbook_checks():
    hosts_vars = {"a1": dict(hooks(hook(colour="x")), mesos_rollback_snapshot="rel")}
    problems = ic.fleet_problems(hosts_vars, OPTIONS, SRC, scope=["mesos_rollback_"])
    assert problems == ["mesos_rollback_snapshot: 'rel' must be an absolute path [a1]"]


def test_every_role_option_is_known_and_typed():
    # The check takes types from the roles' argument_specs; every option has one it understands.
    assert {"mesos_rollout_state_dir", "mesos_stage_root", "mesos_build_jobs", "mesos_discover_style"} <= set(OPTIONS)
    for name, option in OPTIONS.items():
        assert option.get("type", "str") in ("str", "int", "bool", "list", "dict", "raw", "path"), name
    for name in ic.PATH_VARS + ic.POSITIVE_INTS + ic.NON_NEGATIVE_INTS:
        assert name in OPTIONS or name in ic.PLAYBOOK_VARS, name


COLLECTION = os.path.join(os.path.dirname(ic.__file__), "..", "..")


def _entered_roles(tasks):
    for task in tasks or []:
        for key in ("ansible.builtin.import_role", "ansible.builtin.include_role"):
            if key in task:
                yield task[key]["name"].split(".")[-1], task[key].get("tasks_from", "main")
        for key in ("block", "rescue", "always"):
            yield from _entered_roles(task.get(key))


def test_every_role_entry_point_the_playbooks_use_has_an_argument_spec_the_first_play_knows():
    # Ansible checks a role's variables when it is entered at an entry point with a spec; one
    # without would skip that check, and an option the first play did not know would be refused
    # there as an unknown variable.
    entered = set()
    for playbook in ("deploy-hooks.yml", "rollback-hooks.yml", "validate-hooks.yml"):
        with open(os.path.join(COLLECTION, "playbooks", playbook)) as handle:
            plays = yaml.safe_load(handle)
        for play in plays:
            entered.update((role["role"].split(".")[-1], "main") for role in play.get("roles") or [])
            for section in ("pre_tasks", "tasks", "post_tasks"):
                entered.update(_entered_roles(play.get(section)))
    assert ("mesos_rollout", "main") in entered and ("mesos_discover", "install") in entered
    for role, entry in sorted(entered):
        with open(os.path.join(COLLECTION, "roles", role, "tasks", entry + ".yml")) as handle:
            if yaml.safe_load(handle) == []:
                continue  # an entry point that runs nothing, imported for the role's settings
        with open(os.path.join(COLLECTION, "roles", role, "meta", "argument_specs.yml")) as handle:
            specs = yaml.safe_load(handle)["argument_specs"]
        assert entry in specs, "%s: entry point %s has no argument spec" % (role, entry)
        assert set(specs[entry]["options"]) <= set(OPTIONS), (role, entry)


def test_by_host_prefixes_each_agent_problem():
    assert ic.by_host({"a1": ["x", "y"], "a2": [], "a3": ["z"]}) == ["a1: x", "a1: y", "a3: z"]
