//! Employees (ASN): validated numbers and golongan, a reporting line that never loops.

use kinerja_domain::org::{
    EmployeeStatus, EmploymentType, Golongan, GolonganError, Nip, NipError, PositionKind,
    would_create_cycle,
};
use kinerja_persistence::repos::employees::{self, EmployeeFilter, EmployeeRecord};
use kinerja_persistence::repos::units;
use kinerja_persistence::{Db, ListQuery, Page, PersistenceError, Store};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use super::scope::{self, EmployeeAccess, employee_not_found};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::http::precondition::IfMatch;

pub fn audit_view(e: &EmployeeRecord) -> Value {
    json!({
        "nip": e.nip,
        "name": e.name,
        "employment_type": e.employment_type,
        "golongan": e.golongan,
        "position": e.position,
        "position_kind": e.position_kind,
        "unit_id": e.unit_id,
        "supervisor_id": e.supervisor_id,
        "status": e.status,
        "version": e.version,
    })
}

pub fn nip_error(field: &str, e: NipError) -> FieldError {
    FieldError::new(field, e.code(), Msg::new(e.to_string(), e.message_id()))
}

pub fn golongan_error(field: &str, e: GolonganError) -> FieldError {
    let id = match e {
        GolonganError::NotPns => "bukan golongan PNS (I/a sampai IV/e)",
        GolonganError::NotPppk => "bukan golongan PPPK (I sampai XVII)",
    };
    FieldError::new(
        field,
        "invalid_for_employment_type",
        Msg::new(e.to_string(), id),
    )
}

fn required(field: &str) -> FieldError {
    FieldError::new(field, "required", Msg::new("is required", "wajib diisi"))
}

/// The facts of an employee as entered, before validation.
#[derive(Debug, Clone)]
pub struct EmployeeInput {
    pub nip: String,
    pub name: String,
    pub employment_type: EmploymentType,
    pub golongan: Option<String>,
    pub position: String,
    pub position_kind: PositionKind,
    pub unit_id: Uuid,
    pub supervisor_id: Option<Uuid>,
    pub status: EmployeeStatus,
}

/// Validates what needs no database: NIP for the employment type, golongan, names.
/// Returns the normalised NIP and golongan.
pub fn check_facts(
    input: &EmployeeInput,
    errors: &mut Vec<FieldError>,
) -> (Option<String>, Option<String>) {
    let nip = Nip::parse(&input.nip, input.employment_type)
        .map_err(|e| errors.push(nip_error("nip", e)))
        .ok()
        .map(|n| n.as_str().to_owned());
    let golongan = match input
        .golongan
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
    {
        Some(raw) => Golongan::parse(raw, input.employment_type)
            .map_err(|e| errors.push(golongan_error("golongan", e)))
            .ok()
            .map(|g| g.as_str().to_owned()),
        // Part-time PPPK may have none; PNS and PPPK always have one.
        None if input.employment_type == EmploymentType::PppkParuhWaktu => None,
        None => {
            errors.push(required("golongan"));
            None
        }
    };
    if input.name.trim().is_empty() {
        errors.push(required("name"));
    }
    if input.position.trim().is_empty() {
        errors.push(required("position"));
    }
    (nip, golongan)
}

/// Checks what needs the database: the unit exists and is active, the supervisor exists and is
/// active. The cycle check is separate (it needs the final record).
async fn check_references(
    s: &impl Store,
    e: &EmployeeRecord,
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    match units::get(s, e.unit_id).await? {
        None => errors.push(FieldError::new(
            "unit_id",
            "unknown_unit",
            Msg::new("no unit has this id", "tidak ada unit dengan id ini"),
        )),
        Some(unit) if !unit.active => errors.push(FieldError::new(
            "unit_id",
            "unit_inactive",
            Msg::new("the unit is not active", "unit tidak aktif"),
        )),
        Some(_) => {}
    }
    if let Some(sup) = e.supervisor_id {
        match employees::get(s, sup).await? {
            None => errors.push(FieldError::new(
                "supervisor_id",
                "supervisor_not_found",
                Msg::new("no employee has this id", "tidak ada pegawai dengan id ini"),
            )),
            Some(s) if !s.is_active() => errors.push(FieldError::new(
                "supervisor_id",
                "supervisor_inactive",
                Msg::new("the supervisor is not active", "atasan tidak aktif"),
            )),
            Some(_) => {}
        }
    }
    Ok(())
}

fn nip_taken(nip: &str) -> ApiError {
    ApiError::new(ErrorCode::NipTaken).with_detail(
        format!("Another employee has the NIP {nip}."),
        format!("Pegawai lain sudah memakai NIP {nip}."),
    )
}

fn cycle() -> ApiError {
    ApiError::new(ErrorCode::ReportingCycle).with_detail(
        "The employee would become his own (indirect) superior.",
        "Pegawai akan menjadi atasan (tidak langsung) dirinya sendiri.",
    )
}

fn forbidden() -> ApiError {
    ApiError::new(ErrorCode::Forbidden).with_detail(
        "The employee's unit is outside the units you manage.",
        "Unit pegawai di luar unit yang Anda kelola.",
    )
}

pub async fn create(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    input: EmployeeInput,
) -> Result<EmployeeRecord, ApiError> {
    if !scope::manages_unit(db, caller, input.unit_id).await? {
        return Err(forbidden());
    }
    let mut errors = Vec::new();
    let (nip, golongan) = check_facts(&input, &mut errors);
    let employee = EmployeeRecord {
        id: Uuid::now_v7(),
        nip: nip.unwrap_or_default(),
        name: input.name.trim().to_owned(),
        employment_type: input.employment_type,
        golongan,
        position: input.position.trim().to_owned(),
        position_kind: input.position_kind,
        unit_id: input.unit_id,
        supervisor_id: input.supervisor_id,
        status: input.status,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let tx = db.begin().await?;
    check_references(&tx, &employee, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    employees::insert(&tx, &employee)
        .await
        .map_err(|e| match e {
            PersistenceError::Conflict(_) => nip_taken(&employee.nip),
            other => other.into(),
        })?;
    ctx.audit(
        &tx,
        "employee.created",
        "employee",
        employee.id,
        None,
        Some(audit_view(&employee)),
    )
    .await?;
    tx.commit().await?;
    Ok(employee)
}

/// Loads an employee the caller may see (404 otherwise).
pub async fn get(db: &Db, caller: &Caller, id: Uuid) -> Result<EmployeeRecord, ApiError> {
    let employee = employees::get(db, id)
        .await?
        .ok_or_else(employee_not_found)?;
    if !scope::employee_access(db, caller).await?.allows(&employee) {
        return Err(employee_not_found());
    }
    Ok(employee)
}

/// Narrows a filter to what the caller may see; `None` when he sees nobody.
pub async fn scoped_filter(
    db: &Db,
    caller: &Caller,
    mut filter: EmployeeFilter,
) -> Result<Option<EmployeeFilter>, ApiError> {
    match scope::employee_access(db, caller).await? {
        EmployeeAccess::All => {}
        EmployeeAccess::InUnits(units) => {
            let allowed: Vec<Uuid> = match filter.unit_ids.take() {
                Some(asked) => asked.into_iter().filter(|u| units.contains(u)).collect(),
                None => units.into_iter().collect(),
            };
            filter.unit_ids = Some(allowed);
        }
        EmployeeAccess::Only(ids) => {
            let allowed: Vec<Uuid> = match filter.ids.take() {
                Some(asked) => asked.into_iter().filter(|i| ids.contains(i)).collect(),
                None => ids.into_iter().collect(),
            };
            filter.ids = Some(allowed);
        }
        EmployeeAccess::Nothing => return Ok(None),
    }
    Ok(Some(filter))
}

pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: EmployeeFilter,
    query: &ListQuery,
) -> Result<Page<EmployeeRecord>, ApiError> {
    match scoped_filter(db, caller, filter).await? {
        Some(filter) => Ok(employees::list(db, &filter, query).await?),
        None => Ok(Page {
            items: vec![],
            total: 0,
        }),
    }
}

#[derive(Debug, Clone, Default)]
pub struct EmployeePatch {
    pub nip: Option<String>,
    pub name: Option<String>,
    pub employment_type: Option<EmploymentType>,
    pub golongan: Option<Option<String>>,
    pub position: Option<String>,
    pub position_kind: Option<PositionKind>,
    pub unit_id: Option<Uuid>,
    pub supervisor_id: Option<Option<Uuid>>,
    pub status: Option<EmployeeStatus>,
}

pub async fn update(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: EmployeePatch,
) -> Result<EmployeeRecord, ApiError> {
    let tx = db.begin().await?;
    let before = employees::get(&tx, id)
        .await?
        .ok_or_else(employee_not_found)?;
    if !scope::employee_access(db, caller).await?.allows(&before) {
        return Err(employee_not_found());
    }
    if !scope::manages_unit(db, caller, before.unit_id).await? {
        return Err(forbidden());
    }
    if_match.require(before.version)?;
    let input = EmployeeInput {
        nip: patch.nip.unwrap_or_else(|| before.nip.clone()),
        name: patch.name.unwrap_or_else(|| before.name.clone()),
        employment_type: patch.employment_type.unwrap_or(before.employment_type),
        golongan: patch.golongan.unwrap_or_else(|| before.golongan.clone()),
        position: patch.position.unwrap_or_else(|| before.position.clone()),
        position_kind: patch.position_kind.unwrap_or(before.position_kind),
        unit_id: patch.unit_id.unwrap_or(before.unit_id),
        supervisor_id: patch.supervisor_id.unwrap_or(before.supervisor_id),
        status: patch.status.unwrap_or(before.status),
    };
    if input.unit_id != before.unit_id && !scope::manages_unit(db, caller, input.unit_id).await? {
        return Err(forbidden());
    }
    let mut errors = Vec::new();
    let (nip, golongan) = check_facts(&input, &mut errors);
    let mut after = before.clone();
    after.nip = nip.unwrap_or_default();
    after.name = input.name.trim().to_owned();
    after.employment_type = input.employment_type;
    after.golongan = golongan;
    after.position = input.position.trim().to_owned();
    after.position_kind = input.position_kind;
    after.unit_id = input.unit_id;
    after.supervisor_id = input.supervisor_id;
    after.status = input.status;
    check_references(&tx, &after, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if after.supervisor_id != before.supervisor_id {
        let line = employees::reporting_line(&tx).await?;
        if would_create_cycle(&line, id, after.supervisor_id) {
            return Err(cycle());
        }
    }
    if after.same_facts(&before) {
        return Ok(before);
    }
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    employees::update(&tx, &after, before.version)
        .await
        .map_err(|e| match e {
            PersistenceError::Conflict(_) => nip_taken(&after.nip),
            other => other.into(),
        })?;
    ctx.audit(
        &tx,
        "employee.updated",
        "employee",
        id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The employee's subordinates: direct ones, or every depth.
pub async fn subordinates(
    db: &Db,
    caller: &Caller,
    id: Uuid,
    all_depths: bool,
    query: &ListQuery,
) -> Result<Page<EmployeeRecord>, ApiError> {
    let employee = get(db, caller, id).await?;
    let filter = if all_depths {
        let ids: Vec<Uuid> = employees::subordinate_ids(db, employee.id)
            .await?
            .into_iter()
            .collect();
        EmployeeFilter {
            ids: Some(ids),
            ..Default::default()
        }
    } else {
        EmployeeFilter {
            supervisor_id: Some(employee.id),
            ..Default::default()
        }
    };
    list(db, caller, filter, query).await
}

/// The chain of superiors, nearest first (for `/me` and the record's `supervisor`).
pub async fn superiors(
    db: &Db,
    employee: &EmployeeRecord,
) -> Result<Vec<EmployeeRecord>, ApiError> {
    let mut chain = Vec::new();
    let mut next = employee.supervisor_id;
    while let Some(id) = next {
        if chain.iter().any(|e: &EmployeeRecord| e.id == id) || chain.len() > 50 {
            break;
        }
        let Some(sup) = employees::get(db, id).await? else {
            break;
        };
        next = sup.supervisor_id;
        chain.push(sup);
    }
    Ok(chain)
}
