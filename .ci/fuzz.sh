#!/usr/bin/env bash
# Contract fuzzing (DESIGN.md section 5): schemathesis against a running `kinerja serve` on one
# fresh database, authenticated as the first-start admin, with a fixed seed, bounded examples and a
# hard time budget. Exits non-zero on any check failure, on any schemathesis error, or when the
# budget runs out.
#
# Usage: .ci/fuzz.sh VENV_BIN DATABASE_URL [EXTRA_SCHEMATHESIS_RUN_ARGS...]
#   VENV_BIN      the bin/ folder of a virtualenv with the pinned schemathesis installed
#   DATABASE_URL  sqlite://PATH?mode=rwc             the file must not exist yet; removed afterwards
#                 postgres://USER@HOST:PORT/kinerja_test_NAME
#                                                    created here (from the server's `postgres`
#                                                    database), dropped afterwards
#   EXTRA_...     passed on to `schemathesis run` after the fixed options, for local digging
#                 (e.g. --continue-on-failure, --include-path /api/v1/users, --phases coverage)
#
# The server binary must already be built (`cargo build --bin kinerja`). Optional environment:
#   KINERJA_BIN        server binary            (default: target/debug/kinerja)
#   FUZZ_SEED          schemathesis --seed      (default: 4242)
#   FUZZ_MAX_EXAMPLES  --max-examples per operation and phase (default: 50)
#   FUZZ_BUDGET        seconds schemathesis may run before it is stopped and the run fails
#                      (default: 600; the PostgreSQL run of 115 operations takes about 300 s on
#                      the 2-core CI machine)
#   FUZZ_SCHEMA        the OpenAPI document to test against (default: openapi.yaml; for digging only)
#   FUZZ_REPORT_DIR    write JUnit and NDJSON reports and the server log here (default: none)
#   FUZZ_RUST_LOG      the server's RUST_LOG (default: warn; `info` logs every request)
#
# Nothing here reaches beyond 127.0.0.1: the schema is read from openapi.yaml in the repository
# and every request goes to the server started here.
set -euo pipefail

[ $# -ge 2 ] || {
    echo "usage: $0 VENV_BIN DATABASE_URL [EXTRA_SCHEMATHESIS_RUN_ARGS...]" >&2
    exit 2
}
VENV_BIN=$(cd "$1" && pwd)
DATABASE_URL=$2
shift 2
EXTRA_ARGS=("$@")

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KINERJA_BIN=${KINERJA_BIN:-$ROOT/target/debug/kinerja}
SEED=${FUZZ_SEED:-4242}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-50}
BUDGET=${FUZZ_BUDGET:-600}
SCHEMA=${FUZZ_SCHEMA:-$ROOT/openapi.yaml}
PY=$VENV_BIN/python
ST=$VENV_BIN/schemathesis

# Exactly the checks DESIGN.md section 5 names. Not positive_data_acceptance: the schema cannot
# express rules such as the dates inside a NIP, so schema-valid data may rightly be rejected.
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection

[ -x "$KINERJA_BIN" ] || {
    echo "ERROR: $KINERJA_BIN not found: build it first (cargo build --bin kinerja)" >&2
    exit 1
}
[ -x "$ST" ] || {
    echo "ERROR: $ST not found: pip install the pinned schemathesis into that virtualenv" >&2
    exit 1
}
[ -f "$SCHEMA" ] || {
    echo "ERROR: $SCHEMA not found" >&2
    exit 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kinerja-fuzz.XXXXXX")
SERVER_PID=""
SQLITE_FILE=""
PG_DB=""
PG_ADMIN_URL=""

log() { echo "[fuzz] $*"; }

cleanup() {
    local rc=$?
    set +e
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ -n "$PG_DB" ]; then
        psql -w -X -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" ||
            echo "[fuzz] WARNING: could not drop database $PG_DB" >&2
    fi
    if [ -n "$SQLITE_FILE" ]; then
        rm -f "$SQLITE_FILE" "$SQLITE_FILE-wal" "$SQLITE_FILE-shm" "$SQLITE_FILE-journal"
    fi
    if [ -n "${FUZZ_REPORT_DIR:-}" ] && [ -f "$WORK/server.log" ]; then
        cp "$WORK/server.log" "$FUZZ_REPORT_DIR/server.log"
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- a fresh database ------------------------------------------------------------------------
case "$DATABASE_URL" in
    sqlite://*)
        DB_KIND=sqlite
        path=${DATABASE_URL#sqlite://}
        path=${path%%\?*}
        [ -n "$path" ] || {
            echo "ERROR: no file in $DATABASE_URL" >&2
            exit 2
        }
        [ ! -e "$path" ] || {
            echo "ERROR: $path already exists; fuzzing needs a fresh database" >&2
            exit 1
        }
        SQLITE_FILE=$path
        ;;
    postgres://* | postgresql://*)
        DB_KIND=postgres
        rest=${DATABASE_URL%%\?*}
        db=${rest##*/}
        # Only names that .ci/run step b sweeps up if this run dies without cleaning up.
        [[ "$db" =~ ^kinerja_test_[a-z0-9_]+$ ]] || {
            echo "ERROR: database name '$db' must match kinerja_test_[a-z0-9_]+" >&2
            exit 2
        }
        PG_ADMIN_URL=${rest%/*}/postgres
        psql -w -X -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" -c "CREATE DATABASE \"$db\""
        PG_DB=$db
        ;;
    *)
        echo "ERROR: unsupported database URL $DATABASE_URL (sqlite:// or postgres://)" >&2
        exit 2
        ;;
esac

# ---- the server ------------------------------------------------------------------------------
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE=http://127.0.0.1:$PORT
ADMIN_PASSWORD=$("$PY" -c 'import secrets; print("Fz-" + secrets.token_urlsafe(24))')
JWT_SECRET=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')
REPORT_ARGS=()
if [ -n "${FUZZ_REPORT_DIR:-}" ]; then
    mkdir -p "$FUZZ_REPORT_DIR"
    FUZZ_REPORT_DIR=$(cd "$FUZZ_REPORT_DIR" && pwd)
    # shellcheck disable=SC2054 # the comma is schemathesis's list separator
    REPORT_ARGS=(--report junit,ndjson --report-dir "$FUZZ_REPORT_DIR")
fi

log "database: $DB_KIND (${PG_DB:-$SQLITE_FILE}); server: $BASE; seed $SEED, max-examples $MAX_EXAMPLES, budget $BUDGET s"
# Only the settings below: none of the caller's KINERJA_* variables (KINERJA_ENV, CORS, ...).
unset_kinerja=()
while read -r name; do
    unset_kinerja+=(-u "$name")
done < <(compgen -e | grep '^KINERJA_' || true)
env "${unset_kinerja[@]}" \
    KINERJA_DATABASE_URL="$DATABASE_URL" \
    KINERJA_BIND="127.0.0.1:$PORT" \
    KINERJA_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    KINERJA_JWT_SECRET="$JWT_SECRET" \
    KINERJA_ACCESS_TOKEN_TTL=3600 \
    RUST_LOG="${FUZZ_RUST_LOG:-warn}" \
    "$KINERJA_BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

up=0
deadline=$((SECONDS + 60))
while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "ERROR: kinerja serve exited during start-up; its log:" >&2
        cat "$WORK/server.log" >&2
        exit 1
    fi
    if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$BASE/health" 2>/dev/null; then
        up=1
        break
    fi
    sleep 0.5
done
[ "$up" = 1 ] || {
    echo "ERROR: $BASE/health did not answer within 60 s; server log:" >&2
    cat "$WORK/server.log" >&2
    exit 1
}
log "server up (pid $SERVER_PID)"

# ---- the admin's token, before any fuzzed login can lock the account -------------------------
TOKEN=""
ADMIN_ID=""
read -r TOKEN ADMIN_ID < <(
    "$PY" - "$BASE" "$ADMIN_PASSWORD" <<'PY'
import json
import sys
import urllib.request

base, password = sys.argv[1], sys.argv[2]
body = json.dumps({"grant_type": "password", "username": "admin", "password": password}).encode()
request = urllib.request.Request(
    base + "/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
)
with urllib.request.urlopen(request, timeout=10) as response:
    token = json.load(response)["access_token"]
request = urllib.request.Request(base + "/api/v1/me", headers={"Authorization": "Bearer " + token})
with urllib.request.urlopen(request, timeout=10) as response:
    admin_id = json.load(response)["user"]["id"]
print(token, admin_id)
PY
) || true
if [ -z "$TOKEN" ] || [ -z "$ADMIN_ID" ]; then
    echo "ERROR: could not get the admin's token and id; server log:" >&2
    cat "$WORK/server.log" >&2
    exit 1
fi
log "admin token obtained (admin id $ADMIN_ID)"

# True while the admin's token is still accepted.
token_alive() {
    "$PY" - "$BASE/api/v1/me" "$TOKEN" <<'PY'
import sys
import urllib.request

request = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]})
with urllib.request.urlopen(request, timeout=10):
    pass
PY
}

# ---- schemathesis ----------------------------------------------------------------------------
# One worker, no example database, pinned schemathesis and Hypothesis: with the fixed seed every run
# draws the same cases (only the ids the server hands out, and so the requests that reuse them,
# differ). .ci/fuzz_hooks.py keeps the fuzzer from deactivating, demoting or re-passwording the
# admin it runs as, which it otherwise does within seconds (it reuses ids seen in responses).
# No --max-time: in schemathesis 4 it makes fuzzing and stateful testing repeat until the time is
# spent. The budget is enforced by `timeout` instead, and running into it fails the run.
start=$SECONDS
set +e
(
    cd "$WORK"
    export SCHEMATHESIS_HOOKS=$ROOT/.ci/fuzz_hooks.py KINERJA_FUZZ_ADMIN_ID=$ADMIN_ID
    export PYTHONDONTWRITEBYTECODE=1 # no .ci/__pycache__ from loading the hooks
    exec timeout --kill-after=15 "$BUDGET" "$ST" --no-color --config-file "$ROOT/.ci/schemathesis.toml" \
        run "$SCHEMA" \
        --url "$BASE" \
        --header "Authorization: Bearer $TOKEN" \
        --checks "$CHECKS" \
        --seed "$SEED" \
        --max-examples "$MAX_EXAMPLES" \
        --workers 1 \
        --generation-database none \
        --request-timeout 15 \
        --suppress-health-check too_slow \
        "${REPORT_ARGS[@]}" \
        "${EXTRA_ARGS[@]}"
)
st_rc=$?
set -e
elapsed=$((SECONDS - start))

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    server_rc=0
    wait "$SERVER_PID" || server_rc=$?
    SERVER_PID=""
    echo "ERROR: kinerja serve ended during fuzzing (exit status $server_rc; 143 or 0 after" \
        "'SIGTERM received' is a kill from outside); its log:" >&2
    cat "$WORK/server.log" >&2
    exit 1
fi
# The run only means something while the requests were authenticated to the end.
token_ok=1
token_alive || token_ok=0
if grep -qE ' (ERROR|WARN) ' "$WORK/server.log"; then
    log "server log warnings and errors (last 40 lines):"
    grep -E ' (ERROR|WARN) ' "$WORK/server.log" | tail -n 40
fi
# A panic drops the connection (schemathesis sees a network error, not a 500): fail on any, even
# one schemathesis did not pin on an operation.
panics=$(grep -c 'panicked at' "$WORK/server.log" || true)
if [ "$panics" -gt 0 ]; then
    log "the server panicked $panics time(s); first panic:"
    grep -m1 -A2 'panicked at' "$WORK/server.log"
fi

if [ "$token_ok" = 0 ]; then
    log "FAILED on $DB_KIND: the admin's token no longer works after the run, so later requests were" \
        "not authenticated (did the fuzzer deactivate or demote the admin? see .ci/fuzz_hooks.py)"
    exit 1
fi
if [ "$st_rc" -eq 0 ] && [ "$panics" -gt 0 ]; then
    log "FAILED on $DB_KIND in $elapsed s: schemathesis passed but the server panicked"
    exit 1
fi
case "$st_rc" in
    0) log "PASSED on $DB_KIND in $elapsed s (seed $SEED, max-examples $MAX_EXAMPLES)" ;;
    124 | 137)
        log "FAILED on $DB_KIND: schemathesis did not finish within the $BUDGET s budget"
        exit 1
        ;;
    *)
        log "FAILED on $DB_KIND in $elapsed s: schemathesis exited $st_rc (see the failures above)"
        exit 1
        ;;
esac
