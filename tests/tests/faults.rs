//! The database failing under a running app, on loopback only (the shared PostgreSQL is never
//! touched): cut off through a TCP proxy the test controls — refused, or a hung network that
//! forwards nothing — the app answers 503 with retry advice in bounded time and keeps living,
//! and recovers by itself once the database is back; a SQLite file locked by another writer
//! refuses writes with 503, keeps serving reads and is not corrupted; a pool exhausted by a stuck
//! write (`KINERJA_DATABASE_POOL_SIZE`) answers others 503 at the acquire timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kinerja_tests::proxy::{Mode, Proxy, upstream_of};
use kinerja_tests::{Backend, TestApp, TestResponse, backends};
use reqwest::Method;
use sea_orm::sqlx::{Connection, PgConnection, SqliteConnection};
use serde_json::json;

/// Every answer during an outage comes within this (the app's own deadlines are below it).
const BOUND: Duration = Duration::from_secs(10);

/// Sends and times a request; a request that outlives the bound by far is a hang.
async fn timed(app: &TestApp, request: reqwest::RequestBuilder) -> (TestResponse, Duration) {
    let started = Instant::now();
    let response = tokio::time::timeout(BOUND * 3, app.send(request))
        .await
        .expect("the app hung: no answer at all");
    (response, started.elapsed())
}

/// Asserts a timely 503 `database_unavailable` with retry advice.
#[track_caller]
fn unavailable((response, took): &(TestResponse, Duration), what: &str) {
    response.assert_problem(503, "database_unavailable");
    assert!(
        response.header("retry-after").is_some(),
        "{what}: a 503 advises when to retry"
    );
    assert!(took < &BOUND, "{what} took {took:?}");
    eprintln!("{what}: 503 after {took:?}");
}

fn unit(code: &str) -> serde_json::Value {
    json!({"code": code, "name": format!("Unit {code}"), "kind": "dinas", "is_opd": true})
}

async fn unit_total(app: &TestApp, token: &str) -> u64 {
    let list = app.get_as("/api/v1/units", token).await;
    list.assert_status(200);
    list.json()["total"].as_u64().unwrap()
}

/// A long maintenance transaction holding the units table against writers (readers pass);
/// `ROLLBACK` on the connection ends it.
async fn lock_units(app: &TestApp) -> PgConnection {
    let mut maintenance = PgConnection::connect(app.database_url()).await.unwrap();
    sea_orm::sqlx::query("BEGIN")
        .execute(&mut maintenance)
        .await
        .unwrap();
    sea_orm::sqlx::query("LOCK TABLE units IN EXCLUSIVE MODE")
        .execute(&mut maintenance)
        .await
        .unwrap();
    maintenance
}

/// Polls `/ready` until it answers 200; panics after `within`.
async fn ready_again(app: &TestApp, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let ready = app.get("/ready").await;
        if ready.status == 200 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "not ready again after {within:?}: {}",
            ready.text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_database_cut_off_or_hung_answers_503_in_bounded_time_and_the_process_recovers() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("PostgreSQL only: KINERJA_TEST_DATABASE_URL is not set");
        return;
    }
    let admin_url = std::env::var("KINERJA_TEST_DATABASE_URL").unwrap();
    let proxy = Proxy::start(&upstream_of(&admin_url)).await;
    let app = TestApp::spawn_through(
        Backend::Postgres,
        |url| proxy.route(url),
        |config| config.database_acquire_timeout = Duration::from_secs(2),
    )
    .await;
    assert!(app.database_url().contains(&format!(":{}/", proxy.port())));
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = &admin.access_token;
    app.get("/ready").await.assert_status(200);
    let mut units = unit_total(&app, a).await;

    for (round, broken) in [Mode::Refuse, Mode::Blackhole, Mode::Refuse]
        .into_iter()
        .enumerate()
    {
        eprintln!("--- {broken:?}");
        proxy.set(broken);
        unavailable(
            &timed(&app, app.request(Method::GET, "/ready")).await,
            "/ready",
        );
        unavailable(
            &timed(&app, app.authed(Method::GET, "/api/v1/employees", a)).await,
            "a read",
        );
        let code = format!("CUT{round}");
        unavailable(
            &timed(
                &app,
                app.authed(Method::POST, "/api/v1/units", a)
                    .json(&unit(&code)),
            )
            .await,
            "a write",
        );
        // The process is alive and says so without the database.
        let (health, took) = timed(&app, app.request(Method::GET, "/health")).await;
        health.assert_status(200);
        assert!(took < Duration::from_secs(1), "/health took {took:?}");

        // Back: the same process recovers by itself.
        proxy.set(Mode::Open);
        let took = ready_again(&app, BOUND).await;
        eprintln!("ready again after {took:?}");
        // The write that failed left nothing; written again it works.
        assert_eq!(unit_total(&app, a).await, units);
        let created = app.post_as("/api/v1/units", a, &unit(&code)).await;
        created.assert_status(201);
        units += 1;
        assert_eq!(unit_total(&app, a).await, units);
    }
}

#[tokio::test]
async fn a_write_caught_mid_query_by_a_hung_network_answers_503_at_the_deadline_and_rolls_back() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("PostgreSQL only: KINERJA_TEST_DATABASE_URL is not set");
        return;
    }
    let admin_url = std::env::var("KINERJA_TEST_DATABASE_URL").unwrap();
    let upstream = upstream_of(&admin_url);
    let proxy = Proxy::start(&upstream).await;
    let deadline = Duration::from_secs(3);
    let app = TestApp::spawn_through(
        Backend::Postgres,
        |url| proxy.route(url),
        |config| {
            config.database_acquire_timeout = Duration::from_secs(2);
            config.request_timeout = deadline;
        },
    )
    .await;
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = &admin.access_token;
    let unit = app.create_unit(a, "DISPORA", "dinas", None, true).await;
    let id = app
        .create_employee(a, &kinerja_tests::test_nip(7), "Yusuf Harahap", unit, None)
        .await;
    let path = format!("/api/v1/employees/{id}");

    // Another session (straight to PostgreSQL, not through the proxy) locks the employee's row,
    // so the app's UPDATE is surely in flight when the network hangs.
    let direct_url =
        app.database_url()
            .replacen(&format!("127.0.0.1:{}", proxy.port()), &upstream, 1);
    let database = direct_url.rsplit('/').next().unwrap().to_owned();
    let mut locker = PgConnection::connect(&direct_url).await.unwrap();
    sea_orm::sqlx::query("BEGIN")
        .execute(&mut locker)
        .await
        .unwrap();
    sea_orm::sqlx::query("SELECT id FROM employees WHERE id = $1::uuid FOR UPDATE")
        .bind(id.to_string())
        .execute(&mut locker)
        .await
        .unwrap();
    let mut watcher = PgConnection::connect(&direct_url).await.unwrap();

    let edit = timed(
        &app,
        app.authed(Method::PATCH, &path, a)
            .header("If-Match", "\"1\"")
            .json(&json!({"name": "Yusuf Harahap, S.Kom."})),
    );
    let hang = async {
        let started = Instant::now();
        loop {
            let (waiting,): (i64,) = sea_orm::sqlx::query_as(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
            )
            .bind(&database)
            .fetch_one(&mut watcher)
            .await
            .unwrap();
            if waiting > 0 {
                break;
            }
            assert!(
                started.elapsed() < BOUND,
                "the app's UPDATE never waited for the lock"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // The network hangs; then the lock goes, and PostgreSQL's answer is lost in the hang.
        proxy.set(Mode::Blackhole);
        sea_orm::sqlx::query("ROLLBACK")
            .execute(&mut locker)
            .await
            .unwrap();
    };
    let (edited, ()) = tokio::join!(edit, hang);
    unavailable(&edited, "a write caught mid-query");
    assert!(
        edited.1 >= deadline,
        "answered before the deadline: {:?}",
        edited.1
    );

    proxy.set(Mode::Open);
    let took = ready_again(&app, BOUND).await;
    eprintln!("ready again after {took:?}");
    // The abandoned transaction was rolled back: the employee is as before, and can be edited.
    let stored = app.get_as(&path, a).await;
    stored.assert_status(200);
    assert_eq!(stored.json()["name"], "Yusuf Harahap");
    assert_eq!(stored.json()["version"], 1);
    let (edited, took) = timed(
        &app,
        app.authed(Method::PATCH, &path, a)
            .header("If-Match", "\"1\"")
            .json(&json!({"name": "Yusuf Harahap, S.Kom."})),
    )
    .await;
    edited.assert_status(200);
    assert!(took < BOUND, "the edit after recovery took {took:?}");
    assert_eq!(edited.json()["version"], 2);
    let events = app
        .get_as(
            &format!("/api/v1/audit-events?entity_id={id}&action=employee.updated"),
            a,
        )
        .await
        .json();
    assert_eq!(
        events["total"], 1,
        "only the second edit happened: {events}"
    );
}

#[tokio::test]
async fn a_write_stuck_past_the_deadline_is_abandoned_and_its_idempotency_key_freed_for_the_retry()
{
    if !backends().contains(&Backend::Postgres) {
        eprintln!("PostgreSQL only: KINERJA_TEST_DATABASE_URL is not set");
        return;
    }
    let deadline = Duration::from_secs(2);
    let app = TestApp::spawn_with(Backend::Postgres, |config| {
        config.request_timeout = deadline;
    })
    .await;
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = &admin.access_token;
    let units = unit_total(&app, a).await;

    // A long maintenance transaction holds the units table against writers (readers pass).
    let mut maintenance = lock_units(&app).await;
    let create = || {
        app.authed(Method::POST, "/api/v1/units", a)
            .header("Idempotency-Key", "create-dinsos")
            .header("Origin", "http://portal.test")
            .json(&unit("DINSOS"))
    };
    let stuck = timed(&app, create()).await;
    unavailable(&stuck, "a write past the deadline");
    assert_eq!(
        stuck.0.json()["detail"],
        "The database did not answer within 2 s; nothing was changed."
    );
    // A portal in a browser can read the problem: the CORS headers are there too.
    assert_eq!(
        stuck.0.header("access-control-allow-origin"),
        Some("http://portal.test")
    );
    assert!(
        stuck.1 >= deadline,
        "answered before the deadline: {:?}",
        stuck.1
    );
    assert_eq!(unit_total(&app, a).await, units);

    sea_orm::sqlx::query("ROLLBACK")
        .execute(&mut maintenance)
        .await
        .unwrap();
    maintenance.close().await.unwrap();
    // The retry under the same key is a real attempt (not 409 in flight, not a replayed 503),
    // and the abandoned attempt left nothing behind (no duplicate code).
    let (retried, took) = timed(&app, create()).await;
    retried.assert_status(201);
    assert_eq!(retried.header("idempotency-replayed"), None);
    assert!(took < BOUND, "the retry took {took:?}");
    assert_eq!(unit_total(&app, a).await, units + 1);
    let id = retried.json()["id"].as_str().unwrap().to_owned();
    let events = app
        .get_as(
            &format!("/api/v1/audit-events?action=unit.created&entity_id={id}"),
            a,
        )
        .await
        .json();
    assert_eq!(events["total"], 1);
    let again = timed(&app, create()).await.0;
    again.assert_status(201);
    assert_eq!(again.header("idempotency-replayed"), Some("true"));
}

#[tokio::test]
async fn a_pool_exhausted_by_a_stuck_write_answers_others_503_at_the_acquire_timeout() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("PostgreSQL only: KINERJA_TEST_DATABASE_URL is not set");
        return;
    }
    // KINERJA_DATABASE_POOL_SIZE=1: one stuck write holds the only connection.
    let app = TestApp::spawn_with(Backend::Postgres, |config| {
        config.database_pool_size = Some(1);
        config.database_acquire_timeout = Duration::from_secs(1);
    })
    .await;
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = &admin.access_token;
    let units = unit_total(&app, a).await;
    let mut maintenance = lock_units(&app).await;
    let write = timed(
        &app,
        app.authed(Method::POST, "/api/v1/units", a)
            .json(&unit("DINSOS")),
    );
    let read = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let read = timed(&app, app.authed(Method::GET, "/api/v1/units", a)).await;
        // The write goes on once the lock is gone.
        sea_orm::sqlx::query("ROLLBACK")
            .execute(&mut maintenance)
            .await
            .unwrap();
        read
    };
    let ((written, _), read) = tokio::join!(write, read);
    unavailable(&read, "a read with the only connection taken");
    assert!(
        read.1 >= Duration::from_secs(1),
        "answered before the acquire timeout: {:?}",
        read.1
    );
    written.assert_status(201);
    assert_eq!(unit_total(&app, a).await, units + 1);
    maintenance.close().await.unwrap();
}

#[tokio::test]
async fn a_sqlite_file_locked_by_another_writer_refuses_writes_with_503_and_stays_sound() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = &admin.access_token;
    let bappeda = app.create_unit(a, "BAPPEDA", "badan", None, true).await;
    let units = unit_total(&app, a).await;

    // Another process's writer holds the write lock, halfway through a change of its own.
    let mut other = SqliteConnection::connect(app.database_url())
        .await
        .expect("open the same SQLite file");
    sea_orm::sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    sea_orm::sqlx::query("UPDATE units SET name = 'Setengah jadi' WHERE code = 'BAPPEDA'")
        .execute(&mut other)
        .await
        .unwrap();

    let write = timed(
        &app,
        app.authed(Method::POST, "/api/v1/units", a)
            .json(&unit("DINSOS")),
    )
    .await;
    unavailable(&write, "a write while locked");
    assert!(
        write.1 >= Duration::from_secs(4),
        "the writer waited for the lock (busy timeout) first: {:?}",
        write.1
    );
    // Readers are not blocked by a writer (WAL), and see only committed data.
    let (read, took) = timed(&app, app.authed(Method::GET, "/api/v1/units", a)).await;
    read.assert_status(200);
    assert!(took < Duration::from_secs(2), "a read took {took:?}");
    assert_eq!(read.json()["total"], units);
    let one = app.get_as(&format!("/api/v1/units/{bappeda}"), a).await;
    assert_eq!(one.json()["name"], "Unit BAPPEDA");

    // The other writer gives up; the same write then goes through.
    sea_orm::sqlx::query("ROLLBACK")
        .execute(&mut other)
        .await
        .unwrap();
    let (created, _) = timed(
        &app,
        app.authed(Method::POST, "/api/v1/units", a)
            .json(&unit("DINSOS")),
    )
    .await;
    created.assert_status(201);
    assert_eq!(unit_total(&app, a).await, units + 1);
    let one = app.get_as(&format!("/api/v1/units/{bappeda}"), a).await;
    assert_eq!(one.json()["name"], "Unit BAPPEDA");

    let (integrity,): (String,) = sea_orm::sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut other)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    other.close().await.unwrap();
}

/// `bytes` in `parts` chunks, `gap` apart: a client on a slow line.
fn trickle(bytes: Vec<u8>, parts: usize, gap: Duration) -> reqwest::Body {
    let size = bytes.len().div_ceil(parts);
    let pieces: Vec<Vec<u8>> = bytes.chunks(size).map(<[u8]>::to_vec).collect();
    reqwest::Body::wrap_stream(futures_util::stream::unfold(
        (pieces.into_iter(), true),
        move |(mut rest, first)| async move {
            let piece = rest.next()?;
            if !first {
                tokio::time::sleep(gap).await;
            }
            Some((Ok::<_, std::io::Error>(piece), (rest, false)))
        },
    ))
}

/// Sends the start of a request whose body never finishes; what the server answers (or `""`).
async fn stalled(app: &TestApp, head: String) -> String {
    let address = app.address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        let mut buffer = [0u8; 8192];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
                // Nothing yet: wait up to the bound; once an answer came, it is complete.
                Err(_) if answer.is_empty() && started.elapsed() < BOUND => {}
                Err(_) => break,
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_slow_upload_has_the_whole_deadline_after_its_last_byte_and_a_stalled_one_is_408() {
    let deadline = Duration::from_secs(2);
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.request_timeout = deadline;
    })
    .await;
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = &admin.access_token;

    // A 100-row import arriving over 4 s on a slow line: the deadline waits for the upload.
    let mut csv = String::from("code,name,kind,parent_code,is_opd,is_service_unit\n");
    for n in 0..100 {
        csv.push_str(&format!("DINAS{n},Dinas {n},dinas,,true,false\n"));
    }
    let started = Instant::now();
    let imported = app
        .send(
            app.authed(Method::POST, "/api/v1/imports/units", a)
                .header("Content-Type", "text/csv")
                .body(trickle(csv.into_bytes(), 9, Duration::from_millis(500))),
        )
        .await;
    imported.assert_status(200);
    assert!(started.elapsed() > deadline, "{:?}", started.elapsed());
    assert_eq!(imported.json()["created"], 100, "{}", imported.text());

    // A JSON body as slow, with an Idempotency-Key (read before the deadline starts) and without.
    for (code, key) in [("DINSOS", None), ("DISHUB", Some("slow-dishub"))] {
        let body = serde_json::to_vec(&unit(code)).unwrap();
        let mut request = app
            .authed(Method::POST, "/api/v1/units", a)
            .header("Content-Type", "application/json")
            .body(trickle(body, 6, Duration::from_millis(500)));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        app.send(request).await.assert_status(201);
    }
    assert_eq!(unit_total(&app, a).await, 102);

    // A body that stops arriving is 408 `body_timeout` once nothing came for the deadline's
    // length, keyed or not; nothing is written and the key stays free.
    let host = app.address.trim_start_matches("http://");
    for key in ["", "Idempotency-Key: stalled-import\r\n"] {
        let started = Instant::now();
        let answer = stalled(
            &app,
            format!(
                "POST /api/v1/imports/units HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {a}\r\n\
                 {key}Content-Type: text/csv\r\nContent-Length: 1000\r\n\r\n\
                 code,name,kind,parent_code,is_opd,is_service_unit\nDINKES,Dinas"
            ),
        )
        .await;
        let took = started.elapsed();
        assert!(answer.starts_with("HTTP/1.1 408"), "{key:?}: {answer:?}");
        assert!(answer.contains("\"code\":\"body_timeout\""), "{answer}");
        assert!(took >= deadline && took < BOUND, "{key:?}: {took:?}");
    }
    assert_eq!(unit_total(&app, a).await, 102);
    let retried = app
        .send(
            app.authed(Method::POST, "/api/v1/imports/units", a)
                .header("Idempotency-Key", "stalled-import")
                .header("Content-Type", "text/csv")
                .body("code,name,kind,parent_code,is_opd,is_service_unit\nDINKES,Dinas Kesehatan,dinas,,true,false\n"),
        )
        .await;
    retried.assert_status(200);
    assert_eq!(retried.header("idempotency-replayed"), None);
    assert_eq!(unit_total(&app, a).await, 103);
}
