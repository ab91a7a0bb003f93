//! `POST /imports/training-records`: training done elsewhere, from a spreadsheet,
//! `nip,title,route,method,jp,completed_on,certificate_no`, upserted by NIP + certificate number
//! (or NIP + title + completion date without one, DESIGN §3).
//!
//! - Imported records count at once (`approved`): the import is an operator's or an HR
//!   system's word, not an employee's claim. A pending external record with the same key is
//!   thus approved by the import; a rejected one is left alone and a new record is created.
//! - The rules of `POST /employees/{id}/training-records` apply: a title of 1 to 200
//!   characters, a method of the route, JP more than 0 with at most 2 decimals (kept as whole
//!   minutes), a completion date (`YYYY-MM-DD`) from 2000 up to today (WIB), a certificate number
//!   of at most 100 characters.
//! - Counted per row: `created`, `updated` (the record stood with other figures, or pending),
//!   `unchanged`. One transaction; one audit event for the import.

use std::collections::HashMap;

use chrono::NaiveDate;
use kinerja_domain::accounts::Scope;
use kinerja_domain::training::{self as rules, Method, RecordSource, RecordStatus, Route};
use kinerja_persistence::Db;
use kinerja_persistence::repos::training::{self as repo, RecordRecord};
use serde_json::json;
use uuid::Uuid;

use super::{
    Columns, Format, ImportOutcome, Row, RowErrors, choice, employee_in_scope, file_hash, parse,
    required, staff_by_nip, units_in_scope,
};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::services::Context;
use crate::services::training::{earliest, same_key, today};

pub const COLUMNS: &[&str] = &[
    "nip",
    "title",
    "route",
    "method",
    "jp",
    "completed_on",
    "certificate_no",
];
const REQUIRED: &[&str] = &["nip", "title", "route", "method", "jp", "completed_on"];

struct ParsedRow {
    row: u64,
    nip: String,
    title: String,
    route: Route,
    method: Method,
    minutes: i64,
    completed_on: NaiveDate,
    certificate_no: Option<String>,
}

/// The cells of a row, or (with every error of the row) nothing.
fn parse_row(row: &Row, today: NaiveDate, errors: &mut RowErrors) -> Option<ParsedRow> {
    let before = errors.0.len();
    let n = row.number;
    let nip = required(row, "nip", errors);
    let title = required(row, "title", errors);
    if title.as_ref().is_some_and(|t| t.chars().count() > 200) {
        errors.add(
            n,
            "title",
            "too_long",
            "at most 200 characters",
            "paling panjang 200 karakter",
        );
    }
    let route = required(row, "route", errors)
        .and_then(|_| choice(row, "route", Route::ALL, Route::as_str, errors));
    let method = required(row, "method", errors)
        .and_then(|_| choice(row, "method", Method::ALL, Method::as_str, errors));
    if let (Some(r), Some(m)) = (route, method)
        && m.route() != r
    {
        errors.add(
            n,
            "method",
            "wrong_route",
            format!("{} belongs to the {} route", m.as_str(), m.route().as_str()),
            format!("{} termasuk jalur {}", m.as_str(), m.route().as_str()),
        );
    }
    let minutes = required(row, "jp", errors).and_then(|raw| {
        let Ok(jp) = raw.parse::<rust_decimal::Decimal>() else {
            errors.add(
                n,
                "jp",
                "not_a_number",
                "must be a number written with a decimal point, e.g. 2.5",
                "harus angka dengan titik desimal, mis. 2.5",
            );
            return None;
        };
        rules::minutes_of(jp)
            .map_err(|e| {
                errors.add(
                    n,
                    "jp",
                    "invalid",
                    e.to_string(),
                    "JP lebih dari 0, paling banyak 2 desimal dan 2000 JP",
                )
            })
            .ok()
    });
    let completed_on = required(row, "completed_on", errors).and_then(|raw| {
        let parsed = NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
            .ok()
            .filter(|d| *d <= today && *d >= earliest());
        if parsed.is_none() {
            errors.add(
                n,
                "completed_on",
                "invalid",
                "a date YYYY-MM-DD from 2000-01-01 up to today",
                "tanggal YYYY-MM-DD dari 2000-01-01 sampai hari ini",
            );
        }
        parsed
    });
    let certificate_no = row.text("certificate_no");
    if certificate_no
        .as_ref()
        .is_some_and(|c| c.chars().count() > 100)
    {
        errors.add(
            n,
            "certificate_no",
            "too_long",
            "at most 100 characters",
            "paling panjang 100 karakter",
        );
    }
    if errors.0.len() != before {
        return None;
    }
    Some(ParsedRow {
        row: n,
        nip: nip?,
        title: title?,
        route: route?,
        method: method?,
        minutes: minutes?,
        completed_on: completed_on?,
        certificate_no,
    })
}

/// The natural key of a row within one employee: the certificate (any case) or title and date.
fn key(r: &ParsedRow) -> (String, Option<NaiveDate>) {
    match &r.certificate_no {
        Some(c) => (format!("cert:{}", c.to_lowercase()), None),
        None => (
            format!("title:{}", r.title.to_lowercase()),
            Some(r.completed_on),
        ),
    }
}

pub async fn import(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    bytes: &[u8],
    format: Format,
    dry_run: bool,
) -> Result<ImportOutcome, ApiError> {
    let rows = parse(
        bytes,
        format,
        Columns {
            all: COLUMNS,
            required: REQUIRED,
            flags: &[],
            numbers: &["jp"],
        },
    )?;
    let today = today(ctx.now);
    let mut errors = RowErrors::default();
    let mut parsed: Vec<ParsedRow> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, (String, Option<NaiveDate>)), u64> = HashMap::new();
    for row in &rows {
        let Some(p) = parse_row(row, today, &mut errors) else {
            continue;
        };
        let k = (p.nip.clone(), key(&p));
        if let Some(first) = seen.get(&k) {
            errors.add(
                p.row,
                if p.certificate_no.is_some() {
                    "certificate_no"
                } else {
                    "title"
                },
                "duplicate_in_file",
                format!("repeats row {first}: one record per certificate (or title and date)"),
                format!(
                    "mengulang baris {first}: satu catatan per sertifikat (atau judul dan tanggal)"
                ),
            );
            continue;
        }
        seen.insert(k, p.row);
        parsed.push(p);
    }

    let staff = staff_by_nip(db, parsed.iter().map(|r| r.nip.clone())).await?;
    let scope = units_in_scope(db, caller, Scope::ImportTrainingRecords).await?;
    let mut resolved: Vec<(ParsedRow, Uuid)> = Vec::new();
    for p in parsed {
        if let Some(e) = employee_in_scope(p.row, &p.nip, &staff, scope.as_ref(), &mut errors) {
            let id = e.id;
            resolved.push((p, id));
        }
    }
    let ids: Vec<Uuid> = {
        let mut ids: Vec<Uuid> = resolved.iter().map(|(_, id)| *id).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let mut standing: HashMap<Uuid, Vec<RecordRecord>> = HashMap::new();
    for r in repo::records_of_employees(db, &ids).await? {
        if r.status != RecordStatus::Rejected {
            standing.entry(r.employee_id).or_default().push(r);
        }
    }

    let mut outcome = ImportOutcome {
        dry_run,
        ..Default::default()
    };
    let by = caller.user().map(|u| u.id);
    let mut created: Vec<RecordRecord> = Vec::new();
    let mut updated: Vec<(RecordRecord, i64)> = Vec::new();
    for (p, employee_id) in resolved {
        let record = RecordRecord {
            id: Uuid::now_v7(),
            employee_id,
            source: RecordSource::Import,
            training_id: None,
            title: p.title,
            route: p.route,
            method: p.method,
            jp_minutes: p.minutes,
            completed_on: p.completed_on,
            certificate_no: p.certificate_no,
            evidence: None,
            status: RecordStatus::Approved,
            submitted_by: by,
            decided_by: by,
            decided_at: Some(ctx.now),
            decision_reason: None,
            version: 1,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        let existing = standing
            .get(&employee_id)
            .and_then(|all| all.iter().find(|e| same_key(e, &record)));
        match existing {
            None => {
                outcome.created += 1;
                created.push(record);
            }
            Some(old)
                if old.status == RecordStatus::Approved
                    && old.title == record.title
                    && old.route == record.route
                    && old.method == record.method
                    && old.jp_minutes == record.jp_minutes
                    && old.completed_on == record.completed_on
                    && old.certificate_no == record.certificate_no =>
            {
                outcome.unchanged += 1;
            }
            Some(old) => {
                outcome.updated += 1;
                let next = RecordRecord {
                    title: record.title,
                    route: record.route,
                    method: record.method,
                    jp_minutes: record.jp_minutes,
                    completed_on: record.completed_on,
                    certificate_no: record.certificate_no,
                    status: RecordStatus::Approved,
                    decided_by: old.decided_by.or(by),
                    decided_at: old.decided_at.or(Some(ctx.now)),
                    version: old.version + 1,
                    updated_at: ctx.now,
                    ..old.clone()
                };
                updated.push((next, old.version));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.into_problem(outcome));
    }
    if dry_run {
        return Ok(outcome);
    }
    let tx = db.begin().await?;
    repo::insert_records(&tx, &created).await?;
    for (record, expected) in &updated {
        repo::update_record(&tx, record, *expected).await?;
    }
    ctx.audit(
        &tx,
        "import.training_records",
        "import",
        file_hash(bytes),
        None,
        Some(json!({
            "format": format.as_str(), "rows": rows.len(),
            "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}
