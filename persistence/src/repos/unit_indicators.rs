//! Perjanjian Kinerja: an OPD's indicators for a cycle.

use chrono::{DateTime, Utc};
use kinerja_domain::capaian::{Aggregation, Direction, Measure, Source};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::corrupt;
use crate::entities::unit_indicators::{self, Column, Entity};
use crate::{PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitIndicatorRecord {
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub unit_id: Uuid,
    pub code: String,
    pub description: String,
    pub direction: Direction,
    pub target: Option<Measure>,
    pub target_max: Option<Measure>,
    pub target_text: Option<String>,
    pub unit: String,
    pub aggregation: Aggregation,
    /// Targets of q1..q3 (q4 is the annual evaluation against `target`).
    pub period_targets: [Option<Measure>; 3],
    pub source: Source,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn direction(s: &str) -> Option<Direction> {
    Some(match s {
        "higher_is_better" => Direction::HigherIsBetter,
        "lower_is_better" => Direction::LowerIsBetter,
        "range" => Direction::Range,
        "qualitative" => Direction::Qualitative,
        _ => return None,
    })
}

pub fn direction_str(d: Direction) -> &'static str {
    match d {
        Direction::HigherIsBetter => "higher_is_better",
        Direction::LowerIsBetter => "lower_is_better",
        Direction::Range => "range",
        Direction::Qualitative => "qualitative",
    }
}

pub fn aggregation_str(a: Aggregation) -> &'static str {
    match a {
        Aggregation::Sum => "sum",
        Aggregation::Average => "average",
        Aggregation::Last => "last",
    }
}

pub fn aggregation(s: &str) -> Option<Aggregation> {
    Some(match s {
        "sum" => Aggregation::Sum,
        "average" => Aggregation::Average,
        "last" => Aggregation::Last,
        _ => return None,
    })
}

impl TryFrom<unit_indicators::Model> for UnitIndicatorRecord {
    type Error = PersistenceError;
    fn try_from(m: unit_indicators::Model) -> Result<Self, PersistenceError> {
        let bad = |what: &str, v: &str| corrupt("unit_indicators", format!("{what} {v:?}"));
        Ok(UnitIndicatorRecord {
            direction: direction(&m.direction).ok_or_else(|| bad("direction", &m.direction))?,
            aggregation: aggregation(&m.aggregation)
                .ok_or_else(|| bad("aggregation", &m.aggregation))?,
            source: match m.source.as_str() {
                "manual" => Source::Manual,
                "ikm" => Source::Ikm,
                other => return Err(bad("source", other)),
            },
            id: m.id,
            cycle_id: m.cycle_id,
            unit_id: m.unit_id,
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
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn active_model(i: &UnitIndicatorRecord) -> unit_indicators::ActiveModel {
    unit_indicators::ActiveModel {
        id: Set(i.id),
        cycle_id: Set(i.cycle_id),
        unit_id: Set(i.unit_id),
        code: Set(i.code.clone()),
        description: Set(i.description.clone()),
        direction: Set(direction_str(i.direction).to_owned()),
        target: Set(i.target.map(Measure::scaled)),
        target_max: Set(i.target_max.map(Measure::scaled)),
        target_text: Set(i.target_text.clone()),
        unit: Set(i.unit.clone()),
        aggregation: Set(aggregation_str(i.aggregation).to_owned()),
        q1_target: Set(i.period_targets[0].map(Measure::scaled)),
        q2_target: Set(i.period_targets[1].map(Measure::scaled)),
        q3_target: Set(i.period_targets[2].map(Measure::scaled)),
        source: Set(match i.source {
            Source::Manual => "manual".to_owned(),
            Source::Ikm => "ikm".to_owned(),
        }),
        version: Set(i.version),
        created_at: Set(i.created_at),
        updated_at: Set(i.updated_at),
    }
}

/// Inserts an indicator; a code the OPD already uses in the cycle is [`PersistenceError::Conflict`].
pub async fn insert(
    s: &impl Store,
    indicator: &UnitIndicatorRecord,
) -> Result<(), PersistenceError> {
    Entity::insert(active_model(indicator))
        .exec(s.conn())
        .await?;
    Ok(())
}

pub async fn get(
    s: &impl Store,
    id: Uuid,
) -> Result<Option<UnitIndicatorRecord>, PersistenceError> {
    Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(UnitIndicatorRecord::try_from)
        .transpose()
}

/// An OPD's indicators in a cycle, by code.
pub async fn list(
    s: &impl Store,
    cycle_id: Uuid,
    unit_id: Uuid,
) -> Result<Vec<UnitIndicatorRecord>, PersistenceError> {
    Entity::find()
        .filter(Column::CycleId.eq(cycle_id))
        .filter(Column::UnitId.eq(unit_id))
        .order_by_asc(Column::Code)
        .all(s.conn())
        .await?
        .into_iter()
        .map(UnitIndicatorRecord::try_from)
        .collect()
}

/// Every OPD's indicators in these cycles (imports resolve them by code).
pub async fn of_cycles(
    s: &impl Store,
    cycle_ids: &[Uuid],
) -> Result<Vec<UnitIndicatorRecord>, PersistenceError> {
    if cycle_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::CycleId.is_in(cycle_ids.iter().copied()))
        .order_by_asc(Column::Code)
        .all(s.conn())
        .await?
        .into_iter()
        .map(UnitIndicatorRecord::try_from)
        .collect()
}

pub async fn update(
    s: &impl Store,
    indicator: &UnitIndicatorRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = Entity::update_many()
        .set(active_model(indicator))
        .filter(Column::Id.eq(indicator.id))
        .filter(Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("indicator"));
    }
    Ok(())
}
