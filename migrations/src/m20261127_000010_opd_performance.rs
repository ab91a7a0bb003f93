//! Organisational performance per OPD, cycle and period: the predikat the leader above sets
//! (with the reason when it differs from the suggestion), and the calibration of the OPD's
//! employees' predikat against it (finalised for q4, with an override reason when it breaches).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OpdPerformance {
    Table,
    Id,
    CycleId,
    UnitId,
    Period,
    Predikat,
    SuggestedPredikat,
    Reason,
    SetBy,
    SetAt,
    CalibratedAt,
    CalibratedBy,
    OverrideReason,
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
                    .table(OpdPerformance::Table)
                    .col(uuid(OpdPerformance::Id).primary_key())
                    .col(uuid(OpdPerformance::CycleId))
                    .col(uuid(OpdPerformance::UnitId))
                    // q1 | q2 | q3 | q4
                    .col(string_len(OpdPerformance::Period, 2))
                    // istimewa | baik | butuh_perbaikan | kurang | sangat_kurang; null until set.
                    .col(string_len_null(OpdPerformance::Predikat, 32))
                    // The suggestion standing when it was set.
                    .col(string_len_null(OpdPerformance::SuggestedPredikat, 32))
                    .col(text_null(OpdPerformance::Reason))
                    .col(uuid_null(OpdPerformance::SetBy))
                    .col(timestamp_with_time_zone_null(OpdPerformance::SetAt))
                    // When the q4 calibration finalised the OPD's evaluations.
                    .col(timestamp_with_time_zone_null(OpdPerformance::CalibratedAt))
                    .col(uuid_null(OpdPerformance::CalibratedBy))
                    .col(text_null(OpdPerformance::OverrideReason))
                    .col(big_integer(OpdPerformance::Version))
                    .col(timestamp_with_time_zone(OpdPerformance::CreatedAt))
                    .col(timestamp_with_time_zone(OpdPerformance::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_opd_performance_cycle")
                            .from(OpdPerformance::Table, OpdPerformance::CycleId)
                            .to(Cycles::Table, Cycles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_opd_performance_unit")
                            .from(OpdPerformance::Table, OpdPerformance::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_opd_performance_cycle_unit_period")
                    .table(OpdPerformance::Table)
                    .col(OpdPerformance::CycleId)
                    .col(OpdPerformance::UnitId)
                    .col(OpdPerformance::Period)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OpdPerformance::Table).to_owned())
            .await
    }
}
