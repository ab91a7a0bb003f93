//! The events feed (`GET /events`): an outbox of changes of note, written in the transaction of
//! the change, for integrators (HR, payroll) to poll with a cursor.
//!
//! Why a counter row and not a sequence or an autoincrement: a PostgreSQL sequence hands out
//! numbers at `nextval`, not at commit, so transaction B may commit position 8 before A commits
//! position 7; a poller that read up to 8 would then skip 7 for ever. Instead every transaction
//! that appends events takes its positions by `UPDATE event_counter SET last_position = ...
//! RETURNING`, as the last thing before its commit: the row stays locked until that commit, so the
//! next appender waits and numbers after it. Commit order equals position order, on PostgreSQL by
//! the row lock, on SQLite because its write transactions are serialised anyway. The single row
//! is created here, because the feed cannot work without it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    Position,
    Type,
    EntityType,
    EntityId,
    OccurredAt,
    Data,
}

#[derive(DeriveIden)]
enum EventCounter {
    Table,
    Id,
    LastPosition,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    // Assigned under the counter's lock (see above), never by the database.
                    .col(big_integer(Events::Position).primary_key())
                    // e.g. employee.updated, evaluation.finalized
                    .col(string_len(Events::Type, 64))
                    .col(string_len(Events::EntityType, 32))
                    // A UUID, or an import's file hash.
                    .col(string_len(Events::EntityId, 100))
                    .col(timestamp_with_time_zone(Events::OccurredAt))
                    // A small JSON object: ids and the new state, never secrets.
                    .col(text(Events::Data))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventCounter::Table)
                    .col(integer(EventCounter::Id).primary_key())
                    .col(big_integer(EventCounter::LastPosition))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(EventCounter::Table)
            .columns([EventCounter::Id, EventCounter::LastPosition])
            .values([1.into(), 0i64.into()])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EventCounter::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Events::Table).to_owned())
            .await
    }
}
