//! `Idempotency-Key` on POST (DESIGN §3): scoped to the caller and route, the first response is
//! replayed for 24 hours; the same key with another body is 422; a duplicate still in flight is
//! 409. Routes whose response carries a secret never store it: a repeated key there is 409
//! `idempotency_not_replayable`. Kept in the database, so retries may land on any replica.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use chrono::Duration;
use kinerja_persistence::repos::idempotency::{self, Claim, KeyState};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::auth::client_addr;
use crate::auth::tokens::{self, SubjectKind};
use crate::error::{ApiError, ErrorCode};
use crate::http::json::{BodyLimits, BodyWait, read_limited};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotency-replayed");
const KEPT_FOR: i64 = 24;

/// Headers worth replaying with a stored response.
const REPLAYED_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::ETAG,
    header::CONTENT_LANGUAGE,
];

/// Routes whose responses carry a secret (tokens, client secrets, one-time passwords).
pub fn is_replayable(path: &str) -> bool {
    let secret = path.starts_with("/api/v1/auth/")
        || path == "/api/v1/service-accounts"
        || (path.starts_with("/api/v1/service-accounts/") && path.ends_with("/rotate"))
        || path == "/api/v1/users/from-employees"
        || path.ends_with("/password")
        || (path.starts_with("/api/v1/public/surveys/") && path.ends_with("/token"));
    !secret
}

/// An error response that keeps the error attached, so the request middleware renders it in the
/// caller's language (`ServiceRequest::into_response` would drop it).
fn reject(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    req.error_response(error)
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Our routes are short; a longer path is no route of ours (404), and its key not worth keeping.
    if req.method() != Method::POST
        || !req.headers().contains_key(&IDEMPOTENCY_KEY)
        || req.path().len() > 180
    {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let key = req
        .headers()
        .get(&IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .filter(|k| {
            !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..=0x7e).contains(&b))
        });
    let Some(key) = key else {
        return Ok(reject(req, ApiError::new(ErrorCode::InvalidIdempotencyKey)));
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(caller_key) = caller_key(&req, &state) else {
        // An invalid token: the handler answers 401, and nothing is worth keeping.
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let limit = req
        .app_data::<web::Data<BodyLimits>>()
        .map(|l| l.json.max(l.import))
        .unwrap_or(20 * 1024 * 1024);

    let mut payload = req.take_payload();
    // Outside the deadline (the key is not claimed yet): only the idle time bounds the upload.
    let wait = BodyWait::of(req.request());
    let body = match read_limited(&mut payload, limit, wait).await {
        Ok(body) => body,
        Err(error) => return Ok(reject(req, error)),
    };
    let route = format!("POST {}", req.path());
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update(b"\n");
    hasher.update(req.query_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(content_type.as_bytes());
    hasher.update(b"\n");
    hasher.update(&body);
    let request_hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    req.set_payload(Payload::from(body));

    let replayable = is_replayable(req.path());
    let now = state.clock.now();
    let claim = idempotency::claim(
        &state.db,
        &caller_key,
        &route,
        &key,
        &request_hash,
        replayable,
        now,
        now + Duration::hours(KEPT_FOR),
        // Past its deadline and a margin, no request still holds its claim.
        now - abandoned_after(&state.config.request_timeout),
    )
    .await;
    let id = match claim {
        Err(e) => return Ok(reject(req, e.into())),
        Ok(Claim::Claimed(id)) => id,
        Ok(Claim::Existing(existing)) => {
            let error = if existing.request_hash != request_hash {
                ApiError::new(ErrorCode::IdempotencyKeyReused)
            } else {
                match existing.state {
                    KeyState::NotReplayable => ApiError::new(ErrorCode::IdempotencyNotReplayable),
                    KeyState::InFlight => ApiError::new(ErrorCode::IdempotencyInFlight)
                        .with_header(header::RETRY_AFTER, "1"),
                    KeyState::Done {
                        status,
                        headers,
                        body,
                    } => {
                        let mut response = HttpResponse::build(
                            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                        );
                        for (name, value) in headers {
                            if let (Ok(name), Ok(value)) =
                                (HeaderName::try_from(name), HeaderValue::from_str(&value))
                            {
                                response.insert_header((name, value));
                            }
                        }
                        response.insert_header((REPLAYED, "true"));
                        return Ok(req.into_response(response.body(body)));
                    }
                }
            };
            return Ok(reject(req, error));
        }
    };

    let response = match next.call(req).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            let _ = idempotency::release(&state.db, id).await;
            return Err(error);
        }
    };
    let status = response.status();
    if status.is_server_error() {
        // Our failure: the retry deserves a real attempt.
        let _ = idempotency::release(&state.db, id).await;
        return Ok(response);
    }
    if !replayable {
        return Ok(response);
    }
    // Problems are rendered in the caller's language later; a replay must carry the same body,
    // so only the rendered form of successes and of our own errors is kept as sent here.
    let (http_req, response) = response.into_parts();
    let headers: Vec<(String, String)> = REPLAYED_HEADERS
        .iter()
        .filter_map(|name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| (name.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let error = response
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .map(|e| e.to_problem(crate::error::Lang::En, None));
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body).await.unwrap_or_default();
    let stored_body = match &error {
        Some(problem) => problem.to_string(),
        None => String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(e) =
        idempotency::complete(&state.db, id, status.as_u16(), &headers, &stored_body).await
    {
        log::warn!("could not store the response of idempotency key {id}: {e}");
        let _ = idempotency::release(&state.db, id).await;
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

/// Whose key it is: the token's subject, or the client address on public routes. `None` when a
/// token is sent but invalid.
fn caller_key(req: &ServiceRequest, state: &AppState) -> Option<String> {
    match req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(value) => {
            let token = value.split_once(' ').map(|(_, t)| t.trim())?;
            let claims = tokens::verify(&state.config.jwt_secret, token, state.clock.now()).ok()?;
            Some(match claims.kind {
                SubjectKind::User => format!("user:{}", claims.sub),
                SubjectKind::Service => format!("service:{}", claims.sub),
            })
        }
        None => Some(format!(
            "anon:{}",
            client_addr::resolve(req.request(), &state.config.trusted_proxies)
        )),
    }
}

/// How long after its claim an in-flight key is taken over by a retry: the request deadline
/// (`KINERJA_REQUEST_TIMEOUT`, the same on every replica) plus 5 s for clock skew between
/// replicas.
fn abandoned_after(request_timeout: &std::time::Duration) -> Duration {
    Duration::seconds(i64::try_from(request_timeout.as_secs()).unwrap_or(3600) + 5)
}
