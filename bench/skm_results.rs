//! Benchmark: `GET /skm/results` for a service unit with 1,000,000 stored responses, on
//! PostgreSQL and SQLite, beside the database's own floor — the same aggregate (a count and nine
//! sums over the unit's responses of the year) as one plain SQL query on the same connection pool.
//!
//! Run with `bench/run` (or `cargo bench -p kinerja-tests --bench skm_results`); PostgreSQL
//! figures need `KINERJA_TEST_DATABASE_URL` (the script sets the local default). The responses
//! are generated inside the database (one seed row stored through the repository, then an
//! `INSERT … SELECT` over a generated series), so seeding is not what is measured.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use kinerja_domain::skm::Answer;
use kinerja_persistence::repos::skm::{Channel, ResponseRecord, insert_responses};
use kinerja_tests::{Backend, TestApp, backends};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

const RESPONSES: i64 = 1_000_000;
const RUNS: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// A service unit with one service and `RESPONSES` responses spread over 2026.
async fn seeded(backend: Backend) -> (TestApp, String, String) {
    let app = TestApp::spawn(backend).await;
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let token = admin.access_token.clone();
    let unit = app
        .create_unit(&token, "BENCH.KTP", "upt", None, false)
        .await;
    app.patch_as(
        &format!("/api/v1/units/{unit}"),
        &token,
        Some("*"),
        &json!({"is_service_unit": true}),
    )
    .await
    .assert_status(200);
    let service = app
        .post_as(
            &format!("/api/v1/units/{unit}/services"),
            &token,
            &json!({"code": "KTP-EL", "name": "KTP-el"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let seed = ResponseRecord {
        id: uuid::Uuid::now_v7(),
        unit_id: unit,
        service_id: service,
        responded_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        answers: [3; 9].map(|a| Answer::new(a).unwrap()),
        gender: None,
        age: None,
        education: None,
        occupation: None,
        comment: None,
        channel: Channel::Kiosk,
        created_at: app.clock_now(),
    };
    insert_responses(&app.db, &[seed]).await.unwrap();
    // Answers cycle through 1..4 at different strides so the sums are not trivial.
    let answers = (1..=9)
        .map(|k| format!("1 + ((g * {}) % 4)", 2 * k + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let columns = "id, unit_id, service_id, responded_on, u1, u2, u3, u4, u5, u6, u7, u8, u9, channel, created_at";
    let sql = match backend {
        Backend::Postgres => format!(
            "INSERT INTO survey_responses ({columns}) SELECT gen_random_uuid(), s.unit_id, s.service_id, \
             s.responded_on + (g % 365), {answers}, s.channel, s.created_at \
             FROM survey_responses s CROSS JOIN generate_series(1, {}) AS g",
            RESPONSES - 1
        ),
        Backend::Sqlite => format!(
            "WITH RECURSIVE series(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM series WHERE g < {}) \
             INSERT INTO survey_responses ({columns}) SELECT randomblob(16), s.unit_id, s.service_id, \
             date(s.responded_on, '+' || (g % 365) || ' days'), {answers}, s.channel, s.created_at \
             FROM survey_responses s CROSS JOIN series",
            RESPONSES - 1
        ),
    };
    app.db.connection().execute_unprepared(&sql).await.unwrap();
    if backend == Backend::Postgres {
        app.db
            .connection()
            .execute_unprepared("ANALYZE survey_responses")
            .await
            .unwrap();
    }
    (app, token, unit.to_string())
}

/// The same aggregate as one plain SQL query.
async fn floor(app: &TestApp, backend: Backend, unit: &str) -> Duration {
    let (db_backend, unit_literal) = match backend {
        Backend::Postgres => (DbBackend::Postgres, format!("'{unit}'")),
        Backend::Sqlite => (DbBackend::Sqlite, format!("X'{}'", unit.replace('-', ""))),
    };
    let sums = (1..=9)
        .map(|k| format!("SUM(u{k})"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT COUNT(*), {sums} FROM survey_responses WHERE unit_id = {unit_literal} \
         AND responded_on >= '2026-01-01' AND responded_on <= '2026-12-31'"
    );
    let started = Instant::now();
    let row = app
        .db
        .connection()
        .query_one_raw(Statement::from_string(db_backend, sql))
        .await
        .unwrap()
        .unwrap();
    let elapsed = started.elapsed();
    let n: i64 = row.try_get_by_index(0).unwrap();
    assert_eq!(n, RESPONSES, "the floor counts every response");
    elapsed
}

fn main() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!();
        println!("| database | operation | median of {RUNS} | × plain SQL |");
        println!("|---|---|---:|---:|");
        for backend in backends() {
            let name = match backend {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            let started = Instant::now();
            let (app, token, unit) = seeded(backend).await;
            eprintln!("{name}: seeded {RESPONSES} responses in {:.1} s", started.elapsed().as_secs_f64());
            let url = format!("/api/v1/skm/results?unit_id={unit}&from=2026-01-01&to=2026-12-31");
            // One warm-up each, then the runs.
            app.get_as(&url, &token).await.assert_status(200);
            floor(&app, backend, &unit).await;
            let mut api = Vec::new();
            let mut sql = Vec::new();
            for _ in 0..RUNS {
                let started = Instant::now();
                let response = app.get_as(&url, &token).await;
                api.push(started.elapsed());
                response.assert_status(200);
                assert_eq!(response.json()["respondents"], RESPONSES);
                sql.push(floor(&app, backend, &unit).await);
            }
            let (api, sql) = (median(api), median(sql));
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "| {name} | `GET /skm/results`, one unit, a year, 1,000,000 responses (+ the previous year) | {:.0} ms | {:.2} |",
                ms(api),
                api.as_secs_f64() / sql.as_secs_f64()
            );
            println!("| {name} | plain SQL: COUNT and nine SUMs over the same rows (floor) | {:.0} ms | 1.00 |", ms(sql));
        }
    });
}
