//! Optimistic concurrency: every mutable resource has a `version`, sent as `ETag: "<version>"`.
//! PATCH and PUT need `If-Match` (428 without it, 412 when stale, `*` matches any existing
//! record); action POSTs honour it when sent.

use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::error::{ApiError, ErrorCode};

/// The `ETag` of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// What `If-Match` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    Absent,
    Any,
    /// The versions listed (an unparsable tag matches nothing).
    Versions(Vec<Option<i64>>),
}

impl IfMatch {
    pub fn parse(value: Option<&str>) -> IfMatch {
        let Some(value) = value else {
            return IfMatch::Absent;
        };
        if value.trim() == "*" {
            return IfMatch::Any;
        }
        IfMatch::Versions(
            value
                .split(',')
                .map(|tag| {
                    let tag = tag.trim();
                    // Weak tags are compared as strong ones: our tags are versions either way.
                    let tag = tag.strip_prefix("W/").unwrap_or(tag);
                    tag.strip_prefix('"')
                        .and_then(|t| t.strip_suffix('"'))
                        .and_then(|t| t.parse::<i64>().ok())
                })
                .collect(),
        )
    }

    /// For PATCH and PUT: the header must be there and match.
    pub fn require(&self, current: i64) -> Result<(), ApiError> {
        match self {
            IfMatch::Absent => Err(ApiError::new(ErrorCode::PreconditionRequired).with_detail(
                format!(
                    "Send If-Match: {} (the current ETag) or If-Match: *.",
                    etag(current)
                ),
                format!(
                    "Kirim If-Match: {} (ETag saat ini) atau If-Match: *.",
                    etag(current)
                ),
            )),
            other => other.honour(current),
        }
    }

    /// For action POSTs: checked only when sent.
    pub fn honour(&self, current: i64) -> Result<(), ApiError> {
        match self {
            IfMatch::Absent | IfMatch::Any => Ok(()),
            IfMatch::Versions(versions) if versions.contains(&Some(current)) => Ok(()),
            IfMatch::Versions(_) => Err(ApiError::new(ErrorCode::PreconditionFailed)
                .with_detail(
                    format!("The resource is now at ETag {}.", etag(current)),
                    format!("Sumber daya kini pada ETag {}.", etag(current)),
                )
                .with_header(header::ETAG, etag(current))),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = Infallible;
    type Future = Ready<Result<IfMatch, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok());
        ready(Ok(IfMatch::parse(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_forms() {
        assert_eq!(IfMatch::parse(None), IfMatch::Absent);
        assert_eq!(IfMatch::parse(Some("*")), IfMatch::Any);
        assert_eq!(
            IfMatch::parse(Some("\"3\", W/\"4\"")),
            IfMatch::Versions(vec![Some(3), Some(4)])
        );
        assert!(IfMatch::parse(Some("\"3\"")).require(3).is_ok());
        assert!(IfMatch::parse(Some("*")).require(9).is_ok());
        assert_eq!(
            IfMatch::Absent.require(3).err().map(|e| e.code),
            Some(ErrorCode::PreconditionRequired)
        );
        assert_eq!(
            IfMatch::parse(Some("\"2\""))
                .require(3)
                .err()
                .map(|e| e.code),
            Some(ErrorCode::PreconditionFailed)
        );
        assert_eq!(
            IfMatch::parse(Some("garbage"))
                .require(3)
                .err()
                .map(|e| e.code),
            Some(ErrorCode::PreconditionFailed)
        );
        assert!(IfMatch::Absent.honour(3).is_ok());
    }
}
