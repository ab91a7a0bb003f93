//! Service accounts for integrations (SIMPEG/SIASN-style HR systems, survey kiosks): created with
//! scopes, the secret shown once, rotated and revoked by admins.

use kinerja_domain::accounts::Scope;
use kinerja_persistence::repos::service_accounts::{
    self, ServiceAccountFilter, ServiceAccountRecord,
};
use kinerja_persistence::{Db, ListQuery, Page};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use crate::auth::password;
use crate::error::{ApiError, ErrorCode};
use crate::http::precondition::IfMatch;

fn audit_view(a: &ServiceAccountRecord) -> Value {
    json!({
        "name": a.name,
        "client_id": a.client_id,
        "scopes": a.scopes,
        "active": a.active,
        "version": a.version,
    })
}

pub fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
        .with_detail("No such service account.", "Akun layanan tidak ditemukan.")
}

/// A new client id: `svc-` and 16 hex digits.
fn client_id() -> String {
    let id = Uuid::now_v7().simple().to_string();
    format!("svc-{}", &id[id.len() - 16..])
}

pub async fn create(
    db: &Db,
    ctx: &Context,
    name: String,
    scopes: Vec<Scope>,
) -> Result<(ServiceAccountRecord, String), ApiError> {
    let secret = password::random_token();
    let account = ServiceAccountRecord {
        id: Uuid::now_v7(),
        name: name.trim().to_owned(),
        client_id: client_id(),
        secret_hash: password::sha256_hex(&secret),
        scopes,
        active: true,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let tx = db.begin().await?;
    service_accounts::insert(&tx, &account).await?;
    ctx.audit(
        &tx,
        "service_account.created",
        "service_account",
        account.id,
        None,
        Some(audit_view(&account)),
    )
    .await?;
    tx.commit().await?;
    Ok((account, secret))
}

pub async fn get(db: &Db, id: Uuid) -> Result<ServiceAccountRecord, ApiError> {
    service_accounts::get(db, id).await?.ok_or_else(not_found)
}

pub async fn list(
    db: &Db,
    filter: &ServiceAccountFilter,
    query: &ListQuery,
) -> Result<Page<ServiceAccountRecord>, ApiError> {
    Ok(service_accounts::list(db, filter, query).await?)
}

#[derive(Debug, Default)]
pub struct ServiceAccountPatch {
    pub name: Option<String>,
    pub scopes: Option<Vec<Scope>>,
    pub active: Option<bool>,
}

/// Loads, checks the precondition, applies `change`, saves with an audit event.
async fn change(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
    required: bool,
    action: &str,
    change: impl FnOnce(&mut ServiceAccountRecord),
) -> Result<ServiceAccountRecord, ApiError> {
    let tx = db.begin().await?;
    let before = service_accounts::get(&tx, id)
        .await?
        .ok_or_else(not_found)?;
    if required {
        if_match.require(before.version)?;
    } else {
        if_match.honour(before.version)?;
    }
    let mut after = before.clone();
    change(&mut after);
    if after == before {
        return Ok(before);
    }
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    service_accounts::update(&tx, &after, before.version).await?;
    ctx.audit(
        &tx,
        action,
        "service_account",
        id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn update(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
    patch: ServiceAccountPatch,
) -> Result<ServiceAccountRecord, ApiError> {
    change(
        db,
        ctx,
        id,
        if_match,
        true,
        "service_account.updated",
        |a| {
            if let Some(name) = patch.name {
                a.name = name.trim().to_owned();
            }
            if let Some(scopes) = patch.scopes {
                a.scopes = scopes;
            }
            if let Some(active) = patch.active {
                a.active = active;
            }
        },
    )
    .await
}

/// A new secret; the old one stops working at once.
pub async fn rotate(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<(ServiceAccountRecord, String), ApiError> {
    let secret = password::random_token();
    let hash = password::sha256_hex(&secret);
    let account = change(
        db,
        ctx,
        id,
        if_match,
        false,
        "service_account.rotated",
        |a| a.secret_hash = hash,
    )
    .await?;
    Ok((account, secret))
}

/// Revokes the account: its tokens and credentials stop working at once. Kept for the trail.
pub async fn revoke(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<ServiceAccountRecord, ApiError> {
    change(
        db,
        ctx,
        id,
        if_match,
        false,
        "service_account.revoked",
        |a| a.active = false,
    )
    .await
}
