//! The events feed for integrators (`GET /events`): which changes are published, and reading
//! them back by cursor.
//!
//! Every write use case records an audit event through [`super::Context::audit`] inside its
//! transaction; the audit actions in [`FEED`] also publish an event of the feed in that same
//! transaction (an outbox: the event exists if and only if the change committed). Positions
//! follow commit order (see `kinerja_persistence::repos::events`), so a poller that remembers
//! the last cursor it processed never skips or repeats an event, across restarts and replicas.
//!
//! `data` is a small projection of the entity's new state (its state before, for a deletion):
//! only the keys listed per entity below, never free text such as reasons or notes, and never a
//! secret (audit views hold none; the projection would drop them anyway).
//!
//! Imports write one audit event per file, not per row; the feed publishes it as
//! `employees.imported` / `units.imported` / `skps.imported` / `training_records.imported` with
//! the counts, when the file
//! created or updated anything. The rows it changed carry `updated_at` equal to the event's
//! `occurred_at`, so an integrator re-reads them with `GET /employees?updated_since=<occurred_at>`
//! (or `/units`, `/skps`).

use kinerja_persistence::repos::events::{self as repo, Event, NewEvent};
use kinerja_persistence::{Db, Tx};
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode, FieldError, Msg};

const EMPLOYEE: &[&str] = &[
    "nip",
    "name",
    "employment_type",
    "golongan",
    "position",
    "position_kind",
    "unit_id",
    "supervisor_id",
    "status",
    "version",
];
const UNIT: &[&str] = &[
    "code",
    "name",
    "kind",
    "parent_id",
    "head_employee_id",
    "is_opd",
    "is_service_unit",
    "active",
    "version",
];
const IMPORT: &[&str] = &["format", "rows", "created", "updated", "unchanged"];
const CYCLE: &[&str] = &["year", "name", "status", "version"];
const SKP: &[&str] = &[
    "cycle_id",
    "employee_id",
    "evaluator_id",
    "status",
    "proposed_by",
    "start_date",
    "end_date",
    "revision_of",
    "revision_id",
    "version",
];
const EVALUATION: &[&str] = &[
    "skp_id",
    "period",
    "status",
    "work_rating",
    "behavior_rating",
    "predikat",
    "version",
];
const OBJECTION: &[&str] = &["evaluation_id", "status", "version"];
const SURVEY_PERIOD: &[&str] = &[
    "unit_id",
    "name",
    "start_date",
    "end_date",
    "closed",
    "version",
];
const OPD_PERFORMANCE: &[&str] = &[
    "cycle_id",
    "unit_id",
    "period",
    "predikat",
    "suggested_predikat",
    "calibrated_at",
    "version",
];

const TRAINING_RECORD: &[&str] = &[
    "employee_id",
    "source",
    "training_id",
    "title",
    "route",
    "method",
    "jp_minutes",
    "completed_on",
    "certificate_no",
    "status",
    "version",
];
const PARTICIPATION: &[&str] = &[
    "training_id",
    "employee_id",
    "status",
    "record_id",
    "version",
];

/// The feed: audit action → (event type, the keys of `data`). An action not listed here is not
/// published (sign-ins, accounts, feedback notes, self-assessments and ratings before
/// finalisation, realisasi, survey services, the demo seed).
pub const FEED: &[(&str, &str, &[&str])] = &[
    ("employee.created", "employee.created", EMPLOYEE),
    ("employee.updated", "employee.updated", EMPLOYEE),
    ("import.employees", "employees.imported", IMPORT),
    ("unit.created", "unit.created", UNIT),
    ("unit.updated", "unit.updated", UNIT),
    ("unit.deleted", "unit.deleted", UNIT),
    ("import.units", "units.imported", IMPORT),
    ("cycle.created", "cycle.created", CYCLE),
    ("cycle.updated", "cycle.updated", CYCLE),
    ("cycle.started", "cycle.started", CYCLE),
    ("cycle.closed", "cycle.closed", CYCLE),
    ("skp.created", "skp.created", SKP),
    ("skp.submitted", "skp.submitted", SKP),
    ("skp.approved", "skp.approved", SKP),
    ("skp.returned", "skp.returned", SKP),
    ("skp.revision_opened", "skp.revision_opened", SKP),
    ("skp.revision_merged", "skp.revision_merged", SKP),
    ("import.skps", "skps.imported", IMPORT),
    ("evaluation.finalized", "evaluation.finalized", EVALUATION),
    ("evaluation.reopened", "evaluation.reopened", EVALUATION),
    (
        "evaluation.changed_by_objection",
        "evaluation.changed_by_objection",
        EVALUATION,
    ),
    ("objection.filed", "objection.filed", OBJECTION),
    ("objection.decided", "objection.decided", OBJECTION),
    (
        "survey_period.closed",
        "survey.period_closed",
        SURVEY_PERIOD,
    ),
    ("opd_performance.set", "opd_predikat.set", OPD_PERFORMANCE),
    // Training history (riwayat diklat) for HR systems: what counts towards the yearly JP.
    ("training.completed", "training.completed", PARTICIPATION),
    (
        "training_record.approved",
        "training_record.approved",
        TRAINING_RECORD,
    ),
    (
        "import.training_records",
        "training_records.imported",
        IMPORT,
    ),
    (
        "calibration.finalized",
        "calibration.finalized",
        OPD_PERFORMANCE,
    ),
];

/// The feed's event for an audit event, if its action is published: the event type and `data`.
pub fn event_for(
    action: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Option<(&'static str, Value)> {
    let (_, kind, keys) = FEED.iter().find(|(a, _, _)| *a == action)?;
    let state = after.or(before);
    let mut data = Map::new();
    if let Some(Value::Object(state)) = state {
        // A revision's audit nests the new SKP under `skp`.
        let nested = match state.get("skp") {
            Some(Value::Object(skp)) => Some(skp),
            _ => None,
        };
        for key in *keys {
            if let Some(v) = state.get(*key).or_else(|| nested.and_then(|n| n.get(*key))) {
                data.insert((*key).to_owned(), v.clone());
            }
        }
    }
    if *keys == IMPORT {
        let changed = |k: &str| data.get(k).and_then(Value::as_u64).unwrap_or(0);
        if changed("created") + changed("updated") == 0 {
            return None;
        }
    }
    Some((kind, Value::Object(data)))
}

/// Queues the feed's event for an audit event on `tx`, if its action is published.
pub fn publish(tx: &Tx, event: &kinerja_persistence::repos::audit::AuditEvent) {
    if let Some((kind, data)) =
        event_for(&event.action, event.before.as_ref(), event.after.as_ref())
    {
        tx.publish(NewEvent {
            kind: kind.to_owned(),
            entity_type: event.entity_type.clone(),
            entity_id: event.entity_id.clone(),
            occurred_at: event.occurred_at,
            data,
        });
    }
}

/// The position a cursor names: the decimal position of an event (0 for the start).
pub fn parse_cursor(raw: Option<&str>) -> Result<i64, ApiError> {
    let Some(raw) = raw else { return Ok(0) };
    if !raw.is_empty()
        && raw.len() <= 18
        && raw.bytes().all(|b| b.is_ascii_digit())
        && let Ok(position) = raw.parse::<i64>()
    {
        return Ok(position);
    }
    Err(
        ApiError::new(ErrorCode::InvalidCursor).with_field(FieldError::new(
            "after",
            "invalid_cursor",
            Msg::new(
                "is not a cursor of this feed: send the `cursor` of an event or `next_cursor`",
                "bukan kursor umpan ini: kirim `cursor` suatu peristiwa atau `next_cursor`",
            ),
        )),
    )
}

/// At most `limit` events after the cursor, in order.
pub async fn after(db: &Db, after: i64, limit: u64) -> Result<Vec<Event>, ApiError> {
    Ok(repo::after(db, after, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_action_is_listed_once_and_types_are_dotted() {
        let mut seen = std::collections::HashSet::new();
        for (action, kind, keys) in FEED {
            assert!(seen.insert(*action), "{action} twice");
            assert!(kind.contains('.') && !keys.is_empty(), "{kind}");
        }
    }

    #[test]
    fn data_keeps_the_listed_keys_of_the_new_state_only() {
        let after = json!({"nip": "198507122010011003", "name": "Budi", "status": "active", "password_hash": "x", "version": 2});
        let (kind, data) = event_for("employee.updated", None, Some(&after)).unwrap();
        assert_eq!(kind, "employee.updated");
        assert_eq!(
            data,
            json!({"nip": "198507122010011003", "name": "Budi", "status": "active", "version": 2})
        );
        assert!(event_for("session.login", None, Some(&after)).is_none());
        assert!(event_for("user.updated", None, Some(&after)).is_none());
        // A deletion shows the state before.
        let (_, data) = event_for(
            "unit.deleted",
            Some(&json!({"code": "X", "reason": "r"})),
            None,
        )
        .unwrap();
        assert_eq!(data, json!({"code": "X"}));
        // A revision's SKP is nested.
        let (_, data) = event_for(
            "skp.revision_opened",
            None,
            Some(&json!({"revision_of": "a", "skp": {"status": "draft", "version": 1}, "rhk": []})),
        )
        .unwrap();
        assert_eq!(
            data,
            json!({"revision_of": "a", "status": "draft", "version": 1})
        );
    }

    #[test]
    fn an_import_that_changed_nothing_is_not_published() {
        let counts = |c: u64, u: u64| json!({"format": "csv", "rows": 3, "created": c, "updated": u, "unchanged": 3 - c - u});
        assert!(event_for("import.employees", None, Some(&counts(0, 0))).is_none());
        let (kind, data) = event_for("import.employees", None, Some(&counts(1, 1))).unwrap();
        assert_eq!(
            (kind, data["created"].as_u64()),
            ("employees.imported", Some(1))
        );
    }

    #[test]
    fn cursors_are_decimal_positions() {
        assert_eq!(parse_cursor(None).unwrap(), 0);
        assert_eq!(parse_cursor(Some("0")).unwrap(), 0);
        assert_eq!(parse_cursor(Some("42")).unwrap(), 42);
        for bad in ["", "-1", "abc", "1.5", " 1", "9999999999999999999", "+1"] {
            let e = parse_cursor(Some(bad)).unwrap_err();
            assert_eq!(
                (e.code, e.errors[0].field.as_str()),
                (ErrorCode::InvalidCursor, "after"),
                "{bad:?}"
            );
        }
    }
}
