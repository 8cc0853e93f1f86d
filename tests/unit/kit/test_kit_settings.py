"""Settings refuse development secrets anywhere but on a developer's machine."""

from __future__ import annotations

import os

import pytest

from identity.config import Settings as IdentitySettings
from zorgpost_kit.settings import Environment

SECRET_ENV_VAR = "ZORGPOST_IDENTITY_SIGNING_KEY_ENCRYPTION_KEY"


@pytest.fixture(autouse=True)
def clean_identity_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only what a test sets itself may reach the settings.
    for name in list(os.environ):
        if name.startswith("ZORGPOST_IDENTITY_"):
            monkeypatch.delenv(name)


def test_development_accepts_the_default_development_secret() -> None:
    settings = IdentitySettings()

    assert settings.environment is Environment.DEVELOPMENT
    assert settings.signing_key_encryption_key.get_secret_value().startswith("dev-only-")


@pytest.mark.parametrize("environment", ["production", "test"])
def test_outside_development_the_default_secret_is_refused_naming_the_env_var(environment: str) -> None:
    with pytest.raises(ValueError, match=SECRET_ENV_VAR) as refused:
        IdentitySettings(environment=environment)

    assert f"environment is {environment}" in str(refused.value)


def test_a_development_secret_set_through_the_environment_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZORGPOST_IDENTITY_ENVIRONMENT", "production")
    monkeypatch.setenv(SECRET_ENV_VAR, "dev-only-copied-from-the-readme")

    with pytest.raises(ValueError, match=SECRET_ENV_VAR):
        IdentitySettings()


def test_production_with_a_real_secret_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZORGPOST_IDENTITY_ENVIRONMENT", "production")
    monkeypatch.setenv(SECRET_ENV_VAR, "k7Qy2-a-real-secret-from-the-vault")
    monkeypatch.setenv("ZORGPOST_IDENTITY_CODE_HASH_KEY", "Vb91-another-real-secret-from-the-vault")
    monkeypatch.setenv("ZORGPOST_IDENTITY_SECOND_FACTOR_ENCRYPTION_KEY", "Qp3z-a-third-real-secret-from-the-vault")

    settings = IdentitySettings()

    assert settings.environment is Environment.PRODUCTION
    assert settings.signing_key_encryption_key.get_secret_value() == "k7Qy2-a-real-secret-from-the-vault"


def test_the_refusal_does_not_echo_other_configured_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZORGPOST_IDENTITY_ENVIRONMENT", "production")
    monkeypatch.setenv("ZORGPOST_IDENTITY_DATABASE_URL", "postgresql+asyncpg://identity:S3cretDbPw@db/identity")

    with pytest.raises(ValueError) as refused:
        IdentitySettings()

    assert "S3cretDbPw" not in str(refused.value)


# --------------------------------------------------------------------------- retention
def test_by_default_outbox_rows_and_stream_messages_live_a_week_and_inbox_rows_a_little_longer() -> None:
    settings = IdentitySettings()

    assert settings.outbox_retention_seconds == settings.stream_max_age_seconds == 7 * 24 * 3600
    # 10 deliveries with an ack wait of 60 s, and the waits between them.
    assert settings.redelivery_horizon_seconds == 1111
    assert settings.inbox_retention_seconds == 7 * 24 * 3600 + 1111


def test_retention_is_set_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZORGPOST_IDENTITY_OUTBOX_RETENTION_SECONDS", "3600")
    monkeypatch.setenv("ZORGPOST_IDENTITY_STREAM_MAX_AGE_SECONDS", "86400")

    settings = IdentitySettings()

    assert (settings.outbox_retention_seconds, settings.stream_max_age_seconds) == (3600, 86400)


def test_a_stream_max_age_within_the_redelivery_horizon_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZORGPOST_IDENTITY_STREAM_MAX_AGE_SECONDS", "1111")

    with pytest.raises(ValueError, match="ZORGPOST_IDENTITY_STREAM_MAX_AGE_SECONDS must be longer") as refused:
        IdentitySettings()

    assert "1111 s with 10 deliveries and an ack wait of 60 s" in str(refused.value)


def test_a_short_max_age_is_accepted_with_a_short_redelivery_horizon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZORGPOST_IDENTITY_STREAM_MAX_AGE_SECONDS", "30")
    monkeypatch.setenv("ZORGPOST_IDENTITY_CONSUMER_MAX_DELIVERIES", "2")
    monkeypatch.setenv("ZORGPOST_IDENTITY_CONSUMER_ACK_WAIT_SECONDS", "10")

    settings = IdentitySettings()

    assert settings.redelivery_horizon_seconds == 21
    assert settings.inbox_retention_seconds == 51
