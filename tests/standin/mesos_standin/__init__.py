"""Mesos stand-in daemons (test fixture): mesos-agent, mesos-master, fake tasks."""
