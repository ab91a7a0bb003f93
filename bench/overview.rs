//! Benchmark: `GET /reports/overview?cycle_id=` (the progress of a cycle per OPD) on the demo
//! city (`kinerja_api::demo::seed`: 1,500 employees, 30+ OPDs), median and p95 over `RUNS`
//! sequential requests after one warm-up, on SQLite (and PostgreSQL when configured). The target
//! is under 200 ms on SQLite.
//!
//! Run with `cargo bench -p kinerja-tests --bench overview` (part of `bench/run`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kinerja_tests::{Backend, TestApp, backends};

const RUNS: usize = 30;

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    println!();
    println!("| database | operation | median of {RUNS} | p95 |");
    println!("|---|---|---:|---:|");
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let summary = kinerja_api::demo::seed(&app.db, kinerja_api::demo::default_as_of())
            .await
            .unwrap();
        let admin = app.token("admin", "demo-admin-2026").await.json()["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let cycles = app.get_as("/api/v1/cycles", &admin).await.json();
        let cycle = cycles["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["year"] == summary.cycle_year)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let url = format!("/api/v1/reports/overview?cycle_id={cycle}");
        let warm = app.get_as(&url, &admin).await;
        warm.assert_status(200);
        let opds = warm.json()["opds"].as_array().unwrap().len();
        let mut samples = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            app.get_as(&url, &admin).await.assert_status(200);
            samples.push(started.elapsed());
        }
        samples.sort();
        let name = match backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        };
        println!(
            "| {name} | GET /reports/overview, demo city ({} employees, {opds} OPDs) | {:.1} ms | {:.1} ms |",
            summary.employees,
            quantile(&samples, 0.5).as_secs_f64() * 1000.0,
            quantile(&samples, 0.95).as_secs_f64() * 1000.0,
        );
    }
}
