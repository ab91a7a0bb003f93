//! Competency development: the programme catalogue (`/trainings`), participation, training
//! records (`/employees/{id}/training-records`, `/training-records`), the yearly JP compliance
//! report, and the recommendations and development plan that follow an employee's evaluations.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use kinerja_domain::training::{Compliance, Finding, Session};
use kinerja_persistence::repos::training::{
    ParticipantRecord, ProgrammeFilter, RecordFilter, RecordRecord,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::num;
use super::dto::{
    CoreValueName, EmploymentTypeName, MethodName, ParticipationStatusName, PeriodName,
    PlanStatusName, PredikatName, RecordSourceName, RecordStatusName, RouteName, exact, not_null,
    patch_errors, patch_field, respond,
};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{AdminOnly, OrgManager, OrgReader, PerformanceReader, ReportReader};
use crate::error::{ApiError, FieldError};
use crate::http::list::{ListParams, Paged};
use crate::http::precondition::IfMatch;
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::training::{
    self, Completion, ComplianceRow, ExternalInput, Plan, Programme, ProgrammeInput,
    ProgrammePatch, Recommendations, Standings, Totals,
};

fn jp(minutes: i64) -> f64 {
    num(kinerja_domain::training::jp_of(minutes), 2)
}

// ---------------------------------------------------------------------------------------------
// Programmes

/// A scheduled meeting of a programme.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-03-03", "start_time": "08:00", "end_time": "12:00",
    "location": "Ruang Rapat BKPSDM"}))]
pub struct SessionDto {
    pub date: NaiveDate,
    /// `HH:MM` (WIB).
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$", nullable = false)]
    pub start_time: Option<String>,
    /// `HH:MM` (WIB), not before `start_time`.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$", nullable = false)]
    pub end_time: Option<String>,
    /// At most 200 characters.
    #[schema(max_length = 200, nullable = false)]
    pub location: Option<String>,
}

fn hhmm(t: Option<NaiveTime>) -> Option<String> {
    t.map(|t| t.format("%H:%M").to_string())
}

impl From<Session> for SessionDto {
    fn from(s: Session) -> Self {
        SessionDto {
            date: s.date,
            start_time: hhmm(s.start_time),
            end_time: hhmm(s.end_time),
            location: s.location,
        }
    }
}

fn sessions(raw: Vec<SessionDto>, errors: &mut Vec<FieldError>) -> Vec<Session> {
    let mut time = |field: String, v: Option<String>| -> Option<NaiveTime> {
        let v = v?;
        let parsed = NaiveTime::parse_from_str(&v, "%H:%M")
            .ok()
            .filter(|_| v.len() == 5);
        if parsed.is_none() {
            errors.push(FieldError::of(
                &field,
                "malformed",
                "a time as HH:MM",
                "jam dalam bentuk HH:MM",
            ));
        }
        parsed
    };
    raw.into_iter()
        .enumerate()
        .map(|(i, s)| Session {
            date: s.date,
            start_time: time(format!("sessions[{i}].start_time"), s.start_time),
            end_time: time(format!("sessions[{i}].end_time"), s.end_time),
            location: s.location,
        })
        .collect()
}

/// A competency development programme.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d3a01", "title": "Pelatihan Administrasi Kependudukan Digital",
    "description": "Pemanfaatan SIAK terpusat dan tanda tangan elektronik.", "route": "klasikal",
    "route_label": "Klasikal", "method": "pelatihan", "method_label": "Pelatihan", "jp": 24.0,
    "competencies": ["teknologi_informasi", "berorientasi_pelayanan"], "provider": "BKPSDM Kota Pematangsiantar",
    "start_date": "2026-03-02", "end_date": "2026-03-04", "quota": 30, "seats_taken": 12, "seats_left": 18,
    "sessions": [{"date": "2026-03-02", "start_time": "08:00", "end_time": "16:00", "location": "Aula BKPSDM"}],
    "version": 1, "created_at": "2026-01-10T02:00:00Z", "updated_at": "2026-01-10T02:00:00Z"
}))]
pub struct TrainingView {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub route: RouteName,
    pub route_label: &'static str,
    pub method: MethodName,
    pub method_label: &'static str,
    /// JP (1 JP = 45 minutes), 2 decimals.
    pub jp: f64,
    pub competencies: Vec<String>,
    pub provider: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Seats; null: unlimited.
    pub quota: Option<u32>,
    /// Seats held (every participation but dropped ones).
    pub seats_taken: u64,
    /// Null when unlimited.
    pub seats_left: Option<u64>,
    pub sessions: Vec<SessionDto>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Programme> for TrainingView {
    fn from(p: Programme) -> Self {
        let r = p.record;
        TrainingView {
            id: r.id,
            title: r.title,
            description: r.description,
            route: r.route.into(),
            route_label: r.route.label(),
            method: r.method.into(),
            method_label: r.method.label(),
            jp: jp(r.jp_minutes),
            competencies: r.competencies,
            provider: r.provider,
            start_date: r.start_date,
            end_date: r.end_date,
            quota: r.quota,
            seats_taken: p.seats_taken,
            seats_left: r.quota.map(|q| u64::from(q).saturating_sub(p.seats_taken)),
            sessions: r.sessions.into_iter().map(SessionDto::from).collect(),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A new programme.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Pelatihan Administrasi Kependudukan Digital", "route": "klasikal", "method": "pelatihan",
    "jp": 24, "competencies": ["teknologi_informasi", "berorientasi_pelayanan"],
    "provider": "BKPSDM Kota Pematangsiantar", "start_date": "2026-03-02", "end_date": "2026-03-04",
    "quota": 30,
    "sessions": [{"date": "2026-03-02", "start_time": "08:00", "end_time": "16:00", "location": "Aula BKPSDM"}]
}))]
pub struct CreateTraining {
    /// 1 to 200 characters.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Up to 4000 characters.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000, nullable = false)]
    pub description: Option<String>,
    pub route: RouteName,
    /// Must belong to `route`.
    pub method: MethodName,
    /// JP, more than 0, at most 2 decimals (stored as whole minutes).
    #[schema(exclusive_minimum = 0, maximum = 2000)]
    pub jp: f64,
    /// Competency tags: the 7 core values and free tags such as `teknologi_informasi`
    /// (`^[a-z][a-z0-9_]{1,49}$`), at most 20.
    #[validate(length(max = 20))]
    #[schema(max_items = 20, nullable = false)]
    pub competencies: Option<Vec<String>>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub provider: String,
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    pub end_date: NaiveDate,
    /// Seats; leave out for no limit.
    #[schema(minimum = 1, maximum = 100000, nullable = false)]
    pub quota: Option<u32>,
    /// Within the programme's dates; at most 366.
    #[validate(length(max = 366))]
    #[schema(max_items = 366, nullable = false)]
    pub sessions: Option<Vec<SessionDto>>,
}

/// A change to a programme (JSON Merge Patch). A new JP applies to completions from now on.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"quota": 40, "end_date": "2026-03-05"}))]
pub struct UpdateTraining {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub title: Option<Option<String>>,
    /// Null clears it.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, required = false, max_length = 4000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = RouteName, required = false)]
    pub route: Option<Option<RouteName>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = MethodName, required = false)]
    pub method: Option<Option<MethodName>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = f64, required = false, exclusive_minimum = 0, maximum = 2000)]
    pub jp: Option<Option<f64>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<String>, required = false, max_items = 20)]
    pub competencies: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub provider: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = NaiveDate, required = false)]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = NaiveDate, required = false)]
    pub end_date: Option<Option<NaiveDate>>,
    /// Null: no limit. Not below the seats taken.
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<u32>, required = false, minimum = 1, maximum = 100000)]
    pub quota: Option<Option<u32>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<SessionDto>, required = false, max_items = 366)]
    pub sessions: Option<Option<Vec<SessionDto>>>,
}

/// Which programmes to list.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct TrainingQuery {
    /// Part of the title or provider (case-insensitive).
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub q: Option<String>,
    pub route: Option<RouteName>,
    pub method: Option<MethodName>,
    /// Carrying this competency tag.
    #[validate(length(max = 50))]
    #[param(max_length = 50)]
    pub competency: Option<String>,
    /// Running at some time in this calendar year.
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// Only programmes not ended before this date (open for enrolment on it).
    pub open_on: Option<NaiveDate>,
}

/// The programme catalogue, by start date: for every signed-in person and services with
/// `read:performance`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(ListParams, TrainingQuery),
    responses((status = 200, description = "A page of programmes.", body = Paged<TrainingView>))
)]
#[get("/trainings")]
pub async fn list_trainings(
    _caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<TrainingQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(kinerja_persistence::repos::training::PROGRAMME_SORTABLE)?;
    let q = query.into_inner();
    let filter = ProgrammeFilter {
        q: q.q,
        route: q.route.map(Into::into),
        method: q.method.map(Into::into),
        competency: q.competency.map(|c| c.trim().to_owned()),
        year: q.year,
        open_on: q.open_on,
        updated_since: list.updated_since,
    };
    let page = training::list_programmes(&state.db, &filter, &list_query).await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, TrainingView::from)))
}

/// Add a programme to the catalogue (admin). Audited as `training.created`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    request_body = CreateTraining,
    responses(
        (status = 201, description = "Created.", body = TrainingView),
        (status = 422, description = "Invalid fields (e.g. `method` of another route, sessions outside the dates)."),
    )
)]
#[post("/trainings")]
pub async fn create_training(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    body: Json<CreateTraining>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut errors = Vec::new();
    let jp = exact("jp", Some(body.jp), &mut errors);
    let sessions = sessions(body.sessions.unwrap_or_default(), &mut errors);
    let input = ProgrammeInput {
        title: body.title,
        description: body.description,
        route: body.route.into(),
        method: body.method.into(),
        jp,
        competencies: body.competencies.unwrap_or_default(),
        provider: body.provider,
        start_date: body.start_date,
        end_date: body.end_date,
        quota: body.quota,
        sessions,
    };
    let ctx = Context::of(&caller.caller, state.clock.now());
    let p = training::create_programme(&state.db, &ctx, &caller.caller, input, errors).await?;
    Ok(respond::created(
        format!("/api/v1/trainings/{}", p.record.id),
        p.record.version,
        &TrainingView::from(p),
    ))
}

/// One programme, with its `ETag`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id")),
    responses(
        (status = 200, description = "The programme.", body = TrainingView),
        (status = 404, description = "No such programme (`not_found`)."),
    )
)]
#[get("/trainings/{id}")]
pub async fn get_training(
    _caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = training::get_programme(&state.db, id.into_inner()).await?;
    Ok(respond::ok(p.record.version, &TrainingView::from(p)))
}

/// Change a programme (admin; `If-Match` required). Audited as `training.updated`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("If-Match" = String, Header, description = "The programme's ETag, or `*`."),
    ),
    request_body(content = UpdateTraining, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The programme.", body = TrainingView),
        (status = 422, description = "Invalid fields (`quota` below the seats taken, ...)."),
    )
)]
#[patch("/trainings/{id}")]
pub async fn update_training(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateTraining>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let mut errors = Vec::new();
    let jp_value = not_null("jp", b.jp, &mut errors);
    let jp = exact("jp", jp_value, &mut errors);
    let sessions = not_null("sessions", b.sessions, &mut errors).map(|s| sessions(s, &mut errors));
    let patch = ProgrammePatch {
        title: not_null("title", b.title, &mut errors),
        description: b.description,
        route: not_null("route", b.route, &mut errors).map(Into::into),
        method: not_null("method", b.method, &mut errors).map(Into::into),
        jp,
        competencies: not_null("competencies", b.competencies, &mut errors),
        provider: not_null("provider", b.provider, &mut errors),
        start_date: not_null("start_date", b.start_date, &mut errors),
        end_date: not_null("end_date", b.end_date, &mut errors),
        quota: b.quota,
        sessions,
    };
    let ctx = Context::of(&caller.caller, state.clock.now());
    let p = training::patch_programme(&state.db, &ctx, id.into_inner(), &if_match, patch, errors)
        .await?;
    Ok(respond::ok(p.record.version, &TrainingView::from(p)))
}

// ---------------------------------------------------------------------------------------------
// Participation

/// An employee's participation in a programme.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "training_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d3a01", "employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46",
    "status": "completed", "status_label": "Selesai", "enrolled_by": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e61",
    "enrolled_at": "2026-02-10T02:00:00Z", "attended_at": "2026-03-02T01:00:00Z",
    "completed_at": "2026-03-04T09:00:00Z", "dropped_at": null, "drop_reason": null,
    "record_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d3a20", "version": 4
}))]
pub struct ParticipantView {
    pub training_id: Uuid,
    pub employee_id: Uuid,
    pub status: ParticipationStatusName,
    pub status_label: &'static str,
    /// The user who enrolled him.
    pub enrolled_by: Option<Uuid>,
    pub enrolled_at: DateTime<Utc>,
    pub attended_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub dropped_at: Option<DateTime<Utc>>,
    pub drop_reason: Option<String>,
    /// The training record the completion wrote.
    pub record_id: Option<Uuid>,
    pub version: i64,
}

impl From<ParticipantRecord> for ParticipantView {
    fn from(p: ParticipantRecord) -> Self {
        ParticipantView {
            training_id: p.training_id,
            employee_id: p.employee_id,
            status: p.status.into(),
            status_label: p.status.label(),
            enrolled_by: p.enrolled_by,
            enrolled_at: p.enrolled_at,
            attended_at: p.attended_at,
            completed_at: p.completed_at,
            dropped_at: p.dropped_at,
            drop_reason: p.drop_reason,
            record_id: p.record_id,
            version: p.version,
        }
    }
}

/// Who to enrol.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46"}))]
pub struct Enrol {
    pub employee_id: Uuid,
}

/// A completion.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"jp": 24, "certificate_no": "BKPSDM-PSD/2026/0412"}))]
pub struct Complete {
    /// JP earned; default the programme's JP, at most that.
    #[schema(exclusive_minimum = 0, maximum = 2000, nullable = false)]
    pub jp: Option<f64>,
    #[validate(length(max = 100))]
    #[schema(max_length = 100, nullable = false)]
    pub certificate_no: Option<String>,
    /// Default today (WIB); from the programme's start date up to today.
    #[schema(nullable = false)]
    pub completed_on: Option<NaiveDate>,
}

/// Why a participation is dropped.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Bertepatan dengan pelayanan keliling."}))]
pub struct DropOut {
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000, nullable = false)]
    pub reason: Option<String>,
}

/// A programme's participants, by enrolment: all for admins, auditors and services with
/// `read:performance`; the employees the caller may read otherwise.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"), ListParams),
    responses((status = 200, description = "A page of participants.", body = Paged<ParticipantView>))
)]
#[get("/trainings/{id}/participants")]
pub async fn list_participants(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    list: Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(&[])?;
    let page = training::participants(
        &state.db,
        &caller.caller,
        id.into_inner(),
        list.updated_since,
        &list_query,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, ParticipantView::from)))
}

/// Enrol an employee (himself, a superior in his line, his unit admin or an admin) while the
/// programme has not ended and seats are left. A dropped participation enrols again. Audited as
/// `training.enrolled`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id")),
    request_body = Enrol,
    responses(
        (status = 201, description = "Enrolled.", body = ParticipantView),
        (status = 403, description = "Not the employee, a superior, his unit admin or an admin (`forbidden`)."),
        (status = 409, description = "`training_full`, `training_ended` or `already_enrolled`."),
    )
)]
#[post("/trainings/{id}/participants")]
pub async fn enrol(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<Enrol>,
) -> Result<HttpResponse, ApiError> {
    let training_id = id.into_inner();
    let ctx = Context::of(&caller.caller, state.clock.now());
    let p = training::enrol(
        &state.db,
        &ctx,
        &caller.caller,
        training_id,
        body.0.employee_id,
    )
    .await?;
    Ok(respond::created(
        format!(
            "/api/v1/trainings/{training_id}/participants/{}",
            p.employee_id
        ),
        p.version,
        &ParticipantView::from(p),
    ))
}

/// A participation with the actions the caller may take on it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantDetail {
    #[serde(flatten)]
    pub participant: ParticipantView,
    /// Among `attend`, `complete`, `drop` (for a frontend's buttons).
    pub actions: Vec<&'static str>,
}

/// One participation (whoever reads the employee), with the actions the caller may take.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("employee_id" = Uuid, Path, description = "The participant"),
    ),
    responses(
        (status = 200, description = "The participation.", body = ParticipantDetail),
        (status = 404, description = "No such programme, employee in the caller's scope, or participation (`not_found`)."),
    )
)]
#[get("/trainings/{id}/participants/{employee_id}")]
pub async fn get_participant(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (p, actions) = training::participant(&state.db, &caller.caller, path.into_inner()).await?;
    Ok(respond::ok(
        p.version,
        &ParticipantDetail {
            participant: p.into(),
            actions,
        },
    ))
}

/// Record attendance (admins and the employee's unit admin). Audited as `training.attended`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("employee_id" = Uuid, Path, description = "The participant"),
    ),
    responses(
        (status = 200, description = "The participation.", body = ParticipantView),
        (status = 409, description = "`participation_closed`."),
    )
)]
#[post("/trainings/{id}/participants/{employee_id}/attend")]
pub async fn attend(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let p = training::attend(
        &state.db,
        &ctx,
        &caller.caller,
        path.into_inner(),
        &if_match,
    )
    .await?;
    Ok(respond::ok(p.version, &ParticipantView::from(p)))
}

/// A completion and the record it wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionView {
    pub participant: ParticipantView,
    pub record: RecordView,
}

/// Record a completion with JP and certificate number (admins and the employee's unit admin):
/// writes an approved training record that counts at once. Audited as `training.completed`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("employee_id" = Uuid, Path, description = "The participant"),
    ),
    request_body = Complete,
    responses(
        (status = 200, description = "The participation and its record.", body = CompletionView),
        (status = 409, description = "`participation_closed` or `duplicate_record`."),
        (status = 422, description = "`jp` above the programme's, `completed_on` out of range."),
    )
)]
#[post("/trainings/{id}/participants/{employee_id}/complete")]
pub async fn complete(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: Json<Complete>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let mut errors = Vec::new();
    let jp = exact("jp", b.jp, &mut errors);
    patch_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let input = Completion {
        jp,
        certificate_no: b.certificate_no,
        completed_on: b.completed_on,
    };
    let (p, r) = training::complete(
        &state.db,
        &ctx,
        &caller.caller,
        path.into_inner(),
        &if_match,
        input,
    )
    .await?;
    Ok(respond::ok(
        p.version,
        &CompletionView {
            participant: p.into(),
            record: r.into(),
        },
    ))
}

/// Drop out of a programme before completing it (the employee, a superior in his line, his unit
/// admin or an admin): the seat is freed. Audited as `training.dropped`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("employee_id" = Uuid, Path, description = "The participant"),
    ),
    request_body = DropOut,
    responses(
        (status = 200, description = "The participation.", body = ParticipantView),
        (status = 409, description = "`participation_closed`."),
    )
)]
#[post("/trainings/{id}/participants/{employee_id}/drop")]
pub async fn drop_out(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: Json<DropOut>,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let p = training::drop_out(
        &state.db,
        &ctx,
        &caller.caller,
        path.into_inner(),
        &if_match,
        body.0.reason,
    )
    .await?;
    Ok(respond::ok(p.version, &ParticipantView::from(p)))
}

// ---------------------------------------------------------------------------------------------
// Training records

/// A training record: from a completed programme, submitted by the employee (counts once his
/// superior approves), or imported.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d3a21", "employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46",
    "source": "external", "source_label": "Diajukan Pegawai", "training_id": null,
    "title": "E-Learning Literasi Digital ASN", "route": "nonklasikal", "method": "e_learning",
    "method_label": "E-Learning", "jp": 10.0, "completed_on": "2026-05-20",
    "certificate_no": "ASNU-2026-118844", "evidence": "https://asn.futurelearning.id/sertifikat/118844",
    "status": "pending", "status_label": "Menunggu Persetujuan", "counts": false,
    "submitted_by": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e62", "decided_by": null, "decided_at": null,
    "decision_reason": null, "version": 1, "created_at": "2026-05-21T03:00:00Z"
}))]
pub struct RecordView {
    pub id: Uuid,
    pub employee_id: Uuid,
    pub source: RecordSourceName,
    pub source_label: &'static str,
    /// The programme, for a completed participation.
    pub training_id: Option<Uuid>,
    pub title: String,
    pub route: RouteName,
    pub method: MethodName,
    pub method_label: &'static str,
    /// JP, 2 decimals.
    pub jp: f64,
    /// The WIB date it was completed: the year it counts for.
    pub completed_on: NaiveDate,
    pub certificate_no: Option<String>,
    pub evidence: Option<String>,
    pub status: RecordStatusName,
    pub status_label: &'static str,
    /// Whether it counts towards the year's JP (approved).
    pub counts: bool,
    pub submitted_by: Option<Uuid>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl From<RecordRecord> for RecordView {
    fn from(r: RecordRecord) -> Self {
        RecordView {
            id: r.id,
            employee_id: r.employee_id,
            source: r.source.into(),
            source_label: r.source.label(),
            training_id: r.training_id,
            title: r.title,
            route: r.route.into(),
            method: r.method.into(),
            method_label: r.method.label(),
            jp: jp(r.jp_minutes),
            completed_on: r.completed_on,
            certificate_no: r.certificate_no,
            evidence: r.evidence,
            counts: r.status.counts(),
            status: r.status.into(),
            status_label: r.status.label(),
            submitted_by: r.submitted_by,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            version: r.version,
            created_at: r.created_at,
        }
    }
}

/// Where an employee stands for a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceView {
    /// Approved JP of the year, 2 decimals.
    pub jp: f64,
    /// The minimum for his employment type (the year's cycle settings).
    pub required: f64,
    /// The PPPK cap; null for PNS.
    pub cap: Option<f64>,
    /// JP ≥ minimum, and for PPPK also ≤ cap.
    pub met: bool,
    pub over_cap: bool,
    /// JP still needed to reach the minimum.
    pub missing_jp: f64,
}

impl From<Compliance> for ComplianceView {
    fn from(c: Compliance) -> Self {
        ComplianceView {
            jp: num(c.jp, 2),
            required: num(c.required, 2),
            cap: c.cap.map(|d| num(d, 2)),
            met: c.met,
            over_cap: c.over_cap,
            missing_jp: num(c.missing_jp, 2),
        }
    }
}

/// An employee's training records of a year with where he stands.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46", "name": "Rina Simanjuntak",
    "employment_type": "pns", "year": 2026,
    "compliance": {"jp": 14.0, "required": 20.0, "cap": null, "met": false, "over_cap": false, "missing_jp": 6.0},
    "pending_jp": 10.0, "items": []
}))]
pub struct EmployeeTrainingView {
    pub employee_id: Uuid,
    pub name: String,
    pub employment_type: EmploymentTypeName,
    pub year: i32,
    pub compliance: ComplianceView,
    /// JP of records still waiting for approval.
    pub pending_jp: f64,
    /// Every record of the year (all statuses), newest completion first.
    pub items: Vec<RecordView>,
}

/// Which year.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    /// Default: the current year (WIB).
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

fn year_or_now(year: Option<i32>, now: DateTime<Utc>) -> i32 {
    use chrono::Datelike;
    year.unwrap_or_else(|| training::today(now).year())
}

/// An employee's training records of a year and his JP compliance: for whoever reads the
/// employee.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The employee's id"), YearQuery),
    responses(
        (status = 200, description = "The records and the standing.", body = EmployeeTrainingView),
        (status = 404, description = "No such employee in the caller's scope (`not_found`)."),
    )
)]
#[get("/employees/{id}/training-records")]
pub async fn employee_records(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Query<YearQuery>,
) -> Result<HttpResponse, ApiError> {
    let year = year_or_now(query.year, state.clock.now());
    let training::EmployeeYear {
        employee,
        records,
        compliance,
        pending_minutes,
    } = training::records_of_employee(&state.db, &caller.caller, id.into_inner(), year).await?;
    Ok(HttpResponse::Ok().json(EmployeeTrainingView {
        employee_id: employee.id,
        name: employee.name,
        employment_type: employee.employment_type.into(),
        year,
        compliance: compliance.into(),
        pending_jp: jp(pending_minutes),
        items: records.into_iter().map(RecordView::from).collect(),
    }))
}

/// An external record (training done elsewhere, an e-learning certificate).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "E-Learning Literasi Digital ASN", "route": "nonklasikal", "method": "e_learning", "jp": 10,
    "completed_on": "2026-05-20", "certificate_no": "ASNU-2026-118844",
    "evidence": "https://asn.futurelearning.id/sertifikat/118844"
}))]
pub struct SubmitRecord {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    pub route: RouteName,
    /// Must belong to `route`.
    pub method: MethodName,
    /// More than 0, at most 2 decimals.
    #[schema(exclusive_minimum = 0, maximum = 2000)]
    pub jp: f64,
    /// Not after today (WIB).
    pub completed_on: NaiveDate,
    #[validate(length(max = 100))]
    #[schema(max_length = 100, nullable = false)]
    pub certificate_no: Option<String>,
    /// Where the certificate can be seen (a link or a description), 1 to 2000 characters.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub evidence: String,
}

/// Submit an external training record (the employee himself): `pending` until his direct
/// superior approves it. Audited as `training_record.submitted`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The employee's id")),
    request_body = SubmitRecord,
    responses(
        (status = 201, description = "Submitted.", body = RecordView),
        (status = 403, description = "Not the employee himself (`forbidden`)."),
        (status = 409, description = "`duplicate_record`."),
    )
)]
#[post("/employees/{id}/training-records")]
pub async fn submit_record(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<SubmitRecord>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let mut errors = Vec::new();
    let jp = exact("jp", Some(b.jp), &mut errors);
    patch_errors(errors)?;
    let input = ExternalInput {
        title: b.title,
        route: b.route.into(),
        method: b.method.into(),
        jp,
        completed_on: b.completed_on,
        certificate_no: b.certificate_no,
        evidence: b.evidence,
    };
    let ctx = Context::of(&caller.caller, state.clock.now());
    let r =
        training::submit_external(&state.db, &ctx, &caller.caller, id.into_inner(), input).await?;
    Ok(respond::created(
        format!("/api/v1/training-records/{}", r.id),
        r.version,
        &RecordView::from(r),
    ))
}

/// Which records to list.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// `pending`: the queue a superior decides.
    pub status: Option<RecordStatusName>,
    pub employee_id: Option<Uuid>,
    /// Completed in this year.
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// Training records of the employees the caller may read, oldest submission first (a superior
/// lists `status=pending` of his staff).
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(ListParams, RecordQuery),
    responses((status = 200, description = "A page of records.", body = Paged<RecordView>))
)]
#[get("/training-records")]
pub async fn list_records(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<RecordQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(&[])?;
    let filter = RecordFilter {
        employee_ids: query.employee_id.map(|id| vec![id]),
        status: query.status.map(Into::into),
        year: query.year,
        updated_since: list.updated_since,
    };
    let page = training::list_records(&state.db, &caller.caller, filter, &list_query).await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, RecordView::from)))
}

/// One training record (whoever reads its employee).
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The record's id")),
    responses(
        (status = 200, description = "The record.", body = RecordView),
        (status = 404, description = "No such record in the caller's scope (`not_found`)."),
    )
)]
#[get("/training-records/{id}")]
pub async fn get_record(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (r, _) = training::get_record(&state.db, &caller.caller, id.into_inner()).await?;
    Ok(respond::ok(r.version, &RecordView::from(r)))
}

/// What the caller may do with a training record now.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"actions": ["approve", "reject"]}))]
pub struct RecordActions {
    /// `approve` and `reject` for the direct superior of a pending record; empty otherwise.
    pub actions: Vec<&'static str>,
}

/// The actions the caller may take on a training record now (for a frontend's buttons).
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The record's id")),
    responses(
        (status = 200, description = "The actions.", body = RecordActions),
        (status = 404, description = "No such record in the caller's scope (`not_found`)."),
    )
)]
#[get("/training-records/{id}/actions")]
pub async fn record_actions(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let actions = training::record_actions(&state.db, &caller.caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(RecordActions { actions }))
}

/// The superior's decision.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Sertifikat tidak dapat diverifikasi di situs penyelenggara."}))]
pub struct Decision {
    /// Required to reject; optional to approve. Up to 4000 characters.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000, nullable = false)]
    pub reason: Option<String>,
}

async fn decide(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: Uuid,
    if_match: IfMatch,
    approve: bool,
    reason: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let r = training::decide(
        &state.db,
        &ctx,
        &caller.caller,
        id,
        &if_match,
        approve,
        reason,
    )
    .await?;
    Ok(respond::ok(r.version, &RecordView::from(r)))
}

/// Approve a pending external record (the employee's direct superior; an admin when he has
/// none): it counts from now on. Audited as `training_record.approved`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The record's id")),
    request_body = Decision,
    responses(
        (status = 200, description = "Approved.", body = RecordView),
        (status = 403, description = "Not the direct superior (`forbidden`)."),
        (status = 409, description = "`record_decided`."),
    )
)]
#[post("/training-records/{id}/approve")]
pub async fn approve_record(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<Decision>,
) -> Result<HttpResponse, ApiError> {
    decide(
        caller,
        state,
        id.into_inner(),
        if_match,
        true,
        body.0.reason,
    )
    .await
}

/// Reject a pending external record with a reason (the employee's direct superior; an admin
/// when he has none). Audited as `training_record.rejected`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The record's id")),
    request_body = Decision,
    responses(
        (status = 200, description = "Rejected.", body = RecordView),
        (status = 403, description = "Not the direct superior (`forbidden`)."),
        (status = 409, description = "`record_decided`."),
        (status = 422, description = "`reason` missing."),
    )
)]
#[post("/training-records/{id}/reject")]
pub async fn reject_record(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<Decision>,
) -> Result<HttpResponse, ApiError> {
    decide(
        caller,
        state,
        id.into_inner(),
        if_match,
        false,
        body.0.reason,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Compliance report

/// Which employees the report lists.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StandingName {
    Met,
    Short,
    OverCap,
}

/// The compliance report's scope.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// Default: the current year (WIB).
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// The unit (its whole subtree). Required for heads of units; admins, auditors and services
    /// default to the city, unit admins to the units they manage.
    pub unit_id: Option<Uuid>,
    /// List only these employees (`short`: below the minimum); totals always count everyone.
    #[param(inline)]
    pub standing: Option<StandingName>,
}

/// One employee's line.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceItem {
    pub employee_id: Uuid,
    pub nip: String,
    pub name: String,
    pub unit_id: Uuid,
    pub employment_type: EmploymentTypeName,
    /// Approved JP of the year.
    pub jp: f64,
    /// The minimum for his employment type.
    pub required: f64,
    /// PPPK cap; null for PNS.
    pub cap: Option<f64>,
    pub met: bool,
    pub over_cap: bool,
    pub missing_jp: f64,
}

impl From<ComplianceRow> for ComplianceItem {
    fn from(r: ComplianceRow) -> Self {
        let c = r.compliance;
        ComplianceItem {
            employee_id: r.employee.id,
            nip: r.employee.nip,
            name: r.employee.name,
            unit_id: r.employee.unit_id,
            employment_type: r.employee.employment_type.into(),
            jp: num(c.jp, 2),
            required: num(c.required, 2),
            cap: c.cap.map(|d| num(d, 2)),
            met: c.met,
            over_cap: c.over_cap,
            missing_jp: num(c.missing_jp, 2),
        }
    }
}

/// Counts over employees.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceTotals {
    pub employees: u64,
    /// Within the requirement.
    pub met: u64,
    /// Below the minimum.
    pub short: u64,
    /// PPPK above the cap.
    pub over_cap: u64,
    /// All their approved JP.
    pub jp: f64,
}

impl From<&Totals> for ComplianceTotals {
    fn from(t: &Totals) -> Self {
        ComplianceTotals {
            employees: t.employees,
            met: t.met,
            short: t.short,
            over_cap: t.over_cap,
            jp: jp(t.minutes),
        }
    }
}

/// One unit's counts (employees of that very unit).
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitCompliance {
    pub unit_id: Uuid,
    #[serde(flatten)]
    pub totals: ComplianceTotals,
}

/// The requirement of the year, from its cycle's settings (the defaults without a cycle).
#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementsView {
    pub pns_minimum: f64,
    pub pppk_minimum: f64,
    pub pppk_cap: f64,
}

/// The JP compliance of a year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "year": 2026, "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
    "requirements": {"pns_minimum": 20.0, "pppk_minimum": 0.0, "pppk_cap": 24.0},
    "items": [{"employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46", "nip": "198503122010012003",
        "name": "Rina Simanjuntak", "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
        "employment_type": "pns", "jp": 14.0, "required": 20.0, "cap": null, "met": false,
        "over_cap": false, "missing_jp": 6.0}],
    "page": 1, "per_page": 50, "total": 1,
    "totals": {"employees": 42, "met": 30, "short": 11, "over_cap": 1, "jp": 1012.5},
    "units": [{"unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "employees": 42, "met": 30,
        "short": 11, "over_cap": 1, "jp": 1012.5}]
}))]
pub struct ComplianceReportView {
    pub year: i32,
    pub unit_id: Option<Uuid>,
    pub requirements: RequirementsView,
    /// A page of employees (by name unless sorted by `name`, `nip` or `jp`).
    pub items: Vec<ComplianceItem>,
    pub page: u64,
    pub per_page: u64,
    /// Employees listed in all (after `standing`).
    pub total: u64,
    /// Over every active employee in scope.
    pub totals: ComplianceTotals,
    /// Per unit.
    pub units: Vec<UnitCompliance>,
}

/// JP compliance per employee and per unit for a year (active employees), with the list of who
/// is short: for admins, auditors, services with `read:reports`/`read:performance`, heads of
/// units (their subtree) and unit admins (the units they manage).
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(ListParams, ComplianceQuery),
    responses(
        (status = 200, description = "The report.", body = ComplianceReportView),
        (status = 403, description = "Not a head, unit admin, admin or auditor of the unit (`forbidden`)."),
        (status = 404, description = "No such unit (`not_found`)."),
        (status = 422, description = "`unit_id` is required for this caller."),
    )
)]
#[get("/reports/training-compliance")]
pub async fn training_compliance(
    caller: Need<ReportReader>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<ComplianceQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(training::COMPLIANCE_SORTABLE)?;
    if list.updated_since.is_some() {
        // A standing is computed, not stored: nothing "changed since".
        return Err(
            ApiError::new(crate::error::ErrorCode::InvalidParameter).with_field(FieldError::of(
                "updated_since",
                "not_supported",
                "the compliance report has no change time; leave it out",
                "laporan kepatuhan tidak memiliki waktu perubahan; hilangkan parameter ini",
            )),
        );
    }
    let year = year_or_now(query.year, state.clock.now());
    let only = query.standing.map(|s| match s {
        StandingName::Met => Standings::Met,
        StandingName::Short => Standings::Short,
        StandingName::OverCap => Standings::OverCap,
    });
    let report = training::compliance_report(
        &state.reads,
        &caller.caller,
        year,
        query.unit_id,
        only,
        &list_query,
    )
    .await?;
    let s = &report.settings;
    Ok(HttpResponse::Ok().json(ComplianceReportView {
        year,
        unit_id: query.unit_id,
        requirements: RequirementsView {
            pns_minimum: num(s.jp_minimum_pns, 2),
            pppk_minimum: num(s.jp_minimum_pppk, 2),
            pppk_cap: num(s.jp_cap_pppk, 2),
        },
        totals: (&report.totals).into(),
        units: report
            .units
            .iter()
            .map(|(unit_id, t)| UnitCompliance {
                unit_id: *unit_id,
                totals: t.into(),
            })
            .collect(),
        page: list_query.page,
        per_page: list_query.per_page,
        total: report.page.total,
        items: report
            .page
            .items
            .into_iter()
            .map(ComplianceItem::from)
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Recommendations and development plans

/// Why development is recommended: the rule that fired.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"index": 0, "rule": "core_value_below_expectation", "period": "q2",
    "core_value": "berorientasi_pelayanan", "predikat": null, "indicator_id": null, "indicator_code": null,
    "capaian": null, "threshold": null, "tags": ["berorientasi_pelayanan"],
    "explanation": "Berorientasi Pelayanan rated Di Bawah Ekspektasi in Triwulan II: programmes tagged berorientasi_pelayanan."}))]
pub struct FindingView {
    /// Its position in `findings` (items refer to it).
    pub index: usize,
    /// `core_value_below_expectation`, `predikat_low` or `weak_indicator`.
    pub rule: &'static str,
    pub period: PeriodName,
    pub core_value: Option<CoreValueName>,
    pub predikat: Option<PredikatName>,
    pub indicator_id: Option<Uuid>,
    pub indicator_code: Option<String>,
    /// The indicator's capaian (capped), percent.
    pub capaian: Option<f64>,
    /// The cycle's weak threshold, percent.
    pub threshold: Option<f64>,
    /// The programme tags that answer it.
    pub tags: Vec<String>,
    pub explanation: String,
}

fn finding_view(index: usize, f: &Finding) -> FindingView {
    let mut v = FindingView {
        index,
        rule: "",
        period: f.period().into(),
        core_value: None,
        predikat: None,
        indicator_id: None,
        indicator_code: None,
        capaian: None,
        threshold: None,
        tags: f.tags(),
        explanation: String::new(),
    };
    let period = f.period().label();
    match f {
        Finding::CoreValueBelowExpectation { core_value, .. } => {
            v.rule = "core_value_below_expectation";
            v.core_value = Some((*core_value).into());
            v.explanation = format!(
                "{} rated Di Bawah Ekspektasi in {period}: programmes tagged {}.",
                core_value.label(),
                core_value.as_str()
            );
        }
        Finding::PredikatLow { predikat, .. } => {
            v.rule = "predikat_low";
            v.predikat = Some((*predikat).into());
            v.explanation = format!(
                "Predikat {} in {period}: a development plan is due.",
                predikat.label()
            );
        }
        Finding::WeakIndicator {
            indicator_id,
            indicator_code,
            capaian,
            threshold,
            ..
        } => {
            v.rule = "weak_indicator";
            v.indicator_id = Some(*indicator_id);
            v.indicator_code = Some(indicator_code.clone());
            v.capaian = Some(num(*capaian, 2));
            v.threshold = Some(num(*threshold, 2));
            v.explanation = format!(
                "Indicator {indicator_code} reached {}% in {period}, below {}%: programmes tagged with its competencies{}.",
                capaian.round_dp(2),
                threshold.normalize(),
                if v.tags.is_empty() {
                    " (it carries none)"
                } else {
                    ""
                }
            );
        }
    }
    v
}

/// A programme that fits, with the rules that fired.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationView {
    pub training: TrainingView,
    /// Indexes into `findings`.
    pub findings: Vec<usize>,
    /// The findings themselves.
    pub rules: Vec<FindingView>,
    /// The programme's tags that matched.
    pub matched_tags: Vec<String>,
    /// The employee's participation in it, if any.
    pub participation_status: Option<ParticipationStatusName>,
}

/// What the employee's evaluations in the cycle recommend.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46", "cycle_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e30",
    "weak_threshold": 80.0, "plan_required": true,
    "findings": [{"index": 0, "rule": "predikat_low", "period": "q2", "core_value": null,
        "predikat": "butuh_perbaikan", "indicator_id": null, "indicator_code": null, "capaian": null,
        "threshold": null, "tags": [], "explanation": "Predikat Butuh Perbaikan in Triwulan II: a development plan is due."}],
    "items": []
}))]
pub struct RecommendationsView {
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    /// Capaian below this (percent) marks an indicator weak (cycle setting).
    pub weak_threshold: f64,
    /// A predikat butuh perbaikan, kurang or sangat kurang was found: a plan is due.
    pub plan_required: bool,
    /// From the assessed and finalised evaluations, in period order.
    pub findings: Vec<FindingView>,
    /// Open programmes (not ended, not completed by him) whose tags match, most findings first.
    pub items: Vec<RecommendationView>,
}

impl From<Recommendations> for RecommendationsView {
    fn from(r: Recommendations) -> Self {
        let findings: Vec<FindingView> = r
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| finding_view(i, f))
            .collect();
        let items = r
            .items
            .into_iter()
            .map(|item| RecommendationView {
                rules: item
                    .findings
                    .iter()
                    .filter_map(|i| r.findings.get(*i).map(|f| finding_view(*i, f)))
                    .collect(),
                findings: item.findings,
                matched_tags: item.matched_tags,
                participation_status: item.participation.map(Into::into),
                training: item.programme.into(),
            })
            .collect();
        RecommendationsView {
            employee_id: r.employee_id,
            cycle_id: r.cycle_id,
            weak_threshold: num(r.weak_threshold, 2),
            plan_required: r.plan_required,
            findings,
            items,
        }
    }
}

/// Which cycle.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CycleQuery {
    pub cycle_id: Uuid,
}

/// The development the employee's evaluations in a cycle call for: each finding with the rule
/// that fired, and the open programmes that answer them. For whoever reads the employee.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The employee's id"), CycleQuery),
    responses(
        (status = 200, description = "The recommendations.", body = RecommendationsView),
        (status = 404, description = "No such employee in the caller's scope, or no such cycle (`not_found`)."),
    )
)]
#[get("/employees/{id}/development-recommendations")]
pub async fn recommendations(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Query<CycleQuery>,
) -> Result<HttpResponse, ApiError> {
    let r = training::recommendations(
        &state.db,
        &caller.caller,
        id.into_inner(),
        query.cycle_id,
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(RecommendationsView::from(r)))
}

/// A programme of a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItemView {
    pub training_id: Uuid,
    pub title: String,
    pub jp: f64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// The findings it answered when accepted.
    #[schema(value_type = Vec<Object>)]
    pub findings: Value,
    /// The employee's participation; null if he has none.
    pub participation_status: Option<ParticipationStatusName>,
    pub added_at: DateTime<Utc>,
}

/// An employee's development plan for a cycle.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46", "cycle_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e30",
    "status": "in_progress", "status_label": "Berjalan", "accepted_by": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e61",
    "accepted_at": "2026-07-10T02:00:00Z", "version": 1,
    "items": [{"training_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d3a01", "title": "Pelayanan Prima",
        "jp": 16.0, "start_date": "2026-08-03", "end_date": "2026-08-04",
        "findings": [{"rule": "core_value_below_expectation", "period": "q2", "core_value": "berorientasi_pelayanan"}],
        "participation_status": "attended", "added_at": "2026-07-10T02:00:00Z"}]
}))]
pub struct PlanView {
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    /// Derived from the enrolments: `none` (no plan, or all dropped), `planned`, `in_progress`,
    /// `done`.
    pub status: PlanStatusName,
    pub status_label: &'static str,
    pub accepted_by: Option<Uuid>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// Null without a plan.
    pub version: Option<i64>,
    pub items: Vec<PlanItemView>,
}

impl From<Plan> for PlanView {
    fn from(p: Plan) -> Self {
        PlanView {
            employee_id: p.employee_id,
            cycle_id: p.cycle_id,
            status: p.status.into(),
            status_label: p.status.label(),
            accepted_by: p.record.as_ref().and_then(|r| r.accepted_by),
            accepted_at: p.record.as_ref().map(|r| r.accepted_at),
            version: p.record.as_ref().map(|r| r.version),
            items: p
                .items
                .into_iter()
                .map(|i| PlanItemView {
                    training_id: i.programme.id,
                    title: i.programme.title,
                    jp: jp(i.programme.jp_minutes),
                    start_date: i.programme.start_date,
                    end_date: i.programme.end_date,
                    findings: i.item.findings,
                    participation_status: i.participation.map(|p| p.status.into()),
                    added_at: i.item.added_at,
                })
                .collect(),
        }
    }
}

/// The programmes the superior accepts.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cycle_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e30",
    "training_ids": ["01936c3e-8f7a-7cc3-9a6e-0f3b8c1d3a01"]}))]
pub struct AcceptPlan {
    pub cycle_id: Uuid,
    /// From the employee's recommendations for the cycle; 1 to 20.
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub training_ids: Vec<Uuid>,
}

/// Accept recommended programmes into the employee's development plan for a cycle (his direct
/// superior or an admin): he is enrolled in each, all or nothing. Accepting again adds
/// programmes. Audited as `development_plan.accepted`.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The employee's id")),
    request_body = AcceptPlan,
    responses(
        (status = 200, description = "The plan.", body = PlanView),
        (status = 403, description = "Not his direct superior or an admin (`forbidden`)."),
        (status = 409, description = "`training_full`."),
        (status = 422, description = "`not_recommended`: a programme is not among the recommendations."),
    )
)]
#[post("/employees/{id}/development-plan")]
pub async fn accept_plan(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<AcceptPlan>,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let p = training::accept_plan(
        &state.db,
        &ctx,
        &caller.caller,
        id.into_inner(),
        body.0.cycle_id,
        &body.0.training_ids,
    )
    .await?;
    Ok(HttpResponse::Ok().json(PlanView::from(p)))
}

/// An employee's development plan for a cycle with its status (`none` without one): for whoever
/// reads the employee.
#[utoipa::path(
    tag = "training",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The employee's id"), CycleQuery),
    responses(
        (status = 200, description = "The plan.", body = PlanView),
        (status = 404, description = "No such employee in the caller's scope, or no such cycle (`not_found`)."),
    )
)]
#[get("/employees/{id}/development-plan")]
pub async fn get_plan(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Query<CycleQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = training::plan(&state.db, &caller.caller, id.into_inner(), query.cycle_id).await?;
    Ok(HttpResponse::Ok().json(PlanView::from(p)))
}
