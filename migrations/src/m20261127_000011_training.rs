//! Competency development: the programmes (with their sessions and competency tags), who takes
//! part in them, the training records that count towards the yearly JP (from completed
//! programmes, submitted by the employee and approved by his superior, or imported), and the
//! development plans superiors accept from the recommendations. JP are stored as whole minutes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Trainings {
    Table,
    Id,
    Title,
    Description,
    Route,
    Method,
    JpMinutes,
    Competencies,
    Provider,
    StartDate,
    EndDate,
    Quota,
    Sessions,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingParticipants {
    Table,
    Id,
    TrainingId,
    EmployeeId,
    Status,
    EnrolledBy,
    EnrolledAt,
    AttendedAt,
    CompletedAt,
    DroppedAt,
    DropReason,
    RecordId,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TrainingRecords {
    Table,
    Id,
    EmployeeId,
    Source,
    TrainingId,
    Title,
    Route,
    Method,
    JpMinutes,
    CompletedOn,
    CertificateNo,
    Evidence,
    Status,
    SubmittedBy,
    DecidedBy,
    DecidedAt,
    DecisionReason,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DevelopmentPlans {
    Table,
    Id,
    EmployeeId,
    CycleId,
    AcceptedBy,
    AcceptedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DevelopmentPlanItems {
    Table,
    Id,
    PlanId,
    TrainingId,
    Findings,
    AddedBy,
    AddedAt,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cycles {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Trainings::Table)
                    .col(uuid(Trainings::Id).primary_key())
                    .col(string_len(Trainings::Title, 200))
                    .col(text_null(Trainings::Description))
                    // klasikal | nonklasikal
                    .col(string_len(Trainings::Route, 16))
                    .col(string_len(Trainings::Method, 32))
                    .col(big_integer(Trainings::JpMinutes))
                    // JSON array of tags.
                    .col(text(Trainings::Competencies))
                    .col(string_len(Trainings::Provider, 200))
                    .col(date(Trainings::StartDate))
                    .col(date(Trainings::EndDate))
                    .col(integer_null(Trainings::Quota))
                    // JSON array of {date, start_time, end_time, location}.
                    .col(text(Trainings::Sessions))
                    .col(uuid_null(Trainings::CreatedBy))
                    .col(big_integer(Trainings::Version))
                    .col(timestamp_with_time_zone(Trainings::CreatedAt))
                    .col(timestamp_with_time_zone(Trainings::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_trainings_start_date")
                    .table(Trainings::Table)
                    .col(Trainings::StartDate)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrainingParticipants::Table)
                    .col(uuid(TrainingParticipants::Id).primary_key())
                    .col(uuid(TrainingParticipants::TrainingId))
                    .col(uuid(TrainingParticipants::EmployeeId))
                    // enrolled | attended | completed | dropped
                    .col(string_len(TrainingParticipants::Status, 16))
                    .col(uuid_null(TrainingParticipants::EnrolledBy))
                    .col(timestamp_with_time_zone(TrainingParticipants::EnrolledAt))
                    .col(timestamp_with_time_zone_null(
                        TrainingParticipants::AttendedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        TrainingParticipants::CompletedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        TrainingParticipants::DroppedAt,
                    ))
                    .col(text_null(TrainingParticipants::DropReason))
                    // The training record a completion wrote.
                    .col(uuid_null(TrainingParticipants::RecordId))
                    .col(big_integer(TrainingParticipants::Version))
                    .col(timestamp_with_time_zone(TrainingParticipants::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_training_participants_training")
                            .from(
                                TrainingParticipants::Table,
                                TrainingParticipants::TrainingId,
                            )
                            .to(Trainings::Table, Trainings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_training_participants_employee")
                            .from(
                                TrainingParticipants::Table,
                                TrainingParticipants::EmployeeId,
                            )
                            .to(Employees::Table, Employees::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_training_participants_training_employee")
                    .table(TrainingParticipants::Table)
                    .col(TrainingParticipants::TrainingId)
                    .col(TrainingParticipants::EmployeeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_training_participants_employee")
                    .table(TrainingParticipants::Table)
                    .col(TrainingParticipants::EmployeeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TrainingRecords::Table)
                    .col(uuid(TrainingRecords::Id).primary_key())
                    .col(uuid(TrainingRecords::EmployeeId))
                    // programme | external | import
                    .col(string_len(TrainingRecords::Source, 16))
                    .col(uuid_null(TrainingRecords::TrainingId))
                    .col(string_len(TrainingRecords::Title, 200))
                    .col(string_len(TrainingRecords::Route, 16))
                    .col(string_len(TrainingRecords::Method, 32))
                    .col(big_integer(TrainingRecords::JpMinutes))
                    // The WIB date it was completed: the year it counts for.
                    .col(date(TrainingRecords::CompletedOn))
                    .col(string_len_null(TrainingRecords::CertificateNo, 100))
                    .col(text_null(TrainingRecords::Evidence))
                    // pending | approved | rejected
                    .col(string_len(TrainingRecords::Status, 16))
                    .col(uuid_null(TrainingRecords::SubmittedBy))
                    .col(uuid_null(TrainingRecords::DecidedBy))
                    .col(timestamp_with_time_zone_null(TrainingRecords::DecidedAt))
                    .col(text_null(TrainingRecords::DecisionReason))
                    .col(big_integer(TrainingRecords::Version))
                    .col(timestamp_with_time_zone(TrainingRecords::CreatedAt))
                    .col(timestamp_with_time_zone(TrainingRecords::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_training_records_employee")
                            .from(TrainingRecords::Table, TrainingRecords::EmployeeId)
                            .to(Employees::Table, Employees::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_training_records_employee_completed")
                    .table(TrainingRecords::Table)
                    .col(TrainingRecords::EmployeeId)
                    .col(TrainingRecords::CompletedOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_training_records_completed")
                    .table(TrainingRecords::Table)
                    .col(TrainingRecords::CompletedOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DevelopmentPlans::Table)
                    .col(uuid(DevelopmentPlans::Id).primary_key())
                    .col(uuid(DevelopmentPlans::EmployeeId))
                    .col(uuid(DevelopmentPlans::CycleId))
                    .col(uuid_null(DevelopmentPlans::AcceptedBy))
                    .col(timestamp_with_time_zone(DevelopmentPlans::AcceptedAt))
                    .col(big_integer(DevelopmentPlans::Version))
                    .col(timestamp_with_time_zone(DevelopmentPlans::CreatedAt))
                    .col(timestamp_with_time_zone(DevelopmentPlans::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_development_plans_employee")
                            .from(DevelopmentPlans::Table, DevelopmentPlans::EmployeeId)
                            .to(Employees::Table, Employees::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_development_plans_cycle")
                            .from(DevelopmentPlans::Table, DevelopmentPlans::CycleId)
                            .to(Cycles::Table, Cycles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_development_plans_employee_cycle")
                    .table(DevelopmentPlans::Table)
                    .col(DevelopmentPlans::EmployeeId)
                    .col(DevelopmentPlans::CycleId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DevelopmentPlanItems::Table)
                    .col(uuid(DevelopmentPlanItems::Id).primary_key())
                    .col(uuid(DevelopmentPlanItems::PlanId))
                    .col(uuid(DevelopmentPlanItems::TrainingId))
                    // JSON: the findings the programme answered when it was accepted.
                    .col(text(DevelopmentPlanItems::Findings))
                    .col(uuid_null(DevelopmentPlanItems::AddedBy))
                    .col(timestamp_with_time_zone(DevelopmentPlanItems::AddedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_development_plan_items_plan")
                            .from(DevelopmentPlanItems::Table, DevelopmentPlanItems::PlanId)
                            .to(DevelopmentPlans::Table, DevelopmentPlans::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_development_plan_items_training")
                            .from(
                                DevelopmentPlanItems::Table,
                                DevelopmentPlanItems::TrainingId,
                            )
                            .to(Trainings::Table, Trainings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_development_plan_items_plan_training")
                    .table(DevelopmentPlanItems::Table)
                    .col(DevelopmentPlanItems::PlanId)
                    .col(DevelopmentPlanItems::TrainingId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DevelopmentPlanItems::Table.into_iden(),
            DevelopmentPlans::Table.into_iden(),
            TrainingRecords::Table.into_iden(),
            TrainingParticipants::Table.into_iden(),
            Trainings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
