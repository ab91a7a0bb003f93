//! Realisasi of SKP indicators: one value (or `achieved`) per indicator and period, replaced on
//! repost, with evidence links and a note. Values are scaled integers (value × 10,000).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SkpRealizations {
    Table,
    Id,
    SkpId,
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
enum Skps {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SkpIndicators {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SkpRealizations::Table)
                    .col(uuid(SkpRealizations::Id).primary_key())
                    .col(uuid(SkpRealizations::SkpId))
                    .col(uuid(SkpRealizations::IndicatorId))
                    // q1 | q2 | q3 | q4
                    .col(string_len(SkpRealizations::Period, 2))
                    .col(big_integer_null(SkpRealizations::Value))
                    .col(boolean_null(SkpRealizations::Achieved))
                    // JSON array of http(s) links.
                    .col(text(SkpRealizations::Evidence))
                    .col(text_null(SkpRealizations::Note))
                    // The user who posted the value standing now.
                    .col(uuid_null(SkpRealizations::RecordedBy))
                    .col(big_integer(SkpRealizations::Version))
                    .col(timestamp_with_time_zone(SkpRealizations::CreatedAt))
                    .col(timestamp_with_time_zone(SkpRealizations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skp_realizations_skp")
                            .from(SkpRealizations::Table, SkpRealizations::SkpId)
                            .to(Skps::Table, Skps::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_skp_realizations_indicator")
                            .from(SkpRealizations::Table, SkpRealizations::IndicatorId)
                            .to(SkpIndicators::Table, SkpIndicators::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_skp_realizations_indicator_period")
                    .table(SkpRealizations::Table)
                    .col(SkpRealizations::IndicatorId)
                    .col(SkpRealizations::Period)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_skp_realizations_skp")
                    .table(SkpRealizations::Table)
                    .col(SkpRealizations::SkpId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SkpRealizations::Table).to_owned())
            .await
    }
}
