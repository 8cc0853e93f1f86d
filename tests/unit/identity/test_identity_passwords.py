"""Passwords are stored as argon2id hashes at OWASP's parameters."""

from __future__ import annotations

import pytest

from identity.adapters.passwords import PasswordHasher

PASSWORD = "Lange-zin-als-wachtwoord-2026"


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher()


def test_a_hash_is_argon2id_with_owasp_parameters(hasher: PasswordHasher) -> None:
    stored = hasher.hash(PASSWORD)

    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


def test_the_same_password_hashes_differently_each_time(hasher: PasswordHasher) -> None:
    assert hasher.hash(PASSWORD) != hasher.hash(PASSWORD)


def test_the_right_password_verifies(hasher: PasswordHasher) -> None:
    assert hasher.verify(hasher.hash(PASSWORD), PASSWORD) is True


@pytest.mark.parametrize("attempt", ["lange-zin-als-wachtwoord-2026", "", PASSWORD + " "])
def test_a_wrong_password_does_not_verify(hasher: PasswordHasher, attempt: str) -> None:
    assert hasher.verify(hasher.hash(PASSWORD), attempt) is False


@pytest.mark.parametrize("attempt", [PASSWORD, "", "decoy password for unknown accounts"])
def test_nothing_verifies_against_an_account_without_password(hasher: PasswordHasher, attempt: str) -> None:
    assert hasher.verify(None, attempt) is False


def test_a_corrupt_stored_hash_does_not_verify(hasher: PasswordHasher) -> None:
    assert hasher.verify("not-an-argon2-hash", PASSWORD) is False


def test_hashes_made_with_other_parameters_need_rehashing(hasher: PasswordHasher) -> None:
    weaker = PasswordHasher(time_cost=1, memory_cost_kib=8 * 1024)
    old_hash = weaker.hash(PASSWORD)

    assert hasher.verify(old_hash, PASSWORD) is True, "old hashes keep working"
    assert hasher.needs_rehash(old_hash) is True
    assert hasher.needs_rehash(hasher.hash(PASSWORD)) is False
