//! SKP: an employee's plan for a cycle, cascaded from his penilai's, agreed in dialogue
//! (DOMAIN §2). Who may do what:
//!
//! - read: the pegawai, his penilai, admins, auditors, integrations with `read:performance`, the
//!   unit admins of his unit; and a pegawai reads his penilai's approved SKP (the RHK he cascades
//!   from);
//! - edit a draft or returned SKP: the pegawai, his penilai, his unit admin, admins;
//! - submit: the pegawai, or his unit admin / an admin when they wrote it for him;
//! - approve or return: the penilai only (an admin acting for the Wali Kota when there is none);
//! - change the penilai or the end date: unit admins and admins.
//!
//! Outside what a caller may read, an SKP does not exist (404).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kinerja_domain::capaian::{Aggregation, Direction, Measure, Source, target_of};
use kinerja_domain::org::{PositionKind, UnitCode};
use kinerja_domain::skp::{Approval, Aspect, ProposedBy, RhkKind, SkpError, SkpStatus, plan_merge};
use kinerja_persistence::repos::employees::{self, EmployeeRecord};
use kinerja_persistence::repos::realizations::{self, RealizationRecord};
use kinerja_persistence::repos::skps::{self, RhkRecord, SkpFilter, SkpIndicatorRecord, SkpRecord};
use kinerja_persistence::repos::units::UnitRecord;
use kinerja_persistence::repos::{cycles, unit_indicators, units};
use kinerja_persistence::{Db, ListQuery, Page, Store};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use super::scope;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::http::precondition::IfMatch;

/// An SKP with its RHK and indicators.
#[derive(Debug, Clone)]
pub struct FullSkp {
    pub skp: SkpRecord,
    pub rhks: Vec<RhkRecord>,
    /// The realisasi recorded on it (an approved SKP's; a draft has none).
    pub realizations: Vec<RealizationRecord>,
    /// The cycle's capaian cap, for the capaian shown with the realisasi.
    pub cap: Decimal,
}

/// What the caller's role lets him do with one SKP (whatever its status: the workflow decides
/// separately, so someone who may never act hears 403 before a state conflict).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rights {
    pub read: bool,
    pub edit: bool,
    pub submit: bool,
    pub decide: bool,
    pub manage: bool,
    /// Record realisasi: the pegawai and his penilai (an admin for the Wali Kota).
    pub record: bool,
    /// An admin deciding for the Wali Kota (the SKP has no penilai among the employees).
    pub acting_for_wali_kota: bool,
}

pub fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail("No such SKP.", "SKP tidak ditemukan.")
}

fn forbidden(en: &'static str, id: &'static str) -> ApiError {
    ApiError::new(ErrorCode::Forbidden).with_detail(en, id)
}

fn skp_error(e: SkpError) -> ApiError {
    let code = match e {
        SkpError::NotEditable => ErrorCode::SkpNotEditable,
        SkpError::NotSubmittable => ErrorCode::SkpNotSubmittable,
        SkpError::NotSubmitted => ErrorCode::SkpNotSubmitted,
        SkpError::Empty => ErrorCode::SkpEmpty,
        SkpError::ReasonRequired => {
            return ApiError::invalid(vec![FieldError::of(
                "reason",
                "required",
                "is required",
                "wajib diisi",
            )]);
        }
        SkpError::NotApproved => ErrorCode::SkpNotApproved,
        SkpError::RevisionOpen => ErrorCode::RevisionOpen,
    };
    ApiError::new(code).with_detail(e.to_string(), e.to_string())
}

/// The caller's rights on `skp` of `employee`.
pub async fn rights(
    db: &Db,
    caller: &Caller,
    skp: &SkpRecord,
    employee: &EmployeeRecord,
) -> Result<Rights, ApiError> {
    let me = caller.user().and_then(|u| u.employee_id);
    let owner = me == Some(skp.employee_id);
    let evaluator = me.is_some() && me == skp.evaluator_id;
    let manager = caller.is_admin()
        || (scope::may_manage_org(caller)
            && scope::manages_unit(db, caller, employee.unit_id).await?);
    let reader = caller.is_admin()
        || caller.is_auditor()
        || caller.has_scope(kinerja_domain::accounts::Scope::ReadPerformance);
    // A pegawai reads his penilai's approved SKP: the RHK he cascades from.
    let penilai_view = match me {
        Some(me) if skp.status == SkpStatus::Approved => {
            employees::get(db, me).await?.and_then(|e| e.supervisor_id) == Some(skp.employee_id)
        }
        _ => false,
    };
    let acting_for_wali_kota = caller.is_admin() && skp.evaluator_id.is_none();
    Ok(Rights {
        read: reader || manager || owner || evaluator || penilai_view,
        edit: owner || evaluator || manager,
        submit: owner || manager,
        decide: evaluator || acting_for_wali_kota,
        manage: manager,
        record: owner || evaluator || acting_for_wali_kota,
        acting_for_wali_kota,
    })
}

/// Loads an SKP the caller may read, with its rights.
pub async fn load(
    db: &Db,
    caller: &Caller,
    id: Uuid,
) -> Result<(FullSkp, EmployeeRecord, Rights), ApiError> {
    let skp = skps::get(db, id).await?.ok_or_else(not_found)?;
    let employee = employees::get(db, skp.employee_id)
        .await?
        .ok_or_else(not_found)?;
    let rights = rights(db, caller, &skp, &employee).await?;
    if !rights.read {
        return Err(not_found());
    }
    let full = complete(db, skp).await?;
    Ok((full, employee, rights))
}

/// An SKP with its RHK in force, its realisasi and its cycle's cap, as stored now.
pub async fn complete(db: &impl Store, skp: SkpRecord) -> Result<FullSkp, ApiError> {
    let cap = super::cycles::cap_of(db, skp.cycle_id).await?;
    Ok(FullSkp {
        rhks: skps::rhks(db, skp.id).await?,
        realizations: realizations::of_skp(db, skp.id).await?,
        cap,
        skp,
    })
}

fn audit_view(skp: &SkpRecord) -> Value {
    json!({
        "cycle_id": skp.cycle_id,
        "employee_id": skp.employee_id,
        "evaluator_id": skp.evaluator_id,
        "status": skp.status,
        "proposed_by": skp.proposed_by.as_str(),
        "start_date": skp.start_date,
        "end_date": skp.end_date,
        "return_reason": skp.return_reason,
        "version": skp.version,
    })
}

fn rhk_view(rhk: &RhkRecord) -> Value {
    json!({
        "id": rhk.id,
        "code": rhk.code,
        "kind": rhk.kind.as_str(),
        "description": rhk.description,
        "parent_rhk_id": rhk.parent_rhk_id,
        "unit_indicator_id": rhk.unit_indicator_id,
        "indicators": rhk.indicators.iter().map(|i| json!({
            "id": i.id, "code": i.code, "description": i.description, "aspect": i.aspect.as_str(),
            "target": i.target.map(|m| m.to_string()), "target_max": i.target_max.map(|m| m.to_string()),
            "target_text": i.target_text, "unit": i.unit,
        })).collect::<Vec<_>>(),
    })
}

/// The snapshot of an employee in `unit` with his `evaluator`.
pub fn snapshot_of(
    unit: Option<&UnitRecord>,
    employee: &EmployeeRecord,
    evaluator: Option<&EmployeeRecord>,
) -> Value {
    json!({
        "unit": unit.map(|u| json!({"id": u.id, "code": u.code, "name": u.name})),
        "position": employee.position,
        "position_kind": employee.position_kind.as_str(),
        "golongan": employee.golongan,
        "penilai": evaluator.map(|e| json!({"id": e.id, "nip": e.nip, "name": e.name, "position": e.position})),
    })
}

/// A new draft SKP of `employee` (in `unit`) with the penilai `evaluator` (his id, and his record
/// for the snapshot), from `dates.0` to `dates.1` (open-ended: the end of the cycle).
pub fn new_draft(
    ctx: &Context,
    cycle_id: Uuid,
    (employee, unit): (&EmployeeRecord, Option<&UnitRecord>),
    (evaluator_id, evaluator): (Option<Uuid>, Option<&EmployeeRecord>),
    proposed_by: ProposedBy,
    (start_date, end_date): (NaiveDate, Option<NaiveDate>),
) -> SkpRecord {
    SkpRecord {
        id: Uuid::now_v7(),
        cycle_id,
        employee_id: employee.id,
        evaluator_id,
        status: SkpStatus::Draft,
        proposed_by,
        revision_of: None,
        start_date,
        end_date,
        snapshot: snapshot_of(unit, employee, evaluator),
        return_reason: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    }
}

/// A new SKP, as asked.
#[derive(Debug, Clone)]
pub struct NewSkp {
    pub cycle_id: Uuid,
    pub employee_id: Uuid,
    pub evaluator_id: Option<Uuid>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// The first and last day of `year`: an SKP's default dates.
pub fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
    )
}

fn check_dates(year: i32, start: NaiveDate, end: Option<NaiveDate>, errors: &mut Vec<FieldError>) {
    let (first, last) = year_bounds(year);
    if start < first || start > last {
        errors.push(FieldError::of(
            "start_date",
            "outside_cycle",
            format!("must fall in {year}"),
            format!("harus dalam tahun {year}"),
        ));
    }
    if let Some(end) = end
        && (end < start || end > last)
    {
        errors.push(FieldError::of(
            "end_date",
            "outside_cycle",
            format!("must fall between start_date and the end of {year}"),
            format!("harus antara start_date dan akhir tahun {year}"),
        ));
    }
}

/// Why `evaluator` cannot be the penilai of `employee` (`None`: no employee has the id named).
pub fn evaluator_error(
    employee: &EmployeeRecord,
    evaluator: Option<&EmployeeRecord>,
) -> Option<FieldError> {
    match evaluator {
        Some(e) if e.id == employee.id => Some(FieldError::of(
            "evaluator_id",
            "self",
            "cannot be the employee himself",
            "tidak boleh pegawai itu sendiri",
        )),
        Some(e) if !e.is_active() => Some(FieldError::of(
            "evaluator_id",
            "evaluator_inactive",
            "the penilai is not active",
            "penilai tidak aktif",
        )),
        Some(_) => None,
        None => Some(FieldError::of(
            "evaluator_id",
            "unknown_employee",
            "no employee has this id",
            "tidak ada pegawai dengan id ini",
        )),
    }
}

/// An active evaluator other than the employee, or the field error.
async fn check_evaluator(
    db: &impl Store,
    employee: &EmployeeRecord,
    evaluator: Uuid,
    errors: &mut Vec<FieldError>,
) -> Result<Option<EmployeeRecord>, ApiError> {
    let found = employees::get(db, evaluator).await?;
    match evaluator_error(employee, found.as_ref()) {
        Some(e) => {
            errors.push(e);
            Ok(None)
        }
        None => Ok(found),
    }
}

pub async fn create(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    new: NewSkp,
) -> Result<FullSkp, ApiError> {
    let mut errors = Vec::new();
    let cycle = cycles::get(db, new.cycle_id).await?;
    let employee = employees::get(db, new.employee_id).await?;
    let visible = match &employee {
        Some(e) => scope::employee_access(db, caller).await?.allows(e),
        None => false,
    };
    if cycle.is_none() {
        errors.push(FieldError::of(
            "cycle_id",
            "unknown_cycle",
            "no cycle has this id",
            "tidak ada siklus dengan id ini",
        ));
    }
    let (Some(cycle), Some(employee), true) = (cycle, employee, visible) else {
        if !visible {
            errors.push(FieldError::of(
                "employee_id",
                "unknown_employee",
                "no employee has this id",
                "tidak ada pegawai dengan id ini",
            ));
        }
        return Err(ApiError::invalid(errors));
    };
    if !cycle.status.accepts_skps() {
        return Err(ApiError::new(ErrorCode::CycleClosed));
    }
    if !employee.is_active() {
        errors.push(FieldError::of(
            "employee_id",
            "employee_inactive",
            "the employee is not active",
            "pegawai tidak aktif",
        ));
    }
    let me = caller.user().and_then(|u| u.employee_id);
    let manager = caller.is_admin()
        || (scope::may_manage_org(caller)
            && scope::manages_unit(db, caller, employee.unit_id).await?);
    let proposed_by = if me == Some(employee.id) {
        ProposedBy::Employee
    } else if me.is_some() && me == employee.supervisor_id {
        ProposedBy::Evaluator
    } else if caller.is_admin() {
        ProposedBy::Admin
    } else if manager {
        ProposedBy::UnitAdmin
    } else {
        return Err(forbidden(
            "Only the employee, his penilai, his unit admin or an admin writes his SKP.",
            "Hanya pegawai, penilainya, operator unitnya atau admin yang menyusun SKP-nya.",
        ));
    };
    // The penilai is the supervisor unless a unit admin or admin names another (Plt/Plh).
    let evaluator_id = match new.evaluator_id {
        Some(e) if Some(e) != employee.supervisor_id && !manager => {
            return Err(forbidden(
                "Only a unit admin or admin names another penilai.",
                "Hanya operator unit atau admin yang menunjuk penilai lain.",
            ));
        }
        Some(e) => Some(e),
        None => employee.supervisor_id,
    };
    let evaluator = match evaluator_id {
        Some(e) => check_evaluator(db, &employee, e, &mut errors).await?,
        None => None,
    };
    let start = new.start_date.unwrap_or_else(|| year_bounds(cycle.year).0);
    check_dates(cycle.year, start, new.end_date, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let unit = units::get(db, employee.unit_id).await?;
    let skp = new_draft(
        ctx,
        cycle.id,
        (&employee, unit.as_ref()),
        (evaluator_id, evaluator.as_ref()),
        proposed_by,
        (start, new.end_date),
    );
    let tx = db.begin().await?;
    let last = year_bounds(cycle.year).1;
    let overlaps = skps::of_employee(&tx, cycle.id, employee.id)
        .await?
        .into_iter()
        .any(|other| {
            other.status != SkpStatus::Merged
                && other.revision_of.is_none()
                && other.start_date <= skp.end_date.unwrap_or(last)
                && skp.start_date <= other.end_date.unwrap_or(last)
        });
    if overlaps {
        return Err(ApiError::new(ErrorCode::SkpExists));
    }
    skps::insert(&tx, &skp).await?;
    ctx.audit(
        &tx,
        "skp.created",
        "skp",
        skp.id,
        None,
        Some(audit_view(&skp)),
    )
    .await?;
    tx.commit().await?;
    Ok(FullSkp {
        skp,
        rhks: Vec::new(),
        realizations: Vec::new(),
        cap: cycle.settings.capaian_cap,
    })
}

/// The SKPs the caller may see: admins, auditors and integrations all; unit admins those of their
/// units' staff; everyone his own and those he evaluates.
pub async fn list(
    db: &Db,
    caller: &Caller,
    mut filter: SkpFilter,
    query: &ListQuery,
) -> Result<Page<SkpRecord>, ApiError> {
    let everything = caller.is_admin()
        || caller.is_auditor()
        || caller.has_scope(kinerja_domain::accounts::Scope::ReadPerformance);
    if !everything {
        let me = caller.user().and_then(|u| u.employee_id);
        let mut ids: Vec<Uuid> = me.into_iter().collect();
        let managed = if scope::may_manage_org(caller) {
            scope::managed_units(db, caller).await?
        } else {
            None
        };
        if let Some(units) = managed {
            let staff = employees::EmployeeFilter {
                unit_ids: Some(units.into_iter().collect()),
                ..Default::default()
            };
            let mut offset = 0;
            loop {
                let batch = employees::list_all(db, &staff, &[], offset, 5000).await?;
                let n = batch.len() as u64;
                ids.extend(batch.into_iter().map(|e| e.id));
                if n < 5000 {
                    break;
                }
                offset += n;
            }
        }
        filter.employees = Some(ids);
        filter.evaluated_by = me;
    }
    Ok(skps::list(db, &filter, query).await?)
}

/// `PATCH /skps/{id}`: another penilai (Plt/Plh) or an end date (a transfer), by unit admins and
/// admins.
pub async fn update(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    evaluator_id: Option<Option<Uuid>>,
    end_date: Option<Option<NaiveDate>>,
) -> Result<FullSkp, ApiError> {
    let (full, employee, rights) = load(db, caller, id).await?;
    if !rights.manage {
        return Err(forbidden(
            "Only a unit admin or admin changes the penilai or end date.",
            "Hanya operator unit atau admin yang mengubah penilai atau tanggal akhir.",
        ));
    }
    let before = full.skp;
    if_match.require(before.version)?;
    let cycle = cycles::get(db, before.cycle_id)
        .await?
        .ok_or_else(not_found)?;
    let mut after = before.clone();
    let mut errors = Vec::new();
    if let Some(evaluator) = evaluator_id {
        after.evaluator_id = evaluator;
        if let Some(e) = evaluator {
            check_evaluator(db, &employee, e, &mut errors).await?;
        }
    }
    if let Some(end) = end_date {
        after.end_date = end;
    }
    check_dates(cycle.year, after.start_date, after.end_date, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if after == before {
        return Ok(FullSkp {
            skp: before,
            ..full
        });
    }
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    let tx = db.begin().await?;
    skps::update(&tx, &after, before.version).await?;
    if (after.start_date, after.end_date) != (before.start_date, before.end_date) {
        super::evaluations::follow_dates(&tx, &after, ctx.now).await?;
    }
    ctx.audit(
        &tx,
        "skp.updated",
        "skp",
        id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(FullSkp { skp: after, ..full })
}

/// An indicator of an RHK, as entered.
#[derive(Debug, Clone)]
pub struct IndicatorInput {
    pub id: Option<Uuid>,
    pub code: Option<String>,
    pub description: String,
    pub aspect: Aspect,
    pub direction: Direction,
    pub target: Option<Decimal>,
    pub target_max: Option<Decimal>,
    pub target_text: Option<String>,
    pub unit: String,
    pub aggregation: Aggregation,
    pub period_targets: [Option<Decimal>; 3],
    pub competencies: Vec<String>,
}

/// An RHK, as entered.
#[derive(Debug, Clone)]
pub struct RhkInput {
    pub code: Option<String>,
    pub kind: RhkKind,
    pub description: String,
    pub parent_rhk_id: Option<Uuid>,
    pub unit_indicator_id: Option<Uuid>,
    pub perspective: Option<String>,
    pub indicators: Vec<IndicatorInput>,
}

impl RhkInput {
    /// The input an existing RHK makes, for patches.
    pub fn of(rhk: &RhkRecord) -> RhkInput {
        let d = |m: Option<Measure>| m.map(Measure::to_decimal);
        RhkInput {
            code: Some(rhk.code.clone()),
            kind: rhk.kind,
            description: rhk.description.clone(),
            parent_rhk_id: rhk.parent_rhk_id,
            unit_indicator_id: rhk.unit_indicator_id,
            perspective: rhk.perspective.clone(),
            indicators: rhk
                .indicators
                .iter()
                .map(|i| IndicatorInput {
                    id: Some(i.id),
                    code: Some(i.code.clone()),
                    description: i.description.clone(),
                    aspect: i.aspect,
                    direction: i.direction,
                    target: d(i.target),
                    target_max: d(i.target_max),
                    target_text: i.target_text.clone(),
                    unit: i.unit.clone(),
                    aggregation: i.aggregation,
                    period_targets: i.period_targets.map(d),
                    competencies: i.competencies.clone(),
                })
                .collect(),
        }
    }
}

/// The longest texts an RHK and its indicators take, and how many indicators and competency tags
/// (the request bodies document the same limits; imports reach [`check_rhk`] without them).
pub const MAX_DESCRIPTION: usize = 2_000;
pub const MAX_UNIT: usize = 50;
pub const MAX_PERSPECTIVE: usize = 50;
pub const MAX_TARGET_TEXT: usize = 500;
pub const MAX_INDICATORS: usize = 20;
pub const MAX_COMPETENCIES: usize = 20;

/// What the cascading checks of an RHK need from beyond its SKP. Through the API it is loaded for
/// the one RHK written ([`Cascade::load`]); an import resolves it from lookups made in bulk.
#[derive(Debug, Clone, Default)]
pub struct Cascade {
    /// `parent_rhk_id` names an RHK in force of the penilai's SKP ([`is_penilai_skp`]).
    pub parent_of_penilai: bool,
    /// The units the employee heads.
    pub heads: Vec<Uuid>,
    /// The cycle and unit of the Perjanjian Kinerja indicator `unit_indicator_id` names, when
    /// there is one.
    pub unit_indicator: Option<(Uuid, Uuid)>,
}

impl Cascade {
    /// What `input` intervenes, looked up one by one.
    pub async fn load(
        db: &impl Store,
        skp: &SkpRecord,
        employee: &EmployeeRecord,
        input: &RhkInput,
    ) -> Result<Cascade, ApiError> {
        let mut cascade = Cascade::default();
        if let Some(parent) = input.parent_rhk_id
            && let Some((parent_skp, _)) = skps::find_rhk(db, parent).await?
            && let Some(p) = skps::get(db, parent_skp).await?
        {
            cascade.parent_of_penilai = is_penilai_skp(skp, &p);
        }
        if let Some(indicator) = input.unit_indicator_id {
            cascade.heads = units::all(db)
                .await?
                .into_iter()
                .filter(|u| u.head_employee_id == Some(employee.id))
                .map(|u| u.id)
                .collect();
            cascade.unit_indicator = unit_indicators::get(db, indicator)
                .await?
                .map(|i| (i.cycle_id, i.unit_id));
        }
        Ok(cascade)
    }
}

/// Whether `parent` is the penilai's SKP for `skp`, whose RHK it may intervene: the same cycle,
/// the penilai's own, neither merged nor a revision (DOMAIN §2).
pub fn is_penilai_skp(skp: &SkpRecord, parent: &SkpRecord) -> bool {
    parent.cycle_id == skp.cycle_id
        && Some(parent.employee_id) == skp.evaluator_id
        && parent.status != SkpStatus::Merged
        && parent.revision_of.is_none()
}

/// Why an RHK is refused: codes another RHK or indicator of the SKP already has (409 through the
/// API), and invalid fields, named as in the API body (`indicators[0].target`).
#[derive(Debug, Default)]
pub struct RhkRefusal {
    /// (field, code) of each code already taken.
    pub taken: Vec<(String, String)>,
    pub errors: Vec<FieldError>,
}

impl From<RhkRefusal> for ApiError {
    fn from(r: RhkRefusal) -> ApiError {
        match r.taken.first() {
            Some((_, code)) => ApiError::new(ErrorCode::RhkCodeTaken).with_detail(
                format!("{code:?} is taken in this SKP."),
                format!("{code:?} sudah dipakai di SKP ini."),
            ),
            None => ApiError::invalid(r.errors),
        }
    }
}

fn too_long(name: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.chars().count() > max {
        errors.push(FieldError::of(
            name,
            "length",
            format!("must be at most {max} characters long"),
            format!("maksimal {max} karakter"),
        ));
    }
}

/// Builds and checks an RHK of `skp`, whose RHK stand as `rhks` (cascading included, with what
/// `cascade` says of the world beyond the SKP); `existing` is the RHK being changed.
pub fn check_rhk(
    skp: &SkpRecord,
    rhks: &[RhkRecord],
    employee: &EmployeeRecord,
    input: RhkInput,
    existing: Option<&RhkRecord>,
    cascade: &Cascade,
) -> Result<RhkRecord, RhkRefusal> {
    let mut errors = Vec::new();
    let mut refused = Vec::new();
    let others: Vec<&RhkRecord> = rhks
        .iter()
        .filter(|r| Some(r.id) != existing.map(|e| e.id))
        .collect();
    let mut taken: HashSet<String> = others.iter().map(|r| r.code.clone()).collect();
    taken.extend(
        others
            .iter()
            .flat_map(|r| r.indicators.iter().map(|i| i.code.clone())),
    );
    let position = existing
        .map(|e| e.position)
        .unwrap_or_else(|| rhks.iter().map(|r| r.position).max().unwrap_or(0) + 1);
    let code = match input.code {
        Some(code) => match UnitCode::parse(&code) {
            Ok(c) => c.as_str().to_owned(),
            Err(e) => {
                errors.push(super::units::code_error("code", e));
                String::new()
            }
        },
        None => (1..)
            .map(|n| format!("R{n}"))
            .find(|c| !taken.contains(c))
            .unwrap_or_default(),
    };
    if taken.contains(&code) {
        refused.push(("code".to_owned(), code.clone()));
    }
    taken.insert(code.clone());
    let description = input.description.trim().to_owned();
    if description.is_empty() {
        errors.push(FieldError::of(
            "description",
            "required",
            "is required",
            "wajib diisi",
        ));
    }
    too_long("description", &description, MAX_DESCRIPTION, &mut errors);
    // Cascading: an utama RHK intervenes exactly one thing; a tambahan RHK may.
    match (input.kind, input.parent_rhk_id, input.unit_indicator_id) {
        (_, Some(_), Some(_)) => errors.push(FieldError::of(
            "unit_indicator_id",
            "one_intervention",
            "intervene either a penilai's RHK or a Perjanjian Kinerja indicator, not both",
            "intervensi RHK penilai atau indikator Perjanjian Kinerja, bukan keduanya",
        )),
        (RhkKind::Utama, None, None) => errors.push(FieldError::of(
            "parent_rhk_id",
            "intervention_required",
            "an utama RHK must intervene an RHK of the penilai's SKP (or, for JPT and unit heads, a Perjanjian Kinerja indicator)",
            "RHK utama harus mengintervensi RHK pada SKP penilai (atau, bagi JPT dan kepala unit, indikator Perjanjian Kinerja)",
        )),
        _ => {}
    }
    if input.parent_rhk_id.is_some() && !cascade.parent_of_penilai {
        errors.push(FieldError::of(
            "parent_rhk_id",
            "parent_not_penilai",
            "must be an RHK of the penilai's SKP in the same cycle",
            "harus RHK pada SKP penilai dalam siklus yang sama",
        ));
    }
    if input.unit_indicator_id.is_some() {
        let heads = &cascade.heads;
        let allowed = employee.position_kind == PositionKind::Jpt || !heads.is_empty();
        match cascade.unit_indicator {
            Some((cycle, unit)) if cycle == skp.cycle_id && allowed && (heads.contains(&unit) || unit == employee.unit_id) => {}
            Some(_) if !allowed => errors.push(FieldError::of(
                "unit_indicator_id",
                "unit_indicator_not_allowed",
                "only JPT and unit heads intervene a Perjanjian Kinerja indicator",
                "hanya JPT dan kepala unit yang mengintervensi indikator Perjanjian Kinerja",
            )),
            _ => errors.push(FieldError::of(
                "unit_indicator_id",
                "unit_indicator_not_own",
                "must be an indicator of the Perjanjian Kinerja of the employee's OPD in this cycle",
                "harus indikator Perjanjian Kinerja OPD pegawai pada siklus ini",
            )),
        }
    }
    let perspective = input
        .perspective
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    if perspective.is_some() && employee.position_kind != PositionKind::Jpt {
        errors.push(FieldError::of(
            "perspective",
            "jpt_only",
            "only JPT SKPs have perspectives",
            "hanya SKP JPT yang memiliki perspektif",
        ));
    }
    if let Some(p) = &perspective {
        too_long("perspective", p, MAX_PERSPECTIVE, &mut errors);
    }
    if input.indicators.len() > MAX_INDICATORS {
        errors.push(FieldError::of(
            "indicators",
            "too_many",
            format!("at most {MAX_INDICATORS} indicators"),
            format!("paling banyak {MAX_INDICATORS} indikator"),
        ));
    }
    let rhk_id = existing.map(|e| e.id).unwrap_or_else(Uuid::now_v7);
    // Indicator id -> origin (in a revision, the original's indicator it revises).
    let known: HashMap<Uuid, Option<Uuid>> = existing
        .map(|e| e.indicators.iter().map(|i| (i.id, i.origin_id)).collect())
        .unwrap_or_default();
    let mut indicators = Vec::with_capacity(input.indicators.len());
    for (n, i) in input.indicators.into_iter().enumerate() {
        let at = |f: &str| format!("indicators[{n}].{f}");
        let mut local = Vec::new();
        let code = match i.code {
            Some(c) => UnitCode::parse(&c)
                .map(|c| c.as_str().to_owned())
                .unwrap_or_else(|e| {
                    local.push(super::units::code_error(&at("code"), e));
                    String::new()
                }),
            None => (1..)
                .map(|k| format!("{code}.{k}"))
                .find(|c| !taken.contains(c))
                .unwrap_or_default(),
        };
        if !code.is_empty() && !taken.insert(code.clone()) {
            refused.push((at("code"), code.clone()));
        }
        let target = super::measure(&at("target"), i.target, &mut local);
        let target_max = super::measure(&at("target_max"), i.target_max, &mut local);
        let period_targets = [
            super::measure(&at("period_targets.q1"), i.period_targets[0], &mut local),
            super::measure(&at("period_targets.q2"), i.period_targets[1], &mut local),
            super::measure(&at("period_targets.q3"), i.period_targets[2], &mut local),
        ];
        if local.is_empty()
            && let Err(e) = target_of(i.direction, Source::Manual, target, target_max)
        {
            let (f, c) = e.field_and_code();
            local.push(FieldError::of(&at(f), c, e.to_string(), e.to_string()));
        }
        let description = i.description.trim().to_owned();
        if description.is_empty() {
            local.push(FieldError::of(
                &at("description"),
                "required",
                "is required",
                "wajib diisi",
            ));
        }
        too_long(
            &at("description"),
            &description,
            MAX_DESCRIPTION,
            &mut local,
        );
        let unit = i.unit.trim().to_owned();
        if unit.is_empty() {
            local.push(FieldError::of(
                &at("unit"),
                "required",
                "is required",
                "wajib diisi",
            ));
        }
        too_long(&at("unit"), &unit, MAX_UNIT, &mut local);
        let target_text = i
            .target_text
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if let Some(t) = &target_text {
            too_long(&at("target_text"), t, MAX_TARGET_TEXT, &mut local);
        }
        let competencies: Vec<String> = i
            .competencies
            .into_iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        if competencies.len() > MAX_COMPETENCIES {
            local.push(FieldError::of(
                &at("competencies"),
                "too_many",
                format!("at most {MAX_COMPETENCIES} competencies"),
                format!("paling banyak {MAX_COMPETENCIES} kompetensi"),
            ));
        }
        if i.id.is_some_and(|id| !known.contains_key(&id)) {
            local.push(FieldError::of(
                &at("id"),
                "unknown_indicator",
                "is not an indicator of this RHK",
                "bukan indikator RHK ini",
            ));
        }
        errors.extend(local);
        indicators.push(SkpIndicatorRecord {
            id: i
                .id
                .filter(|id| known.contains_key(id))
                .unwrap_or_else(Uuid::now_v7),
            origin_id: i.id.and_then(|id| known.get(&id).copied().flatten()),
            code,
            description,
            aspect: i.aspect,
            direction: i.direction,
            target,
            target_max,
            target_text,
            unit,
            aggregation: i.aggregation,
            period_targets,
            competencies,
            position: n as i32 + 1,
        });
    }
    if !refused.is_empty() || !errors.is_empty() {
        return Err(RhkRefusal {
            taken: refused,
            errors,
        });
    }
    Ok(RhkRecord {
        id: rhk_id,
        skp_id: skp.id,
        origin_id: existing.and_then(|e| e.origin_id),
        code,
        kind: input.kind,
        description,
        parent_rhk_id: input.parent_rhk_id,
        unit_indicator_id: input.unit_indicator_id,
        perspective,
        position,
        indicators,
    })
}

/// Builds and checks an RHK of `full` through the API (cascading looked up one by one);
/// `existing` is the RHK being changed.
async fn build_rhk(
    db: &Db,
    full: &FullSkp,
    employee: &EmployeeRecord,
    input: RhkInput,
    existing: Option<&RhkRecord>,
) -> Result<RhkRecord, ApiError> {
    let cascade = Cascade::load(db, &full.skp, employee, &input).await?;
    check_rhk(&full.skp, &full.rhks, employee, input, existing, &cascade).map_err(ApiError::from)
}

/// Saves an SKP change made through its RHK: bumps the SKP (children share its ETag), audits.
async fn save_change(
    db: &Db,
    ctx: &Context,
    mut full: FullSkp,
    action: &str,
    before: Option<Value>,
    after: Option<Value>,
    write: impl AsyncFnOnce(&kinerja_persistence::Tx) -> Result<(), ApiError>,
) -> Result<FullSkp, ApiError> {
    let expected = full.skp.version;
    full.skp.version += 1;
    full.skp.updated_at = ctx.now;
    let tx = db.begin().await?;
    write(&tx).await?;
    skps::update(&tx, &full.skp, expected).await?;
    ctx.audit(&tx, action, "skp", full.skp.id, before, after)
        .await?;
    tx.commit().await?;
    full.rhks = skps::rhks(db, full.skp.id).await?;
    Ok(full)
}

fn must_edit(rights: Rights, status: SkpStatus) -> Result<(), ApiError> {
    if !rights.edit {
        return Err(forbidden(
            "Only the employee, his penilai, his unit admin or an admin edits this SKP.",
            "Hanya pegawai, penilainya, operator unitnya atau admin yang mengubah SKP ini.",
        ));
    }
    status.ensure_editable().map_err(skp_error)
}

pub async fn add_rhk(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    input: RhkInput,
) -> Result<(FullSkp, Uuid), ApiError> {
    let (full, employee, rights) = load(db, caller, id).await?;
    must_edit(rights, full.skp.status)?;
    if_match.honour(full.skp.version)?;
    let rhk = build_rhk(db, &full, &employee, input, None).await?;
    let rhk_id = rhk.id;
    let after = rhk_view(&rhk);
    let full = save_change(
        db,
        ctx,
        full,
        "skp.rhk_added",
        None,
        Some(after),
        async |tx| Ok(skps::save_rhk(tx, &rhk, true).await?),
    )
    .await?;
    Ok((full, rhk_id))
}

pub async fn change_rhk(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    (id, rhk_id): (Uuid, Uuid),
    if_match: &IfMatch,
    change: impl FnOnce(&mut RhkInput),
) -> Result<FullSkp, ApiError> {
    let (full, employee, rights) = load(db, caller, id).await?;
    let existing = full
        .rhks
        .iter()
        .find(|r| r.id == rhk_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound).with_detail("No such RHK.", "RHK tidak ditemukan.")
        })?;
    must_edit(rights, full.skp.status)?;
    if_match.require(full.skp.version)?;
    let mut input = RhkInput::of(&existing);
    change(&mut input);
    let rhk = build_rhk(db, &full, &employee, input, Some(&existing)).await?;
    if rhk == existing {
        return Ok(full);
    }
    let (before, after) = (rhk_view(&existing), rhk_view(&rhk));
    save_change(
        db,
        ctx,
        full,
        "skp.rhk_changed",
        Some(before),
        Some(after),
        async |tx| Ok(skps::save_rhk(tx, &rhk, false).await?),
    )
    .await
}

pub async fn remove_rhk(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    (id, rhk_id): (Uuid, Uuid),
    if_match: &IfMatch,
) -> Result<FullSkp, ApiError> {
    let (full, _, rights) = load(db, caller, id).await?;
    let existing = full
        .rhks
        .iter()
        .find(|r| r.id == rhk_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound).with_detail("No such RHK.", "RHK tidak ditemukan.")
        })?;
    must_edit(rights, full.skp.status)?;
    if_match.require(full.skp.version)?;
    save_change(
        db,
        ctx,
        full,
        "skp.rhk_removed",
        Some(rhk_view(&existing)),
        None,
        async |tx| Ok(skps::delete_rhk(tx, rhk_id).await?),
    )
    .await
}

/// Applies a workflow step to the SKP row, with an audit event.
async fn step(
    db: &Db,
    ctx: &Context,
    mut full: FullSkp,
    action: &str,
    acting_for: Option<&str>,
    apply: impl FnOnce(&mut SkpRecord) -> Result<(), ApiError>,
) -> Result<FullSkp, ApiError> {
    let before = audit_view(&full.skp);
    apply(&mut full.skp)?;
    let expected = full.skp.version;
    full.skp.version += 1;
    full.skp.updated_at = ctx.now;
    let mut ctx = ctx.clone();
    ctx.actor.acting_for = acting_for.map(str::to_owned);
    let tx = db.begin().await?;
    skps::update(&tx, &full.skp, expected).await?;
    if full.skp.status == SkpStatus::Approved {
        super::evaluations::open_for(&tx, &full.skp, ctx.now).await?;
    }
    ctx.audit(
        &tx,
        action,
        "skp",
        full.skp.id,
        Some(before),
        Some(audit_view(&full.skp)),
    )
    .await?;
    tx.commit().await?;
    Ok(full)
}

/// The pegawai proposes the SKP. Every penilai's SKP it cascades from must be approved.
pub async fn submit(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<FullSkp, ApiError> {
    let (full, _, rights) = load(db, caller, id).await?;
    if_match.honour(full.skp.version)?;
    if !rights.submit {
        return Err(forbidden(
            "Only the employee (or whoever wrote it for him) submits this SKP.",
            "Hanya pegawai (atau yang menyusunkannya) yang mengajukan SKP ini.",
        ));
    }
    let has_content = full
        .rhks
        .iter()
        .any(|r| r.kind == RhkKind::Utama && !r.indicators.is_empty());
    let next = full.skp.status.submit(has_content).map_err(skp_error)?;
    for rhk in full.rhks.iter().filter(|r| r.parent_rhk_id.is_some()) {
        let parent_ok = match skps::find_rhk(db, rhk.parent_rhk_id.unwrap_or_default()).await? {
            Some((parent_skp, _)) => skps::get(db, parent_skp)
                .await?
                .is_some_and(|p| p.status == SkpStatus::Approved),
            None => false,
        };
        if !parent_ok {
            return Err(ApiError::new(ErrorCode::PenilaiSkpNotApproved).with_detail(
                format!(
                    "RHK {} intervenes an RHK of an SKP that is not approved.",
                    rhk.code
                ),
                format!(
                    "RHK {} mengintervensi RHK pada SKP yang belum disetujui.",
                    rhk.code
                ),
            ));
        }
    }
    step(db, ctx, full, "skp.submitted", None, |s| {
        s.status = next;
        s.return_reason = None;
        Ok(())
    })
    .await
}

fn must_decide(rights: Rights) -> Result<(), ApiError> {
    if !rights.decide {
        return Err(forbidden(
            "Only the penilai approves or returns this SKP.",
            "Hanya penilai yang menyetujui atau mengembalikan SKP ini.",
        ));
    }
    Ok(())
}

pub async fn approve(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<FullSkp, ApiError> {
    let (full, _, rights) = load(db, caller, id).await?;
    if_match.honour(full.skp.version)?;
    must_decide(rights)?;
    let (next, approval) = full
        .skp
        .status
        .approve(full.skp.revision_of.is_some())
        .map_err(skp_error)?;
    let acting_for = rights.acting_for_wali_kota.then_some("Wali Kota");
    match (approval, full.skp.revision_of) {
        (Approval::MergedIntoOriginal, Some(original_id)) => {
            merge(db, ctx, full, original_id, next, acting_for).await
        }
        _ => {
            step(db, ctx, full, "skp.approved", acting_for, |s| {
                s.status = next;
                Ok(())
            })
            .await
        }
    }
}

/// Applies an agreed revision onto its original in one transaction (DOMAIN §2): items the
/// revision kept take its content under their original ids (so realisasi stays attached), new
/// items join, dropped items retire. The revision becomes `merged`; the original is answered.
async fn merge(
    db: &Db,
    ctx: &Context,
    mut revision: FullSkp,
    original_id: Uuid,
    merged: SkpStatus,
    acting_for: Option<&str>,
) -> Result<FullSkp, ApiError> {
    let mut original = match skps::get(db, original_id).await? {
        Some(skp) => complete(db, skp).await?,
        None => return Err(not_found()),
    };
    if original.skp.status != SkpStatus::Approved {
        return Err(skp_error(SkpError::NotApproved));
    }
    let mut ctx = ctx.clone();
    ctx.actor.acting_for = acting_for.map(str::to_owned);
    let tx = db.begin().await?;

    let rhk_plan = plan_merge(
        &original.rhks.iter().map(|r| r.id).collect::<Vec<_>>(),
        &revision
            .rhks
            .iter()
            .map(|r| (r.id, r.origin_id))
            .collect::<Vec<_>>(),
    );
    let mut retired_indicators = Vec::new();
    for (original_rhk_id, revision_rhk_id) in &rhk_plan.keep {
        let (Some(old), Some(new)) = (
            original.rhks.iter().find(|r| r.id == *original_rhk_id),
            revision.rhks.iter().find(|r| r.id == *revision_rhk_id),
        ) else {
            continue;
        };
        let rhk = RhkRecord {
            id: old.id,
            skp_id: old.skp_id,
            origin_id: old.origin_id,
            indicators: Vec::new(),
            ..new.clone()
        };
        skps::update_rhk_row(&tx, &rhk).await?;
        let plan = plan_merge(
            &old.indicators.iter().map(|i| i.id).collect::<Vec<_>>(),
            &new.indicators
                .iter()
                .map(|i| (i.id, i.origin_id))
                .collect::<Vec<_>>(),
        );
        for (original_ind, revision_ind) in &plan.keep {
            if let Some(i) = new.indicators.iter().find(|i| i.id == *revision_ind) {
                let kept = SkpIndicatorRecord {
                    id: *original_ind,
                    origin_id: None,
                    ..i.clone()
                };
                skps::save_indicator(&tx, old.id, &kept, false).await?;
            }
        }
        for added in &plan.add {
            if let Some(i) = new.indicators.iter().find(|i| i.id == *added) {
                let fresh = SkpIndicatorRecord {
                    id: Uuid::now_v7(),
                    origin_id: None,
                    ..i.clone()
                };
                skps::save_indicator(&tx, old.id, &fresh, true).await?;
            }
        }
        retired_indicators.extend(plan.retire);
    }
    for added in &rhk_plan.add {
        if let Some(r) = revision.rhks.iter().find(|r| r.id == *added) {
            let rhk = RhkRecord {
                id: Uuid::now_v7(),
                skp_id: original.skp.id,
                origin_id: None,
                indicators: r
                    .indicators
                    .iter()
                    .map(|i| SkpIndicatorRecord {
                        id: Uuid::now_v7(),
                        origin_id: None,
                        ..i.clone()
                    })
                    .collect(),
                ..r.clone()
            };
            skps::save_rhk(&tx, &rhk, true).await?;
        }
    }
    skps::retire(&tx, &rhk_plan.retire, &retired_indicators, ctx.now).await?;

    let before = audit_view(&revision.skp);
    let expected = revision.skp.version;
    revision.skp.status = merged;
    revision.skp.version += 1;
    revision.skp.updated_at = ctx.now;
    skps::update(&tx, &revision.skp, expected).await?;
    ctx.audit(
        &tx,
        "skp.approved",
        "skp",
        revision.skp.id,
        Some(before),
        Some(audit_view(&revision.skp)),
    )
    .await?;

    let before = json!({
        "version": original.skp.version,
        "rhk": original.rhks.iter().map(rhk_view).collect::<Vec<_>>(),
    });
    let expected = original.skp.version;
    original.skp.version += 1;
    original.skp.updated_at = ctx.now;
    skps::update(&tx, &original.skp, expected).await?;
    original.rhks = skps::rhks(&tx, original.skp.id).await?;
    ctx.audit(
        &tx,
        "skp.revision_merged",
        "skp",
        original.skp.id,
        Some(before),
        Some(json!({
            "version": original.skp.version,
            "revision_id": revision.skp.id,
            "rhk_kept": rhk_plan.keep.len(),
            "rhk_added": rhk_plan.add.len(),
            "rhk_retired": rhk_plan.retire,
            "indicators_retired": retired_indicators,
            "rhk": original.rhks.iter().map(rhk_view).collect::<Vec<_>>(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(original)
}

/// Opens a revision of an approved SKP: a draft copy whose items remember their originals
/// (`origin_id`). The approved SKP stays in force until the penilai agrees to the revision.
pub async fn revise(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<FullSkp, ApiError> {
    let (full, _, rights) = load(db, caller, id).await?;
    if_match.honour(full.skp.version)?;
    if !rights.edit {
        return Err(forbidden(
            "Only the employee, his penilai, his unit admin or an admin revises this SKP.",
            "Hanya pegawai, penilainya, operator unitnya atau admin yang merevisi SKP ini.",
        ));
    }
    let tx = db.begin().await?;
    let open = skps::open_revision(&tx, full.skp.id).await?.is_some();
    let status = full.skp.status.revise(open).map_err(skp_error)?;
    let skp = SkpRecord {
        id: Uuid::now_v7(),
        status,
        revision_of: Some(full.skp.id),
        return_reason: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
        ..full.skp.clone()
    };
    let rhks: Vec<RhkRecord> = full
        .rhks
        .iter()
        .map(|r| RhkRecord {
            id: Uuid::now_v7(),
            skp_id: skp.id,
            origin_id: Some(r.id),
            indicators: r
                .indicators
                .iter()
                .map(|i| SkpIndicatorRecord {
                    id: Uuid::now_v7(),
                    origin_id: Some(i.id),
                    ..i.clone()
                })
                .collect(),
            ..r.clone()
        })
        .collect();
    skps::insert(&tx, &skp).await?;
    for rhk in &rhks {
        skps::save_rhk(&tx, rhk, true).await?;
    }
    ctx.audit(
        &tx,
        "skp.revision_opened",
        "skp",
        skp.id,
        None,
        Some(json!({
            "revision_of": full.skp.id,
            "skp": audit_view(&skp),
            "rhk": rhks.iter().map(rhk_view).collect::<Vec<_>>(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(FullSkp {
        skp,
        rhks,
        realizations: Vec::new(),
        cap: full.cap,
    })
}

pub async fn return_to_employee(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    reason: String,
) -> Result<FullSkp, ApiError> {
    let (full, _, rights) = load(db, caller, id).await?;
    if_match.honour(full.skp.version)?;
    must_decide(rights)?;
    let next = full.skp.status.return_with(&reason).map_err(skp_error)?;
    let acting_for = rights.acting_for_wali_kota.then_some("Wali Kota");
    step(db, ctx, full, "skp.returned", acting_for, |s| {
        s.status = next;
        s.return_reason = Some(reason.trim().to_owned());
        Ok(())
    })
    .await
}

/// What the caller may do with the SKP now, for a portal's buttons.
pub fn actions(full: &FullSkp, rights: Rights) -> Vec<&'static str> {
    let mut out = Vec::new();
    let editable = full.skp.status.is_editable();
    if rights.edit && editable {
        out.push("edit");
    }
    if rights.submit && editable {
        out.push("submit");
    }
    if rights.decide && full.skp.status == SkpStatus::Submitted {
        out.push("approve");
        out.push("return");
    }
    if rights.manage && full.skp.status != SkpStatus::Merged {
        out.push("update");
    }
    if rights.record && full.skp.status == SkpStatus::Approved {
        out.push("record_realization");
    }
    out
}

/// [`actions`], plus `revise` when the SKP is approved and no revision of it is open.
pub async fn actions_now(
    db: &Db,
    full: &FullSkp,
    rights: Rights,
) -> Result<Vec<&'static str>, ApiError> {
    let mut out = actions(full, rights);
    if rights.edit
        && full.skp.status == SkpStatus::Approved
        && skps::open_revision(db, full.skp.id).await?.is_none()
    {
        out.push("revise");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
    }
    use kinerja_domain::org::{EmployeeStatus, EmploymentType};

    fn staff() -> EmployeeRecord {
        EmployeeRecord {
            id: Uuid::now_v7(),
            nip: "198507122010011003".into(),
            name: "Budi".into(),
            employment_type: EmploymentType::Pns,
            golongan: None,
            position: "Verifikator".into(),
            position_kind: PositionKind::Pelaksana,
            unit_id: Uuid::now_v7(),
            supervisor_id: Some(Uuid::now_v7()),
            status: EmployeeStatus::Active,
            version: 1,
            created_at: now(),
            updated_at: now(),
        }
    }

    fn indicator(code: &str, unit: &str) -> IndicatorInput {
        IndicatorInput {
            id: None,
            code: Some(code.into()),
            description: "Berkas terverifikasi".into(),
            aspect: Aspect::Kuantitas,
            direction: Direction::HigherIsBetter,
            target: Some(Decimal::from(10)),
            target_max: None,
            target_text: None,
            unit: unit.into(),
            aggregation: Aggregation::Sum,
            period_targets: [None; 3],
            competencies: Vec::new(),
        }
    }

    fn rhk(code: &str, parent: Option<Uuid>, indicators: Vec<IndicatorInput>) -> RhkInput {
        RhkInput {
            code: Some(code.into()),
            kind: RhkKind::Utama,
            description: "Verifikasi berkas".into(),
            parent_rhk_id: parent,
            unit_indicator_id: None,
            perspective: None,
            indicators,
        }
    }

    fn codes(r: Result<RhkRecord, RhkRefusal>) -> (Vec<String>, Vec<(String, String)>) {
        let r = r.err().unwrap_or_default();
        (
            r.taken.into_iter().map(|(_, c)| c).collect(),
            r.errors
                .into_iter()
                .map(|e| (e.field, e.code.into_owned()))
                .collect(),
        )
    }

    /// The rules of an RHK are checked without a database: what lies beyond the SKP comes in
    /// the cascade.
    #[test]
    fn an_rhk_is_checked_against_its_skp_and_the_cascade_given() {
        let employee = staff();
        let ctx = Context::system(now());
        let skp = new_draft(
            &ctx,
            Uuid::now_v7(),
            (&employee, None),
            (employee.supervisor_id, None),
            ProposedBy::Import,
            (year_bounds(2026).0, None),
        );
        let penilai = Cascade {
            parent_of_penilai: true,
            ..Default::default()
        };
        let first = check_rhk(
            &skp,
            &[],
            &employee,
            rhk(
                "R1",
                Some(Uuid::now_v7()),
                vec![indicator("R1.1", "berkas")],
            ),
            None,
            &penilai,
        )
        .unwrap();
        assert_eq!((first.position, first.indicators[0].position), (1, 1));

        // Not the penilai's RHK; an utama RHK intervening nothing; a unit too long.
        assert_eq!(
            codes(check_rhk(
                &skp,
                &[],
                &employee,
                rhk("R2", Some(Uuid::now_v7()), vec![]),
                None,
                &Cascade::default()
            ))
            .1,
            [("parent_rhk_id".to_owned(), "parent_not_penilai".to_owned())]
        );
        let (_, errors) = codes(check_rhk(
            &skp,
            &[],
            &employee,
            rhk("R2", None, vec![indicator("R2.1", &"x".repeat(51))]),
            None,
            &penilai,
        ));
        assert_eq!(
            errors,
            [
                (
                    "parent_rhk_id".to_owned(),
                    "intervention_required".to_owned()
                ),
                ("indicators[0].unit".to_owned(), "length".to_owned())
            ]
        );
        // Codes are unique across the SKP's RHK and indicators.
        let (taken, _) = codes(check_rhk(
            &skp,
            std::slice::from_ref(&first),
            &employee,
            rhk(
                "R1.1",
                Some(Uuid::now_v7()),
                vec![indicator("R1", "berkas")],
            ),
            None,
            &penilai,
        ));
        assert_eq!(taken, ["R1.1", "R1"]);
        // Changing the RHK itself keeps its codes, id and position.
        let again = check_rhk(
            &skp,
            std::slice::from_ref(&first),
            &employee,
            RhkInput::of(&first),
            Some(&first),
            &penilai,
        )
        .unwrap();
        assert_eq!(again, first);
    }
}
