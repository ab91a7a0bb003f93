//! Benchmark: does a flood of public survey submissions slow everyone else down? While N
//! concurrent clients post `POST /public/surveys/{unit_code}/responses` as fast as they can, the
//! harness measures the p50/p99 latency of other endpoints (`GET /units`, `GET /skps/{id}`)
//! against the same endpoints without the flood, on SQLite and PostgreSQL.
//!
//! Two floods: "accepted" comes from many simulated addresses (X-Forwarded-For behind a trusted
//! proxy, each address under the limit), so every submission is validated and written;
//! "one address" comes from a single client, so after 30 submissions the rate limit answers 429
//! (one counter upsert per request). Run with `bench/run` (or
//! `cargo bench -p kinerja-tests --bench survey_flood`); PostgreSQL figures need
//! `KINERJA_TEST_DATABASE_URL`. Prints a Markdown table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kinerja_persistence::repos::skm::{self, ServiceRecord};
use kinerja_tests::{Backend, TestApp, backends, test_nip};
use serde_json::json;

/// Concurrent flooding clients.
const CLIENTS: usize = 16;
/// Probes of each endpoint per scenario (sequential, alternating).
const PROBES: usize = 1000;
const UNIT: &str = "BENCH.LAYANAN";

/// Submissions a second in the paced scenario: a busy morning city-wide, far beyond what the
/// counters of one city see (all its service units together).
const PACED_PER_SECOND: u64 = 200;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flood {
    None,
    /// Every request from its own address, paced to `PACED_PER_SECOND` in all.
    Paced,
    /// Every request from its own address, as fast as the clients can: all accepted and written.
    Accepted,
    /// Every request from one address: all but the first 30 refused with 429.
    OneAddress,
}

impl Flood {
    fn name(self) -> &'static str {
        match self {
            Flood::None => "none",
            Flood::Paced => "accepted, paced to 200/s",
            Flood::Accepted => "accepted, as fast as possible",
            Flood::OneAddress => "one address, as fast as possible (429s)",
        }
    }
}

struct Setup {
    token: String,
    skp: String,
}

async fn setup(app: &TestApp) -> Setup {
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = admin.access_token.clone();
    let cycle = app
        .post_as("/api/v1/cycles", &a, &json!({"year": 2026}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let opd = app.create_unit(&a, "BENCH", "dinas", None, true).await;
    for i in 0..20 {
        app.create_unit(&a, &format!("BENCH.B{i}"), "bidang", Some(opd), false)
            .await;
    }
    let created = app
        .post_as(
            "/api/v1/units",
            &a,
            &json!({"code": UNIT, "name": "Layanan Terpadu", "kind": "upt", "parent_id": opd, "is_service_unit": true}),
        )
        .await;
    created.assert_status(201);
    let now = app.clock_now();
    skm::insert_service(
        &app.db,
        &ServiceRecord {
            id: uuid::Uuid::now_v7(),
            unit_id: created.json()["id"].as_str().unwrap().parse().unwrap(),
            code: "KTP".into(),
            name: "KTP-el".into(),
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap();
    let head = app
        .create_employee(&a, &test_nip(1), "Kepala Dinas", opd, None)
        .await;
    let skp = app
        .post_as(
            "/api/v1/skps",
            &a,
            &json!({"cycle_id": cycle, "employee_id": head}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_as(
        &format!("/api/v1/skps/{skp}/rhk"),
        &a,
        &json!({"kind": "tambahan", "description": "Pelayanan KTP-el tepat waktu",
                "indicators": [{"description": "KTP-el terbit", "aspect": "waktu", "direction": "higher_is_better", "target": 95, "unit": "persen"}]}),
    )
    .await
    .assert_status(201);
    Setup { token: a, skp }
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

struct Probe {
    name: &'static str,
    p50: Duration,
    p99: Duration,
}

/// Probes the endpoints one request at a time, alternating.
async fn probe(app: &TestApp, setup: &Setup) -> Vec<Probe> {
    let paths = [
        ("GET /units", "/api/v1/units?per_page=50".to_owned()),
        ("GET /skps/{id}", format!("/api/v1/skps/{}", setup.skp)),
    ];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(PROBES); paths.len()];
    for _ in 0..PROBES {
        for (i, (_, path)) in paths.iter().enumerate() {
            let started = Instant::now();
            let response = app
                .client
                .get(app.url(path))
                .bearer_auth(&setup.token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.bytes().await.unwrap();
            samples[i].push(started.elapsed());
        }
    }
    paths
        .iter()
        .zip(samples)
        .map(|((name, _), mut s)| {
            s.sort();
            Probe {
                name,
                p50: percentile(&s, 50),
                p99: percentile(&s, 99),
            }
        })
        .collect()
}

struct FloodStats {
    accepted: u64,
    limited: u64,
    other: u64,
    elapsed: Duration,
}

/// Starts the flood; stops it and returns its counts when `stop` is set.
fn start_flood(
    app: &TestApp,
    flood: Flood,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<FloodStats> {
    let client = app.client.clone();
    let url = app.url(&format!("/api/v1/public/surveys/{UNIT}/responses"));
    tokio::spawn(async move {
        let started = Instant::now();
        let serial = Arc::new(AtomicU64::new(0));
        let counts = Arc::new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)]);
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            let (client, url, stop, serial, counts) = (
                client.clone(),
                url.clone(),
                stop.clone(),
                serial.clone(),
                counts.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let body = json!({
                    "service": "KTP",
                    "answers": {"u1": 4, "u2": 3, "u3": 3, "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u8": 2, "u9": 3},
                    "gender": "p", "age": "u26_35", "comment": "Pelayanan cepat.",
                });
                // Paced clients each send one request per CLIENTS/PACED_PER_SECOND seconds.
                let mut pace = (flood == Flood::Paced).then(|| {
                    let mut interval = tokio::time::interval(Duration::from_micros(
                        1_000_000 * CLIENTS as u64 / PACED_PER_SECOND,
                    ));
                    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    interval
                });
                while !stop.load(Ordering::Relaxed) {
                    if let Some(pace) = pace.as_mut() {
                        pace.tick().await;
                    }
                    let n = serial.fetch_add(1, Ordering::Relaxed);
                    // 198.18.0.0/15 is set aside for benchmarks: 131,072 distinct clients.
                    let address = match flood {
                        Flood::OneAddress => "198.18.0.1".to_owned(),
                        _ => format!("198.{}.{}.{}", 18 + (n >> 16) % 2, (n >> 8) % 256, n % 256),
                    };
                    let status = client
                        .post(&url)
                        .header("X-Forwarded-For", address)
                        .json(&body)
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    let slot = match status {
                        201 => 0,
                        429 => 1,
                        _ => 2,
                    };
                    counts[slot].fetch_add(1, Ordering::Relaxed);
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        FloodStats {
            accepted: counts[0].load(Ordering::Relaxed),
            limited: counts[1].load(Ordering::Relaxed),
            other: counts[2].load(Ordering::Relaxed),
            elapsed: started.elapsed(),
        }
    })
}

struct Line {
    database: &'static str,
    flood: Flood,
    probe: Probe,
    quiet_p99: Duration,
    rate: String,
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut lines: Vec<Line> = Vec::new();
        for backend in backends() {
            let database = match backend {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            for flood in [Flood::None, Flood::Paced, Flood::Accepted, Flood::OneAddress] {
                // A fresh app per scenario: earlier floods' rows do not weigh on the next.
                let app = TestApp::spawn_with(backend, |c| {
                    c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
                })
                .await;
                let setup = setup(&app).await;
                // Warm-up: connections, caches.
                let _ = probe_warm(&app, &setup).await;
                let stop = Arc::new(AtomicBool::new(false));
                let handle = (flood != Flood::None).then(|| start_flood(&app, flood, stop.clone()));
                if handle.is_some() {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                let probes = probe(&app, &setup).await;
                stop.store(true, Ordering::Relaxed);
                let rate = match handle {
                    None => "–".to_owned(),
                    Some(h) => {
                        let s = h.await.unwrap();
                        let secs = s.elapsed.as_secs_f64();
                        format!(
                            "{:.0} / {:.0} / {}",
                            s.accepted as f64 / secs,
                            s.limited as f64 / secs,
                            s.other
                        )
                    }
                };
                for p in probes {
                    let quiet_p99 = lines
                        .iter()
                        .find(|l| {
                            l.database == database && l.flood == Flood::None && l.probe.name == p.name
                        })
                        .map(|l| l.probe.p99)
                        .unwrap_or(p.p99);
                    lines.push(Line {
                        database,
                        flood,
                        probe: p,
                        quiet_p99,
                        rate: rate.clone(),
                    });
                }
            }
        }
        println!();
        println!(
            "| database | flood ({CLIENTS} clients) | endpoint | p50 | p99 | p99 ÷ quiet p99 | flood: 201/s / 429/s / errors |"
        );
        println!("|---|---|---|---:|---:|---:|---:|");
        for l in &lines {
            println!(
                "| {} | {} | {} | {} | {} | {:.1} | {} |",
                l.database,
                l.flood.name(),
                l.probe.name,
                ms(l.probe.p50),
                ms(l.probe.p99),
                l.probe.p99.as_secs_f64() / l.quiet_p99.as_secs_f64(),
                l.rate
            );
        }
    });
}

/// A few requests of each probe, not measured.
async fn probe_warm(app: &TestApp, setup: &Setup) -> usize {
    let mut n = 0;
    for _ in 0..20 {
        for path in [
            "/api/v1/units?per_page=50".to_owned(),
            format!("/api/v1/skps/{}", setup.skp),
        ] {
            let response = app.get_as(&path, &setup.token).await;
            assert_eq!(response.status, 200, "{}", response.text());
            n += 1;
        }
    }
    n
}
