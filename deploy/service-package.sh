#!/bin/sh
# Maps the Dockerfile's SERVICE build arg to what the image is made of, in one place:
#   service-package.sh SERVICE package   -> the project folder to build a wheel of
#   service-package.sh SERVICE script    -> the console script the image runs
# The build stage and tests/deploy/test_compose.py both call it, so the image and the
# tests cannot disagree about which program a container runs.
set -eu

service="${1:?usage: service-package.sh SERVICE package|script}"
what="${2:?usage: service-package.sh SERVICE package|script}"

case "$service" in
    identity | messaging | contacts | notifications | portal | gateway | web)
        package="services/$service"
        script="zorgpost-$service"
        ;;
    devstack)
        # The only part of the devstack that belongs in a container: the development
        # SMTP + SMS outbox (the launcher and embedded servers are for `make run`).
        package="libs/devstack"
        script="zorgpost-outbox"
        ;;
    *)
        echo "unknown SERVICE '$service' (identity|messaging|contacts|notifications|portal|gateway|web|devstack)" >&2
        exit 64
        ;;
esac

case "$what" in
    package) echo "$package" ;;
    script) echo "$script" ;;
    *)
        echo "unknown field '$what' (package|script)" >&2
        exit 64
        ;;
esac
