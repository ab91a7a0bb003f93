//! Realisasi of Perjanjian Kinerja indicators: one row per indicator and period, replaced on
//! repost.

use chrono::{DateTime, Utc};
use kinerja_domain::capaian::{Measure, Period};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::corrupt;
use crate::entities::unit_indicator_realizations as table;
use crate::{PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRealizationRecord {
    pub id: Uuid,
    pub indicator_id: Uuid,
    pub period: Period,
    pub value: Option<Measure>,
    pub achieved: Option<bool>,
    pub evidence: Vec<String>,
    pub note: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<table::Model> for UnitRealizationRecord {
    type Error = PersistenceError;
    fn try_from(m: table::Model) -> Result<Self, PersistenceError> {
        let bad = |what: String| corrupt("unit_indicator_realizations", what);
        Ok(UnitRealizationRecord {
            period: Period::parse(&m.period)
                .ok_or_else(|| bad(format!("period {:?}", m.period)))?,
            evidence: serde_json::from_str(&m.evidence)
                .map_err(|e| bad(format!("evidence: {e}")))?,
            id: m.id,
            indicator_id: m.indicator_id,
            value: m.value.map(Measure::from_scaled),
            achieved: m.achieved,
            note: m.note,
            recorded_by: m.recorded_by,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// The realisasi of these indicators, by indicator then period.
pub async fn of_indicators(
    s: &impl Store,
    indicator_ids: &[Uuid],
) -> Result<Vec<UnitRealizationRecord>, PersistenceError> {
    if indicator_ids.is_empty() {
        return Ok(Vec::new());
    }
    table::Entity::find()
        .filter(table::Column::IndicatorId.is_in(indicator_ids.iter().copied()))
        .order_by_asc(table::Column::IndicatorId)
        .order_by_asc(table::Column::Period)
        .all(s.conn())
        .await?
        .into_iter()
        .map(UnitRealizationRecord::try_from)
        .collect()
}

/// Writes a realisasi: a new row, or the replacement of the one standing (same id).
pub async fn save(
    s: &impl Store,
    r: &UnitRealizationRecord,
    is_new: bool,
) -> Result<(), PersistenceError> {
    let model = table::ActiveModel {
        id: Set(r.id),
        indicator_id: Set(r.indicator_id),
        period: Set(r.period.as_str().to_owned()),
        value: Set(r.value.map(Measure::scaled)),
        achieved: Set(r.achieved),
        evidence: Set(serde_json::Value::from(r.evidence.clone()).to_string()),
        note: Set(r.note.clone()),
        recorded_by: Set(r.recorded_by),
        version: Set(r.version),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    };
    if is_new {
        table::Entity::insert(model).exec(s.conn()).await?;
    } else {
        table::Entity::update(model).exec(s.conn()).await?;
    }
    Ok(())
}
