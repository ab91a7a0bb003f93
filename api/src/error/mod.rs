//! The error contract: every error is an RFC 9457 `application/problem+json` body with a stable
//! `code` from [`ErrorCode`], localised `title`/`detail`/`message` (English, or Bahasa Indonesia
//! with `Accept-Language: id`) and the request id.
//!
//! Handlers and extractors return [`ApiError`]. Its `ResponseError` impl renders an English body;
//! the request middleware ([`crate::http::middleware`]) re-renders it in the caller's language with
//! the request id, and turns any non-problem error response (from actix itself) into a problem, so
//! no error leaves the server in another shape. 5xx bodies are generic; the cause goes to the log.

mod catalogue;

use std::borrow::Cow;
use std::fmt;

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

pub use catalogue::ErrorCode;

/// The response language, from `Accept-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Id,
}

impl Lang {
    /// Picks the caller's preferred language among the two we speak (English by default).
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::En;
        };
        // `parse` orders the tags by quality; the first one we speak wins ("id-ID" counts as id).
        for tag in accept_language::parse(header) {
            let primary = tag
                .split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            match primary.as_str() {
                "id" | "in" => return Lang::Id,
                "en" => return Lang::En,
                _ => {}
            }
        }
        Lang::En
    }
}

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub en: Cow<'static, str>,
    pub id: Cow<'static, str>,
}

impl Msg {
    pub fn new(en: impl Into<Cow<'static, str>>, id: impl Into<Cow<'static, str>>) -> Msg {
        Msg {
            en: en.into(),
            id: id.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Id => &self.id,
        }
    }
}

/// One invalid field (or cell of an imported row).
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub code: Cow<'static, str>,
    pub message: Msg,
    /// The row as in the imported file (1-based, header excluded), for imports.
    pub row: Option<u64>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<Cow<'static, str>>, message: Msg) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message,
            row: None,
        }
    }

    /// A field error from its message in English and in Bahasa Indonesia.
    pub fn of(field: &str, code: &str, en: impl Into<String>, id: impl Into<String>) -> Self {
        FieldError::new(field, code.to_owned(), Msg::new(en.into(), id.into()))
    }
}

/// An error answered to the client. Build with [`ApiError::new`] and the `with_*` methods.
/// Boxed, so `Result<T, ApiError>` stays small on the happy path.
pub struct ApiError(Box<ApiErrorParts>);

/// What an [`ApiError`] holds.
pub struct ApiErrorParts {
    pub code: ErrorCode,
    pub detail: Option<Msg>,
    pub errors: Vec<FieldError>,
    /// Extra top-level members (e.g. import counts, `limit_bytes`).
    pub extensions: Map<String, Value>,
    pub headers: Vec<(HeaderName, String)>,
    /// The internal cause, logged for 5xx and never sent.
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl std::ops::Deref for ApiError {
    type Target = ApiErrorParts;
    fn deref(&self) -> &ApiErrorParts {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ApiErrorParts {
        &mut self.0
    }
}

impl ApiError {
    pub fn new(code: ErrorCode) -> ApiError {
        ApiError(Box::new(ApiErrorParts {
            code,
            detail: None,
            errors: Vec::new(),
            extensions: Map::new(),
            headers: Vec::new(),
            source: None,
        }))
    }

    pub fn with_detail(
        mut self,
        en: impl Into<Cow<'static, str>>,
        id: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.detail = Some(Msg::new(en, id));
        self
    }

    pub fn with_field(mut self, error: FieldError) -> Self {
        self.errors.push(error);
        self
    }

    /// 422 `validation_failed` naming every bad field.
    pub fn invalid(errors: Vec<FieldError>) -> ApiError {
        ApiError::new(ErrorCode::ValidationFailed)
            .with_detail("Some fields are invalid.", "Beberapa field tidak valid.")
            .with_errors(errors)
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors.extend(errors);
        self
    }

    pub fn with_extension(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(key.to_owned(), value.into());
        self
    }

    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// A 500 whose cause is logged, not sent.
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        ApiError::new(ErrorCode::InternalError).with_source(source)
    }

    /// The problem document in the given language.
    pub fn to_problem(&self, lang: Lang, request_id: Option<&str>) -> Value {
        let mut body = Map::new();
        body.insert(
            "type".into(),
            json!(format!(
                "urn:siantar-kinerja:problem:{}",
                self.code.as_str()
            )),
        );
        body.insert("title".into(), json!(self.code.title(lang)));
        body.insert("status".into(), json!(self.code.status().as_u16()));
        // 5xx details could leak internals, so they carry the generic text; an outage's own
        // (how long the database was waited for) is written by us and says more.
        let authored =
            !self.code.status().is_server_error() || self.code == ErrorCode::DatabaseUnavailable;
        let detail = match &self.detail {
            Some(detail) if authored => detail.get(lang).to_owned(),
            _ => self.code.title(lang).to_owned(),
        };
        body.insert("detail".into(), json!(detail));
        body.insert("code".into(), json!(self.code.as_str()));
        if !self.errors.is_empty() {
            let errors: Vec<Value> = self
                .errors
                .iter()
                .map(|e| {
                    let mut item = Map::new();
                    if let Some(row) = e.row {
                        item.insert("row".into(), json!(row));
                    }
                    item.insert("field".into(), json!(e.field));
                    item.insert("code".into(), json!(e.code));
                    item.insert("message".into(), json!(e.message.get(lang)));
                    Value::Object(item)
                })
                .collect();
            body.insert("errors".into(), Value::Array(errors));
        }
        for (key, value) in &self.extensions {
            body.entry(key.clone()).or_insert_with(|| value.clone());
        }
        if let Some(id) = request_id {
            body.insert("request_id".into(), json!(id));
        }
        Value::Object(body)
    }

    /// A full response in the given language.
    pub fn to_response(&self, lang: Lang, request_id: Option<&str>) -> HttpResponse {
        let mut response = HttpResponse::build(self.code.status());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if lang == Lang::Id {
            response.insert_header((header::CONTENT_LANGUAGE, "id"));
        } else {
            response.insert_header((header::CONTENT_LANGUAGE, "en"));
        }
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.insert_header((name.clone(), value));
            }
        }
        response.body(self.to_problem(lang, request_id).to_string())
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.code.as_str())
            .field("detail", &self.detail.as_ref().map(|d| &d.en))
            .field("errors", &self.errors.len())
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code.as_str())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {}", detail.en)?;
        }
        if let Some(source) = &self.source {
            // The whole cause chain, for the log line of a 5xx.
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
            while let Some(c) = cause {
                write!(f, ": {c}")?;
                cause = c.source();
            }
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.to_response(Lang::En, None)
    }
}

/// The problem document, as documented in the OpenAPI spec.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:siantar-kinerja:problem:validation_failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "Some fields are invalid.",
    "code": "validation_failed",
    "errors": [{"field": "new_password", "code": "too_short", "message": "must be at least 12 characters"}],
    "request_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f"
}))]
pub struct Problem {
    /// A URI identifying the problem type: `urn:siantar-kinerja:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The stable machine code; the catalogue is in the API description.
    pub code: String,
    /// Per-field errors (validation and imports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemFieldError>>,
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemFieldError {
    /// The row of an imported file (1-based, header excluded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<kinerja_persistence::PersistenceError> for ApiError {
    /// The generic mapping; services map the conflicts they expect (a taken username) first.
    fn from(error: kinerja_persistence::PersistenceError) -> ApiError {
        use kinerja_persistence::PersistenceError as P;
        match error {
            P::Unavailable(_) => ApiError::new(ErrorCode::DatabaseUnavailable)
                .with_header(header::RETRY_AFTER, "5")
                .with_source(error),
            P::Stale(_) => ApiError::new(ErrorCode::PreconditionFailed),
            other => ApiError::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_is_negotiated() {
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("id")), Lang::Id);
        assert_eq!(
            Lang::from_accept_language(Some("id-ID,id;q=0.9,en;q=0.8")),
            Lang::Id
        );
        assert_eq!(
            Lang::from_accept_language(Some("en;q=0.5,id;q=0.9")),
            Lang::Id
        );
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en-US")), Lang::En);
    }

    #[test]
    fn server_errors_never_carry_their_detail() {
        let error = ApiError::internal(std::io::Error::other("password=secret at db.rs:12"))
            .with_detail("db exploded at db.rs:12", "x");
        let body = error.to_problem(Lang::En, Some("r1")).to_string();
        assert!(!body.contains("db.rs"), "{body}");
        assert!(!body.contains("secret"), "{body}");
        assert!(body.contains("\"code\":\"internal_error\""));
        assert!(body.contains("\"request_id\":\"r1\""));
    }

    #[test]
    fn field_errors_are_localised() {
        let error = ApiError::new(ErrorCode::ValidationFailed).with_field(FieldError::new(
            "name",
            "required",
            Msg::new("is required", "wajib diisi"),
        ));
        let id = error.to_problem(Lang::Id, None);
        assert_eq!(id["errors"][0]["message"], "wajib diisi");
        assert_eq!(id["title"], "Validasi gagal");
        assert_eq!(id["status"], 422);
    }
}
