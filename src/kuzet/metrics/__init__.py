"""Prometheus metrics of a running system (`GET /metrics`, see ``docs/metrics.md``)."""
