//! SKPs with their RHK and indicators. An SKP is loaded and saved whole with its children; every
//! change of a child bumps the SKP's version (children share its ETag).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use kinerja_domain::capaian::{Aggregation, Direction, Measure};
use kinerja_domain::skp::{Aspect, ProposedBy, RhkKind, SkpSpan, SkpStatus};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use uuid::Uuid;

use super::unit_indicators::{aggregation, aggregation_str, direction, direction_str};
use super::{corrupt, ordered, paged};
use crate::entities::{skp_indicators, skp_rhks, skps};
use crate::{ListQuery, Page, PersistenceError, Store};

#[derive(Debug, Clone, PartialEq)]
pub struct SkpRecord {
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub employee_id: Uuid,
    pub evaluator_id: Option<Uuid>,
    pub status: SkpStatus,
    pub proposed_by: ProposedBy,
    pub revision_of: Option<Uuid>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// Unit, jabatan, golongan and penilai at creation.
    pub snapshot: Value,
    pub return_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SkpRecord {
    /// Its place among the employee's SKPs of the cycle.
    pub fn span(&self) -> SkpSpan {
        SkpSpan {
            status: self.status,
            is_revision: self.revision_of.is_some(),
            start: self.start_date,
            end: self.end_date,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RhkRecord {
    pub id: Uuid,
    pub skp_id: Uuid,
    pub origin_id: Option<Uuid>,
    pub code: String,
    pub kind: RhkKind,
    pub description: String,
    pub parent_rhk_id: Option<Uuid>,
    pub unit_indicator_id: Option<Uuid>,
    pub perspective: Option<String>,
    pub position: i32,
    pub indicators: Vec<SkpIndicatorRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkpIndicatorRecord {
    pub id: Uuid,
    pub origin_id: Option<Uuid>,
    pub code: String,
    pub description: String,
    pub aspect: Aspect,
    pub direction: Direction,
    pub target: Option<Measure>,
    pub target_max: Option<Measure>,
    pub target_text: Option<String>,
    pub unit: String,
    pub aggregation: Aggregation,
    pub period_targets: [Option<Measure>; 3],
    pub competencies: Vec<String>,
    pub position: i32,
}

impl TryFrom<skps::Model> for SkpRecord {
    type Error = PersistenceError;
    fn try_from(m: skps::Model) -> Result<Self, PersistenceError> {
        Ok(SkpRecord {
            status: SkpStatus::parse(&m.status)
                .ok_or_else(|| corrupt("skps", format!("status {:?}", m.status)))?,
            proposed_by: ProposedBy::parse(&m.proposed_by)
                .ok_or_else(|| corrupt("skps", format!("proposed_by {:?}", m.proposed_by)))?,
            snapshot: serde_json::from_str(&m.snapshot).map_err(|e| corrupt("skps", e))?,
            id: m.id,
            cycle_id: m.cycle_id,
            employee_id: m.employee_id,
            evaluator_id: m.evaluator_id,
            revision_of: m.revision_of,
            start_date: m.start_date,
            end_date: m.end_date,
            return_reason: m.return_reason,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn skp_model(s: &SkpRecord) -> skps::ActiveModel {
    skps::ActiveModel {
        id: Set(s.id),
        cycle_id: Set(s.cycle_id),
        employee_id: Set(s.employee_id),
        evaluator_id: Set(s.evaluator_id),
        status: Set(s.status.as_str().to_owned()),
        proposed_by: Set(s.proposed_by.as_str().to_owned()),
        revision_of: Set(s.revision_of),
        start_date: Set(s.start_date),
        end_date: Set(s.end_date),
        snapshot: Set(s.snapshot.to_string()),
        return_reason: Set(s.return_reason.clone()),
        version: Set(s.version),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
    }
}

fn indicator_from(m: skp_indicators::Model) -> Result<SkpIndicatorRecord, PersistenceError> {
    let bad = |what: &str, v: &str| corrupt("skp_indicators", format!("{what} {v:?}"));
    Ok(SkpIndicatorRecord {
        aspect: Aspect::parse(&m.aspect).ok_or_else(|| bad("aspect", &m.aspect))?,
        direction: direction(&m.direction).ok_or_else(|| bad("direction", &m.direction))?,
        aggregation: aggregation(&m.aggregation)
            .ok_or_else(|| bad("aggregation", &m.aggregation))?,
        competencies: serde_json::from_str(&m.competencies)
            .map_err(|e| corrupt("skp_indicators", e))?,
        id: m.id,
        origin_id: m.origin_id,
        code: m.code,
        description: m.description,
        target: m.target.map(Measure::from_scaled),
        target_max: m.target_max.map(Measure::from_scaled),
        target_text: m.target_text,
        unit: m.unit,
        period_targets: [
            m.q1_target.map(Measure::from_scaled),
            m.q2_target.map(Measure::from_scaled),
            m.q3_target.map(Measure::from_scaled),
        ],
        position: m.position,
    })
}

fn indicator_model(rhk_id: Uuid, i: &SkpIndicatorRecord) -> skp_indicators::ActiveModel {
    skp_indicators::ActiveModel {
        id: Set(i.id),
        rhk_id: Set(rhk_id),
        origin_id: Set(i.origin_id),
        code: Set(i.code.clone()),
        description: Set(i.description.clone()),
        aspect: Set(i.aspect.as_str().to_owned()),
        direction: Set(direction_str(i.direction).to_owned()),
        target: Set(i.target.map(Measure::scaled)),
        target_max: Set(i.target_max.map(Measure::scaled)),
        target_text: Set(i.target_text.clone()),
        unit: Set(i.unit.clone()),
        aggregation: Set(aggregation_str(i.aggregation).to_owned()),
        q1_target: Set(i.period_targets[0].map(Measure::scaled)),
        q2_target: Set(i.period_targets[1].map(Measure::scaled)),
        q3_target: Set(i.period_targets[2].map(Measure::scaled)),
        competencies: Set(
            serde_json::to_string(&i.competencies).unwrap_or_else(|_| "[]".to_owned())
        ),
        position: Set(i.position),
        retired_at: Set(None),
    }
}

fn rhk_model(r: &RhkRecord) -> skp_rhks::ActiveModel {
    skp_rhks::ActiveModel {
        id: Set(r.id),
        skp_id: Set(r.skp_id),
        origin_id: Set(r.origin_id),
        code: Set(r.code.clone()),
        kind: Set(r.kind.as_str().to_owned()),
        description: Set(r.description.clone()),
        parent_rhk_id: Set(r.parent_rhk_id),
        unit_indicator_id: Set(r.unit_indicator_id),
        perspective: Set(r.perspective.clone()),
        position: Set(r.position),
        retired_at: Set(None),
    }
}

pub async fn insert(s: &impl Store, skp: &SkpRecord) -> Result<(), PersistenceError> {
    skps::Entity::insert(skp_model(skp)).exec(s.conn()).await?;
    Ok(())
}

/// Inserts new SKPs in batches (imports).
pub async fn insert_many(s: &impl Store, skps: &[SkpRecord]) -> Result<(), PersistenceError> {
    // 14 columns a row: 1,000 rows stay far below SQLite's limit of bound variables.
    for chunk in skps.chunks(1000) {
        skps::Entity::insert_many(chunk.iter().map(skp_model))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

pub async fn get(s: &impl Store, id: Uuid) -> Result<Option<SkpRecord>, PersistenceError> {
    skps::Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(SkpRecord::try_from)
        .transpose()
}

/// Writes the SKP row if its version is still `expected_version`.
pub async fn update(
    s: &impl Store,
    skp: &SkpRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = skps::Entity::update_many()
        .set(skp_model(skp))
        .filter(skps::Column::Id.eq(skp.id))
        .filter(skps::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("skp"));
    }
    Ok(())
}

/// The SKPs of an employee in a cycle (any status).
pub async fn of_employee(
    s: &impl Store,
    cycle_id: Uuid,
    employee_id: Uuid,
) -> Result<Vec<SkpRecord>, PersistenceError> {
    skps::Entity::find()
        .filter(skps::Column::CycleId.eq(cycle_id))
        .filter(skps::Column::EmployeeId.eq(employee_id))
        .all(s.conn())
        .await?
        .into_iter()
        .map(SkpRecord::try_from)
        .collect()
}

/// The employee of each of these SKPs.
pub async fn employees_of(
    s: &impl Store,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Uuid>, PersistenceError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(skps::Entity::find()
        .filter(skps::Column::Id.is_in(ids.iter().copied()))
        .all(s.conn())
        .await?
        .into_iter()
        .map(|m| (m.id, m.employee_id))
        .collect())
}

/// The SKPs of these employees in these cycles (any status): one query per 1,000 employees.
pub async fn of_employees(
    s: &impl Store,
    cycle_ids: &[Uuid],
    employee_ids: &[Uuid],
) -> Result<Vec<SkpRecord>, PersistenceError> {
    let mut out = Vec::new();
    if cycle_ids.is_empty() {
        return Ok(out);
    }
    for chunk in employee_ids.chunks(1000) {
        let rows = skps::Entity::find()
            .filter(skps::Column::CycleId.is_in(cycle_ids.iter().copied()))
            .filter(skps::Column::EmployeeId.is_in(chunk.iter().copied()))
            .all(s.conn())
            .await?;
        for row in rows {
            out.push(SkpRecord::try_from(row)?);
        }
    }
    Ok(out)
}

/// The RHK in force of an SKP in order, each with its indicators in force (retired ones stay in
/// the tables as history).
pub async fn rhks(s: &impl Store, skp_id: Uuid) -> Result<Vec<RhkRecord>, PersistenceError> {
    Ok(rhks_of(s, &[skp_id])
        .await?
        .remove(&skp_id)
        .unwrap_or_default())
}

/// [`rhks`] of many SKPs at once (imports), by SKP id; an SKP without RHK has no entry.
pub async fn rhks_of(
    s: &impl Store,
    skp_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<RhkRecord>>, PersistenceError> {
    let mut out: HashMap<Uuid, Vec<RhkRecord>> = HashMap::new();
    for chunk in skp_ids.chunks(1000) {
        let rows = skp_rhks::Entity::find()
            .filter(skp_rhks::Column::SkpId.is_in(chunk.iter().copied()))
            .filter(skp_rhks::Column::RetiredAt.is_null())
            .order_by_asc(skp_rhks::Column::Position)
            .all(s.conn())
            .await?;
        let mut indicators: HashMap<Uuid, Vec<SkpIndicatorRecord>> = HashMap::new();
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        for ids in ids.chunks(1000) {
            let found = skp_indicators::Entity::find()
                .filter(skp_indicators::Column::RhkId.is_in(ids.iter().copied()))
                .filter(skp_indicators::Column::RetiredAt.is_null())
                .order_by_asc(skp_indicators::Column::Position)
                .all(s.conn())
                .await?;
            for i in found {
                indicators
                    .entry(i.rhk_id)
                    .or_default()
                    .push(indicator_from(i)?);
            }
        }
        for r in rows {
            out.entry(r.skp_id).or_default().push(RhkRecord {
                kind: RhkKind::parse(&r.kind)
                    .ok_or_else(|| corrupt("skp_rhks", format!("kind {:?}", r.kind)))?,
                indicators: indicators.remove(&r.id).unwrap_or_default(),
                id: r.id,
                skp_id: r.skp_id,
                origin_id: r.origin_id,
                code: r.code,
                description: r.description,
                parent_rhk_id: r.parent_rhk_id,
                unit_indicator_id: r.unit_indicator_id,
                perspective: r.perspective,
                position: r.position,
            });
        }
    }
    Ok(out)
}

/// One RHK row in force (without indicators) wherever it is, with its SKP id; a retired RHK is
/// no longer something to intervene.
pub async fn find_rhk(
    s: &impl Store,
    id: Uuid,
) -> Result<Option<(Uuid, RhkKind)>, PersistenceError> {
    Ok(skp_rhks::Entity::find_by_id(id)
        .filter(skp_rhks::Column::RetiredAt.is_null())
        .one(s.conn())
        .await?
        .and_then(|r| RhkKind::parse(&r.kind).map(|k| (r.skp_id, k))))
}

/// Writes an RHK and replaces its indicators with `rhk.indicators`.
pub async fn save_rhk(
    s: &impl Store,
    rhk: &RhkRecord,
    is_new: bool,
) -> Result<(), PersistenceError> {
    if is_new {
        skp_rhks::Entity::insert(rhk_model(rhk))
            .exec(s.conn())
            .await?;
    } else {
        skp_rhks::Entity::update(rhk_model(rhk))
            .exec(s.conn())
            .await?;
        skp_indicators::Entity::delete_many()
            .filter(skp_indicators::Column::RhkId.eq(rhk.id))
            .exec(s.conn())
            .await?;
    }
    if !rhk.indicators.is_empty() {
        skp_indicators::Entity::insert_many(
            rhk.indicators.iter().map(|i| indicator_model(rhk.id, i)),
        )
        .exec(s.conn())
        .await?;
    }
    Ok(())
}

/// [`save_rhk`] for many RHK at once (imports): new RHK rows in batches, changed ones row by
/// row, and the indicators of all of them replaced in batches.
pub async fn save_rhks(
    s: &impl Store,
    new: &[&RhkRecord],
    changed: &[&RhkRecord],
) -> Result<(), PersistenceError> {
    for chunk in new.chunks(1000) {
        skp_rhks::Entity::insert_many(chunk.iter().map(|r| rhk_model(r)))
            .exec(s.conn())
            .await?;
    }
    for rhk in changed {
        update_rhk_row(s, rhk).await?;
    }
    for chunk in changed.chunks(1000) {
        skp_indicators::Entity::delete_many()
            .filter(skp_indicators::Column::RhkId.is_in(chunk.iter().map(|r| r.id)))
            .exec(s.conn())
            .await?;
    }
    let indicators: Vec<skp_indicators::ActiveModel> = new
        .iter()
        .chain(changed)
        .flat_map(|r| r.indicators.iter().map(|i| indicator_model(r.id, i)))
        .collect();
    // 19 columns a row: 1,000 rows stay below SQLite's limit of bound variables.
    let mut rest = indicators;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(1000));
        skp_indicators::Entity::insert_many(rest)
            .exec(s.conn())
            .await?;
        rest = tail;
    }
    Ok(())
}

/// Writes an RHK's own fields, leaving its indicators alone (merging a revision).
pub async fn update_rhk_row(s: &impl Store, rhk: &RhkRecord) -> Result<(), PersistenceError> {
    skp_rhks::Entity::update(rhk_model(rhk))
        .exec(s.conn())
        .await?;
    Ok(())
}

/// Writes one indicator of an RHK: a new row, or new content for an existing id.
pub async fn save_indicator(
    s: &impl Store,
    rhk_id: Uuid,
    indicator: &SkpIndicatorRecord,
    is_new: bool,
) -> Result<(), PersistenceError> {
    if is_new {
        skp_indicators::Entity::insert(indicator_model(rhk_id, indicator))
            .exec(s.conn())
            .await?;
    } else {
        skp_indicators::Entity::update(indicator_model(rhk_id, indicator))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

/// Retires RHK (with their indicators) and indicators: out of force, kept as history.
pub async fn retire(
    s: &impl Store,
    rhk_ids: &[Uuid],
    indicator_ids: &[Uuid],
    at: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    use sea_orm::sea_query::Expr;
    if !rhk_ids.is_empty() {
        skp_rhks::Entity::update_many()
            .col_expr(skp_rhks::Column::RetiredAt, Expr::value(at))
            .filter(skp_rhks::Column::Id.is_in(rhk_ids.iter().copied()))
            .exec(s.conn())
            .await?;
        skp_indicators::Entity::update_many()
            .col_expr(skp_indicators::Column::RetiredAt, Expr::value(at))
            .filter(skp_indicators::Column::RhkId.is_in(rhk_ids.iter().copied()))
            .filter(skp_indicators::Column::RetiredAt.is_null())
            .exec(s.conn())
            .await?;
    }
    if !indicator_ids.is_empty() {
        skp_indicators::Entity::update_many()
            .col_expr(skp_indicators::Column::RetiredAt, Expr::value(at))
            .filter(skp_indicators::Column::Id.is_in(indicator_ids.iter().copied()))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

/// The open revision of an approved SKP (not yet merged), if any.
pub async fn open_revision(
    s: &impl Store,
    original: Uuid,
) -> Result<Option<SkpRecord>, PersistenceError> {
    skps::Entity::find()
        .filter(skps::Column::RevisionOf.eq(original))
        .filter(skps::Column::Status.ne(SkpStatus::Merged.as_str()))
        .one(s.conn())
        .await?
        .map(SkpRecord::try_from)
        .transpose()
}

pub async fn delete_rhk(s: &impl Store, id: Uuid) -> Result<(), PersistenceError> {
    skp_indicators::Entity::delete_many()
        .filter(skp_indicators::Column::RhkId.eq(id))
        .exec(s.conn())
        .await?;
    skp_rhks::Entity::delete_by_id(id).exec(s.conn()).await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct SkpFilter {
    pub cycle_id: Option<Uuid>,
    pub employee_id: Option<Uuid>,
    pub evaluator_id: Option<Uuid>,
    pub status: Option<SkpStatus>,
    /// Only SKPs of these employees (the caller's scope), or evaluated by `evaluated_by`.
    pub employees: Option<Vec<Uuid>>,
    pub evaluated_by: Option<Uuid>,
    pub updated_since: Option<DateTime<Utc>>,
}

pub const SORTABLE: &[&str] = &["created_at", "updated_at", "start_date"];

pub async fn list(
    s: &impl Store,
    filter: &SkpFilter,
    query: &ListQuery,
) -> Result<Page<SkpRecord>, PersistenceError> {
    use sea_orm::Condition;
    let mut select = skps::Entity::find();
    if let Some(v) = filter.cycle_id {
        select = select.filter(skps::Column::CycleId.eq(v));
    }
    if let Some(v) = filter.employee_id {
        select = select.filter(skps::Column::EmployeeId.eq(v));
    }
    if let Some(v) = filter.evaluator_id {
        select = select.filter(skps::Column::EvaluatorId.eq(v));
    }
    if let Some(v) = filter.status {
        select = select.filter(skps::Column::Status.eq(v.as_str()));
    }
    if let Some(v) = filter.updated_since {
        select = select.filter(skps::Column::UpdatedAt.gte(v));
    }
    if filter.employees.is_some() || filter.evaluated_by.is_some() {
        let mut any = Condition::any();
        if let Some(ids) = &filter.employees {
            any = any.add(skps::Column::EmployeeId.is_in(ids.iter().copied()));
        }
        if let Some(e) = filter.evaluated_by {
            any = any.add(skps::Column::EvaluatorId.eq(e));
        }
        select = select.filter(any);
    }
    let select = ordered(select, &query.sort, |name| match name {
        "created_at" => Some(skps::Column::CreatedAt),
        "updated_at" => Some(skps::Column::UpdatedAt),
        "start_date" => Some(skps::Column::StartDate),
        _ => None,
    })
    .order_by_asc(skps::Column::Id);
    let page = paged(s.conn(), select, query).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(SkpRecord::try_from)
            .collect::<Result<_, _>>()?,
        total: page.total,
    })
}
