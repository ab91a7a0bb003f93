//! Scale-out: two `kinerja serve` processes on one PostgreSQL, as replicas behind a load
//! balancer, share everything that matters through the database: tokens, idempotency keys, login
//! throttling and the order of the events feed. Reports read from `KINERJA_DATABASE_READ_URL`,
//! and never write there: a read-only replica that lags behind the primary still answers them.
//!
//! PostgreSQL only (SQLite is one process's embedded database): skipped without
//! `KINERJA_TEST_DATABASE_URL`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use kinerja_tests::process::ServerProcess;
use kinerja_tests::{Backend, TestDb, TestResponse, backends, test_nip};
use reqwest::Method;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_kinerja-served");

/// A fresh PostgreSQL database, or `None` (and a note) when the tests run on SQLite only.
async fn postgres_database() -> Option<TestDb> {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("scale-out tests need PostgreSQL (KINERJA_TEST_DATABASE_URL): skipped");
        return None;
    }
    Some(TestDb::create(Backend::Postgres).await)
}

/// Two replicas on one database (the second starts once the first has migrated and made the
/// administrator).
async fn two_replicas(database: &TestDb) -> (ServerProcess, ServerProcess) {
    let a = ServerProcess::start(BIN, database.url(), &[]).await;
    let b = ServerProcess::start(BIN, database.url(), &[]).await;
    (a, b)
}

async fn post_keyed(server: &ServerProcess, token: &str, key: &str, body: &Value) -> TestResponse {
    server
        .send(
            server
                .authed(Method::POST, "/api/v1/units", token)
                .header("Idempotency-Key", key)
                .json(body),
        )
        .await
}

async fn login(server: &ServerProcess, username: &str, password: &str) -> TestResponse {
    server.token(username, password).await
}

#[tokio::test]
async fn a_token_from_one_replica_works_on_the_other() {
    let Some(database) = postgres_database().await else {
        return;
    };
    let (a, b) = two_replicas(&database).await;
    let issued = login(&a, "admin", kinerja_tests::process::ADMIN_PASSWORD).await;
    issued.assert_status(200);
    let access = issued.json()["access_token"].as_str().unwrap().to_owned();
    let refresh = issued.json()["refresh_token"].as_str().unwrap().to_owned();

    let me = b.get_as("/api/v1/me", &access).await;
    me.assert_status(200);
    assert_eq!(me.json()["user"]["username"], "admin");

    // The refresh token rotates on the other replica, and its reuse on the first is caught.
    let rotated = b
        .send(
            b.request(Method::POST, "/api/v1/auth/refresh")
                .json(&json!({"refresh_token": refresh})),
        )
        .await;
    rotated.assert_status(200);
    a.send(
        a.request(Method::POST, "/api/v1/auth/refresh")
            .json(&json!({"refresh_token": refresh})),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn an_idempotency_key_replays_across_replicas() {
    let Some(database) = postgres_database().await else {
        return;
    };
    let (a, b) = two_replicas(&database).await;
    let token = a.admin_token().await;
    let unit = json!({"code": "DISKOMINFO", "name": "Dinas Komunikasi dan Informatika", "kind": "dinas", "is_opd": true});

    let first = post_keyed(&a, &token, "unit-diskominfo-1", &unit).await;
    first.assert_status(201);
    let replayed = post_keyed(&b, &token, "unit-diskominfo-1", &unit).await;
    replayed.assert_status(201);
    assert_eq!(replayed.header("idempotency-replayed"), Some("true"));
    assert_eq!(replayed.json(), first.json());
    assert_eq!(replayed.header("location"), first.header("location"));

    // The same key with another body is refused on either replica.
    let other = json!({"code": "DISKOMINFO2", "name": "Lain", "kind": "dinas", "is_opd": true});
    let refused = post_keyed(&b, &token, "unit-diskominfo-1", &other).await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    let units = a.get_as("/api/v1/units?per_page=100", &token).await;
    units.assert_status(200);
    assert_eq!(units.json()["total"], 1, "one unit, made once");
}

#[tokio::test]
async fn login_throttling_counts_failures_on_both_replicas() {
    let Some(database) = postgres_database().await else {
        return;
    };
    let (a, b) = two_replicas(&database).await;
    let token = a.admin_token().await;
    a.post_as(
        "/api/v1/users",
        &token,
        &json!({"username": "sari.dewi", "password": "operator-sandi-2026", "roles": ["employee"]}),
    )
    .await
    .assert_status(201);

    // Five failures from one address, spread over both replicas, lock the pair on both.
    for server in [&a, &b, &a, &b, &a] {
        login(server, "sari.dewi", "salah-sandi")
            .await
            .assert_problem(401, "invalid_credentials");
    }
    for server in [&a, &b] {
        let locked = login(server, "sari.dewi", "operator-sandi-2026").await;
        locked.assert_problem(429, "too_many_attempts");
        assert!(locked.header("retry-after").is_some());
    }
}

/// Every event after `after` (the start when `None`), page by page.
async fn drain(server: &ServerProcess, token: &str, mut after: Option<String>) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let path = match &after {
            Some(cursor) => format!("/api/v1/events?after={cursor}&limit=7"),
            None => "/api/v1/events?limit=7".to_owned(),
        };
        let page = server.get_as(&path, token).await;
        page.assert_status(200);
        let items = page.json()["items"].as_array().unwrap().clone();
        if items.is_empty() {
            return all;
        }
        after = Some(page.json()["next_cursor"].as_str().unwrap().to_owned());
        all.extend(items);
    }
}

fn cursors(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|e| e["cursor"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn the_events_feed_stays_ordered_with_writers_on_both_replicas() {
    let Some(database) = postgres_database().await else {
        return;
    };
    let (a, b) = two_replicas(&database).await;
    let token = a.admin_token().await;
    let before = drain(&a, &token, None).await;
    let start = before
        .last()
        .map(|e| e["cursor"].as_str().unwrap().to_owned());

    // 40 units made at once, half through each replica, while a reader polls the feed.
    let writes = futures_util::future::join_all((0..40).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let token = token.clone();
        async move {
            server
                .post_as(
                    "/api/v1/units",
                    &token,
                    &json!({"code": format!("U{i:02}"), "name": format!("Unit {i}"), "kind": "dinas", "is_opd": true}),
                )
                .await
                .assert_status(201);
        }
    }));
    let polled = async {
        let mut seen: Vec<Value> = Vec::new();
        let mut cursor = start.clone();
        while seen.len() < 40 {
            let more = drain(&b, &token, cursor.clone()).await;
            if let Some(last) = more.last() {
                cursor = Some(last["cursor"].as_str().unwrap().to_owned());
            }
            seen.extend(more);
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        seen
    };
    let ((), polled) = tokio::join!(
        async {
            writes.await;
        },
        polled
    );

    // The reader polling during the writes saw every event exactly once, in order, ...
    let positions = cursors(&polled);
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing: {positions:?}"
    );
    let codes: HashSet<String> = polled
        .iter()
        .filter(|e| e["type"] == "unit.created")
        .map(|e| e["data"]["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 40, "each unit once: {codes:?}");
    assert_eq!(polled.len(), 40);
    // ... and both replicas serve the same feed afterwards.
    let from_a = drain(&a, &token, start.clone()).await;
    let from_b = drain(&b, &token, start).await;
    assert_eq!(from_a, polled);
    assert_eq!(from_b, polled);
}

#[tokio::test]
async fn reports_read_from_the_read_replica() {
    let Some(database) = postgres_database().await else {
        return;
    };
    // The city as it was when the replica stopped replicating: one unit, one employee.
    let mut first = ServerProcess::start(BIN, database.url(), &[]).await;
    let token = first.admin_token().await;
    let unit = first
        .post_as(
            "/api/v1/units",
            &token,
            &json!({"code": "DISDIK", "name": "Dinas Pendidikan", "kind": "dinas", "is_opd": true}),
        )
        .await;
    unit.assert_status(201);
    let unit_id = unit.json()["id"].as_str().unwrap().to_owned();
    let employee = |nip: String, name: &str| {
        json!({"nip": nip, "name": name, "employment_type": "pns", "golongan": "III/a",
               "position": "Analis", "position_kind": "pelaksana", "unit_id": unit_id})
    };
    first
        .post_as("/api/v1/employees", &token, &employee(test_nip(1), "Ani"))
        .await
        .assert_status(201);
    first.kill();
    let replica = database.snapshot().await;

    let server = ServerProcess::start(
        BIN,
        database.url(),
        &[("KINERJA_DATABASE_READ_URL", replica.url())],
    )
    .await;
    server
        .post_as("/api/v1/employees", &token, &employee(test_nip(2), "Budi"))
        .await
        .assert_status(201);

    // Lists read the primary: both employees.
    let listed = server.get_as("/api/v1/employees?per_page=10", &token).await;
    listed.assert_status(200);
    assert_eq!(listed.json()["total"], 2);
    // The compliance report reads the replica, which has only the first.
    let report = server
        .get_as("/api/v1/reports/training-compliance?year=2026", &token)
        .await;
    report.assert_status(200);
    let body = report.json();
    let names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Ani"], "{}", report.text());

    // A replica that goes away makes the process unready and reports 503; writes still work.
    drop(replica);
    let ready = server.send(server.request(Method::GET, "/ready")).await;
    ready.assert_problem(503, "database_unavailable");
    server
        .get_as("/api/v1/reports/training-compliance?year=2026", &token)
        .await
        .assert_problem(503, "database_unavailable");
    server
        .post_as("/api/v1/employees", &token, &employee(test_nip(3), "Citra"))
        .await
        .assert_status(201);
}

#[tokio::test]
async fn reports_and_exports_never_write_to_a_read_only_replica_that_lags() {
    let Some(database) = postgres_database().await else {
        return;
    };
    // The primary as the replica last saw it: a running cycle, and an OPD made after the start,
    // whose performance records are made on its first read (none has happened).
    let mut first = ServerProcess::start(BIN, database.url(), &[]).await;
    let token = first.admin_token().await;
    let cycle = first
        .post_as("/api/v1/cycles", &token, &json!({"year": 2026}))
        .await;
    cycle.assert_status(201);
    let cycle = cycle.json()["id"].as_str().unwrap().to_owned();
    first
        .post_as(&format!("/api/v1/cycles/{cycle}/start"), &token, &json!({}))
        .await
        .assert_status(200);
    let unit = first
        .post_as(
            "/api/v1/units",
            &token,
            &json!({"code": "DISDIK", "name": "Dinas Pendidikan", "kind": "dinas", "is_opd": true}),
        )
        .await;
    unit.assert_status(201);
    let unit = unit.json()["id"].as_str().unwrap().to_owned();
    first.kill();
    let replica = database.snapshot().await;
    // Read-only as a streaming replica is: any write fails.
    let read_only = format!(
        "{}?options=-c%20default_transaction_read_only%3Don",
        replica.url()
    );

    // The server makes the new OPD's records on the primary (at start and before the
    // distribution); the replica has not caught up with them.
    let server = ServerProcess::start(
        BIN,
        database.url(),
        &[("KINERJA_DATABASE_READ_URL", read_only.as_str())],
    )
    .await;
    for path in [
        format!("/api/v1/reports/predikat-distribution?cycle_id={cycle}"),
        format!("/api/v1/reports/follow-up?cycle_id={cycle}"),
        format!("/api/v1/reports/overview?cycle_id={cycle}"),
        format!("/api/v1/reports/participation?cycle_id={cycle}"),
        format!("/api/v1/reports/participation/employees?cycle_id={cycle}&missing=skp"),
        format!("/api/v1/reports/ikm-trend?unit_id={unit}"),
        "/api/v1/reports/monthly-performance?month=2026-11".to_owned(),
        "/api/v1/reports/training-compliance?year=2026".to_owned(),
        "/api/v1/exports/annual-predikat?year=2026".to_owned(),
    ] {
        let report = server.get_as(&path, &token).await;
        assert_eq!(report.status, 200, "{path}: {}", report.text());
    }
    // The primary has the OPD's record; the distribution read on the replica showed none yet.
    let distribution = server
        .get_as(
            &format!("/api/v1/reports/predikat-distribution?cycle_id={cycle}"),
            &token,
        )
        .await
        .json();
    assert!(
        distribution["curves"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["unit_id"] != unit.as_str()),
        "{distribution}"
    );
    server
        .get_as(
            &format!("/api/v1/cycles/{cycle}/units/{unit}/performance?period=q1"),
            &token,
        )
        .await
        .assert_status(200);
}
