//! HTTP plumbing shared by every route: the request middleware, the JSON extractor, path and
//! query error mapping, and the 404/405 fallback.

pub mod csv;
pub mod deadline;
pub mod fallback;
pub mod idempotency;
pub mod json;
pub mod list;
pub mod middleware;
pub mod precondition;
pub mod query;

use actix_web::{HttpRequest, error};

use crate::error::{ApiError, ErrorCode, FieldError, Msg};

pub use json::{BodyLimits, Json};
pub use middleware::RequestId;
pub use query::Query;

/// A path parameter that does not parse (e.g. an id that is not a UUID).
pub fn path_error(err: error::PathError, _req: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    ApiError::new(ErrorCode::InvalidParameter)
        .with_detail(
            "A path parameter is malformed.",
            "Parameter path tidak valid.",
        )
        .with_field(FieldError::new(
            "path",
            "invalid",
            Msg::new(message.clone(), message),
        ))
        .into()
}

/// A query string that does not parse into the operation's parameters.
pub fn query_error(err: error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    ApiError::new(ErrorCode::InvalidParameter)
        .with_detail(
            "A query parameter is malformed.",
            "Parameter query tidak valid.",
        )
        .with_field(FieldError::new(
            "query",
            "invalid",
            Msg::new(message.clone(), message),
        ))
        .into()
}
