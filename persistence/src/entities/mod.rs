//! sea-orm entities: the tables as they are now. Only repositories use them.

pub mod audit_events;
pub mod cycles;
pub mod employees;
pub mod evaluations;
pub mod idempotency_keys;
pub mod login_failures;
pub mod objections;
pub mod opd_performance;
pub mod refresh_tokens;
pub mod service_accounts;
pub mod skp_feedback;
pub mod skp_indicators;
pub mod skp_realizations;
pub mod skp_rhks;
pub mod skps;
pub mod survey_imports;
pub mod survey_periods;
pub mod survey_rate;
pub mod survey_responses;
pub mod survey_tokens;
pub mod unit_feedback;
pub mod unit_indicator_realizations;
pub mod unit_indicators;
pub mod unit_services;
pub mod units;
pub mod users;
