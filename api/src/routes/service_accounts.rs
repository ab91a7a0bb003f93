//! `/service-accounts`: integrations with scopes; the secret is shown once, at creation and at
//! each rotation.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use kinerja_domain::accounts::Scope;
use kinerja_persistence::repos::service_accounts::{
    self as repo, ServiceAccountFilter, ServiceAccountRecord,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::{ScopeName, not_null, patch_errors, patch_field, respond};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{AdminOnly, AdminOrAuditor};
use crate::error::ApiError;
use crate::http::list::{ListParams, Paged};
use crate::http::precondition::IfMatch;
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::service_accounts::{self, ServiceAccountPatch};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f",
    "name": "SIMPEG BKPSDM",
    "client_id": "svc-7cc39a6e0f3b8c1d",
    "scopes": ["import:employees", "read:org"],
    "active": true,
    "version": 1,
    "created_at": "2026-03-02T02:00:00Z",
    "updated_at": "2026-03-02T02:00:00Z"
}))]
pub struct ServiceAccountView {
    pub id: Uuid,
    pub name: String,
    pub client_id: String,
    pub scopes: Vec<ScopeName>,
    /// Revoked accounts are inactive: their credentials and tokens no longer work.
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ServiceAccountRecord> for ServiceAccountView {
    fn from(a: ServiceAccountRecord) -> Self {
        ServiceAccountView {
            id: a.id,
            name: a.name,
            client_id: a.client_id,
            scopes: a.scopes.into_iter().map(ScopeName::from).collect(),
            active: a.active,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// The account with its secret: shown once; store it, it cannot be read again.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAccountWithSecret {
    #[serde(flatten)]
    pub account: ServiceAccountView,
    /// Use with `client_id` at `POST /api/v1/auth/token` (`grant_type: client_credentials`).
    pub client_secret: String,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "SIMPEG BKPSDM", "scopes": ["import:employees", "read:org"]}))]
pub struct CreateServiceAccount {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[validate(length(min = 1, max = 11))]
    #[schema(min_items = 1, max_items = 11)]
    pub scopes: Vec<ScopeName>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scopes": ["import:employees", "import:units", "read:org"]}))]
pub struct UpdateServiceAccount {
    #[validate(length(min = 1, max = 100))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 100)]
    pub name: Option<Option<String>>,
    #[validate(length(min = 1, max = 11))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<ScopeName>, required = false, min_items = 1, max_items = 11)]
    pub scopes: Option<Option<Vec<ScopeName>>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = bool, required = false)]
    pub active: Option<Option<bool>>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ServiceAccountQuery {
    pub active: Option<bool>,
}

fn scopes(names: Vec<ScopeName>) -> Vec<Scope> {
    names.into_iter().map(Scope::from).collect()
}

fn with_secret(location: bool, account: ServiceAccountRecord, secret: String) -> HttpResponse {
    let version = account.version;
    let id = account.id;
    let body = ServiceAccountWithSecret {
        account: account.into(),
        client_secret: secret,
    };
    let mut response = if location {
        respond::created(format!("/api/v1/service-accounts/{id}"), version, &body)
    } else {
        respond::ok(version, &body)
    };
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}

/// Create a service account (admin). The response holds the secret, once.
#[utoipa::path(
    tag = "service-accounts",
    security(("bearer" = [])),
    request_body = CreateServiceAccount,
    responses((status = 201, description = "Created, with its secret.", body = ServiceAccountWithSecret))
)]
#[post("/service-accounts")]
pub async fn create_service_account(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    body: Json<CreateServiceAccount>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let (account, secret) =
        service_accounts::create(&state.db, &ctx, body.name, scopes(body.scopes)).await?;
    Ok(with_secret(true, account, secret))
}

/// Service accounts (admin, auditor). Sortable by `name`, `created_at`, `updated_at`.
#[utoipa::path(
    tag = "service-accounts",
    security(("bearer" = [])),
    params(ListParams, ServiceAccountQuery),
    responses((status = 200, description = "A page of service accounts.", body = Paged<ServiceAccountView>))
)]
#[get("/service-accounts")]
pub async fn list_service_accounts(
    _caller: Need<AdminOrAuditor>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<ServiceAccountQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(repo::SORTABLE)?;
    let filter = ServiceAccountFilter {
        active: query.active,
        updated_since: list.updated_since,
    };
    let page = service_accounts::list(&state.db, &filter, &list_query).await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, ServiceAccountView::from)))
}

/// One service account (admin, auditor).
#[utoipa::path(
    tag = "service-accounts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The service account's id")),
    responses((status = 200, description = "The service account.", body = ServiceAccountView))
)]
#[get("/service-accounts/{id}")]
pub async fn get_service_account(
    _caller: Need<AdminOrAuditor>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let account = service_accounts::get(&state.db, id.into_inner()).await?;
    Ok(respond::ok(
        account.version,
        &ServiceAccountView::from(account),
    ))
}

/// Rename, change scopes, or (re)activate (admin; `If-Match` required).
#[utoipa::path(
    tag = "service-accounts",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The service account's id"),
        ("If-Match" = String, Header, description = "The current ETag, or `*`."),
    ),
    request_body(content = UpdateServiceAccount, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed account.", body = ServiceAccountView))
)]
#[patch("/service-accounts/{id}")]
pub async fn update_service_account(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateServiceAccount>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let mut errors = Vec::new();
    let patch = ServiceAccountPatch {
        name: not_null("name", body.name, &mut errors),
        scopes: not_null("scopes", body.scopes, &mut errors).map(scopes),
        active: not_null("active", body.active, &mut errors),
    };
    patch_errors(errors)?;
    let account =
        service_accounts::update(&state.db, &ctx, id.into_inner(), &if_match, patch).await?;
    Ok(respond::ok(
        account.version,
        &ServiceAccountView::from(account),
    ))
}

/// Issue a new secret (admin); the old one stops working at once. `If-Match` honoured when sent.
#[utoipa::path(
    tag = "service-accounts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The service account's id")),
    responses((status = 200, description = "The account with its new secret.", body = ServiceAccountWithSecret))
)]
#[post("/service-accounts/{id}/rotate")]
pub async fn rotate_service_account(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let (account, secret) =
        service_accounts::rotate(&state.db, &ctx, id.into_inner(), &if_match).await?;
    Ok(with_secret(false, account, secret))
}

/// Revoke (admin): the account's credentials and tokens stop working at once. The record stays
/// for the audit trail; `PATCH` with `active: true` restores it.
#[utoipa::path(
    tag = "service-accounts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The service account's id")),
    responses((status = 204, description = "Revoked."))
)]
#[delete("/service-accounts/{id}")]
pub async fn revoke_service_account(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    service_accounts::revoke(&state.db, &ctx, id.into_inner(), &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}
