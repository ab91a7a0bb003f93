//! Objections (keberatan) against finalised evaluations: one per evaluation.

use chrono::{DateTime, Utc};
use kinerja_domain::assessment::{ObjectionStatus, Predikat, Rating};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::corrupt;
use crate::entities::objections as table;
use crate::{PersistenceError, Store};

/// The ratings and predikat of an evaluation at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub work_rating: Option<Rating>,
    pub behavior_rating: Option<Rating>,
    pub predikat: Option<Predikat>,
}

/// The decision of the atasan pejabat penilai: final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub accepted: bool,
    pub note: Option<String>,
    /// The evaluation's outcome after the decision (unchanged when rejected).
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionRecord {
    pub id: Uuid,
    pub evaluation_id: Uuid,
    pub status: ObjectionStatus,
    pub reason: String,
    pub filed_by: Option<Uuid>,
    pub filed_at: DateTime<Utc>,
    pub explanation: Option<String>,
    pub explained_by: Option<Uuid>,
    pub explained_at: Option<DateTime<Utc>>,
    pub decision: Option<Decision>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    /// What was objected to.
    pub original: Outcome,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<table::Model> for ObjectionRecord {
    type Error = PersistenceError;
    fn try_from(m: table::Model) -> Result<Self, PersistenceError> {
        let bad = |what: String| corrupt("objections", what);
        Ok(ObjectionRecord {
            status: ObjectionStatus::parse(&m.status)
                .ok_or_else(|| bad(format!("status {:?}", m.status)))?,
            decision: m
                .decision
                .as_deref()
                .map(|s| serde_json::from_str(s).map_err(|e| bad(format!("decision: {e}"))))
                .transpose()?,
            original: serde_json::from_str(&m.original)
                .map_err(|e| bad(format!("original: {e}")))?,
            id: m.id,
            evaluation_id: m.evaluation_id,
            reason: m.reason,
            filed_by: m.filed_by,
            filed_at: m.filed_at,
            explanation: m.explanation,
            explained_by: m.explained_by,
            explained_at: m.explained_at,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn model(o: &ObjectionRecord) -> table::ActiveModel {
    table::ActiveModel {
        id: Set(o.id),
        evaluation_id: Set(o.evaluation_id),
        status: Set(o.status.as_str().to_owned()),
        reason: Set(o.reason.clone()),
        filed_by: Set(o.filed_by),
        filed_at: Set(o.filed_at),
        explanation: Set(o.explanation.clone()),
        explained_by: Set(o.explained_by),
        explained_at: Set(o.explained_at),
        decision: Set(o
            .decision
            .as_ref()
            .map(|d| serde_json::to_string(d).unwrap_or_default())),
        decided_by: Set(o.decided_by),
        decided_at: Set(o.decided_at),
        original: Set(serde_json::to_string(&o.original).unwrap_or_default()),
        version: Set(o.version),
        created_at: Set(o.created_at),
        updated_at: Set(o.updated_at),
    }
}

/// Stores a new objection; a second one for the same evaluation is a conflict.
pub async fn insert(s: &impl Store, o: &ObjectionRecord) -> Result<(), PersistenceError> {
    table::Entity::insert(model(o)).exec(s.conn()).await?;
    Ok(())
}

pub async fn get(s: &impl Store, id: Uuid) -> Result<Option<ObjectionRecord>, PersistenceError> {
    table::Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(ObjectionRecord::try_from)
        .transpose()
}

/// The objections against these evaluations, oldest first.
pub async fn of_evaluations(
    s: &impl Store,
    evaluation_ids: &[Uuid],
) -> Result<Vec<ObjectionRecord>, PersistenceError> {
    if evaluation_ids.is_empty() {
        return Ok(Vec::new());
    }
    table::Entity::find()
        .filter(table::Column::EvaluationId.is_in(evaluation_ids.iter().copied()))
        .order_by_asc(table::Column::FiledAt)
        .all(s.conn())
        .await?
        .into_iter()
        .map(ObjectionRecord::try_from)
        .collect()
}

/// Writes the objection if its version is still `expected_version`.
pub async fn update(
    s: &impl Store,
    o: &ObjectionRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = table::Entity::update_many()
        .set(model(o))
        .filter(table::Column::Id.eq(o.id))
        .filter(table::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("objection"));
    }
    Ok(())
}

/// Every objection, oldest first (they are few: one per contested evaluation).
pub async fn all(s: &impl Store) -> Result<Vec<ObjectionRecord>, PersistenceError> {
    table::Entity::find()
        .order_by_asc(table::Column::FiledAt)
        .all(s.conn())
        .await?
        .into_iter()
        .map(ObjectionRecord::try_from)
        .collect()
}
