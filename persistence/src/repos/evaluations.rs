//! Evaluations of SKPs per period, and the objections against them.

use chrono::{DateTime, Utc};
use kinerja_domain::assessment::{EvaluationStatus, Predikat, Rating};
use kinerja_domain::capaian::Period;
use kinerja_domain::feedback::CoreValue;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::corrupt;
use crate::entities::evaluations as table;
use crate::{PersistenceError, Store};

/// The pegawai's view of his own work: per RHK and per core value, in words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfAssessment {
    pub rhk: Vec<RhkNote>,
    pub core_values: Vec<ValueNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RhkNote {
    pub rhk_id: Uuid,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueNote {
    pub core_value: CoreValue,
    pub text: String,
}

/// The penilai's rating of one core value, with an optional note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BehaviorScore {
    pub core_value: CoreValue,
    pub rating: Rating,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationRecord {
    pub id: Uuid,
    pub skp_id: Uuid,
    pub period: Period,
    pub status: EvaluationStatus,
    /// Unit, jabatan, golongan and penilai when the evaluation was created.
    pub snapshot: Value,
    pub self_assessment: Option<SelfAssessment>,
    pub self_assessed_at: Option<DateTime<Utc>>,
    pub work_rating: Option<Rating>,
    /// The suggestion standing when the penilai rated.
    pub suggested_work_rating: Option<Rating>,
    pub override_reason: Option<String>,
    pub behavior_ratings: Vec<BehaviorScore>,
    pub behavior_rating: Option<Rating>,
    pub predikat: Option<Predikat>,
    pub assessed_by: Option<Uuid>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub finalized_by: Option<Uuid>,
    pub finalized_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EvaluationRecord {
    /// A new `open` evaluation of `skp_id` for `period`, with the SKP's snapshot.
    pub fn open(
        id: Uuid,
        skp_id: Uuid,
        period: Period,
        snapshot: Value,
        now: DateTime<Utc>,
    ) -> Self {
        EvaluationRecord {
            id,
            skp_id,
            period,
            status: EvaluationStatus::Open,
            snapshot,
            self_assessment: None,
            self_assessed_at: None,
            work_rating: None,
            suggested_work_rating: None,
            override_reason: None,
            behavior_ratings: Vec::new(),
            behavior_rating: None,
            predikat: None,
            assessed_by: None,
            assessed_at: None,
            finalized_by: None,
            finalized_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

fn rating(column: &str, v: Option<String>) -> Result<Option<Rating>, PersistenceError> {
    v.map(|s| Rating::parse(&s).ok_or_else(|| corrupt("evaluations", format!("{column} {s:?}"))))
        .transpose()
}

impl TryFrom<table::Model> for EvaluationRecord {
    type Error = PersistenceError;
    fn try_from(m: table::Model) -> Result<Self, PersistenceError> {
        let bad = |what: String| corrupt("evaluations", what);
        let json = |what: &str, s: &str| -> Result<Value, PersistenceError> {
            serde_json::from_str(s).map_err(|e| bad(format!("{what}: {e}")))
        };
        Ok(EvaluationRecord {
            period: Period::parse(&m.period)
                .ok_or_else(|| bad(format!("period {:?}", m.period)))?,
            status: EvaluationStatus::parse(&m.status)
                .ok_or_else(|| bad(format!("status {:?}", m.status)))?,
            snapshot: json("snapshot", &m.snapshot)?,
            self_assessment: m
                .self_assessment
                .as_deref()
                .map(|s| serde_json::from_str(s).map_err(|e| bad(format!("self_assessment: {e}"))))
                .transpose()?,
            behavior_ratings: m
                .behavior_ratings
                .as_deref()
                .map(|s| serde_json::from_str(s).map_err(|e| bad(format!("behavior_ratings: {e}"))))
                .transpose()?
                .unwrap_or_default(),
            work_rating: rating("work_rating", m.work_rating)?,
            suggested_work_rating: rating("suggested_work_rating", m.suggested_work_rating)?,
            behavior_rating: rating("behavior_rating", m.behavior_rating)?,
            predikat: m
                .predikat
                .map(|p| Predikat::parse(&p).ok_or_else(|| bad(format!("predikat {p:?}"))))
                .transpose()?,
            id: m.id,
            skp_id: m.skp_id,
            self_assessed_at: m.self_assessed_at,
            override_reason: m.override_reason,
            assessed_by: m.assessed_by,
            assessed_at: m.assessed_at,
            finalized_by: m.finalized_by,
            finalized_at: m.finalized_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn model(e: &EvaluationRecord) -> table::ActiveModel {
    let name = |r: Option<Rating>| r.map(|r| r.as_str().to_owned());
    table::ActiveModel {
        id: Set(e.id),
        skp_id: Set(e.skp_id),
        period: Set(e.period.as_str().to_owned()),
        status: Set(e.status.as_str().to_owned()),
        snapshot: Set(e.snapshot.to_string()),
        self_assessment: Set(e
            .self_assessment
            .as_ref()
            .map(|s| serde_json::to_string(s).unwrap_or_default())),
        self_assessed_at: Set(e.self_assessed_at),
        work_rating: Set(name(e.work_rating)),
        suggested_work_rating: Set(name(e.suggested_work_rating)),
        override_reason: Set(e.override_reason.clone()),
        behavior_ratings: Set((!e.behavior_ratings.is_empty())
            .then(|| serde_json::to_string(&e.behavior_ratings).unwrap_or_default())),
        behavior_rating: Set(name(e.behavior_rating)),
        predikat: Set(e.predikat.map(|p| p.as_str().to_owned())),
        assessed_by: Set(e.assessed_by),
        assessed_at: Set(e.assessed_at),
        finalized_by: Set(e.finalized_by),
        finalized_at: Set(e.finalized_at),
        version: Set(e.version),
        created_at: Set(e.created_at),
        updated_at: Set(e.updated_at),
    }
}

pub async fn insert_many(
    s: &impl Store,
    evaluations: &[EvaluationRecord],
) -> Result<(), PersistenceError> {
    if evaluations.is_empty() {
        return Ok(());
    }
    table::Entity::insert_many(evaluations.iter().map(model))
        .exec(s.conn())
        .await?;
    Ok(())
}

/// The evaluations of an SKP, q1 to q4.
pub async fn of_skp(
    s: &impl Store,
    skp_id: Uuid,
) -> Result<Vec<EvaluationRecord>, PersistenceError> {
    table::Entity::find()
        .filter(table::Column::SkpId.eq(skp_id))
        .order_by_asc(table::Column::Period)
        .all(s.conn())
        .await?
        .into_iter()
        .map(EvaluationRecord::try_from)
        .collect()
}

/// The evaluations of these SKPs.
pub async fn of_skps(
    s: &impl Store,
    skp_ids: &[Uuid],
) -> Result<Vec<EvaluationRecord>, PersistenceError> {
    if skp_ids.is_empty() {
        return Ok(Vec::new());
    }
    table::Entity::find()
        .filter(table::Column::SkpId.is_in(skp_ids.iter().copied()))
        .order_by_asc(table::Column::SkpId)
        .order_by_asc(table::Column::Period)
        .all(s.conn())
        .await?
        .into_iter()
        .map(EvaluationRecord::try_from)
        .collect()
}

pub async fn get(s: &impl Store, id: Uuid) -> Result<Option<EvaluationRecord>, PersistenceError> {
    table::Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(EvaluationRecord::try_from)
        .transpose()
}

/// Writes the evaluation if its version is still `expected_version`.
pub async fn update(
    s: &impl Store,
    e: &EvaluationRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = table::Entity::update_many()
        .set(model(e))
        .filter(table::Column::Id.eq(e.id))
        .filter(table::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("evaluation"));
    }
    Ok(())
}

/// Approved SKPs that have no evaluation yet (approved before evaluations existed).
pub async fn approved_without_evaluations(
    s: &impl Store,
) -> Result<Vec<super::skps::SkpRecord>, PersistenceError> {
    use crate::entities::skps;
    use sea_orm::sea_query::Query;
    let evaluated = Query::select()
        .column(table::Column::SkpId)
        .from(table::Entity)
        .to_owned();
    skps::Entity::find()
        .filter(skps::Column::Status.eq(kinerja_domain::skp::SkpStatus::Approved.as_str()))
        .filter(skps::Column::Id.not_in_subquery(evaluated))
        .all(s.conn())
        .await?
        .into_iter()
        .map(super::skps::SkpRecord::try_from)
        .collect()
}

/// The finalised evaluations of the SKPs of a cycle.
pub async fn finalized_in_cycle(
    s: &impl Store,
    cycle_id: Uuid,
) -> Result<Vec<EvaluationRecord>, PersistenceError> {
    use crate::entities::skps;
    use sea_orm::sea_query::Query;
    let of_cycle = Query::select()
        .column(skps::Column::Id)
        .from(skps::Entity)
        .and_where(skps::Column::CycleId.eq(cycle_id))
        .to_owned();
    table::Entity::find()
        .filter(table::Column::Status.eq(EvaluationStatus::Finalized.as_str()))
        .filter(table::Column::SkpId.in_subquery(of_cycle))
        .all(s.conn())
        .await?
        .into_iter()
        .map(EvaluationRecord::try_from)
        .collect()
}

/// The annual (q4) evaluations of a cycle that are not void, each with its SKP.
pub async fn annual_in_cycle(
    s: &impl Store,
    cycle_id: Uuid,
) -> Result<Vec<(EvaluationRecord, super::skps::SkpRecord)>, PersistenceError> {
    use crate::entities::skps;
    use sea_orm::sea_query::Query;
    let of_cycle = Query::select()
        .column(skps::Column::Id)
        .from(skps::Entity)
        .and_where(skps::Column::CycleId.eq(cycle_id))
        .to_owned();
    let evaluations: Vec<EvaluationRecord> = table::Entity::find()
        .filter(table::Column::Period.eq(Period::Q4.as_str()))
        .filter(table::Column::Status.ne(EvaluationStatus::Void.as_str()))
        .filter(table::Column::SkpId.in_subquery(of_cycle))
        .all(s.conn())
        .await?
        .into_iter()
        .map(EvaluationRecord::try_from)
        .collect::<Result<_, _>>()?;
    let mut skps_by_id = std::collections::HashMap::new();
    let ids: Vec<Uuid> = evaluations.iter().map(|e| e.skp_id).collect();
    for chunk in ids.chunks(1000) {
        for m in skps::Entity::find()
            .filter(skps::Column::Id.is_in(chunk.iter().copied()))
            .all(s.conn())
            .await?
        {
            let skp = super::skps::SkpRecord::try_from(m)?;
            skps_by_id.insert(skp.id, skp);
        }
    }
    evaluations
        .into_iter()
        .map(|e| {
            let skp = skps_by_id
                .get(&e.skp_id)
                .cloned()
                .ok_or_else(|| corrupt("evaluations", format!("no SKP {}", e.skp_id)))?;
            Ok((e, skp))
        })
        .collect()
}
