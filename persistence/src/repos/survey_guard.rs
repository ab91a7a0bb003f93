//! What guards the public survey against abuse and paper files against double counting:
//! per-client submission counters in fixed one-minute windows (kept in the database, so a limit
//! holds across replicas), single-use submission tokens (stored as SHA-256 hashes), and the
//! hashes of paper-questionnaire files already imported.
//!
//! None of it identifies a respondent: counters are keyed by a hash of (address or kiosk account,
//! unit), tokens by a hash of the token, and no response refers to either.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::{survey_imports, survey_rate, survey_tokens};
use crate::{PersistenceError, Store};

// ---------------------------------------------------------------------------------------------
// Submission counters

/// Counts one more hit of `client_key` in the window starting at `window_start` and returns the
/// count including it. One statement (`INSERT .. ON CONFLICT DO UPDATE SET count = count + 1
/// RETURNING count`, on SQLite ≥ 3.35 and PostgreSQL alike): concurrent hits on any replica
/// never lose an increment and never both see the same count.
pub async fn hit(
    s: &impl Store,
    client_key: &str,
    window_start: DateTime<Utc>,
) -> Result<u32, PersistenceError> {
    use survey_rate::Column as C;
    let statement = Query::insert()
        .into_table(survey_rate::Entity)
        .columns([C::ClientKey, C::WindowStart, C::Count])
        .values_panic([client_key.into(), window_start.into(), 1i32.into()])
        .on_conflict(
            OnConflict::columns([C::ClientKey, C::WindowStart])
                .value(C::Count, Expr::col((survey_rate::Entity, C::Count)).add(1))
                .to_owned(),
        )
        .returning_col(C::Count)
        .to_owned();
    let row = s
        .conn()
        .query_one(&statement)
        .await?
        .ok_or_else(|| super::corrupt("survey_rate", "the upsert returned no row"))?;
    let count: i32 = row.try_get("", "count")?;
    Ok(u32::try_from(count).unwrap_or(0))
}

/// Deletes counters of windows that started before `before` (housekeeping).
pub async fn purge_counters(
    s: &impl Store,
    before: DateTime<Utc>,
) -> Result<u64, PersistenceError> {
    let result = survey_rate::Entity::delete_many()
        .filter(survey_rate::Column::WindowStart.lt(before))
        .exec(s.conn())
        .await?;
    Ok(result.rows_affected)
}

// ---------------------------------------------------------------------------------------------
// Submission tokens

/// A submission token as stored: its hash, the unit it was fetched for, and its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub token_hash: String,
    pub unit_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl From<survey_tokens::Model> for TokenRecord {
    fn from(m: survey_tokens::Model) -> Self {
        TokenRecord {
            token_hash: m.token_hash,
            unit_id: m.unit_id,
            expires_at: m.expires_at,
            used_at: m.used_at,
        }
    }
}

pub async fn insert_token(s: &impl Store, t: &TokenRecord) -> Result<(), PersistenceError> {
    survey_tokens::Entity::insert(survey_tokens::ActiveModel {
        token_hash: Set(t.token_hash.clone()),
        unit_id: Set(t.unit_id),
        expires_at: Set(t.expires_at),
        used_at: Set(t.used_at),
    })
    .exec(s.conn())
    .await?;
    Ok(())
}

pub async fn find_token(
    s: &impl Store,
    token_hash: &str,
) -> Result<Option<TokenRecord>, PersistenceError> {
    Ok(survey_tokens::Entity::find_by_id(token_hash.to_owned())
        .one(s.conn())
        .await?
        .map(TokenRecord::from))
}

/// Marks the token used if it belongs to `unit_id`, is unused and unexpired at `now`: one
/// conditional update, so of two submissions racing with one token exactly one wins. Returns
/// whether this call marked it.
pub async fn use_token(
    s: &impl Store,
    token_hash: &str,
    unit_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, PersistenceError> {
    use survey_tokens::Column as C;
    let result = survey_tokens::Entity::update_many()
        .col_expr(C::UsedAt, Expr::value(now))
        .filter(C::TokenHash.eq(token_hash))
        .filter(C::UnitId.eq(unit_id))
        .filter(C::UsedAt.is_null())
        .filter(C::ExpiresAt.gt(now))
        .exec(s.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

/// Deletes tokens that expired before `before` (housekeeping).
pub async fn purge_tokens(s: &impl Store, before: DateTime<Utc>) -> Result<u64, PersistenceError> {
    let result = survey_tokens::Entity::delete_many()
        .filter(survey_tokens::Column::ExpiresAt.lt(before))
        .exec(s.conn())
        .await?;
    Ok(result.rows_affected)
}

// ---------------------------------------------------------------------------------------------
// Paper imports already applied

pub async fn import_applied(s: &impl Store, file_hash: &str) -> Result<bool, PersistenceError> {
    Ok(survey_imports::Entity::find_by_id(file_hash.to_owned())
        .one(s.conn())
        .await?
        .is_some())
}

/// Records a file as applied; the same hash again is a [`PersistenceError::Conflict`] (the
/// primary key decides between two uploads of one file racing on different replicas).
pub async fn record_import(
    s: &impl Store,
    file_hash: &str,
    rows: u64,
    at: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    survey_imports::Entity::insert(survey_imports::ActiveModel {
        file_hash: Set(file_hash.to_owned()),
        rows: Set(i64::try_from(rows).unwrap_or(i64::MAX)),
        created_at: Set(at),
    })
    .exec(s.conn())
    .await?;
    Ok(())
}
