//! Benchmark: a 10,000-employee import through the API, on SQLite and PostgreSQL, beside the
//! database's own floor — `psql \copy` of the same rows into the same table.
//!
//! Run with `bench/run` (or `cargo bench -p kinerja-tests --bench import`); PostgreSQL figures
//! need `KINERJA_TEST_DATABASE_URL` (the script sets the local default). Prints a Markdown table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::time::{Duration, Instant};

use kinerja_tests::{Backend, TestApp, backends, test_nip};

const ROWS: u32 = 10_000;
const RUNS: usize = 3;
const TEAM: u32 = 100;

/// The units and a 10,000-employee file: one head of service, 99 team leads under him, each with
/// about a hundred staff. Supervisors come before their staff in the file.
fn files() -> (String, String) {
    let units = "code,name,kind,parent_code,is_opd,is_service_unit\nBENCH,Dinas Uji Beban,dinas,,true,false\nBENCH.A,Bidang A,bidang,BENCH,false,false\n".to_owned();
    let mut employees = String::from(
        "nip,name,employment_type,golongan,position,position_kind,unit_code,supervisor_nip,status\n",
    );
    for i in 0..ROWS {
        let (supervisor, position, kind, golongan) = match i {
            0 => (String::new(), "Kepala Dinas", "jpt", "IV/c"),
            i if i % TEAM == 0 => (test_nip(0), "Kepala Seksi", "pengawas", "III/d"),
            i => (
                test_nip(i - i % TEAM),
                "Pengadministrasi",
                "pelaksana",
                "II/c",
            ),
        };
        let unit = if i == 0 { "BENCH" } else { "BENCH.A" };
        employees.push_str(&format!(
            "{},Pegawai {i},pns,{golongan},{position},{kind},{unit},{supervisor},active\n",
            test_nip(i)
        ));
    }
    (units, employees)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

struct Figure {
    database: &'static str,
    operation: &'static str,
    time: Duration,
}

async fn import_once(
    backend: Backend,
    units: &str,
    employees: &str,
) -> (Duration, Duration, Duration) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let token = &admin.access_token;
    app.import(token, "/api/v1/imports/units", "text/csv", units)
        .await
        .assert_status(200);

    let started = Instant::now();
    let created = app
        .import(token, "/api/v1/imports/employees", "text/csv", employees)
        .await;
    let create = started.elapsed();
    created.assert_status(200);
    assert_eq!(created.json()["created"], ROWS);

    let started = Instant::now();
    let again = app
        .import(token, "/api/v1/imports/employees", "text/csv", employees)
        .await;
    let unchanged = started.elapsed();
    assert_eq!(again.json()["unchanged"], ROWS);

    let started = Instant::now();
    app.import(
        token,
        "/api/v1/imports/employees?dry_run=true",
        "text/csv",
        employees,
    )
    .await
    .assert_status(200);
    (create, unchanged, started.elapsed())
}

/// `psql \copy` of the same rows into the `employees` table of a freshly migrated database.
async fn copy_floor(employees_csv: &str) -> Option<Duration> {
    std::env::var("KINERJA_TEST_DATABASE_URL").ok()?;
    let app = TestApp::spawn(Backend::Postgres).await;
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let (units, _) = files();
    app.import(
        &admin.access_token,
        "/api/v1/imports/units",
        "text/csv",
        units,
    )
    .await
    .assert_status(200);
    let unit = app
        .get_as("/api/v1/units?q=BENCH.A", &admin.access_token)
        .await
        .json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The rows as the table stores them, ids assigned here.
    let ids: Vec<uuid::Uuid> = (0..ROWS).map(|_| uuid::Uuid::now_v7()).collect();
    let file = tempfile_path("kinerja-bench-copy.csv");
    let mut out = std::fs::File::create(&file).unwrap();
    writeln!(out, "id,nip,name,employment_type,golongan,position,position_kind,unit_id,supervisor_id,status,version,created_at,updated_at").unwrap();
    for (i, line) in employees_csv.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let i = i as u32;
        let supervisor = match i {
            0 => String::new(),
            i if i % TEAM == 0 => ids[0].to_string(),
            i => ids[(i - i % TEAM) as usize].to_string(),
        };
        writeln!(
            out,
            "{},{},{},pns,{},{},{},{unit},{supervisor},active,1,2026-10-15T01:00:00Z,2026-10-15T01:00:00Z",
            ids[i as usize], cells[0], cells[1], cells[3], cells[4], cells[5]
        )
        .unwrap();
    }
    drop(out);
    let database_url = app.database_url().to_owned();
    let started = Instant::now();
    let status = std::process::Command::new("psql")
        .arg(&database_url)
        .arg("-q")
        .arg("-c")
        .arg(format!(
            "\\copy employees (id,nip,name,employment_type,golongan,position,position_kind,unit_id,supervisor_id,status,version,created_at,updated_at) FROM '{}' CSV HEADER",
            file.display()
        ))
        .status()
        .ok()?;
    let elapsed = started.elapsed();
    let _ = std::fs::remove_file(&file);
    status.success().then_some(elapsed)
}

fn tempfile_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{}-{name}", std::process::id()))
}

fn main() {
    // RUST_LOG=kinerja_api=debug shows where an import spends its time.
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (units, employees) = files();
        let mut figures = Vec::new();
        for backend in backends() {
            let name = match backend {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            let mut create = Vec::new();
            let mut unchanged = Vec::new();
            let mut dry = Vec::new();
            for _ in 0..RUNS {
                let (c, u, d) = import_once(backend, &units, &employees).await;
                create.push(c);
                unchanged.push(u);
                dry.push(d);
            }
            figures.push(Figure {
                database: name,
                operation: "API import, 10,000 new employees",
                time: median(create),
            });
            figures.push(Figure {
                database: name,
                operation: "API re-import, all unchanged",
                time: median(unchanged),
            });
            figures.push(Figure {
                database: name,
                operation: "API dry run",
                time: median(dry),
            });
        }
        let mut floor = None;
        if std::env::var("KINERJA_TEST_DATABASE_URL").is_ok() {
            let mut samples = Vec::new();
            for _ in 0..RUNS {
                if let Some(t) = copy_floor(&employees).await {
                    samples.push(t);
                }
            }
            if !samples.is_empty() {
                floor = Some(median(samples));
                figures.push(Figure {
                    database: "PostgreSQL",
                    operation: "psql \\copy of the same rows (floor)",
                    time: floor.unwrap(),
                });
            }
        }
        println!();
        println!("| database | operation | median of {RUNS} | rows/s | × \\copy |");
        println!("|---|---|---:|---:|---:|");
        for f in &figures {
            let ms = f.time.as_secs_f64() * 1000.0;
            let rate = f64::from(ROWS) / f.time.as_secs_f64();
            let ratio = floor
                .map(|fl| format!("{:.1}", f.time.as_secs_f64() / fl.as_secs_f64()))
                .unwrap_or_else(|| "–".into());
            println!(
                "| {} | {} | {ms:.0} ms | {rate:.0} | {ratio} |",
                f.database, f.operation
            );
        }
    });
}
