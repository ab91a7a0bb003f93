//! `Json<T>`: the body extractor of every JSON operation. It checks the content type, enforces
//! the size limit while reading, rejects invalid UTF-8, parses with the exact path of a bad field
//! (`serde_path_to_error`), rejects unknown fields (DTOs are `deny_unknown_fields`), and runs the
//! DTO's `validator` rules — each failure a problem with a stable code naming the field.

use std::borrow::Cow;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::mime;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::app::AppState;
use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::http::deadline::Deadline;

/// Body size limits, set from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub json: usize,
    pub import: usize,
}

/// A validated JSON body.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> FromRequest for Json<T>
where
    T: DeserializeOwned + Validate + 'static,
{
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<BodyLimits>>()
            .map(|l| l.json)
            .unwrap_or(1024 * 1024);
        let content_type_ok = is_json_content_type(req);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        let wait = BodyWait::of(req);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::new(ErrorCode::UnsupportedMediaType).with_detail(
                    "Send the body as application/json.",
                    "Kirim isi permintaan sebagai application/json.",
                ));
            }
            if declared_length.is_some_and(|n| n > limit) {
                return Err(too_large(limit));
            }
            let body = read_limited(&mut payload, limit, wait).await?;
            let value: T = parse_json(&body)?;
            value.validate().map_err(validation_problem)?;
            Ok(Json(value))
        })
    }
}

/// `application/json`, or any `application/*+json` (e.g. `merge-patch+json`).
fn is_json_content_type(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Ok(mime) = value.parse::<mime::Mime>() else {
        return false;
    };
    mime.type_() == mime::APPLICATION
        && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
}

pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(ErrorCode::PayloadTooLarge)
        .with_detail(
            format!("The body is larger than the limit of {limit} bytes."),
            format!("Isi permintaan melebihi batas {limit} byte."),
        )
        .with_extension("limit_bytes", limit)
}

/// How a body is waited for: at most `idle` without a byte, with the request's deadline (when
/// the request has one) held while it arrives.
pub struct BodyWait {
    idle: Duration,
    deadline: Option<Deadline>,
}

impl BodyWait {
    /// The request's: `KINERJA_REQUEST_TIMEOUT` without a byte, and its deadline.
    pub fn of(req: &HttpRequest) -> BodyWait {
        BodyWait {
            idle: req
                .app_data::<web::Data<AppState>>()
                .map_or(Duration::from_secs(30), |s| s.config.request_timeout),
            deadline: req.extensions().get::<Deadline>().cloned(),
        }
    }
}

/// Reads the whole body, failing with 413 as soon as it passes `limit`, and with 408
/// `body_timeout` when no byte comes for the idle time. The request's deadline waits meanwhile:
/// a slow line is not a hung database.
pub async fn read_limited(
    payload: &mut Payload,
    limit: usize,
    wait: BodyWait,
) -> Result<web::Bytes, ApiError> {
    if let Some(deadline) = &wait.deadline {
        deadline.hold();
    }
    let body = receive(payload, limit, wait.idle).await;
    if let Some(deadline) = &wait.deadline {
        deadline.release();
    }
    body
}

async fn receive(
    payload: &mut Payload,
    limit: usize,
    idle: Duration,
) -> Result<web::Bytes, ApiError> {
    let mut body = web::BytesMut::new();
    loop {
        let Ok(next) = tokio::time::timeout(idle, payload.next()).await else {
            let seconds = idle.as_secs();
            return Err(ApiError::new(ErrorCode::BodyTimeout).with_detail(
                format!("No byte of the body came for {seconds} s; nothing was changed."),
                format!("Tidak ada isi permintaan yang datang selama {seconds} detik; tidak ada yang diubah."),
            ));
        };
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|e| {
            ApiError::new(ErrorCode::BadRequest).with_detail(
                format!("The body could not be read: {e}."),
                format!("Isi permintaan tidak dapat dibaca: {e}."),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Parses JSON into `T`, mapping every serde failure to a problem that names the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if std::str::from_utf8(body).is_err() {
        return Err(ApiError::new(ErrorCode::InvalidEncoding).with_detail(
            "The body is not valid UTF-8.",
            "Isi permintaan bukan UTF-8 yang valid.",
        ));
    }
    // Syntax first, so a broken document is always 400 whatever its partial content means.
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| malformed(&e))?;
    if let Some(path) = nul_at(&value, String::new()) {
        return Err(ApiError::new(ErrorCode::ValidationFailed)
            .with_detail(
                "A text contains a NUL character.",
                "Ada teks yang berisi karakter NUL.",
            )
            .with_field(FieldError::new(
                if path.is_empty() {
                    "body".to_owned()
                } else {
                    path
                },
                "nul_character",
                Msg::new(
                    "must not contain a NUL character",
                    "tidak boleh berisi karakter NUL",
                ),
            )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| serde_problem(&e))
}

/// The path of the first string (or key) holding U+0000: PostgreSQL cannot store it in text,
/// SQLite would, so both refuse it alike.
pub fn nul_at(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => Some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_at(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                Some(here)
            } else {
                nul_at(v, here)
            }
        }),
        _ => None,
    }
}

fn malformed(e: &serde_json::Error) -> ApiError {
    ApiError::new(ErrorCode::MalformedJson).with_detail(
        format!("The body is not valid JSON: {e}."),
        format!("Isi permintaan bukan JSON yang valid: {e}."),
    )
}

fn serde_problem(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    use serde_json::error::Category;
    let inner = e.inner();
    if matches!(
        inner.classify(),
        Category::Syntax | Category::Eof | Category::Io
    ) {
        return malformed(inner);
    }
    let path = e.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let message = inner.to_string();
    // serde_json appends " at line L column C"; the field path says more to a client.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    let join = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = backticked(&message, "unknown field `") {
        // The path already ends with the unknown field itself.
        let field = if path.is_empty() {
            name.to_owned()
        } else {
            path.clone()
        };
        return ApiError::new(ErrorCode::UnknownField)
            .with_detail(
                format!("The field `{field}` is not accepted here."),
                format!("Field `{field}` tidak diterima di sini."),
            )
            .with_field(FieldError::new(
                field,
                "unknown_field",
                Msg::new(message.clone(), format!("field tidak dikenal ({message})")),
            ));
    }
    if let Some(name) = backticked(&message, "missing field `") {
        return ApiError::new(ErrorCode::ValidationFailed)
            .with_detail("A required field is missing.", "Field wajib tidak ada.")
            .with_field(FieldError::new(
                join(name),
                "required",
                Msg::new("is required", "wajib diisi"),
            ));
    }
    let field = if path.is_empty() {
        "body".to_owned()
    } else {
        path
    };
    ApiError::new(ErrorCode::ValidationFailed)
        .with_detail(
            "A field has the wrong type or value.",
            "Ada field dengan jenis atau nilai yang salah.",
        )
        .with_field(FieldError::new(
            field,
            "invalid_type",
            Msg::new(
                message.clone(),
                format!("jenis atau nilai tidak valid ({message})"),
            ),
        ))
}

/// The text between `prefix` and the next backtick.
fn backticked<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let start = message.find(prefix)? + prefix.len();
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// Turns `validator` errors into a 422 listing every field.
pub fn validation_problem(errors: ValidationErrors) -> ApiError {
    let mut fields = Vec::new();
    flatten(&errors, String::new(), &mut fields);
    fields.sort_by(|a, b| a.field.cmp(&b.field));
    ApiError::new(ErrorCode::ValidationFailed)
        .with_detail("Some fields are invalid.", "Beberapa field tidak valid.")
        .with_errors(fields)
}

fn flatten(errors: &ValidationErrors, prefix: String, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for error in list {
                    out.push(FieldError::new(
                        path.clone(),
                        error.code.clone(),
                        describe(error),
                    ));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten(inner, path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten(inner, format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

/// A message for a validator error: the rule's own message when it has one (written as
/// "english|indonesia"), else one made from the rule and its parameters.
fn describe(error: &validator::ValidationError) -> Msg {
    if let Some(message) = &error.message {
        return match message.split_once('|') {
            Some((en, id)) => Msg::new(en.to_owned(), id.to_owned()),
            None => Msg::new(message.clone(), message.clone()),
        };
    }
    let param = |name: &str| error.params.get(name).map(|v| v.to_string());
    match error.code.as_ref() {
        "length" => match (param("min"), param("max"), param("equal")) {
            (_, _, Some(eq)) => Msg::new(
                format!("must be exactly {eq} characters long"),
                format!("harus tepat {eq} karakter"),
            ),
            (Some(min), Some(max), _) => Msg::new(
                format!("must be between {min} and {max} characters long"),
                format!("harus antara {min} dan {max} karakter"),
            ),
            (Some(min), None, _) => Msg::new(
                format!("must be at least {min} characters long"),
                format!("minimal {min} karakter"),
            ),
            (None, Some(max), _) => Msg::new(
                format!("must be at most {max} characters long"),
                format!("maksimal {max} karakter"),
            ),
            _ => Msg::new("has an invalid length", "panjangnya tidak valid"),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => Msg::new(
                format!("must be between {min} and {max}"),
                format!("harus antara {min} dan {max}"),
            ),
            (Some(min), None) => {
                Msg::new(format!("must be at least {min}"), format!("minimal {min}"))
            }
            (None, Some(max)) => {
                Msg::new(format!("must be at most {max}"), format!("maksimal {max}"))
            }
            _ => Msg::new("is out of range", "di luar rentang"),
        },
        "email" => Msg::new("must be an email address", "harus berupa alamat email"),
        "url" => Msg::new("must be a URL", "harus berupa URL"),
        "regex" => Msg::new("has an invalid format", "formatnya tidak valid"),
        "required" => Msg::new("is required", "wajib diisi"),
        other => Msg::new(
            Cow::Owned(format!("is invalid ({other})")),
            Cow::Owned(format!("tidak valid ({other})")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[validate(length(min = 3, max = 5))]
        name: String,
        #[allow(dead_code)]
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        n: u8,
    }

    fn problem(body: &str) -> ApiError {
        match parse_json::<Body>(body.as_bytes()) {
            Ok(b) => match b.validate() {
                Ok(()) => panic!("{body} was accepted"),
                Err(e) => validation_problem(e),
            },
            Err(e) => e,
        }
    }

    #[test]
    fn each_failure_names_its_field_and_code() {
        let cases = [
            ("{", ErrorCode::MalformedJson, None),
            (r#"{"name":"abc"} trailing"#, ErrorCode::MalformedJson, None),
            ("", ErrorCode::MalformedJson, None),
            (
                r#"{"name":"abc","extra":1}"#,
                ErrorCode::UnknownField,
                Some("extra"),
            ),
            (
                r#"{"name":"abc","inner":{"m":1}}"#,
                ErrorCode::UnknownField,
                Some("inner.m"),
            ),
            (r#"{}"#, ErrorCode::ValidationFailed, Some("name")),
            (r#"{"name":7}"#, ErrorCode::ValidationFailed, Some("name")),
            (
                r#"{"name":"abc","inner":{"n":300}}"#,
                ErrorCode::ValidationFailed,
                Some("inner.n"),
            ),
            (
                r#"{"name":"ab"}"#,
                ErrorCode::ValidationFailed,
                Some("name"),
            ),
        ];
        for (body, code, field) in cases {
            let error = problem(body);
            assert_eq!(error.code, code, "{body}");
            assert_eq!(
                error.errors.first().map(|e| e.field.as_str()),
                field,
                "{body}"
            );
        }
    }

    #[test]
    fn nul_characters_are_refused_with_their_path() {
        let error = parse_json::<Body>(br#"{"name":"ab\u0000c"}"#)
            .err()
            .unwrap();
        assert_eq!(
            (error.code, error.errors[0].field.as_str()),
            (ErrorCode::ValidationFailed, "name")
        );
        assert_eq!(error.errors[0].code, "nul_character");
    }

    #[test]
    fn invalid_utf8_is_its_own_error() {
        let error = parse_json::<Body>(b"{\"name\":\"\xff\xfe\"}").err();
        assert_eq!(error.map(|e| e.code), Some(ErrorCode::InvalidEncoding));
    }

    #[test]
    fn length_messages_carry_the_limits() {
        let error = problem(r#"{"name":"toolong"}"#);
        assert_eq!(
            error.errors[0].message.en,
            "must be between 3 and 5 characters long"
        );
        assert_eq!(error.errors[0].message.id, "harus antara 3 dan 5 karakter");
    }
}
