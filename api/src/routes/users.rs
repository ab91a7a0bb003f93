//! `/users`: accounts of people, managed by admins (auditors read).

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use kinerja_domain::accounts::Role;
use kinerja_persistence::repos::users::{self as users_repo, UserFilter, UserRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::{RoleName, not_null, patch_errors, patch_field, respond};
use crate::app::AppState;
use crate::auth::policy::{AdminOnly, AdminOrAuditor, OrgManager};
use crate::auth::{Need, PasswordChangeAllowed};
use crate::error::ApiError;
use crate::http::list::{ListParams, Paged};
use crate::http::precondition::IfMatch;
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::users::{self, NewUser, PasswordChange, UserPatch};

/// A person's account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f",
    "username": "198507122010011003",
    "roles": ["employee"],
    "roles_label": ["Pegawai"],
    "employee_id": null,
    "unit_id": null,
    "active": true,
    "must_change_password": false,
    "version": 1,
    "created_at": "2026-03-02T02:00:00Z",
    "updated_at": "2026-03-02T02:00:00Z"
}))]
pub struct UserView {
    pub id: Uuid,
    /// Lower-case; an employee's username is his NIP.
    pub username: String,
    pub roles: Vec<RoleName>,
    /// Indonesian labels of `roles`, in the same order.
    pub roles_label: Vec<String>,
    pub employee_id: Option<Uuid>,
    /// The unit a `unit_admin` manages (with its subtree).
    pub unit_id: Option<Uuid>,
    pub active: bool,
    /// Every call but `/me`, `/auth/*` and the password change answers 403 until it is changed.
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRecord> for UserView {
    fn from(u: UserRecord) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            roles_label: u.roles.iter().map(|r| r.label().to_owned()).collect(),
            roles: u.roles.into_iter().map(RoleName::from).collect(),
            employee_id: u.employee_id,
            unit_id: u.unit_id,
            active: u.active,
            must_change_password: u.must_change_password,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "operator.disdukcapil", "password": "Ganti-Segera-2026", "roles": ["unit_admin"], "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f", "must_change_password": true}))]
pub struct CreateUser {
    /// 3–64 letters, digits, `.`, `_`, `-`; stored lower-case.
    #[validate(length(min = 3, max = 64))]
    #[schema(min_length = 3, max_length = 64, pattern = r"^[A-Za-z0-9._-]+$")]
    pub username: String,
    /// 10–128 characters, not the username.
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    #[validate(length(min = 1, max = 4))]
    #[schema(min_items = 1, max_items = 4)]
    pub roles: Vec<RoleName>,
    pub employee_id: Option<Uuid>,
    /// Required for `unit_admin`.
    pub unit_id: Option<Uuid>,
    /// Force a password change at first login (default false).
    #[serde(default)]
    pub must_change_password: bool,
    /// Default true.
    pub active: Option<bool>,
}

/// A JSON Merge Patch of a user: absent keeps, `null` clears (`employee_id`, `unit_id`).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"roles": ["employee", "auditor"], "active": true}))]
pub struct UpdateUser {
    #[validate(length(min = 1, max = 4))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<RoleName>, required = false, min_items = 1, max_items = 4)]
    pub roles: Option<Option<Vec<RoleName>>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Uuid>)]
    pub employee_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Uuid>)]
    pub unit_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = bool, required = false)]
    pub active: Option<Option<bool>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = bool, required = false)]
    pub must_change_password: Option<Option<bool>>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "kata-sandi-lama", "new_password": "kata-sandi-baru-2026"}))]
pub struct ChangePassword {
    /// Required when changing one's own password.
    #[validate(length(min = 1, max = 128))]
    #[schema(min_length = 1, max_length = 128)]
    pub current_password: Option<String>,
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
    /// For an admin reset: whether the user must change it at next login (default true).
    pub must_change_password: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only users with this role.
    pub role: Option<RoleName>,
    pub active: Option<bool>,
    /// Part of the username (or NIP).
    #[validate(length(max = 64))]
    #[param(max_length = 64)]
    pub q: Option<String>,
    pub unit_id: Option<Uuid>,
    pub employee_id: Option<Uuid>,
}

/// Users, filtered and paged. Sortable by `username`, `created_at`, `updated_at`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(ListParams, UserQuery),
    responses((status = 200, description = "A page of users.", body = Paged<UserView>))
)]
#[get("/users")]
pub async fn list_users(
    _caller: Need<AdminOrAuditor>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(users_repo::SORTABLE)?;
    let query = query.into_inner();
    let filter = UserFilter {
        role: query.role.map(Role::from),
        active: query.active,
        q: query.q,
        updated_since: list.updated_since,
        unit_id: query.unit_id,
        employee_id: query.employee_id,
    };
    let page = users::list(&state.db, &filter, &list_query).await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, UserView::from)))
}

/// Create a user (admin). Answers 409 `username_taken` when the username exists.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created.", body = UserView),
        (status = 409, description = "The username is taken (`username_taken`)."),
    )
)]
#[post("/users")]
pub async fn create_user(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    body: Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let user = users::create(
        &state.db,
        &ctx,
        NewUser {
            username: body.username,
            password: body.password,
            roles: body.roles.into_iter().map(Role::from).collect(),
            employee_id: body.employee_id,
            unit_id: body.unit_id,
            active: body.active.unwrap_or(true),
            must_change_password: body.must_change_password,
        },
    )
    .await?;
    Ok(respond::created(
        format!("/api/v1/users/{}", user.id),
        user.version,
        &UserView::from(user),
    ))
}

/// One user.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, description = "The user.", body = UserView))
)]
#[get("/users/{id}")]
pub async fn get_user(
    _caller: Need<AdminOrAuditor>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = users::get(&state.db, id.into_inner()).await?;
    Ok(respond::ok(user.version, &UserView::from(user)))
}

/// Change a user's roles, links and status (admin; `If-Match` required). Deactivating ends the
/// user's sessions; the last active admin cannot lose the role (409 `last_admin`).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The user's id"),
        ("If-Match" = String, Header, description = "The user's current ETag, or `*`."),
    ),
    request_body(content = UpdateUser, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed user.", body = UserView),
        (status = 409, description = "The last active admin would be lost (`last_admin`)."),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let mut errors = Vec::new();
    let roles = not_null("roles", body.roles, &mut errors);
    let patch = UserPatch {
        roles: roles.map(|roles| roles.into_iter().map(Role::from).collect()),
        employee_id: body.employee_id,
        unit_id: body.unit_id,
        active: not_null("active", body.active, &mut errors),
        must_change_password: not_null(
            "must_change_password",
            body.must_change_password,
            &mut errors,
        ),
    };
    patch_errors(errors)?;
    let user = users::update(&state.db, &ctx, id.into_inner(), &if_match, patch).await?;
    Ok(respond::ok(user.version, &UserView::from(user)))
}

/// Change one's own password (with `current_password`), or reset another user's (admin; the user
/// must change it at next login unless `must_change_password: false`). Ends the user's sessions.
/// Allowed while a password change is pending. `If-Match` is honoured when sent.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    request_body = ChangePassword,
    responses((status = 204, description = "Changed."))
)]
#[post("/users/{id}/password")]
pub async fn change_password(
    caller: PasswordChangeAllowed,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.0, state.clock.now());
    let user = users::change_password(
        &state.db,
        &ctx,
        &caller.0,
        id.into_inner(),
        &if_match,
        PasswordChange {
            current_password: body.current_password,
            new_password: body.new_password,
            must_change_password: body.must_change_password,
        },
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((
            actix_web::http::header::ETAG,
            crate::http::precondition::etag(user.version),
        ))
        .finish())
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f", "roles": ["employee"]}))]
pub struct FromEmployees {
    /// The unit whose subtree gets accounts (a unit admin's: within the units he manages).
    pub unit_id: Uuid,
    /// `employee` (and, for admins, `auditor`); default `["employee"]`.
    #[validate(length(min = 1, max = 2))]
    #[schema(min_items = 1, max_items = 2)]
    pub roles: Option<Vec<RoleName>>,
}

/// An account made for an employee, with its one-time password (shown once).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedAccountView {
    pub employee_id: Uuid,
    pub nip: String,
    pub name: String,
    pub user_id: Uuid,
    /// The NIP.
    pub username: String,
    /// One-time password: the account must change it at first login.
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedEmployeeView {
    pub employee_id: Uuid,
    pub nip: String,
    /// `username_taken`: an account with the NIP as username exists but belongs to no employee.
    pub reason: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FromEmployeesResult {
    pub created: Vec<IssuedAccountView>,
    pub skipped: Vec<SkippedEmployeeView>,
}

/// Accounts for every active employee of a unit's subtree who has none: username = NIP, a
/// one-time password returned once (JSON, or CSV with `Accept: text/csv`), and a forced password
/// change at first login. Admins, and unit admins within their units (role `employee` only).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = FromEmployees,
    responses((status = 200, description = "The accounts made, with their one-time passwords.", content(
        (FromEmployeesResult = "application/json"),
        (String = "text/csv"),
    )))
)]
#[post("/users/from-employees")]
pub async fn create_from_employees(
    caller: Need<OrgManager>,
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    body: Json<FromEmployees>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let roles = body
        .roles
        .unwrap_or_else(|| vec![RoleName::Employee])
        .into_iter()
        .map(Role::from)
        .collect();
    let (created, skipped) =
        users::create_from_employees(&state.db, &ctx, &caller.caller, body.unit_id, roles).await?;
    if crate::http::csv::wants_csv(&req) {
        let rows = created
            .into_iter()
            .map(|a| vec![a.nip, a.name, a.username, a.password])
            .collect();
        let mut response = crate::http::csv::respond(
            "accounts.csv",
            &["nip", "name", "username", "password"],
            rows,
            b',',
        );
        response.headers_mut().insert(
            actix_web::http::header::CACHE_CONTROL,
            actix_web::http::header::HeaderValue::from_static("no-store"),
        );
        return Ok(response);
    }
    let result = FromEmployeesResult {
        created: created
            .into_iter()
            .map(|a| IssuedAccountView {
                employee_id: a.employee_id,
                nip: a.nip,
                name: a.name,
                user_id: a.user_id,
                username: a.username,
                password: a.password,
            })
            .collect(),
        skipped: skipped
            .into_iter()
            .map(|s| SkippedEmployeeView {
                employee_id: s.employee_id,
                nip: s.nip,
                reason: s.reason,
            })
            .collect(),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(result))
}
