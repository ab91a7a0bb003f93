//! sea-orm entities: the tables as they are now. Only repositories use them.

pub mod audit_events;
pub mod cycles;
pub mod employees;
pub mod evaluations;
pub mod idempotency_keys;
pub mod login_failures;
pub mod objections;
pub mod refresh_tokens;
pub mod service_accounts;
pub mod skp_feedback;
pub mod skp_indicators;
pub mod skp_realizations;
pub mod skp_rhks;
pub mod skps;
pub mod unit_indicator_realizations;
pub mod unit_indicators;
pub mod units;
pub mod users;
