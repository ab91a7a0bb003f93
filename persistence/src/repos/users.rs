//! User accounts.

use chrono::{DateTime, Utc};
use kinerja_domain::accounts::Role;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{corrupt, ordered, paged};
use crate::entities::users::{self, Column, Entity};
use crate::{ListQuery, Page, PersistenceError, Store};

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: Uuid,
    pub username: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub employee_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub active: bool,
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserRecord {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

impl TryFrom<users::Model> for UserRecord {
    type Error = PersistenceError;
    fn try_from(m: users::Model) -> Result<Self, PersistenceError> {
        let roles: Vec<Role> = serde_json::from_str(&m.roles).map_err(|e| corrupt("users", e))?;
        Ok(UserRecord {
            id: m.id,
            username: m.username,
            password_hash: m.password_hash,
            roles,
            employee_id: m.employee_id,
            unit_id: m.unit_id,
            active: m.active,
            must_change_password: m.must_change_password,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active_model(u: &UserRecord) -> users::ActiveModel {
    users::ActiveModel {
        id: Set(u.id),
        username: Set(u.username.clone()),
        password_hash: Set(u.password_hash.clone()),
        roles: Set(roles_json(&u.roles)),
        employee_id: Set(u.employee_id),
        unit_id: Set(u.unit_id),
        active: Set(u.active),
        must_change_password: Set(u.must_change_password),
        version: Set(u.version),
        created_at: Set(u.created_at),
        updated_at: Set(u.updated_at),
    }
}

fn roles_json(roles: &[Role]) -> String {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    serde_json::to_string(&roles).unwrap_or_else(|_| "[]".to_owned())
}

/// Inserts a user; a taken username is [`PersistenceError::Conflict`].
pub async fn insert(s: &impl Store, user: &UserRecord) -> Result<(), PersistenceError> {
    Entity::insert(active_model(user)).exec(s.conn()).await?;
    Ok(())
}

pub async fn get(s: &impl Store, id: Uuid) -> Result<Option<UserRecord>, PersistenceError> {
    Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(UserRecord::try_from)
        .transpose()
}

pub async fn find_by_username(
    s: &impl Store,
    username: &str,
) -> Result<Option<UserRecord>, PersistenceError> {
    Entity::find()
        .filter(Column::Username.eq(username.to_ascii_lowercase()))
        .one(s.conn())
        .await?
        .map(UserRecord::try_from)
        .transpose()
}

/// Writes `user` if the stored version is still `expected_version`; else [`PersistenceError::Stale`].
pub async fn update(
    s: &impl Store,
    user: &UserRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = Entity::update_many()
        .set(active_model(user))
        .filter(Column::Id.eq(user.id))
        .filter(Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("user"));
    }
    Ok(())
}

/// Filters of the user list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Part of the username.
    pub q: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    pub unit_id: Option<Uuid>,
    pub employee_id: Option<Uuid>,
}

pub const SORTABLE: &[&str] = &["username", "created_at", "updated_at"];

pub async fn list(
    s: &impl Store,
    filter: &UserFilter,
    query: &ListQuery,
) -> Result<Page<UserRecord>, PersistenceError> {
    let mut select = Entity::find();
    if let Some(role) = filter.role {
        // Roles are a JSON array of quoted names; the quotes keep "admin" from matching "unit_admin".
        select = select.filter(Column::Roles.contains(format!("\"{}\"", role.as_str())));
    }
    if let Some(active) = filter.active {
        select = select.filter(Column::Active.eq(active));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        select = select.filter(Column::Username.contains(q.to_ascii_lowercase()));
    }
    if let Some(since) = filter.updated_since {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    if let Some(unit) = filter.unit_id {
        select = select.filter(Column::UnitId.eq(unit));
    }
    if let Some(employee) = filter.employee_id {
        select = select.filter(Column::EmployeeId.eq(employee));
    }
    let select = ordered(select, &query.sort, |name| match name {
        "username" => Some(Column::Username),
        "created_at" => Some(Column::CreatedAt),
        "updated_at" => Some(Column::UpdatedAt),
        _ => None,
    })
    .order_by_asc(Column::Id);
    let page = paged(s.conn(), select, query).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(UserRecord::try_from)
            .collect::<Result<_, _>>()?,
        total: page.total,
    })
}

pub async fn find_by_employee(
    s: &impl Store,
    employee_id: Uuid,
) -> Result<Option<UserRecord>, PersistenceError> {
    Entity::find()
        .filter(Column::EmployeeId.eq(employee_id))
        .one(s.conn())
        .await?
        .map(UserRecord::try_from)
        .transpose()
}

/// Which of these employees already have an account.
pub async fn employees_with_accounts(
    s: &impl Store,
    employee_ids: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, PersistenceError> {
    use sea_orm::QuerySelect;
    let mut found = std::collections::HashSet::new();
    for chunk in employee_ids.chunks(1000) {
        let ids: Vec<Option<Uuid>> = Entity::find()
            .select_only()
            .column(Column::EmployeeId)
            .filter(Column::EmployeeId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(s.conn())
            .await?;
        found.extend(ids.into_iter().flatten());
    }
    Ok(found)
}

/// Which of these usernames are taken.
pub async fn taken_usernames(
    s: &impl Store,
    usernames: &[String],
) -> Result<std::collections::HashSet<String>, PersistenceError> {
    use sea_orm::QuerySelect;
    let mut found = std::collections::HashSet::new();
    for chunk in usernames.chunks(1000) {
        let names: Vec<String> = Entity::find()
            .select_only()
            .column(Column::Username)
            .filter(Column::Username.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(s.conn())
            .await?;
        found.extend(names);
    }
    Ok(found)
}

pub async fn insert_many(s: &impl Store, users: &[UserRecord]) -> Result<(), PersistenceError> {
    for chunk in users.chunks(1000) {
        Entity::insert_many(chunk.iter().map(active_model))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

/// Whether any user refers to the unit (a unit admin's scope).
pub async fn any_in_unit(s: &impl Store, unit_id: Uuid) -> Result<bool, PersistenceError> {
    Ok(Entity::find()
        .filter(Column::UnitId.eq(unit_id))
        .one(s.conn())
        .await?
        .is_some())
}

/// Whether any user exists (first start creates the admin).
pub async fn any(s: &impl Store) -> Result<bool, PersistenceError> {
    Ok(Entity::find().one(s.conn()).await?.is_some())
}

/// Active admins other than `except` (the last admin may not lose the role or be deactivated).
pub async fn count_other_active_admins(
    s: &impl Store,
    except: Uuid,
) -> Result<u64, PersistenceError> {
    use sea_orm::PaginatorTrait;
    Ok(Entity::find()
        .filter(Column::Roles.contains("\"admin\""))
        .filter(Column::Active.eq(true))
        .filter(Column::Id.ne(except))
        .count(s.conn())
        .await?)
}
