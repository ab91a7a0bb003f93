//! `POST /imports/realizations`: realisasi of SKP indicators from a spreadsheet,
//! `nip,cycle_year,indicator_code,period,value,achieved,evidence,note` (evidence links separated
//! by `|`), upserted by NIP + cycle year + indicator code + period.
//!
//! - A row addresses the SKP in force for the employee in that cycle on the period's last day
//!   (31 March, 30 June, 30 September, 31 December): his own SKP (not a revision) whose dates
//!   hold that day. A mid-year transfer thus sends the quarters before it to the first SKP and
//!   those after to the next. That SKP must be approved and the cycle running, as through the
//!   API ([`recordable`]).
//! - The indicator is found by its code among those in force on that SKP.
//! - The rules of `POST /skps/{id}/realizations` apply ([`check`]): a value, or `achieved` for a
//!   qualitative indicator; at most 4 decimals; at most 10 http(s) evidence links; a note of at
//!   most 2000 characters.
//! - Counted per row: `created` (nothing stood for that indicator and period), `updated` (the
//!   row replaces what stood with something else), `unchanged`.
//! - One transaction; every SKP whose realisasi changed gets one version bump (its capaian
//!   changed); one audit event for the import.

use std::collections::{HashMap, HashSet};

use kinerja_domain::accounts::Scope;
use kinerja_domain::capaian::Period;
use kinerja_persistence::Db;
use kinerja_persistence::repos::cycles::{self, CycleRecord};
use kinerja_persistence::repos::employees::EmployeeRecord;
use kinerja_persistence::repos::realizations::{self as repo, RealizationRecord};
use kinerja_persistence::repos::skps::{self, SkpIndicatorRecord, SkpRecord};
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use super::{
    Columns, Format, ImportOutcome, Row, RowErrors, choice, cycle_of_year, decimal,
    employee_in_scope, file_hash, parse, parse_bool, required, staff_by_nip, units_in_scope, year,
};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::services::Context;
use crate::services::realizations::{
    NotRecordable, RealizationInput, check, next_record, recordable,
};

pub const COLUMNS: &[&str] = &[
    "nip",
    "cycle_year",
    "indicator_code",
    "period",
    "value",
    "achieved",
    "evidence",
    "note",
];
const REQUIRED: &[&str] = &["nip", "cycle_year", "indicator_code", "period"];

struct ParsedRow {
    row: u64,
    nip: String,
    year: i32,
    code: String,
    period: Period,
    value: Option<Decimal>,
    achieved: Option<bool>,
    evidence: Vec<String>,
    note: Option<String>,
}

/// The cells of a row, or (with every error of the row) nothing.
fn parse_row(row: &Row, errors: &mut RowErrors) -> Option<ParsedRow> {
    let before = errors.0.len();
    let nip = required(row, "nip", errors);
    let year = year(row, "cycle_year", errors);
    let code = required(row, "indicator_code", errors);
    let period = required(row, "period", errors)
        .and_then(|_| choice(row, "period", Period::ALL, Period::as_str, errors));
    let value = decimal(row, "value", errors);
    let achieved = row.text("achieved").and_then(|raw| {
        let parsed = parse_bool(&raw);
        if parsed.is_none() {
            errors.add(
                row.number,
                "achieved",
                "invalid",
                "must be true or false (ya/tidak)",
                "harus true atau false (ya/tidak)",
            );
        }
        parsed
    });
    let evidence = row
        .text("evidence")
        .map(|links| {
            links
                .split('|')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if errors.0.len() != before {
        return None;
    }
    Some(ParsedRow {
        row: row.number,
        nip: nip?,
        year: year?,
        code: code?,
        period: period?,
        value,
        achieved,
        evidence,
        note: row.text("note"),
    })
}

/// A realisasi rule's field error as a cell of the file: the n-th evidence link is named in the
/// message, the column is `evidence`.
fn cell_error(mut error: FieldError) -> FieldError {
    if let Some(rest) = error.field.strip_prefix("evidence[")
        && let Some(n) = rest.strip_suffix(']').and_then(|n| n.parse::<usize>().ok())
    {
        error.message = Msg::new(
            format!("link {}: {}", n + 1, error.message.en),
            format!("tautan {}: {}", n + 1, error.message.id),
        );
        error.field = "evidence".to_owned();
    }
    error
}

pub async fn import(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    bytes: &[u8],
    format: Format,
    dry_run: bool,
) -> Result<ImportOutcome, ApiError> {
    let started = std::time::Instant::now();
    let rows = parse(
        bytes,
        format,
        Columns {
            all: COLUMNS,
            required: REQUIRED,
            flags: &["achieved"],
            numbers: &["cycle_year", "value"],
        },
    )?;
    let mut errors = RowErrors::default();
    let mut parsed: Vec<ParsedRow> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, i32, String, Period), u64> = HashMap::new();
    for row in &rows {
        let Some(p) = parse_row(row, &mut errors) else {
            continue;
        };
        let key = (p.nip.clone(), p.year, p.code.clone(), p.period);
        if let Some(first) = seen.get(&key) {
            errors.add(
                p.row,
                "period",
                "duplicate_in_file",
                format!(
                    "repeats row {first}: one realisasi per indicator and period (a later one would replace it)"
                ),
                format!(
                    "mengulang baris {first}: satu realisasi per indikator dan periode (yang kemudian akan menggantikannya)"
                ),
            );
            continue;
        }
        seen.insert(key, p.row);
        parsed.push(p);
    }

    // Who and when, in bulk.
    let mut years: Vec<i32> = parsed.iter().map(|r| r.year).collect();
    years.sort_unstable();
    years.dedup();
    let staff = staff_by_nip(db, parsed.iter().map(|r| r.nip.clone())).await?;
    let cycles_by_year: HashMap<i32, CycleRecord> = cycles::by_years(db, &years)
        .await?
        .into_iter()
        .map(|c| (c.year, c))
        .collect();
    let scope = units_in_scope(db, caller, Scope::ImportRealizations).await?;
    let mut resolved: Vec<(ParsedRow, &EmployeeRecord, &CycleRecord)> = Vec::new();
    for p in parsed {
        let employee = employee_in_scope(p.row, &p.nip, &staff, scope.as_ref(), &mut errors);
        let cycle = match cycle_of_year(p.row, p.year, &cycles_by_year, &mut errors) {
            Some(c) if !c.status.accepts_realisasi() => {
                let not = NotRecordable::CycleNotRunning;
                errors.add_field(
                    p.row,
                    FieldError::new("cycle_year", not.code().as_str(), not.message()),
                );
                None
            }
            other => other,
        };
        if let (Some(e), Some(c)) = (employee, cycle) {
            resolved.push((p, e, c));
        }
    }

    // The SKPs of those employees in those cycles, their indicators in force and what stands.
    let mut cycle_ids: Vec<Uuid> = resolved.iter().map(|r| r.2.id).collect();
    cycle_ids.sort();
    cycle_ids.dedup();
    let mut employee_ids: Vec<Uuid> = resolved.iter().map(|r| r.1.id).collect();
    employee_ids.sort();
    employee_ids.dedup();
    let mut by_owner: HashMap<(Uuid, Uuid), Vec<SkpRecord>> = HashMap::new();
    for skp in skps::of_employees(db, &cycle_ids, &employee_ids).await? {
        by_owner
            .entry((skp.employee_id, skp.cycle_id))
            .or_default()
            .push(skp);
    }
    // Each row's SKP: the one in force on the period's last day, approved if any is.
    let mut addressed: Vec<(ParsedRow, &SkpRecord)> = Vec::with_capacity(resolved.len());
    for (p, employee, cycle) in resolved {
        let Some(day) = p.period.last_day(cycle.year) else {
            continue;
        };
        let mut in_force: Vec<&SkpRecord> = by_owner
            .get(&(employee.id, cycle.id))
            .into_iter()
            .flatten()
            .filter(|s| s.span().covers(day))
            .collect();
        in_force.sort_by_key(|s| recordable(s.status, Some(cycle.status)).is_err());
        let Some(skp) = in_force.first().copied() else {
            errors.add(
                p.row,
                "period",
                "no_skp_in_force",
                format!(
                    "no SKP of the employee is in force on {day} (the end of {})",
                    p.period.as_str()
                ),
                format!(
                    "tidak ada SKP pegawai yang berlaku pada {day} (akhir {})",
                    p.period.label()
                ),
            );
            continue;
        };
        if let Err(not) = recordable(skp.status, Some(cycle.status)) {
            let Msg { en, id } = not.message();
            errors.add(
                p.row,
                "period",
                not.code().as_str(),
                format!("the SKP in force on {day} is {}. {en}", skp.status.as_str()),
                format!(
                    "SKP yang berlaku pada {day} berstatus {}. {id}",
                    skp.status.label()
                ),
            );
            continue;
        }
        addressed.push((p, skp));
    }
    let mut skp_ids: Vec<Uuid> = addressed.iter().map(|(_, s)| s.id).collect();
    skp_ids.sort();
    skp_ids.dedup();
    let rhks = skps::rhks_of(db, &skp_ids).await?;
    let indicators: HashMap<(Uuid, &str), &SkpIndicatorRecord> = rhks
        .iter()
        .flat_map(|(skp, rhks)| {
            rhks.iter()
                .flat_map(|r| &r.indicators)
                .map(move |i| ((*skp, i.code.as_str()), i))
        })
        .collect();
    let standing: HashMap<(Uuid, Period), RealizationRecord> = repo::of_skps(db, &skp_ids)
        .await?
        .into_iter()
        .map(|r| ((r.indicator_id, r.period), r))
        .collect();
    // Quarters whose evaluation is finalised are locked.
    let locked: HashSet<(Uuid, Period)> =
        kinerja_persistence::repos::evaluations::of_skps(db, &skp_ids)
            .await?
            .into_iter()
            .filter(|e| e.status.locks_realisasi())
            .map(|e| (e.skp_id, e.period))
            .collect();
    let loaded_at = started.elapsed();

    // Every row through the rules of the API.
    let mut outcome = ImportOutcome {
        dry_run,
        ..Default::default()
    };
    let recorded_by = caller.user().map(|u| u.id);
    let mut new_records: Vec<RealizationRecord> = Vec::new();
    let mut replaced: Vec<RealizationRecord> = Vec::new();
    let mut changed_skps: HashSet<Uuid> = HashSet::new();
    for (p, skp) in &addressed {
        let Some(indicator) = indicators.get(&(skp.id, p.code.as_str())) else {
            errors.add(
                p.row,
                "indicator_code",
                "unknown_indicator",
                format!(
                    "the SKP in force at the end of {} has no indicator {:?}",
                    p.period.as_str(),
                    p.code
                ),
                format!(
                    "SKP yang berlaku pada akhir {} tidak memiliki indikator {:?}",
                    p.period.label(),
                    p.code
                ),
            );
            continue;
        };
        let input = RealizationInput {
            indicator_id: indicator.id,
            period: p.period,
            value: p.value,
            achieved: p.achieved,
            evidence: p.evidence.clone(),
            note: p.note.clone(),
        };
        let checked = match check(indicator.direction, &input) {
            Ok(checked) => checked,
            Err(field_errors) => {
                for e in field_errors {
                    errors.add_field(p.row, cell_error(e));
                }
                continue;
            }
        };
        if locked.contains(&(skp.id, p.period)) {
            errors.add(
                p.row,
                "period",
                ErrorCode::PeriodLocked.as_str(),
                format!(
                    "the evaluation of {} is finalised: its realisasi no longer changes",
                    p.period.as_str()
                ),
                format!(
                    "evaluasi {} sudah final: realisasinya tidak dapat diubah lagi",
                    p.period.label()
                ),
            );
            continue;
        }
        let existing = standing.get(&(indicator.id, p.period));
        let (record, changed) =
            next_record(skp.id, &input, checked, existing, recorded_by, ctx.now);
        match (existing, changed) {
            (None, _) => {
                outcome.created += 1;
                new_records.push(record);
            }
            (Some(_), true) => {
                outcome.updated += 1;
                replaced.push(record);
            }
            (Some(_), false) => outcome.unchanged += 1,
        }
        if changed {
            changed_skps.insert(skp.id);
        }
    }
    log::debug!(
        "import.realizations: {} rows, lookups loaded by {loaded_at:?}, checked by {:?}",
        rows.len(),
        started.elapsed()
    );
    if !errors.is_empty() {
        return Err(errors.into_problem(outcome));
    }
    if dry_run {
        return Ok(outcome);
    }

    let tx = db.begin().await?;
    repo::insert_many(&tx, &new_records).await?;
    for record in &replaced {
        repo::save(&tx, record, false).await?;
    }
    let mut bumped: Vec<&SkpRecord> = addressed
        .iter()
        .map(|(_, s)| *s)
        .filter(|s| changed_skps.contains(&s.id))
        .collect();
    bumped.sort_by_key(|s| s.id);
    bumped.dedup_by_key(|s| s.id);
    for skp in bumped {
        let next = SkpRecord {
            version: skp.version + 1,
            updated_at: ctx.now,
            ..skp.clone()
        };
        skps::update(&tx, &next, skp.version).await?;
    }
    ctx.audit(
        &tx,
        "import.realizations",
        "import",
        file_hash(bytes),
        None,
        Some(json!({
            "format": format.as_str(), "rows": rows.len(),
            "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged,
            "skps_changed": changed_skps.len(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_evidence_link_error_names_the_link() {
        let e = cell_error(FieldError::new(
            "evidence[2]",
            "invalid_url",
            Msg::new("must be an http link", "harus tautan http"),
        ));
        assert_eq!(e.field, "evidence");
        assert_eq!(e.message.en, "link 3: must be an http link");
        assert_eq!(e.message.id, "tautan 3: harus tautan http");
        assert_eq!(
            cell_error(FieldError::new("note", "too_long", Msg::new("a", "b"))).field,
            "note"
        );
    }
}
