//! The organisation: the unit tree and the employees (ASN) with their reporting line; users get
//! their foreign keys to both.
//!
//! `units.head_employee_id` has no foreign key: units and employees refer to each other, and a
//! cycle of foreign keys would make every import order-sensitive. The service checks it.
//!
//! SQLite cannot add a foreign key to an existing table, so there `users` is rebuilt; the rebuild
//! drops the table's refresh tokens (by their ON DELETE CASCADE): people log in again once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Units {
    Table,
    Id,
    Code,
    Name,
    Kind,
    ParentId,
    HeadEmployeeId,
    IsOpd,
    IsServiceUnit,
    Active,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Employees {
    Table,
    Id,
    Nip,
    Name,
    EmploymentType,
    Golongan,
    Position,
    PositionKind,
    UnitId,
    SupervisorId,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

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
enum UsersRebuilt {
    #[sea_orm(iden = "users_rebuilt")]
    Table,
}

/// The users table as created by the accounts migration, with or without the new foreign keys.
fn users_table(name: impl IntoIden, with_foreign_keys: bool) -> TableCreateStatement {
    let name = name.into_iden();
    let mut table = Table::create();
    table
        .table(name.clone())
        .col(uuid(Users::Id).primary_key())
        .col(string_len(Users::Username, 64).unique_key())
        .col(string(Users::PasswordHash))
        .col(text(Users::Roles))
        .col(uuid_null(Users::EmployeeId))
        .col(uuid_null(Users::UnitId))
        .col(boolean(Users::Active))
        .col(boolean(Users::MustChangePassword))
        .col(big_integer(Users::Version))
        .col(timestamp_with_time_zone(Users::CreatedAt))
        .col(timestamp_with_time_zone(Users::UpdatedAt));
    if with_foreign_keys {
        table
            .foreign_key(
                ForeignKey::create()
                    .name("fk_users_employee")
                    .from(name.clone(), Users::EmployeeId)
                    .to(Employees::Table, Employees::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_users_unit")
                    .from(name, Users::UnitId)
                    .to(Units::Table, Units::Id),
            );
    }
    table.to_owned()
}

/// SQLite: copy `users` into a table built by `users_table` and put it in its place.
async fn rebuild_sqlite_users(
    manager: &SchemaManager<'_>,
    with_foreign_keys: bool,
) -> Result<(), DbErr> {
    manager
        .create_table(users_table(UsersRebuilt::Table, with_foreign_keys))
        .await?;
    let db = manager.get_connection();
    db.execute_unprepared("INSERT INTO users_rebuilt SELECT * FROM users")
        .await?;
    db.execute_unprepared("DROP TABLE users").await?;
    db.execute_unprepared("ALTER TABLE users_rebuilt RENAME TO users")
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Units::Table)
                    .col(uuid(Units::Id).primary_key())
                    .col(string_len(Units::Code, 32).unique_key())
                    .col(string_len(Units::Name, 200))
                    .col(string_len(Units::Kind, 20))
                    .col(uuid_null(Units::ParentId))
                    .col(uuid_null(Units::HeadEmployeeId))
                    // Perangkat Daerah: a unit of organisational performance and calibration.
                    .col(boolean(Units::IsOpd))
                    // Serves citizens directly: surveyed by the SKM.
                    .col(boolean(Units::IsServiceUnit))
                    .col(boolean(Units::Active))
                    .col(big_integer(Units::Version))
                    .col(timestamp_with_time_zone(Units::CreatedAt))
                    .col(timestamp_with_time_zone(Units::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_units_parent")
                            .from(Units::Table, Units::ParentId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_units_parent")
                    .table(Units::Table)
                    .col(Units::ParentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Employees::Table)
                    .col(uuid(Employees::Id).primary_key())
                    // NIP (PNS) or NI PPPK: 18 digits.
                    .col(string_len(Employees::Nip, 18).unique_key())
                    .col(string_len(Employees::Name, 200))
                    .col(string_len(Employees::EmploymentType, 20))
                    .col(string_len_null(Employees::Golongan, 8))
                    .col(string_len(Employees::Position, 200))
                    .col(string_len(Employees::PositionKind, 20))
                    .col(uuid(Employees::UnitId))
                    // The atasan langsung: the default penilai of the SKP.
                    .col(uuid_null(Employees::SupervisorId))
                    .col(string_len(Employees::Status, 30))
                    .col(big_integer(Employees::Version))
                    .col(timestamp_with_time_zone(Employees::CreatedAt))
                    .col(timestamp_with_time_zone(Employees::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_employees_unit")
                            .from(Employees::Table, Employees::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_employees_supervisor")
                            .from(Employees::Table, Employees::SupervisorId)
                            .to(Employees::Table, Employees::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_employees_unit", Employees::UnitId),
            ("idx_employees_supervisor", Employees::SupervisorId),
            ("idx_employees_updated_at", Employees::UpdatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Employees::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        if manager.get_database_backend() == DbBackend::Sqlite {
            rebuild_sqlite_users(manager, true).await?;
        } else {
            for (name, column, target, target_id) in [
                (
                    "fk_users_employee",
                    Users::EmployeeId,
                    Employees::Table.into_iden(),
                    Employees::Id.into_iden(),
                ),
                (
                    "fk_users_unit",
                    Users::UnitId,
                    Units::Table.into_iden(),
                    Units::Id.into_iden(),
                ),
            ] {
                manager
                    .create_foreign_key(
                        ForeignKey::create()
                            .name(name)
                            .from(Users::Table, column)
                            .to(target, target_id)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        // One account per employee.
        manager
            .create_index(
                Index::create()
                    .name("uq_users_employee")
                    .table(Users::Table)
                    .col(Users::EmployeeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("uq_users_employee")
                    .table(Users::Table)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Sqlite {
            rebuild_sqlite_users(manager, false).await?;
        } else {
            for name in ["fk_users_employee", "fk_users_unit"] {
                manager
                    .drop_foreign_key(ForeignKey::drop().name(name).table(Users::Table).to_owned())
                    .await?;
            }
        }
        manager
            .drop_table(Table::drop().table(Employees::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Units::Table).to_owned())
            .await?;
        Ok(())
    }
}
