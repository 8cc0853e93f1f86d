"""Conversions between domain values and protobuf well-known types, for the event codec
and the gRPC servicers alike."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def optional_timestamp(moment: datetime | None) -> Timestamp | None:
    return timestamp(moment) if moment is not None else None
