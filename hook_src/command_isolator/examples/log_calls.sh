#!/bin/sh
# Example command for every method of the command isolator (one-shot mode):
# appends each event to a log, and answers prepare with an environment
# variable for the task and usage with a fixed statistic. Root-owned, not
# writable by others (the isolator refuses it otherwise).
#   <method>_command=/usr/local/libexec/mesos-isolator/log_calls.sh
#   <method>_args=/var/log/mesos-isolator-calls.log
log=${1:-/var/log/mesos-isolator-calls.log}
event=$(cat)
printf '%s %s %s\n' "$(date +%s.%N)" "$MESOS_ISOLATOR_METHOD" "$event" >> "$log"
case "$MESOS_ISOLATOR_METHOD" in
  prepare)
    echo '{"environment": {"variables": [{"name": "ISOLATOR_ZONE", "value": "zone-a"}]}}' ;;
  usage)
    echo '{"net_rx_packets": 7, "mem_cache_bytes": 1234}' ;;
esac
