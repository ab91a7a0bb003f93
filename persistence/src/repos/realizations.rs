//! Realisasi of SKP indicators: one row per indicator and period, replaced on repost.

use chrono::{DateTime, Utc};
use kinerja_domain::capaian::{Measure, Period};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::corrupt;
use crate::entities::skp_realizations;
use crate::{PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealizationRecord {
    pub id: Uuid,
    pub skp_id: Uuid,
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

impl TryFrom<skp_realizations::Model> for RealizationRecord {
    type Error = PersistenceError;
    fn try_from(m: skp_realizations::Model) -> Result<Self, PersistenceError> {
        Ok(RealizationRecord {
            period: Period::parse(&m.period)
                .ok_or_else(|| corrupt("skp_realizations", format!("period {:?}", m.period)))?,
            evidence: serde_json::from_str(&m.evidence)
                .map_err(|e| corrupt("skp_realizations", format!("evidence: {e}")))?,
            id: m.id,
            skp_id: m.skp_id,
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

fn model(r: &RealizationRecord) -> skp_realizations::ActiveModel {
    skp_realizations::ActiveModel {
        id: Set(r.id),
        skp_id: Set(r.skp_id),
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
    }
}

/// Every realisasi recorded on an SKP, by indicator then period.
pub async fn of_skp(
    s: &impl Store,
    skp_id: Uuid,
) -> Result<Vec<RealizationRecord>, PersistenceError> {
    skp_realizations::Entity::find()
        .filter(skp_realizations::Column::SkpId.eq(skp_id))
        .order_by_asc(skp_realizations::Column::IndicatorId)
        .order_by_asc(skp_realizations::Column::Period)
        .all(s.conn())
        .await?
        .into_iter()
        .map(RealizationRecord::try_from)
        .collect()
}

/// Every realisasi recorded on these SKPs (imports): one query per 1,000 SKPs.
pub async fn of_skps(
    s: &impl Store,
    skp_ids: &[Uuid],
) -> Result<Vec<RealizationRecord>, PersistenceError> {
    let mut out = Vec::new();
    for chunk in skp_ids.chunks(1000) {
        let rows = skp_realizations::Entity::find()
            .filter(skp_realizations::Column::SkpId.is_in(chunk.iter().copied()))
            .all(s.conn())
            .await?;
        for row in rows {
            out.push(RealizationRecord::try_from(row)?);
        }
    }
    Ok(out)
}

/// Inserts new realisasi in batches (imports).
pub async fn insert_many(
    s: &impl Store,
    records: &[RealizationRecord],
) -> Result<(), PersistenceError> {
    // 12 columns a row: 1,000 rows stay far below SQLite's limit of bound variables.
    for chunk in records.chunks(1000) {
        skp_realizations::Entity::insert_many(chunk.iter().map(model))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

/// The realisasi of one indicator for one period, if recorded.
pub async fn find(
    s: &impl Store,
    indicator_id: Uuid,
    period: Period,
) -> Result<Option<RealizationRecord>, PersistenceError> {
    skp_realizations::Entity::find()
        .filter(skp_realizations::Column::IndicatorId.eq(indicator_id))
        .filter(skp_realizations::Column::Period.eq(period.as_str()))
        .one(s.conn())
        .await?
        .map(RealizationRecord::try_from)
        .transpose()
}

/// Writes a realisasi: a new row, or the replacement of the one standing (same id).
pub async fn save(
    s: &impl Store,
    r: &RealizationRecord,
    is_new: bool,
) -> Result<(), PersistenceError> {
    if is_new {
        skp_realizations::Entity::insert(model(r))
            .exec(s.conn())
            .await?;
    } else {
        skp_realizations::Entity::update(model(r))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}
