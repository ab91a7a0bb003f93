//! `/audit-events`: the trail of every write (admin, auditor).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use kinerja_persistence::repos::audit::{AuditEvent, AuditFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::AdminOrAuditor;
use crate::error::ApiError;
use crate::http::Query;
use crate::http::list::{ListParams, Paged};
use crate::services::audit;

/// Who did it: a user, a service account, or the system itself.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    Service,
    System,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f",
    "occurred_at": "2026-03-02T02:00:00Z",
    "actor_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40",
    "actor_kind": "user",
    "actor_kind_label": "Pengguna",
    "acting_for": null,
    "action": "user.updated",
    "entity_type": "user",
    "entity_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
    "before": {"active": true},
    "after": {"active": false},
    "request_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e42"
}))]
pub struct AuditEventView {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_kind: ActorKind,
    pub actor_kind_label: &'static str,
    /// Whom an admin acted for (the Wali Kota), if anyone.
    pub acting_for: Option<String>,
    /// What happened, e.g. `user.created`, `session.login`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The entity before the change (`null` for creations); secrets are never recorded.
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        let (actor_kind, actor_kind_label) = match e.actor.kind {
            "user" => (ActorKind::User, "Pengguna"),
            "service" => (ActorKind::Service, "Akun layanan"),
            _ => (ActorKind::System, "Sistem"),
        };
        AuditEventView {
            id: e.id,
            occurred_at: e.occurred_at,
            actor_id: e.actor.id,
            actor_kind,
            actor_kind_label,
            acting_for: e.actor.acting_for,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
            request_id: e.request_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// e.g. `user`, `service_account`.
    #[validate(length(max = 50))]
    #[param(max_length = 50)]
    pub entity_type: Option<String>,
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    /// e.g. `user.created`.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    pub action: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// The audit trail, newest first (admin, auditor).
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(ListParams, AuditQuery),
    responses((status = 200, description = "A page of audit events.", body = Paged<AuditEventView>))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    _caller: Need<AdminOrAuditor>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(&[])?;
    let query = query.into_inner();
    let filter = AuditFilter {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        actor_id: query.actor_id,
        action: query.action,
        from: query.from.or(list.updated_since),
        to: query.to,
    };
    let page = audit::list(&state.db, &filter, &list_query).await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, AuditEventView::from)))
}
