//! `POST /imports/employees`:
//! `nip,name,employment_type,golongan,position,position_kind,unit_code,supervisor_nip,status`,
//! upsert by NIP. Supervisors may be anywhere in the file or already stored; the final reporting
//! line must have no cycle and every supervisor must be active.

use std::collections::HashMap;

use kinerja_domain::org::{
    EmployeeStatus, EmploymentType, PositionKind, nodes_on_cycles, parents_first,
};
use kinerja_persistence::Db;
use kinerja_persistence::repos::employees::{self, EmployeeRecord};
use kinerja_persistence::repos::units;
use serde_json::json;
use uuid::Uuid;

use super::{Columns, Format, ImportOutcome, RowErrors, file_hash, parse};
use crate::error::ApiError;
use crate::services::Context;
use crate::services::employees::{EmployeeInput, check_facts};

pub const COLUMNS: &[&str] = &[
    "nip",
    "name",
    "employment_type",
    "golongan",
    "position",
    "position_kind",
    "unit_code",
    "supervisor_nip",
    "status",
];
const REQUIRED: &[&str] = &[
    "nip",
    "name",
    "employment_type",
    "position",
    "position_kind",
    "unit_code",
];

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", ")
}

struct EmployeeRow {
    number: u64,
    record: EmployeeRecord,
    supervisor_nip: Option<String>,
}

pub async fn import(
    db: &Db,
    ctx: &Context,
    bytes: &[u8],
    format: Format,
    dry_run: bool,
) -> Result<ImportOutcome, ApiError> {
    let columns = Columns {
        all: COLUMNS,
        required: REQUIRED,
        flags: &[],
        numbers: &[],
    };
    let started = std::time::Instant::now();
    let rows = parse(bytes, format, columns)?;
    let units_by_code: HashMap<String, (Uuid, bool)> = units::all(db)
        .await?
        .into_iter()
        .map(|u| (u.code, (u.id, u.active)))
        .collect();
    let mut errors = RowErrors::default();
    let mut parsed: Vec<EmployeeRow> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();

    for row in &rows {
        let n = row.number;
        let before = errors.0.len();
        let employment_type = match row.text("employment_type") {
            None => {
                errors.add(
                    n,
                    "employment_type",
                    "required",
                    "is required",
                    "wajib diisi",
                );
                None
            }
            Some(raw) => EmploymentType::parse(&raw.to_ascii_lowercase()).or_else(|| {
                let all = names(&EmploymentType::ALL, EmploymentType::as_str);
                errors.add(
                    n,
                    "employment_type",
                    "invalid",
                    format!("must be one of {all}"),
                    format!("harus salah satu dari {all}"),
                );
                None
            }),
        };
        let position_kind = match row.text("position_kind") {
            None => {
                errors.add(n, "position_kind", "required", "is required", "wajib diisi");
                None
            }
            Some(raw) => PositionKind::parse(&raw.to_ascii_lowercase()).or_else(|| {
                let all = names(PositionKind::ALL, PositionKind::as_str);
                errors.add(
                    n,
                    "position_kind",
                    "invalid",
                    format!("must be one of {all}"),
                    format!("harus salah satu dari {all}"),
                );
                None
            }),
        };
        let status = match row.text("status") {
            None => Some(EmployeeStatus::Active),
            Some(raw) => EmployeeStatus::parse(&raw.to_ascii_lowercase()).or_else(|| {
                let all = names(EmployeeStatus::ALL, EmployeeStatus::as_str);
                errors.add(
                    n,
                    "status",
                    "invalid",
                    format!("must be one of {all}"),
                    format!("harus salah satu dari {all}"),
                );
                None
            }),
        };
        let unit_id = match row.text("unit_code") {
            None => {
                errors.add(n, "unit_code", "required", "is required", "wajib diisi");
                None
            }
            Some(code) => match units_by_code.get(&code) {
                None => {
                    errors.add(
                        n,
                        "unit_code",
                        "unknown_unit",
                        format!("no unit has the code {code:?}"),
                        format!("tidak ada unit berkode {code:?}"),
                    );
                    None
                }
                Some((_, false)) => {
                    errors.add(
                        n,
                        "unit_code",
                        "unit_inactive",
                        "the unit is not active",
                        "unit tidak aktif",
                    );
                    None
                }
                Some((id, true)) => Some(*id),
            },
        };
        let name = row.text("name").unwrap_or_default();
        let position = row.text("position").unwrap_or_default();
        for (field, value) in [("name", &name), ("position", &position)] {
            if value.chars().count() > 200 {
                errors.add(
                    n,
                    field,
                    "length",
                    "must be at most 200 characters long",
                    "maksimal 200 karakter",
                );
            }
        }
        let Some(employment_type) = employment_type else {
            // Without the type the NIP rules are unknown; its other errors are already listed.
            if row.text("nip").is_none() {
                errors.add(n, "nip", "required", "is required", "wajib diisi");
            }
            continue;
        };
        let input = EmployeeInput {
            nip: row.text("nip").unwrap_or_default(),
            name: name.clone(),
            employment_type,
            golongan: row.text("golongan"),
            position: position.clone(),
            position_kind: position_kind.unwrap_or(PositionKind::Pelaksana),
            unit_id: unit_id.unwrap_or_default(),
            supervisor_id: None,
            status: status.unwrap_or(EmployeeStatus::Active),
        };
        let mut field_errors = Vec::new();
        let (nip, golongan) = check_facts(&input, &mut field_errors);
        for e in field_errors {
            errors.add_field(n, e);
        }
        if let Some(nip) = &nip
            && let Some(first) = seen.insert(nip.clone(), n)
        {
            errors.add(
                n,
                "nip",
                "duplicate_in_file",
                format!("repeats the NIP of row {first}"),
                format!("mengulang NIP pada baris {first}"),
            );
        }
        if errors.0.len() == before
            && let (Some(nip), Some(_), Some(unit_id), Some(_)) =
                (nip, position_kind, unit_id, status)
        {
            parsed.push(EmployeeRow {
                number: n,
                record: EmployeeRecord {
                    id: Uuid::nil(),
                    nip,
                    name: name.trim().to_owned(),
                    employment_type,
                    golongan,
                    position: position.trim().to_owned(),
                    position_kind: input.position_kind,
                    unit_id,
                    supervisor_id: None,
                    status: input.status,
                    version: 1,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                },
                supervisor_nip: row.text("supervisor_nip"),
            });
        }
    }

    // Stored employees named in the file, as themselves or as supervisors.
    let wanted = parsed
        .iter()
        .map(|r| r.record.nip.clone())
        .chain(parsed.iter().filter_map(|r| r.supervisor_nip.clone()));
    let parsed_at = started.elapsed();
    let stored: HashMap<String, EmployeeRecord> = super::staff_by_nip(db, wanted).await?;

    // Ids: stored ones keep theirs, new ones get one now.
    for row in &mut parsed {
        row.record.id = stored
            .get(&row.record.nip)
            .map(|e| e.id)
            .unwrap_or_else(Uuid::now_v7);
    }
    let in_file: HashMap<String, (Uuid, EmployeeStatus)> = parsed
        .iter()
        .map(|r| (r.record.nip.clone(), (r.record.id, r.record.status)))
        .collect();

    let stored_at = started.elapsed();
    let mut line = employees::reporting_line(db).await?;
    for row in &mut parsed {
        let Some(sup_nip) = &row.supervisor_nip else {
            line.insert(row.record.id, None);
            continue;
        };
        // The file's version of an employee wins over the stored one.
        let supervisor = in_file
            .get(sup_nip)
            .copied()
            .or_else(|| stored.get(sup_nip).map(|e| (e.id, e.status)));
        match supervisor {
            None => errors.add(
                row.number,
                "supervisor_nip",
                "supervisor_not_found",
                format!("no employee has the NIP {sup_nip}, in the file or stored"),
                format!("tidak ada pegawai dengan NIP {sup_nip}, di berkas maupun tersimpan"),
            ),
            Some((_, status)) if status != EmployeeStatus::Active => errors.add(
                row.number,
                "supervisor_nip",
                "supervisor_inactive",
                "the supervisor is not active",
                "atasan tidak aktif",
            ),
            Some((id, _)) => {
                row.record.supervisor_id = Some(id);
            }
        }
        line.insert(row.record.id, row.record.supervisor_id);
    }
    let line_at = started.elapsed();
    log::debug!(
        "import.employees: {} rows parsed and checked in {parsed_at:?}, stored employees loaded by {stored_at:?}, reporting line by {line_at:?}",
        rows.len()
    );
    let on_cycle = nodes_on_cycles(&line);
    for row in &parsed {
        if on_cycle.binary_search(&row.record.id).is_ok() {
            errors.add(
                row.number,
                "supervisor_nip",
                "reporting_cycle",
                "the reporting line would loop back to this employee",
                "garis atasan akan kembali ke pegawai ini",
            );
        }
    }

    let mut outcome = ImportOutcome {
        dry_run,
        ..Default::default()
    };
    let mut new_rows: HashMap<Uuid, EmployeeRecord> = HashMap::new();
    let mut changed: Vec<(EmployeeRecord, i64)> = Vec::new();
    for row in parsed {
        match stored.get(&row.record.nip) {
            None => {
                outcome.created += 1;
                new_rows.insert(row.record.id, row.record);
            }
            Some(current) if current.same_facts(&row.record) => outcome.unchanged += 1,
            Some(current) => {
                outcome.updated += 1;
                let mut next = row.record;
                next.version = current.version + 1;
                next.created_at = current.created_at;
                changed.push((next, current.version));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.into_problem(outcome));
    }
    if dry_run {
        return Ok(outcome);
    }

    // New employees supervisors first, so every foreign key points at a row already there.
    let new_line: HashMap<Uuid, Option<Uuid>> =
        new_rows.values().map(|e| (e.id, e.supervisor_id)).collect();
    let ordered: Vec<EmployeeRecord> = parents_first(&new_line)
        .into_iter()
        .filter_map(|id| new_rows.remove(&id))
        .collect();
    let tx = db.begin().await?;
    employees::insert_many(&tx, &ordered).await?;
    for (employee, expected) in &changed {
        employees::update(&tx, employee, *expected).await?;
    }
    ctx.audit(
        &tx,
        "import.employees",
        "import",
        file_hash(bytes),
        None,
        Some(json!({"format": format.as_str(), "rows": rows.len(), "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged})),
    )
    .await?;
    crate::test_hooks::pause(crate::test_hooks::points::EMPLOYEE_IMPORT_BEFORE_COMMIT).await;
    tx.commit().await?;
    Ok(outcome)
}
