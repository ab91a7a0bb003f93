"""Schemathesis hooks for .ci/fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

The fuzzer runs as the first-start admin, and schemathesis reuses ids it has seen in responses
(GET /api/v1/me, GET /api/v1/users, the users it created), so within seconds it sends
`PATCH /api/v1/users/<the admin's id>` with `"active": false` or other roles, or a password change
for the admin. Once that lands, every later request is answered 401 `invalid_token` (or 403) and
the rest of the run tests nothing but the authentication layer.

So every write aimed at the fuzzing admin itself goes to an id that exists nowhere instead (the
API answers 404). Reads of the admin, and writes to every other user, are sent unchanged.
"""

from __future__ import annotations

import os

import schemathesis

PROTECTED_ID = os.environ.get("KINERJA_FUZZ_ADMIN_ID", "").strip().lower()
# A well-formed UUID that no row has: the request still exercises the operation (404 path).
STAND_IN_ID = "00000000-0000-4000-8000-00000000f022"
USER_PATHS = ("/api/v1/users/{id}", "/api/v1/users/{id}/password")
READS = {"GET", "HEAD", "OPTIONS"}

if not PROTECTED_ID:
    raise RuntimeError("KINERJA_FUZZ_ADMIN_ID is not set: .ci/fuzz.sh sets it to the admin's id")


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.path not in USER_PATHS or case.method.upper() in READS:
        return
    value = case.path_parameters.get("id") if case.path_parameters else None
    if isinstance(value, str) and value.strip().lower() == PROTECTED_ID:
        case.path_parameters["id"] = STAND_IN_ID
