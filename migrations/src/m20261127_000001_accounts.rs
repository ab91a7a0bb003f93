//! Accounts and the safety rails every later resource relies on: users, service accounts,
//! refresh tokens, login throttling, idempotency keys and the audit trail.
//!
//! `users.employee_id` and `users.unit_id` are plain nullable columns here; their foreign keys
//! arrive with the organisation tables.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    PasswordHash,
    Roles,
    EmployeeId,
    UnitId,
    Active,
    MustChangePassword,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServiceAccounts {
    Table,
    Id,
    Name,
    ClientId,
    SecretHash,
    Scopes,
    Active,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    FamilyId,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Username,
    ClientAddr,
    FailedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    CallerKey,
    Route,
    Key,
    RequestHash,
    State,
    ResponseStatus,
    ResponseHeaders,
    ResponseBody,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    ActorId,
    ActorKind,
    ActingFor,
    Action,
    EntityType,
    EntityId,
    Before,
    After,
    RequestId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(uuid(Users::Id).primary_key())
                    // Stored lower-cased: usernames (and NIPs) are unique without regard to case.
                    .col(string_len(Users::Username, 64).unique_key())
                    .col(string(Users::PasswordHash))
                    // JSON array of role names; a user has few and they are read whole.
                    .col(text(Users::Roles))
                    .col(uuid_null(Users::EmployeeId))
                    .col(uuid_null(Users::UnitId))
                    .col(boolean(Users::Active))
                    .col(boolean(Users::MustChangePassword))
                    .col(big_integer(Users::Version))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceAccounts::Table)
                    .col(uuid(ServiceAccounts::Id).primary_key())
                    .col(string_len(ServiceAccounts::Name, 100))
                    .col(string_len(ServiceAccounts::ClientId, 64).unique_key())
                    .col(string(ServiceAccounts::SecretHash))
                    .col(text(ServiceAccounts::Scopes))
                    .col(boolean(ServiceAccounts::Active))
                    .col(big_integer(ServiceAccounts::Version))
                    .col(timestamp_with_time_zone(ServiceAccounts::CreatedAt))
                    .col(timestamp_with_time_zone(ServiceAccounts::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(uuid(RefreshTokens::Id).primary_key())
                    // Rotation keeps a family: reuse of a rotated token revokes the whole family.
                    .col(uuid(RefreshTokens::FamilyId))
                    .col(uuid(RefreshTokens::UserId))
                    // SHA-256 of the token; the token itself is never stored.
                    .col(string_len(RefreshTokens::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_tokens_family")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(uuid(LoginFailures::Id).primary_key())
                    .col(string_len(LoginFailures::Username, 64))
                    .col(string_len(LoginFailures::ClientAddr, 64))
                    .col(timestamp_with_time_zone(LoginFailures::FailedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_failures_username_at")
                    .table(LoginFailures::Table)
                    .col(LoginFailures::Username)
                    .col(LoginFailures::FailedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(uuid(IdempotencyKeys::Id).primary_key())
                    // Who sent it ("user:<id>", "service:<id>", "anon:<addr>") and to which route.
                    .col(string_len(IdempotencyKeys::CallerKey, 100))
                    .col(string_len(IdempotencyKeys::Route, 200))
                    .col(string_len(IdempotencyKeys::Key, 255))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    // in_flight | done
                    .col(string_len(IdempotencyKeys::State, 16))
                    .col(integer_null(IdempotencyKeys::ResponseStatus))
                    .col(text_null(IdempotencyKeys::ResponseHeaders))
                    .col(text_null(IdempotencyKeys::ResponseBody))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .col(timestamp_with_time_zone(IdempotencyKeys::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_idempotency_keys_caller_route_key")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::CallerKey)
                    .col(IdempotencyKeys::Route)
                    .col(IdempotencyKeys::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    // UUIDv7: ids sort by time, so (occurred_at, id) pages through the trail.
                    .col(uuid(AuditEvents::Id).primary_key())
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    .col(uuid_null(AuditEvents::ActorId))
                    // user | service | system
                    .col(string_len(AuditEvents::ActorKind, 16))
                    // Set when an admin acts for someone outside the system (the Wali Kota).
                    .col(string_len_null(AuditEvents::ActingFor, 100))
                    .col(string_len(AuditEvents::Action, 100))
                    .col(string_len(AuditEvents::EntityType, 50))
                    .col(string_len(AuditEvents::EntityId, 100))
                    .col(text_null(AuditEvents::Before))
                    .col(text_null(AuditEvents::After))
                    .col(string_len_null(AuditEvents::RequestId, 128))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_audit_events_entity",
                vec![AuditEvents::EntityType, AuditEvents::EntityId],
            ),
            ("idx_audit_events_actor", vec![AuditEvents::ActorId]),
            (
                "idx_audit_events_occurred_at",
                vec![AuditEvents::OccurredAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditEvents::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditEvents::Table.into_iden(),
            IdempotencyKeys::Table.into_iden(),
            LoginFailures::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            ServiceAccounts::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
