"""Development outbox: an SMTP server and SMS sink that keep every message Zorgpost sends.

Read them at GET /api/messages (JSON) or GET / (HTML). Start it with
`python -m zorgpost_devstack.outbox` or, in-process, `async with DevOutbox(...)`.
"""

from .http import create_app
from .server import DevOutbox
from .smtp import html_to_text, parse_mail
from .store import OutboxStore, StoredMessage

__all__ = ["DevOutbox", "OutboxStore", "StoredMessage", "create_app", "html_to_text", "parse_mail"]
