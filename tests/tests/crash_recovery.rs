//! A server killed with SIGKILL in the middle of a 10,000-row employee import leaves none of it,
//! and a restart on the same database serves normally: on SQLite and on PostgreSQL.
//!
//! The server is a real process (`kinerja-served`), paused by its test hook
//! (`KINERJA_TEST_PAUSE_AT`) after every row is written and audited in the import's transaction,
//! just before the commit: the worst moment to die.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kinerja_api::test_hooks::points;
use kinerja_tests::process::ServerProcess;
use kinerja_tests::{Backend, TestDb, backends, test_nip};
use reqwest::Method;

const BIN: &str = env!("CARGO_BIN_EXE_kinerja-served");
const ROWS: u32 = 10_000;
const IMPORT_KEY: &str = "nightly-simpeg-sync-2026-12-05";
/// The restarted server's request deadline (seconds): a key claimed by a request that died with
/// its process is free again this long (plus 5 s) after the claim.
const REQUEST_TIMEOUT: u64 = 10;

const UNITS: &str = "code,name,kind,parent_code,is_opd,is_service_unit\n\
    UJI,Dinas Uji Gangguan,dinas,,true,false\n\
    UJI.A,Bidang A,bidang,UJI,false,false\n";

/// One head, 99 team leads under him, about a hundred staff each (supervisors first).
fn employees_csv() -> String {
    let mut csv = String::from(
        "nip,name,employment_type,golongan,position,position_kind,unit_code,supervisor_nip,status\n",
    );
    for i in 0..ROWS {
        let (unit, supervisor, position, kind, golongan) = match i {
            0 => ("UJI", String::new(), "Kepala Dinas", "jpt", "IV/c"),
            i if i % 100 == 0 => ("UJI.A", test_nip(0), "Kepala Seksi", "pengawas", "III/d"),
            i => (
                "UJI.A",
                test_nip(i - i % 100),
                "Pengadministrasi",
                "pelaksana",
                "II/c",
            ),
        };
        csv.push_str(&format!(
            "{},Pegawai {i},pns,{golongan},{position},{kind},{unit},{supervisor},active\n",
            test_nip(i)
        ));
    }
    csv
}

async fn import(server: &ServerProcess, token: &str, path: &str, csv: String) -> reqwest::Response {
    server
        .authed(Method::POST, path, token)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("send the import")
}

async fn total(server: &ServerProcess, token: &str, path: &str) -> u64 {
    let response = server.get_as(path, token).await;
    response.assert_status(200);
    response.json()["total"].as_u64().unwrap()
}

async fn employees(server: &ServerProcess, token: &str) -> u64 {
    total(server, token, "/api/v1/employees?per_page=1").await
}

async fn import_audits(server: &ServerProcess, token: &str) -> u64 {
    total(
        server,
        token,
        "/api/v1/audit-events?action=import.employees&per_page=1",
    )
    .await
}

async fn killed_in_the_middle_of_an_import(backend: Backend) {
    let database = TestDb::create(backend).await;
    let marker =
        std::env::temp_dir().join(format!("kinerja-paused-{}", uuid::Uuid::now_v7().simple()));
    let pause_at = format!(
        "{}:{}",
        points::EMPLOYEE_IMPORT_BEFORE_COMMIT,
        marker.display()
    );
    let mut first =
        ServerProcess::start(BIN, database.url(), &[("KINERJA_TEST_PAUSE_AT", &pause_at)]).await;
    let token = first.admin_token().await;
    let units = import(&first, &token, "/api/v1/imports/units", UNITS.to_owned()).await;
    assert_eq!(units.status(), 200, "{}", units.text().await.unwrap());
    assert_eq!(employees(&first, &token).await, 0);

    // The import writes its 10,000 rows and stops just before committing.
    let running = {
        let (request, csv) = (
            first
                .authed(Method::POST, "/api/v1/imports/employees", &token)
                .header("Content-Type", "text/csv")
                .header("Idempotency-Key", IMPORT_KEY),
            employees_csv(),
        );
        tokio::spawn(async move { request.body(csv).send().await })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(
            !running.is_finished(),
            "the import finished instead of pausing: {:?}\n{}",
            running.await,
            first.log_text()
        );
        assert!(
            Instant::now() < deadline,
            "the import never reached its pause:\n{}",
            first.log_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let paused_pid: u32 = std::fs::read_to_string(&marker).unwrap().parse().unwrap();
    assert_eq!(
        paused_pid,
        first.pid(),
        "the pause is in the server process"
    );
    // Until the commit nobody else sees a row of it.
    assert_eq!(employees(&first, &token).await, 0);

    first.kill();
    std::fs::remove_file(&marker).ok();
    let cut = running.await.unwrap();
    assert!(
        cut.is_err(),
        "the killed server cannot have answered: {cut:?}"
    );

    // The restarted server serves, and the tokens the first one signed still work.
    let second = ServerProcess::start(
        BIN,
        database.url(),
        &[("KINERJA_REQUEST_TIMEOUT", &REQUEST_TIMEOUT.to_string())],
    )
    .await;
    assert_eq!(employees(&second, &token).await, 0, "no row of the import");
    assert_eq!(import_audits(&second, &token).await, 0, "no audit event");
    second
        .get_as("/api/v1/units?per_page=100", &token)
        .await
        .assert_status(200);

    // Nothing of the killed import is in the way: its retry, under the same key, applies the
    // file in full once the killed request's claim on the key is past its deadline (409 "in
    // flight" until then, never a replay of something that did not happen).
    let deadline = Instant::now() + Duration::from_secs(REQUEST_TIMEOUT + 15);
    let mut waited = false;
    let body = loop {
        let retry = second
            .send(
                second
                    .authed(Method::POST, "/api/v1/imports/employees", &token)
                    .header("Content-Type", "text/csv")
                    .header("Idempotency-Key", IMPORT_KEY)
                    .body(employees_csv()),
            )
            .await;
        if retry.status == 409 {
            retry.assert_problem(409, "idempotency_in_flight");
            assert!(
                Instant::now() < deadline,
                "the killed request's key is still held"
            );
            waited = true;
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        }
        retry.assert_status(200);
        assert_eq!(retry.header("idempotency-replayed"), None);
        break retry.json();
    };
    assert!(
        waited,
        "the killed request's claim is honoured until its deadline"
    );
    assert_eq!(body["created"], ROWS, "{body}");
    assert_eq!(employees(&second, &token).await, u64::from(ROWS));
    assert_eq!(import_audits(&second, &token).await, 1);

    if backend == Backend::Sqlite {
        let conn = sea_orm::Database::connect(database.url()).await.unwrap();
        let row = sea_orm::ConnectionTrait::query_one_raw(
            &conn,
            sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, "PRAGMA integrity_check"),
        )
        .await
        .unwrap()
        .unwrap();
        let verdict: String = row.try_get_by_index(0).unwrap();
        assert_eq!(verdict, "ok");
        conn.close().await.ok();
    }
}

#[tokio::test]
async fn a_server_killed_in_the_middle_of_an_import_leaves_none_of_it() {
    for backend in backends() {
        killed_in_the_middle_of_an_import(backend).await;
    }
}
