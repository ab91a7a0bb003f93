//! `POST /imports/units`: `code,name,kind,parent_code,is_opd,is_service_unit`, upsert by code.
//! Parents may be anywhere in the file or already stored; the final tree must have no cycle.

use std::collections::HashMap;

use kinerja_domain::org::{UnitCode, UnitKind, nodes_on_cycles, parents_first};
use kinerja_persistence::Db;
use kinerja_persistence::repos::units::{self, UnitRecord};
use serde_json::json;
use uuid::Uuid;

use super::{Columns, Format, ImportOutcome, RowErrors, file_hash, parse, parse_bool};
use crate::error::ApiError;
use crate::services::Context;
use crate::services::units::code_error;

pub const COLUMNS: &[&str] = &[
    "code",
    "name",
    "kind",
    "parent_code",
    "is_opd",
    "is_service_unit",
];
const REQUIRED: &[&str] = &["code", "name", "kind"];

struct UnitRow {
    number: u64,
    code: String,
    name: String,
    kind: UnitKind,
    parent_code: Option<String>,
    is_opd: bool,
    is_service_unit: bool,
}

fn kinds() -> String {
    UnitKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
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
        flags: &["is_opd", "is_service_unit"],
        numbers: &[],
    };
    let rows = parse(bytes, format, columns)?;
    let mut errors = RowErrors::default();
    let mut parsed: Vec<UnitRow> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();

    for row in &rows {
        let n = row.number;
        let before = errors.0.len();
        let code = match row.text("code") {
            None => {
                errors.add(n, "code", "required", "is required", "wajib diisi");
                None
            }
            Some(raw) => UnitCode::parse(&raw)
                .map_err(|e| errors.add_field(n, code_error("code", e)))
                .ok(),
        };
        let name = row.text("name");
        if name.is_none() {
            errors.add(n, "name", "required", "is required", "wajib diisi");
        }
        if name.as_ref().is_some_and(|s| s.chars().count() > 200) {
            errors.add(
                n,
                "name",
                "length",
                "must be at most 200 characters long",
                "maksimal 200 karakter",
            );
        }
        let kind = match row.text("kind") {
            None => {
                errors.add(n, "kind", "required", "is required", "wajib diisi");
                None
            }
            Some(raw) => UnitKind::parse(&raw.to_ascii_lowercase()).or_else(|| {
                errors.add(
                    n,
                    "kind",
                    "invalid",
                    format!("must be one of {}", kinds()),
                    format!("harus salah satu dari {}", kinds()),
                );
                None
            }),
        };
        let parent_code = match row.text("parent_code") {
            None => None,
            Some(raw) => UnitCode::parse(&raw)
                .map_err(|e| errors.add_field(n, code_error("parent_code", e)))
                .ok()
                .map(|c| c.as_str().to_owned()),
        };
        let flag = |column: &str, errors: &mut RowErrors| match row.text(column) {
            None => false,
            Some(raw) => parse_bool(&raw).unwrap_or_else(|| {
                errors.add(
                    n,
                    column,
                    "invalid",
                    "must be true or false",
                    "harus true atau false",
                );
                false
            }),
        };
        let is_opd = flag("is_opd", &mut errors);
        let is_service_unit = flag("is_service_unit", &mut errors);
        if let Some(code) = &code
            && let Some(first) = seen.insert(code.as_str().to_owned(), n)
        {
            errors.add(
                n,
                "code",
                "duplicate_in_file",
                format!("repeats the code of row {first}"),
                format!("mengulang kode pada baris {first}"),
            );
        }
        if errors.0.len() == before
            && let (Some(code), Some(name), Some(kind)) = (code, name, kind)
        {
            parsed.push(UnitRow {
                number: n,
                code: code.as_str().to_owned(),
                name,
                kind,
                parent_code,
                is_opd,
                is_service_unit,
            });
        }
    }

    let existing: HashMap<String, UnitRecord> = units::all(db)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    // Every code in the final tree, with its id.
    let mut ids: HashMap<String, Uuid> = existing
        .iter()
        .map(|(code, u)| (code.clone(), u.id))
        .collect();
    for row in &parsed {
        ids.entry(row.code.clone()).or_insert_with(Uuid::now_v7);
    }

    let mut parents: HashMap<Uuid, Option<Uuid>> =
        existing.values().map(|u| (u.id, u.parent_id)).collect();
    let mut resolved: Vec<(&UnitRow, Option<Uuid>)> = Vec::with_capacity(parsed.len());
    for row in &parsed {
        let parent = match &row.parent_code {
            None => None,
            Some(code) => match ids.get(code) {
                Some(id) => Some(*id),
                None => {
                    errors.add(
                        row.number,
                        "parent_code",
                        "unknown_unit",
                        format!("no unit has the code {code:?}, in the file or stored"),
                        format!("tidak ada unit berkode {code:?}, di berkas maupun tersimpan"),
                    );
                    continue;
                }
            },
        };
        parents.insert(ids[&row.code], parent);
        resolved.push((row, parent));
    }
    let on_cycle = nodes_on_cycles(&parents);
    let rows_by_id: HashMap<Uuid, u64> = resolved
        .iter()
        .map(|(r, _)| (ids[&r.code], r.number))
        .collect();
    for id in &on_cycle {
        if let Some(row) = rows_by_id.get(id) {
            errors.add(
                *row,
                "parent_code",
                "unit_cycle",
                "the unit would become its own ancestor",
                "unit akan menjadi leluhurnya sendiri",
            );
        }
    }

    let mut outcome = ImportOutcome {
        dry_run,
        ..Default::default()
    };
    let mut new_units: HashMap<Uuid, UnitRecord> = HashMap::new();
    let mut changed: Vec<(UnitRecord, i64)> = Vec::new();
    for (row, parent) in resolved {
        let id = ids[&row.code];
        if on_cycle.contains(&id) {
            continue;
        }
        match existing.get(&row.code) {
            None => {
                outcome.created += 1;
                new_units.insert(
                    id,
                    UnitRecord {
                        id,
                        code: row.code.clone(),
                        name: row.name.clone(),
                        kind: row.kind,
                        parent_id: parent,
                        head_employee_id: None,
                        is_opd: row.is_opd,
                        is_service_unit: row.is_service_unit,
                        active: true,
                        version: 1,
                        created_at: ctx.now,
                        updated_at: ctx.now,
                    },
                );
            }
            Some(current) => {
                let mut next = current.clone();
                next.name = row.name.clone();
                next.kind = row.kind;
                next.parent_id = parent;
                next.is_opd = row.is_opd;
                next.is_service_unit = row.is_service_unit;
                if next == *current {
                    outcome.unchanged += 1;
                } else {
                    outcome.updated += 1;
                    next.version = current.version + 1;
                    next.updated_at = ctx.now;
                    changed.push((next, current.version));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.into_problem(outcome));
    }
    if dry_run {
        return Ok(outcome);
    }

    // New units parents first, so every foreign key points at a row already there.
    let new_parents: HashMap<Uuid, Option<Uuid>> =
        new_units.values().map(|u| (u.id, u.parent_id)).collect();
    let ordered: Vec<UnitRecord> = parents_first(&new_parents)
        .into_iter()
        .filter_map(|id| new_units.remove(&id))
        .collect();
    let tx = db.begin().await?;
    units::insert_many(&tx, &ordered).await?;
    for (unit, expected) in &changed {
        units::update(&tx, unit, *expected).await?;
    }
    ctx.audit(
        &tx,
        "import.units",
        "import",
        file_hash(bytes),
        None,
        Some(json!({"format": format.as_str(), "rows": rows.len(), "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged})),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}
