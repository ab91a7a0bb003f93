//! The annual performance cycles: one per year, with the settings in force (DOMAIN §8).
//!
//! `settings` is the whole settings document as JSON text: it is read and written whole, and
//! every result computed later records the values it used.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cycles {
    Table,
    Id,
    Year,
    Name,
    Status,
    Settings,
    StartedAt,
    ClosedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cycles::Table)
                    .col(uuid(Cycles::Id).primary_key())
                    // A year has at most one cycle.
                    .col(integer(Cycles::Year).unique_key())
                    .col(string_len(Cycles::Name, 200))
                    // planning | running | closed
                    .col(string_len(Cycles::Status, 16))
                    .col(text(Cycles::Settings))
                    .col(timestamp_with_time_zone_null(Cycles::StartedAt))
                    .col(timestamp_with_time_zone_null(Cycles::ClosedAt))
                    .col(big_integer(Cycles::Version))
                    .col(timestamp_with_time_zone(Cycles::CreatedAt))
                    .col(timestamp_with_time_zone(Cycles::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Cycles::Table).to_owned())
            .await
    }
}
