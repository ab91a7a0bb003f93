//! The unit tree: create, change, move, deactivate, delete.

use std::collections::HashMap;

use kinerja_domain::org::{UnitCode, UnitCodeError, UnitKind, would_create_cycle};
use kinerja_persistence::repos::units::{self, UnitFilter, UnitRecord};
use kinerja_persistence::repos::{employees, users};
use kinerja_persistence::{Db, ListQuery, Page, PersistenceError};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use super::scope::{self, unit_not_found};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::http::precondition::IfMatch;

pub fn audit_view(u: &UnitRecord) -> Value {
    json!({
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "parent_id": u.parent_id,
        "head_employee_id": u.head_employee_id,
        "is_opd": u.is_opd,
        "is_service_unit": u.is_service_unit,
        "active": u.active,
        "version": u.version,
    })
}

pub fn code_error(field: &str, e: UnitCodeError) -> FieldError {
    let (code, id) = match e {
        UnitCodeError::Length => ("length", "harus 1 sampai 32 karakter"),
        UnitCodeError::Characters => (
            "invalid_characters",
            "hanya boleh huruf, angka, '.', '-' dan '_', diawali huruf atau angka",
        ),
    };
    FieldError::new(field, code, Msg::new(e.to_string(), id))
}

fn forbidden() -> ApiError {
    ApiError::new(ErrorCode::Forbidden).with_detail(
        "This unit is outside the units you manage.",
        "Unit ini di luar unit yang Anda kelola.",
    )
}

fn code_taken(code: &str) -> ApiError {
    ApiError::new(ErrorCode::UnitCodeTaken).with_detail(
        format!("The unit code {code:?} is taken."),
        format!("Kode unit {code:?} sudah dipakai."),
    )
}

fn cycle() -> ApiError {
    ApiError::new(ErrorCode::UnitCycle).with_detail(
        "A unit cannot be moved under itself or one of its descendants.",
        "Unit tidak dapat dipindahkan ke bawah dirinya sendiri atau turunannya.",
    )
}

/// What a caller asks for when creating a unit.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<Uuid>,
    pub head_employee_id: Option<Uuid>,
    pub is_opd: bool,
    pub is_service_unit: bool,
    pub active: bool,
}

#[derive(Debug, Clone, Default)]
pub struct UnitPatch {
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    pub parent_id: Option<Option<Uuid>>,
    pub head_employee_id: Option<Option<Uuid>>,
    pub is_opd: Option<bool>,
    pub is_service_unit: Option<bool>,
    pub active: Option<bool>,
}

/// Checks references that need the database: the parent exists, the head is an employee.
async fn check_references(
    db: &impl kinerja_persistence::Store,
    unit: &UnitRecord,
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    if let Some(parent) = unit.parent_id
        && units::get(db, parent).await?.is_none()
    {
        errors.push(FieldError::new(
            "parent_id",
            "unknown_unit",
            Msg::new("no unit has this id", "tidak ada unit dengan id ini"),
        ));
    }
    if let Some(head) = unit.head_employee_id
        && employees::get(db, head).await?.is_none()
    {
        errors.push(FieldError::new(
            "head_employee_id",
            "unknown_employee",
            Msg::new("no employee has this id", "tidak ada pegawai dengan id ini"),
        ));
    }
    Ok(())
}

pub async fn create(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    new: NewUnit,
) -> Result<UnitRecord, ApiError> {
    let mut errors = Vec::new();
    let code = UnitCode::parse(&new.code)
        .map_err(|e| errors.push(code_error("code", e)))
        .ok();
    let name = new.name.trim().to_owned();
    if name.is_empty() {
        errors.push(FieldError::new(
            "name",
            "required",
            Msg::new("is required", "wajib diisi"),
        ));
    }
    // A unit admin adds units under the ones he manages, never at the top or as an OPD.
    if !caller.is_admin() {
        match new.parent_id {
            Some(parent) if scope::manages_unit(db, caller, parent).await? => {}
            _ => return Err(forbidden()),
        }
        if new.is_opd {
            return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
                "Only an admin creates OPDs.",
                "Hanya admin yang membuat OPD.",
            ));
        }
    }
    let Some(code) = code else {
        return Err(ApiError::invalid(errors));
    };
    let unit = UnitRecord {
        id: Uuid::now_v7(),
        code: code.as_str().to_owned(),
        name,
        kind: new.kind,
        parent_id: new.parent_id,
        head_employee_id: new.head_employee_id,
        is_opd: new.is_opd,
        is_service_unit: new.is_service_unit,
        active: new.active,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let tx = db.begin().await?;
    check_references(&tx, &unit, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    units::insert(&tx, &unit).await.map_err(|e| match e {
        PersistenceError::Conflict(_) => code_taken(&unit.code),
        other => other.into(),
    })?;
    ctx.audit(
        &tx,
        "unit.created",
        "unit",
        unit.id,
        None,
        Some(audit_view(&unit)),
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}

pub async fn list(
    db: &Db,
    filter: &UnitFilter,
    query: &ListQuery,
) -> Result<Page<UnitRecord>, ApiError> {
    Ok(units::list(db, filter, query).await?)
}

pub async fn update(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: UnitPatch,
) -> Result<UnitRecord, ApiError> {
    let tx = db.begin().await?;
    let before = units::get(&tx, id).await?.ok_or_else(unit_not_found)?;
    let managed = scope::managed_units(db, caller).await?;
    if let Some(managed) = &managed
        && !managed.contains(&id)
    {
        return Err(forbidden());
    }
    if_match.require(before.version)?;
    let mut errors = Vec::new();
    let mut after = before.clone();
    if let Some(code) = patch.code {
        match UnitCode::parse(&code) {
            Ok(code) => after.code = code.as_str().to_owned(),
            Err(e) => errors.push(code_error("code", e)),
        }
    }
    if let Some(name) = patch.name {
        let name = name.trim().to_owned();
        if name.is_empty() {
            errors.push(FieldError::new(
                "name",
                "required",
                Msg::new("is required", "wajib diisi"),
            ));
        }
        after.name = name;
    }
    if let Some(kind) = patch.kind {
        after.kind = kind;
    }
    if let Some(parent) = patch.parent_id {
        after.parent_id = parent;
    }
    if let Some(head) = patch.head_employee_id {
        after.head_employee_id = head;
    }
    if let Some(v) = patch.is_opd {
        after.is_opd = v;
    }
    if let Some(v) = patch.is_service_unit {
        after.is_service_unit = v;
    }
    if let Some(v) = patch.active {
        after.active = v;
    }
    if let Some(managed) = &managed {
        // A unit admin keeps his units inside his scope and cannot make or unmake OPDs.
        let parent_ok = after.parent_id == before.parent_id
            || after.parent_id.is_some_and(|p| managed.contains(&p));
        if !parent_ok || after.is_opd != before.is_opd {
            return Err(forbidden());
        }
    }
    check_references(&tx, &after, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if after.parent_id != before.parent_id {
        let parents: HashMap<Uuid, Option<Uuid>> = units::all(&tx)
            .await?
            .into_iter()
            .map(|u| (u.id, u.parent_id))
            .collect();
        if would_create_cycle(&parents, id, after.parent_id) {
            return Err(cycle());
        }
    }
    if after == before {
        return Ok(before);
    }
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    units::update(&tx, &after, before.version)
        .await
        .map_err(|e| match e {
            PersistenceError::Conflict(_) => code_taken(&after.code),
            other => other.into(),
        })?;
    ctx.audit(
        &tx,
        "unit.updated",
        "unit",
        id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a unit nothing refers to; a unit with sub-units, staff, accounts or history is
/// deactivated instead (409 `unit_in_use`).
pub async fn delete(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let tx = db.begin().await?;
    let unit = units::get(&tx, id).await?.ok_or_else(unit_not_found)?;
    if !scope::manages_unit(db, caller, id).await? {
        return Err(forbidden());
    }
    if_match.honour(unit.version)?;
    let mut uses = Vec::new();
    let filter = UnitFilter {
        parent_id: Some(id),
        ..Default::default()
    };
    let one = ListQuery {
        page: 1,
        per_page: 1,
        sort: vec![],
    };
    if units::list(&tx, &filter, &one).await?.total > 0 {
        uses.push("sub-units");
    }
    if employees::count_in_unit(&tx, id).await? > 0 {
        uses.push("staff");
    }
    if users::any_in_unit(&tx, id).await? {
        uses.push("accounts");
    }
    if !uses.is_empty() {
        let what = uses.join(", ");
        return Err(ApiError::new(ErrorCode::UnitInUse).with_detail(
            format!("The unit still has {what}; deactivate it with active: false instead."),
            format!("Unit masih memiliki {what}; nonaktifkan dengan active: false."),
        ));
    }
    units::delete(&tx, id).await.map_err(|e| match e {
        // Something added later (history) still refers to it.
        PersistenceError::ForeignKey(_) => ApiError::new(ErrorCode::UnitInUse),
        other => other.into(),
    })?;
    ctx.audit(
        &tx,
        "unit.deleted",
        "unit",
        id,
        Some(audit_view(&unit)),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
