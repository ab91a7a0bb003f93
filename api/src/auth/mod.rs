//! Authentication and authorisation: password hashing, tokens, the caller of a request, and the
//! permission extractors every handler names in its signature.

pub mod caller;
pub mod client_addr;
pub mod password;
pub mod policy;
pub mod tokens;

pub use caller::{Authenticated, Caller, PasswordChangeAllowed, Principal};
pub use client_addr::ClientAddr;
pub use policy::{Need, Policy};
