"""Zorgpost on one machine without Docker: embedded PostgreSQL and NATS, the development
outbox and a supervisor for the service processes. Used by `make run` and by the tests."""
