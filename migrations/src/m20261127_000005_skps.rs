//! SKP (Sasaran Kinerja Pegawai): an employee's plan for a cycle, its RHK (rencana hasil kerja)
//! and their indicators.
//!
//! `skp_rhks.parent_rhk_id` (the penilai's RHK it intervenes) has no foreign key: it points into
//! another employee's SKP, which has its own life; the service checks it on write and at submit.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Skps {
    Table,
    Id,
    CycleId,
    EmployeeId,
    EvaluatorId,
    Status,
    ProposedBy,
    RevisionOf,
    StartDate,
    EndDate,
    Snapshot,
    ReturnReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SkpRhks {
    Table,
    Id,
    SkpId,
    OriginId,
    Code,
    Kind,
    Description,
    ParentRhkId,
    UnitIndicatorId,
    Perspective,
    Position,
    RetiredAt,
}

#[derive(DeriveIden)]
enum SkpIndicators {
    Table,
    Id,
    RhkId,
    OriginId,
    Code,
    Description,
    Aspect,
    Direction,
    Target,
    TargetMax,
    TargetText,
    Unit,
    Aggregation,
    Q1Target,
    Q2Target,
    Q3Target,
    Competencies,
    Position,
    RetiredAt,
}

#[derive(DeriveIden)]
enum Cycles {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UnitIndicators {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Skps::Table)
                    .col(uuid(Skps::Id).primary_key())
                    .col(uuid(Skps::CycleId))
                    .col(uuid(Skps::EmployeeId))
                    // The penilai; null for the Sekda, whose penilai (the Wali Kota) is no employee.
                    .col(uuid_null(Skps::EvaluatorId))
                    // draft | submitted | approved | returned | merged
                    .col(string_len(Skps::Status, 16))
                    // employee | evaluator | unit_admin | admin | import
                    .col(string_len(Skps::ProposedBy, 16))
                    .col(uuid_null(Skps::RevisionOf))
                    .col(date(Skps::StartDate))
                    .col(date_null(Skps::EndDate))
                    // Unit, jabatan, golongan and penilai at creation, as JSON.
                    .col(text(Skps::Snapshot))
                    .col(text_null(Skps::ReturnReason))
                    .col(big_integer(Skps::Version))
                    .col(timestamp_with_time_zone(Skps::CreatedAt))
                    .col(timestamp_with_time_zone(Skps::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skps_cycle")
                            .from(Skps::Table, Skps::CycleId)
                            .to(Cycles::Table, Cycles::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skps_employee")
                            .from(Skps::Table, Skps::EmployeeId)
                            .to(Employees::Table, Employees::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skps_evaluator")
                            .from(Skps::Table, Skps::EvaluatorId)
                            .to(Employees::Table, Employees::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skps_revision_of")
                            .from(Skps::Table, Skps::RevisionOf)
                            .to(Skps::Table, Skps::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            (
                "idx_skps_cycle_employee",
                vec![Skps::CycleId, Skps::EmployeeId],
            ),
            ("idx_skps_evaluator", vec![Skps::EvaluatorId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Skps::Table);
            for c in col {
                index.col(c);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SkpRhks::Table)
                    .col(uuid(SkpRhks::Id).primary_key())
                    .col(uuid(SkpRhks::SkpId))
                    .col(uuid_null(SkpRhks::OriginId))
                    .col(string_len(SkpRhks::Code, 32))
                    // utama | tambahan
                    .col(string_len(SkpRhks::Kind, 10))
                    .col(text(SkpRhks::Description))
                    .col(uuid_null(SkpRhks::ParentRhkId))
                    .col(uuid_null(SkpRhks::UnitIndicatorId))
                    .col(string_len_null(SkpRhks::Perspective, 50))
                    .col(integer(SkpRhks::Position))
                    // Set when an approved revision dropped it: kept, with its realisasi, as history.
                    .col(timestamp_with_time_zone_null(SkpRhks::RetiredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skp_rhks_skp")
                            .from(SkpRhks::Table, SkpRhks::SkpId)
                            .to(Skps::Table, Skps::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skp_rhks_unit_indicator")
                            .from(SkpRhks::Table, SkpRhks::UnitIndicatorId)
                            .to(UnitIndicators::Table, UnitIndicators::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_skp_rhks_skp")
                    .table(SkpRhks::Table)
                    .col(SkpRhks::SkpId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_skp_rhks_parent")
                    .table(SkpRhks::Table)
                    .col(SkpRhks::ParentRhkId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SkpIndicators::Table)
                    .col(uuid(SkpIndicators::Id).primary_key())
                    .col(uuid(SkpIndicators::RhkId))
                    .col(uuid_null(SkpIndicators::OriginId))
                    .col(string_len(SkpIndicators::Code, 32))
                    .col(text(SkpIndicators::Description))
                    // kuantitas | kualitas | waktu | biaya
                    .col(string_len(SkpIndicators::Aspect, 10))
                    .col(string_len(SkpIndicators::Direction, 20))
                    .col(big_integer_null(SkpIndicators::Target))
                    .col(big_integer_null(SkpIndicators::TargetMax))
                    .col(text_null(SkpIndicators::TargetText))
                    .col(string_len(SkpIndicators::Unit, 50))
                    .col(string_len(SkpIndicators::Aggregation, 10))
                    .col(big_integer_null(SkpIndicators::Q1Target))
                    .col(big_integer_null(SkpIndicators::Q2Target))
                    .col(big_integer_null(SkpIndicators::Q3Target))
                    // JSON array of competency tags.
                    .col(text(SkpIndicators::Competencies))
                    .col(integer(SkpIndicators::Position))
                    .col(timestamp_with_time_zone_null(SkpIndicators::RetiredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skp_indicators_rhk")
                            .from(SkpIndicators::Table, SkpIndicators::RhkId)
                            .to(SkpRhks::Table, SkpRhks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_skp_indicators_rhk")
                    .table(SkpIndicators::Table)
                    .col(SkpIndicators::RhkId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SkpIndicators::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SkpRhks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Skps::Table).to_owned())
            .await
    }
}
