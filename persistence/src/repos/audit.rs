//! The audit trail: one event per write, with who, when, what and before/after.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use uuid::Uuid;

use super::paged;
use crate::entities::audit_events::{self, Column, Entity};
use crate::{ListQuery, Page, PersistenceError, Store};

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    /// The user or service account; `None` for the system itself (housekeeping, bootstrap).
    pub id: Option<Uuid>,
    /// `user`, `service` or `system`.
    pub kind: &'static str,
    /// Set when an admin acts for someone outside the system (the Wali Kota).
    pub acting_for: Option<String>,
}

impl AuditActor {
    pub fn system() -> AuditActor {
        AuditActor {
            id: None,
            kind: "system",
            acting_for: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor: AuditActor,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
}

pub async fn record(s: &impl Store, event: &AuditEvent) -> Result<(), PersistenceError> {
    Entity::insert(audit_events::ActiveModel {
        id: Set(event.id),
        occurred_at: Set(event.occurred_at),
        actor_id: Set(event.actor.id),
        actor_kind: Set(event.actor.kind.to_owned()),
        acting_for: Set(event.actor.acting_for.clone()),
        action: Set(event.action.clone()),
        entity_type: Set(event.entity_type.clone()),
        entity_id: Set(event.entity_id.clone()),
        before: Set(event.before.as_ref().map(Value::to_string)),
        after: Set(event.after.as_ref().map(Value::to_string)),
        request_id: Set(event.request_id.clone()),
    })
    .exec(s.conn())
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn kind(k: &str) -> &'static str {
    match k {
        "user" => "user",
        "service" => "service",
        _ => "system",
    }
}

/// Newest first.
pub async fn list(
    s: &impl Store,
    filter: &AuditFilter,
    query: &ListQuery,
) -> Result<Page<AuditEvent>, PersistenceError> {
    let mut select = Entity::find();
    if let Some(t) = &filter.entity_type {
        select = select.filter(Column::EntityType.eq(t.as_str()));
    }
    if let Some(id) = &filter.entity_id {
        select = select.filter(Column::EntityId.eq(id.as_str()));
    }
    if let Some(actor) = filter.actor_id {
        select = select.filter(Column::ActorId.eq(actor));
    }
    if let Some(action) = &filter.action {
        select = select.filter(Column::Action.eq(action.as_str()));
    }
    if let Some(from) = filter.from {
        select = select.filter(Column::OccurredAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(Column::OccurredAt.lt(to));
    }
    let select = select
        .order_by_desc(Column::OccurredAt)
        .order_by_desc(Column::Id);
    let page = paged(s.conn(), select, query).await?;
    let items = page
        .items
        .into_iter()
        .map(|m| AuditEvent {
            id: m.id,
            occurred_at: m.occurred_at,
            actor: AuditActor {
                id: m.actor_id,
                kind: kind(&m.actor_kind),
                acting_for: m.acting_for,
            },
            action: m.action,
            entity_type: m.entity_type,
            entity_id: m.entity_id,
            before: m.before.and_then(|b| serde_json::from_str(&b).ok()),
            after: m.after.and_then(|a| serde_json::from_str(&a).ok()),
            request_id: m.request_id,
        })
        .collect();
    Ok(Page {
        items,
        total: page.total,
    })
}
