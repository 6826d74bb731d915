# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """How the modules that call a Mesos agent's or master's HTTP endpoints authenticate."""

    DOCUMENTATION = r"""
options:
  http_principal:
    description:
      - Principal sent with every request to the agents and masters (HTTP Basic, Mesos's default
        authenticator), for clusters started with C(--authenticate_http_readonly) or
        C(--authenticate_http_readwrite). Unset sends no credentials.
      - A 401 or 403 answer fails with a message naming the endpoint and, for a 401, its realm.
    type: str
  http_secret:
    description:
      - The principal's secret, as in the agent's C(--http_credentials) and the master's
        C(--credentials) file. Never logged or returned.
    type: str
  http_ca_path:
    description:
      - A PEM file on the managed host with the CA certificates that the https answers of agents
        and masters serving TLS (libprocess's C(LIBPROCESS_SSL_ENABLED)) are checked against.
        Unset uses the system's CA certificates.
      - A certificate that does not verify fails with a message naming the URL and why. An agent
        is called over https when the running agent has C(LIBPROCESS_SSL_ENABLED) set.
    type: path
"""
