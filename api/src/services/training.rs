//! Competency development (DOMAIN §4): the programme catalogue, enrolment and completion, the
//! external records an employee submits and his superior decides, the yearly JP compliance, the
//! recommendations that follow an employee's evaluations, and the development plan his superior
//! accepts from them.
//!
//! Who does what:
//! - programmes: admins (BKPSDM) create and change them; every signed-in person reads them;
//! - enrolment: the employee himself, a superior in his reporting line, the unit admin of his
//!   unit, or an admin; dropping out: the same people;
//! - attendance and completion: the organisers, i.e. admins and the unit admin of his unit;
//! - external records: the employee submits; his direct superior (an admin when he has none)
//!   approves or rejects; only approved records count;
//! - development plans: the direct superior (or an admin) accepts recommended programmes.
//!
//! Outside what the caller may read about an employee he gets 404, as everywhere.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use kinerja_domain::accounts::Scope;
use kinerja_domain::assessment::{EvaluationStatus, wib_date};
use kinerja_domain::cycle::Settings;
use kinerja_domain::org::whole_subtree;
use kinerja_domain::skp::SkpStatus;
use kinerja_domain::training::{
    self as rules, Compliance, Finding, IndicatorOutcome, JpError, Method, Offer, Outcome,
    ParticipationError, ParticipationStatus, PlanStatus, RecordSource, RecordStatus, Requirement,
    Route, ScheduleError, Session,
};
use kinerja_persistence::repos::employees::{self, EmployeeFilter, EmployeeRecord};
use kinerja_persistence::repos::training::{
    self as repo, ParticipantRecord, PlanItemRecord, PlanRecord, ProgrammeFilter, ProgrammeRecord,
    RecordFilter, RecordRecord,
};
use kinerja_persistence::repos::{cycles, evaluations, skps as skp_repo, units};
use kinerja_persistence::{Db, ListQuery, Page, PersistenceError, Store};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use super::realizations::capaian_of;
use super::scope::{self, EmployeeAccess};
use super::{Context, employees as employee_service};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::http::precondition::IfMatch;

const MAX_TITLE: usize = 200;
const MAX_PROVIDER: usize = 200;
const MAX_CERTIFICATE: usize = 100;
const MAX_EVIDENCE: usize = 2000;
const MAX_LOCATION: usize = 200;
const MAX_TAGS: usize = 20;
const MAX_SESSIONS: usize = 366;
const MAX_QUOTA: u32 = 100_000;

fn programme_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail(
        "No such training programme.",
        "Program pengembangan kompetensi tidak ditemukan.",
    )
}

fn participant_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail(
        "The employee is not a participant of this programme.",
        "Pegawai bukan peserta program ini.",
    )
}

fn record_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail(
        "No such training record.",
        "Catatan pelatihan tidak ditemukan.",
    )
}

fn forbidden(en: &'static str, id: &'static str) -> ApiError {
    ApiError::new(ErrorCode::Forbidden).with_detail(en, id)
}

fn participation_error(e: ParticipationError) -> ApiError {
    match e {
        ParticipationError::AlreadyEnrolled => ApiError::new(ErrorCode::AlreadyEnrolled),
        ParticipationError::Completed => ApiError::new(ErrorCode::AlreadyEnrolled).with_detail(
            "The employee has completed this programme.",
            "Pegawai sudah menyelesaikan program ini.",
        ),
        ParticipationError::Dropped => ApiError::new(ErrorCode::ParticipationClosed).with_detail(
            "The participation was dropped; enrol again first.",
            "Keikutsertaan sudah dibatalkan; daftar ulang lebih dulu.",
        ),
        ParticipationError::Full => ApiError::new(ErrorCode::TrainingFull),
    }
}

fn jp_error(field: &str, e: JpError) -> FieldError {
    let (code, id) = match e {
        JpError::NotPositive => ("not_positive", "harus lebih dari 0"),
        JpError::TooPrecise => ("too_precise", "paling banyak 2 angka desimal"),
        JpError::UnderOneMinute => ("too_small", "kurang dari satu menit"),
        JpError::TooLarge => ("too_large", "paling banyak 2000 JP"),
    };
    FieldError::of(field, code, e.to_string(), id)
}

/// A required single-line text of at most `max` characters, trimmed.
fn line(field: &str, raw: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let t = raw.trim();
    if t.is_empty() {
        errors.push(FieldError::of(
            field,
            "required",
            "is required",
            "wajib diisi",
        ));
    } else if t.chars().count() > max {
        errors.push(FieldError::of(
            field,
            "too_long",
            format!("at most {max} characters"),
            format!("paling panjang {max} karakter"),
        ));
    }
    t.to_owned()
}

/// An optional text: blank is none.
fn optional(
    field: &str,
    raw: Option<String>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let t = raw.map(|r| r.trim().to_owned()).filter(|t| !t.is_empty())?;
    if t.chars().count() > max {
        errors.push(FieldError::of(
            field,
            "too_long",
            format!("at most {max} characters"),
            format!("paling panjang {max} karakter"),
        ));
    }
    Some(t)
}

fn route_matches(route: Route, method: Method, errors: &mut Vec<FieldError>) {
    if method.route() != route {
        errors.push(FieldError::of(
            "method",
            "wrong_route",
            format!(
                "{} belongs to the {} route",
                method.as_str(),
                method.route().as_str()
            ),
            format!(
                "{} termasuk jalur {}",
                method.as_str(),
                method.route().as_str()
            ),
        ));
    }
}

/// Today in WIB: the calendar JP years and dates are counted in.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    wib_date(now)
}

// ---------------------------------------------------------------------------------------------
// Programmes

/// A programme as written by an admin.
#[derive(Debug, Clone)]
pub struct ProgrammeInput {
    pub title: String,
    pub description: Option<String>,
    pub route: Route,
    pub method: Method,
    /// None: the caller could not read the figure and reported why.
    pub jp: Option<Decimal>,
    pub competencies: Vec<String>,
    pub provider: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub quota: Option<u32>,
    pub sessions: Vec<Session>,
}

impl ProgrammeInput {
    pub fn of(p: &ProgrammeRecord) -> ProgrammeInput {
        ProgrammeInput {
            title: p.title.clone(),
            description: p.description.clone(),
            route: p.route,
            method: p.method,
            jp: Some(rules::jp_of(p.jp_minutes)),
            competencies: p.competencies.clone(),
            provider: p.provider.clone(),
            start_date: p.start_date,
            end_date: p.end_date,
            quota: p.quota,
            sessions: p.sessions.clone(),
        }
    }
}

/// A programme with the seats its participants hold.
#[derive(Debug, Clone)]
pub struct Programme {
    pub record: ProgrammeRecord,
    pub seats_taken: u64,
}

/// The checked fields of a programme, or every field error. `jp_minutes` keeps the stored
/// minutes when the JP figure did not change (no double rounding).
fn checked_programme(
    input: ProgrammeInput,
    keep_minutes: Option<(Decimal, i64)>,
    mut errors: Vec<FieldError>,
) -> Result<ProgrammeRecordFields, ApiError> {
    let title = line("title", &input.title, MAX_TITLE, &mut errors);
    let provider = line("provider", &input.provider, MAX_PROVIDER, &mut errors);
    let description = match input.description {
        Some(d) if !d.trim().is_empty() => super::text("description", &d)
            .map_err(|e| errors.push(e))
            .ok(),
        _ => None,
    };
    route_matches(input.route, input.method, &mut errors);
    let jp_minutes = match input.jp {
        // The caller reported why there is no figure.
        None => 0,
        Some(jp) => match keep_minutes {
            Some((old_jp, minutes)) if old_jp == jp => minutes,
            _ => rules::minutes_of(jp).unwrap_or_else(|e| {
                errors.push(jp_error("jp", e));
                0
            }),
        },
    };
    let competencies = tags(&input.competencies, &mut errors);
    if let Err((index, e)) =
        rules::check_schedule(input.start_date, input.end_date, &input.sessions)
    {
        let (field, code, id) = match (index, e) {
            (None, _) => (
                "end_date".to_owned(),
                "before_start",
                "sebelum tanggal mulai".to_owned(),
            ),
            (Some(i), ScheduleError::SessionOutside) => (
                format!("sessions[{i}].date"),
                "outside_programme",
                "di luar tanggal program".to_owned(),
            ),
            (Some(i), _) => (
                format!("sessions[{i}].end_time"),
                "before_start",
                "sebelum jam mulai".to_owned(),
            ),
        };
        errors.push(FieldError::of(&field, code, e.to_string(), id));
    }
    if input.sessions.len() > MAX_SESSIONS {
        errors.push(FieldError::of(
            "sessions",
            "too_many",
            format!("at most {MAX_SESSIONS} sessions"),
            format!("paling banyak {MAX_SESSIONS} sesi"),
        ));
    }
    let mut sessions = input.sessions;
    for (i, s) in sessions.iter_mut().enumerate() {
        s.location = optional(
            &format!("sessions[{i}].location"),
            s.location.take(),
            MAX_LOCATION,
            &mut errors,
        );
    }
    sessions.sort_by_key(|s| (s.date, s.start_time));
    if input.quota.is_some_and(|q| q == 0 || q > MAX_QUOTA) {
        errors.push(FieldError::of(
            "quota",
            "out_of_range",
            format!("from 1 to {MAX_QUOTA} seats (leave it out for no limit)"),
            format!("1 sampai {MAX_QUOTA} kursi (kosongkan bila tanpa batas)"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    Ok(ProgrammeRecordFields {
        title,
        description,
        route: input.route,
        method: input.method,
        jp_minutes,
        competencies,
        provider,
        start_date: input.start_date,
        end_date: input.end_date,
        quota: input.quota,
        sessions,
    })
}

struct ProgrammeRecordFields {
    title: String,
    description: Option<String>,
    route: Route,
    method: Method,
    jp_minutes: i64,
    competencies: Vec<String>,
    provider: String,
    start_date: NaiveDate,
    end_date: NaiveDate,
    quota: Option<u32>,
    sessions: Vec<Session>,
}

impl ProgrammeRecordFields {
    fn apply(self, r: &mut ProgrammeRecord) {
        r.title = self.title;
        r.description = self.description;
        r.route = self.route;
        r.method = self.method;
        r.jp_minutes = self.jp_minutes;
        r.competencies = self.competencies;
        r.provider = self.provider;
        r.start_date = self.start_date;
        r.end_date = self.end_date;
        r.quota = self.quota;
        r.sessions = self.sessions;
    }
}

/// Checks each tag; answers them without duplicates, in the order given.
fn tags(raw: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        match rules::tag(t) {
            Ok(t) if !out.contains(&t) => out.push(t),
            Ok(_) => {}
            Err(e) => errors.push(FieldError::of(
                &format!("competencies[{i}]"),
                "malformed",
                e.to_string(),
                "2 sampai 50 karakter: huruf kecil, angka dan garis bawah",
            )),
        }
    }
    if out.len() > MAX_TAGS {
        errors.push(FieldError::of(
            "competencies",
            "too_many",
            format!("at most {MAX_TAGS} tags"),
            format!("paling banyak {MAX_TAGS} tag"),
        ));
    }
    out
}

fn programme_audit(p: &ProgrammeRecord) -> Value {
    json!({
        "title": p.title, "route": p.route.as_str(), "method": p.method.as_str(),
        "jp_minutes": p.jp_minutes, "competencies": p.competencies, "provider": p.provider,
        "start_date": p.start_date, "end_date": p.end_date, "quota": p.quota,
        "sessions": p.sessions.len(), "version": p.version,
    })
}

/// Adds a programme; `errors` are those the caller found reading the request (reported with
/// the rest).
pub async fn create_programme(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    input: ProgrammeInput,
    errors: Vec<FieldError>,
) -> Result<Programme, ApiError> {
    let fields = checked_programme(input, None, errors)?;
    let mut record = ProgrammeRecord {
        id: Uuid::now_v7(),
        title: String::new(),
        description: None,
        route: fields.route,
        method: fields.method,
        jp_minutes: 0,
        competencies: Vec::new(),
        provider: String::new(),
        start_date: fields.start_date,
        end_date: fields.end_date,
        quota: None,
        sessions: Vec::new(),
        created_by: caller.user().map(|u| u.id),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    fields.apply(&mut record);
    let tx = db.begin().await?;
    repo::insert_programme(&tx, &record).await?;
    ctx.audit(
        &tx,
        "training.created",
        "training",
        record.id,
        None,
        Some(programme_audit(&record)),
    )
    .await?;
    tx.commit().await?;
    Ok(Programme {
        record,
        seats_taken: 0,
    })
}

/// What a PATCH changes: each field absent keeps its value.
#[derive(Debug, Clone, Default)]
pub struct ProgrammePatch {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub route: Option<Route>,
    pub method: Option<Method>,
    pub jp: Option<Decimal>,
    pub competencies: Option<Vec<String>>,
    pub provider: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub quota: Option<Option<u32>>,
    pub sessions: Option<Vec<Session>>,
}

/// Changes a programme; `errors` as for [`create_programme`].
pub async fn patch_programme(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
    patch: ProgrammePatch,
    mut errors: Vec<FieldError>,
) -> Result<Programme, ApiError> {
    let tx = db.begin().await?;
    let mut record = repo::get_programme_locked(&tx, id)
        .await?
        .ok_or_else(programme_not_found)?;
    if_match.require(record.version)?;
    let before = programme_audit(&record);
    let old = ProgrammeInput::of(&record);
    let input = ProgrammeInput {
        title: patch.title.unwrap_or(old.title),
        description: patch.description.unwrap_or(old.description),
        route: patch.route.unwrap_or(old.route),
        method: patch.method.unwrap_or(old.method),
        jp: patch.jp.or(old.jp),
        competencies: patch.competencies.unwrap_or(old.competencies),
        provider: patch.provider.unwrap_or(old.provider),
        start_date: patch.start_date.unwrap_or(old.start_date),
        end_date: patch.end_date.unwrap_or(old.end_date),
        quota: patch.quota.unwrap_or(old.quota),
        sessions: patch.sessions.unwrap_or(old.sessions),
    };
    let taken = repo::seats_taken(&tx, id).await?;
    if let Some(q) = input.quota
        && u64::from(q) < taken
    {
        errors.push(FieldError::of(
            "quota",
            "below_seats_taken",
            format!("{taken} seats are taken already"),
            format!("{taken} kursi sudah terisi"),
        ));
    }
    let keep = old.jp.map(|jp| (jp, record.jp_minutes));
    let fields = checked_programme(input, keep, errors)?;
    let expected = record.version;
    fields.apply(&mut record);
    record.version += 1;
    record.updated_at = ctx.now;
    repo::update_programme(&tx, &record, expected).await?;
    ctx.audit(
        &tx,
        "training.updated",
        "training",
        id,
        Some(before),
        Some(programme_audit(&record)),
    )
    .await?;
    tx.commit().await?;
    Ok(Programme {
        record,
        seats_taken: taken,
    })
}

pub async fn get_programme(db: &Db, id: Uuid) -> Result<Programme, ApiError> {
    let record = repo::get_programme(db, id)
        .await?
        .ok_or_else(programme_not_found)?;
    let seats_taken = repo::seats_taken(db, id).await?;
    Ok(Programme {
        record,
        seats_taken,
    })
}

pub async fn list_programmes(
    db: &Db,
    filter: &ProgrammeFilter,
    query: &ListQuery,
) -> Result<Page<Programme>, ApiError> {
    let page = repo::list_programmes(db, filter, query).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|p| p.id).collect();
    let seats = repo::seats_of(db, &ids).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|record| Programme {
                seats_taken: seats.get(&record.id).copied().unwrap_or(0),
                record,
            })
            .collect(),
        total: page.total,
    })
}

// ---------------------------------------------------------------------------------------------
// Participation

/// How the caller stands to an employee, for competency development.
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    is_self: bool,
    /// A superior anywhere in the employee's reporting line.
    in_line_above: bool,
    /// The employee's direct superior (or an admin when he has none).
    direct_superior: bool,
    /// An admin, or the unit admin of the employee's unit.
    organiser: bool,
}

async fn standing(
    db: &Db,
    caller: &Caller,
    employee: &EmployeeRecord,
) -> Result<Standing, ApiError> {
    let me = caller.user().and_then(|u| u.employee_id);
    let mut in_line_above = false;
    if let Some(me) = me.filter(|me| *me != employee.id) {
        // Up the supervisor chain (a few links; a circular one ends the walk).
        let mut seen = HashSet::from([employee.id]);
        let mut at = employee.supervisor_id;
        while let Some(id) = at.filter(|id| seen.insert(*id)) {
            if id == me {
                in_line_above = true;
                break;
            }
            at = employees::get(db, id).await?.and_then(|e| e.supervisor_id);
        }
    }
    let direct_superior = match employee.supervisor_id {
        Some(sup) => me == Some(sup),
        None => caller.is_admin(),
    };
    Ok(Standing {
        is_self: me == Some(employee.id),
        in_line_above,
        direct_superior,
        organiser: caller.is_admin() || scope::manages_unit(db, caller, employee.unit_id).await?,
    })
}

fn participant_audit(p: &ParticipantRecord) -> Value {
    json!({
        "training_id": p.training_id, "employee_id": p.employee_id, "status": p.status.as_str(),
        "record_id": p.record_id, "drop_reason": p.drop_reason, "version": p.version,
    })
}

fn record_audit(r: &RecordRecord) -> Value {
    json!({
        "employee_id": r.employee_id, "source": r.source.as_str(), "training_id": r.training_id,
        "title": r.title, "route": r.route.as_str(), "method": r.method.as_str(),
        "jp_minutes": r.jp_minutes, "completed_on": r.completed_on,
        "certificate_no": r.certificate_no, "status": r.status.as_str(),
        "decision_reason": r.decision_reason, "version": r.version,
    })
}

/// Seats in `tx`: the programme row is locked first (PostgreSQL `FOR UPDATE`; SQLite
/// transactions write one at a time), so two enrolments cannot both take the last seat.
async fn take_seat(
    tx: &kinerja_persistence::Tx,
    ctx: &Context,
    caller: &Caller,
    programme: &ProgrammeRecord,
    employee_id: Uuid,
) -> Result<ParticipantRecord, ApiError> {
    let current = repo::participant(tx, programme.id, employee_id).await?;
    let taken = repo::seats_taken(tx, programme.id).await?;
    rules::may_enrol(
        current.as_ref().map(|p| p.status),
        programme.quota,
        u32::try_from(taken).unwrap_or(u32::MAX),
    )
    .map_err(participation_error)?;
    let by = caller.user().map(|u| u.id);
    let participant = match current {
        // Dropped before: the same row takes the seat again.
        Some(mut p) => {
            let before = participant_audit(&p);
            let expected = p.version;
            p.status = ParticipationStatus::Enrolled;
            p.enrolled_by = by;
            p.enrolled_at = ctx.now;
            p.attended_at = None;
            p.dropped_at = None;
            p.drop_reason = None;
            p.version += 1;
            p.updated_at = ctx.now;
            repo::update_participant(tx, &p, expected).await?;
            ctx.audit(
                tx,
                "training.enrolled",
                "training",
                programme.id,
                Some(before),
                Some(participant_audit(&p)),
            )
            .await?;
            p
        }
        None => {
            let p = ParticipantRecord {
                id: Uuid::now_v7(),
                training_id: programme.id,
                employee_id,
                status: ParticipationStatus::Enrolled,
                enrolled_by: by,
                enrolled_at: ctx.now,
                attended_at: None,
                completed_at: None,
                dropped_at: None,
                drop_reason: None,
                record_id: None,
                version: 1,
                updated_at: ctx.now,
            };
            repo::insert_participant(tx, &p)
                .await
                .map_err(|e| match e {
                    PersistenceError::Conflict(_) => {
                        participation_error(ParticipationError::AlreadyEnrolled)
                    }
                    other => other.into(),
                })?;
            ctx.audit(
                tx,
                "training.enrolled",
                "training",
                programme.id,
                None,
                Some(participant_audit(&p)),
            )
            .await?;
            p
        }
    };
    Ok(participant)
}

fn ensure_open(programme: &ProgrammeRecord, now: DateTime<Utc>) -> Result<(), ApiError> {
    if programme.end_date < today(now) {
        return Err(ApiError::new(ErrorCode::TrainingEnded).with_detail(
            format!("The programme ended on {}.", programme.end_date),
            format!("Program berakhir pada {}.", programme.end_date),
        ));
    }
    Ok(())
}

/// An active employee the caller may read, for `field`.
async fn employee_for(db: &Db, caller: &Caller, id: Uuid) -> Result<EmployeeRecord, ApiError> {
    employee_service::get(db, caller, id).await
}

/// Enrols an employee: himself, a superior in his line, his unit admin or an admin.
pub async fn enrol(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    training_id: Uuid,
    employee_id: Uuid,
) -> Result<ParticipantRecord, ApiError> {
    let programme = repo::get_programme(db, training_id)
        .await?
        .ok_or_else(programme_not_found)?;
    let employee = employee_for(db, caller, employee_id).await?;
    let who = standing(db, caller, &employee).await?;
    if !(who.is_self || who.in_line_above || who.organiser) {
        return Err(forbidden(
            "An employee is enrolled by himself, a superior, his unit admin or an admin.",
            "Pegawai didaftarkan oleh dirinya, atasannya, operator unitnya atau admin.",
        ));
    }
    if !employee.is_active() {
        return Err(ApiError::invalid(vec![FieldError::of(
            "employee_id",
            "employee_inactive",
            "the employee is not active",
            "pegawai tidak aktif",
        )]));
    }
    ensure_open(&programme, ctx.now)?;
    let tx = db.begin().await?;
    let programme = repo::get_programme_locked(&tx, training_id)
        .await?
        .ok_or_else(programme_not_found)?;
    let participant = take_seat(&tx, ctx, caller, &programme, employee_id).await?;
    tx.commit().await?;
    Ok(participant)
}

/// A participation and its employee, for a change by the caller.
async fn participation(
    db: &Db,
    caller: &Caller,
    (training_id, employee_id): (Uuid, Uuid),
) -> Result<(ProgrammeRecord, EmployeeRecord, ParticipantRecord, Standing), ApiError> {
    let programme = repo::get_programme(db, training_id)
        .await?
        .ok_or_else(programme_not_found)?;
    let employee = employee_for(db, caller, employee_id).await?;
    let participant = repo::participant(db, training_id, employee_id)
        .await?
        .ok_or_else(participant_not_found)?;
    let who = standing(db, caller, &employee).await?;
    Ok((programme, employee, participant, who))
}

async fn save_participant(
    db: &Db,
    ctx: &Context,
    action: &str,
    mut p: ParticipantRecord,
    before: Value,
    record: Option<&RecordRecord>,
) -> Result<ParticipantRecord, ApiError> {
    let expected = p.version;
    p.version += 1;
    p.updated_at = ctx.now;
    let tx = db.begin().await?;
    if let Some(r) = record {
        repo::insert_record(&tx, r).await?;
    }
    repo::update_participant(&tx, &p, expected).await?;
    ctx.audit(
        &tx,
        action,
        "training",
        p.training_id,
        Some(before),
        Some(participant_audit(&p)),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// The actions the caller may take on a participation now, among `attend`, `complete`, `drop`.
fn participation_actions(p: &ParticipantRecord, who: Standing) -> Vec<&'static str> {
    let mut out = Vec::new();
    if who.organiser && p.status.attend().is_ok() {
        out.push("attend");
    }
    if who.organiser && p.status.complete().is_ok() {
        out.push("complete");
    }
    if (who.is_self || who.in_line_above || who.organiser) && p.status.drop_out().is_ok() {
        out.push("drop");
    }
    out
}

/// One participation the caller may read (through its employee), with the actions he may take.
pub async fn participant(
    db: &Db,
    caller: &Caller,
    route: (Uuid, Uuid),
) -> Result<(ParticipantRecord, Vec<&'static str>), ApiError> {
    let (_, _, p, who) = participation(db, caller, route).await?;
    let actions = participation_actions(&p, who);
    Ok((p, actions))
}

/// Marks attendance (the organisers).
pub async fn attend(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Uuid),
    if_match: &IfMatch,
) -> Result<ParticipantRecord, ApiError> {
    let (_, _, mut p, who) = participation(db, caller, route).await?;
    if !who.organiser {
        return Err(organisers_only());
    }
    if_match.honour(p.version)?;
    let before = participant_audit(&p);
    p.status = p.status.attend().map_err(closed)?;
    p.attended_at.get_or_insert(ctx.now);
    save_participant(db, ctx, "training.attended", p, before, None).await
}

fn organisers_only() -> ApiError {
    forbidden(
        "Attendance and completion are recorded by admins and the employee's unit admin.",
        "Kehadiran dan kelulusan dicatat oleh admin dan operator unit pegawai.",
    )
}

fn closed(e: ParticipationError) -> ApiError {
    match e {
        ParticipationError::Completed => ApiError::new(ErrorCode::ParticipationClosed).with_detail(
            "The participation is completed.",
            "Keikutsertaan sudah selesai.",
        ),
        other => participation_error(other),
    }
}

/// A completion as recorded by an organiser.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// JP earned; default the programme's JP, at most that.
    pub jp: Option<Decimal>,
    pub certificate_no: Option<String>,
    /// Default today (WIB).
    pub completed_on: Option<NaiveDate>,
}

/// Completes a participation: writes the approved training record that counts its JP.
pub async fn complete(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Uuid),
    if_match: &IfMatch,
    input: Completion,
) -> Result<(ParticipantRecord, RecordRecord), ApiError> {
    let (programme, employee, mut p, who) = participation(db, caller, route).await?;
    if !who.organiser {
        return Err(organisers_only());
    }
    if_match.honour(p.version)?;
    let mut errors = Vec::new();
    let minutes = match input.jp {
        None => programme.jp_minutes,
        Some(jp) => match rules::minutes_of(jp) {
            Ok(m) if m > programme.jp_minutes => {
                errors.push(FieldError::of(
                    "jp",
                    "above_programme",
                    format!(
                        "at most the programme's {} JP",
                        rules::jp_of(programme.jp_minutes)
                    ),
                    format!(
                        "paling banyak {} JP program",
                        rules::jp_of(programme.jp_minutes)
                    ),
                ));
                0
            }
            Ok(m) => m,
            Err(e) => {
                errors.push(jp_error("jp", e));
                0
            }
        },
    };
    let certificate_no = optional(
        "certificate_no",
        input.certificate_no,
        MAX_CERTIFICATE,
        &mut errors,
    );
    let completed_on = input.completed_on.unwrap_or_else(|| today(ctx.now));
    if completed_on < programme.start_date || completed_on > today(ctx.now) {
        errors.push(FieldError::of(
            "completed_on",
            "out_of_range",
            "between the programme's start date and today",
            "antara tanggal mulai program dan hari ini",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let before = participant_audit(&p);
    p.status = p.status.complete().map_err(closed)?;
    let record = RecordRecord {
        id: Uuid::now_v7(),
        employee_id: employee.id,
        source: RecordSource::Programme,
        training_id: Some(programme.id),
        title: programme.title.clone(),
        route: programme.route,
        method: programme.method,
        jp_minutes: minutes,
        completed_on,
        certificate_no,
        evidence: None,
        status: RecordStatus::Approved,
        submitted_by: caller.user().map(|u| u.id),
        decided_by: caller.user().map(|u| u.id),
        decided_at: Some(ctx.now),
        decision_reason: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    refuse_duplicate(db, &record).await?;
    p.completed_at = Some(ctx.now);
    p.record_id = Some(record.id);
    let p = save_participant(db, ctx, "training.completed", p, before, Some(&record)).await?;
    Ok((p, record))
}

/// Leaves a programme: the employee himself, a superior in his line, his unit admin or an admin.
pub async fn drop_out(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Uuid),
    if_match: &IfMatch,
    reason: Option<String>,
) -> Result<ParticipantRecord, ApiError> {
    let (_, _, mut p, who) = participation(db, caller, route).await?;
    if !(who.is_self || who.in_line_above || who.organiser) {
        return Err(forbidden(
            "A participation is dropped by the employee, a superior, his unit admin or an admin.",
            "Keikutsertaan dibatalkan oleh pegawai, atasannya, operator unitnya atau admin.",
        ));
    }
    if_match.honour(p.version)?;
    let mut errors = Vec::new();
    let reason = match reason {
        Some(r) if !r.trim().is_empty() => {
            super::text("reason", &r).map_err(|e| errors.push(e)).ok()
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let before = participant_audit(&p);
    p.status = p.status.drop_out().map_err(closed)?;
    p.dropped_at = Some(ctx.now);
    p.drop_reason = reason;
    save_participant(db, ctx, "training.dropped", p, before, None).await
}

/// One page of a programme's participants: all of them for admins, auditors and services with
/// `read:performance`; otherwise those the caller may read.
pub async fn participants(
    db: &Db,
    caller: &Caller,
    training_id: Uuid,
    updated_since: Option<DateTime<Utc>>,
    query: &ListQuery,
) -> Result<Page<ParticipantRecord>, ApiError> {
    repo::get_programme(db, training_id)
        .await?
        .ok_or_else(programme_not_found)?;
    let visible = visible_employees(db, caller).await?;
    Ok(repo::participants_of(db, training_id, visible.as_deref(), updated_since, query).await?)
}

/// The employees the caller may read, as ids; none: everyone.
async fn visible_employees(db: &Db, caller: &Caller) -> Result<Option<Vec<Uuid>>, ApiError> {
    if caller.has_scope(Scope::ReadPerformance) {
        return Ok(None);
    }
    Ok(match scope::employee_access(db, caller).await? {
        EmployeeAccess::All => None,
        EmployeeAccess::Only(ids) => Some(ids.into_iter().collect()),
        EmployeeAccess::Nothing => Some(Vec::new()),
        EmployeeAccess::InUnits(units) => {
            let filter = EmployeeFilter {
                unit_ids: Some(units.into_iter().collect()),
                ..Default::default()
            };
            Some(
                all_employees(db, &filter)
                    .await?
                    .into_iter()
                    .map(|e| e.id)
                    .collect(),
            )
        }
    })
}

pub(crate) async fn all_employees(
    db: &Db,
    filter: &EmployeeFilter,
) -> Result<Vec<EmployeeRecord>, ApiError> {
    const BATCH: u64 = 5000;
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let batch = employees::list_all(db, filter, &[], offset, BATCH).await?;
        let n = batch.len() as u64;
        out.extend(batch);
        if n < BATCH {
            return Ok(out);
        }
        offset += n;
    }
}

// ---------------------------------------------------------------------------------------------
// Training records

/// A record the employee submits himself, with evidence.
#[derive(Debug, Clone)]
pub struct ExternalInput {
    pub title: String,
    pub route: Route,
    pub method: Method,
    pub jp: Option<Decimal>,
    pub completed_on: NaiveDate,
    pub certificate_no: Option<String>,
    pub evidence: String,
}

/// The earliest completion date a record may carry.
pub fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// 409 when the employee already has a live record of the same certificate (or, without one,
/// of the same title on the same date): JP count once. Rejected records do not block.
async fn refuse_duplicate(db: &impl Store, r: &RecordRecord) -> Result<(), ApiError> {
    let existing = repo::records_of(db, r.employee_id, None).await?;
    if existing
        .iter()
        .any(|e| e.status != RecordStatus::Rejected && same_key(e, r))
    {
        return Err(ApiError::new(ErrorCode::DuplicateRecord));
    }
    Ok(())
}

/// The natural key of DESIGN §3: certificate number, or title and completion date without one.
pub fn same_key(a: &RecordRecord, b: &RecordRecord) -> bool {
    match (&a.certificate_no, &b.certificate_no) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        (None, None) => {
            a.completed_on == b.completed_on && a.title.to_lowercase() == b.title.to_lowercase()
        }
        _ => false,
    }
}

pub async fn submit_external(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    employee_id: Uuid,
    input: ExternalInput,
) -> Result<RecordRecord, ApiError> {
    let employee = employee_for(db, caller, employee_id).await?;
    if caller.user().and_then(|u| u.employee_id) != Some(employee.id) {
        return Err(forbidden(
            "An external training record is submitted by the employee himself.",
            "Catatan pelatihan eksternal diajukan oleh pegawai sendiri.",
        ));
    }
    let mut errors = Vec::new();
    let title = line("title", &input.title, MAX_TITLE, &mut errors);
    route_matches(input.route, input.method, &mut errors);
    let minutes = match input.jp {
        // The caller reported why there is no figure.
        None => 0,
        Some(jp) => rules::minutes_of(jp).unwrap_or_else(|e| {
            errors.push(jp_error("jp", e));
            0
        }),
    };
    if input.completed_on > today(ctx.now) || input.completed_on < earliest() {
        errors.push(FieldError::of(
            "completed_on",
            "out_of_range",
            "from 2000-01-01 up to today",
            "dari 2000-01-01 sampai hari ini",
        ));
    }
    let certificate_no = optional(
        "certificate_no",
        input.certificate_no,
        MAX_CERTIFICATE,
        &mut errors,
    );
    let evidence = line("evidence", &input.evidence, MAX_EVIDENCE, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let record = RecordRecord {
        id: Uuid::now_v7(),
        employee_id,
        source: RecordSource::External,
        training_id: None,
        title,
        route: input.route,
        method: input.method,
        jp_minutes: minutes,
        completed_on: input.completed_on,
        certificate_no,
        evidence: Some(evidence),
        status: RecordStatus::Pending,
        submitted_by: caller.user().map(|u| u.id),
        decided_by: None,
        decided_at: None,
        decision_reason: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let tx = db.begin().await?;
    refuse_duplicate(&tx, &record).await?;
    repo::insert_record(&tx, &record).await?;
    ctx.audit(
        &tx,
        "training_record.submitted",
        "training_record",
        record.id,
        None,
        Some(record_audit(&record)),
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

/// A record the caller may read (through its employee).
pub async fn get_record(
    db: &Db,
    caller: &Caller,
    id: Uuid,
) -> Result<(RecordRecord, EmployeeRecord), ApiError> {
    let record = repo::get_record(db, id)
        .await?
        .ok_or_else(record_not_found)?;
    let employee = employee_service::get(db, caller, record.employee_id)
        .await
        .map_err(|_| record_not_found())?;
    Ok((record, employee))
}

/// The actions the caller may take on a record now: `approve` and `reject` for the direct
/// superior of a pending one.
pub async fn record_actions(
    db: &Db,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<&'static str>, ApiError> {
    let (record, employee) = get_record(db, caller, id).await?;
    let who = standing(db, caller, &employee).await?;
    Ok(
        if who.direct_superior && record.status == RecordStatus::Pending {
            vec!["approve", "reject"]
        } else {
            Vec::new()
        },
    )
}

/// The superior approves or rejects a pending record (a reason is required to reject).
pub async fn decide(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    approve: bool,
    reason: Option<String>,
) -> Result<RecordRecord, ApiError> {
    let (mut record, employee) = get_record(db, caller, id).await?;
    let who = standing(db, caller, &employee).await?;
    if !who.direct_superior {
        return Err(forbidden(
            "A training record is decided by the employee's direct superior (an admin when he has none).",
            "Catatan pelatihan diputuskan oleh atasan langsung pegawai (admin bila tidak ada).",
        ));
    }
    if_match.honour(record.version)?;
    let reason = match reason {
        Some(r) if !r.trim().is_empty() => {
            Some(super::text("reason", &r).map_err(|e| ApiError::invalid(vec![e]))?)
        }
        _ if !approve => {
            return Err(ApiError::invalid(vec![FieldError::of(
                "reason",
                "required",
                "say why the record is rejected",
                "sebutkan alasan penolakan",
            )]));
        }
        _ => None,
    };
    let before = record_audit(&record);
    record.status = record
        .status
        .decide(approve)
        .map_err(|_| ApiError::new(ErrorCode::RecordDecided))?;
    record.decided_by = caller.user().map(|u| u.id);
    record.decided_at = Some(ctx.now);
    record.decision_reason = reason;
    let expected = record.version;
    record.version += 1;
    record.updated_at = ctx.now;
    let tx = db.begin().await?;
    repo::update_record(&tx, &record, expected).await?;
    ctx.audit(
        &tx,
        if approve {
            "training_record.approved"
        } else {
            "training_record.rejected"
        },
        "training_record",
        record.id,
        Some(before),
        Some(record_audit(&record)),
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

/// The requirement of a year: the settings of that year's cycle, the defaults without one.
pub async fn settings_of_year(db: &impl Store, year: i32) -> Result<Settings, ApiError> {
    Ok(cycles::by_years(db, &[year])
        .await?
        .into_iter()
        .next()
        .map(|c| c.settings)
        .unwrap_or_default())
}

/// One employee's records of a year (every status), where he stands, and the minutes still
/// waiting for approval.
#[derive(Debug, Clone)]
pub struct EmployeeYear {
    pub employee: EmployeeRecord,
    pub records: Vec<RecordRecord>,
    pub compliance: Compliance,
    pub pending_minutes: i64,
}

pub async fn records_of_employee(
    db: &Db,
    caller: &Caller,
    employee_id: Uuid,
    year: i32,
) -> Result<EmployeeYear, ApiError> {
    let employee = employee_for(db, caller, employee_id).await?;
    let records = repo::records_of(db, employee_id, Some(year)).await?;
    let minutes_with = |status: RecordStatus| -> i64 {
        records
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.jp_minutes)
            .sum()
    };
    let settings = settings_of_year(db, year).await?;
    let compliance = rules::compliance(
        minutes_with(RecordStatus::Approved),
        Requirement::of(employee.employment_type, &settings),
    );
    let pending_minutes = minutes_with(RecordStatus::Pending);
    Ok(EmployeeYear {
        employee,
        records,
        compliance,
        pending_minutes,
    })
}

/// One page of the records the caller may read (a superior's queue: `status=pending`).
pub async fn list_records(
    db: &Db,
    caller: &Caller,
    mut filter: RecordFilter,
    query: &ListQuery,
) -> Result<Page<RecordRecord>, ApiError> {
    if let Some(visible) = visible_employees(db, caller).await? {
        let asked = filter.employee_ids.take();
        filter.employee_ids = Some(match asked {
            Some(asked) => asked.into_iter().filter(|i| visible.contains(i)).collect(),
            None => visible,
        });
    }
    Ok(repo::list_records(db, &filter, query).await?)
}

// ---------------------------------------------------------------------------------------------
// Compliance report

/// Which employees a compliance row lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standings {
    Met,
    Short,
    OverCap,
}

#[derive(Debug, Clone)]
pub struct ComplianceRow {
    pub employee: EmployeeRecord,
    pub compliance: Compliance,
}

impl ComplianceRow {
    pub fn standing(&self) -> Standings {
        if self.compliance.over_cap {
            Standings::OverCap
        } else if self.compliance.met {
            Standings::Met
        } else {
            Standings::Short
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub employees: u64,
    pub met: u64,
    pub short: u64,
    pub over_cap: u64,
    pub minutes: i64,
}

impl Totals {
    fn add(&mut self, row: &ComplianceRow) {
        self.employees += 1;
        self.minutes += row.compliance.minutes;
        match row.standing() {
            Standings::Met => self.met += 1,
            Standings::Short => self.short += 1,
            Standings::OverCap => self.over_cap += 1,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ComplianceReport {
    pub year: i32,
    pub settings: Settings,
    /// The page of employees asked for.
    pub page: Page<ComplianceRow>,
    pub totals: Totals,
    /// Per unit (the employee's own unit), by unit.
    pub units: Vec<(Uuid, Totals)>,
}

/// The units a caller reports on under `unit_id` (its whole subtree; a unit admin the part he
/// manages); without `unit_id`, the city for admins, auditors and services with `read:reports`
/// or `read:performance`, the managed units for a unit admin. Heads of units name their unit.
/// Shared by every unit report (training compliance, participation, payroll figures,
/// `services::reports`).
pub(crate) async fn report_units(
    db: &Db,
    caller: &Caller,
    unit_id: Option<Uuid>,
) -> Result<Option<HashSet<Uuid>>, ApiError> {
    let global = caller.is_admin()
        || caller.is_auditor()
        || caller.has_scope(Scope::ReadReports)
        || caller.has_scope(Scope::ReadPerformance);
    let all = units::all(db).await?;
    let Some(unit_id) = unit_id else {
        if global {
            return Ok(None);
        }
        if let Some(managed) = scope::managed_units(db, caller).await?
            && !managed.is_empty()
        {
            return Ok(Some(managed));
        }
        return Err(ApiError::invalid(vec![FieldError::of(
            "unit_id",
            "required",
            "name the unit you head",
            "sebutkan unit yang Anda pimpin",
        )]));
    };
    if !all.iter().any(|u| u.id == unit_id) {
        return Err(scope::unit_not_found());
    }
    let subtree = whole_subtree(unit_id, &units::children_map(&all));
    if global {
        return Ok(Some(subtree));
    }
    if let Some(me) = caller.user().and_then(|u| u.employee_id)
        && scope::heads_at_or_above(&all, unit_id, me)
    {
        return Ok(Some(subtree));
    }
    if let Some(managed) = scope::managed_units(db, caller).await?
        && managed.contains(&unit_id)
    {
        return Ok(Some(subtree.intersection(&managed).copied().collect()));
    }
    Err(forbidden(
        "A unit's reports are for its head, the heads above, its unit admin, admins and auditors.",
        "Laporan suatu unit untuk kepalanya, atasannya, operatornya, admin dan auditor.",
    ))
}

/// JP compliance of a year per employee (active employees of the units), with totals per unit
/// and overall; `only` narrows the listed employees (not the totals).
pub async fn compliance_report(
    db: &Db,
    caller: &Caller,
    year: i32,
    unit_id: Option<Uuid>,
    only: Option<Standings>,
    query: &ListQuery,
) -> Result<ComplianceReport, ApiError> {
    let units = report_units(db, caller, unit_id).await?;
    let filter = EmployeeFilter {
        unit_ids: units.map(|u| u.into_iter().collect()),
        status: Some(kinerja_domain::org::EmployeeStatus::Active),
        ..Default::default()
    };
    let people = all_employees(db, &filter).await?;
    let settings = settings_of_year(db, year).await?;
    let rows = compliance_rows(db, year, &settings, people, filter.unit_ids.is_none()).await?;
    let mut totals = Totals::default();
    let mut per_unit: BTreeMap<Uuid, Totals> = BTreeMap::new();
    for row in &rows {
        totals.add(row);
        per_unit.entry(row.employee.unit_id).or_default().add(row);
    }
    let mut listed: Vec<ComplianceRow> = rows
        .into_iter()
        .filter(|r| only.is_none_or(|s| r.standing() == s))
        .collect();
    sort_rows(&mut listed, &query.sort);
    let total = listed.len() as u64;
    let start = usize::try_from(query.page.saturating_sub(1).saturating_mul(query.per_page))
        .unwrap_or(usize::MAX);
    let items: Vec<ComplianceRow> = listed
        .into_iter()
        .skip(start)
        .take(usize::try_from(query.per_page).unwrap_or(usize::MAX))
        .collect();
    Ok(ComplianceReport {
        year,
        settings,
        page: Page { items, total },
        totals,
        units: per_unit.into_iter().collect(),
    })
}

/// The JP compliance of a year of each of these employees (approved minutes summed in SQL, in
/// bulk); `everyone` says they are the whole city, so one query without a list of ids serves.
pub(crate) async fn compliance_rows(
    db: &Db,
    year: i32,
    settings: &Settings,
    people: Vec<EmployeeRecord>,
    everyone: bool,
) -> Result<Vec<ComplianceRow>, ApiError> {
    let minutes = if everyone {
        repo::approved_minutes(db, year, None).await?
    } else {
        let ids: Vec<Uuid> = people.iter().map(|e| e.id).collect();
        repo::approved_minutes(db, year, Some(&ids)).await?
    };
    Ok(people
        .into_iter()
        .map(|employee| {
            let m = minutes.get(&employee.id).copied().unwrap_or(0);
            let req = Requirement::of(employee.employment_type, settings);
            ComplianceRow {
                compliance: rules::compliance(m, req),
                employee,
            }
        })
        .collect())
}

pub const COMPLIANCE_SORTABLE: &[&str] = &["name", "nip", "jp"];

fn sort_rows(rows: &mut [ComplianceRow], sort: &[(String, bool)]) {
    rows.sort_by(|a, b| {
        for (field, desc) in sort {
            let order = match field.as_str() {
                "name" => a.employee.name.cmp(&b.employee.name),
                "nip" => a.employee.nip.cmp(&b.employee.nip),
                "jp" => a.compliance.minutes.cmp(&b.compliance.minutes),
                _ => std::cmp::Ordering::Equal,
            };
            let order = if *desc { order.reverse() } else { order };
            if order.is_ne() {
                return order;
            }
        }
        (&a.employee.name, &a.employee.nip).cmp(&(&b.employee.name, &b.employee.nip))
    });
}

// ---------------------------------------------------------------------------------------------
// Recommendations and development plans

/// A recommended programme with the findings it answers.
#[derive(Debug, Clone)]
pub struct Recommended {
    pub programme: Programme,
    /// Indexes into the findings.
    pub findings: Vec<usize>,
    pub matched_tags: Vec<String>,
    /// The employee's participation in it, if any.
    pub participation: Option<ParticipationStatus>,
}

#[derive(Debug, Clone)]
pub struct Recommendations {
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    pub weak_threshold: Decimal,
    pub findings: Vec<Finding>,
    /// A low predikat was found: a development plan is due.
    pub plan_required: bool,
    pub items: Vec<Recommended>,
}

/// The outcomes of an employee's assessed or finalised evaluations in a cycle.
async fn outcomes(db: &Db, employee_id: Uuid, cycle_id: Uuid) -> Result<Vec<Outcome>, ApiError> {
    let mut out = Vec::new();
    for skp in skp_repo::of_employee(db, cycle_id, employee_id).await? {
        if skp.status != SkpStatus::Approved {
            continue;
        }
        let evals: Vec<_> = evaluations::of_skp(db, skp.id)
            .await?
            .into_iter()
            .filter(|e| {
                matches!(
                    e.status,
                    EvaluationStatus::Assessed | EvaluationStatus::Finalized
                )
            })
            .collect();
        if evals.is_empty() {
            continue;
        }
        let full = super::skps::complete(db, skp).await?;
        for e in evals {
            let indicators = full
                .rhks
                .iter()
                .flat_map(|r| &r.indicators)
                .filter_map(|i| {
                    capaian_of(i, &full.realizations, full.cap)
                        .into_iter()
                        .find(|c| c.period == e.period)
                        .map(|c| IndicatorOutcome {
                            id: i.id,
                            code: i.code.clone(),
                            capaian: c.capaian.capped,
                            competencies: i.competencies.clone(),
                        })
                })
                .collect();
            out.push(Outcome {
                period: e.period,
                predikat: e.predikat,
                core_values: e
                    .behavior_ratings
                    .iter()
                    .map(|b| (b.core_value, b.rating))
                    .collect(),
                indicators,
            });
        }
    }
    Ok(out)
}

/// What the employee's evaluations in the cycle recommend, from the programmes still open
/// (not ended) that he has not completed. No access check: callers do it.
async fn recommend(
    db: &Db,
    employee_id: Uuid,
    cycle_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Recommendations, ApiError> {
    let cycle = cycles::get(db, cycle_id).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound).with_detail("No such cycle.", "Siklus tidak ditemukan.")
    })?;
    let weak = cycle.settings.weak_indicator_capaian;
    let findings = rules::findings(&outcomes(db, employee_id, cycle_id).await?, weak);
    let plan_required = findings
        .iter()
        .any(|f| matches!(f, Finding::PredikatLow { .. }));
    let catalogue = repo::all_programmes(
        db,
        &ProgrammeFilter {
            open_on: Some(today(now)),
            ..Default::default()
        },
    )
    .await?;
    let ids: Vec<Uuid> = catalogue.iter().map(|p| p.id).collect();
    let mine: HashMap<Uuid, ParticipationStatus> = repo::participations(db, employee_id, &ids)
        .await?
        .into_iter()
        .map(|p| (p.training_id, p.status))
        .collect();
    let offers: Vec<Offer> = catalogue
        .iter()
        .filter(|p| mine.get(&p.id) != Some(&ParticipationStatus::Completed))
        .map(|p| Offer {
            id: p.id,
            competencies: p.competencies.clone(),
        })
        .collect();
    let picked = rules::recommend(&findings, &offers);
    let seats = repo::seats_of(
        db,
        &picked.iter().map(|r| r.programme_id).collect::<Vec<_>>(),
    )
    .await?;
    let mut by_id: HashMap<Uuid, ProgrammeRecord> =
        catalogue.into_iter().map(|p| (p.id, p)).collect();
    let items = picked
        .into_iter()
        .filter_map(|r| {
            let record = by_id.remove(&r.programme_id)?;
            Some(Recommended {
                participation: mine.get(&record.id).copied(),
                programme: Programme {
                    seats_taken: seats.get(&record.id).copied().unwrap_or(0),
                    record,
                },
                findings: r.findings,
                matched_tags: r.matched_tags,
            })
        })
        .collect();
    Ok(Recommendations {
        employee_id,
        cycle_id,
        weak_threshold: weak,
        findings,
        plan_required,
        items,
    })
}

/// The recommendations for an employee the caller may read.
pub async fn recommendations(
    db: &Db,
    caller: &Caller,
    employee_id: Uuid,
    cycle_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Recommendations, ApiError> {
    employee_for(db, caller, employee_id).await?;
    recommend(db, employee_id, cycle_id, now).await
}

/// A plan item with its programme and the employee's participation.
#[derive(Debug, Clone)]
pub struct PlanItem {
    pub item: PlanItemRecord,
    pub programme: ProgrammeRecord,
    pub participation: Option<ParticipantRecord>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub employee_id: Uuid,
    pub cycle_id: Uuid,
    pub record: Option<PlanRecord>,
    pub items: Vec<PlanItem>,
    pub status: PlanStatus,
}

async fn load_plan(db: &impl Store, employee_id: Uuid, cycle_id: Uuid) -> Result<Plan, ApiError> {
    let record = repo::plan(db, employee_id, cycle_id).await?;
    let items = match &record {
        Some(p) => repo::plan_items(db, &[p.id]).await?,
        None => Vec::new(),
    };
    let ids: Vec<Uuid> = items.iter().map(|i| i.training_id).collect();
    let mut programmes: HashMap<Uuid, ProgrammeRecord> = repo::get_programmes(db, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut taking: HashMap<Uuid, ParticipantRecord> = repo::participations(db, employee_id, &ids)
        .await?
        .into_iter()
        .map(|p| (p.training_id, p))
        .collect();
    let items: Vec<PlanItem> = items
        .into_iter()
        .filter_map(|item| {
            Some(PlanItem {
                programme: programmes.remove(&item.training_id)?,
                participation: taking.remove(&item.training_id),
                item,
            })
        })
        .collect();
    let status = rules::plan_status(
        &items
            .iter()
            .map(|i| i.participation.as_ref().map(|p| p.status))
            .collect::<Vec<_>>(),
    );
    Ok(Plan {
        employee_id,
        cycle_id,
        record,
        items,
        status,
    })
}

/// The plan status of many employees for a cycle at once (`none` for those without a plan),
/// derived by the same rule as [`plan`] in a few queries, whatever the number of employees.
pub async fn plan_statuses(
    db: &impl Store,
    cycle_id: Uuid,
    employee_ids: &[Uuid],
) -> Result<HashMap<Uuid, PlanStatus>, ApiError> {
    let wanted: HashSet<Uuid> = employee_ids.iter().copied().collect();
    let plans: HashMap<Uuid, Uuid> = repo::plans_of_cycle(db, cycle_id)
        .await?
        .into_iter()
        .filter(|p| wanted.contains(&p.employee_id))
        .map(|p| (p.id, p.employee_id))
        .collect();
    let plan_ids: Vec<Uuid> = plans.keys().copied().collect();
    let items = repo::plan_items(db, &plan_ids).await?;
    let trainings: Vec<Uuid> = items
        .iter()
        .map(|i| i.training_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let owners: Vec<Uuid> = plans.values().copied().collect();
    let taking: HashMap<(Uuid, Uuid), ParticipationStatus> =
        repo::participations_of_employees(db, &owners, &trainings)
            .await?
            .into_iter()
            .map(|p| ((p.employee_id, p.training_id), p.status))
            .collect();
    let mut per_employee: HashMap<Uuid, Vec<Option<ParticipationStatus>>> = HashMap::new();
    for item in &items {
        if let Some(employee) = plans.get(&item.plan_id) {
            per_employee
                .entry(*employee)
                .or_default()
                .push(taking.get(&(*employee, item.training_id)).copied());
        }
    }
    Ok(employee_ids
        .iter()
        .map(|e| {
            let status = per_employee
                .get(e)
                .map_or(PlanStatus::None, |p| rules::plan_status(p));
            (*e, status)
        })
        .collect())
}

/// An employee's development plan for a cycle (status `none` and no items without one).
pub async fn plan(
    db: &Db,
    caller: &Caller,
    employee_id: Uuid,
    cycle_id: Uuid,
) -> Result<Plan, ApiError> {
    employee_for(db, caller, employee_id).await?;
    cycles::get(db, cycle_id).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound).with_detail("No such cycle.", "Siklus tidak ditemukan.")
    })?;
    load_plan(db, employee_id, cycle_id).await
}

/// The direct superior (or an admin) accepts recommended programmes into the employee's plan
/// for the cycle; the employee is enrolled in each (a seat he holds already is kept). All or
/// nothing: a full programme refuses the whole request.
pub async fn accept_plan(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    employee_id: Uuid,
    cycle_id: Uuid,
    training_ids: &[Uuid],
) -> Result<Plan, ApiError> {
    let employee = employee_for(db, caller, employee_id).await?;
    let who = standing(db, caller, &employee).await?;
    if !(who.direct_superior || caller.is_admin()) {
        return Err(forbidden(
            "A development plan is accepted by the employee's direct superior or an admin.",
            "Rencana pengembangan disetujui oleh atasan langsung pegawai atau admin.",
        ));
    }
    let recs = recommend(db, employee_id, cycle_id, ctx.now).await?;
    let mut errors = Vec::new();
    let mut wanted: Vec<&Recommended> = Vec::new();
    for (i, id) in training_ids.iter().enumerate() {
        match recs.items.iter().find(|r| r.programme.record.id == *id) {
            Some(r) if !wanted.iter().any(|w| w.programme.record.id == *id) => wanted.push(r),
            Some(_) => {}
            None => errors.push(FieldError::of(
                &format!("training_ids[{i}]"),
                "not_recommended",
                "is not among the employee's recommendations for this cycle",
                "tidak termasuk rekomendasi pegawai untuk siklus ini",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::new(ErrorCode::NotRecommended).with_errors(errors));
    }
    let tx = db.begin().await?;
    let existing = repo::plan(&tx, employee_id, cycle_id).await?;
    let plan = match existing {
        Some(mut p) => {
            let expected = p.version;
            p.version += 1;
            p.accepted_by = caller.user().map(|u| u.id);
            p.accepted_at = ctx.now;
            p.updated_at = ctx.now;
            repo::update_plan(&tx, &p, expected).await?;
            p
        }
        None => {
            let p = PlanRecord {
                id: Uuid::now_v7(),
                employee_id,
                cycle_id,
                accepted_by: caller.user().map(|u| u.id),
                accepted_at: ctx.now,
                version: 1,
                created_at: ctx.now,
                updated_at: ctx.now,
            };
            repo::insert_plan(&tx, &p).await?;
            p
        }
    };
    let already: HashSet<Uuid> = repo::plan_items(&tx, &[plan.id])
        .await?
        .into_iter()
        .map(|i| i.training_id)
        .collect();
    let mut added = Vec::new();
    for r in &wanted {
        let programme = repo::get_programme_locked(&tx, r.programme.record.id)
            .await?
            .ok_or_else(programme_not_found)?;
        let holds_seat = repo::participant(&tx, programme.id, employee_id)
            .await?
            .is_some_and(|p| p.status.holds_seat());
        if !holds_seat {
            take_seat(&tx, ctx, caller, &programme, employee_id).await?;
        }
        if !already.contains(&programme.id) {
            let findings: Vec<&Finding> = r
                .findings
                .iter()
                .filter_map(|i| recs.findings.get(*i))
                .collect();
            added.push(PlanItemRecord {
                id: Uuid::now_v7(),
                plan_id: plan.id,
                training_id: programme.id,
                findings: serde_json::to_value(findings).unwrap_or(Value::Null),
                added_by: caller.user().map(|u| u.id),
                added_at: ctx.now,
            });
        }
    }
    repo::insert_plan_items(&tx, &added).await?;
    ctx.audit(
        &tx,
        "development_plan.accepted",
        "employee",
        employee_id,
        None,
        Some(json!({
            "cycle_id": cycle_id, "plan_id": plan.id,
            "training_ids": wanted.iter().map(|r| r.programme.record.id).collect::<Vec<_>>(),
            "version": plan.version,
        })),
    )
    .await?;
    let result = load_plan(&tx, employee_id, cycle_id).await?;
    tx.commit().await?;
    Ok(result)
}
