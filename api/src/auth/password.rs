//! Password hashing with argon2id (default parameters: 19 MiB, 2 passes), off the request
//! thread, plus the random secrets the system hands out.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Hashes a password into a PHC string (`$argon2id$v=19$...`), on a blocking thread.
pub async fn hash(password: String) -> Result<String, ApiError> {
    actix_web::web::block(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))
    })
    .await
    .map_err(ApiError::internal)?
}

/// Hashes a generated one-time password with light argon2id parameters (1 MiB, 1 pass).
///
/// Such a password is 16 random characters (about 92 bits) and must be replaced at first login,
/// when it is hashed again with the full parameters: its strength is in its randomness, not in
/// the hash cost. With full parameters, accounts for a whole OPD of 1,500 staff would take ~40 s
/// of CPU in one request. The PHC string records the parameters, so verification needs nothing
/// special.
pub fn hash_one_time(password: &str) -> Result<String, ApiError> {
    use argon2::{Algorithm, Params, Version};
    let params = Params::new(1024, 1, 1, None)
        .map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))
}

/// Whether `password` matches `stored`. With no stored hash (unknown user) it still spends the
/// time of a verification, so response times do not reveal which usernames exist.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    actix_web::web::block(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        matches && stored != DUMMY_HASH
    })
    .await
    .map_err(ApiError::internal)
}

/// A valid argon2id hash of a random password nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2lhbnRhcmtpbmVyamFkdW1teQ$3rFEf4bj7ahX6X4mqJr2bFpXQ3JbO8qyL1M3+Z5wQdA";

/// A random token: 32 bytes, URL-safe base64 without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A one-time password people can type: 16 characters without look-alikes (0/O, 1/l/I).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect()
}

/// SHA-256 in hex: for high-entropy secrets (refresh tokens, client secrets), where a slow hash
/// adds nothing and would slow every integration call.
pub fn sha256_hex(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn hashes_verify_and_unknown_users_never_match() {
        let stored = hash("kata-sandi-rahasia".to_owned()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("kata-sandi-rahasia".to_owned(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("salah".to_owned(), Some(stored)).await.unwrap());
        assert!(!verify("anything".to_owned(), None).await.unwrap());
        // The dummy must parse, or unknown users would answer faster.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn random_secrets_have_their_shape() {
        assert_eq!(random_token().len(), 43);
        assert_ne!(random_token(), random_token());
        let password = random_password();
        assert_eq!(password.len(), 16);
        assert!(kinerja_domain::accounts::check_password(&password, "x").is_ok());
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
