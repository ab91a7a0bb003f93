//! `Query<T>`: the query-string extractor of every operation. It refuses NUL characters (no
//! database stores them the same way), parses into `T`, and runs `T`'s `validator` rules — the
//! same limits the OpenAPI document states — each failure a 400 `invalid_parameter` naming the
//! parameter.

use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::http::json::validation_problem;

#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

fn invalid(field: &str, code: &str, en: String, id: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter)
        .with_detail(
            "A query parameter is invalid.",
            "Parameter query tidak valid.",
        )
        .with_field(FieldError::new(field, code.to_owned(), Msg::new(en, id)))
}

/// `+` and `%XX` decoded to the bytes they stand for (a malformed escape stays as it is).
pub fn percent_decoded(raw: &str) -> Vec<u8> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The first parameter whose name or value is not UTF-8 once decoded (decoding elsewhere would
/// silently turn those bytes into U+FFFD and search for something nobody sent).
fn not_utf8(query_string: &str) -> Option<String> {
    query_string.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decoded(name);
        let value = percent_decoded(value);
        match (std::str::from_utf8(&name), std::str::from_utf8(&value)) {
            (Ok(_), Ok(_)) => None,
            (Ok(name), Err(_)) => Some(name.to_owned()),
            (Err(_), _) => Some("query".to_owned()),
        }
    })
}

pub fn parse<T: DeserializeOwned + Validate>(query_string: &str) -> Result<T, ApiError> {
    if let Some(field) = not_utf8(query_string) {
        return Err(invalid(
            &field.replace('\0', ""),
            "invalid_encoding",
            "is not valid UTF-8".into(),
            "bukan UTF-8 yang valid".into(),
        ));
    }
    for (name, value) in form_urlencoded::parse(query_string.as_bytes()) {
        if name.contains('\0') || value.contains('\0') {
            return Err(invalid(
                &name.replace('\0', ""),
                "nul_character",
                "must not contain a NUL character".into(),
                "tidak boleh berisi karakter NUL".into(),
            ));
        }
    }
    let value = web::Query::<T>::from_query(query_string)
        .map_err(|e| invalid("query", "invalid", e.to_string(), e.to_string()))?
        .into_inner();
    value.validate().map_err(|errors| {
        let mut problem = validation_problem(errors);
        problem.code = ErrorCode::InvalidParameter;
        problem.detail = Some(Msg::new(
            "A query parameter is invalid.",
            "Parameter query tidak valid.",
        ));
        problem
    })?;
    Ok(value)
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    struct Q {
        #[validate(length(max = 3))]
        q: Option<String>,
        #[validate(range(min = 1, max = 10))]
        n: Option<u64>,
    }

    #[test]
    fn limits_types_and_nul_are_checked() {
        assert!(parse::<Q>("q=abc&n=10").is_ok());
        assert!(parse::<Q>("").is_ok());
        let long = parse::<Q>("q=abcd").unwrap_err();
        assert_eq!(
            (long.code, long.errors[0].field.as_str()),
            (ErrorCode::InvalidParameter, "q")
        );
        assert_eq!(parse::<Q>("n=11").unwrap_err().errors[0].field, "n");
        assert_eq!(
            parse::<Q>("n=x").unwrap_err().code,
            ErrorCode::InvalidParameter
        );
        let nul = parse::<Q>("q=a%00b").unwrap_err();
        assert_eq!(nul.errors[0].code, "nul_character");
        for (query, field) in [("q=%FF", "q"), ("n=1&q=a%C3%28", "q"), ("%FF=1", "query")] {
            let bad = parse::<Q>(query).unwrap_err();
            assert_eq!(
                (bad.errors[0].code.as_ref(), bad.errors[0].field.as_str()),
                ("invalid_encoding", field),
                "{query}"
            );
        }
        assert!(parse::<Q>("q=%C3%A9").is_ok(), "é is UTF-8");
        assert!(parse::<Q>("q=1%").is_ok(), "a stray % is kept");
    }
}
