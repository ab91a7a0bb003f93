//! Competency development: programmes, their participants, the training records that count
//! towards the yearly JP (summed in SQL per employee), and development plans.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use kinerja_domain::training::{
    Method, ParticipationStatus, RecordSource, RecordStatus, Route, Session,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{corrupt, ordered, paged};
use crate::entities::{
    development_plan_items, development_plans, training_participants, training_records, trainings,
};
use crate::{ListQuery, Page, PersistenceError, Store};

fn route(table: &'static str, v: &str) -> Result<Route, PersistenceError> {
    Route::parse(v).ok_or_else(|| corrupt(table, format!("route {v:?}")))
}

fn method(table: &'static str, v: &str) -> Result<Method, PersistenceError> {
    Method::parse(v).ok_or_else(|| corrupt(table, format!("method {v:?}")))
}

// ---------------------------------------------------------------------------------------------
// Programmes

/// A competency development programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeRecord {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub route: Route,
    pub method: Method,
    pub jp_minutes: i64,
    pub competencies: Vec<String>,
    pub provider: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Seats; none: unlimited.
    pub quota: Option<u32>,
    pub sessions: Vec<Session>,
    pub created_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<trainings::Model> for ProgrammeRecord {
    type Error = PersistenceError;
    fn try_from(m: trainings::Model) -> Result<Self, PersistenceError> {
        Ok(ProgrammeRecord {
            route: route("trainings", &m.route)?,
            method: method("trainings", &m.method)?,
            competencies: serde_json::from_str(&m.competencies)
                .map_err(|e| corrupt("trainings", e))?,
            sessions: serde_json::from_str(&m.sessions).map_err(|e| corrupt("trainings", e))?,
            quota: m
                .quota
                .map(|q| u32::try_from(q).map_err(|e| corrupt("trainings", e)))
                .transpose()?,
            id: m.id,
            title: m.title,
            description: m.description,
            jp_minutes: m.jp_minutes,
            provider: m.provider,
            start_date: m.start_date,
            end_date: m.end_date,
            created_by: m.created_by,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn programme_model(p: &ProgrammeRecord) -> trainings::ActiveModel {
    trainings::ActiveModel {
        id: Set(p.id),
        title: Set(p.title.clone()),
        description: Set(p.description.clone()),
        route: Set(p.route.as_str().to_owned()),
        method: Set(p.method.as_str().to_owned()),
        jp_minutes: Set(p.jp_minutes),
        competencies: Set(serde_json::Value::from(p.competencies.clone()).to_string()),
        provider: Set(p.provider.clone()),
        start_date: Set(p.start_date),
        end_date: Set(p.end_date),
        quota: Set(p.quota.map(|q| i32::try_from(q).unwrap_or(i32::MAX))),
        sessions: Set(serde_json::to_string(&p.sessions).unwrap_or_else(|_| "[]".to_owned())),
        created_by: Set(p.created_by),
        version: Set(p.version),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

fn programmes(models: Vec<trainings::Model>) -> Result<Vec<ProgrammeRecord>, PersistenceError> {
    models.into_iter().map(ProgrammeRecord::try_from).collect()
}

pub async fn insert_programme(s: &impl Store, p: &ProgrammeRecord) -> Result<(), PersistenceError> {
    trainings::Entity::insert(programme_model(p))
        .exec(s.conn())
        .await?;
    Ok(())
}

pub async fn insert_programmes(
    s: &impl Store,
    ps: &[ProgrammeRecord],
) -> Result<(), PersistenceError> {
    if ps.is_empty() {
        return Ok(());
    }
    trainings::Entity::insert_many(ps.iter().map(programme_model))
        .exec(s.conn())
        .await?;
    Ok(())
}

pub async fn get_programme(
    s: &impl Store,
    id: Uuid,
) -> Result<Option<ProgrammeRecord>, PersistenceError> {
    trainings::Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(ProgrammeRecord::try_from)
        .transpose()
}

/// The programme, its row locked until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite
/// write transactions run one at a time anyway): seats are counted and taken under it.
pub async fn get_programme_locked(
    s: &impl Store,
    id: Uuid,
) -> Result<Option<ProgrammeRecord>, PersistenceError> {
    trainings::Entity::find_by_id(id)
        .lock_exclusive()
        .one(s.conn())
        .await?
        .map(ProgrammeRecord::try_from)
        .transpose()
}

pub async fn get_programmes(
    s: &impl Store,
    ids: &[Uuid],
) -> Result<Vec<ProgrammeRecord>, PersistenceError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    programmes(
        trainings::Entity::find()
            .filter(trainings::Column::Id.is_in(ids.iter().copied()))
            .all(s.conn())
            .await?,
    )
}

/// Writes the programme if its version is still `expected_version`.
pub async fn update_programme(
    s: &impl Store,
    p: &ProgrammeRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = trainings::Entity::update_many()
        .set(programme_model(p))
        .filter(trainings::Column::Id.eq(p.id))
        .filter(trainings::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("training"));
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct ProgrammeFilter {
    /// Part of the title or provider (case-insensitive).
    pub q: Option<String>,
    pub route: Option<Route>,
    pub method: Option<Method>,
    /// Carrying this tag.
    pub competency: Option<String>,
    /// Running at some time in this calendar year.
    pub year: Option<i32>,
    /// Not ended before this date.
    pub open_on: Option<NaiveDate>,
    /// Changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

pub const PROGRAMME_SORTABLE: &[&str] = &["title", "start_date", "end_date", "created_at"];

fn programme_select(f: &ProgrammeFilter) -> sea_orm::Select<trainings::Entity> {
    use trainings::Column as C;
    let mut select = trainings::Entity::find();
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase());
        select = select.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(C::Title))).like(pattern.clone()))
                .add(Expr::expr(Func::lower(Expr::col(C::Provider))).like(pattern)),
        );
    }
    if let Some(r) = f.route {
        select = select.filter(C::Route.eq(r.as_str()));
    }
    if let Some(m) = f.method {
        select = select.filter(C::Method.eq(m.as_str()));
    }
    if let Some(tag) = &f.competency {
        // Tags are checked to `[a-z0-9_]`: the quoted tag cannot meet a LIKE wildcard but `_`.
        let escaped = tag.replace('_', "\\_");
        select = select.filter(
            Expr::col(C::Competencies)
                .like(sea_orm::sea_query::LikeExpr::new(format!("%\"{escaped}\"%")).escape('\\')),
        );
    }
    if let Some(y) = f.year
        && let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(y, 1, 1),
            NaiveDate::from_ymd_opt(y, 12, 31),
        )
    {
        select = select
            .filter(C::StartDate.lte(last))
            .filter(C::EndDate.gte(first));
    }
    if let Some(d) = f.open_on {
        select = select.filter(C::EndDate.gte(d));
    }
    if let Some(since) = f.updated_since {
        select = select.filter(C::UpdatedAt.gte(since));
    }
    select
}

/// One page of programmes, by start date unless sorted otherwise.
pub async fn list_programmes(
    s: &impl Store,
    f: &ProgrammeFilter,
    query: &ListQuery,
) -> Result<Page<ProgrammeRecord>, PersistenceError> {
    use trainings::Column as C;
    let select = ordered(programme_select(f), &query.sort, |name| match name {
        "title" => Some(C::Title),
        "start_date" => Some(C::StartDate),
        "end_date" => Some(C::EndDate),
        "created_at" => Some(C::CreatedAt),
        _ => None,
    })
    .order_by_asc(C::StartDate)
    .order_by_asc(C::Id);
    let page = paged(s.conn(), select, query).await?;
    Ok(Page {
        items: programmes(page.items)?,
        total: page.total,
    })
}

/// Every programme matching the filter, by start date (the recommendations' catalogue).
pub async fn all_programmes(
    s: &impl Store,
    f: &ProgrammeFilter,
) -> Result<Vec<ProgrammeRecord>, PersistenceError> {
    use trainings::Column as C;
    programmes(
        programme_select(f)
            .order_by_asc(C::StartDate)
            .order_by_asc(C::Id)
            .all(s.conn())
            .await?,
    )
}

// ---------------------------------------------------------------------------------------------
// Participants

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRecord {
    pub id: Uuid,
    pub training_id: Uuid,
    pub employee_id: Uuid,
    pub status: ParticipationStatus,
    pub enrolled_by: Option<Uuid>,
    pub enrolled_at: DateTime<Utc>,
    pub attended_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub dropped_at: Option<DateTime<Utc>>,
    pub drop_reason: Option<String>,
    /// The training record the completion wrote.
    pub record_id: Option<Uuid>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<training_participants::Model> for ParticipantRecord {
    type Error = PersistenceError;
    fn try_from(m: training_participants::Model) -> Result<Self, PersistenceError> {
        Ok(ParticipantRecord {
            status: ParticipationStatus::parse(&m.status).ok_or_else(|| {
                corrupt("training_participants", format!("status {:?}", m.status))
            })?,
            id: m.id,
            training_id: m.training_id,
            employee_id: m.employee_id,
            enrolled_by: m.enrolled_by,
            enrolled_at: m.enrolled_at,
            attended_at: m.attended_at,
            completed_at: m.completed_at,
            dropped_at: m.dropped_at,
            drop_reason: m.drop_reason,
            record_id: m.record_id,
            version: m.version,
            updated_at: m.updated_at,
        })
    }
}

fn participant_model(p: &ParticipantRecord) -> training_participants::ActiveModel {
    training_participants::ActiveModel {
        id: Set(p.id),
        training_id: Set(p.training_id),
        employee_id: Set(p.employee_id),
        status: Set(p.status.as_str().to_owned()),
        enrolled_by: Set(p.enrolled_by),
        enrolled_at: Set(p.enrolled_at),
        attended_at: Set(p.attended_at),
        completed_at: Set(p.completed_at),
        dropped_at: Set(p.dropped_at),
        drop_reason: Set(p.drop_reason.clone()),
        record_id: Set(p.record_id),
        version: Set(p.version),
        updated_at: Set(p.updated_at),
    }
}

fn participants(
    models: Vec<training_participants::Model>,
) -> Result<Vec<ParticipantRecord>, PersistenceError> {
    models
        .into_iter()
        .map(ParticipantRecord::try_from)
        .collect()
}

/// Stores a new participation; a second one of the same employee in a programme is a conflict.
pub async fn insert_participant(
    s: &impl Store,
    p: &ParticipantRecord,
) -> Result<(), PersistenceError> {
    training_participants::Entity::insert(participant_model(p))
        .exec(s.conn())
        .await?;
    Ok(())
}

pub async fn insert_participants(
    s: &impl Store,
    ps: &[ParticipantRecord],
) -> Result<(), PersistenceError> {
    for chunk in ps.chunks(500) {
        training_participants::Entity::insert_many(chunk.iter().map(participant_model))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

pub async fn participant(
    s: &impl Store,
    training_id: Uuid,
    employee_id: Uuid,
) -> Result<Option<ParticipantRecord>, PersistenceError> {
    training_participants::Entity::find()
        .filter(training_participants::Column::TrainingId.eq(training_id))
        .filter(training_participants::Column::EmployeeId.eq(employee_id))
        .one(s.conn())
        .await?
        .map(ParticipantRecord::try_from)
        .transpose()
}

/// Writes the participation if its version is still `expected_version`.
pub async fn update_participant(
    s: &impl Store,
    p: &ParticipantRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = training_participants::Entity::update_many()
        .set(participant_model(p))
        .filter(training_participants::Column::Id.eq(p.id))
        .filter(training_participants::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("participant"));
    }
    Ok(())
}

/// The seats a programme's participants hold (every status but dropped).
pub async fn seats_taken(s: &impl Store, training_id: Uuid) -> Result<u64, PersistenceError> {
    Ok(training_participants::Entity::find()
        .filter(training_participants::Column::TrainingId.eq(training_id))
        .filter(training_participants::Column::Status.ne(ParticipationStatus::Dropped.as_str()))
        .count(s.conn())
        .await?)
}

#[derive(Debug, FromQueryResult)]
struct SeatRow {
    training_id: Uuid,
    seats: i64,
}

/// Seats held per programme, for these programmes.
pub async fn seats_of(
    s: &impl Store,
    training_ids: &[Uuid],
) -> Result<HashMap<Uuid, u64>, PersistenceError> {
    use training_participants::Column as C;
    if training_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = training_participants::Entity::find()
        .select_only()
        .column(C::TrainingId)
        .column_as(C::Id.count(), "seats")
        .filter(C::TrainingId.is_in(training_ids.iter().copied()))
        .filter(C::Status.ne(ParticipationStatus::Dropped.as_str()))
        .group_by(C::TrainingId)
        .into_model::<SeatRow>()
        .all(s.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.training_id, u64::try_from(r.seats).unwrap_or(0)))
        .collect())
}

/// One page of a programme's participants (optionally only these employees, or those changed
/// since an instant), by enrolment.
pub async fn participants_of(
    s: &impl Store,
    training_id: Uuid,
    employees: Option<&[Uuid]>,
    updated_since: Option<DateTime<Utc>>,
    query: &ListQuery,
) -> Result<Page<ParticipantRecord>, PersistenceError> {
    use training_participants::Column as C;
    let mut select = training_participants::Entity::find().filter(C::TrainingId.eq(training_id));
    if let Some(ids) = employees {
        select = select.filter(C::EmployeeId.is_in(ids.iter().copied()));
    }
    if let Some(since) = updated_since {
        select = select.filter(C::UpdatedAt.gte(since));
    }
    let select = select.order_by_asc(C::EnrolledAt).order_by_asc(C::Id);
    let page = paged(s.conn(), select, query).await?;
    Ok(Page {
        items: participants(page.items)?,
        total: page.total,
    })
}

/// An employee's participations in these programmes.
pub async fn participations(
    s: &impl Store,
    employee_id: Uuid,
    training_ids: &[Uuid],
) -> Result<Vec<ParticipantRecord>, PersistenceError> {
    use training_participants::Column as C;
    if training_ids.is_empty() {
        return Ok(Vec::new());
    }
    participants(
        training_participants::Entity::find()
            .filter(C::EmployeeId.eq(employee_id))
            .filter(C::TrainingId.is_in(training_ids.iter().copied()))
            .all(s.conn())
            .await?,
    )
}

/// The participations of several employees in several programmes (one query per 1,000
/// employees): every pair that exists.
pub async fn participations_of_employees(
    s: &impl Store,
    employee_ids: &[Uuid],
    training_ids: &[Uuid],
) -> Result<Vec<ParticipantRecord>, PersistenceError> {
    use training_participants::Column as C;
    let mut out = Vec::new();
    if training_ids.is_empty() {
        return Ok(out);
    }
    for chunk in employee_ids.chunks(1000) {
        out.extend(participants(
            training_participants::Entity::find()
                .filter(C::EmployeeId.is_in(chunk.iter().copied()))
                .filter(C::TrainingId.is_in(training_ids.iter().copied()))
                .all(s.conn())
                .await?,
        )?);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Training records

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRecord {
    pub id: Uuid,
    pub employee_id: Uuid,
    pub source: RecordSource,
    pub training_id: Option<Uuid>,
    pub title: String,
    pub route: Route,
    pub method: Method,
    pub jp_minutes: i64,
    pub completed_on: NaiveDate,
    pub certificate_no: Option<String>,
    pub evidence: Option<String>,
    pub status: RecordStatus,
    pub submitted_by: Option<Uuid>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<training_records::Model> for RecordRecord {
    type Error = PersistenceError;
    fn try_from(m: training_records::Model) -> Result<Self, PersistenceError> {
        let t = "training_records";
        Ok(RecordRecord {
            source: RecordSource::parse(&m.source)
                .ok_or_else(|| corrupt(t, format!("source {:?}", m.source)))?,
            status: RecordStatus::parse(&m.status)
                .ok_or_else(|| corrupt(t, format!("status {:?}", m.status)))?,
            route: route(t, &m.route)?,
            method: method(t, &m.method)?,
            id: m.id,
            employee_id: m.employee_id,
            training_id: m.training_id,
            title: m.title,
            jp_minutes: m.jp_minutes,
            completed_on: m.completed_on,
            certificate_no: m.certificate_no,
            evidence: m.evidence,
            submitted_by: m.submitted_by,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            decision_reason: m.decision_reason,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn record_model(r: &RecordRecord) -> training_records::ActiveModel {
    training_records::ActiveModel {
        id: Set(r.id),
        employee_id: Set(r.employee_id),
        source: Set(r.source.as_str().to_owned()),
        training_id: Set(r.training_id),
        title: Set(r.title.clone()),
        route: Set(r.route.as_str().to_owned()),
        method: Set(r.method.as_str().to_owned()),
        jp_minutes: Set(r.jp_minutes),
        completed_on: Set(r.completed_on),
        certificate_no: Set(r.certificate_no.clone()),
        evidence: Set(r.evidence.clone()),
        status: Set(r.status.as_str().to_owned()),
        submitted_by: Set(r.submitted_by),
        decided_by: Set(r.decided_by),
        decided_at: Set(r.decided_at),
        decision_reason: Set(r.decision_reason.clone()),
        version: Set(r.version),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }
}

fn records(models: Vec<training_records::Model>) -> Result<Vec<RecordRecord>, PersistenceError> {
    models.into_iter().map(RecordRecord::try_from).collect()
}

pub async fn insert_record(s: &impl Store, r: &RecordRecord) -> Result<(), PersistenceError> {
    training_records::Entity::insert(record_model(r))
        .exec(s.conn())
        .await?;
    Ok(())
}

/// Stores many records in batches (an import, the demo).
pub async fn insert_records(s: &impl Store, rs: &[RecordRecord]) -> Result<(), PersistenceError> {
    for chunk in rs.chunks(500) {
        training_records::Entity::insert_many(chunk.iter().map(record_model))
            .exec(s.conn())
            .await?;
    }
    Ok(())
}

pub async fn get_record(
    s: &impl Store,
    id: Uuid,
) -> Result<Option<RecordRecord>, PersistenceError> {
    training_records::Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(RecordRecord::try_from)
        .transpose()
}

/// Writes the record if its version is still `expected_version`.
pub async fn update_record(
    s: &impl Store,
    r: &RecordRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = training_records::Entity::update_many()
        .set(record_model(r))
        .filter(training_records::Column::Id.eq(r.id))
        .filter(training_records::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("training record"));
    }
    Ok(())
}

fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX),
    )
}

/// An employee's records (of one year when given), newest completion first.
pub async fn records_of(
    s: &impl Store,
    employee_id: Uuid,
    year: Option<i32>,
) -> Result<Vec<RecordRecord>, PersistenceError> {
    use training_records::Column as C;
    let mut select = training_records::Entity::find().filter(C::EmployeeId.eq(employee_id));
    if let Some(y) = year {
        let (first, last) = year_bounds(y);
        select = select.filter(C::CompletedOn.between(first, last));
    }
    records(
        select
            .order_by_desc(C::CompletedOn)
            .order_by_desc(C::Id)
            .all(s.conn())
            .await?,
    )
}

/// The records of these employees, for the import's natural keys.
pub async fn records_of_employees(
    s: &impl Store,
    employee_ids: &[Uuid],
) -> Result<Vec<RecordRecord>, PersistenceError> {
    let mut out = Vec::new();
    for chunk in employee_ids.chunks(500) {
        out.extend(records(
            training_records::Entity::find()
                .filter(training_records::Column::EmployeeId.is_in(chunk.iter().copied()))
                .all(s.conn())
                .await?,
        )?);
    }
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// Only these employees (the caller's scope); none: everyone.
    pub employee_ids: Option<Vec<Uuid>>,
    pub status: Option<RecordStatus>,
    pub year: Option<i32>,
    /// Changed at or after this instant (an integrator following `training_records.imported`).
    pub updated_since: Option<DateTime<Utc>>,
}

/// One page of records, oldest submission first (a queue to decide).
pub async fn list_records(
    s: &impl Store,
    f: &RecordFilter,
    query: &ListQuery,
) -> Result<Page<RecordRecord>, PersistenceError> {
    use training_records::Column as C;
    let mut select = training_records::Entity::find();
    if let Some(ids) = &f.employee_ids {
        select = select.filter(C::EmployeeId.is_in(ids.iter().copied()));
    }
    if let Some(st) = f.status {
        select = select.filter(C::Status.eq(st.as_str()));
    }
    if let Some(y) = f.year {
        let (first, last) = year_bounds(y);
        select = select.filter(C::CompletedOn.between(first, last));
    }
    if let Some(since) = f.updated_since {
        select = select.filter(C::UpdatedAt.gte(since));
    }
    let select = select.order_by_asc(C::CreatedAt).order_by_asc(C::Id);
    let page = paged(s.conn(), select, query).await?;
    Ok(Page {
        items: records(page.items)?,
        total: page.total,
    })
}

#[derive(Debug, FromQueryResult)]
struct MinutesRow {
    employee_id: Uuid,
    minutes: Option<i64>,
}

/// The approved minutes of a year per employee (only employees with some), summed in SQL;
/// `employee_ids` none: everyone.
pub async fn approved_minutes(
    s: &impl Store,
    year: i32,
    employee_ids: Option<&[Uuid]>,
) -> Result<HashMap<Uuid, i64>, PersistenceError> {
    let (first, last) = year_bounds(year);
    approved_minutes_between(s, first, last, employee_ids).await
}

/// [`approved_minutes`] of the records completed from `first` to `last` (both included), e.g. a
/// year up to the end of a month.
pub async fn approved_minutes_between(
    s: &impl Store,
    first: NaiveDate,
    last: NaiveDate,
    employee_ids: Option<&[Uuid]>,
) -> Result<HashMap<Uuid, i64>, PersistenceError> {
    use training_records::Column as C;
    let select = || {
        training_records::Entity::find()
            .select_only()
            .column(C::EmployeeId)
            // PostgreSQL sums bigint as numeric: back to bigint.
            .column_as(
                Expr::expr(Func::sum(Expr::col(C::JpMinutes))).cast_as("bigint"),
                "minutes",
            )
            .filter(C::Status.eq(RecordStatus::Approved.as_str()))
            .filter(C::CompletedOn.between(first, last))
            .group_by(C::EmployeeId)
    };
    let mut rows: Vec<MinutesRow> = Vec::new();
    match employee_ids {
        None => rows = select().into_model().all(s.conn()).await?,
        Some(ids) => {
            for chunk in ids.chunks(500) {
                rows.extend(
                    select()
                        .filter(C::EmployeeId.is_in(chunk.iter().copied()))
                        .into_model::<MinutesRow>()
                        .all(s.conn())
                        .await?,
                );
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| (r.employee_id, r.minutes.unwrap_or(0)))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Development plans

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecord {
    pub id: Uuid,
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    pub accepted_by: Option<Uuid>,
    pub accepted_at: DateTime<Utc>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItemRecord {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub training_id: Uuid,
    /// The findings the programme answered when accepted (JSON as the API shows them).
    pub findings: serde_json::Value,
    pub added_by: Option<Uuid>,
    pub added_at: DateTime<Utc>,
}

impl From<development_plans::Model> for PlanRecord {
    fn from(m: development_plans::Model) -> Self {
        PlanRecord {
            id: m.id,
            employee_id: m.employee_id,
            cycle_id: m.cycle_id,
            accepted_by: m.accepted_by,
            accepted_at: m.accepted_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn plan_model(p: &PlanRecord) -> development_plans::ActiveModel {
    development_plans::ActiveModel {
        id: Set(p.id),
        employee_id: Set(p.employee_id),
        cycle_id: Set(p.cycle_id),
        accepted_by: Set(p.accepted_by),
        accepted_at: Set(p.accepted_at),
        version: Set(p.version),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

/// An employee's plan for a cycle.
pub async fn plan(
    s: &impl Store,
    employee_id: Uuid,
    cycle_id: Uuid,
) -> Result<Option<PlanRecord>, PersistenceError> {
    Ok(development_plans::Entity::find()
        .filter(development_plans::Column::EmployeeId.eq(employee_id))
        .filter(development_plans::Column::CycleId.eq(cycle_id))
        .one(s.conn())
        .await?
        .map(PlanRecord::from))
}

/// Every plan of a cycle.
pub async fn plans_of_cycle(
    s: &impl Store,
    cycle_id: Uuid,
) -> Result<Vec<PlanRecord>, PersistenceError> {
    Ok(development_plans::Entity::find()
        .filter(development_plans::Column::CycleId.eq(cycle_id))
        .all(s.conn())
        .await?
        .into_iter()
        .map(PlanRecord::from)
        .collect())
}

pub async fn insert_plan(s: &impl Store, p: &PlanRecord) -> Result<(), PersistenceError> {
    development_plans::Entity::insert(plan_model(p))
        .exec(s.conn())
        .await?;
    Ok(())
}

/// Writes the plan if its version is still `expected_version`.
pub async fn update_plan(
    s: &impl Store,
    p: &PlanRecord,
    expected_version: i64,
) -> Result<(), PersistenceError> {
    let result = development_plans::Entity::update_many()
        .set(plan_model(p))
        .filter(development_plans::Column::Id.eq(p.id))
        .filter(development_plans::Column::Version.eq(expected_version))
        .exec(s.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale("development plan"));
    }
    Ok(())
}

/// A plan's programmes, in the order they were added.
pub async fn plan_items(
    s: &impl Store,
    plan_ids: &[Uuid],
) -> Result<Vec<PlanItemRecord>, PersistenceError> {
    if plan_ids.is_empty() {
        return Ok(Vec::new());
    }
    development_plan_items::Entity::find()
        .filter(development_plan_items::Column::PlanId.is_in(plan_ids.iter().copied()))
        .order_by_asc(development_plan_items::Column::AddedAt)
        .order_by_asc(development_plan_items::Column::Id)
        .all(s.conn())
        .await?
        .into_iter()
        .map(|m| {
            Ok(PlanItemRecord {
                findings: serde_json::from_str(&m.findings)
                    .map_err(|e| corrupt("development_plan_items", e))?,
                id: m.id,
                plan_id: m.plan_id,
                training_id: m.training_id,
                added_by: m.added_by,
                added_at: m.added_at,
            })
        })
        .collect()
}

pub async fn insert_plan_items(
    s: &impl Store,
    items: &[PlanItemRecord],
) -> Result<(), PersistenceError> {
    if items.is_empty() {
        return Ok(());
    }
    development_plan_items::Entity::insert_many(items.iter().map(|i| {
        development_plan_items::ActiveModel {
            id: Set(i.id),
            plan_id: Set(i.plan_id),
            training_id: Set(i.training_id),
            findings: Set(i.findings.to_string()),
            added_by: Set(i.added_by),
            added_at: Set(i.added_at),
        }
    }))
    .exec(s.conn())
    .await?;
    Ok(())
}
