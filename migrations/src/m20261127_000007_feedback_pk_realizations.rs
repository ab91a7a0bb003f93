//! Realisasi of Perjanjian Kinerja indicators (one value per indicator and period, replaced on
//! repost), and continuous feedback on SKPs: a thread per note of the penilai (per RHK or per
//! core value, dated, for a period) with the replies of the pegawai.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UnitIndicatorRealizations {
    Table,
    Id,
    IndicatorId,
    Period,
    Value,
    Achieved,
    Evidence,
    Note,
    RecordedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SkpFeedback {
    Table,
    Id,
    SkpId,
    ThreadId,
    Period,
    RhkId,
    CoreValue,
    Body,
    AuthorUserId,
    AuthorRole,
    ReadAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UnitIndicators {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Skps {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UnitIndicatorRealizations::Table)
                    .col(uuid(UnitIndicatorRealizations::Id).primary_key())
                    .col(uuid(UnitIndicatorRealizations::IndicatorId))
                    // q1 | q2 | q3 | q4
                    .col(string_len(UnitIndicatorRealizations::Period, 2))
                    .col(big_integer_null(UnitIndicatorRealizations::Value))
                    .col(boolean_null(UnitIndicatorRealizations::Achieved))
                    // JSON array of http(s) links.
                    .col(text(UnitIndicatorRealizations::Evidence))
                    .col(text_null(UnitIndicatorRealizations::Note))
                    .col(uuid_null(UnitIndicatorRealizations::RecordedBy))
                    .col(big_integer(UnitIndicatorRealizations::Version))
                    .col(timestamp_with_time_zone(
                        UnitIndicatorRealizations::CreatedAt,
                    ))
                    .col(timestamp_with_time_zone(
                        UnitIndicatorRealizations::UpdatedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_indicator_realizations_indicator")
                            .from(
                                UnitIndicatorRealizations::Table,
                                UnitIndicatorRealizations::IndicatorId,
                            )
                            .to(UnitIndicators::Table, UnitIndicators::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_unit_indicator_realizations_indicator_period")
                    .table(UnitIndicatorRealizations::Table)
                    .col(UnitIndicatorRealizations::IndicatorId)
                    .col(UnitIndicatorRealizations::Period)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SkpFeedback::Table)
                    .col(uuid(SkpFeedback::Id).primary_key())
                    .col(uuid(SkpFeedback::SkpId))
                    // The note a reply answers; null for the note that opens a thread.
                    .col(uuid_null(SkpFeedback::ThreadId))
                    .col(string_len(SkpFeedback::Period, 2))
                    .col(uuid_null(SkpFeedback::RhkId))
                    .col(string_len_null(SkpFeedback::CoreValue, 32))
                    .col(text(SkpFeedback::Body))
                    .col(uuid_null(SkpFeedback::AuthorUserId))
                    // penilai | pegawai | admin
                    .col(string_len(SkpFeedback::AuthorRole, 16))
                    // When the pegawai marked the note read.
                    .col(timestamp_with_time_zone_null(SkpFeedback::ReadAt))
                    .col(timestamp_with_time_zone(SkpFeedback::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skp_feedback_skp")
                            .from(SkpFeedback::Table, SkpFeedback::SkpId)
                            .to(Skps::Table, Skps::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_skp_feedback_skp")
                    .table(SkpFeedback::Table)
                    .col(SkpFeedback::SkpId)
                    .col(SkpFeedback::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SkpFeedback::Table).to_owned())
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(UnitIndicatorRealizations::Table)
                    .to_owned(),
            )
            .await
    }
}
