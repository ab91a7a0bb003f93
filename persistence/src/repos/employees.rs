//! Employees (ASN) and their reporting line.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use kinerja_domain::org::{EmployeeStatus, EmploymentType, PositionKind};
use sea_orm::sea_query::{Expr, ExprTrait, Func, PgFunc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::{corrupt, ordered, paged};
use crate::entities::employees::{self, Column, Entity};
use crate::{ListQuery, Page, PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeRecord {
    pub id: Uuid,
    pub nip: String,
    pub name: String,
    pub employment_type: EmploymentType,
    pub golongan: Option<String>,
    pub position: String,
    pub position_kind: PositionKind,
    pub unit_id: Uuid,
    pub supervisor_id: Option<Uuid>,
    pub status: EmployeeStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EmployeeRecord {
    pub fn is_active(&self) -> bool {
        self.status == EmployeeStatus::Active
    }

    /// Whether two records say the same about the employee (ignoring bookkeeping).
    pub fn same_facts(&self, other: &EmployeeRecord) -> bool {
        self.nip == other.nip
            && self.name == other.name
            && self.employment_type == other.employment_type
            && self.golongan == other.golongan
            && self.position == other.position
            && self.position_kind == other.position_kind
            && self.unit_id == other.unit_id
            && self.supervisor_id == other.supervisor_id
            && self.status == other.status
    }
}

impl TryFrom<employees::Model> for EmployeeRecord {
    type Error = PersistenceError;
    fn try_from(m: employees::Model) -> Result<Self, PersistenceError> {
        let bad = |what: &str, v: &str| corrupt("employees", format!("{what} {v:?}"));
        Ok(EmployeeRecord {
            employment_type: EmploymentType::parse(&m.employment_type)
                .ok_or_else(|| bad("employment_type", &m.employment_type))?,
            position_kind: PositionKind::parse(&m.position_kind)
                .ok_or_else(|| bad("position_kind", &m.position_kind))?,
            status: EmployeeStatus::parse(&m.status).ok_or_else(|| bad("status", &m.status))?,
            id: m.id,
            nip: m.nip,
            name: m.name,
            golongan: m.golongan,
            position: m.position,
            unit_id: m.unit_id,
            supervisor_id: m.supervisor_id,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active_model(e: &EmployeeRecord) -> employees::ActiveModel {
    employees::ActiveModel {
        id: Set(e.id),
        nip: Set(e.nip.clone()),
        name: Set(e.name.clone()),
        employment_type: Set(e.employment_type.as_str().to_owned()),
        golongan: Set(e.golongan.clone()),
        position: Set(e.position.clone()),
        position_kind: Set(e.position_kind.as_str().to_owned()),
        unit_id: Set(e.unit_id),
        supervisor_id: Set(e.supervisor_id),
        status: Set(e.status.as_str().to_owned()),
        version: Set(e.version),
        created_at: Set(e.created_at),
        updated_at: Set(e.updated_at),
    }
}

fn records(models: Vec<employees::Model>) -> Result<Vec<EmployeeRecord>, PersistenceError> {
    models.into_iter().map(EmployeeRecord::try_from).collect()
}

pub async fn insert(s: &impl Store, employee: &EmployeeRecord) -> Result<(), PersistenceError> {
    Entity::insert(active_model(employee))
        .exec(s.conn())
        .await?;
    Ok(())
}

/// Inserts many employees; supervisors must come before their subordinates.
pub async fn insert_many(
    s: &impl Store,
    employees: &[EmployeeRecord],
) -> Result<(), PersistenceError> {
    // 13 columns a row: 1,000 rows stay far below SQLite's limit of bound variables.
    for chunk in employees.chunks(1000) {
        Entity::insert_many(chunk.iter().map(active_model))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

pub async fn get(s: &impl Store, id: Uuid) -> Result<Option<EmployeeRecord>, PersistenceError> {
    Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(EmployeeRecord::try_from)
        .transpose()
}

pub async fn get_many(
    s: &impl Store,
    ids: &[Uuid],
) -> Result<Vec<EmployeeRecord>, PersistenceError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        out.extend(records(
            Entity::find()
                .filter(Column::Id.is_in(chunk.iter().copied()))
                .all(s.conn())
                .await?,
        )?);
    }
    Ok(out)
}

pub async fn get_by_nip(
    s: &impl Store,
    nip: &str,
) -> Result<Option<EmployeeRecord>, PersistenceError> {
    Entity::find()
        .filter(Column::Nip.eq(nip))
        .one(s.conn())
        .await?
        .map(EmployeeRecord::try_from)
        .transpose()
}

/// The employees with these NIPs.
///
/// On PostgreSQL one `nip = ANY(string_to_array($1, ','))` with a single parameter: long `IN`
/// lists of bound parameters cost it ~45 ms per 1,000 (measured with `bench/run`), ten times what
/// SQLite needs. NIPs are digits only, so a comma cannot occur inside one.
pub async fn by_nips(
    s: &impl Store,
    nips: &[String],
) -> Result<Vec<EmployeeRecord>, PersistenceError> {
    if nips.is_empty() {
        return Ok(Vec::new());
    }
    let digits_only = nips.iter().all(|n| n.bytes().all(|b| b.is_ascii_digit()));
    if sea_orm::ConnectionTrait::get_database_backend(s.conn()) == sea_orm::DbBackend::Postgres
        && digits_only
    {
        let joined = nips.join(",");
        let any = PgFunc::any(Expr::cust_with_values("string_to_array($1, ',')", [joined]));
        return records(
            Entity::find()
                .filter(Expr::col(Column::Nip).eq(any))
                .all(s.conn())
                .await?,
        );
    }
    let mut out = Vec::with_capacity(nips.len());
    for chunk in nips.chunks(1000) {
        out.extend(records(
            Entity::find()
                .filter(Column::Nip.is_in(chunk.iter().cloned()))
                .all(s.conn())
                .await?,
        )?);
    }
    Ok(out)
}

pub async fn update(
    s: &impl Store,
    employee: &EmployeeRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = Entity::update_many()
        .set(active_model(employee))
        .filter(Column::Id.eq(employee.id))
        .filter(Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("employee"));
    }
    Ok(())
}

/// Every employee's supervisor: the whole reporting line, for cycle checks.
pub async fn reporting_line(
    s: &impl Store,
) -> Result<HashMap<Uuid, Option<Uuid>>, PersistenceError> {
    let rows: Vec<(Uuid, Option<Uuid>)> = Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::SupervisorId)
        .into_tuple()
        .all(s.conn())
        .await?;
    Ok(rows.into_iter().collect())
}

/// Every subordinate of `root`, direct and indirect (not `root` itself).
pub async fn subordinate_ids(
    s: &impl Store,
    root: Uuid,
) -> Result<HashSet<Uuid>, PersistenceError> {
    let mut found = HashSet::new();
    let mut level = vec![root];
    while !level.is_empty() {
        let mut next = Vec::new();
        for chunk in level.chunks(1000) {
            let ids: Vec<Uuid> = Entity::find()
                .select_only()
                .column(Column::Id)
                .filter(Column::SupervisorId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(s.conn())
                .await?;
            next.extend(
                ids.into_iter()
                    .filter(|id| *id != root && found.insert(*id)),
            );
        }
        level = next;
    }
    Ok(found)
}

pub async fn count_in_unit(s: &impl Store, unit_id: Uuid) -> Result<u64, PersistenceError> {
    Ok(Entity::find()
        .filter(Column::UnitId.eq(unit_id))
        .count(s.conn())
        .await?)
}

#[derive(Debug, Clone, Default)]
pub struct EmployeeFilter {
    /// Only employees of these units.
    pub unit_ids: Option<Vec<Uuid>>,
    /// Only these employees (the caller's scope).
    pub ids: Option<Vec<Uuid>>,
    pub nip: Option<String>,
    /// Part of the name or NIP (case-insensitive).
    pub q: Option<String>,
    pub status: Option<EmployeeStatus>,
    pub employment_type: Option<EmploymentType>,
    pub position_kind: Option<PositionKind>,
    pub supervisor_id: Option<Uuid>,
    pub updated_since: Option<DateTime<Utc>>,
}

pub const SORTABLE: &[&str] = &[
    "name",
    "nip",
    "golongan",
    "status",
    "created_at",
    "updated_at",
];

fn filtered(filter: &EmployeeFilter) -> sea_orm::Select<Entity> {
    let mut select = Entity::find();
    if let Some(units) = &filter.unit_ids {
        select = select.filter(Column::UnitId.is_in(units.iter().copied()));
    }
    if let Some(ids) = &filter.ids {
        select = select.filter(Column::Id.is_in(ids.iter().copied()));
    }
    if let Some(nip) = &filter.nip {
        select = select.filter(Column::Nip.eq(nip.as_str()));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase());
        select = select.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(Column::Name))).like(pattern.clone()))
                .add(Expr::col(Column::Nip).like(pattern)),
        );
    }
    if let Some(status) = filter.status {
        select = select.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(t) = filter.employment_type {
        select = select.filter(Column::EmploymentType.eq(t.as_str()));
    }
    if let Some(k) = filter.position_kind {
        select = select.filter(Column::PositionKind.eq(k.as_str()));
    }
    if let Some(sup) = filter.supervisor_id {
        select = select.filter(Column::SupervisorId.eq(sup));
    }
    if let Some(since) = filter.updated_since {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    select
}

fn sort(select: sea_orm::Select<Entity>, sort: &[(String, bool)]) -> sea_orm::Select<Entity> {
    ordered(select, sort, |name| match name {
        "name" => Some(Column::Name),
        "nip" => Some(Column::Nip),
        "golongan" => Some(Column::Golongan),
        "status" => Some(Column::Status),
        "created_at" => Some(Column::CreatedAt),
        "updated_at" => Some(Column::UpdatedAt),
        _ => None,
    })
    .order_by_asc(Column::Name)
    .order_by_asc(Column::Nip)
}

pub async fn list(
    s: &impl Store,
    filter: &EmployeeFilter,
    query: &ListQuery,
) -> Result<Page<EmployeeRecord>, PersistenceError> {
    let page = paged(s.conn(), sort(filtered(filter), &query.sort), query).await?;
    Ok(Page {
        items: records(page.items)?,
        total: page.total,
    })
}

/// Every matching employee (CSV export), in pages of `batch` so memory stays flat.
pub async fn list_all(
    s: &impl Store,
    filter: &EmployeeFilter,
    sort_by: &[(String, bool)],
    offset: u64,
    batch: u64,
) -> Result<Vec<EmployeeRecord>, PersistenceError> {
    records(
        sort(filtered(filter), sort_by)
            .offset(offset)
            .limit(batch)
            .all(s.conn())
            .await?,
    )
}
