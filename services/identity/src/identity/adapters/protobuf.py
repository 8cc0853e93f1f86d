"""Conversions between domain values and protobuf well-known types, for the event codec
and the gRPC servicers alike."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def optional_timestamp(moment: datetime | None) -> Timestamp | None:
    return timestamp(moment) if moment is not None else None


def to_datetime(stamp: Timestamp) -> datetime:
    """A protobuf time as an aware UTC datetime."""
    return stamp.ToDatetime(tzinfo=UTC)
