//! `/auth/token`, `/auth/refresh`, `/auth/logout` and `/me`.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError, ValidationErrors};

use super::users::UserView;
use crate::app::AppState;
use crate::auth::{ClientAddr, PasswordChangeAllowed, Principal};
use crate::error::ApiError;
use crate::http::{Json, RequestId};
use crate::routes::dto::ScopeName;
use crate::services::sessions::{self, Grant};

/// Which grant a token request uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// A person: `username` (or NIP) and `password`.
    Password,
    /// An integration: `client_id` and `client_secret` of a service account.
    ClientCredentials,
}

/// A token request: a person's username (or NIP) and password, or an integration's client
/// credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grant_type": "password", "username": "198507122010011003", "password": "kata-sandi-rahasia"}))]
pub struct TokenRequest {
    pub grant_type: GrantType,
    /// With `password`: the username or NIP.
    #[schema(min_length = 1, max_length = 64, example = "198507122010011003")]
    pub username: Option<String>,
    /// With `password`.
    #[schema(min_length = 1, max_length = 128, example = "kata-sandi-rahasia")]
    pub password: Option<String>,
    /// With `client_credentials`.
    #[schema(min_length = 1, max_length = 64, example = "svc-0193a1b2c3d4e5f6")]
    pub client_id: Option<String>,
    /// With `client_credentials`.
    #[schema(min_length = 1, max_length = 256)]
    pub client_secret: Option<String>,
}

/// Each grant needs its two fields (and only those), each 1..=max characters.
fn check_field(
    errors: &mut ValidationErrors,
    field: &'static str,
    value: &Option<String>,
    needed: bool,
    max: u64,
) {
    match (value, needed) {
        (None, true) => errors.add(field, ValidationError::new("required")),
        (Some(_), false) => {
            let mut error = ValidationError::new("not_allowed");
            error.message =
                Some("is not used by this grant_type|tidak dipakai oleh grant_type ini".into());
            errors.add(field, error);
        }
        (Some(v), true) if v.is_empty() || v.chars().count() as u64 > max => {
            let mut error = ValidationError::new("length");
            error.add_param("min".into(), &1);
            error.add_param("max".into(), &max);
            errors.add(field, error);
        }
        _ => {}
    }
}

impl Validate for TokenRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let password = self.grant_type == GrantType::Password;
        check_field(&mut errors, "username", &self.username, password, 64);
        check_field(&mut errors, "password", &self.password, password, 128);
        check_field(&mut errors, "client_id", &self.client_id, !password, 64);
        check_field(
            &mut errors,
            "client_secret",
            &self.client_secret,
            !password,
            256,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256))]
    #[schema(
        min_length = 1,
        max_length = 256,
        example = "q0y8VbX3m1Yd3Qf8mZsWb4lQ2l8c5KpC1o3uXo2nS7A"
    )]
    pub refresh_token: String,
}

/// Tokens handed out by a grant.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.sig",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "q0y8VbX3m1Yd3Qf8mZsWb4lQ2l8c5KpC1o3uXo2nS7A"
}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// For people only: trade it at `/auth/refresh` for a new pair (each works once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl From<Grant> for TokenResponse {
    fn from(g: Grant) -> Self {
        TokenResponse {
            access_token: g.access_token,
            token_type: "Bearer",
            expires_in: g.expires_in,
            refresh_token: g.refresh_token,
        }
    }
}

fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|r| r.0.clone())
}

/// Tokens never sit in caches.
fn tokens(grant: Grant) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse::from(grant))
}

/// Log in: a person with username (or NIP) and password, or an integration with client
/// credentials. Five failures of one account from one address within 15 minutes lock that pair
/// for 15 minutes (429 with `Retry-After`); 50 failures of one account in an hour lock it from
/// everywhere until they age out.
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Tokens.", body = TokenResponse),
        (status = 401, description = "Wrong credentials (`invalid_credentials`, `invalid_client`)."),
        (status = 429, description = "Too many failed logins (`too_many_attempts`)."),
    )
)]
#[post("/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientAddr,
    body: Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let body = body.0;
    let grant = match body.grant_type {
        GrantType::Password => {
            let username = body.username.unwrap_or_default();
            let password = body.password.unwrap_or_default();
            let addr = client.to_string();
            sessions::login_password(
                &state.db,
                &state.config,
                now,
                request_id(&req),
                &username,
                password,
                &addr,
            )
            .await?
        }
        GrantType::ClientCredentials => {
            let client_id = body.client_id.unwrap_or_default();
            let client_secret = body.client_secret.unwrap_or_default();
            sessions::login_client(&state.db, &state.config, now, &client_id, &client_secret)
                .await?
        }
    };
    Ok(tokens(grant))
}

/// Trade a refresh token for a new pair. Each refresh token works once; presenting a used one
/// again ends every session of that login (the token was stolen, or the client must log in again).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the presented refresh token stops working.", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token (`invalid_refresh_token`)."),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let grant = sessions::refresh(
        &state.db,
        &state.config,
        state.clock.now(),
        request_id(&req),
        &body.0.refresh_token,
    )
    .await?;
    Ok(tokens(grant))
}

/// Log out: ends the login the refresh token belongs to (every token of its family).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Logged out (also when the token was unknown)."))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    sessions::logout(
        &state.db,
        state.clock.now(),
        request_id(&req),
        &body.0.refresh_token,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller: a user (with his employee record once linked) or a service account.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// The account, for people; `null` for service accounts.
    pub user: Option<UserView>,
    /// The employee record linked to the account; `null` when none is linked.
    pub employee: Option<super::employees::EmployeeView>,
    /// The employee's superiors, nearest first (the penilai, then his penilai, ...).
    pub superiors: Vec<super::employees::PersonRef>,
    pub roles: Vec<super::dto::RoleName>,
    /// For service accounts: what the token may do.
    pub scopes: Vec<ScopeName>,
    /// The service account, for integrations.
    pub service_account: Option<super::service_accounts::ServiceAccountView>,
}

/// Who am I? Answers also while a password change is pending, so a portal can show the form.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller.", body = MeResponse))
)]
#[get("/me")]
pub async fn me(
    caller: PasswordChangeAllowed,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = match caller.0.principal {
        Principal::User(user) => {
            let employee = match user.employee_id {
                Some(id) => kinerja_persistence::repos::employees::get(&state.db, id).await?,
                None => None,
            };
            let superiors = match &employee {
                Some(e) => crate::services::employees::superiors(&state.db, e).await?,
                None => vec![],
            };
            MeResponse {
                roles: user.roles.iter().map(|r| (*r).into()).collect(),
                user: Some(UserView::from(*user)),
                employee: employee.map(|e| {
                    let supervisor = superiors.first();
                    super::employees::EmployeeView::new(e, supervisor)
                }),
                superiors: superiors
                    .iter()
                    .map(super::employees::PersonRef::from)
                    .collect(),
                scopes: vec![],
                service_account: None,
            }
        }
        Principal::Service(account) => MeResponse {
            user: None,
            employee: None,
            superiors: vec![],
            roles: vec![],
            scopes: account.scopes.iter().map(|s| (*s).into()).collect(),
            service_account: Some((*account).into()),
        },
    };
    Ok(HttpResponse::Ok().json(body))
}
