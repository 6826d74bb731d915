# Shared settings for the test fleet scripts (sourced, not executed).
# shellcheck shell=bash

FLEET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$FLEET_DIR/../.." && pwd)

export CONTAINERS_CONF="$FLEET_DIR/containers.conf"
# This checkout's collection, and an Ansible home of the tests' own: nothing in ~/.ansible
# (control sockets, remote temp files, installed collections) is written or read, nor the async
# jobs' results (Molecule's podman driver), which Ansible keeps in ~/.ansible_async by default.
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$REPO_ROOT/.cache/collections}
export ANSIBLE_HOME=${ANSIBLE_HOME:-$REPO_ROOT/.cache/ansible-home}
export ANSIBLE_ASYNC_DIR=${ANSIBLE_ASYNC_DIR:-$ANSIBLE_HOME/async}
# Nor its ssh control sockets (~/.ansible/cp whatever ANSIBLE_HOME says) or the temporary files
# of tasks on the controller itself (remote_tmp, ~/.ansible/tmp for a local connection).
export ANSIBLE_SSH_CONTROL_PATH_DIR=${ANSIBLE_SSH_CONTROL_PATH_DIR:-$ANSIBLE_HOME/cp}
export ANSIBLE_REMOTE_TMP=${ANSIBLE_REMOTE_TMP:-/tmp/.mesos-fleet-ansible-$(id -u)}
# One image for every fleet host; its tag is fixed, its recipe is recorded in a label so a
# changed recipe triggers a rebuild.
FLEET_IMAGE=${MESOS_FLEET_IMAGE:-localhost/mesos-fleet-host:bookworm}
FLEET_CACHE="$REPO_ROOT/.cache/fleet"
FLEET_SSH_KEY="$FLEET_CACHE/ssh/id_ed25519"
# Where the Mesos stand-in sources come from (copied to every host).
export MESOS_FLEET_STANDIN_DIR=${MESOS_FLEET_STANDIN_DIR:-$REPO_ROOT/tests/standin}

# Controller tools: $MESOS_FLEET_VENV or the repo's .venv when present, else PATH.
for venv in "${MESOS_FLEET_VENV:-}" "$REPO_ROOT/.venv"; do
    if [ -n "$venv" ] && [ -x "$venv/bin/ansible-playbook" ]; then
        PATH="$venv/bin:$PATH"
        break
    fi
done
export PATH

log() { printf '[fleet] %s\n' "$*" >&2; }
die() { printf '[fleet] error: %s\n' "$*" >&2; exit 1; }

# Install what the fleet needs on this machine with apt-get when a command is missing.
ensure_host_packages() {
    local missing=0 cmd
    for cmd in podman runc debootstrap ssh ssh-keygen; do
        command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing=1
    done
    [ "$missing" = 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "podman, runc, debootstrap or ssh is missing; run as root to install them"
    log "installing podman runc debootstrap openssh-client with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc debootstrap openssh-client >/dev/null
}

# The controller's key for root logins on the fleet hosts (kept out of the repo).
ensure_ssh_key() {
    if [ ! -f "$FLEET_SSH_KEY" ]; then
        mkdir -p "$(dirname "$FLEET_SSH_KEY")"
        chmod 700 "$(dirname "$FLEET_SSH_KEY")"
        ssh-keygen -q -t ed25519 -N '' -C mesos-fleet-test -f "$FLEET_SSH_KEY.tmp"
        mv "$FLEET_SSH_KEY.tmp.pub" "$FLEET_SSH_KEY.pub"
        mv "$FLEET_SSH_KEY.tmp" "$FLEET_SSH_KEY"
    fi
}

# Point DOCKER_HOST at a Docker engine for Molecule's Docker driver: DOCKER_HOST's as given, else
# Docker's default socket, else podman's Docker-compatible API, served from a socket of this run
# (nothing under ~) until the calling script exits.
use_docker_engine() {
    if [ -n "${DOCKER_HOST:-}" ]; then
        log "Docker engine: $DOCKER_HOST"
        return 0
    fi
    if [ -S /var/run/docker.sock ]; then
        export DOCKER_HOST=unix:///var/run/docker.sock
        log "Docker engine: $DOCKER_HOST"
        return 0
    fi
    ensure_host_packages
    DOCKER_API_DIR=$(mktemp -d /tmp/mesos-fleet-docker-api.XXXXXX)
    podman system service --time=0 "unix://$DOCKER_API_DIR/docker.sock" \
        >"$DOCKER_API_DIR/service.log" 2>&1 &
    DOCKER_API_PID=$!
    trap stop_docker_engine EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    export DOCKER_HOST=unix://$DOCKER_API_DIR/docker.sock
    local i
    for i in $(seq 50); do
        [ -S "$DOCKER_API_DIR/docker.sock" ] && break
        kill -0 "$DOCKER_API_PID" 2>/dev/null || break
        sleep 0.2
    done
    [ -S "$DOCKER_API_DIR/docker.sock" ] \
        || die "podman's API service did not start: $(cat "$DOCKER_API_DIR/service.log")"
    log "Docker engine: podman's API at $DOCKER_HOST (pid $DOCKER_API_PID)"
}

stop_docker_engine() {
    [ -n "${DOCKER_API_PID:-}" ] || return 0
    kill "$DOCKER_API_PID" 2>/dev/null && wait "$DOCKER_API_PID" 2>/dev/null
    rm -rf "$DOCKER_API_DIR"
    DOCKER_API_PID=
}
