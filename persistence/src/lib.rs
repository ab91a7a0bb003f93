//! Persistence of Siantar Kinerja: sea-orm entities and repositories that take and return
//! domain types, over SQLite (the embedded default) or PostgreSQL (production).
//!
//! Services see [`Db`] and [`Tx`], never sea-orm: a service begins a transaction, calls
//! repositories with `&Tx`, and commits; dropping a `Tx` rolls it back, so a failed request leaves
//! nothing half-written. Database errors become [`PersistenceError`], with the two cases a caller
//! must handle apart from "the database is down": a uniqueness conflict (named by table and
//! columns on SQLite, whose errors carry no constraint names) and a missing row.
//!
//! Numbers measured by users (targets, realisasi) are stored as scaled integers (× 10,000), never
//! as `real`: SQLite has no exact decimal type and sea-orm would read it through `f64`.

mod db;
mod error;

pub use db::{Backend, Db, Tx};
pub use error::PersistenceError;
