"""What the portal knows of identity's delegations: who may act for whom, learnt from
``identity.delegation.granted`` and ``identity.delegation.ended``.

The portal needs it for two rules of its own: who are the parents with authority that must
approve a trajectory's agreement, and who else to tell when something is ready in a
person's portal. Whether a token may act for someone is identity's to decide on every call
(see :mod:`zorgpost_kit.identity_client`); this copy never grants access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DelegateLink:
    delegation_id: str
    organisation_id: str
    person_id: str
    delegate_id: str
    delegate_name: str
    delegate_email: str
    delegate_language: str
    active: bool
    changed_at: datetime
