//! Reading the audit trail (admins and auditors).

use kinerja_persistence::repos::audit::{self, AuditEvent, AuditFilter};
use kinerja_persistence::{Db, ListQuery, Page};

use crate::error::ApiError;

pub async fn list(
    db: &Db,
    filter: &AuditFilter,
    query: &ListQuery,
) -> Result<Page<AuditEvent>, ApiError> {
    Ok(audit::list(db, filter, query).await?)
}
