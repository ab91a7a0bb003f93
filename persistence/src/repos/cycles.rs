//! Performance cycles, one per year.

use chrono::{DateTime, Utc};
use kinerja_domain::cycle::{CycleStatus, Settings};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{corrupt, ordered, paged};
use crate::entities::cycles::{self, Column, Entity};
use crate::{ListQuery, Page, PersistenceError, Store};

#[derive(Debug, Clone, PartialEq)]
pub struct CycleRecord {
    pub id: Uuid,
    pub year: i32,
    pub name: String,
    pub status: CycleStatus,
    pub settings: Settings,
    pub started_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<cycles::Model> for CycleRecord {
    type Error = PersistenceError;
    fn try_from(m: cycles::Model) -> Result<Self, PersistenceError> {
        Ok(CycleRecord {
            status: CycleStatus::parse(&m.status)
                .ok_or_else(|| corrupt("cycles", format!("status {:?}", m.status)))?,
            settings: serde_json::from_str(&m.settings).map_err(|e| corrupt("cycles", e))?,
            id: m.id,
            year: m.year,
            name: m.name,
            started_at: m.started_at,
            closed_at: m.closed_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active_model(c: &CycleRecord) -> Result<cycles::ActiveModel, PersistenceError> {
    Ok(cycles::ActiveModel {
        id: Set(c.id),
        year: Set(c.year),
        name: Set(c.name.clone()),
        status: Set(c.status.as_str().to_owned()),
        settings: Set(serde_json::to_string(&c.settings).map_err(|e| corrupt("cycles", e))?),
        started_at: Set(c.started_at),
        closed_at: Set(c.closed_at),
        version: Set(c.version),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
    })
}

/// Inserts a cycle; a year that has one is [`PersistenceError::Conflict`].
pub async fn insert(s: &impl Store, cycle: &CycleRecord) -> Result<(), PersistenceError> {
    Entity::insert(active_model(cycle)?).exec(s.conn()).await?;
    Ok(())
}

pub async fn get(s: &impl Store, id: Uuid) -> Result<Option<CycleRecord>, PersistenceError> {
    Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(CycleRecord::try_from)
        .transpose()
}

/// The cycles of these years (a year has at most one).
pub async fn by_years(s: &impl Store, years: &[i32]) -> Result<Vec<CycleRecord>, PersistenceError> {
    if years.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Year.is_in(years.iter().copied()))
        .all(s.conn())
        .await?
        .into_iter()
        .map(CycleRecord::try_from)
        .collect()
}

pub async fn update(
    s: &impl Store,
    cycle: &CycleRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = Entity::update_many()
        .set(active_model(cycle)?)
        .filter(Column::Id.eq(cycle.id))
        .filter(Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("cycle"));
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct CycleFilter {
    pub status: Option<CycleStatus>,
    pub year: Option<i32>,
    pub updated_since: Option<DateTime<Utc>>,
}

pub const SORTABLE: &[&str] = &["year", "name", "updated_at"];

/// Newest year first unless sorted otherwise.
pub async fn list(
    s: &impl Store,
    filter: &CycleFilter,
    query: &ListQuery,
) -> Result<Page<CycleRecord>, PersistenceError> {
    let mut select = Entity::find();
    if let Some(status) = filter.status {
        select = select.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(year) = filter.year {
        select = select.filter(Column::Year.eq(year));
    }
    if let Some(since) = filter.updated_since {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    let select = ordered(select, &query.sort, |name| match name {
        "year" => Some(Column::Year),
        "name" => Some(Column::Name),
        "updated_at" => Some(Column::UpdatedAt),
        _ => None,
    })
    .order_by_desc(Column::Year);
    let page = paged(s.conn(), select, query).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(CycleRecord::try_from)
            .collect::<Result<_, _>>()?,
        total: page.total,
    })
}

/// Every cycle (a year has at most one: they are few).
pub async fn all(s: &impl Store) -> Result<Vec<CycleRecord>, PersistenceError> {
    cycles::Entity::find()
        .all(s.conn())
        .await?
        .into_iter()
        .map(CycleRecord::try_from)
        .collect()
}
