//! The schema history of Siantar Kinerja, for SQLite and PostgreSQL alike.
//!
//! Rules: migrations are additive and append-only (a released migration is never edited; a new
//! one changes what it must), every migration has a working `down` on both databases, and this
//! crate never imports the persistence entities (the schema is history, entities are the
//! present). Portable column types only: UUIDs, RFC 3339 timestamps, `bigint` for scaled
//! decimals (value × 10,000), and `text` holding JSON where a document is stored whole.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_accounts;
mod m20261127_000002_organisation;
mod m20261127_000003_cycles;
mod m20261127_000004_unit_indicators;
mod m20261127_000005_skps;
mod m20261127_000006_skp_realizations;
mod m20261127_000007_feedback_pk_realizations;
mod m20261127_000008_evaluations;
mod m20261127_000009_skm;
mod m20261127_000010_opd_performance;
mod m20261127_000011_training;
mod m20261127_000012_events;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_accounts::Migration),
            Box::new(m20261127_000002_organisation::Migration),
            Box::new(m20261127_000003_cycles::Migration),
            Box::new(m20261127_000004_unit_indicators::Migration),
            Box::new(m20261127_000005_skps::Migration),
            Box::new(m20261127_000006_skp_realizations::Migration),
            Box::new(m20261127_000007_feedback_pk_realizations::Migration),
            Box::new(m20261127_000008_evaluations::Migration),
            Box::new(m20261127_000009_skm::Migration),
            Box::new(m20261127_000010_opd_performance::Migration),
            Box::new(m20261127_000011_training::Migration),
            Box::new(m20261127_000012_events::Migration),
        ]
    }
}

/// Advisory-lock key for migrations on PostgreSQL ("kinerja" in ASCII, as an i64).
const MIGRATION_LOCK_KEY: i64 = 0x006b_696e_6572_6a61;

/// Applies every pending migration, all in one transaction that holds the database's write
/// lock: an advisory lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite. Replicas starting together
/// wait for each other and apply each migration once; a failed migration leaves nothing behind.
pub async fn migrate_up(db: &sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::{
        DbBackend, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
    };
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    let txn = db.begin_with_options(options).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"),
        ))
        .await?;
    }
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// Rolls back every migration (tests and `kinerja migrate --down-all` only).
pub async fn migrate_down_all(db: &sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    Migrator::down(db, None).await
}
