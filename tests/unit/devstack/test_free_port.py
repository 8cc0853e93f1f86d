"""Ports for the processes of a stack: free, distinct, and never ones the kernel hands to
outgoing connections (its ephemeral range)."""

from __future__ import annotations

import socket

from zorgpost_devstack.postgres import _below_ephemeral_range, free_port


def test_ports_are_distinct_bindable_and_below_the_ephemeral_range() -> None:
    low, high = _below_ephemeral_range()
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(low <= port <= high for port in ports)
    for port in ports[:5]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
