use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::PersistenceError;
use crate::repos::events::NewEvent;

/// Which database engine is behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections to the primary database.
#[derive(Debug, Clone)]
pub struct Db {
    conn: DatabaseConnection,
}

impl Db {
    /// Connects to `sqlite://FILE?mode=rwc` or `postgres://...` with the default pool size:
    /// 32 connections on PostgreSQL, 8 on SQLite (one writer at a time anyway; a small pool
    /// avoids piling up waiting writers).
    pub async fn connect(url: &str, acquire_timeout: Duration) -> Result<Db, PersistenceError> {
        Db::connect_with(url, acquire_timeout, None).await
    }

    /// Connects with at most `pool_size` connections (`None`: the default of [`Db::connect`]).
    ///
    /// SQLite gets WAL (readers never block the writer), `synchronous=NORMAL` (safe with WAL)
    /// and a busy timeout, so a writer waits for another instead of failing at once.
    pub async fn connect_with(
        url: &str,
        acquire_timeout: Duration,
        pool_size: Option<u32>,
    ) -> Result<Db, PersistenceError> {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .acquire_timeout(acquire_timeout)
            .connect_timeout(acquire_timeout)
            .sqlx_logging(true)
            .sqlx_logging_level(log::LevelFilter::Debug)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
            });
        let default = if url.starts_with("sqlite:") { 8 } else { 32 };
        options
            .max_connections(pool_size.unwrap_or(default))
            .min_connections(1);
        let conn = Database::connect(options)
            .await
            .map_err(PersistenceError::from)?;
        Ok(Db { conn })
    }

    pub fn backend(&self) -> Backend {
        match self.conn.get_database_backend() {
            DbBackend::Sqlite => Backend::Sqlite,
            _ => Backend::Postgres,
        }
    }

    /// Answers whether the database responds now.
    pub async fn ping(&self) -> Result<(), PersistenceError> {
        self.conn.ping().await.map_err(PersistenceError::from)
    }

    /// Begins a write transaction. On SQLite it is `BEGIN IMMEDIATE`: a deferred transaction
    /// that later wants to write fails at once with SQLITE_BUSY instead of waiting.
    pub async fn begin(&self) -> Result<Tx, PersistenceError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let inner = self.conn.begin_with_options(options).await?;
        Ok(Tx {
            inner,
            events: Mutex::new(Vec::new()),
        })
    }

    /// The sea-orm connection, for the migrations crate and repositories.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub async fn close(self) -> Result<(), PersistenceError> {
        self.conn.close().await.map_err(PersistenceError::from)
    }
}

/// Anything repositories can run statements on: the pool (reads outside a transaction) or a
/// transaction.
pub trait Store: Sync {
    type Conn: ConnectionTrait;
    fn conn(&self) -> &Self::Conn;
}

impl Store for Db {
    type Conn = DatabaseConnection;
    fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }
}

impl Store for Tx {
    type Conn = DatabaseTransaction;
    fn conn(&self) -> &DatabaseTransaction {
        &self.inner
    }
}

/// An open transaction. Commit it explicitly; dropping it rolls back (with the events it queued).
#[derive(Debug)]
pub struct Tx {
    inner: DatabaseTransaction,
    /// Events of the feed, appended at commit (see [`crate::repos::events`]).
    events: Mutex<Vec<NewEvent>>,
}

impl Tx {
    /// Queues an event of the feed. It is written by [`Tx::commit`], in this transaction, numbered
    /// after every event committed before it.
    pub fn publish(&self, event: NewEvent) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event);
    }

    /// Appends the queued events (taking the feed's lock as the last write), then commits.
    pub async fn commit(self) -> Result<(), PersistenceError> {
        let events =
            std::mem::take(&mut *self.events.lock().unwrap_or_else(PoisonError::into_inner));
        if !events.is_empty() {
            crate::repos::events::append(&self.inner, events).await?;
        }
        self.inner.commit().await.map_err(PersistenceError::from)
    }
}
