//! The citizen satisfaction survey: services of a service unit, survey periods, responses (added
//! up in SQL: the results of a million responses are one aggregate), and the feedback a closed
//! period leaves to its unit.

use chrono::{DateTime, NaiveDate, Utc};
use kinerja_domain::skm::{AgeBand, Answer, Education, Gender, Occupation, Tally, Unsur};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::corrupt;
use crate::entities::{survey_periods, survey_responses, unit_feedback, unit_services};
use crate::{PersistenceError, Store};

// ---------------------------------------------------------------------------------------------
// Services

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<unit_services::Model> for ServiceRecord {
    fn from(m: unit_services::Model) -> Self {
        ServiceRecord {
            id: m.id,
            unit_id: m.unit_id,
            code: m.code,
            name: m.name,
            active: m.active,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn service_model(s: &ServiceRecord) -> unit_services::ActiveModel {
    unit_services::ActiveModel {
        id: Set(s.id),
        unit_id: Set(s.unit_id),
        code: Set(s.code.clone()),
        name: Set(s.name.clone()),
        active: Set(s.active),
        version: Set(s.version),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
    }
}

/// A unit's services, by code.
pub async fn services_of(
    s: &impl Store,
    unit_id: Uuid,
) -> Result<Vec<ServiceRecord>, PersistenceError> {
    Ok(unit_services::Entity::find()
        .filter(unit_services::Column::UnitId.eq(unit_id))
        .order_by_asc(unit_services::Column::Code)
        .all(s.conn())
        .await?
        .into_iter()
        .map(ServiceRecord::from)
        .collect())
}

/// Every service of these units.
pub async fn services_of_units(
    s: &impl Store,
    unit_ids: &[Uuid],
) -> Result<Vec<ServiceRecord>, PersistenceError> {
    Ok(unit_services::Entity::find()
        .filter(unit_services::Column::UnitId.is_in(unit_ids.iter().copied()))
        .order_by_asc(unit_services::Column::Code)
        .all(s.conn())
        .await?
        .into_iter()
        .map(ServiceRecord::from)
        .collect())
}

/// Stores a new service; a code the unit already uses is a conflict.
pub async fn insert_service(
    s: &impl Store,
    service: &ServiceRecord,
) -> Result<(), PersistenceError> {
    unit_services::Entity::insert(service_model(service))
        .exec(s.conn())
        .await?;
    Ok(())
}

pub async fn get_service(
    s: &impl Store,
    id: Uuid,
) -> Result<Option<ServiceRecord>, PersistenceError> {
    Ok(unit_services::Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(ServiceRecord::from))
}

/// Writes the service if its version is still `expected_version`.
pub async fn update_service(
    s: &impl Store,
    service: &ServiceRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = unit_services::Entity::update_many()
        .set(service_model(service))
        .filter(unit_services::Column::Id.eq(service.id))
        .filter(unit_services::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("service"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Survey periods

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRecord {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub population: Option<u64>,
    /// Custom weights of u1..u9; none: exact 1/9.
    pub weights: Option<[Decimal; 9]>,
    pub closed: bool,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<survey_periods::Model> for PeriodRecord {
    type Error = PersistenceError;
    fn try_from(m: survey_periods::Model) -> Result<Self, PersistenceError> {
        let weights = match m.weights.as_deref() {
            None => None,
            Some(text) => {
                let list: Vec<Decimal> = serde_json::from_str::<Vec<String>>(text)
                    .map_err(|e| corrupt("survey_periods", format!("weights: {e}")))?
                    .iter()
                    .map(|w| w.parse::<Decimal>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| corrupt("survey_periods", format!("weights: {e}")))?;
                Some(<[Decimal; 9]>::try_from(list).map_err(|_| {
                    corrupt("survey_periods", "weights: not nine values".to_owned())
                })?)
            }
        };
        Ok(PeriodRecord {
            id: m.id,
            unit_id: m.unit_id,
            name: m.name,
            start_date: m.start_date,
            end_date: m.end_date,
            population: m.population.and_then(|p| u64::try_from(p).ok()),
            weights,
            closed: m.status == "closed",
            closed_at: m.closed_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn period_model(p: &PeriodRecord) -> survey_periods::ActiveModel {
    survey_periods::ActiveModel {
        id: Set(p.id),
        unit_id: Set(p.unit_id),
        name: Set(p.name.clone()),
        start_date: Set(p.start_date),
        end_date: Set(p.end_date),
        population: Set(p.population.and_then(|n| i64::try_from(n).ok())),
        weights: Set(p.weights.map(|w| {
            serde_json::Value::from(w.iter().map(Decimal::to_string).collect::<Vec<_>>())
                .to_string()
        })),
        status: Set(if p.closed { "closed" } else { "open" }.to_owned()),
        closed_at: Set(p.closed_at),
        version: Set(p.version),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

/// A unit's survey periods, by start date.
pub async fn periods_of(
    s: &impl Store,
    unit_id: Uuid,
) -> Result<Vec<PeriodRecord>, PersistenceError> {
    survey_periods::Entity::find()
        .filter(survey_periods::Column::UnitId.eq(unit_id))
        .order_by_asc(survey_periods::Column::StartDate)
        .all(s.conn())
        .await?
        .into_iter()
        .map(PeriodRecord::try_from)
        .collect()
}

pub async fn get_period(
    s: &impl Store,
    id: Uuid,
) -> Result<Option<PeriodRecord>, PersistenceError> {
    survey_periods::Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(PeriodRecord::try_from)
        .transpose()
}

pub async fn insert_period(s: &impl Store, p: &PeriodRecord) -> Result<(), PersistenceError> {
    survey_periods::Entity::insert(period_model(p))
        .exec(s.conn())
        .await?;
    Ok(())
}

/// Writes the period if its version is still `expected_version`.
pub async fn update_period(
    s: &impl Store,
    p: &PeriodRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = survey_periods::Entity::update_many()
        .set(period_model(p))
        .filter(survey_periods::Column::Id.eq(p.id))
        .filter(survey_periods::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("survey period"));
    }
    Ok(())
}

/// Open periods whose end date is before `day` (for the housekeeping task).
pub async fn open_periods_ended_before(
    s: &impl Store,
    day: NaiveDate,
) -> Result<Vec<PeriodRecord>, PersistenceError> {
    survey_periods::Entity::find()
        .filter(survey_periods::Column::Status.eq("open"))
        .filter(survey_periods::Column::EndDate.lt(day))
        .all(s.conn())
        .await?
        .into_iter()
        .map(PeriodRecord::try_from)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Responses

/// Through which channel a response came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Web,
    Kiosk,
    Paper,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Kiosk => "kiosk",
            Channel::Paper => "paper",
        }
    }
}

/// One response: the answers and the optional profile, nothing that identifies the respondent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRecord {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub service_id: Uuid,
    pub responded_on: NaiveDate,
    pub answers: [Answer; 9],
    pub gender: Option<Gender>,
    pub age: Option<AgeBand>,
    pub education: Option<Education>,
    pub occupation: Option<Occupation>,
    pub comment: Option<String>,
    pub channel: Channel,
    pub created_at: DateTime<Utc>,
}

fn response_model(r: &ResponseRecord) -> survey_responses::ActiveModel {
    let a = |i: usize| Set(i16::from(r.answers[i].value()));
    survey_responses::ActiveModel {
        id: Set(r.id),
        unit_id: Set(r.unit_id),
        service_id: Set(r.service_id),
        responded_on: Set(r.responded_on),
        u1: a(0),
        u2: a(1),
        u3: a(2),
        u4: a(3),
        u5: a(4),
        u6: a(5),
        u7: a(6),
        u8: a(7),
        u9: a(8),
        gender: Set(r.gender.map(|v| v.as_str().to_owned())),
        age: Set(r.age.map(|v| v.as_str().to_owned())),
        education: Set(r.education.map(|v| v.as_str().to_owned())),
        occupation: Set(r.occupation.map(|v| v.as_str().to_owned())),
        comment: Set(r.comment.clone()),
        channel: Set(r.channel.as_str().to_owned()),
        created_at: Set(r.created_at),
    }
}

/// Stores responses, in batches.
pub async fn insert_responses(
    s: &impl Store,
    responses: &[ResponseRecord],
) -> Result<(), PersistenceError> {
    for chunk in responses.chunks(1000) {
        survey_responses::Entity::insert_many(chunk.iter().map(response_model))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

/// Which responses to add up.
#[derive(Debug, Clone, Default)]
pub struct ResponseFilter {
    pub unit_ids: Vec<Uuid>,
    pub service_id: Option<Uuid>,
    /// Inclusive dates.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn filtered(f: &ResponseFilter) -> sea_orm::Select<survey_responses::Entity> {
    use survey_responses::Column as C;
    let mut select =
        survey_responses::Entity::find().filter(C::UnitId.is_in(f.unit_ids.iter().copied()));
    if let Some(id) = f.service_id {
        select = select.filter(C::ServiceId.eq(id));
    }
    if let Some(d) = f.from {
        select = select.filter(C::RespondedOn.gte(d));
    }
    if let Some(d) = f.to {
        select = select.filter(C::RespondedOn.lte(d));
    }
    select
}

#[derive(Debug, FromQueryResult)]
struct TallyRow {
    n: i64,
    s1: Option<i64>,
    s2: Option<i64>,
    s3: Option<i64>,
    s4: Option<i64>,
    s5: Option<i64>,
    s6: Option<i64>,
    s7: Option<i64>,
    s8: Option<i64>,
    s9: Option<i64>,
}

/// The answers of the matching responses, added up in one aggregate query.
pub async fn tally(s: &impl Store, f: &ResponseFilter) -> Result<Tally, PersistenceError> {
    use survey_responses::Column as C;
    if f.unit_ids.is_empty() {
        return Ok(Tally::default());
    }
    let sum = |c: C| Expr::expr(Func::sum(Expr::col(c))).cast_as("bigint");
    let row = filtered(f)
        .select_only()
        .column_as(Expr::expr(Func::count(Expr::col(C::Id))), "n")
        .column_as(sum(C::U1), "s1")
        .column_as(sum(C::U2), "s2")
        .column_as(sum(C::U3), "s3")
        .column_as(sum(C::U4), "s4")
        .column_as(sum(C::U5), "s5")
        .column_as(sum(C::U6), "s6")
        .column_as(sum(C::U7), "s7")
        .column_as(sum(C::U8), "s8")
        .column_as(sum(C::U9), "s9")
        .into_model::<TallyRow>()
        .one(s.conn())
        .await?;
    let Some(r) = row else {
        return Ok(Tally::default());
    };
    let u = |v: Option<i64>| u64::try_from(v.unwrap_or(0)).unwrap_or(0);
    Ok(Tally {
        respondents: u(Some(r.n)),
        sums: [
            u(r.s1),
            u(r.s2),
            u(r.s3),
            u(r.s4),
            u(r.s5),
            u(r.s6),
            u(r.s7),
            u(r.s8),
            u(r.s9),
        ],
    })
}

/// The comments of the matching responses, newest first, at most `limit`.
pub async fn comments(
    s: &impl Store,
    f: &ResponseFilter,
    limit: u64,
) -> Result<Vec<String>, PersistenceError> {
    use survey_responses::Column as C;
    Ok(filtered(f)
        .filter(C::Comment.is_not_null())
        .order_by_desc(C::RespondedOn)
        .order_by_desc(C::Id)
        .limit(limit)
        .all(s.conn())
        .await?
        .into_iter()
        .filter_map(|m| m.comment)
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Feedback to a unit

/// An unsur below mutu B in a closed period: an area to improve, addressed to the unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFeedbackRecord {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub period_id: Uuid,
    pub unsur: Unsur,
    /// NRR at 4 decimals.
    pub nrr: Decimal,
    pub comments: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<unit_feedback::Model> for UnitFeedbackRecord {
    type Error = PersistenceError;
    fn try_from(m: unit_feedback::Model) -> Result<Self, PersistenceError> {
        Ok(UnitFeedbackRecord {
            unsur: Unsur::parse(&m.unsur)
                .ok_or_else(|| corrupt("unit_feedback", format!("unsur {:?}", m.unsur)))?,
            comments: serde_json::from_str(&m.comments)
                .map_err(|e| corrupt("unit_feedback", format!("comments: {e}")))?,
            nrr: Decimal::new(m.nrr, 4),
            id: m.id,
            unit_id: m.unit_id,
            period_id: m.period_id,
            created_at: m.created_at,
        })
    }
}

pub async fn insert_feedback(
    s: &impl Store,
    items: &[UnitFeedbackRecord],
) -> Result<(), PersistenceError> {
    if items.is_empty() {
        return Ok(());
    }
    unit_feedback::Entity::insert_many(items.iter().map(|f| unit_feedback::ActiveModel {
        id: Set(f.id),
        unit_id: Set(f.unit_id),
        period_id: Set(f.period_id),
        unsur: Set(f.unsur.as_str().to_owned()),
        nrr: Set(i64::try_from((f.nrr * Decimal::from(10_000)).trunc().mantissa()).unwrap_or(0)),
        comments: Set(serde_json::Value::from(f.comments.clone()).to_string()),
        created_at: Set(f.created_at),
    }))
    .exec(s.conn())
    .await?;
    Ok(())
}

/// The feedback addressed to a unit, newest first.
pub async fn feedback_of_unit(
    s: &impl Store,
    unit_id: Uuid,
) -> Result<Vec<UnitFeedbackRecord>, PersistenceError> {
    unit_feedback::Entity::find()
        .filter(unit_feedback::Column::UnitId.eq(unit_id))
        .order_by_desc(unit_feedback::Column::CreatedAt)
        .order_by_asc(unit_feedback::Column::Unsur)
        .all(s.conn())
        .await?
        .into_iter()
        .map(UnitFeedbackRecord::try_from)
        .collect()
}
