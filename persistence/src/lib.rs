//! Persistence of Siantar Kinerja: sea-orm entities and repositories that take and return
//! domain types, over SQLite (the embedded default) or PostgreSQL (production).
//!
//! Services see [`Db`] and [`Tx`], never sea-orm: a service begins a transaction, calls
//! repositories with `&Tx` (or `&Db` for plain reads; both are a [`Store`]), and commits;
//! dropping a `Tx` rolls it back, so a failed request leaves nothing half-written. Database
//! errors become [`PersistenceError`], with the cases a caller must tell apart: a uniqueness
//! conflict (named by table and columns on SQLite, whose errors carry no constraint names), a
//! stale version (optimistic concurrency), and "the database is down".
//!
//! Numbers measured by users (targets, realisasi) are stored as scaled integers (× 10,000), never
//! as `real`: SQLite has no exact decimal type and sea-orm would read it through `f64`.

mod db;
mod entities;
mod error;
pub mod repos;

pub use db::{Backend, Db, Store, Tx};
pub use error::PersistenceError;

/// A page of a list, and how many items match in all.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// Paging and ordering of a list query. `sort` names are checked by the caller against the
/// list's own sortable fields; `true` means descending.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub page: u64,
    pub per_page: u64,
    pub sort: Vec<(String, bool)>,
}
