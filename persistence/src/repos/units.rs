//! The unit tree.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kinerja_domain::org::UnitKind;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{corrupt, ordered, paged};
use crate::entities::units::{self, Column, Entity};
use crate::{ListQuery, Page, PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRecord {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<Uuid>,
    pub head_employee_id: Option<Uuid>,
    pub is_opd: bool,
    pub is_service_unit: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<units::Model> for UnitRecord {
    type Error = PersistenceError;
    fn try_from(m: units::Model) -> Result<Self, PersistenceError> {
        Ok(UnitRecord {
            kind: UnitKind::parse(&m.kind)
                .ok_or_else(|| corrupt("units", format!("kind {:?}", m.kind)))?,
            id: m.id,
            code: m.code,
            name: m.name,
            parent_id: m.parent_id,
            head_employee_id: m.head_employee_id,
            is_opd: m.is_opd,
            is_service_unit: m.is_service_unit,
            active: m.active,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active_model(u: &UnitRecord) -> units::ActiveModel {
    units::ActiveModel {
        id: Set(u.id),
        code: Set(u.code.clone()),
        name: Set(u.name.clone()),
        kind: Set(u.kind.as_str().to_owned()),
        parent_id: Set(u.parent_id),
        head_employee_id: Set(u.head_employee_id),
        is_opd: Set(u.is_opd),
        is_service_unit: Set(u.is_service_unit),
        active: Set(u.active),
        version: Set(u.version),
        created_at: Set(u.created_at),
        updated_at: Set(u.updated_at),
    }
}

pub async fn insert(s: &impl Store, unit: &UnitRecord) -> Result<(), PersistenceError> {
    Entity::insert(active_model(unit)).exec(s.conn()).await?;
    Ok(())
}

/// Inserts many units; parents must come before their children.
pub async fn insert_many(s: &impl Store, units: &[UnitRecord]) -> Result<(), PersistenceError> {
    for chunk in units.chunks(500) {
        Entity::insert_many(chunk.iter().map(active_model))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

pub async fn get(s: &impl Store, id: Uuid) -> Result<Option<UnitRecord>, PersistenceError> {
    Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(UnitRecord::try_from)
        .transpose()
}

pub async fn get_by_code(
    s: &impl Store,
    code: &str,
) -> Result<Option<UnitRecord>, PersistenceError> {
    Entity::find()
        .filter(Column::Code.eq(code))
        .one(s.conn())
        .await?
        .map(UnitRecord::try_from)
        .transpose()
}

/// Every unit: the tree is small (hundreds of units), and scopes and cycles need all of it.
pub async fn all(s: &impl Store) -> Result<Vec<UnitRecord>, PersistenceError> {
    Entity::find()
        .order_by_asc(Column::Code)
        .all(s.conn())
        .await?
        .into_iter()
        .map(UnitRecord::try_from)
        .collect()
}

pub async fn update(
    s: &impl Store,
    unit: &UnitRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = Entity::update_many()
        .set(active_model(unit))
        .filter(Column::Id.eq(unit.id))
        .filter(Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("unit"));
    }
    Ok(())
}

pub async fn delete(s: &impl Store, id: Uuid) -> Result<(), PersistenceError> {
    Entity::delete_by_id(id).exec(s.conn()).await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub parent_id: Option<Uuid>,
    /// Only top-level units (no parent).
    pub roots: bool,
    pub kind: Option<UnitKind>,
    pub is_opd: Option<bool>,
    pub is_service_unit: Option<bool>,
    pub active: Option<bool>,
    /// Part of the code or name (case-insensitive).
    pub q: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    /// Only these units (a subtree, or the caller's scope).
    pub ids: Option<Vec<Uuid>>,
}

pub const SORTABLE: &[&str] = &["code", "name", "kind", "created_at", "updated_at"];

pub async fn list(
    s: &impl Store,
    filter: &UnitFilter,
    query: &ListQuery,
) -> Result<Page<UnitRecord>, PersistenceError> {
    let mut select = Entity::find();
    if let Some(parent) = filter.parent_id {
        select = select.filter(Column::ParentId.eq(parent));
    }
    if filter.roots {
        select = select.filter(Column::ParentId.is_null());
    }
    if let Some(kind) = filter.kind {
        select = select.filter(Column::Kind.eq(kind.as_str()));
    }
    if let Some(v) = filter.is_opd {
        select = select.filter(Column::IsOpd.eq(v));
    }
    if let Some(v) = filter.is_service_unit {
        select = select.filter(Column::IsServiceUnit.eq(v));
    }
    if let Some(v) = filter.active {
        select = select.filter(Column::Active.eq(v));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase());
        select = select.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(Column::Name))).like(pattern.clone()))
                .add(Expr::expr(Func::lower(Expr::col(Column::Code))).like(pattern)),
        );
    }
    if let Some(since) = filter.updated_since {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    if let Some(ids) = &filter.ids {
        select = select.filter(Column::Id.is_in(ids.iter().copied()));
    }
    let select = ordered(select, &query.sort, |name| match name {
        "code" => Some(Column::Code),
        "name" => Some(Column::Name),
        "kind" => Some(Column::Kind),
        "created_at" => Some(Column::CreatedAt),
        "updated_at" => Some(Column::UpdatedAt),
        _ => None,
    })
    .order_by_asc(Column::Code);
    let page = paged(s.conn(), select, query).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(UnitRecord::try_from)
            .collect::<Result<_, _>>()?,
        total: page.total,
    })
}

/// Each unit's children with their `is_opd` flag, for scope computations.
pub fn children_map(units: &[UnitRecord]) -> HashMap<Uuid, Vec<(Uuid, bool)>> {
    let mut children: HashMap<Uuid, Vec<(Uuid, bool)>> = HashMap::new();
    for unit in units {
        if let Some(parent) = unit.parent_id {
            children
                .entry(parent)
                .or_default()
                .push((unit.id, unit.is_opd));
        }
    }
    children
}
