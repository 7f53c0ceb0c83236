#!/bin/sh
# Makes sure a local PostgreSQL server is installed and running, and prints the URL
# the store's tests use:
#
#   export GONGKAI_TEST_PG="$(sh scripts/ci-postgres.sh)"
#   cargo test -p gongkai-store
#
# Installs the Debian package `postgresql` when no server is present (needs root or
# sudo), starts the cluster on 127.0.0.1:5432, and checks that the database `test`
# accepts the user `postgres` (created if missing). Progress goes to stderr; only the
# URL goes to stdout. Without a server the PostgreSQL tests fail; to skip them on
# purpose set GONGKAI_SKIP_PG=1 instead.
set -eu

log() { echo "ci-postgres: $*" >&2; }

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    sudo=""
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    log "installing postgresql"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >&2
fi

version="$(ls /etc/postgresql | sort -n | tail -1)"
if ! pg_lsclusters -h 2>/dev/null | awk '{print $4}' | grep -q online; then
    log "starting cluster $version/main"
    $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
fi

# Wait for the server to accept connections.
i=0
until pg_isready -q -h 127.0.0.1 -p 5432; do
    i=$((i + 1))
    if [ "$i" -gt 30 ]; then
        log "server not ready on 127.0.0.1:5432"
        exit 1
    fi
    sleep 1
done

# Trust auth on loopback is expected (as the Debian test machines are set up).
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    log "cannot connect as postgres over TCP; check pg_hba.conf (trust on 127.0.0.1)"
    exit 1
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
    log "creating database test"
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test' >&2
fi

echo "postgres://postgres@127.0.0.1:5432/test"
