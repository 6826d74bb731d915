#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: agent_info
short_description: Discover a Mesos agent's install, ABI fingerprint, packaging style and hook configuration
version_added: 0.1.0
description:
  - Finds the Mesos install (prefix, C(mesos-agent --version), C(libmesos-X.Y.Z.so) and its GNU
    build-id, headers, C(mesos.pc)), the compiler, and computes the build fingerprint that groups
    hosts able to share one compiled hook.
  - Reads every agent flag from the host's packaging style (flag files, env files, systemd unit
    and drop-ins, DC/OS env files), including the current C(--modules), C(--modules_dir) and
    C(--hooks), and the service's systemd settings that decide whether tasks survive a restart.
  - Returns everything as the C(mesos_agent) fact, or, with I(daemon=master), the same about the
    host's master as the C(mesos_master) fact (its endpoint as C(master_url)). Changes nothing.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
requirements:
  - pyelftools (Debian package C(python3-pyelftools)) on the agent, to read the libmesos build-id.
  - kazoo (Debian package C(python3-kazoo)) on a master, for its rollout to read the masters' ZooKeeper group.
attributes:
  facts:
    support: full
    description: Sets C(mesos_agent) (C(mesos_master) with I(daemon=master)).
extends_documentation_fragment:
  - mesos_fleet.hooks.flag_store
  - mesos_fleet.hooks.attributes.read_only
  - mesos_fleet.hooks.mesos_http
options:
  daemon:
    description:
      - Which Mesos daemon of the host to read. A master's flags are in its own files
        (C(/etc/mesos-master), C(/etc/default/mesos-master), C(mesos-master.service), DC/OS's
        C(/opt/mesosphere/etc/mesos-master) chain); it serves on port 5050 unless told otherwise.
    type: str
    choices: [agent, master]
    default: agent
  prefix:
    description: The Mesos install prefix. Searched in the usual places when not given.
    type: path
  read_flags:
    description:
      - Read the packaging style, flags and service. Turn off on a build host that runs no agent.
    type: bool
    default: true
  check_health:
    description:
      - Also ask the agent's C(/health) endpoint whether it is up and, when it is, whether the
        agent's C(/flags) and its first master's C(/flags) accept I(http_principal) (their read-only
        realm, which C(/state), C(/slaves) and C(/metrics/snapshot) share). A refusal is a problem
        that names the endpoint (RV(ansible_facts.mesos_agent.http_refused)).
    type: bool
    default: true
  timeout:
    description: Seconds to wait for C(/health).
    type: int
    default: 5
  survey:
    description:
      - Report what rules the host out in RV(problems) instead of failing, so a playbook can list
        every host's problems in one message before anything is written anywhere.
      - Without pyelftools, sets no facts and names it in RV(requirements_missing).
    type: bool
    default: false
  preflight_modules:
    description:
      - With I(survey), also check the change against the host, reading only. Normalised module
        declarations (C(name), C(parameters) as C(key)/C(value) pairs). Every command path among
        the parameters must pass the command hook's own rule (a regular executable owned by root,
        not writable by group or others, under root-owned directories not writable by group or
        others). The agent must not set both C(--modules) and C(--modules_dir).
    type: list
    elements: dict
    default: []
  preflight_files:
    description:
      - With I(survey), the paths the change ships files to (a hook's C(files)). Each must hold a regular file or
        nothing, under directories owned by root and not writable by group or others. A command path among
        them is not checked as it stands now, since the rollout installs it before the restart.
    type: list
    elements: path
    default: []
  lock_path:
    description:
      - With I(survey), also a problem when another rollout's lock file exists at this path on
        the host (and is not older than I(lock_stale_after)), so a run started while another is
        still going stops before it restarts any agent. Read only; unset checks nothing.
    type: path
  lock_stale_after:
    description: A lock at I(lock_path) older than this many seconds is no problem (the rollout breaks it); 0 never.
    type: int
    default: 0
  artifact_root:
    description:
      - Also list the hook artifacts already staged under this directory (see
        M(mesos_fleet.hooks.artifact_stage)) in C(mesos_agent.staged_artifacts), so the staging
        step can send a missing one with its first call. Unset lists nothing.
    type: path
  install_requirements:
    description:
      - With I(survey), whether a missing requirement will be installed by the caller. When
        false, a missing one is a problem.
    type: bool
    default: true
  require_kill_mode_process:
    description:
      - A problem (a failure without I(survey)) when the agent's unit has a C(KillMode) other than
        C(process), since a restart would then kill every executor and task on the agent.
    type: bool
    default: false
  require_healthy:
    description: With I(check_health), a problem (a failure without I(survey)) when C(/health) does not answer.
    type: bool
    default: false
  master_url:
    description:
      - Masters whose C(/flags) I(check_health) asks; empty derives them from the agent's C(--master)
        when it is C(host:port).
    type: list
    elements: str
    default: []
  require_master_url:
    description:
      - A problem (a failure without I(survey)) when neither I(master_url) nor the agent's
        C(--master) gives a master to call (C(--master=zk://...), a file).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Discover the agent
  mesos_fleet.hooks.agent_info:

- name: Discover, and check the change against the agent without failing
  mesos_fleet.hooks.agent_info:
    survey: true
    preflight_modules: "{{ mesos_hooks | mesos_fleet.hooks.hook_specs | map(attribute='modules') | flatten }}"
  register: survey

- name: Show what was found
  ansible.builtin.debug:
    msg: "{{ mesos_agent.version }} {{ mesos_agent.build_fingerprint }} {{ mesos_agent.style }}"
"""

RETURN = r"""
problems:
  description: With I(survey), what rules this host out; empty when nothing does.
  returned: when survey
  type: list
  elements: str
requirements_missing:
  description: With I(survey), Python libraries discovery needs that the host lacks.
  returned: when survey
  type: list
  elements: str
  sample: [pyelftools]
ansible_facts:
  description: Facts to add to the host.
  returned: always
  type: dict
  contains:
    mesos_agent:
      description: What was discovered.
      type: dict
      returned: unless I(survey) found no usable install or a missing requirement
      contains:
        version:
          description: Mesos version the agent reports.
          type: str
          sample: 1.11.0
        prefix:
          description: Install prefix.
          type: str
        libmesos:
          description: Path of the versioned libmesos the agent loads.
          type: str
        libmesos_build_id:
          description: GNU build-id of libmesos (hex).
          type: str
        abi_fingerprint:
          description: Version plus build-id; agents with equal values load the same modules.
          type: str
        build_fingerprint:
          description: Version, build-id, architecture and compiler ABI; one build per value.
          type: str
        can_build:
          description: Whether this host has a C++ compiler, make and the Mesos hook headers.
          type: bool
        style:
          description: Packaging style (flagdir, envfile, dropin, dcos).
          type: str
        flags:
          description: Every agent flag and its value.
          type: dict
        flag_sources:
          description: Where each flag is set (file and line).
          type: dict
        modules:
          description: Current C(--modules) value, empty when unset.
          type: str
        modules_dir:
          description: Current C(--modules_dir) value, empty when unset.
          type: str
        hooks:
          description: Current C(--hooks), in order.
          type: list
          elements: str
        service:
          description: The agent's systemd unit.
          type: str
        kill_mode:
          description: The unit's C(KillMode); tasks survive a restart only with C(process).
          type: str
        elected:
          description: With I(daemon=master), whether the master led its cluster when read (C(master/elected)).
          type: bool
          returned: with I(daemon=master), when the master is healthy
        running_hooks:
          description: With I(daemon=master), the C(--hooks) the running master loaded (its own C(/flags)).
          type: list
          elements: str
          returned: with I(daemon=master), when the master is healthy
        agent_url:
          description:
            - The agent's HTTP endpoint as reachable from the host itself, C(https) when the agent
              runs with C(LIBPROCESS_SSL_ENABLED).
            - Its address is the one the running agent serves on (the output of its
              C(--ip_discovery_command), its C(--ip), or its C(LIBPROCESS_IP), read from the
              process its unit runs), from the configuration files only when no agent process can
              be read, and C(127.0.0.1) for an agent on every address.
          type: str
        agent_url_from:
          description: Where I(agent_url)'s address came from, e.g. C(--ip_discovery_command of the running agent (pid 812)).
          type: str
        main_pid:
          description: The main process of the agent's unit, as systemd reports it (C(0) when stopped).
          type: str
        agent_pid:
          description:
            - The agent's own process, when it could be read; another than I(main_pid) when the
              unit runs a wrapper that forks the agent instead of exec'ing it.
          type: int
        healthy:
          description: Whether C(/health) answered 200 (null when not checked).
          type: bool
        http_refused:
          description: The agent's and master's endpoints that refused the credentials (401 or 403), with why.
          type: list
          elements: str
          returned: when the agent is healthy
        staged_artifacts:
          description: With I(artifact_root), the artifacts found there, as C(<hook>/<sha256>/<library>).
          type: list
          elements: str
          returned: with I(artifact_root)
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_discovery
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import daemon_process
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_elf
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_install
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


def systemd_properties(module, unit):
    systemctl = module.get_bin_path("systemctl")
    if not systemctl or not unit:
        return {}
    rc, out, dummy = module.run_command([systemctl, "show", unit, "-p", "KillMode,ActiveState,SubState,MainPID"])
    if rc != 0:
        return {}
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return dict(kill_mode=props.get("KillMode"), active_state=props.get("ActiveState"),
                sub_state=props.get("SubState"), main_pid=props.get("MainPID"))


def running_address(module, facts):
    """Take the daemon's URL from the process its unit runs, when that can be read: an init
    wrapper may compute --ip (or LIBPROCESS_IP) that no configuration file holds."""
    daemon = facts["daemon"]
    try:
        found = daemon_process.running_url(facts.get("main_pid"), module.run_command, daemon=daemon)
    except daemon_process.AddressError as e:
        facts["address_problem"] = str(e)
        return
    if found:
        facts["%s_url" % daemon], facts["%s_url_from" % daemon], facts["%s_pid" % daemon] = found


def refusals(facts, master_urls, timeout):
    """What the agent's and its masters' read-only endpoints refuse to this module's
    credentials: /flags of the agent and of the first master (the realms /state, /slaves and
    /metrics/snapshot share)."""
    if facts.get("daemon") == "master":
        return [found for found in [mesos_api.refusal(mesos_api.base_url(facts["master_url"]) + "/flags", timeout)] if found]
    urls = [mesos_api.base_url(facts["agent_url"]) + "/flags"]
    masters = rollout.master_urls(master_urls, facts)
    if masters:
        urls.append(mesos_api.master_urls(masters)[0] + "/flags")
    return [found for found in (mesos_api.refusal(url, timeout) for url in urls) if found]


def has_kazoo():
    try:
        import kazoo  # noqa: F401 pylint: disable=unused-import
    except ImportError:
        return False
    return True


def elected(url, timeout):
    """Whether the master at ``url`` leads its cluster (master/elected, src/master/metrics.cpp)."""
    try:
        return mesos_api.metric(mesos_api.agent_metrics(url, timeout), "master/elected") == 1
    except (mesos_api.MesosApiError, ValueError):
        return None


def running_hooks(url, timeout):
    """The --hooks the running daemon loaded, from its own /flags; None when unreadable."""
    try:
        return mesos_api.parse_hooks(mesos_api.agent_flags(url, timeout).get("hooks"))
    except (mesos_api.MesosApiError, ValueError):
        return None


def healthy(url, timeout):
    try:
        return mesos_api.agent_health(url, timeout)
    except (mesos_api.MesosApiError, ValueError):
        return False


def main():
    module = AnsibleModule(
        argument_spec=dict(
            flag_stores.ARGUMENT_SPEC,
            **mesos_api.ARGUMENT_SPEC,
            prefix=dict(type="path"),
            read_flags=dict(type="bool", default=True),
            check_health=dict(type="bool", default=True),
            timeout=dict(type="int", default=5),
            survey=dict(type="bool", default=False),
            preflight_modules=dict(type="list", elements="dict", default=[]),
            preflight_files=dict(type="list", elements="path", default=[]),
            lock_path=dict(type="path"),
            lock_stale_after=dict(type="int", default=0),
            artifact_root=dict(type="path"),
            install_requirements=dict(type="bool", default=True),
            require_kill_mode_process=dict(type="bool", default=False),
            require_healthy=dict(type="bool", default=False),
            require_master_url=dict(type="bool", default=False),
            master_url=dict(type="list", elements="str", default=[]),
            daemon=dict(type="str", choices=list(flag_stores.DAEMONS), default="agent"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    mesos_api.configure(**mesos_api.http_options(p))
    store_paths = dict((k, p[k]) for k in ("flag_dir", "env_files", "unit", "override_file") if p[k] is not None)
    result = dict(changed=False)
    if p["survey"]:
        found = agent_discovery.survey(
            run=module.run_command, which=module.get_bin_path, preflight_modules=p["preflight_modules"],
            have_elftools=hook_elf.HAS_ELFTOOLS, have_kazoo=has_kazoo(), install_requirements=p["install_requirements"],
            prefix=p["prefix"], style=p["style"], store_paths=store_paths, read_flags=p["read_flags"],
            lock_path=p["lock_path"], lock_stale_after=p["lock_stale_after"], daemon=p["daemon"],
            preflight_files=p["preflight_files"])
        result.update(problems=found["problems"], requirements_missing=found["requirements_missing"])
        facts = found["facts"]
    else:
        if not hook_elf.HAS_ELFTOOLS:
            module.fail_json(msg=missing_required_lib("pyelftools"), exception=hook_elf.ELFTOOLS_IMPORT_ERROR)
        try:
            facts = agent_discovery.discover(
                run=module.run_command,
                which=module.get_bin_path,
                prefix=p["prefix"], style=p["style"], store_paths=store_paths, read_flags=p["read_flags"],
                daemon=p["daemon"])
        except (agent_discovery.DiscoveryError, mesos_install.InstallError, flag_stores.FlagStoreError,
                hook_elf.HookElfError) as e:
            module.fail_json(msg=str(e))
    if facts is not None:
        facts.update(systemd_properties(module, facts["service"]))
        if p["read_flags"]:
            running_address(module, facts)
        check = p["check_health"] and p["read_flags"]
        facts["healthy"] = healthy(facts["%s_url" % p["daemon"]], p["timeout"]) if check else None
        if facts["healthy"] and p["daemon"] == "master":
            facts["elected"] = elected(facts["master_url"], p["timeout"])
            facts["running_hooks"] = running_hooks(facts["master_url"], p["timeout"])
        if facts["healthy"]:
            try:
                facts["http_refused"] = refusals(facts, p["master_url"], p["timeout"])
            except ValueError as e:  # a master URL that is not one
                facts["http_refused"] = [str(e)]
        if p["artifact_root"]:
            facts["staged_artifacts"] = artifact_store.list_staged(p["artifact_root"])
        fact = "mesos_%s" % p["daemon"]
        result["ansible_facts"] = {fact: facts}
        if p["read_flags"]:
            problems = agent_discovery.agent_problems(facts, p["require_kill_mode_process"], p["require_healthy"])
            if p["require_master_url"] and p["daemon"] == "agent":
                problems.extend(agent_discovery.master_url_problems(facts, p["master_url"]))
            if not p["survey"] and problems:
                module.fail_json(msg="; ".join(problems), ansible_facts={fact: facts})
            if p["survey"]:
                result["problems"].extend(problems)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
