use sea_orm::{DbErr, SqlErr};

/// What can go wrong talking to the database, in the terms a service decides on.
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// The database could not be reached or a connection could not be had in time: retryable.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] DbErr),
    /// A uniqueness rule was violated; the message names the constraint (PostgreSQL) or the
    /// table and columns (SQLite).
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    /// A foreign key was violated: the row refers to something that does not exist, or is
    /// still referred to.
    #[error("foreign key violated: {0}")]
    ForeignKey(String),
    /// The row changed since the caller read it (its `version` moved on): answer 412.
    #[error("stale version of {0}")]
    Stale(&'static str),
    /// A stored row could not be turned back into a domain value: a bug or corruption.
    #[error("corrupt row in {table}: {reason}")]
    Corrupt { table: &'static str, reason: String },
    /// Anything else: a bug, reported as 500.
    #[error("database error: {0}")]
    Other(#[source] DbErr),
}

impl From<DbErr> for PersistenceError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(what)) => {
                return PersistenceError::Conflict(what);
            }
            Some(SqlErr::ForeignKeyConstraintViolation(what)) => {
                return PersistenceError::ForeignKey(what);
            }
            _ => {}
        }
        if is_unavailable(&err) {
            PersistenceError::Unavailable(err)
        } else {
            PersistenceError::Other(err)
        }
    }
}

impl PersistenceError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, PersistenceError::Unavailable(_))
    }
}

/// Connection-level failures: the pool timed out, the socket broke, SQLite stayed busy.
fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        other => {
            let text = other.to_string().to_ascii_lowercase();
            // sqlx reports I/O and protocol failures of an established connection as query
            // errors; SQLite reports a lock held past the busy timeout as "database is locked".
            [
                "connection refused",
                "connection reset",
                "broken pipe",
                "pool timed out",
                "database is locked",
                "unexpected eof",
                "io error",
                "error communicating with database",
                "connection closed",
            ]
            .iter()
            .any(|needle| text.contains(needle))
        }
    }
}
