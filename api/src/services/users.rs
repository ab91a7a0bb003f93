//! User accounts: creation, changes, password changes and resets, and the first administrator.

use kinerja_domain::accounts::{self, PasswordError, Role, Username, UsernameError};
use kinerja_persistence::repos::sessions;
use kinerja_persistence::repos::users::{self, UserFilter, UserRecord};
use kinerja_persistence::{Db, ListQuery, Page, PersistenceError};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use crate::auth::{Caller, password};
use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::http::precondition::IfMatch;

/// What an admin asks for when creating a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub employee_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub active: bool,
    pub must_change_password: bool,
}

/// A merge patch: `None` keeps, `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub roles: Option<Vec<Role>>,
    pub employee_id: Option<Option<Uuid>>,
    pub unit_id: Option<Option<Uuid>>,
    pub active: Option<bool>,
    pub must_change_password: Option<bool>,
}

/// The user as the audit trail keeps it: never the password hash.
pub fn audit_view(u: &UserRecord) -> Value {
    json!({
        "username": u.username,
        "roles": u.roles,
        "employee_id": u.employee_id,
        "unit_id": u.unit_id,
        "active": u.active,
        "must_change_password": u.must_change_password,
        "version": u.version,
    })
}

pub fn username_error(field: &str, e: UsernameError) -> FieldError {
    let (code, id) = match e {
        UsernameError::Length => ("length", "harus 3 sampai 64 karakter"),
        UsernameError::Characters => (
            "invalid_characters",
            "hanya boleh huruf, angka, '.', '_' dan '-'",
        ),
    };
    FieldError::new(field, code, Msg::new(e.to_string(), id))
}

pub fn password_error(field: &str, e: PasswordError) -> FieldError {
    let (code, id) = match e {
        PasswordError::TooShort { min } => ("too_short", format!("minimal {min} karakter")),
        PasswordError::TooLong { max } => ("too_long", format!("maksimal {max} karakter")),
        PasswordError::SameAsUsername => (
            "same_as_username",
            "tidak boleh sama dengan nama pengguna".to_owned(),
        ),
        PasswordError::Repetitive => (
            "repetitive",
            "tidak boleh satu karakter yang diulang".to_owned(),
        ),
    };
    FieldError::new(field, code, Msg::new(e.to_string(), id))
}

/// Roles and scope must fit together: at least one role; a unit admin needs his unit.
fn check_roles(roles: &[Role], unit_id: Option<Uuid>, errors: &mut Vec<FieldError>) {
    if roles.is_empty() {
        errors.push(FieldError::new(
            "roles",
            "required",
            Msg::new("needs at least one role", "minimal satu peran"),
        ));
    }
    if roles.contains(&Role::UnitAdmin) && unit_id.is_none() {
        errors.push(FieldError::new(
            "unit_id",
            "required_for_unit_admin",
            Msg::new(
                "is required for the unit_admin role",
                "wajib untuk peran unit_admin",
            ),
        ));
    }
}

/// The linked employee and unit must exist, and an employee has one account at most.
async fn check_links(
    s: &impl kinerja_persistence::Store,
    user: &UserRecord,
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    use kinerja_persistence::repos::{employees, units};
    if let Some(unit) = user.unit_id
        && units::get(s, unit).await?.is_none()
    {
        errors.push(FieldError::new(
            "unit_id",
            "unknown_unit",
            Msg::new("no unit has this id", "tidak ada unit dengan id ini"),
        ));
    }
    if let Some(employee) = user.employee_id {
        if employees::get(s, employee).await?.is_none() {
            errors.push(FieldError::new(
                "employee_id",
                "unknown_employee",
                Msg::new("no employee has this id", "tidak ada pegawai dengan id ini"),
            ));
        } else if users::find_by_employee(s, employee)
            .await?
            .is_some_and(|other| other.id != user.id)
        {
            return Err(ApiError::new(ErrorCode::EmployeeHasAccount));
        }
    }
    Ok(())
}

pub fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail("No such user.", "Pengguna tidak ditemukan.")
}

pub async fn create(db: &Db, ctx: &Context, new: NewUser) -> Result<UserRecord, ApiError> {
    let mut errors = Vec::new();
    let username =
        Username::parse(&new.username).map_err(|e| errors.push(username_error("username", e)));
    if let Err(e) = accounts::check_password(&new.password, new.username.trim()) {
        errors.push(password_error("password", e));
    }
    check_roles(&new.roles, new.unit_id, &mut errors);
    let Ok(username) = username else {
        return Err(ApiError::invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let hash = password::hash(new.password).await?;
    let user = UserRecord {
        id: Uuid::now_v7(),
        username: username.as_str().to_owned(),
        password_hash: hash,
        roles: new.roles,
        employee_id: new.employee_id,
        unit_id: new.unit_id,
        active: new.active,
        must_change_password: new.must_change_password,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let tx = db.begin().await?;
    check_links(&tx, &user, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    users::insert(&tx, &user).await.map_err(|e| match e {
        PersistenceError::Conflict(_) => ApiError::new(ErrorCode::UsernameTaken).with_detail(
            format!("The username {:?} is taken.", user.username),
            format!("Nama pengguna {:?} sudah dipakai.", user.username),
        ),
        other => other.into(),
    })?;
    ctx.audit(
        &tx,
        "user.created",
        "user",
        user.id,
        None,
        Some(audit_view(&user)),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn get(db: &Db, id: Uuid) -> Result<UserRecord, ApiError> {
    users::get(db, id).await?.ok_or_else(not_found)
}

pub async fn list(
    db: &Db,
    filter: &UserFilter,
    query: &ListQuery,
) -> Result<Page<UserRecord>, ApiError> {
    Ok(users::list(db, filter, query).await?)
}

pub async fn update(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
    patch: UserPatch,
) -> Result<UserRecord, ApiError> {
    let tx = db.begin().await?;
    let before = users::get(&tx, id).await?.ok_or_else(not_found)?;
    if_match.require(before.version)?;
    let mut after = before.clone();
    if let Some(roles) = patch.roles {
        after.roles = roles;
    }
    if let Some(employee_id) = patch.employee_id {
        after.employee_id = employee_id;
    }
    if let Some(unit_id) = patch.unit_id {
        after.unit_id = unit_id;
    }
    if let Some(active) = patch.active {
        after.active = active;
    }
    if let Some(flag) = patch.must_change_password {
        after.must_change_password = flag;
    }
    let mut errors = Vec::new();
    check_roles(&after.roles, after.unit_id, &mut errors);
    check_links(&tx, &after, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let loses_admin = before.has_role(Role::Admin)
        && before.active
        && !(after.has_role(Role::Admin) && after.active);
    if loses_admin && users::count_other_active_admins(&tx, id).await? == 0 {
        return Err(ApiError::new(ErrorCode::LastAdmin).with_detail(
            "This is the last active admin: make another admin first.",
            "Ini admin aktif terakhir: jadikan pengguna lain admin terlebih dahulu.",
        ));
    }
    if after == before {
        return Ok(before);
    }
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    users::update(&tx, &after, before.version).await?;
    if before.active && !after.active {
        sessions::revoke_user(&tx, id, ctx.now).await?;
    }
    ctx.audit(
        &tx,
        "user.updated",
        "user",
        id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A password change or reset as asked.
#[derive(Debug)]
pub struct PasswordChange {
    pub current_password: Option<String>,
    pub new_password: String,
    /// For admin resets: force a change at next login (default true).
    pub must_change_password: Option<bool>,
}

/// `POST /users/{id}/password`: a user changes his own password (knowing the current one), or an
/// admin resets another's (forcing a change at next login unless told otherwise). Every session
/// of the user ends.
pub async fn change_password(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    change: PasswordChange,
) -> Result<UserRecord, ApiError> {
    let PasswordChange {
        current_password,
        new_password,
        must_change_password,
    } = change;
    let own = caller.user().is_some_and(|u| u.id == id);
    if !own && !caller.is_admin() {
        // Others' accounts are invisible to non-admins.
        return Err(not_found());
    }
    let before = users::get(db, id).await?.ok_or_else(not_found)?;
    if_match.honour(before.version)?;
    let mut errors = Vec::new();
    if own {
        match current_password {
            None => errors.push(FieldError::new(
                "current_password",
                "required",
                Msg::new(
                    "is required to change your own password",
                    "wajib untuk mengganti kata sandi sendiri",
                ),
            )),
            Some(current) => {
                if !password::verify(current, Some(before.password_hash.clone())).await? {
                    errors.push(FieldError::new(
                        "current_password",
                        "incorrect",
                        Msg::new(
                            "is not your current password",
                            "bukan kata sandi Anda saat ini",
                        ),
                    ));
                }
            }
        }
    }
    if let Err(e) = accounts::check_password(&new_password, &before.username) {
        errors.push(password_error("new_password", e));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let hash = password::hash(new_password).await?;
    let mut after = before.clone();
    after.password_hash = hash;
    after.must_change_password = if own {
        false
    } else {
        must_change_password.unwrap_or(true)
    };
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    let tx = db.begin().await?;
    users::update(&tx, &after, before.version).await?;
    sessions::revoke_user(&tx, id, ctx.now).await?;
    let action = if own {
        "user.password_changed"
    } else {
        "user.password_reset"
    };
    ctx.audit(
        &tx,
        action,
        "user",
        id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What starting on an empty database did about the first administrator.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// Users exist already: nothing done.
    NotNeeded,
    /// `admin` was created with the configured password.
    Created,
    /// `admin` was created with this generated password (show it once, outside the logger).
    Generated(String),
}

/// On first start (no users at all) creates `admin` with `password`, or a generated one.
pub async fn bootstrap_admin(
    db: &Db,
    ctx: &Context,
    password: Option<String>,
) -> Result<Bootstrap, ApiError> {
    if users::any(db).await? {
        return Ok(Bootstrap::NotNeeded);
    }
    let (password, generated) = match password.filter(|p| !p.is_empty()) {
        Some(p) => (p, false),
        None => (password::random_password(), true),
    };
    let created = create(
        db,
        ctx,
        NewUser {
            username: "admin".to_owned(),
            password: password.clone(),
            roles: vec![Role::Admin],
            employee_id: None,
            unit_id: None,
            active: true,
            must_change_password: generated,
        },
    )
    .await;
    match created {
        Ok(_) => Ok(if generated {
            Bootstrap::Generated(password)
        } else {
            Bootstrap::Created
        }),
        // Another replica created it a moment ago.
        Err(e) if e.code == ErrorCode::UsernameTaken => Ok(Bootstrap::NotNeeded),
        Err(e) => Err(e),
    }
}

/// An account made by [`create_from_employees`], with its one-time password.
#[derive(Debug, Clone)]
pub struct IssuedAccount {
    pub employee_id: Uuid,
    pub nip: String,
    pub name: String,
    pub user_id: Uuid,
    pub username: String,
    pub password: String,
}

/// An employee left without an account, and why.
#[derive(Debug, Clone)]
pub struct SkippedEmployee {
    pub employee_id: Uuid,
    pub nip: String,
    pub reason: &'static str,
}

/// `POST /users/from-employees`: an account (username = NIP, one-time password, password change
/// forced at first login) for every active employee of the unit's subtree who has none. An
/// admin covers the whole subtree; a unit admin his own units (never into other OPDs) and may
/// grant only the `employee` role.
pub async fn create_from_employees(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    unit_id: Uuid,
    roles: Vec<Role>,
) -> Result<(Vec<IssuedAccount>, Vec<SkippedEmployee>), ApiError> {
    use kinerja_domain::org::{scope_within_opd, whole_subtree};
    use kinerja_persistence::repos::{employees, units};

    let all_units = units::all(db).await?;
    if !all_units.iter().any(|u| u.id == unit_id) {
        return Err(ApiError::invalid(vec![FieldError::new(
            "unit_id",
            "unknown_unit",
            Msg::new("no unit has this id", "tidak ada unit dengan id ini"),
        )]));
    }
    let children = units::children_map(&all_units);
    let covered = if caller.is_admin() {
        whole_subtree(unit_id, &children)
    } else {
        if !super::scope::manages_unit(db, caller, unit_id).await? {
            return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
                "This unit is outside the units you manage.",
                "Unit ini di luar unit yang Anda kelola.",
            ));
        }
        if roles.iter().any(|r| *r != Role::Employee) {
            return Err(ApiError::invalid(vec![FieldError::new(
                "roles",
                "not_allowed",
                Msg::new(
                    "a unit admin may grant only the employee role",
                    "operator unit hanya boleh memberi peran employee",
                ),
            )]));
        }
        scope_within_opd(unit_id, &children)
    };
    if roles.is_empty() || roles.contains(&Role::Admin) || roles.contains(&Role::UnitAdmin) {
        return Err(ApiError::invalid(vec![FieldError::new(
            "roles",
            "not_allowed",
            Msg::new(
                "accounts made in bulk get employee and/or auditor roles only",
                "akun massal hanya mendapat peran employee dan/atau auditor",
            ),
        )]));
    }

    let filter = employees::EmployeeFilter {
        unit_ids: Some(covered.into_iter().collect()),
        status: Some(kinerja_domain::org::EmployeeStatus::Active),
        ..Default::default()
    };
    let mut staff = Vec::new();
    let mut offset = 0;
    loop {
        let batch = employees::list_all(db, &filter, &[], offset, 5000).await?;
        let n = batch.len() as u64;
        staff.extend(batch);
        if n < 5000 {
            break;
        }
        offset += n;
    }
    let ids: Vec<Uuid> = staff.iter().map(|e| e.id).collect();
    let with_account = users::employees_with_accounts(db, &ids).await?;
    let candidates: Vec<_> = staff
        .into_iter()
        .filter(|e| !with_account.contains(&e.id))
        .collect();
    let nips: Vec<String> = candidates.iter().map(|e| e.nip.clone()).collect();
    let taken = users::taken_usernames(db, &nips).await?;

    let mut issued = Vec::new();
    let mut skipped = Vec::new();
    let mut records = Vec::new();
    for employee in candidates {
        if taken.contains(&employee.nip) {
            skipped.push(SkippedEmployee {
                employee_id: employee.id,
                nip: employee.nip.clone(),
                reason: "username_taken",
            });
            continue;
        }
        let password = password::random_password();
        let user = UserRecord {
            id: Uuid::now_v7(),
            username: employee.nip.clone(),
            password_hash: password::hash_one_time(&password)?,
            roles: roles.clone(),
            employee_id: Some(employee.id),
            unit_id: None,
            active: true,
            must_change_password: true,
            version: 1,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        issued.push(IssuedAccount {
            employee_id: employee.id,
            nip: employee.nip,
            name: employee.name,
            user_id: user.id,
            username: user.username.clone(),
            password,
        });
        records.push(user);
    }
    if !records.is_empty() {
        let tx = db.begin().await?;
        users::insert_many(&tx, &records)
            .await
            .map_err(|e| match e {
                // Someone made one of these accounts meanwhile: the caller retries.
                PersistenceError::Conflict(_) => ApiError::new(ErrorCode::UsernameTaken)
                    .with_detail(
                        "An account was created for one of these employees meanwhile; retry.",
                        "Akun untuk salah satu pegawai ini baru saja dibuat; ulangi.",
                    ),
                other => other.into(),
            })?;
        let created: Vec<Value> = records
            .iter()
            .map(|u| json!({"user_id": u.id, "username": u.username}))
            .collect();
        ctx.audit(
            &tx,
            "users.created_from_employees",
            "unit",
            unit_id,
            None,
            Some(json!({"roles": roles, "created": created, "skipped": skipped.len()})),
        )
        .await?;
        tx.commit().await?;
    }
    Ok((issued, skipped))
}
