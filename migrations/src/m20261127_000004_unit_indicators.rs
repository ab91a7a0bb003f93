//! Perjanjian Kinerja: each OPD's indicators for a cycle, with annual and quarterly targets.
//!
//! Targets are scaled integers (value × 10,000): exact on both databases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UnitIndicators {
    Table,
    Id,
    CycleId,
    UnitId,
    Code,
    Description,
    Direction,
    Target,
    TargetMax,
    TargetText,
    Unit,
    Aggregation,
    Q1Target,
    Q2Target,
    Q3Target,
    Source,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Cycles {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UnitIndicators::Table)
                    .col(uuid(UnitIndicators::Id).primary_key())
                    .col(uuid(UnitIndicators::CycleId))
                    .col(uuid(UnitIndicators::UnitId))
                    .col(string_len(UnitIndicators::Code, 32))
                    .col(text(UnitIndicators::Description))
                    // higher_is_better | lower_is_better | range | qualitative
                    .col(string_len(UnitIndicators::Direction, 20))
                    .col(big_integer_null(UnitIndicators::Target))
                    .col(big_integer_null(UnitIndicators::TargetMax))
                    .col(text_null(UnitIndicators::TargetText))
                    .col(string_len(UnitIndicators::Unit, 50))
                    // sum | average | last
                    .col(string_len(UnitIndicators::Aggregation, 10))
                    .col(big_integer_null(UnitIndicators::Q1Target))
                    .col(big_integer_null(UnitIndicators::Q2Target))
                    .col(big_integer_null(UnitIndicators::Q3Target))
                    // manual | ikm (realisasi from the citizen survey)
                    .col(string_len(UnitIndicators::Source, 10))
                    .col(big_integer(UnitIndicators::Version))
                    .col(timestamp_with_time_zone(UnitIndicators::CreatedAt))
                    .col(timestamp_with_time_zone(UnitIndicators::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_indicators_cycle")
                            .from(UnitIndicators::Table, UnitIndicators::CycleId)
                            .to(Cycles::Table, Cycles::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_indicators_unit")
                            .from(UnitIndicators::Table, UnitIndicators::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_unit_indicators_cycle_unit_code")
                    .table(UnitIndicators::Table)
                    .col(UnitIndicators::CycleId)
                    .col(UnitIndicators::UnitId)
                    .col(UnitIndicators::Code)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UnitIndicators::Table).to_owned())
            .await
    }
}
