//! Logging in and out: password and client-credentials grants, refresh-token rotation with
//! reuse detection, and login throttling kept in the database (it holds across replicas).

use chrono::{DateTime, Utc};
use kinerja_domain::accounts::{
    RefreshOutcome, RefreshTokenState, ThrottleDecision, ThrottlePolicy, refresh_outcome,
};
use kinerja_persistence::Db;
use kinerja_persistence::repos::audit::AuditActor;
use kinerja_persistence::repos::sessions::{self, RefreshTokenRecord};
use kinerja_persistence::repos::users::UserRecord;
use kinerja_persistence::repos::{service_accounts, users};
use uuid::Uuid;

use super::Context;
use crate::auth::password;
use crate::auth::tokens::{self, SubjectKind};
use crate::config::Config;
use crate::error::{ApiError, ErrorCode};

/// What a successful grant hands out.
#[derive(Debug, Clone)]
pub struct Grant {
    pub access_token: String,
    pub expires_in: i64,
    /// Only for people; integrations ask again with their credentials.
    pub refresh_token: Option<String>,
}

fn internal(e: jsonwebtoken::errors::Error) -> ApiError {
    ApiError::internal(e)
}

fn user_actor(user: &UserRecord) -> AuditActor {
    AuditActor {
        id: Some(user.id),
        kind: "user",
        acting_for: None,
    }
}

/// Issues an access token and a refresh token in `family` for `user`.
async fn grant_for_user(
    tx: &kinerja_persistence::Tx,
    config: &Config,
    user: &UserRecord,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Grant, ApiError> {
    let roles = user.roles.iter().map(|r| r.as_str().to_owned()).collect();
    let access_token = tokens::issue(
        &config.jwt_secret,
        SubjectKind::User,
        user.id,
        roles,
        vec![],
        now,
        config.access_token_ttl,
    )
    .map_err(internal)?;
    let refresh_token = password::random_token();
    sessions::insert_refresh_token(
        tx,
        &RefreshTokenRecord {
            id: Uuid::now_v7(),
            family_id,
            user_id: user.id,
            token_hash: password::sha256_hex(&refresh_token),
            expires_at: now + config.refresh_token_ttl,
            used_at: None,
            revoked_at: None,
            created_at: now,
        },
    )
    .await?;
    Ok(Grant {
        access_token,
        expires_in: config.access_token_ttl.num_seconds(),
        refresh_token: Some(refresh_token),
    })
}

/// The password grant. `username` may be a NIP (employees' usernames are their NIP).
pub async fn login_password(
    db: &Db,
    config: &Config,
    now: DateTime<Utc>,
    request_id: Option<String>,
    username: &str,
    password_text: String,
    client_addr: &str,
) -> Result<Grant, ApiError> {
    let username = username.trim().to_ascii_lowercase();
    let policy = ThrottlePolicy::default();
    let failures = sessions::login_failures_since(db, &username, now - policy.horizon()).await?;
    let pair: Vec<DateTime<Utc>> = failures
        .iter()
        .filter(|(a, _)| a == client_addr)
        .map(|(_, t)| *t)
        .collect();
    let all: Vec<DateTime<Utc>> = failures.iter().map(|(_, t)| *t).collect();
    if let ThrottleDecision::Locked { until } = policy.decide(now, &pair, &all) {
        let seconds = (until - now).num_seconds().max(1);
        return Err(ApiError::new(ErrorCode::TooManyAttempts)
            .with_detail(
                format!("Too many failed logins; try again in {seconds} seconds."),
                format!("Terlalu banyak login gagal; coba lagi dalam {seconds} detik."),
            )
            .with_header(actix_web::http::header::RETRY_AFTER, seconds.to_string()));
    }

    let user = match users::find_by_username(db, &username).await? {
        Some(user) => Some(user),
        // A NIP logs in to the account linked to that employee, whatever its username.
        None if username.len() == 18 && username.bytes().all(|b| b.is_ascii_digit()) => {
            match kinerja_persistence::repos::employees::get_by_nip(db, &username).await? {
                Some(employee) => users::find_by_employee(db, employee.id).await?,
                None => None,
            }
        }
        None => None,
    };
    let matches = password::verify(
        password_text,
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let user = match user {
        Some(user) if matches && user.active => user,
        _ => {
            sessions::record_login_failure(db, &username, client_addr, now).await?;
            return Err(ApiError::new(ErrorCode::InvalidCredentials).with_header(
                actix_web::http::header::WWW_AUTHENTICATE,
                "Bearer realm=\"siantar-kinerja\"",
            ));
        }
    };

    let tx = db.begin().await?;
    sessions::clear_login_failures(&tx, &username, client_addr).await?;
    let grant = grant_for_user(&tx, config, &user, Uuid::now_v7(), now).await?;
    let ctx = Context {
        actor: user_actor(&user),
        request_id,
        now,
    };
    ctx.audit(
        &tx,
        "session.login",
        "user",
        user.id,
        None,
        Some(serde_json::json!({"client_addr": client_addr})),
    )
    .await?;
    tx.commit().await?;
    Ok(grant)
}

/// The client-credentials grant for service accounts: an access token only.
pub async fn login_client(
    db: &Db,
    config: &Config,
    now: DateTime<Utc>,
    client_id: &str,
    client_secret: &str,
) -> Result<Grant, ApiError> {
    let account = service_accounts::find_by_client_id(db, client_id.trim()).await?;
    let hash = password::sha256_hex(client_secret);
    // Compared in constant time: the hash of a wrong secret must not be guessable byte by byte.
    let account = account
        .filter(|a| a.active && constant_time_eq(a.secret_hash.as_bytes(), hash.as_bytes()))
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidClient))?;
    let scopes = account
        .scopes
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let access_token = tokens::issue(
        &config.jwt_secret,
        SubjectKind::Service,
        account.id,
        vec![],
        scopes,
        now,
        config.access_token_ttl,
    )
    .map_err(internal)?;
    Ok(Grant {
        access_token,
        expires_in: config.access_token_ttl.num_seconds(),
        refresh_token: None,
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn invalid_refresh() -> ApiError {
    ApiError::new(ErrorCode::InvalidRefreshToken)
}

/// Rotates a refresh token. A token presented twice revokes its whole family: either it was
/// stolen, or its owner must log in again — both safer than letting two holders continue.
pub async fn refresh(
    db: &Db,
    config: &Config,
    now: DateTime<Utc>,
    request_id: Option<String>,
    refresh_token: &str,
) -> Result<Grant, ApiError> {
    let hash = password::sha256_hex(refresh_token);
    let stored = sessions::find_refresh_token(db, &hash)
        .await?
        .ok_or_else(invalid_refresh)?;
    let state = RefreshTokenState {
        expires_at: stored.expires_at,
        used: stored.used_at.is_some(),
        revoked: stored.revoked_at.is_some(),
    };
    let reuse = |db: Db| async move {
        let tx = db.begin().await?;
        sessions::revoke_family(&tx, stored.family_id, now).await?;
        let ctx = Context {
            actor: AuditActor::system(),
            request_id: request_id.clone(),
            now,
        };
        ctx.audit(
            &tx,
            "session.refresh_reuse_detected",
            "user",
            stored.user_id,
            None,
            Some(serde_json::json!({"family_id": stored.family_id})),
        )
        .await?;
        tx.commit().await?;
        Err::<Grant, ApiError>(invalid_refresh().with_detail(
            "This refresh token was already used; every session of its login has been ended. Log in again.",
            "Refresh token ini sudah dipakai; semua sesi dari login tersebut diakhiri. Silakan login kembali.",
        ))
    };
    match refresh_outcome(state, now) {
        RefreshOutcome::Refuse => return Err(invalid_refresh()),
        RefreshOutcome::ReuseDetected => return reuse(db.clone()).await,
        RefreshOutcome::Rotate => {}
    }
    let tx = db.begin().await?;
    if !sessions::mark_used(&tx, stored.id, now).await? {
        // Another request rotated it a moment ago: the same token was presented twice.
        drop(tx);
        return reuse(db.clone()).await;
    }
    let user = users::get(&tx, stored.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid_refresh)?;
    let grant = grant_for_user(&tx, config, &user, stored.family_id, now).await?;
    tx.commit().await?;
    Ok(grant)
}

/// Ends the login the refresh token belongs to. Unknown tokens are ignored (nothing to end).
pub async fn logout(
    db: &Db,
    now: DateTime<Utc>,
    request_id: Option<String>,
    refresh_token: &str,
) -> Result<(), ApiError> {
    let hash = password::sha256_hex(refresh_token);
    let Some(stored) = sessions::find_refresh_token(db, &hash).await? else {
        return Ok(());
    };
    let tx = db.begin().await?;
    let revoked = sessions::revoke_family(&tx, stored.family_id, now).await?;
    if revoked > 0 {
        let ctx = Context {
            actor: AuditActor {
                id: Some(stored.user_id),
                kind: "user",
                acting_for: None,
            },
            request_id,
            now,
        };
        ctx.audit(&tx, "session.logout", "user", stored.user_id, None, None)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
