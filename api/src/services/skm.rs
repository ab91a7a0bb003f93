//! The citizen satisfaction survey (SKM) as the city runs it: the services of a service unit,
//! its survey periods (population, optional weights, closing), the results of a unit, of one of
//! its services or pooled over a parent unit's service units (answers added, never averages of
//! averages), the IKM figures Perjanjian Kinerja indicators with `source: ikm` take as realisasi,
//! and the feedback a closed period leaves to its unit: every unsur below mutu B.

use chrono::{Datelike, Duration, NaiveDate};
use kinerja_domain::assessment::period_days;
use kinerja_domain::capaian::Period;
use kinerja_domain::org::whole_subtree;
use kinerja_domain::skm::{IkmResult, Tally, Weighting, ikm, required_sample};
use kinerja_persistence::repos::skm::{
    self, PeriodRecord, ResponseFilter, ServiceRecord, UnitFeedbackRecord,
};
use kinerja_persistence::repos::units::{self, UnitRecord};
use kinerja_persistence::{Db, PersistenceError, Store};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Context, scope};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::http::precondition::IfMatch;

/// How many comments a feedback item carries.
const FEEDBACK_COMMENTS: u64 = 50;

fn forbidden() -> ApiError {
    ApiError::new(ErrorCode::Forbidden).with_detail(
        "Only an admin or the unit's unit admin configures its survey.",
        "Hanya admin atau operator unit yang mengatur survei unit ini.",
    )
}

/// A unit the caller configures the survey of: it must be a service unit.
async fn service_unit(db: &Db, caller: &Caller, unit_id: Uuid) -> Result<UnitRecord, ApiError> {
    let unit = scope::visible_unit(db, unit_id).await?;
    if !(scope::may_manage_org(caller) && scope::manages_unit(db, caller, unit.id).await?) {
        return Err(forbidden());
    }
    if !unit.is_service_unit {
        return Err(ApiError::new(ErrorCode::UnitNotServiceUnit));
    }
    Ok(unit)
}

fn service_audit(s: &ServiceRecord) -> Value {
    json!({"unit_id": s.unit_id, "code": s.code, "name": s.name, "active": s.active, "version": s.version})
}

/// A unit's services (everyone signed in reads them).
pub async fn services(db: &Db, unit_id: Uuid) -> Result<Vec<ServiceRecord>, ApiError> {
    scope::visible_unit(db, unit_id).await?;
    Ok(skm::services_of(db, unit_id).await?)
}

/// Adds a service to a service unit.
pub async fn create_service(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    unit_id: Uuid,
    code: &str,
    name: &str,
    active: bool,
) -> Result<ServiceRecord, ApiError> {
    let unit = service_unit(db, caller, unit_id).await?;
    let mut errors = Vec::new();
    let code = match kinerja_domain::org::UnitCode::parse(code) {
        // Codes are matched without regard to case: stored upper-case.
        Ok(c) => c.as_str().to_uppercase(),
        Err(e) => {
            errors.push(super::units::code_error("code", e));
            String::new()
        }
    };
    let name = name.trim();
    if name.is_empty() {
        errors.push(FieldError::of(
            "name",
            "required",
            "is required",
            "wajib diisi",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let service = ServiceRecord {
        id: Uuid::now_v7(),
        unit_id: unit.id,
        code,
        name: name.to_owned(),
        active,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let tx = db.begin().await?;
    skm::insert_service(&tx, &service)
        .await
        .map_err(|e| match e {
            PersistenceError::Conflict(_) => ApiError::new(ErrorCode::ServiceCodeTaken),
            other => other.into(),
        })?;
    ctx.audit(
        &tx,
        "service.created",
        "service",
        service.id,
        None,
        Some(service_audit(&service)),
    )
    .await?;
    tx.commit().await?;
    Ok(service)
}

/// Renames a service or (de)activates it (`If-Match` required).
pub async fn update_service(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    (unit_id, id): (Uuid, Uuid),
    if_match: &IfMatch,
    name: Option<String>,
    active: Option<bool>,
) -> Result<ServiceRecord, ApiError> {
    service_unit(db, caller, unit_id).await?;
    let before = skm::get_service(db, id)
        .await?
        .filter(|s| s.unit_id == unit_id)
        .ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound)
                .with_detail("No such service.", "Layanan tidak ditemukan.")
        })?;
    if_match.require(before.version)?;
    let mut after = before.clone();
    if let Some(name) = name {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::invalid(vec![FieldError::of(
                "name",
                "required",
                "is required",
                "wajib diisi",
            )]));
        }
        after.name = name.to_owned();
    }
    if let Some(active) = active {
        after.active = active;
    }
    if after == before {
        return Ok(before);
    }
    after.version += 1;
    after.updated_at = ctx.now;
    let tx = db.begin().await?;
    skm::update_service(&tx, &after, before.version).await?;
    ctx.audit(
        &tx,
        "service.updated",
        "service",
        id,
        Some(service_audit(&before)),
        Some(service_audit(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A survey period as entered.
#[derive(Debug, Clone)]
pub struct PeriodInput {
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub population: Option<i64>,
    /// u1..u9, when custom.
    pub weights: Option<Vec<Decimal>>,
}

fn period_audit(p: &PeriodRecord) -> Value {
    json!({
        "unit_id": p.unit_id, "name": p.name, "start_date": p.start_date, "end_date": p.end_date,
        "population": p.population, "weights": p.weights.map(|w| w.map(|d| d.to_string())),
        "closed": p.closed, "version": p.version,
    })
}

/// A unit's survey periods, by start date.
pub async fn periods(db: &Db, unit_id: Uuid) -> Result<Vec<PeriodRecord>, ApiError> {
    scope::visible_unit(db, unit_id).await?;
    Ok(skm::periods_of(db, unit_id).await?)
}

/// Opens a survey period: dates in order and not overlapping another period of the unit,
/// population 1 or more, custom weights nine values of 0 or more summing to exactly 1.
pub async fn create_period(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    unit_id: Uuid,
    input: PeriodInput,
) -> Result<PeriodRecord, ApiError> {
    let unit = service_unit(db, caller, unit_id).await?;
    let mut errors = Vec::new();
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        errors.push(FieldError::of(
            "name",
            "required",
            "is required",
            "wajib diisi",
        ));
    }
    if input.end_date < input.start_date {
        errors.push(FieldError::of(
            "end_date",
            "before_start",
            "is before start_date",
            "sebelum start_date",
        ));
    }
    let population = match input.population {
        None => None,
        Some(n) if n >= 1 => u64::try_from(n).ok(),
        Some(_) => {
            errors.push(FieldError::of(
                "population",
                "out_of_range",
                "is the number of service users in the period: 1 or more",
                "jumlah pengguna layanan dalam periode: 1 atau lebih",
            ));
            None
        }
    };
    let weights = match input.weights {
        None => None,
        Some(list) => match <[Decimal; 9]>::try_from(list) {
            Ok(w) if Weighting::custom(w).is_ok() => Some(w),
            _ => {
                errors.push(FieldError::of(
                    "weights",
                    "invalid_weights",
                    "nine weights (u1..u9), each 0 or more, summing to exactly 1",
                    "sembilan bobot (u1..u9), masing-masing 0 atau lebih, berjumlah tepat 1",
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let period = PeriodRecord {
        id: Uuid::now_v7(),
        unit_id: unit.id,
        name,
        start_date: input.start_date,
        end_date: input.end_date,
        population,
        weights,
        closed: false,
        closed_at: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let tx = db.begin().await?;
    let overlapping = skm::periods_of(&tx, unit.id)
        .await?
        .into_iter()
        .any(|p| p.start_date <= period.end_date && period.start_date <= p.end_date);
    if overlapping {
        return Err(ApiError::new(ErrorCode::SurveyPeriodOverlap));
    }
    skm::insert_period(&tx, &period).await?;
    ctx.audit(
        &tx,
        "survey_period.created",
        "survey_period",
        period.id,
        None,
        Some(period_audit(&period)),
    )
    .await?;
    tx.commit().await?;
    Ok(period)
}

/// Closes a survey period (by hand, or by the housekeeping task after its end date): every unsur
/// below mutu B becomes feedback to the unit, with its NRR and the period's comments.
pub async fn close_period(
    db: &Db,
    ctx: &Context,
    caller: Option<&Caller>,
    (unit_id, id): (Uuid, Uuid),
    if_match: &IfMatch,
) -> Result<(PeriodRecord, Vec<UnitFeedbackRecord>), ApiError> {
    if let Some(caller) = caller {
        service_unit(db, caller, unit_id).await?;
    }
    let before = skm::get_period(db, id)
        .await?
        .filter(|p| p.unit_id == unit_id)
        .ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound)
                .with_detail("No such survey period.", "Periode survei tidak ditemukan.")
        })?;
    if_match.honour(before.version)?;
    if before.closed {
        return Err(ApiError::new(ErrorCode::SurveyPeriodClosed));
    }
    let filter = ResponseFilter {
        unit_ids: vec![unit_id],
        service_id: None,
        from: Some(before.start_date),
        to: Some(before.end_date),
    };
    let tally = skm::tally(db, &filter).await?;
    let result = ikm(&tally, &weighting_of(before.weights));
    let comments = match &result {
        Some(r) if !r.below_b.is_empty() => skm::comments(db, &filter, FEEDBACK_COMMENTS).await?,
        _ => Vec::new(),
    };
    let feedback: Vec<UnitFeedbackRecord> = result
        .iter()
        .flat_map(|r| {
            r.below_b
                .iter()
                .map(move |u| (*u, r.nrr_rounded[u.index()]))
        })
        .map(|(unsur, nrr)| UnitFeedbackRecord {
            id: Uuid::now_v7(),
            unit_id,
            period_id: id,
            unsur,
            nrr,
            comments: comments.clone(),
            created_at: ctx.now,
        })
        .collect();
    let mut after = before.clone();
    after.closed = true;
    after.closed_at = Some(ctx.now);
    after.version += 1;
    after.updated_at = ctx.now;
    let tx = db.begin().await?;
    skm::update_period(&tx, &after, before.version).await?;
    skm::insert_feedback(&tx, &feedback).await?;
    let mut audit = period_audit(&after);
    if let Value::Object(a) = &mut audit {
        a.insert(
            "feedback".into(),
            json!(
                feedback
                    .iter()
                    .map(|f| json!({"unsur": f.unsur.as_str(), "nrr": f.nrr.to_string()}))
                    .collect::<Vec<_>>()
            ),
        );
    }
    ctx.audit(
        &tx,
        "survey_period.closed",
        "survey_period",
        id,
        Some(period_audit(&before)),
        Some(audit),
    )
    .await?;
    tx.commit().await?;
    Ok((after, feedback))
}

/// Closes, once, every open period whose end date has passed (the housekeeping task).
pub async fn close_ended_periods(
    db: &Db,
    ctx: &Context,
    today: NaiveDate,
) -> Result<usize, ApiError> {
    let ended = skm::open_periods_ended_before(db, today).await?;
    let mut closed = 0;
    for p in &ended {
        match close_period(db, ctx, None, (p.unit_id, p.id), &IfMatch::Absent).await {
            Ok(_) => closed += 1,
            // Another replica closed it first.
            Err(e)
                if matches!(
                    e.code,
                    ErrorCode::SurveyPeriodClosed | ErrorCode::PreconditionFailed
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(closed)
}

fn weighting_of(weights: Option<[Decimal; 9]>) -> Weighting {
    weights
        .and_then(|w| Weighting::custom(w).ok())
        .unwrap_or(Weighting::Exact19)
}

/// The service units whose answers a unit's results add up: every service unit of its subtree,
/// itself included (one: its own results; more: pooled).
async fn pooled_units(db: &impl Store, unit: &UnitRecord) -> Result<Vec<Uuid>, ApiError> {
    let all = units::all(db).await?;
    let subtree = whole_subtree(unit.id, &units::children_map(&all));
    Ok(all
        .iter()
        .filter(|u| u.is_service_unit && subtree.contains(&u.id))
        .map(|u| u.id)
        .collect())
}

/// What results are asked for.
#[derive(Debug, Clone, Default)]
pub struct ResultQuery {
    pub unit_id: Uuid,
    pub period_id: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// A service code of the unit.
    pub service: Option<String>,
}

/// The figures of one span, with what they cover.
#[derive(Debug, Clone)]
pub struct Figures {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub period: Option<PeriodRecord>,
    pub tally: Tally,
    pub result: Option<IkmResult>,
    pub weighting: &'static str,
    /// Population, required sample, and whether it is met (periods with a population).
    pub sample: Option<(u64, u64, bool)>,
}

/// The results asked for, and those of the span before (the previous period, or the range of
/// the same length before) for comparison.
#[derive(Debug, Clone)]
pub struct Results {
    pub unit: UnitRecord,
    /// The service units whose answers were added (more than one: pooled).
    pub pooled_over: Vec<Uuid>,
    pub service: Option<ServiceRecord>,
    pub current: Figures,
    pub previous: Option<Figures>,
}

async fn figures(
    db: &Db,
    units: &[Uuid],
    service: Option<Uuid>,
    span: (Option<NaiveDate>, Option<NaiveDate>),
    period: Option<PeriodRecord>,
    pooled: bool,
) -> Result<Figures, ApiError> {
    let filter = ResponseFilter {
        unit_ids: units.to_vec(),
        service_id: service,
        from: span.0,
        to: span.1,
    };
    let tally = skm::tally(db, &filter).await?;
    // Pooled results use equal weights.
    let weighting = if pooled {
        Weighting::Exact19
    } else {
        weighting_of(period.as_ref().and_then(|p| p.weights))
    };
    let sample = period.as_ref().and_then(|p| p.population).map(|n| {
        let required = required_sample(n);
        (n, required, tally.respondents >= required)
    });
    Ok(Figures {
        from: span.0,
        to: span.1,
        weighting: weighting.name(),
        result: ikm(&tally, &weighting),
        period,
        tally,
        sample,
    })
}

fn invalid(field: &str, code: &str, en: &str, id: &str) -> ApiError {
    ApiError::invalid(vec![FieldError::of(field, code, en, id)])
}

/// Results of a unit (or pooled over a parent unit), a service, a period or a date range.
pub async fn results(db: &Db, q: ResultQuery) -> Result<Results, ApiError> {
    let unit = scope::visible_unit(db, q.unit_id).await?;
    let pooled_over = pooled_units(db, &unit).await?;
    let pooled = pooled_over.len() > 1;
    let service = match &q.service {
        None => None,
        Some(code) => Some(
            skm::services_of_units(db, &pooled_over)
                .await?
                .into_iter()
                .find(|s| s.code.eq_ignore_ascii_case(code))
                .ok_or_else(|| {
                    invalid(
                        "service",
                        "unknown_service",
                        "is not a service of this unit",
                        "bukan layanan unit ini",
                    )
                })?,
        ),
    };
    let service_id = service.as_ref().map(|s| s.id);
    let (current, previous) = if let Some(pid) = q.period_id {
        if q.from.is_some() || q.to.is_some() {
            return Err(invalid(
                "period_id",
                "exclusive",
                "give period_id or from/to, not both",
                "isi period_id atau from/to, bukan keduanya",
            ));
        }
        let all = skm::periods_of(db, unit.id).await?;
        let Some(at) = all.iter().position(|p| p.id == pid) else {
            return Err(invalid(
                "period_id",
                "unknown_period",
                "is not a survey period of this unit",
                "bukan periode survei unit ini",
            ));
        };
        let p = all[at].clone();
        let prev = at.checked_sub(1).map(|i| all[i].clone());
        let current = figures(
            db,
            &pooled_over,
            service_id,
            (Some(p.start_date), Some(p.end_date)),
            Some(p),
            pooled,
        )
        .await?;
        let previous = match prev {
            Some(p) => Some(
                figures(
                    db,
                    &pooled_over,
                    service_id,
                    (Some(p.start_date), Some(p.end_date)),
                    Some(p),
                    pooled,
                )
                .await?,
            ),
            None => None,
        };
        (current, previous)
    } else {
        if let (Some(f), Some(t)) = (q.from, q.to)
            && t < f
        {
            return Err(invalid(
                "to",
                "before_from",
                "is before from",
                "sebelum from",
            ));
        }
        let current = figures(db, &pooled_over, service_id, (q.from, q.to), None, pooled).await?;
        // The range of the same length just before.
        let previous = match (q.from, q.to) {
            (Some(f), Some(t)) => {
                let days = (t - f).num_days() + 1;
                let (pf, pt) = (f - Duration::days(days), f - Duration::days(1));
                Some(
                    figures(
                        db,
                        &pooled_over,
                        service_id,
                        (Some(pf), Some(pt)),
                        None,
                        pooled,
                    )
                    .await?,
                )
            }
            _ => None,
        };
        (current, previous)
    };
    Ok(Results {
        unit,
        pooled_over,
        service,
        current,
        previous,
    })
}

/// The published figures of a unit for a year: each survey period, and the whole year.
pub async fn published(
    db: &Db,
    unit_code: &str,
    year: i32,
) -> Result<(UnitRecord, Vec<Figures>, Figures), ApiError> {
    let code =
        kinerja_domain::org::UnitCode::parse(unit_code).map_err(|_| scope::unit_not_found())?;
    let unit = units::get_by_code(db, code.as_str())
        .await?
        .filter(|u| u.active)
        .ok_or_else(scope::unit_not_found)?;
    let pooled_over = pooled_units(db, &unit).await?;
    if pooled_over.is_empty() {
        return Err(scope::unit_not_found());
    }
    let pooled = pooled_over.len() > 1;
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(invalid(
            "year",
            "out_of_range",
            "is not a year",
            "bukan tahun",
        ));
    };
    let mut per_period = Vec::new();
    if unit.is_service_unit {
        for p in skm::periods_of(db, unit.id).await? {
            if p.start_date.year() == year || p.end_date.year() == year {
                per_period.push(
                    figures(
                        db,
                        &pooled_over,
                        None,
                        (Some(p.start_date), Some(p.end_date)),
                        Some(p),
                        pooled,
                    )
                    .await?,
                );
            }
        }
    }
    let whole = figures(
        db,
        &pooled_over,
        None,
        (Some(first), Some(last)),
        None,
        pooled,
    )
    .await?;
    Ok((unit, per_period, whole))
}

/// The IKM unit (2 decimals) an OPD's `source: ikm` indicators take as realisasi: per quarter
/// from the responses dated within it, pooled over the OPD's service units, and for `q4` the
/// whole year's (not an aggregate of quarters).
pub async fn ikm_realisasi(
    db: &impl Store,
    opd: &UnitRecord,
    year: i32,
) -> Result<[Option<Decimal>; 4], ApiError> {
    let pooled_over = pooled_units(db, opd).await?;
    let mut out = [None; 4];
    if pooled_over.is_empty() {
        return Ok(out);
    }
    for period in Period::ALL {
        let span = if *period == Period::Q4 {
            NaiveDate::from_ymd_opt(year, 1, 1).zip(NaiveDate::from_ymd_opt(year, 12, 31))
        } else {
            period_days(year, *period)
        };
        let Some((from, to)) = span else { continue };
        let filter = ResponseFilter {
            unit_ids: pooled_over.clone(),
            service_id: None,
            from: Some(from),
            to: Some(to),
        };
        let tally = skm::tally(db, &filter).await?;
        out[period.index()] = ikm(&tally, &Weighting::Exact19).map(|r| r.ikm_unit_rounded);
    }
    Ok(out)
}

/// The feedback addressed to a unit: for its staff (the unit and below), its heads above, its
/// unit admin, admins, auditors and services with `read:performance`.
pub async fn unit_feedback(
    db: &Db,
    caller: &Caller,
    unit_id: Uuid,
) -> Result<(Vec<UnitFeedbackRecord>, Vec<PeriodRecord>), ApiError> {
    let all = units::all(db).await?;
    if !all.iter().any(|u| u.id == unit_id) {
        return Err(scope::unit_not_found());
    }
    let allowed = caller.is_admin()
        || caller.is_auditor()
        || caller.has_scope(kinerja_domain::accounts::Scope::ReadPerformance)
        || (scope::may_manage_org(caller) && scope::manages_unit(db, caller, unit_id).await?)
        || match caller.user().and_then(|u| u.employee_id) {
            None => false,
            Some(me) => {
                let staff_of = kinerja_persistence::repos::employees::get(db, me)
                    .await?
                    .is_some_and(|e| {
                        whole_subtree(unit_id, &units::children_map(&all)).contains(&e.unit_id)
                    });
                staff_of || scope::heads_at_or_above(&all, unit_id, me)
            }
        };
    if !allowed {
        return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
            "A unit's survey feedback is for its staff, its heads and admins.",
            "Umpan balik survei unit untuk stafnya, pimpinannya dan admin.",
        ));
    }
    Ok((
        skm::feedback_of_unit(db, unit_id).await?,
        skm::periods_of(db, unit_id).await?,
    ))
}
