//! Sessions: refresh tokens (stored hashed, in rotation families) and login failures (for
//! throttling that holds across replicas).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::{login_failures, refresh_tokens};
use crate::{PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<refresh_tokens::Model> for RefreshTokenRecord {
    fn from(m: refresh_tokens::Model) -> Self {
        RefreshTokenRecord {
            id: m.id,
            family_id: m.family_id,
            user_id: m.user_id,
            token_hash: m.token_hash,
            expires_at: m.expires_at,
            used_at: m.used_at,
            revoked_at: m.revoked_at,
            created_at: m.created_at,
        }
    }
}

pub async fn insert_refresh_token(
    s: &impl Store,
    t: &RefreshTokenRecord,
) -> Result<(), PersistenceError> {
    refresh_tokens::Entity::insert(refresh_tokens::ActiveModel {
        id: Set(t.id),
        family_id: Set(t.family_id),
        user_id: Set(t.user_id),
        token_hash: Set(t.token_hash.clone()),
        expires_at: Set(t.expires_at),
        used_at: Set(t.used_at),
        revoked_at: Set(t.revoked_at),
        created_at: Set(t.created_at),
    })
    .exec(s.conn())
    .await?;
    Ok(())
}

pub async fn find_refresh_token(
    s: &impl Store,
    token_hash: &str,
) -> Result<Option<RefreshTokenRecord>, PersistenceError> {
    Ok(refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
        .one(s.conn())
        .await?
        .map(RefreshTokenRecord::from))
}

/// Marks a token used, only if it still is unused: two concurrent refreshes with one token
/// cannot both rotate. Returns whether this call marked it.
pub async fn mark_used(
    s: &impl Store,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, PersistenceError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(at))
        .filter(refresh_tokens::Column::Id.eq(id))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(s.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

/// Revokes every token of a family (reuse detected, or logout).
pub async fn revoke_family(
    s: &impl Store,
    family_id: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, PersistenceError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(at))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(s.conn())
        .await?;
    Ok(result.rows_affected)
}

/// Revokes every token of a user (password changed or reset, account deactivated).
pub async fn revoke_user(
    s: &impl Store,
    user_id: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, PersistenceError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(at))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(s.conn())
        .await?;
    Ok(result.rows_affected)
}

/// Deletes tokens that expired before `before` (housekeeping).
pub async fn purge_refresh_tokens(
    s: &impl Store,
    before: DateTime<Utc>,
) -> Result<u64, PersistenceError> {
    let result = refresh_tokens::Entity::delete_many()
        .filter(refresh_tokens::Column::ExpiresAt.lt(before))
        .exec(s.conn())
        .await?;
    Ok(result.rows_affected)
}

pub async fn record_login_failure(
    s: &impl Store,
    username: &str,
    client_addr: &str,
    at: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    login_failures::Entity::insert(login_failures::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username.to_owned()),
        client_addr: Set(client_addr.to_owned()),
        failed_at: Set(at),
    })
    .exec(s.conn())
    .await?;
    Ok(())
}

/// Failures of a username since `since`, with the address each came from.
pub async fn login_failures_since(
    s: &impl Store,
    username: &str,
    since: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, PersistenceError> {
    Ok(login_failures::Entity::find()
        .filter(login_failures::Column::Username.eq(username))
        .filter(login_failures::Column::FailedAt.gte(since))
        .all(s.conn())
        .await?
        .into_iter()
        .map(|m| (m.client_addr, m.failed_at))
        .collect())
}

/// A successful login forgets that pair's failures.
pub async fn clear_login_failures(
    s: &impl Store,
    username: &str,
    client_addr: &str,
) -> Result<(), PersistenceError> {
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::Username.eq(username))
        .filter(login_failures::Column::ClientAddr.eq(client_addr))
        .exec(s.conn())
        .await?;
    Ok(())
}

pub async fn purge_login_failures(
    s: &impl Store,
    before: DateTime<Utc>,
) -> Result<u64, PersistenceError> {
    let result = login_failures::Entity::delete_many()
        .filter(login_failures::Column::FailedAt.lt(before))
        .exec(s.conn())
        .await?;
    Ok(result.rows_affected)
}
