"""Watching evodash from outside: the Prometheus exposition at ``/metrics``."""
