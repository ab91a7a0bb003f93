//! Benchmark at city scale: a real `kinerja serve` process (the release binary) on a city of
//! 6,000 employees, each with an approved SKP of 5 RHK × 2 indicators, Q1–Q4 realisasi, Q1–Q3
//! evaluations finalised, and 1,000,000 survey responses — on SQLite and on PostgreSQL. Every
//! API figure is printed beside the database's own floor measured in the same run:
//!
//! - `GET /employees/{id}` and `GET /skps/{id}` under `wrk -c 64 -t 2 -d 10s` (ids spread over the
//!   whole city, one bearer token) beside `pgbench -M prepared -c 64 -j 2 -T 10` running the same
//!   SQL statements the endpoint issues (`EMPLOYEE_SCRIPT`, `SKP_SCRIPT` below, captured with
//!   `RUST_LOG=sqlx::query=debug`; the pgbench script is generated from them, reading each id
//!   from a table `bench_ids` inside the statement); SQLite has no pgbench, so its floor is the
//!   same statements run by 64 tasks through the app's own driver and pool (8 connections),
//!   without HTTP;
//! - the city-wide calibration (`GET /cycles/{id}/calibration?period=q3`) and the overview report
//!   (`GET /reports/overview`): median and p95 of sequential requests;
//! - public survey submissions per second with `wrk -c 64`, every request from its own address
//!   (behind a trusted proxy), so the per-address rate limit never refuses one;
//! - the server's resident memory (VmRSS) idle after start and its peak during the wrk runs.
//!
//! The city is the demo city (`kinerja_api::demo::seed`, 1,500 employees) grown to 6,000 by
//! staff under its kepala seksi/subbagian, written through the repositories (the rows the API
//! writes: valid NIPs and golongan, approved SKPs with snapshots, versions and links to the
//! penilai's RHK); the survey responses are the demo's, repeated inside the database. Seeding is
//! not what is measured. Run with `bench/run` (which builds the release binary and installs wrk)
//! or `cargo bench -p kinerja-tests --bench city`; PostgreSQL figures need
//! `KINERJA_TEST_DATABASE_URL`. `KINERJA_BENCH_SECONDS` shortens the load runs (default 10),
//! `KINERJA_BENCH_SERVER_LOG` sets the server's `RUST_LOG` (default `warn`), `KINERJA_BENCH_PERF=1`
//! records a `perf` profile of the server during each wrk run (both keep the run's directory),
//! and `KINERJA_BIN` names the binary (default `target/release/kinerja`). Each wrk figure comes
//! with the server's CPU time per request and how busy the whole machine was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use kinerja_domain::assessment::{EvaluationStatus, Rating, predikat};
use kinerja_domain::capaian::{Aggregation, Direction, Measure, Period};
use kinerja_domain::feedback::CoreValue;
use kinerja_domain::org::{EmployeeStatus, EmploymentType, Nip, PositionKind, parents_first};
use kinerja_domain::skp::{Aspect, ProposedBy, RhkKind, SkpStatus};
use kinerja_persistence::Db;
use kinerja_persistence::repos::employees::{self, EmployeeFilter, EmployeeRecord};
use kinerja_persistence::repos::evaluations::{self, BehaviorScore, EvaluationRecord};
use kinerja_persistence::repos::realizations::{self, RealizationRecord};
use kinerja_persistence::repos::skps::{self, RhkRecord, SkpIndicatorRecord, SkpRecord};
use kinerja_persistence::repos::{cycles, units};
use kinerja_tests::{Backend, TestDb, backends};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

const EMPLOYEES: usize = 6_000;
const RESPONSES: i64 = 1_000_000;
const CONNECTIONS: usize = 64;
const THREADS: usize = 2;
/// Sequential requests of each slow report, after one warm-up.
const REPORT_RUNS: usize = 20;
const RHK_PER_SKP: usize = 5;
const JWT_SECRET: &str = "city-bench-secret-city-bench-secret-0123";

fn seconds() -> u64 {
    std::env::var("KINERJA_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench")
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

// ---------------------------------------------------------------------------------------------
// The city
// ---------------------------------------------------------------------------------------------

struct City {
    cycle_id: Uuid,
    employees: Vec<Uuid>,
    skps: Vec<Uuid>,
    /// What the endpoints read for the `n`th employee and the `n`th SKP (the floors' ids).
    targets: Vec<Target>,
    admin_user: Uuid,
    survey_unit: String,
    survey_service: String,
    seeded_in: Duration,
    counts: String,
}

const FIRST: [&str; 12] = [
    "Andi",
    "Butet",
    "Dewi",
    "Fransiska",
    "Hotma",
    "Ikhsan",
    "Lestari",
    "Maruli",
    "Nurhayati",
    "Rudi",
    "Sahat",
    "Yohana",
];
const FAMILY: [&str; 12] = [
    "Simanjuntak",
    "Siregar",
    "Nasution",
    "Sinaga",
    "Damanik",
    "Purba",
    "Saragih",
    "Lubis",
    "Hutagalung",
    "Manurung",
    "Harahap",
    "Tambunan",
];
const GOLONGAN: [&str; 4] = ["II/b", "II/c", "II/d", "III/a"];

/// A valid PNS NIP for the `i`th added employee: born 1975–1999, appointed March 2015, female.
fn nip(i: usize) -> String {
    let block = i / 999;
    format!(
        "{}{:02}{:02}201503{}{:03}",
        1975 + block % 25,
        1 + (block / 25) % 12,
        1 + (block / 300) % 28,
        2,
        1 + i % 999
    )
}

fn at(year: i32, month: u32, day: u32, hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0).unwrap()
}

/// Seeds the demo city and grows it to city scale; returns what the measurements need.
async fn seed_city(db: &Db, backend: Backend) -> City {
    let started = Instant::now();
    let summary = kinerja_api::demo::seed(db, kinerja_api::demo::default_as_of())
        .await
        .unwrap();
    let year = summary.cycle_year;
    let cycle = cycles::by_years(db, &[year]).await.unwrap().remove(0);
    let all_units = units::all(db).await.unwrap();
    let mut staff: Vec<EmployeeRecord> =
        employees::list_all(db, &EmployeeFilter::default(), &[], 0, 100_000)
            .await
            .unwrap();

    // Staff under every kepala seksi/subbagian in turn, up to EMPLOYEES.
    let mut nips: HashSet<String> = staff.iter().map(|e| e.nip.clone()).collect();
    let leads: Vec<(Uuid, Uuid)> = staff
        .iter()
        .filter(|e| e.position_kind == PositionKind::Pengawas && e.is_active())
        .map(|e| (e.id, e.unit_id))
        .collect();
    let created = at(year, 1, 2, 1);
    let mut added = Vec::new();
    let mut i = 0;
    while staff.len() + added.len() < EMPLOYEES {
        let number = nip(i);
        i += 1;
        if !nips.insert(number.clone()) {
            continue;
        }
        assert!(Nip::parse(&number, EmploymentType::Pns).is_ok(), "{number}");
        let (lead, unit) = leads[added.len() % leads.len()];
        added.push(EmployeeRecord {
            id: Uuid::now_v7(),
            nip: number,
            name: format!(
                "{} {}",
                FIRST[added.len() % FIRST.len()],
                FAMILY[(added.len() / FIRST.len()) % FAMILY.len()]
            ),
            employment_type: EmploymentType::Pns,
            golongan: Some(GOLONGAN[added.len() % GOLONGAN.len()].to_owned()),
            position: "Pengadministrasi Perkantoran".to_owned(),
            position_kind: PositionKind::Pelaksana,
            unit_id: unit,
            supervisor_id: Some(lead),
            status: EmployeeStatus::Active,
            version: 1,
            created_at: created,
            updated_at: created,
        });
    }
    let tx = db.begin().await.unwrap();
    employees::insert_many(&tx, &added).await.unwrap();
    staff.extend(added);

    // An approved SKP for every active employee who has none in the cycle, penilai first.
    let ids: Vec<Uuid> = staff.iter().map(|e| e.id).collect();
    let have: HashSet<Uuid> = skps::of_employees(&tx, &[cycle.id], &ids)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.employee_id)
        .collect();
    let by_id: HashMap<Uuid, &EmployeeRecord> = staff.iter().map(|e| (e.id, e)).collect();
    let unit_of: HashMap<Uuid, &units::UnitRecord> = all_units.iter().map(|u| (u.id, u)).collect();
    let line = staff.iter().map(|e| (e.id, e.supervisor_id)).collect();
    let agreed = at(year, 1, 31, 3);
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let mut rhk_of: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut new_skps = Vec::new();
    let mut new_rhks: Vec<RhkRecord> = Vec::new();
    for id in parents_first(&line) {
        let Some(e) = by_id.get(&id) else { continue };
        if !e.is_active() || have.contains(&id) {
            continue;
        }
        let evaluator = e.supervisor_id.and_then(|s| by_id.get(&s).copied());
        let skp = SkpRecord {
            id: Uuid::now_v7(),
            cycle_id: cycle.id,
            employee_id: e.id,
            evaluator_id: evaluator.map(|v| v.id),
            status: SkpStatus::Approved,
            proposed_by: ProposedBy::Employee,
            revision_of: None,
            start_date: start,
            end_date: None,
            snapshot: kinerja_api::services::skps::snapshot_of(
                unit_of.get(&e.unit_id).copied(),
                e,
                evaluator,
            ),
            return_reason: None,
            version: 3,
            created_at: agreed,
            updated_at: agreed,
        };
        let parents = e
            .supervisor_id
            .and_then(|s| rhk_of.get(&s))
            .cloned()
            .unwrap_or_default();
        let jpt = e.position_kind == PositionKind::Jpt;
        let rhks: Vec<RhkRecord> = (0..RHK_PER_SKP)
            .map(|r| RhkRecord {
                id: Uuid::now_v7(),
                skp_id: skp.id,
                origin_id: None,
                code: format!("R{}", r + 1),
                kind: RhkKind::Utama,
                description: format!("Terlaksananya layanan ke-{} unit kerja tepat waktu", r + 1),
                parent_rhk_id: parents.get(r).copied(),
                unit_indicator_id: None,
                perspective: jpt.then(|| "Penerima Layanan".to_owned()),
                position: r as i32,
                indicators: vec![
                    SkpIndicatorRecord {
                        id: Uuid::now_v7(),
                        origin_id: None,
                        code: format!("R{}.1", r + 1),
                        description: format!("Jumlah berkas layanan ke-{} terselesaikan", r + 1),
                        aspect: Aspect::Kuantitas,
                        direction: Direction::HigherIsBetter,
                        target: Some(Measure::from_int(400)),
                        target_max: None,
                        target_text: None,
                        unit: "berkas".to_owned(),
                        aggregation: Aggregation::Sum,
                        period_targets: [None; 3],
                        competencies: Vec::new(),
                        position: 0,
                    },
                    SkpIndicatorRecord {
                        id: Uuid::now_v7(),
                        origin_id: None,
                        code: format!("R{}.2", r + 1),
                        description: format!(
                            "Persentase berkas layanan ke-{} tanpa kesalahan",
                            r + 1
                        ),
                        aspect: Aspect::Kualitas,
                        direction: Direction::HigherIsBetter,
                        target: Some(Measure::from_int(90)),
                        target_max: None,
                        target_text: None,
                        unit: "persen".to_owned(),
                        aggregation: Aggregation::Average,
                        period_targets: [
                            Some(Measure::from_int(85)),
                            Some(Measure::from_int(88)),
                            Some(Measure::from_int(90)),
                        ],
                        competencies: Vec::new(),
                        position: 1,
                    },
                ],
            })
            .collect();
        rhk_of.insert(e.id, rhks.iter().map(|r| r.id).collect());
        new_skps.push(skp);
        new_rhks.extend(rhks);
    }
    skps::insert_many(&tx, &new_skps).await.unwrap();
    let refs: Vec<&RhkRecord> = new_rhks.iter().collect();
    skps::save_rhks(&tx, &refs, &[]).await.unwrap();

    // Realisasi of every quarter, near the target; Q1–Q3 evaluations finalised, Q4 open.
    let skp_of_rhk: HashMap<Uuid, Uuid> = new_rhks.iter().map(|r| (r.id, r.skp_id)).collect();
    let mut realized = Vec::new();
    for (n, rhk) in new_rhks.iter().enumerate() {
        for indicator in &rhk.indicators {
            for (k, period) in Period::ALL.iter().enumerate() {
                let swing = [96, 100, 103][(n + k) % 3];
                let value = match indicator.aggregation {
                    Aggregation::Sum => 100 * swing / 100,
                    _ => [85, 88, 90, 90][k] * swing / 100,
                };
                let recorded = match period {
                    Period::Q4 => at(year, 12, 1, 2),
                    _ => at(year, 3 * (k as u32 + 1), 28, 2),
                };
                realized.push(RealizationRecord {
                    id: Uuid::now_v7(),
                    skp_id: skp_of_rhk[&rhk.id],
                    indicator_id: indicator.id,
                    period: *period,
                    value: Some(Measure::from_int(value)),
                    achieved: None,
                    evidence: vec![format!(
                        "https://arsip.siantar.example/bukti/{}/{}.pdf",
                        indicator.id,
                        period.as_str()
                    )],
                    note: None,
                    recorded_by: None,
                    version: 1,
                    created_at: recorded,
                    updated_at: recorded,
                });
            }
        }
    }
    realizations::insert_many(&tx, &realized).await.unwrap();
    let ratings = [
        Rating::SesuaiEkspektasi,
        Rating::SesuaiEkspektasi,
        Rating::DiAtasEkspektasi,
        Rating::SesuaiEkspektasi,
        Rating::DiBawahEkspektasi,
        Rating::SesuaiEkspektasi,
        Rating::SesuaiEkspektasi,
    ];
    let mut evaluated = Vec::new();
    for (n, skp) in new_skps.iter().enumerate() {
        for (k, period) in Period::ALL.iter().enumerate() {
            let mut e = EvaluationRecord::open(
                Uuid::now_v7(),
                skp.id,
                *period,
                skp.snapshot.clone(),
                skp.updated_at,
            );
            if *period != Period::Q4 {
                let work = ratings[(n + k) % ratings.len()];
                let behavior = ratings[(n + 3 * k + 1) % ratings.len()];
                let finalized = at(year, 3 * (k as u32 + 1) + 1, 10, 3);
                e.status = EvaluationStatus::Finalized;
                e.work_rating = Some(work);
                e.suggested_work_rating = Some(work);
                e.behavior_ratings = CoreValue::ALL
                    .iter()
                    .map(|v| BehaviorScore {
                        core_value: *v,
                        rating: behavior,
                        note: None,
                    })
                    .collect();
                e.behavior_rating = Some(behavior);
                e.predikat = Some(predikat(work, behavior));
                e.assessed_at = Some(finalized - chrono::Duration::days(2));
                e.finalized_at = Some(finalized);
                e.updated_at = finalized;
                e.version = 3;
            }
            evaluated.push(e);
        }
    }
    // ~25 columns a row: 500 rows stay below SQLite's limit of bound variables.
    for chunk in evaluated.chunks(500) {
        evaluations::insert_many(&tx, chunk).await.unwrap();
    }
    tx.commit().await.unwrap();

    // The demo's responses, repeated inside the database up to RESPONSES.
    let conn = db.connection();
    let count = |sql: &'static str| async move {
        let row = conn
            .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    };
    let demo_responses = count("SELECT COUNT(*) FROM survey_responses").await;
    let copies = (RESPONSES + demo_responses - 1) / demo_responses;
    let columns = "id, unit_id, service_id, responded_on, u1, u2, u3, u4, u5, u6, u7, u8, u9, gender, age, education, occupation, comment, channel, created_at";
    let copied = "s.unit_id, s.service_id, s.responded_on, s.u1, s.u2, s.u3, s.u4, s.u5, s.u6, s.u7, s.u8, s.u9, s.gender, s.age, s.education, s.occupation, s.comment, s.channel, s.created_at";
    let limit = RESPONSES - demo_responses;
    let sql = match backend {
        Backend::Postgres => format!(
            "INSERT INTO survey_responses ({columns}) SELECT gen_random_uuid(), {copied} \
             FROM survey_responses s CROSS JOIN generate_series(2, {copies}) AS g LIMIT {limit}"
        ),
        Backend::Sqlite => format!(
            "WITH RECURSIVE series(g) AS (SELECT 2 UNION ALL SELECT g + 1 FROM series WHERE g < {copies}) \
             INSERT INTO survey_responses ({columns}) SELECT randomblob(16), {copied} \
             FROM survey_responses s CROSS JOIN series LIMIT {limit}"
        ),
    };
    conn.execute_unprepared(&sql).await.unwrap();
    if backend == Backend::Postgres {
        conn.execute_unprepared("ANALYZE").await.unwrap();
    }
    let responses = count("SELECT COUNT(*) FROM survey_responses").await;
    assert_eq!(responses, RESPONSES);

    let employee_ids = uuids(db, "SELECT id FROM employees ORDER BY id").await;
    let skp_ids = uuids(
        db,
        "SELECT id FROM skps WHERE status = 'approved' ORDER BY id",
    )
    .await;
    let admin_user = uuids(db, "SELECT id FROM users WHERE username = 'admin'").await[0];
    let targets = targets(db, &employee_ids, &skp_ids).await;
    let service_unit = all_units
        .iter()
        .find(|u| u.code == "DISDUKCAPIL.KTP")
        .expect("the demo's KTP counter");
    let service = kinerja_persistence::repos::skm::services_of(db, service_unit.id)
        .await
        .unwrap()
        .remove(0);
    let rhk_count = uuids(db, "SELECT id FROM skp_rhks").await.len();
    let indicator_count = uuids(db, "SELECT id FROM skp_indicators").await.len();
    let realization_count = uuids(db, "SELECT id FROM skp_realizations").await.len();
    let evaluation_count = uuids(db, "SELECT id FROM evaluations").await.len();
    City {
        cycle_id: cycle.id,
        counts: format!(
            "{} employees, {} approved SKPs, {rhk_count} RHK, {indicator_count} indicators, \
             {realization_count} realisasi, {evaluation_count} evaluations, {responses} survey responses",
            employee_ids.len(),
            skp_ids.len()
        ),
        employees: employee_ids,
        skps: skp_ids,
        targets,
        admin_user,
        survey_unit: service_unit.code.clone(),
        survey_service: service.code,
        seeded_in: started.elapsed(),
    }
}

async fn uuids(db: &Db, sql: &str) -> Vec<Uuid> {
    let conn = db.connection();
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap()
    .into_iter()
    .map(|row| row.try_get_by_index::<Uuid>(0).unwrap())
    .collect()
}

// ---------------------------------------------------------------------------------------------
// The floors
// ---------------------------------------------------------------------------------------------

/// Throughput and latency of one load run.
#[derive(Clone)]
struct Load {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    requests: u64,
    errors: u64,
    /// The server's CPU time per request (wrk runs only).
    server_cpu: Option<Duration>,
    /// How busy the whole machine was during the run, in % of all cores.
    machine_busy: f64,
}

/// The rows `GET /employees/{id}` of `employee` and `GET /skps/{id}` of `skp` read, by id.
struct Target {
    employee: Uuid,
    supervisor: Option<Uuid>,
    skp: Uuid,
    skp_employee: Uuid,
    cycle: Uuid,
    rhks: Vec<Uuid>,
}

async fn targets(db: &Db, employees: &[Uuid], skps: &[Uuid]) -> Vec<Target> {
    let conn = db.connection();
    let rows = |sql: &str| {
        conn.query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_owned(),
        ))
    };
    let mut supervisor: HashMap<Uuid, Option<Uuid>> = HashMap::new();
    for row in rows("SELECT id, supervisor_id FROM employees")
        .await
        .unwrap()
    {
        supervisor.insert(
            row.try_get_by_index(0).unwrap(),
            row.try_get_by_index(1).unwrap(),
        );
    }
    let mut skp: HashMap<Uuid, (Uuid, Uuid)> = HashMap::new();
    for row in rows("SELECT id, employee_id, cycle_id FROM skps")
        .await
        .unwrap()
    {
        skp.insert(
            row.try_get_by_index(0).unwrap(),
            (
                row.try_get_by_index(1).unwrap(),
                row.try_get_by_index(2).unwrap(),
            ),
        );
    }
    let mut rhks: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in rows("SELECT skp_id, id FROM skp_rhks WHERE retired_at IS NULL ORDER BY position")
        .await
        .unwrap()
    {
        rhks.entry(row.try_get_by_index(0).unwrap())
            .or_default()
            .push(row.try_get_by_index(1).unwrap());
    }
    employees
        .iter()
        .zip(skps)
        .map(|(e, s)| Target {
            employee: *e,
            supervisor: supervisor[e],
            skp: *s,
            skp_employee: skp[s].0,
            cycle: skp[s].1,
            rhks: rhks.get(s).cloned().unwrap_or_default(),
        })
        .collect()
}

/// What a statement binds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Param {
    /// The caller's user id (the bearer token's subject).
    User,
    /// 1, for `LIMIT`.
    One,
    Employee,
    Supervisor,
    Skp,
    SkpEmployee,
    Cycle,
    /// The `k`th RHK of the SKP.
    Rhk(usize),
}

// The statements as the app issues them on SQLite (`RUST_LOG=sqlx::query=debug` on the server);
// on PostgreSQL the same with `$1`, `$2`... for the `?`.
const USER: &str = r#"SELECT "users"."id", "users"."username", "users"."password_hash", "users"."roles", "users"."employee_id", "users"."unit_id", "users"."active", "users"."must_change_password", "users"."version", "users"."created_at", "users"."updated_at" FROM "users" WHERE "users"."id" = ? LIMIT ?"#;
const EMPLOYEE: &str = r#"SELECT "employees"."id", "employees"."nip", "employees"."name", "employees"."employment_type", "employees"."golongan", "employees"."position", "employees"."position_kind", "employees"."unit_id", "employees"."supervisor_id", "employees"."status", "employees"."version", "employees"."created_at", "employees"."updated_at" FROM "employees" WHERE "employees"."id" = ? LIMIT ?"#;
const SUPERVISORS: &str = r#"SELECT "employees"."id", "employees"."nip", "employees"."name", "employees"."employment_type", "employees"."golongan", "employees"."position", "employees"."position_kind", "employees"."unit_id", "employees"."supervisor_id", "employees"."status", "employees"."version", "employees"."created_at", "employees"."updated_at" FROM "employees" WHERE "employees"."id" IN (?)"#;
const SKP: &str = r#"SELECT "skps"."id", "skps"."cycle_id", "skps"."employee_id", "skps"."evaluator_id", "skps"."status", "skps"."proposed_by", "skps"."revision_of", "skps"."start_date", "skps"."end_date", "skps"."snapshot", "skps"."return_reason", "skps"."version", "skps"."created_at", "skps"."updated_at" FROM "skps" WHERE "skps"."id" = ? LIMIT ?"#;
const CYCLE: &str = r#"SELECT "cycles"."id", "cycles"."year", "cycles"."name", "cycles"."status", "cycles"."settings", "cycles"."started_at", "cycles"."closed_at", "cycles"."version", "cycles"."created_at", "cycles"."updated_at" FROM "cycles" WHERE "cycles"."id" = ? LIMIT ?"#;
const RHKS: &str = r#"SELECT "skp_rhks"."id", "skp_rhks"."skp_id", "skp_rhks"."origin_id", "skp_rhks"."code", "skp_rhks"."kind", "skp_rhks"."description", "skp_rhks"."parent_rhk_id", "skp_rhks"."unit_indicator_id", "skp_rhks"."perspective", "skp_rhks"."position", "skp_rhks"."retired_at" FROM "skp_rhks" WHERE "skp_rhks"."skp_id" IN (?) AND "skp_rhks"."retired_at" IS NULL ORDER BY "skp_rhks"."position" ASC"#;
const INDICATORS: &str = r#"SELECT "skp_indicators"."id", "skp_indicators"."rhk_id", "skp_indicators"."origin_id", "skp_indicators"."code", "skp_indicators"."description", "skp_indicators"."aspect", "skp_indicators"."direction", "skp_indicators"."target", "skp_indicators"."target_max", "skp_indicators"."target_text", "skp_indicators"."unit", "skp_indicators"."aggregation", "skp_indicators"."q1_target", "skp_indicators"."q2_target", "skp_indicators"."q3_target", "skp_indicators"."competencies", "skp_indicators"."position", "skp_indicators"."retired_at" FROM "skp_indicators" WHERE "skp_indicators"."rhk_id" IN (?, ?, ?, ?, ?) AND "skp_indicators"."retired_at" IS NULL ORDER BY "skp_indicators"."position" ASC"#;
const REALIZATIONS: &str = r#"SELECT "skp_realizations"."id", "skp_realizations"."skp_id", "skp_realizations"."indicator_id", "skp_realizations"."period", "skp_realizations"."value", "skp_realizations"."achieved", "skp_realizations"."evidence", "skp_realizations"."note", "skp_realizations"."recorded_by", "skp_realizations"."version", "skp_realizations"."created_at", "skp_realizations"."updated_at" FROM "skp_realizations" WHERE "skp_realizations"."skp_id" = ? ORDER BY "skp_realizations"."indicator_id" ASC, "skp_realizations"."period" ASC"#;

type Script = &'static [(&'static str, &'static [Param])];

/// `GET /employees/{id}`: the caller, the employee, his supervisor (for the view).
const EMPLOYEE_SCRIPT: Script = &[
    (USER, &[Param::User, Param::One]),
    (EMPLOYEE, &[Param::Employee, Param::One]),
    (SUPERVISORS, &[Param::Supervisor]),
];
/// `GET /skps/{id}`: the caller, the SKP, its employee (rights), the cycle (its cap), the RHK in
/// force, their indicators, the realisasi.
const SKP_SCRIPT: Script = &[
    (USER, &[Param::User, Param::One]),
    (SKP, &[Param::Skp, Param::One]),
    (EMPLOYEE, &[Param::SkpEmployee, Param::One]),
    (CYCLE, &[Param::Cycle, Param::One]),
    (RHKS, &[Param::Skp]),
    (
        INDICATORS,
        &[
            Param::Rhk(0),
            Param::Rhk(1),
            Param::Rhk(2),
            Param::Rhk(3),
            Param::Rhk(4),
        ],
    ),
    (REALIZATIONS, &[Param::Skp]),
];

/// The pgbench script of `script`: a random row of `bench_ids` per transaction, each id read
/// from it inside the statement (one primary-key lookup), the user and 1 as variables.
fn pgbench_script(script: Script) -> String {
    let mut out = String::from("\\set n random(0, :ids - 1)\n");
    for (sql, params) in script {
        let mut params = params.iter();
        let mut line = String::new();
        for (i, piece) in sql.split('?').enumerate() {
            if i > 0 {
                let column = match params.next().unwrap() {
                    Param::User => ":user".to_owned(),
                    Param::One => ":one".to_owned(),
                    Param::Employee => "employee".to_owned(),
                    Param::Supervisor => "supervisor".to_owned(),
                    Param::Skp => "skp".to_owned(),
                    Param::SkpEmployee => "skp_employee".to_owned(),
                    Param::Cycle => "cycle".to_owned(),
                    Param::Rhk(k) => format!("rhks[{}]", k + 1),
                };
                if column.starts_with(':') {
                    line.push_str(&column);
                } else {
                    line.push_str(&format!("(SELECT {column} FROM bench_ids WHERE n = :n)"));
                }
            }
            line.push_str(piece);
        }
        out.push_str(&line);
        out.push_str(";\n");
    }
    out
}

/// `pgbench` of `script` against the city's database.
fn pgbench(url: &str, name: &str, script: Script, user: Uuid, ids: usize, work: &Path) -> Load {
    let file = work.join(format!("pgbench_{name}.sql"));
    std::fs::write(&file, pgbench_script(script)).unwrap();
    let prefix = work.join(format!("pgbench-{name}"));
    let machine_before = machine_ticks();
    let status = Command::new("pgbench")
        .arg("-n")
        .args(["-M", "prepared"])
        .args(["-c", &CONNECTIONS.to_string()])
        .args(["-j", &THREADS.to_string()])
        .args(["-T", &seconds().to_string()])
        .args(["-D", &format!("user={user}")])
        .args(["-D", "one=1"])
        .args(["-D", &format!("ids={ids}")])
        .arg("-f")
        .arg(&file)
        .arg("-l")
        .arg(format!("--log-prefix={}", prefix.display()))
        .arg(url)
        .current_dir(work)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .expect("pgbench runs");
    let machine_after = machine_ticks();
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "pgbench failed: {out}");
    let tps: f64 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("pgbench prints tps");
    let failed: u64 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("number of failed transactions: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // The per-transaction logs: `client tx latency_us script epoch us`.
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(work).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if !file.starts_with(&format!("pgbench-{name}.")) {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if let Some(us) = line.split_whitespace().nth(2).and_then(|v| v.parse().ok()) {
                latencies.push(Duration::from_micros(us));
            }
        }
        std::fs::remove_file(&path).unwrap();
    }
    latencies.sort();
    Load {
        per_second: tps,
        p50: quantile(&latencies, 0.5),
        p99: quantile(&latencies, 0.99),
        requests: latencies.len() as u64,
        errors: failed,
        server_cpu: None,
        machine_busy: 100.0 * (machine_after.0 - machine_before.0) as f64
            / (machine_after.1 - machine_before.1).max(1) as f64,
    }
}

/// The table of ids the pgbench scripts read.
async fn bench_ids(db: &Db, city: &City) {
    let conn = db.connection();
    conn.execute_unprepared(
        "CREATE TABLE bench_ids (n integer PRIMARY KEY, employee uuid NOT NULL, supervisor uuid, \
         skp uuid NOT NULL, skp_employee uuid NOT NULL, cycle uuid NOT NULL, rhks uuid[] NOT NULL)",
    )
    .await
    .unwrap();
    let rows: Vec<String> = city
        .targets
        .iter()
        .enumerate()
        .map(|(n, t)| {
            let rhks: Vec<String> = t.rhks.iter().map(Uuid::to_string).collect();
            format!(
                "({n}, '{}', {}, '{}', '{}', '{}', '{{{}}}')",
                t.employee,
                t.supervisor.map_or("NULL".to_owned(), |s| format!("'{s}'")),
                t.skp,
                t.skp_employee,
                t.cycle,
                rhks.join(",")
            )
        })
        .collect();
    for chunk in rows.chunks(1000) {
        conn.execute_unprepared(&format!("INSERT INTO bench_ids VALUES {}", chunk.join(",")))
            .await
            .unwrap();
    }
    conn.execute_unprepared("ANALYZE bench_ids").await.unwrap();
}

/// The statements of `script` run by `CONNECTIONS` tasks through the app's own driver and pool
/// (SQLite: 8 connections) for the run's duration, each task walking the targets.
async fn sqlite_floor(url: &str, script: Script, city: &City) -> Load {
    let db = Db::connect(url, Duration::from_secs(30)).await.unwrap();
    let targets: Arc<Vec<Target>> = Arc::new(
        city.targets
            .iter()
            .map(|t| Target {
                rhks: t.rhks.clone(),
                ..*t
            })
            .collect(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let user = city.admin_user;
    let machine_before = machine_ticks();
    let mut tasks = Vec::new();
    let started = Instant::now();
    for client in 0..CONNECTIONS {
        let (db, targets, stop) = (db.clone(), targets.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = client * 7919;
            while !stop.load(Ordering::Relaxed) {
                n = (n + 104_729) % targets.len();
                let t = &targets[n];
                let begun = Instant::now();
                for (sql, params) in script {
                    // As the app: no supervisor, no query; as many `?` as RHK.
                    if params.contains(&Param::Supervisor) && t.supervisor.is_none() {
                        continue;
                    }
                    let mut sql = (*sql).to_owned();
                    let mut values: Vec<Value> = Vec::new();
                    if params.contains(&Param::Rhk(0)) {
                        if t.rhks.is_empty() {
                            continue;
                        }
                        let marks = vec!["?"; t.rhks.len()].join(", ");
                        sql = sql.replace("?, ?, ?, ?, ?", &marks);
                        values.extend(t.rhks.iter().map(|r| Value::from(*r)));
                    } else {
                        values.extend(params.iter().map(|p| match p {
                            Param::User => Value::from(user),
                            Param::One => Value::from(1_u64),
                            Param::Employee => Value::from(t.employee),
                            Param::Supervisor => Value::from(t.supervisor.unwrap()),
                            Param::Skp => Value::from(t.skp),
                            Param::SkpEmployee => Value::from(t.skp_employee),
                            Param::Cycle => Value::from(t.cycle),
                            Param::Rhk(_) => unreachable!(),
                        }));
                    }
                    let rows = db
                        .connection()
                        .query_all_raw(Statement::from_sql_and_values(
                            DbBackend::Sqlite,
                            sql,
                            values,
                        ))
                        .await
                        .unwrap();
                    std::hint::black_box(rows);
                }
                latencies.push(begun.elapsed());
            }
            latencies
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds())).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    let machine_after = machine_ticks();
    latencies.sort();
    db.close().await.unwrap();
    Load {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: quantile(&latencies, 0.5),
        p99: quantile(&latencies, 0.99),
        requests: latencies.len() as u64,
        errors: 0,
        server_cpu: None,
        machine_busy: 100.0 * (machine_after.0 - machine_before.0) as f64
            / (machine_after.1 - machine_before.1).max(1) as f64,
    }
}

// ---------------------------------------------------------------------------------------------
// The server and wrk
// ---------------------------------------------------------------------------------------------

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only the process this harness started, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> PathBuf {
    std::env::var_os("KINERJA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/kinerja"))
}

async fn start_server(url: &str, work: &Path, client: &reqwest::Client) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::fs::File::create(work.join("server.log")).unwrap();
    let child = Command::new(binary())
        .arg("serve")
        .env("KINERJA_DATABASE_URL", url)
        .env("KINERJA_BIND", format!("127.0.0.1:{port}"))
        .env("KINERJA_JWT_SECRET", JWT_SECRET)
        .env("KINERJA_ACCESS_TOKEN_TTL", "86400")
        .env("KINERJA_TRUSTED_PROXIES", "127.0.0.1")
        .env("KINERJA_SURVEY_RATE_PER_MINUTE", "10000")
        .env(
            "RUST_LOG",
            std::env::var("KINERJA_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "start {}: {e} (cargo build --release --bin kinerja)",
                binary().display()
            )
        });
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{}/health", server.base)).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not answer /health"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server
}

/// The CPU time the process has used (user + system), in clock ticks of 10 ms.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which ends with ')'): utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields
        .get(11)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
}

/// The machine's (busy, total) CPU ticks so far, all cores.
fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let cpu: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: u64 = cpu.iter().sum();
    let idle = cpu.get(3).copied().unwrap_or(0) + cpu.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn parse_wrk_duration(v: &str) -> Duration {
    let (number, unit) = v.split_at(v.find(|c: char| c.is_alphabetic()).unwrap());
    let n: f64 = number.parse().unwrap();
    Duration::from_secs_f64(match unit {
        "us" => n / 1e6,
        "ms" => n / 1e3,
        "s" => n,
        "m" => n * 60.0,
        other => panic!("wrk unit {other}"),
    })
}

/// `wrk -c 64 -t 2 --latency -s script` with the environment the script reads; samples the
/// server's RSS every 50 ms meanwhile and returns the largest.
fn wrk(url: &str, script: &str, env: &[(&str, String)], pid: u32, perf_out: &Path) -> (Load, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (stop, peak) = (stop.clone(), peak.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid, "VmRSS:"), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let mut command = Command::new("wrk");
    command
        .args(["-c", &CONNECTIONS.to_string()])
        .args(["-t", &THREADS.to_string()])
        .args(["-d", &format!("{}s", seconds())])
        .arg("--latency")
        .arg("-s")
        .arg(bench_dir().join(script))
        .arg(url);
    for (k, v) in env {
        command.env(k, v);
    }
    // KINERJA_BENCH_PERF=1: a perf profile of the server during the run, kept in `perf_out`.
    let perf = (std::env::var_os("KINERJA_BENCH_PERF").is_some()).then(|| {
        Command::new("perf")
            .args(["record", "-F", "499", "-g", "-p", &pid.to_string(), "-o"])
            .arg(perf_out)
            .args([
                "--",
                "sleep",
                &(seconds().saturating_sub(2)).max(1).to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("perf runs")
    });
    let (cpu_before, machine_before) = (cpu_ticks(pid), machine_ticks());
    let output = command.output().expect("wrk runs (apt-get install -y wrk)");
    let (cpu_after, machine_after) = (cpu_ticks(pid), machine_ticks());
    if let Some(mut perf) = perf {
        perf.wait().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "wrk failed: {out}");
    let line = |prefix: &str| {
        out.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix).map(str::trim))
    };
    let load = Load {
        per_second: line("Requests/sec:").unwrap().parse().unwrap(),
        p50: parse_wrk_duration(line("50%").unwrap()),
        p99: parse_wrk_duration(line("99%").unwrap()),
        requests: out
            .lines()
            .find(|l| l.contains(" requests in "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap(),
        errors: line("Non-2xx or 3xx responses:")
            .map(|v| v.parse().unwrap())
            .unwrap_or(0)
            + line("Socket errors:").map_or(0, |_| 1),
        server_cpu: None,
        machine_busy: 100.0 * (machine_after.0 - machine_before.0) as f64
            / (machine_after.1 - machine_before.1).max(1) as f64,
    };
    let load = Load {
        server_cpu: Some(Duration::from_micros(
            (cpu_after - cpu_before) * 10_000 / load.requests.max(1),
        )),
        ..load
    };
    (load, peak.load(Ordering::Relaxed))
}

async fn timed(client: &reqwest::Client, url: &str, token: &str) -> Vec<Duration> {
    let warm = client.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(warm.status(), 200, "{url}");
    warm.bytes().await.unwrap();
    let mut samples = Vec::new();
    for _ in 0..REPORT_RUNS {
        let t = Instant::now();
        let r = client.get(url).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        r.bytes().await.unwrap();
        samples.push(t.elapsed());
    }
    samples.sort();
    samples
}

// ---------------------------------------------------------------------------------------------
// One database
// ---------------------------------------------------------------------------------------------

struct Row {
    what: String,
    figure: String,
    floor: String,
    ratio: String,
}

fn load_cell(l: &Load) -> String {
    format!(
        "{:.0} req/s, p50 {}, p99 {}{}; {}machine {:.0}% busy",
        l.per_second,
        ms(l.p50),
        ms(l.p99),
        if l.errors > 0 {
            format!(", {} errors", l.errors)
        } else {
            String::new()
        },
        l.server_cpu.map_or(String::new(), |c| format!(
            "server CPU {:.2} ms/req, ",
            c.as_secs_f64() * 1000.0
        )),
        l.machine_busy
    )
}

async fn run(backend: Backend) -> (String, Vec<Row>) {
    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let work = std::env::temp_dir().join(format!("kinerja-city-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let database = TestDb::create(backend).await;
    let url = database.url().to_owned();
    let db = Db::connect(&url, Duration::from_secs(30)).await.unwrap();
    let city = seed_city(&db, backend).await;
    eprintln!(
        "{name}: seeded in {:.1} s: {}",
        city.seeded_in.as_secs_f64(),
        city.counts
    );

    // The floors first, before the server holds connections of its own.
    let (employee_floor, skp_floor, floor_name) = match backend {
        Backend::Postgres => {
            bench_ids(&db, &city).await;
            let n = city.targets.len();
            (
                pgbench(&url, "employee", EMPLOYEE_SCRIPT, city.admin_user, n, &work),
                pgbench(&url, "skp", SKP_SCRIPT, city.admin_user, n, &work),
                "pgbench -M prepared, same SQL",
            )
        }
        Backend::Sqlite => (
            sqlite_floor(&url, EMPLOYEE_SCRIPT, &city).await,
            sqlite_floor(&url, SKP_SCRIPT, &city).await,
            "same SQL, 64 tasks, app's driver and pool, no HTTP",
        ),
    };
    db.close().await.unwrap();

    let client = reqwest::Client::new();
    let server = start_server(&url, &work, &client).await;
    let pid = server.pid();
    let login = client
        .post(format!("{}/api/v1/auth/token", server.base))
        .json(&serde_json::json!({"grant_type": "password", "username": "admin", "password": "demo-admin-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let token = login.json::<serde_json::Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_kib(pid, "VmRSS:");

    let write_ids = |file: &str, ids: &[Uuid]| {
        let path = work.join(file);
        let mut out = std::fs::File::create(&path).unwrap();
        for id in ids {
            writeln!(out, "{id}").unwrap();
        }
        path.display().to_string()
    };
    let employee_ids = write_ids("employees.txt", &city.employees);
    let skp_ids = write_ids("skps.txt", &city.skps);
    let get_env = |ids: &str, prefix: &str| {
        vec![
            ("BENCH_IDS", ids.to_owned()),
            ("BENCH_TOKEN", token.clone()),
            ("BENCH_PREFIX", prefix.to_owned()),
        ]
    };
    let (employee_api, peak1) = wrk(
        &server.base,
        "wrk_get.lua",
        &get_env(&employee_ids, "/api/v1/employees/"),
        pid,
        &work.join("perf-employees.data"),
    );
    let (skp_api, peak2) = wrk(
        &server.base,
        "wrk_get.lua",
        &get_env(&skp_ids, "/api/v1/skps/"),
        pid,
        &work.join("perf-skps.data"),
    );
    let (survey, peak3) = wrk(
        &server.base,
        "wrk_survey.lua",
        &[
            (
                "BENCH_PATH",
                format!("/api/v1/public/surveys/{}/responses", city.survey_unit),
            ),
            ("BENCH_SERVICE", city.survey_service.clone()),
        ],
        pid,
        &work.join("perf-survey.data"),
    );
    let peak = peak1.max(peak2).max(peak3);

    let calibration = timed(
        &client,
        &format!(
            "{}/api/v1/cycles/{}/calibration?period=q3",
            server.base, city.cycle_id
        ),
        &token,
    )
    .await;
    let hwm_calibration = rss_kib(pid, "VmHWM:");
    let overview = timed(
        &client,
        &format!(
            "{}/api/v1/reports/overview?cycle_id={}",
            server.base, city.cycle_id
        ),
        &token,
    )
    .await;
    let hwm = rss_kib(pid, "VmHWM:");
    drop(server);
    drop(database);
    if std::env::var_os("KINERJA_BENCH_SERVER_LOG").is_some()
        || std::env::var_os("KINERJA_BENCH_PERF").is_some()
    {
        eprintln!(
            "{name}: the server's log and perf data are in {}",
            work.display()
        );
    } else {
        let _ = std::fs::remove_dir_all(&work);
    }

    let ratio =
        |api: &Load, floor: &Load| format!("{:.0}%", 100.0 * api.per_second / floor.per_second);
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    let rows = vec![
        Row {
            what: "`GET /employees/{id}`, wrk -c 64".into(),
            figure: load_cell(&employee_api),
            floor: format!("{floor_name}: {}", load_cell(&employee_floor)),
            ratio: ratio(&employee_api, &employee_floor),
        },
        Row {
            what: "`GET /skps/{id}`, wrk -c 64".into(),
            figure: load_cell(&skp_api),
            floor: format!("{floor_name}: {}", load_cell(&skp_floor)),
            ratio: ratio(&skp_api, &skp_floor),
        },
        Row {
            what: format!("`GET /cycles/{{id}}/calibration?period=q3`, {REPORT_RUNS} sequential"),
            figure: format!(
                "median {}, p95 {}",
                ms(quantile(&calibration, 0.5)),
                ms(quantile(&calibration, 0.95))
            ),
            floor: "–".into(),
            ratio: "–".into(),
        },
        Row {
            what: format!("`GET /reports/overview`, {REPORT_RUNS} sequential"),
            figure: format!(
                "median {}, p95 {}",
                ms(quantile(&overview, 0.5)),
                ms(quantile(&overview, 0.95))
            ),
            floor: "–".into(),
            ratio: "–".into(),
        },
        Row {
            what: "`POST /public/surveys/{unit_code}/responses`, wrk -c 64, an address each".into(),
            figure: format!(
                "{:.0} accepted/s ({} requests, {} not 201), p50 {}, p99 {}",
                survey.per_second * (survey.requests - survey.errors) as f64
                    / survey.requests.max(1) as f64,
                survey.requests,
                survey.errors,
                ms(survey.p50),
                ms(survey.p99)
            ),
            floor: "–".into(),
            ratio: "–".into(),
        },
        Row {
            what: "server RSS: idle after start / peak during the wrk runs / high-water mark after the calibration runs / after the overview runs".into(),
            figure: format!("{} / {} / {} / {}", mib(idle), mib(peak), mib(hwm_calibration), mib(hwm)),
            floor: "–".into(),
            ratio: "–".into(),
        },
    ];
    (
        format!(
            "{name}: {} (seeded in {:.0} s)",
            city.counts,
            city.seeded_in.as_secs_f64()
        ),
        rows,
    )
}

fn main() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut all = Vec::new();
        for backend in backends() {
            all.push((backend, run(backend).await));
        }
        println!();
        for (_, (city, _)) in &all {
            println!("- {city}");
        }
        println!();
        println!("| database | operation | API | floor | API ÷ floor |");
        println!("|---|---|---|---|---:|");
        for (backend, (_, rows)) in &all {
            let name = match backend {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            for r in rows {
                println!(
                    "| {name} | {} | {} | {} | {} |",
                    r.what, r.figure, r.floor, r.ratio
                );
            }
        }
    });
}
