//! Who sees and manages which part of the organisation (DESIGN §4, issue "Organisation"):
//!
//! - admin: everything; auditor and services with `read:org`: read everything;
//! - unit_admin: manages his unit's subtree, not reaching into descendant OPDs;
//! - employee: sees himself and his subordinates at every depth (his superiors' names come
//!   with his own record);
//! - everyone signed in reads the unit tree itself (the organisation chart is not secret).
//!
//! Outside his scope a caller gets 404, as if the record did not exist.

use std::collections::HashSet;

use kinerja_domain::accounts::{Role, Scope};
use kinerja_domain::org::scope_within_opd;
use kinerja_persistence::Db;
use kinerja_persistence::repos::employees::{self, EmployeeRecord};
use kinerja_persistence::repos::units::{self, UnitRecord};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;

/// Which employees a caller may read.
#[derive(Debug, Clone)]
pub enum EmployeeAccess {
    All,
    /// Employees of these units.
    InUnits(HashSet<Uuid>),
    /// These employees.
    Only(HashSet<Uuid>),
    Nothing,
}

impl EmployeeAccess {
    pub fn allows(&self, employee: &EmployeeRecord) -> bool {
        match self {
            EmployeeAccess::All => true,
            EmployeeAccess::InUnits(units) => units.contains(&employee.unit_id),
            EmployeeAccess::Only(ids) => ids.contains(&employee.id),
            EmployeeAccess::Nothing => false,
        }
    }
}

/// The units a unit admin manages: his unit and its descendants up to (not into) other OPDs.
pub async fn managed_units(db: &Db, caller: &Caller) -> Result<Option<HashSet<Uuid>>, ApiError> {
    if caller.is_admin() {
        return Ok(None);
    }
    let Some(root) = caller
        .user()
        .filter(|u| u.has_role(Role::UnitAdmin))
        .and_then(|u| u.unit_id)
    else {
        return Ok(Some(HashSet::new()));
    };
    let all = units::all(db).await?;
    Ok(Some(scope_within_opd(root, &units::children_map(&all))))
}

/// Whether the caller manages (may change) records of `unit_id`.
pub async fn manages_unit(db: &Db, caller: &Caller, unit_id: Uuid) -> Result<bool, ApiError> {
    Ok(match managed_units(db, caller).await? {
        None => true,
        Some(units) => units.contains(&unit_id),
    })
}

/// Whether the caller may change anything in the organisation at all.
pub fn may_manage_org(caller: &Caller) -> bool {
    caller.is_admin()
        || (caller.has_role(Role::UnitAdmin) && caller.user().is_some_and(|u| u.unit_id.is_some()))
}

/// Which employees the caller may read.
pub async fn employee_access(db: &Db, caller: &Caller) -> Result<EmployeeAccess, ApiError> {
    if caller.is_admin() || caller.is_auditor() || caller.has_scope(Scope::ReadOrg) {
        return Ok(EmployeeAccess::All);
    }
    let mut units_seen: Option<HashSet<Uuid>> = None;
    if caller.has_role(Role::UnitAdmin) {
        units_seen = managed_units(db, caller).await?;
    }
    let own = caller.user().and_then(|u| u.employee_id);
    let mut people: HashSet<Uuid> = HashSet::new();
    if let Some(me) = own {
        people.insert(me);
        people.extend(employees::subordinate_ids(db, me).await?);
    }
    Ok(match (units_seen, people.is_empty()) {
        (Some(units), true) => EmployeeAccess::InUnits(units),
        // A unit admin who is also an employee: his units' staff and his own line. Rare enough to
        // resolve as a set of people.
        (Some(units), false) => {
            let unit_ids: Vec<Uuid> = units.into_iter().collect();
            let filter = employees::EmployeeFilter {
                unit_ids: Some(unit_ids),
                ..Default::default()
            };
            let mut offset = 0;
            loop {
                let batch = employees::list_all(db, &filter, &[], offset, 5000).await?;
                let n = batch.len() as u64;
                people.extend(batch.into_iter().map(|e| e.id));
                if n < 5000 {
                    break;
                }
                offset += n;
            }
            EmployeeAccess::Only(people)
        }
        (None, false) => EmployeeAccess::Only(people),
        (None, true) => EmployeeAccess::Nothing,
    })
}

/// A unit and the units above it, nearest first (a broken or circular link ends the line).
pub fn line_up(all: &[UnitRecord], unit_id: Uuid) -> Vec<&UnitRecord> {
    let mut line: Vec<&UnitRecord> = Vec::new();
    let mut at = Some(unit_id);
    while let Some(id) = at {
        let Some(unit) = all.iter().find(|u| u.id == id) else {
            break;
        };
        if line.iter().any(|u| u.id == unit.id) {
            break;
        }
        line.push(unit);
        at = unit.parent_id;
    }
    line
}

/// Whether `employee` heads the unit or a unit above it.
pub fn heads_at_or_above(all: &[UnitRecord], unit_id: Uuid, employee: Uuid) -> bool {
    line_up(all, unit_id)
        .iter()
        .any(|u| u.head_employee_id == Some(employee))
}

/// Loads a unit any signed-in caller may read.
pub async fn visible_unit(db: &Db, id: Uuid) -> Result<UnitRecord, ApiError> {
    units::get(db, id).await?.ok_or_else(unit_not_found)
}

pub fn unit_not_found() -> ApiError {
    ApiError::new(crate::error::ErrorCode::NotFound)
        .with_detail("No such unit.", "Unit tidak ditemukan.")
}

pub fn employee_not_found() -> ApiError {
    ApiError::new(crate::error::ErrorCode::NotFound)
        .with_detail("No such employee.", "Pegawai tidak ditemukan.")
}
