//! `POST /imports/skps`: draft SKPs from a spreadsheet, one row per indicator:
//! `nip,cycle_year,rhk_code,rhk_kind,rhk_description,parent_rhk_code,unit_indicator_code,`
//! `indicator_code,indicator_description,aspect,direction,target,target_max,unit,aggregation,`
//! `q1_target,q2_target,q3_target`. The rows of one NIP and cycle year are one SKP; those with the
//! same RHK code in it are one RHK, and they must describe it alike.
//!
//! - A row goes to the employee's current SKP of the cycle: his own SKP (neither a revision nor
//!   merged) that starts last, the one a transfer left in force. A draft or returned one is
//!   updated; a submitted or approved one is a row error (`skp_not_editable`: an approved SKP
//!   changes through a revision). Without one, a new draft is made as `POST /skps` makes it
//!   (penilai: the supervisor; the whole year; `proposed_by: import`).
//! - RHK and indicators are matched by code within the SKP. Those the file does not name are
//!   kept: a file about some RHK never deletes the others (deleting is done through the API).
//!   What the columns cannot say (an indicator's `target_text` and competencies, an RHK's
//!   perspective) keeps what is stored; an empty `aggregation` is `sum`, as in the API.
//! - `parent_rhk_code` names an RHK of the penilai's current SKP of the cycle, stored or in the
//!   same file; `unit_indicator_code` a Perjanjian Kinerja indicator of the cycle of the
//!   employee's unit or of a unit he heads.
//! - Every rule of writing an RHK through the API applies: [`check_rhk`] decides.
//! - Counted per indicator row: `created` (the indicator is new, in a new or a stored SKP),
//!   `updated` (it exists and the row changes it or its RHK), `unchanged`.
//! - One transaction; every SKP changed gets one version bump; one audit event for the import.

use std::collections::{HashMap, HashSet};

use kinerja_domain::accounts::Scope;
use kinerja_domain::capaian::{Aggregation, Direction};
use kinerja_domain::skp::{Aspect, ProposedBy, RhkKind, current};
use kinerja_persistence::Db;
use kinerja_persistence::repos::cycles::{self, CycleRecord};
use kinerja_persistence::repos::employees::{self, EmployeeRecord};
use kinerja_persistence::repos::skps::{self as repo, RhkRecord, SkpIndicatorRecord, SkpRecord};
use kinerja_persistence::repos::unit_indicators::{self, aggregation_str, direction_str};
use kinerja_persistence::repos::units;
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use super::{
    Columns, Format, ImportOutcome, Row, RowErrors, choice, cycle_of_year, decimal,
    employee_in_scope, file_hash, parse, required, staff_by_nip, units_in_scope, year,
};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, Msg};
use crate::services::Context;
use crate::services::skps::{
    Cascade, IndicatorInput, RhkInput, RhkRefusal, check_rhk, evaluator_error, is_penilai_skp,
    new_draft, year_bounds,
};

pub const COLUMNS: &[&str] = &[
    "nip",
    "cycle_year",
    "rhk_code",
    "rhk_kind",
    "rhk_description",
    "parent_rhk_code",
    "unit_indicator_code",
    "indicator_code",
    "indicator_description",
    "aspect",
    "direction",
    "target",
    "target_max",
    "unit",
    "aggregation",
    "q1_target",
    "q2_target",
    "q3_target",
];
const REQUIRED: &[&str] = &[
    "nip",
    "cycle_year",
    "rhk_code",
    "rhk_kind",
    "rhk_description",
    "indicator_code",
    "indicator_description",
    "aspect",
    "direction",
    "unit",
];
const NUMBERS: &[&str] = &[
    "cycle_year",
    "target",
    "target_max",
    "q1_target",
    "q2_target",
    "q3_target",
];
const DIRECTIONS: [Direction; 4] = [
    Direction::HigherIsBetter,
    Direction::LowerIsBetter,
    Direction::Range,
    Direction::Qualitative,
];
const AGGREGATIONS: [Aggregation; 3] = [Aggregation::Sum, Aggregation::Average, Aggregation::Last];

/// What a row says of its RHK; every row of the RHK must say the same.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RhkCells {
    kind: RhkKind,
    description: String,
    parent_code: Option<String>,
    unit_indicator_code: Option<String>,
}

/// What a row says of its indicator.
#[derive(Debug, Clone)]
struct IndicatorCells {
    row: u64,
    code: String,
    description: String,
    aspect: Aspect,
    direction: Direction,
    target: Option<Decimal>,
    target_max: Option<Decimal>,
    unit: String,
    aggregation: Aggregation,
    period_targets: [Option<Decimal>; 3],
}

struct ParsedRow {
    nip: String,
    year: i32,
    rhk_code: String,
    rhk: RhkCells,
    indicator: IndicatorCells,
}

/// The cells of a row, or (with every error of the row) nothing.
fn parse_row(row: &Row, errors: &mut RowErrors) -> Option<ParsedRow> {
    let before = errors.0.len();
    let n = row.number;
    let nip = required(row, "nip", errors);
    let year = year(row, "cycle_year", errors);
    let rhk_code = required(row, "rhk_code", errors);
    let kind = required(row, "rhk_kind", errors)
        .and_then(|_| choice(row, "rhk_kind", RhkKind::ALL, RhkKind::as_str, errors));
    let rhk_description = required(row, "rhk_description", errors);
    let indicator_code = required(row, "indicator_code", errors);
    let description = required(row, "indicator_description", errors);
    let aspect = required(row, "aspect", errors)
        .and_then(|_| choice(row, "aspect", Aspect::ALL, Aspect::as_str, errors));
    let direction = required(row, "direction", errors)
        .and_then(|_| choice(row, "direction", &DIRECTIONS, direction_str, errors));
    let unit = required(row, "unit", errors);
    let aggregation = choice(row, "aggregation", &AGGREGATIONS, aggregation_str, errors)
        .unwrap_or(Aggregation::Sum);
    let target = decimal(row, "target", errors);
    let target_max = decimal(row, "target_max", errors);
    let period_targets = [
        decimal(row, "q1_target", errors),
        decimal(row, "q2_target", errors),
        decimal(row, "q3_target", errors),
    ];
    if errors.0.len() != before {
        return None;
    }
    Some(ParsedRow {
        nip: nip?,
        year: year?,
        rhk_code: rhk_code?,
        rhk: RhkCells {
            kind: kind?,
            description: rhk_description?,
            parent_code: row.text("parent_rhk_code"),
            unit_indicator_code: row.text("unit_indicator_code"),
        },
        indicator: IndicatorCells {
            row: n,
            code: indicator_code?,
            description: description?,
            aspect: aspect?,
            direction: direction?,
            target,
            target_max,
            unit: unit?,
            aggregation,
            period_targets,
        },
    })
}

/// One RHK of the file: its code, what its first row says of it, and its indicators.
struct RhkGroup {
    code: String,
    cells: RhkCells,
    first_row: u64,
    indicators: Vec<IndicatorCells>,
}

/// The rows of one employee and cycle.
struct SkpGroup<'a> {
    employee: &'a EmployeeRecord,
    cycle: &'a CycleRecord,
    rhks: Vec<RhkGroup>,
}

impl SkpGroup<'_> {
    fn key(&self) -> (Uuid, Uuid) {
        (self.employee.id, self.cycle.id)
    }

    fn rows(&self) -> impl Iterator<Item = u64> + '_ {
        self.rhks
            .iter()
            .flat_map(|r| r.indicators.iter().map(|i| i.row))
    }
}

/// The SKP a group's rows go to.
enum Target {
    Stored(SkpRecord),
    New(SkpRecord),
    /// Neither: its rows are errors.
    Refused,
}

/// Equal but for their order in the RHK.
fn same_indicator(a: &SkpIndicatorRecord, b: &SkpIndicatorRecord) -> bool {
    SkpIndicatorRecord {
        position: 0,
        ..a.clone()
    } == SkpIndicatorRecord {
        position: 0,
        ..b.clone()
    }
}

/// What an RHK says of itself, without its indicators.
fn rhk_head(r: &RhkRecord) -> impl PartialEq + '_ {
    (
        (&r.code, r.kind, &r.description),
        (r.parent_rhk_id, r.unit_indicator_id, &r.perspective),
    )
}

fn same_rhk(a: &RhkRecord, b: &RhkRecord) -> bool {
    rhk_head(a) == rhk_head(b)
        && a.indicators.len() == b.indicators.len()
        && a.indicators
            .iter()
            .zip(&b.indicators)
            .all(|(x, y)| same_indicator(x, y))
}

/// Where a field error of [`check_rhk`] (named as in the API body) belongs in the file: the
/// rows and the column. `rows` are the RHK's rows; `row_of[n]` the row of `indicators[n]` (none
/// for a stored indicator the file does not name: the RHK's first row stands for it).
fn place(api_field: &str, rows: &[u64], row_of: &[Option<u64>]) -> (Vec<u64>, String) {
    let first = rows.first().copied().unwrap_or(1);
    if let Some(rest) = api_field.strip_prefix("indicators[")
        && let Some((index, name)) = rest.split_once("].")
    {
        let row = index
            .parse::<usize>()
            .ok()
            .and_then(|i| row_of.get(i).copied().flatten())
            .unwrap_or(first);
        let column = match name {
            "code" => "indicator_code",
            "description" => "indicator_description",
            "period_targets.q1" => "q1_target",
            "period_targets.q2" => "q2_target",
            "period_targets.q3" => "q3_target",
            other => other,
        };
        return (vec![row], column.to_owned());
    }
    match api_field {
        "code" => (rows.to_vec(), "rhk_code".to_owned()),
        "description" => (rows.to_vec(), "rhk_description".to_owned()),
        "parent_rhk_id" => (rows.to_vec(), "parent_rhk_code".to_owned()),
        "unit_indicator_id" => (rows.to_vec(), "unit_indicator_code".to_owned()),
        "indicators" => (vec![first], "indicator_code".to_owned()),
        other => (vec![first], other.to_owned()),
    }
}

/// Every error of a refused RHK, on its rows; `notes` replaces the API's message of a code with
/// what the file got wrong (a code that names nothing).
fn report(
    refusal: RhkRefusal,
    rows: &[u64],
    row_of: &[Option<u64>],
    notes: &HashMap<&'static str, Msg>,
    errors: &mut RowErrors,
) {
    for (api_field, code) in refusal.taken {
        let (at, column) = place(&api_field, rows, row_of);
        for row in at {
            errors.add(
                row,
                &column,
                ErrorCode::RhkCodeTaken.as_str(),
                format!("{code:?} is already the code of another RHK or indicator of this SKP"),
                format!("{code:?} sudah menjadi kode RHK atau indikator lain pada SKP ini"),
            );
        }
    }
    for mut error in refusal.errors {
        let (at, column) = place(&error.field, rows, row_of);
        if let Some(note) = notes.get(error.code.as_ref()) {
            error.message = note.clone();
        }
        error.field = column;
        for row in at {
            errors.add_field(row, error.clone());
        }
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
    let started = std::time::Instant::now();
    let rows = parse(
        bytes,
        format,
        Columns {
            all: COLUMNS,
            required: REQUIRED,
            flags: &[],
            numbers: NUMBERS,
        },
    )?;
    let mut errors = RowErrors::default();
    let parsed: Vec<ParsedRow> = rows
        .iter()
        .filter_map(|r| parse_row(r, &mut errors))
        .collect();

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
    let scope = units_in_scope(db, caller, Scope::ImportSkps).await?;

    // The file's SKPs and RHK, each row in its place.
    let mut groups: Vec<SkpGroup> = Vec::new();
    let mut group_of: HashMap<(Uuid, Uuid), usize> = HashMap::new();
    let mut seen: HashMap<(Uuid, Uuid, String), u64> = HashMap::new();
    for row in parsed {
        let n = row.indicator.row;
        let employee = employee_in_scope(n, &row.nip, &staff, scope.as_ref(), &mut errors);
        let cycle = match cycle_of_year(n, row.year, &cycles_by_year, &mut errors) {
            Some(c) if !c.status.accepts_skps() => {
                errors.add(
                    n,
                    "cycle_year",
                    ErrorCode::CycleClosed.as_str(),
                    format!("the {} cycle is closed", row.year),
                    format!("siklus {} sudah ditutup", row.year),
                );
                None
            }
            other => other,
        };
        let (Some(employee), Some(cycle)) = (employee, cycle) else {
            continue;
        };
        let code = row.indicator.code.clone();
        if let Some(first) = seen.insert((employee.id, cycle.id, code.clone()), n) {
            seen.insert((employee.id, cycle.id, code.clone()), first);
            errors.add(
                n,
                "indicator_code",
                "duplicate_in_file",
                format!("repeats the indicator {code:?} of this SKP from row {first}"),
                format!("mengulang indikator {code:?} SKP ini dari baris {first}"),
            );
            continue;
        }
        let g = *group_of.entry((employee.id, cycle.id)).or_insert_with(|| {
            groups.push(SkpGroup {
                employee,
                cycle,
                rhks: Vec::new(),
            });
            groups.len() - 1
        });
        let rhks = &mut groups[g].rhks;
        match rhks.iter_mut().find(|r| r.code == row.rhk_code) {
            Some(rhk) if rhk.cells != row.rhk => {
                let (a, b) = (&rhk.cells, &row.rhk);
                for (column, differs) in [
                    ("rhk_kind", a.kind != b.kind),
                    ("rhk_description", a.description != b.description),
                    ("parent_rhk_code", a.parent_code != b.parent_code),
                    (
                        "unit_indicator_code",
                        a.unit_indicator_code != b.unit_indicator_code,
                    ),
                ] {
                    if differs {
                        errors.add(
                            n,
                            column,
                            "rhk_mismatch",
                            format!(
                                "differs from row {} of the same RHK {:?}",
                                rhk.first_row, rhk.code
                            ),
                            format!(
                                "berbeda dengan baris {} untuk RHK {:?} yang sama",
                                rhk.first_row, rhk.code
                            ),
                        );
                    }
                }
            }
            Some(rhk) => rhk.indicators.push(row.indicator),
            None => rhks.push(RhkGroup {
                code: row.rhk_code,
                cells: row.rhk,
                first_row: n,
                indicators: vec![row.indicator],
            }),
        }
    }
    let grouped_at = started.elapsed();

    // The SKPs of the file's employees, and of their penilai.
    let mut cycle_ids: Vec<Uuid> = groups.iter().map(|g| g.cycle.id).collect();
    cycle_ids.sort();
    cycle_ids.dedup();
    let employee_ids: Vec<Uuid> = groups.iter().map(|g| g.employee.id).collect();
    let mut by_owner: HashMap<(Uuid, Uuid), Vec<SkpRecord>> = HashMap::new();
    for skp in repo::of_employees(db, &cycle_ids, &employee_ids).await? {
        by_owner
            .entry((skp.employee_id, skp.cycle_id))
            .or_default()
            .push(skp);
    }
    let current_of = |by_owner: &HashMap<(Uuid, Uuid), Vec<SkpRecord>>, key| {
        let list = by_owner.get(&key)?;
        let spans: Vec<_> = list.iter().map(SkpRecord::span).collect();
        current(&spans).map(|n| list[n].clone())
    };
    let in_file: HashSet<Uuid> = employee_ids.iter().copied().collect();
    let mut penilai: Vec<Uuid> = groups
        .iter()
        .filter_map(|g| match current_of(&by_owner, g.key()) {
            Some(skp) => skp.evaluator_id,
            None => g.employee.supervisor_id,
        })
        .filter(|id| !in_file.contains(id))
        .collect();
    penilai.sort();
    penilai.dedup();
    for skp in repo::of_employees(db, &cycle_ids, &penilai).await? {
        by_owner
            .entry((skp.employee_id, skp.cycle_id))
            .or_default()
            .push(skp);
    }
    let currents: HashMap<(Uuid, Uuid), SkpRecord> = by_owner
        .keys()
        .filter_map(|key| current_of(&by_owner, *key).map(|s| (*key, s)))
        .collect();
    let current_ids: Vec<Uuid> = currents.values().map(|s| s.id).collect();
    let mut stored_rhks = repo::rhks_of(db, &current_ids).await?;

    // Supervisors (the penilai of new SKPs), units, heads and the Perjanjian Kinerja.
    let mut supervisor_ids: Vec<Uuid> = groups
        .iter()
        .filter(|g| !currents.contains_key(&g.key()))
        .filter_map(|g| g.employee.supervisor_id)
        .collect();
    supervisor_ids.sort();
    supervisor_ids.dedup();
    let supervisors: HashMap<Uuid, EmployeeRecord> = employees::get_many(db, &supervisor_ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let all_units = units::all(db).await?;
    let mut heads: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for u in &all_units {
        if let Some(head) = u.head_employee_id {
            heads.entry(head).or_default().push(u.id);
        }
    }
    // (cycle, code) -> the units with an indicator of that code, and its id.
    let mut pk: HashMap<(Uuid, String), Vec<(Uuid, Uuid)>> = HashMap::new();
    for i in unit_indicators::of_cycles(db, &cycle_ids).await? {
        pk.entry((i.cycle_id, i.code))
            .or_default()
            .push((i.unit_id, i.id));
    }
    let loaded_at = started.elapsed();

    // The SKP of each group, and the RHK ids every SKP will have (children in the file point
    // at their penilai's RHK whether stored or new).
    let mut targets: Vec<Target> = Vec::with_capacity(groups.len());
    for g in &groups {
        let rows: Vec<u64> = g.rows().collect();
        let target = match currents.get(&g.key()) {
            Some(skp) => match skp.status.ensure_editable() {
                Ok(()) => Target::Stored(skp.clone()),
                Err(e) => {
                    for row in &rows {
                        errors.add(
                            *row,
                            "nip",
                            e.code(),
                            format!(
                                "the employee's SKP of {} is {}: {e} (an approved SKP changes through a revision)",
                                g.cycle.year,
                                skp.status.as_str()
                            ),
                            format!(
                                "SKP pegawai tahun {} berstatus {}: hanya SKP draf atau dikembalikan yang dapat diubah (SKP yang disetujui diubah melalui revisi)",
                                g.cycle.year,
                                skp.status.label()
                            ),
                        );
                    }
                    Target::Refused
                }
            },
            None => {
                let supervisor = g.employee.supervisor_id.map(|id| supervisors.get(&id));
                let mut refused = false;
                if !g.employee.is_active() {
                    refused = true;
                    for row in &rows {
                        errors.add(
                            *row,
                            "nip",
                            "employee_inactive",
                            "the employee is not active: no new SKP is made for him",
                            "pegawai tidak aktif: SKP baru tidak dibuat untuknya",
                        );
                    }
                }
                if let Some(found) = supervisor
                    && let Some(e) = evaluator_error(g.employee, found)
                {
                    refused = true;
                    for row in &rows {
                        errors.add(
                            *row,
                            "nip",
                            &e.code,
                            format!("the supervisor, penilai of a new SKP: {}", e.message.en),
                            format!("atasan, penilai SKP baru: {}", e.message.id),
                        );
                    }
                }
                if refused {
                    Target::Refused
                } else {
                    let unit = all_units.iter().find(|u| u.id == g.employee.unit_id);
                    Target::New(new_draft(
                        ctx,
                        g.cycle.id,
                        (g.employee, unit),
                        (g.employee.supervisor_id, supervisor.flatten()),
                        ProposedBy::Import,
                        (year_bounds(g.cycle.year).0, None),
                    ))
                }
            }
        };
        targets.push(target);
    }
    // (employee, cycle) -> his current SKP as it will be, with its RHK ids by code.
    let mut penilai_skps: HashMap<(Uuid, Uuid), (SkpRecord, HashMap<String, Uuid>)> = currents
        .iter()
        .map(|(key, skp)| {
            let codes = stored_rhks
                .get(&skp.id)
                .into_iter()
                .flatten()
                .map(|r| (r.code.clone(), r.id))
                .collect();
            (*key, (skp.clone(), codes))
        })
        .collect();
    for (g, target) in groups.iter().zip(&targets) {
        let skp = match target {
            Target::Stored(skp) | Target::New(skp) => skp,
            Target::Refused => continue,
        };
        let (_, codes) = penilai_skps
            .entry(g.key())
            .or_insert_with(|| (skp.clone(), HashMap::new()));
        for rhk in &g.rhks {
            codes.entry(rhk.code.clone()).or_insert_with(Uuid::now_v7);
        }
    }

    // Every RHK through the rules of the API, counted per indicator row.
    let mut outcome = ImportOutcome {
        dry_run,
        ..Default::default()
    };
    let mut new_skps: Vec<SkpRecord> = Vec::new();
    let mut changed_skps: Vec<(SkpRecord, i64)> = Vec::new();
    let mut new_rhks: Vec<RhkRecord> = Vec::new();
    let mut changed_rhks: Vec<RhkRecord> = Vec::new();
    for (g, target) in groups.iter().zip(targets) {
        let (mut skp, is_new) = match target {
            Target::Stored(skp) => (skp, false),
            Target::New(skp) => (skp, true),
            Target::Refused => continue,
        };
        let mut rhks: Vec<RhkRecord> = stored_rhks.remove(&skp.id).unwrap_or_default();
        let mut changed = false;
        let employee = g.employee;
        for group in &g.rhks {
            let rows: Vec<u64> = group.indicators.iter().map(|i| i.row).collect();
            let mut notes: HashMap<&'static str, Msg> = HashMap::new();
            let mut cascade = Cascade {
                heads: heads.get(&employee.id).cloned().unwrap_or_default(),
                ..Default::default()
            };
            // What the codes name; a code naming nothing is left to the rule to refuse, with
            // what was not found as its message.
            let parent_rhk_id = group.cells.parent_code.as_ref().map(|code| {
                let found = skp.evaluator_id.and_then(|p| penilai_skps.get(&(p, g.cycle.id)));
                match found.and_then(|(p, codes)| codes.get(code).map(|id| (p, *id))) {
                    Some((parent_skp, id)) => {
                        cascade.parent_of_penilai = is_penilai_skp(&skp, parent_skp);
                        id
                    }
                    None => {
                        let note = match (skp.evaluator_id, found) {
                            (None, _) => Msg::new(
                                "this SKP's penilai is no employee (the Wali Kota): intervene a Perjanjian Kinerja indicator instead",
                                "penilai SKP ini bukan pegawai (Wali Kota): intervensi indikator Perjanjian Kinerja",
                            ),
                            (Some(_), None) => Msg::new(
                                format!("the penilai has no SKP of {} to intervene", g.cycle.year),
                                format!("penilai tidak memiliki SKP tahun {} untuk diintervensi", g.cycle.year),
                            ),
                            (Some(_), Some(_)) => Msg::new(
                                format!("the penilai's SKP of {} has no RHK {code:?}", g.cycle.year),
                                format!("SKP penilai tahun {} tidak memiliki RHK {code:?}", g.cycle.year),
                            ),
                        };
                        notes.insert("parent_not_penilai", note);
                        Uuid::nil()
                    }
                }
            });
            let unit_indicator_id = group.cells.unit_indicator_code.as_ref().map(|code| {
                let candidates = pk.get(&(g.cycle.id, code.clone()));
                let own = std::iter::once(employee.unit_id).chain(cascade.heads.iter().copied());
                let found = own
                    .filter_map(|unit| {
                        candidates?.iter().find(|(u, _)| *u == unit).copied()
                    })
                    .next()
                    // Another unit's: the rule says why it is not his to intervene.
                    .or_else(|| candidates.and_then(|c| c.first().copied()));
                match found {
                    Some((unit, id)) => {
                        cascade.unit_indicator = Some((g.cycle.id, unit));
                        id
                    }
                    None => {
                        notes.insert(
                            "unit_indicator_not_own",
                            Msg::new(
                                format!("no Perjanjian Kinerja indicator of {} has the code {code:?}", g.cycle.year),
                                format!("tidak ada indikator Perjanjian Kinerja tahun {} dengan kode {code:?}", g.cycle.year),
                            ),
                        );
                        Uuid::nil()
                    }
                }
            });

            let existing = rhks.iter().find(|r| r.code == group.code).cloned();
            let mut input = match &existing {
                Some(e) => RhkInput::of(e),
                None => RhkInput {
                    code: Some(group.code.clone()),
                    kind: group.cells.kind,
                    description: String::new(),
                    parent_rhk_id: None,
                    unit_indicator_id: None,
                    perspective: None,
                    indicators: Vec::new(),
                },
            };
            input.kind = group.cells.kind;
            input.description = group.cells.description.clone();
            input.parent_rhk_id = parent_rhk_id;
            input.unit_indicator_id = unit_indicator_id;
            let mut row_of: Vec<Option<u64>> = vec![None; input.indicators.len()];
            for cells in &group.indicators {
                let fresh = IndicatorInput {
                    id: None,
                    code: Some(cells.code.clone()),
                    description: cells.description.clone(),
                    aspect: cells.aspect,
                    direction: cells.direction,
                    target: cells.target,
                    target_max: cells.target_max,
                    target_text: None,
                    unit: cells.unit.clone(),
                    aggregation: cells.aggregation,
                    period_targets: cells.period_targets,
                    competencies: Vec::new(),
                };
                let at = input
                    .indicators
                    .iter()
                    .position(|i| i.code.as_deref() == Some(cells.code.as_str()));
                match at {
                    Some(k) => {
                        let old = &input.indicators[k];
                        input.indicators[k] = IndicatorInput {
                            id: old.id,
                            target_text: old.target_text.clone(),
                            competencies: old.competencies.clone(),
                            ..fresh
                        };
                        row_of[k] = Some(cells.row);
                    }
                    None => {
                        input.indicators.push(fresh);
                        row_of.push(Some(cells.row));
                    }
                }
            }

            let mut rhk = match check_rhk(&skp, &rhks, employee, input, existing.as_ref(), &cascade)
            {
                Ok(rhk) => rhk,
                Err(refusal) => {
                    report(refusal, &rows, &row_of, &notes, &mut errors);
                    continue;
                }
            };
            let head_changed = existing
                .as_ref()
                .is_none_or(|e| rhk_head(e) != rhk_head(&rhk));
            for cells in &group.indicators {
                let before = existing
                    .as_ref()
                    .and_then(|e| e.indicators.iter().find(|i| i.code == cells.code));
                let after = rhk.indicators.iter().find(|i| i.code == cells.code);
                match (before, after) {
                    (None, _) => outcome.created += 1,
                    (Some(b), Some(a)) if !head_changed && same_indicator(a, b) => {
                        outcome.unchanged += 1
                    }
                    (Some(_), _) => outcome.updated += 1,
                }
            }
            match &existing {
                Some(e) if same_rhk(e, &rhk) => {}
                Some(_) => {
                    changed = true;
                    changed_rhks.push(rhk.clone());
                    if let Some(slot) = rhks.iter_mut().find(|r| r.id == rhk.id) {
                        *slot = rhk;
                    }
                }
                None => {
                    changed = true;
                    if let Some((_, codes)) = penilai_skps.get(&g.key())
                        && let Some(id) = codes.get(&rhk.code)
                    {
                        rhk.id = *id;
                    }
                    new_rhks.push(rhk.clone());
                    rhks.push(rhk);
                }
            }
        }
        if is_new {
            new_skps.push(skp);
        } else if changed {
            let expected = skp.version;
            skp.version += 1;
            skp.updated_at = ctx.now;
            changed_skps.push((skp, expected));
        }
    }
    log::debug!(
        "import.skps: {} rows grouped in {grouped_at:?}, lookups loaded by {loaded_at:?}, checked by {:?}",
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
    repo::insert_many(&tx, &new_skps).await?;
    repo::save_rhks(
        &tx,
        &new_rhks.iter().collect::<Vec<_>>(),
        &changed_rhks.iter().collect::<Vec<_>>(),
    )
    .await?;
    for (skp, expected) in &changed_skps {
        repo::update(&tx, skp, *expected).await?;
    }
    ctx.audit(
        &tx,
        "import.skps",
        "import",
        file_hash(bytes),
        None,
        Some(json!({
            "format": format.as_str(), "rows": rows.len(),
            "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged,
            "skps_created": new_skps.len(), "skps_changed": changed_skps.len(),
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
    fn api_fields_land_on_the_rows_and_columns_of_the_file() {
        let rows = [4, 5, 6];
        let row_of = [None, Some(5), Some(6)];
        assert_eq!(
            place("indicators[1].target", &rows, &row_of),
            (vec![5], "target".to_owned())
        );
        assert_eq!(
            place("indicators[2].period_targets.q3", &rows, &row_of),
            (vec![6], "q3_target".to_owned())
        );
        // A stored indicator the file does not name: the RHK's first row stands for it.
        assert_eq!(
            place("indicators[0].unit", &rows, &row_of),
            (vec![4], "unit".to_owned())
        );
        assert_eq!(
            place("parent_rhk_id", &rows, &row_of),
            (vec![4, 5, 6], "parent_rhk_code".to_owned())
        );
        assert_eq!(
            place("code", &rows, &row_of),
            (vec![4, 5, 6], "rhk_code".to_owned())
        );
    }
}
