//! The one middleware every request passes: request id, the per-request log line, security
//! headers, and the guarantee that every error leaves as problem+json in the caller's language.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use crate::error::{ApiError, ErrorCode, FieldError, Lang, Msg, PROBLEM_JSON};
use crate::http::query::percent_decoded;

/// The id of the current request: the caller's `X-Request-Id` when it is sane, else a UUIDv7.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Accept a caller's id only if it is short and made of safe characters: it is logged and echoed.
fn caller_request_id(value: Option<&HeaderValue>) -> Option<String> {
    let value = value?.to_str().ok()?;
    let sane = !value.is_empty()
        && value.len() <= 128
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    sane.then(|| value.to_owned())
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let request_id = caller_request_id(req.headers().get(&X_REQUEST_ID))
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let method = req.method().clone();
    let path = req.path().to_owned();

    // Handlers' errors arrive as responses carrying the error. Only a middleware can fail with
    // `Err` here, and none of ours does (CORS is set not to block), so an `Err` passes through
    // (the HttpRequest cannot be cloned before routing to rebuild a response from it).
    let response = if std::str::from_utf8(&percent_decoded(req.uri().path())).is_err() {
        // Routing would decode the bytes lossily and look for a code or id nobody sent.
        let error = ApiError::new(ErrorCode::InvalidParameter)
            .with_detail(
                "The path is not valid UTF-8 once decoded.",
                "Path bukan UTF-8 yang valid setelah didekode.",
            )
            .with_field(FieldError::new(
                "path",
                "invalid_encoding",
                Msg::new("is not valid UTF-8", "bukan UTF-8 yang valid"),
            ));
        req.into_response(error.to_response(lang, Some(&request_id)))
    } else {
        let response = next.call(req).await?.map_into_boxed_body();
        as_problem_if_error(response, lang, &request_id)
    };
    let mut response = response;

    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(X_REQUEST_ID, value);
    }
    add_security_headers(headers, &path);

    let status = response.status();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let level = if status.is_server_error() {
        log::Level::Error
    } else {
        log::Level::Info
    };
    log::log!(target: "kinerja::request", level, "{method} {path} {} {millis:.1}ms request_id={request_id}", status.as_u16());
    Ok(response)
}

/// Re-renders an [`ApiError`] in the caller's language with the request id, and turns any other
/// error response (actix's own plain-text ones) into a problem with a catalogue code.
fn as_problem_if_error(
    response: ServiceResponse<BoxBody>,
    lang: Lang,
    request_id: &str,
) -> ServiceResponse<BoxBody> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let rendered = match response.response().error() {
        Some(error) => match error.as_error::<ApiError>() {
            Some(api_error) => {
                if status.is_server_error() {
                    log::error!("request_id={request_id} {api_error}");
                }
                api_error.to_response(lang, Some(request_id))
            }
            None => {
                if status.is_server_error() {
                    log::error!("request_id={request_id} {error}");
                }
                ApiError::new(code_for_status(status)).to_response(lang, Some(request_id))
            }
        },
        None if is_problem(&response) => return response,
        None => ApiError::new(code_for_status(status)).to_response(lang, Some(request_id)),
    };
    let (http_req, original) = response.into_parts();
    let mut rendered = rendered;
    // Keep what other layers added (CORS, Allow, WWW-Authenticate, Retry-After).
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && name != header::CONTENT_LANGUAGE
            && !rendered.headers().contains_key(name)
        {
            rendered.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(http_req, rendered)
}

fn is_problem(response: &ServiceResponse<BoxBody>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// The catalogue code for an error response that did not come from our own code.
fn code_for_status(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::NOT_ACCEPTABLE => ErrorCode::NotAcceptable,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::DatabaseUnavailable,
        s if s.is_client_error() => ErrorCode::BadRequest,
        _ => ErrorCode::InternalError,
    }
}

pub(crate) fn add_security_headers(headers: &mut actix_web::http::header::HeaderMap, path: &str) {
    let mut set = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_FRAME_OPTIONS, "DENY");
    if path == "/docs" || path.starts_with("/docs/") {
        // Swagger UI needs its own scripts and inline styles; it still loads nothing from outside.
        set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        );
    } else {
        set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        );
    }
    if path.starts_with("/api/") {
        // Personal data: no shared cache may keep it.
        set(header::CACHE_CONTROL, "no-store");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_request_ids_are_accepted_only_when_sane() {
        let ok = HeaderValue::from_static("abc-123_X.y:z");
        assert_eq!(
            caller_request_id(Some(&ok)).as_deref(),
            Some("abc-123_X.y:z")
        );
        for bad in ["", "has space", "semi;colon", &"x".repeat(129)] {
            let value = HeaderValue::from_str(bad).ok();
            assert_eq!(caller_request_id(value.as_ref()), None, "{bad:?}");
        }
    }
}
