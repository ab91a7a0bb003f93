//! Organisational performance per OPD, cycle and period, with its calibration.

use chrono::{DateTime, Utc};
use kinerja_domain::calibration::OrgPredikat;
use kinerja_domain::capaian::Period;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::corrupt;
use crate::entities::opd_performance as table;
use crate::{PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpdPerformanceRecord {
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub unit_id: Uuid,
    pub period: Period,
    pub predikat: Option<OrgPredikat>,
    pub suggested_predikat: Option<OrgPredikat>,
    pub reason: Option<String>,
    pub set_by: Option<Uuid>,
    pub set_at: Option<DateTime<Utc>>,
    pub calibrated_at: Option<DateTime<Utc>>,
    pub calibrated_by: Option<Uuid>,
    pub override_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OpdPerformanceRecord {
    /// A record not set yet.
    pub fn open(cycle_id: Uuid, unit_id: Uuid, period: Period, now: DateTime<Utc>) -> Self {
        OpdPerformanceRecord {
            id: Uuid::now_v7(),
            cycle_id,
            unit_id,
            period,
            predikat: None,
            suggested_predikat: None,
            reason: None,
            set_by: None,
            set_at: None,
            calibrated_at: None,
            calibrated_by: None,
            override_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

fn predikat(v: Option<String>) -> Result<Option<OrgPredikat>, PersistenceError> {
    v.map(|s| {
        OrgPredikat::parse(&s).ok_or_else(|| corrupt("opd_performance", format!("predikat {s:?}")))
    })
    .transpose()
}

impl TryFrom<table::Model> for OpdPerformanceRecord {
    type Error = PersistenceError;
    fn try_from(m: table::Model) -> Result<Self, PersistenceError> {
        Ok(OpdPerformanceRecord {
            period: Period::parse(&m.period)
                .ok_or_else(|| corrupt("opd_performance", format!("period {:?}", m.period)))?,
            predikat: predikat(m.predikat)?,
            suggested_predikat: predikat(m.suggested_predikat)?,
            id: m.id,
            cycle_id: m.cycle_id,
            unit_id: m.unit_id,
            reason: m.reason,
            set_by: m.set_by,
            set_at: m.set_at,
            calibrated_at: m.calibrated_at,
            calibrated_by: m.calibrated_by,
            override_reason: m.override_reason,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn model(r: &OpdPerformanceRecord) -> table::ActiveModel {
    table::ActiveModel {
        id: Set(r.id),
        cycle_id: Set(r.cycle_id),
        unit_id: Set(r.unit_id),
        period: Set(r.period.as_str().to_owned()),
        predikat: Set(r.predikat.map(|p| p.as_str().to_owned())),
        suggested_predikat: Set(r.suggested_predikat.map(|p| p.as_str().to_owned())),
        reason: Set(r.reason.clone()),
        set_by: Set(r.set_by),
        set_at: Set(r.set_at),
        calibrated_at: Set(r.calibrated_at),
        calibrated_by: Set(r.calibrated_by),
        override_reason: Set(r.override_reason.clone()),
        version: Set(r.version),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

pub async fn insert_many(
    s: &impl Store,
    records: &[OpdPerformanceRecord],
) -> Result<(), PersistenceError> {
    if records.is_empty() {
        return Ok(());
    }
    table::Entity::insert_many(records.iter().map(model))
        .exec(s.conn())
        .await?;
    Ok(())
}

/// Every record of a cycle, by unit then period.
pub async fn of_cycle(
    s: &impl Store,
    cycle_id: Uuid,
) -> Result<Vec<OpdPerformanceRecord>, PersistenceError> {
    table::Entity::find()
        .filter(table::Column::CycleId.eq(cycle_id))
        .order_by_asc(table::Column::UnitId)
        .order_by_asc(table::Column::Period)
        .all(s.conn())
        .await?
        .into_iter()
        .map(OpdPerformanceRecord::try_from)
        .collect()
}

/// The record of an OPD for a period of a cycle.
pub async fn find(
    s: &impl Store,
    cycle_id: Uuid,
    unit_id: Uuid,
    period: Period,
) -> Result<Option<OpdPerformanceRecord>, PersistenceError> {
    table::Entity::find()
        .filter(table::Column::CycleId.eq(cycle_id))
        .filter(table::Column::UnitId.eq(unit_id))
        .filter(table::Column::Period.eq(period.as_str()))
        .one(s.conn())
        .await?
        .map(OpdPerformanceRecord::try_from)
        .transpose()
}

/// Writes the record if its version is still `expected_version`.
pub async fn update(
    s: &impl Store,
    r: &OpdPerformanceRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = table::Entity::update_many()
        .set(model(r))
        .filter(table::Column::Id.eq(r.id))
        .filter(table::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("opd performance"));
    }
    Ok(())
}
