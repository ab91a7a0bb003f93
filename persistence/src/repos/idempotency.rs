//! Idempotency keys: the first response to a POST, replayed for retries with the same key.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::idempotency_keys::{self, Column, Entity};
use crate::{PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    /// The first request is still being processed.
    InFlight,
    /// Done; the response is stored.
    Done {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Seen on a route whose response carries a secret: never stored, never replayed.
    NotReplayable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub id: Uuid,
    pub request_hash: String,
    pub state: KeyState,
    pub expires_at: DateTime<Utc>,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// The key is new (or its earlier use expired): process the request.
    Claimed(Uuid),
    /// The key was used before.
    Existing(IdempotencyRecord),
}

fn record(m: idempotency_keys::Model) -> IdempotencyRecord {
    let state = match (m.state.as_str(), m.response_status) {
        ("done", Some(status)) => KeyState::Done {
            status: u16::try_from(status).unwrap_or(500),
            headers: m
                .response_headers
                .as_deref()
                .and_then(|h| serde_json::from_str(h).ok())
                .unwrap_or_default(),
            body: m.response_body.unwrap_or_default(),
        },
        ("not_replayable", _) => KeyState::NotReplayable,
        _ => KeyState::InFlight,
    };
    IdempotencyRecord {
        id: m.id,
        request_hash: m.request_hash,
        state,
        expires_at: m.expires_at,
    }
}

/// Claims `key` for this caller and route; the unique index decides races between replicas.
///
/// A claim still in flight but made before `abandoned_before` belongs to a request that can no
/// longer be running (every request ends by its deadline; one killed with its process, or cut off
/// from the database, could not release its claim): it is taken over rather than answered 409
/// until it expires.
#[allow(clippy::too_many_arguments)]
pub async fn claim(
    s: &impl Store,
    caller_key: &str,
    route: &str,
    key: &str,
    request_hash: &str,
    replayable: bool,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    abandoned_before: DateTime<Utc>,
) -> Result<Claim, PersistenceError> {
    let find = || {
        Entity::find()
            .filter(Column::CallerKey.eq(caller_key))
            .filter(Column::Route.eq(route))
            .filter(Column::Key.eq(key))
    };
    if let Some(existing) = find().one(s.conn()).await? {
        let abandoned = existing.state == "in_flight" && existing.created_at < abandoned_before;
        if existing.expires_at > now && !abandoned {
            return Ok(Claim::Existing(record(existing)));
        }
        // Only this row: of two retries taking it over together, the insert below decides.
        Entity::delete_many()
            .filter(Column::Id.eq(existing.id))
            .filter(Column::State.eq(existing.state.clone()))
            .exec(s.conn())
            .await?;
    }
    let id = Uuid::now_v7();
    let inserted = Entity::insert(idempotency_keys::ActiveModel {
        id: Set(id),
        caller_key: Set(caller_key.to_owned()),
        route: Set(route.to_owned()),
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        state: Set(if replayable {
            "in_flight"
        } else {
            "not_replayable"
        }
        .to_owned()),
        response_status: Set(None),
        response_headers: Set(None),
        response_body: Set(None),
        created_at: Set(now),
        expires_at: Set(expires_at),
    })
    .exec(s.conn())
    .await;
    match inserted.map_err(PersistenceError::from) {
        Ok(_) => Ok(Claim::Claimed(id)),
        // Another request with the same key won the race a moment ago.
        Err(PersistenceError::Conflict(_)) => match find().one(s.conn()).await? {
            Some(existing) => Ok(Claim::Existing(record(existing))),
            None => Err(PersistenceError::Conflict("idempotency key".to_owned())),
        },
        Err(e) => Err(e),
    }
}

/// Stores the response of a claimed key.
pub async fn complete(
    s: &impl Store,
    id: Uuid,
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> Result<(), PersistenceError> {
    Entity::update_many()
        .set(idempotency_keys::ActiveModel {
            state: Set("done".to_owned()),
            response_status: Set(Some(i32::from(status))),
            response_headers: Set(Some(
                serde_json::to_string(headers).unwrap_or_else(|_| "[]".to_owned()),
            )),
            response_body: Set(Some(body.to_owned())),
            ..Default::default()
        })
        .filter(Column::Id.eq(id))
        .exec(s.conn())
        .await?;
    Ok(())
}

/// Forgets a claimed key (the request failed on our side; a retry should run again).
pub async fn release(s: &impl Store, id: Uuid) -> Result<(), PersistenceError> {
    Entity::delete_by_id(id).exec(s.conn()).await?;
    Ok(())
}

pub async fn purge(s: &impl Store, now: DateTime<Utc>) -> Result<u64, PersistenceError> {
    let result = Entity::delete_many()
        .filter(Column::ExpiresAt.lte(now))
        .exec(s.conn())
        .await?;
    Ok(result.rows_affected)
}
