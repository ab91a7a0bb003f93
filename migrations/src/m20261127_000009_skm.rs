//! The citizen satisfaction survey (SKM): the services a service unit offers, its survey periods,
//! the responses (no identifiers beyond the optional profile), paper imports already applied,
//! single-use submission tokens, per-client submission counters, and the feedback a closed period
//! leaves to its unit (every unsur below mutu B).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UnitServices {
    Table,
    Id,
    UnitId,
    Code,
    Name,
    Active,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SurveyPeriods {
    Table,
    Id,
    UnitId,
    Name,
    StartDate,
    EndDate,
    Population,
    Weights,
    Status,
    ClosedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SurveyResponses {
    Table,
    Id,
    UnitId,
    ServiceId,
    RespondedOn,
    U1,
    U2,
    U3,
    U4,
    U5,
    U6,
    U7,
    U8,
    U9,
    Gender,
    Age,
    Education,
    Occupation,
    Comment,
    Channel,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SurveyImports {
    Table,
    FileHash,
    Rows,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SurveyTokens {
    Table,
    TokenHash,
    UnitId,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum SurveyRate {
    Table,
    ClientKey,
    WindowStart,
    Count,
}

#[derive(DeriveIden)]
enum UnitFeedback {
    Table,
    Id,
    UnitId,
    PeriodId,
    Unsur,
    Nrr,
    Comments,
    CreatedAt,
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
                    .table(UnitServices::Table)
                    .col(uuid(UnitServices::Id).primary_key())
                    .col(uuid(UnitServices::UnitId))
                    .col(string_len(UnitServices::Code, 32))
                    .col(string_len(UnitServices::Name, 200))
                    .col(boolean(UnitServices::Active))
                    .col(big_integer(UnitServices::Version))
                    .col(timestamp_with_time_zone(UnitServices::CreatedAt))
                    .col(timestamp_with_time_zone(UnitServices::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_services_unit")
                            .from(UnitServices::Table, UnitServices::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_unit_services_unit_code")
                    .table(UnitServices::Table)
                    .col(UnitServices::UnitId)
                    .col(UnitServices::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyPeriods::Table)
                    .col(uuid(SurveyPeriods::Id).primary_key())
                    .col(uuid(SurveyPeriods::UnitId))
                    .col(string_len(SurveyPeriods::Name, 200))
                    .col(date(SurveyPeriods::StartDate))
                    .col(date(SurveyPeriods::EndDate))
                    // Service users in the period (for the sample size).
                    .col(big_integer_null(SurveyPeriods::Population))
                    // JSON array of nine decimal strings summing to 1; null: exact 1/9.
                    .col(text_null(SurveyPeriods::Weights))
                    // open | closed
                    .col(string_len(SurveyPeriods::Status, 16))
                    .col(timestamp_with_time_zone_null(SurveyPeriods::ClosedAt))
                    .col(big_integer(SurveyPeriods::Version))
                    .col(timestamp_with_time_zone(SurveyPeriods::CreatedAt))
                    .col(timestamp_with_time_zone(SurveyPeriods::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_survey_periods_unit")
                            .from(SurveyPeriods::Table, SurveyPeriods::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_periods_unit")
                    .table(SurveyPeriods::Table)
                    .col(SurveyPeriods::UnitId)
                    .col(SurveyPeriods::StartDate)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyResponses::Table)
                    .col(uuid(SurveyResponses::Id).primary_key())
                    .col(uuid(SurveyResponses::UnitId))
                    .col(uuid(SurveyResponses::ServiceId))
                    .col(date(SurveyResponses::RespondedOn))
                    .col(small_integer(SurveyResponses::U1))
                    .col(small_integer(SurveyResponses::U2))
                    .col(small_integer(SurveyResponses::U3))
                    .col(small_integer(SurveyResponses::U4))
                    .col(small_integer(SurveyResponses::U5))
                    .col(small_integer(SurveyResponses::U6))
                    .col(small_integer(SurveyResponses::U7))
                    .col(small_integer(SurveyResponses::U8))
                    .col(small_integer(SurveyResponses::U9))
                    .col(string_len_null(SurveyResponses::Gender, 16))
                    .col(string_len_null(SurveyResponses::Age, 16))
                    .col(string_len_null(SurveyResponses::Education, 16))
                    .col(string_len_null(SurveyResponses::Occupation, 32))
                    .col(text_null(SurveyResponses::Comment))
                    // web | kiosk | paper
                    .col(string_len(SurveyResponses::Channel, 16))
                    .col(timestamp_with_time_zone(SurveyResponses::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_survey_responses_unit")
                            .from(SurveyResponses::Table, SurveyResponses::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_survey_responses_service")
                            .from(SurveyResponses::Table, SurveyResponses::ServiceId)
                            .to(UnitServices::Table, UnitServices::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Results add up a unit's answers over a date range (optionally of one service).
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_responses_unit_date")
                    .table(SurveyResponses::Table)
                    .col(SurveyResponses::UnitId)
                    .col(SurveyResponses::RespondedOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyImports::Table)
                    // SHA-256 of the file: one file is applied once.
                    .col(string_len(SurveyImports::FileHash, 64).primary_key())
                    .col(big_integer(SurveyImports::Rows))
                    .col(timestamp_with_time_zone(SurveyImports::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyTokens::Table)
                    // SHA-256 of a single-use submission token a web form fetched.
                    .col(string_len(SurveyTokens::TokenHash, 64).primary_key())
                    .col(uuid(SurveyTokens::UnitId))
                    .col(timestamp_with_time_zone(SurveyTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(SurveyTokens::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyRate::Table)
                    // SHA-256 of (client address or service account, unit): no address is kept.
                    .col(string_len(SurveyRate::ClientKey, 64))
                    .col(timestamp_with_time_zone(SurveyRate::WindowStart))
                    .col(integer(SurveyRate::Count))
                    .primary_key(
                        Index::create()
                            .col(SurveyRate::ClientKey)
                            .col(SurveyRate::WindowStart),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UnitFeedback::Table)
                    .col(uuid(UnitFeedback::Id).primary_key())
                    .col(uuid(UnitFeedback::UnitId))
                    .col(uuid(UnitFeedback::PeriodId))
                    .col(string_len(UnitFeedback::Unsur, 2))
                    // NRR × 10,000.
                    .col(big_integer(UnitFeedback::Nrr))
                    // JSON array of the period's comments (the related ones).
                    .col(text(UnitFeedback::Comments))
                    .col(timestamp_with_time_zone(UnitFeedback::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_feedback_period")
                            .from(UnitFeedback::Table, UnitFeedback::PeriodId)
                            .to(SurveyPeriods::Table, SurveyPeriods::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_unit_feedback_period_unsur")
                    .table(UnitFeedback::Table)
                    .col(UnitFeedback::PeriodId)
                    .col(UnitFeedback::Unsur)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            UnitFeedback::Table.into_iden(),
            SurveyRate::Table.into_iden(),
            SurveyTokens::Table.into_iden(),
            SurveyImports::Table.into_iden(),
            SurveyResponses::Table.into_iden(),
            SurveyPeriods::Table.into_iden(),
            UnitServices::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
