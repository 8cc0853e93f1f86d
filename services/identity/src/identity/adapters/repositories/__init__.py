"""Identity's repositories over PostgreSQL, one module per aggregate; each implements its
port of :mod:`identity.service.ports`."""
