//! `/events`: the ordered, durable feed of changes of note for integrators (admin, auditor,
//! services with `read:events`). See [`crate::services::events`] for what is published.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use kinerja_persistence::repos::events::Event;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::EventsReader;
use crate::error::ApiError;
use crate::http::Query;
use crate::services::events;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cursor": "1042",
    "type": "employee.updated",
    "entity_type": "employee",
    "entity_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f",
    "occurred_at": "2026-03-02T02:00:00Z",
    "data": {"nip": "198507122010011003", "name": "Budi Santoso Siregar", "employment_type": "pns",
             "golongan": "III/b", "position": "Pengadministrasi Kependudukan", "position_kind": "pelaksana",
             "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40", "supervisor_id": null, "status": "active", "version": 3}
}))]
pub struct EventView {
    /// Where this event stands in the feed: pass it as `after` to read what follows it.
    pub cursor: String,
    /// What happened, e.g. `employee.updated`, `skp.approved`, `evaluation.finalized`,
    /// `employees.imported` (the list is in the operation's description).
    #[serde(rename = "type")]
    pub kind: String,
    /// e.g. `employee`, `skp`, `evaluation`, `import`.
    pub entity_type: String,
    /// The entity's id (an import's SHA-256 file hash for `*.imported`).
    pub entity_id: String,
    pub occurred_at: DateTime<Utc>,
    /// The entity's new state, in brief (its state before, for a deletion): ids and statuses,
    /// never free text or secrets; import counts for `*.imported`.
    pub data: serde_json::Value,
}

impl From<Event> for EventView {
    fn from(e: Event) -> Self {
        EventView {
            cursor: e.position.to_string(),
            kind: e.kind,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            occurred_at: e.occurred_at,
            data: e.data,
        }
    }
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    /// In feed order; empty when nothing followed the cursor yet.
    pub items: Vec<EventView>,
    /// The cursor to send as `after` next time: the last item's, or the one sent when nothing
    /// new came (so a client loops on it).
    pub next_cursor: String,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Read the events after this cursor (the `cursor` of the last event processed, or the
    /// previous `next_cursor`); omit it to read from the beginning. Anything else is 422
    /// `invalid_cursor`.
    #[param(pattern = "^[0-9]{1,18}$", max_length = 18, example = "1042")]
    pub after: Option<String>,
    /// How many events at most (1 to 1000; default 500).
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000, example = 500)]
    pub limit: Option<u64>,
}

/// The events feed: every change of note, in commit order, each exactly once (admin, auditor,
/// services with `read:events`).
///
/// Poll with the last cursor you processed: `GET /events?after=<cursor>`, then store
/// `next_cursor` once the page is processed. Events are written in the transaction of their
/// change and numbered in commit order, so no poller skips or repeats one, across restarts and
/// replicas. Types: `employee.created`, `employee.updated`, `employees.imported`, `unit.created`,
/// `unit.updated`, `unit.deleted`, `units.imported`, `cycle.created`, `cycle.updated`,
/// `cycle.started`, `cycle.closed`, `skp.created`, `skp.submitted`, `skp.approved`,
/// `skp.returned`, `skp.revision_opened`, `skp.revision_merged`, `skps.imported`,
/// `evaluation.finalized`, `evaluation.reopened`, `evaluation.changed_by_objection`,
/// `objection.filed`, `objection.decided`, `survey.period_closed`, `opd_predikat.set`,
/// `calibration.finalized`. An `*.imported` event carries the counts of one import file; re-read
/// what it changed with `?updated_since=<occurred_at>` on the list.
#[utoipa::path(
    tag = "integration",
    security(("bearer" = [])),
    params(EventsQuery),
    responses(
        (status = 200, description = "The events after the cursor.", body = EventPage, example = json!({
            "items": [{"cursor": "1042", "type": "evaluation.finalized", "entity_type": "evaluation",
                       "entity_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f", "occurred_at": "2027-01-20T03:00:00Z",
                       "data": {"skp_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40", "period": "q4", "status": "finalized",
                                "work_rating": "sesuai_ekspektasi", "behavior_rating": "sesuai_ekspektasi", "predikat": "baik", "version": 4}}],
            "next_cursor": "1042"
        })),
        (status = 422, description = "`after` is not a cursor of the feed (`invalid_cursor`)."),
    )
)]
#[get("/events")]
pub async fn list_events(
    _caller: Need<EventsReader>,
    state: web::Data<AppState>,
    query: Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let after = events::parse_cursor(query.after.as_deref())?;
    let items = events::after(&state.db, after, query.limit.unwrap_or(500)).await?;
    let next = items.last().map_or(after, |e| e.position);
    Ok(HttpResponse::Ok().json(EventPage {
        items: items.into_iter().map(EventView::from).collect(),
        next_cursor: next.to_string(),
    }))
}
