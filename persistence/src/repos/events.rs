//! The events feed: an outbox of changes of note, in commit order, read by position.
//!
//! Events are not inserted where they happen: a use case queues them on its [`crate::Tx`]
//! ([`crate::Tx::publish`]) and [`crate::Tx::commit`] appends them just before it commits. The
//! append numbers them by bumping the one-row `event_counter` with `UPDATE ... RETURNING`, whose
//! row lock (PostgreSQL) is held until that commit; on SQLite every write transaction holds the
//! database's write lock from `BEGIN IMMEDIATE` anyway. So a transaction that numbers events
//! after another's also commits after it: positions become visible in order, and a poller that
//! has read up to position p never later finds a committed event below p. Taking the lock last
//! keeps it short and means no transaction ever waits for another lock while holding it (no
//! deadlock with the rows the use case changed).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::Value;

use super::corrupt;
use crate::entities::{event_counter, events as table};
use crate::{PersistenceError, Store};

/// An event to append: what happened to which entity, when, with a small JSON of its new state.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// e.g. `employee.updated`.
    pub kind: String,
    pub entity_type: String,
    pub entity_id: String,
    pub occurred_at: DateTime<Utc>,
    pub data: Value,
}

/// An event of the feed with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub position: i64,
    pub kind: String,
    pub entity_type: String,
    pub entity_id: String,
    pub occurred_at: DateTime<Utc>,
    pub data: Value,
}

/// Appends `events` in this order, numbered after every event committed before. Called by
/// [`crate::Tx::commit`] only, as the transaction's last write.
pub(crate) async fn append(
    tx: &DatabaseTransaction,
    events: Vec<NewEvent>,
) -> Result<(), PersistenceError> {
    let n = i64::try_from(events.len()).map_err(|e| corrupt("events", e))?;
    let bump = Query::update()
        .table(event_counter::Entity)
        .value(
            event_counter::Column::LastPosition,
            Expr::col(event_counter::Column::LastPosition).add(n),
        )
        .and_where(event_counter::Column::Id.eq(1))
        .returning_col(event_counter::Column::LastPosition)
        .to_owned();
    let row = tx
        .query_one(&bump)
        .await?
        .ok_or_else(|| corrupt("event_counter", "its row is missing"))?;
    let last: i64 = row.try_get("", "last_position")?;
    let first = last - n + 1;
    let rows = events
        .into_iter()
        .zip(first..)
        .map(|(e, position)| table::ActiveModel {
            position: Set(position),
            kind: Set(e.kind),
            entity_type: Set(e.entity_type),
            entity_id: Set(e.entity_id),
            occurred_at: Set(e.occurred_at),
            data: Set(e.data.to_string()),
        });
    table::Entity::insert_many(rows).exec(tx).await?;
    Ok(())
}

/// At most `limit` events after position `after`, in order.
pub async fn after(s: &impl Store, after: i64, limit: u64) -> Result<Vec<Event>, PersistenceError> {
    table::Entity::find()
        .filter(table::Column::Position.gt(after))
        .order_by_asc(table::Column::Position)
        .limit(limit)
        .all(s.conn())
        .await?
        .into_iter()
        .map(|m| {
            Ok(Event {
                data: serde_json::from_str(&m.data)
                    .map_err(|e| corrupt("events", format!("data at {}: {e}", m.position)))?,
                position: m.position,
                kind: m.kind,
                entity_type: m.entity_type,
                entity_id: m.entity_id,
                occurred_at: m.occurred_at,
            })
        })
        .collect()
}
