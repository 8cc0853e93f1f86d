"""Schemathesis hooks (``SCHEMATHESIS_HOOKS``) for the API's own string formats.

The OpenAPI document states the formats the services check (``mobile``, ``phone``) and
that special-use e-mail domains are refused; schemathesis knows neither, so these teach it
what valid values look like. Invalid ones it still makes up on its own.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

#: RFC 6761's special-use names: the services refuse addresses there (schemathesis' own
#: e-mail generator likes ``.test``).
_SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")

_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-_+", min_size=1, max_size=12).filter(
    lambda local: not local.startswith(".") and not local.endswith(".") and ".." not in local
)

schemathesis.openapi.format(
    "email",
    st.builds(
        "{}@{}.{}".format,
        _LOCAL,
        _LABEL,
        st.sampled_from(("nl", "be", "com", "org", "net", "example")),
    ),
)
# +3161…: every number of that block is a valid Dutch mobile; 06-1… the same, nationally.
schemathesis.openapi.format(
    "mobile",
    st.one_of(
        st.integers(0, 9_999_999).map("+3161{:07d}".format),
        st.integers(0, 9_999_999).map("061{:07d}".format),
    ),
)
# Rotterdam (010) numbers and mobiles: valid phone numbers.
schemathesis.openapi.format(
    "phone",
    st.one_of(
        st.integers(0, 9_999_999).map("+3110{:07d}".format),
        st.integers(0, 9_999_999).map("+3161{:07d}".format),
    ),
)

assert all(tld not in _SPECIAL_USE for tld in ("nl", "be", "com", "org", "net", "example"))
