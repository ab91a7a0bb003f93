//! Evaluations of approved SKPs per period (q1..q4) with the self-assessment, the penilai's
//! ratings and the computed predikat; objections (keberatan) against finalised ones.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Evaluations {
    Table,
    Id,
    SkpId,
    Period,
    Status,
    Snapshot,
    SelfAssessment,
    SelfAssessedAt,
    WorkRating,
    SuggestedWorkRating,
    OverrideReason,
    BehaviorRatings,
    BehaviorRating,
    Predikat,
    AssessedBy,
    AssessedAt,
    FinalizedBy,
    FinalizedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Objections {
    Table,
    Id,
    EvaluationId,
    Status,
    Reason,
    FiledBy,
    FiledAt,
    Explanation,
    ExplainedBy,
    ExplainedAt,
    Decision,
    DecidedBy,
    DecidedAt,
    Original,
    Version,
    CreatedAt,
    UpdatedAt,
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
                    .table(Evaluations::Table)
                    .col(uuid(Evaluations::Id).primary_key())
                    .col(uuid(Evaluations::SkpId))
                    // q1 | q2 | q3 | q4
                    .col(string_len(Evaluations::Period, 2))
                    // open | assessed | finalized | void
                    .col(string_len(Evaluations::Status, 16))
                    // JSON: unit, jabatan, golongan and penilai when the evaluation was created.
                    .col(text(Evaluations::Snapshot))
                    // JSON: {"rhk": [{"rhk_id", "text"}], "core_values": [{"core_value", "text"}]}.
                    .col(text_null(Evaluations::SelfAssessment))
                    .col(timestamp_with_time_zone_null(Evaluations::SelfAssessedAt))
                    .col(string_len_null(Evaluations::WorkRating, 32))
                    .col(string_len_null(Evaluations::SuggestedWorkRating, 32))
                    .col(text_null(Evaluations::OverrideReason))
                    // JSON: {"<core value>": {"rating", "note"}} for the 7 values.
                    .col(text_null(Evaluations::BehaviorRatings))
                    .col(string_len_null(Evaluations::BehaviorRating, 32))
                    .col(string_len_null(Evaluations::Predikat, 32))
                    .col(uuid_null(Evaluations::AssessedBy))
                    .col(timestamp_with_time_zone_null(Evaluations::AssessedAt))
                    .col(uuid_null(Evaluations::FinalizedBy))
                    .col(timestamp_with_time_zone_null(Evaluations::FinalizedAt))
                    .col(big_integer(Evaluations::Version))
                    .col(timestamp_with_time_zone(Evaluations::CreatedAt))
                    .col(timestamp_with_time_zone(Evaluations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_evaluations_skp")
                            .from(Evaluations::Table, Evaluations::SkpId)
                            .to(Skps::Table, Skps::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_evaluations_skp_period")
                    .table(Evaluations::Table)
                    .col(Evaluations::SkpId)
                    .col(Evaluations::Period)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Objections::Table)
                    .col(uuid(Objections::Id).primary_key())
                    .col(uuid(Objections::EvaluationId))
                    // filed | explained | accepted | rejected
                    .col(string_len(Objections::Status, 16))
                    .col(text(Objections::Reason))
                    .col(uuid_null(Objections::FiledBy))
                    .col(timestamp_with_time_zone(Objections::FiledAt))
                    .col(text_null(Objections::Explanation))
                    .col(uuid_null(Objections::ExplainedBy))
                    .col(timestamp_with_time_zone_null(Objections::ExplainedAt))
                    // JSON: {"note", "work_rating", "behavior_rating", "predikat"} once decided.
                    .col(text_null(Objections::Decision))
                    .col(uuid_null(Objections::DecidedBy))
                    .col(timestamp_with_time_zone_null(Objections::DecidedAt))
                    // JSON: the ratings and predikat objected to.
                    .col(text(Objections::Original))
                    .col(big_integer(Objections::Version))
                    .col(timestamp_with_time_zone(Objections::CreatedAt))
                    .col(timestamp_with_time_zone(Objections::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_objections_evaluation")
                            .from(Objections::Table, Objections::EvaluationId)
                            .to(Evaluations::Table, Evaluations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One objection per evaluation: a second one is refused.
        manager
            .create_index(
                Index::create()
                    .name("uq_objections_evaluation")
                    .table(Objections::Table)
                    .col(Objections::EvaluationId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Objections::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Evaluations::Table).to_owned())
            .await
    }
}
