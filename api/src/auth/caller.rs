//! Who is calling: resolved from the bearer token and the current state of the account (an
//! account deactivated a minute ago stops working at once, not when its token expires).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use kinerja_domain::accounts::{Role, Scope};
use kinerja_persistence::repos::audit::AuditActor;
use kinerja_persistence::repos::service_accounts::ServiceAccountRecord;
use kinerja_persistence::repos::users::UserRecord;
use kinerja_persistence::repos::{service_accounts, users};
use uuid::Uuid;

use super::tokens::{self, SubjectKind, TokenError};
use crate::app::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::http::RequestId;

#[derive(Debug, Clone)]
pub enum Principal {
    User(Box<UserRecord>),
    Service(Box<ServiceAccountRecord>),
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub request_id: Option<String>,
}

impl Caller {
    pub fn id(&self) -> Uuid {
        match &self.principal {
            Principal::User(u) => u.id,
            Principal::Service(s) => s.id,
        }
    }

    pub fn user(&self) -> Option<&UserRecord> {
        match &self.principal {
            Principal::User(u) => Some(u),
            Principal::Service(_) => None,
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.user().is_some_and(|u| u.has_role(role))
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    pub fn is_auditor(&self) -> bool {
        self.has_role(Role::Auditor)
    }

    pub fn has_scope(&self, scope: Scope) -> bool {
        match &self.principal {
            Principal::Service(s) => s.has_scope(scope),
            Principal::User(_) => false,
        }
    }

    /// "user:<id>" or "service:<id>": the owner of idempotency keys.
    pub fn key(&self) -> String {
        match &self.principal {
            Principal::User(u) => format!("user:{}", u.id),
            Principal::Service(s) => format!("service:{}", s.id),
        }
    }

    pub fn audit_actor(&self) -> AuditActor {
        match &self.principal {
            Principal::User(u) => AuditActor {
                id: Some(u.id),
                kind: "user",
                acting_for: None,
            },
            Principal::Service(s) => AuditActor {
                id: Some(s.id),
                kind: "service",
                acting_for: None,
            },
        }
    }
}

/// 401 with the `WWW-Authenticate` challenge RFC 6750 asks for.
pub fn unauthorized(code: ErrorCode, reason: Option<&str>) -> ApiError {
    let challenge = match reason {
        Some(reason) => format!(
            "Bearer realm=\"siantar-kinerja\", error=\"invalid_token\", error_description=\"{}\"",
            reason.replace('"', "'")
        ),
        None => "Bearer realm=\"siantar-kinerja\"".to_owned(),
    };
    let error = ApiError::new(code).with_header(header::WWW_AUTHENTICATE, challenge);
    match reason {
        Some(reason) => error.with_detail(
            format!("The bearer token was refused: {reason}."),
            format!("Token bearer ditolak: {reason}."),
        ),
        None => error,
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized(ErrorCode::Unauthorized, None))?;
    let value = value.to_str().map_err(|_| {
        unauthorized(
            ErrorCode::InvalidToken,
            Some("the Authorization header is not ASCII"),
        )
    })?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| unauthorized(ErrorCode::InvalidToken, Some("expected 'Bearer <token>'")))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(unauthorized(
            ErrorCode::InvalidToken,
            Some("expected 'Bearer <token>'"),
        ));
    }
    Ok(token.trim().to_owned())
}

/// Resolves the caller of `req`. `allow_password_change`: whether an account that must change
/// its password may proceed (only `/me` and the password change itself).
pub async fn resolve(req: &HttpRequest, allow_password_change: bool) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(std::io::Error::other("app state missing")))?;
    let token = bearer(req)?;
    let claims = tokens::verify(&state.config.jwt_secret, &token, state.clock.now()).map_err(
        |e| match e {
            TokenError::Expired => {
                unauthorized(ErrorCode::InvalidToken, Some("the token has expired"))
            }
            // Why a forged token failed (algorithm, signature, claims) is for the log only:
            // the caller learns nothing that helps the next attempt, and nothing of its own
            // claims is echoed into the problem or the header.
            TokenError::Invalid(reason) => {
                log::info!("bearer token refused: {reason}");
                unauthorized(ErrorCode::InvalidToken, Some("the token is not valid"))
            }
        },
    )?;
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let principal = match claims.kind {
        SubjectKind::User => {
            let user = users::get(&state.db, claims.sub)
                .await?
                .filter(|u| u.active)
                .ok_or_else(|| {
                    unauthorized(ErrorCode::InvalidToken, Some("the account is not active"))
                })?;
            if user.must_change_password && !allow_password_change {
                return Err(ApiError::new(ErrorCode::PasswordChangeRequired));
            }
            Principal::User(Box::new(user))
        }
        SubjectKind::Service => {
            let account = service_accounts::get(&state.db, claims.sub)
                .await?
                .filter(|a| a.active)
                .ok_or_else(|| {
                    unauthorized(
                        ErrorCode::InvalidToken,
                        Some("the service account is not active"),
                    )
                })?;
            Principal::Service(Box::new(account))
        }
    };
    Ok(Caller {
        principal,
        request_id,
    })
}

/// Any authenticated caller whose account is in good standing.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(&req, false).await.map(Authenticated) })
    }
}

/// Any authenticated caller, also one that must change his password first.
#[derive(Debug, Clone)]
pub struct PasswordChangeAllowed(pub Caller);

impl FromRequest for PasswordChangeAllowed {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { resolve(&req, true).await.map(PasswordChangeAllowed) })
    }
}
