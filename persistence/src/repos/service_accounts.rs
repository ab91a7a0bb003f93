//! Service accounts: integrations authenticating with client credentials.

use chrono::{DateTime, Utc};
use kinerja_domain::accounts::Scope;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{corrupt, ordered, paged};
use crate::entities::service_accounts::{self, Column, Entity};
use crate::{ListQuery, Page, PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountRecord {
    pub id: Uuid,
    pub name: String,
    pub client_id: String,
    /// SHA-256 of the secret (hex): secrets are long random strings, so a fast hash suffices.
    pub secret_hash: String,
    pub scopes: Vec<Scope>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ServiceAccountRecord {
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

impl TryFrom<service_accounts::Model> for ServiceAccountRecord {
    type Error = PersistenceError;
    fn try_from(m: service_accounts::Model) -> Result<Self, PersistenceError> {
        let scopes: Vec<Scope> =
            serde_json::from_str(&m.scopes).map_err(|e| corrupt("service_accounts", e))?;
        Ok(ServiceAccountRecord {
            id: m.id,
            name: m.name,
            client_id: m.client_id,
            secret_hash: m.secret_hash,
            scopes,
            active: m.active,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active_model(a: &ServiceAccountRecord) -> service_accounts::ActiveModel {
    let mut scopes = a.scopes.clone();
    scopes.sort();
    scopes.dedup();
    service_accounts::ActiveModel {
        id: Set(a.id),
        name: Set(a.name.clone()),
        client_id: Set(a.client_id.clone()),
        secret_hash: Set(a.secret_hash.clone()),
        scopes: Set(serde_json::to_string(&scopes).unwrap_or_else(|_| "[]".to_owned())),
        active: Set(a.active),
        version: Set(a.version),
        created_at: Set(a.created_at),
        updated_at: Set(a.updated_at),
    }
}

pub async fn insert(
    s: &impl Store,
    account: &ServiceAccountRecord,
) -> Result<(), PersistenceError> {
    Entity::insert(active_model(account)).exec(s.conn()).await?;
    Ok(())
}

pub async fn get(
    s: &impl Store,
    id: Uuid,
) -> Result<Option<ServiceAccountRecord>, PersistenceError> {
    Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(ServiceAccountRecord::try_from)
        .transpose()
}

pub async fn find_by_client_id(
    s: &impl Store,
    client_id: &str,
) -> Result<Option<ServiceAccountRecord>, PersistenceError> {
    Entity::find()
        .filter(Column::ClientId.eq(client_id))
        .one(s.conn())
        .await?
        .map(ServiceAccountRecord::try_from)
        .transpose()
}

pub async fn update(
    s: &impl Store,
    account: &ServiceAccountRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = Entity::update_many()
        .set(active_model(account))
        .filter(Column::Id.eq(account.id))
        .filter(Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("service account"));
    }
    Ok(())
}

pub const SORTABLE: &[&str] = &["name", "created_at", "updated_at"];

#[derive(Debug, Clone, Default)]
pub struct ServiceAccountFilter {
    pub active: Option<bool>,
    pub updated_since: Option<DateTime<Utc>>,
}

pub async fn list(
    s: &impl Store,
    filter: &ServiceAccountFilter,
    query: &ListQuery,
) -> Result<Page<ServiceAccountRecord>, PersistenceError> {
    let mut select = Entity::find();
    if let Some(active) = filter.active {
        select = select.filter(Column::Active.eq(active));
    }
    if let Some(since) = filter.updated_since {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    let select = ordered(select, &query.sort, |name| match name {
        "name" => Some(Column::Name),
        "created_at" => Some(Column::CreatedAt),
        "updated_at" => Some(Column::UpdatedAt),
        _ => None,
    })
    .order_by_asc(Column::Id);
    let page = paged(s.conn(), select, query).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(ServiceAccountRecord::try_from)
            .collect::<Result<_, _>>()?,
        total: page.total,
    })
}
