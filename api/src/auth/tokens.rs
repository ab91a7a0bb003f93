//! Access tokens: HS256 JWTs carrying `iss`, `aud`, `sub`, `iat`, `exp`, `jti` and the roles
//! (users) or scopes (service accounts). Expiry is checked against the app's injected clock, not
//! jsonwebtoken's system clock, so tests can move time.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const ISSUER: &str = "siantar-kinerja";
pub const AUDIENCE: &str = "siantar-kinerja-api";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    User,
    Service,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: Uuid,
    pub kind: SubjectKind,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// Why a token was refused. `Expired` is said to the caller; `Invalid`'s reason is only logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

pub fn issue(
    secret: &[u8],
    kind: SubjectKind,
    sub: Uuid,
    roles: Vec<String>,
    scopes: Vec<String>,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<String, jsonwebtoken::errors::Error> {
    let claims = Claims {
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        sub,
        kind,
        iat: now.timestamp(),
        exp: (now + ttl).timestamp(),
        jti: Uuid::now_v7(),
        roles,
        scopes,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
}

/// Verifies signature (HS256 only: `none` and every other algorithm are refused), issuer,
/// audience, then expiry against `now`.
pub fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.validate_exp = false;
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let data =
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
    if data.claims.exp <= now.timestamp() {
        return Err(TokenError::Expired);
    }
    if data.claims.iat > now.timestamp() + 60 {
        return Err(TokenError::Invalid("issued in the future".to_owned()));
    }
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use chrono::TimeZone;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap()
    }

    fn token() -> String {
        issue(
            SECRET,
            SubjectKind::User,
            Uuid::nil(),
            vec!["admin".into()],
            vec![],
            now(),
            Duration::minutes(15),
        )
        .unwrap()
    }

    #[test]
    fn a_fresh_token_verifies_until_it_expires() {
        let claims = verify(SECRET, &token(), now()).unwrap();
        assert_eq!(claims.roles, vec!["admin".to_owned()]);
        assert!(verify(SECRET, &token(), now() + Duration::minutes(14)).is_ok());
        assert_eq!(
            verify(SECRET, &token(), now() + Duration::minutes(15)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn another_secret_or_algorithm_is_refused() {
        assert!(matches!(
            verify(b"another-secret-another-secret-xx", &token(), now()),
            Err(TokenError::Invalid(_))
        ));
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let genuine = token();
        let payload = genuine.split('.').nth(1).unwrap();
        // alg "none" with the same claims and no signature.
        let none = format!(
            "{}.{payload}.",
            engine.encode(r#"{"alg":"none","typ":"JWT"}"#)
        );
        assert!(matches!(
            verify(SECRET, &none, now()),
            Err(TokenError::Invalid(_))
        ));
        // HS512 signed with the right secret is still another algorithm.
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &verify(SECRET, &token(), now()).unwrap(),
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert!(matches!(
            verify(SECRET, &hs512, now()),
            Err(TokenError::Invalid(_))
        ));
    }
}
