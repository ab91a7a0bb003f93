//! Use cases. Each public function is one transaction: begin → load → domain rule → save →
//! audit → commit. Handlers call these and only translate HTTP to arguments and back.

pub mod audit;
pub mod calibration;
pub mod cycles;
pub mod employees;
pub mod evaluations;
pub mod events;
pub mod exports;
pub mod feedback;
pub mod housekeeping;
pub mod imports;
pub mod objections;
pub mod progress;
pub mod realizations;
pub mod reports;
pub mod scope;
pub mod service_accounts;
pub mod sessions;
pub mod skm;
pub mod skps;
pub mod survey;
pub mod training;
pub mod unit_indicators;
pub mod units;
pub mod users;

use chrono::{DateTime, Utc};
use kinerja_persistence::repos::audit::{self as audit_repo, AuditActor, AuditEvent};
use kinerja_persistence::{PersistenceError, Tx};
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Caller;

/// Who acts, when, and under which request: what every audit event of one use case shares.
#[derive(Debug, Clone)]
pub struct Context {
    pub actor: AuditActor,
    pub request_id: Option<String>,
    pub now: DateTime<Utc>,
}

impl Context {
    pub fn of(caller: &Caller, now: DateTime<Utc>) -> Context {
        Context {
            actor: caller.audit_actor(),
            request_id: caller.request_id.clone(),
            now,
        }
    }

    pub fn system(now: DateTime<Utc>) -> Context {
        Context {
            actor: AuditActor::system(),
            request_id: None,
            now,
        }
    }

    /// Records one audit event in the use case's transaction, and, when its action is one the
    /// events feed publishes ([`events::FEED`]), queues the feed's event in that transaction too.
    pub async fn audit(
        &self,
        tx: &Tx,
        action: &str,
        entity_type: &str,
        entity_id: impl ToString,
        before: Option<Value>,
        after: Option<Value>,
    ) -> Result<(), PersistenceError> {
        let event = AuditEvent {
            id: Uuid::now_v7(),
            occurred_at: self.now,
            actor: self.actor.clone(),
            action: action.to_owned(),
            entity_type: entity_type.to_owned(),
            entity_id: entity_id.to_string(),
            before,
            after,
            request_id: self.request_id.clone(),
        };
        audit_repo::record(tx, &event).await?;
        events::publish(tx, &event);
        Ok(())
    }
}

/// A free text of 1 to 4000 characters (a note, reply, reason, self-assessment), trimmed, or the
/// error naming `field`.
pub fn text(field: &str, raw: &str) -> Result<String, crate::error::FieldError> {
    kinerja_domain::feedback::text(raw)
        .map(str::to_owned)
        .map_err(|e| match e {
            kinerja_domain::feedback::FeedbackError::TooLong => crate::error::FieldError::of(
                field,
                "too_long",
                "at most 4000 characters",
                "paling panjang 4000 karakter",
            ),
            _ => crate::error::FieldError::of(field, "required", "is required", "wajib diisi"),
        })
}

/// An exact measure from a posted decimal (at most 4 decimals, 0 or more); `field` is named in
/// `errors` when it cannot be one.
pub(crate) fn measure(
    field: &str,
    value: Option<rust_decimal::Decimal>,
    errors: &mut Vec<crate::error::FieldError>,
) -> Option<kinerja_domain::capaian::Measure> {
    use kinerja_domain::capaian::{Measure, MeasureError};
    let value = value?;
    match Measure::from_decimal(value) {
        Ok(m) => Some(m),
        Err(e) => {
            let (code, id) = match e {
                MeasureError::TooPrecise => ("too_precise", "maksimal 4 angka desimal"),
                MeasureError::Negative => ("negative", "tidak boleh negatif"),
                MeasureError::OutOfRange => ("out_of_range", "di luar rentang"),
            };
            errors.push(crate::error::FieldError::new(
                field,
                code,
                crate::error::Msg::new(e.to_string(), id),
            ));
            None
        }
    }
}
