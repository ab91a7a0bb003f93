//! Bulk imports of units and employees: CSV and JSON, dry runs, all-or-nothing, every bad row.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{TestApp, on_each_db, on_each_db_with, test_nip};
use reqwest::Method;
use serde_json::{Value, json};

const UNITS_CSV: &str = include_str!("../../examples/units.csv");
const EMPLOYEES_CSV: &str = include_str!("../../examples/employees.csv");
const EMPLOYEES_WITH_ERRORS: &str = include_str!("../../examples/employees-with-errors.csv");

fn counts(body: &Value) -> (u64, u64, u64) {
    (
        body["created"].as_u64().unwrap(),
        body["updated"].as_u64().unwrap(),
        body["unchanged"].as_u64().unwrap(),
    )
}

async fn total(app: &TestApp, token: &str, path: &str) -> u64 {
    app.get_as(path, token).await.json()["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn the_sample_files_import_and_reimport_unchanged() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;

        let dry = app
            .import(
                a,
                "/api/v1/imports/units?dry_run=true",
                "text/csv",
                UNITS_CSV,
            )
            .await;
        dry.assert_status(200);
        assert_eq!(dry.json()["dry_run"], true);
        assert_eq!(counts(&dry.json()), (7, 0, 0));
        assert_eq!(
            total(app, a, "/api/v1/units").await,
            0,
            "a dry run writes nothing"
        );

        let units = app
            .import(a, "/api/v1/imports/units", "text/csv", UNITS_CSV)
            .await;
        units.assert_status(200);
        assert_eq!(counts(&units.json()), (7, 0, 0));
        let employees = app
            .import(a, "/api/v1/imports/employees", "text/csv", EMPLOYEES_CSV)
            .await;
        employees.assert_status(200);
        assert_eq!(counts(&employees.json()), (8, 0, 0));

        // Parents and supervisors were resolved whatever their row.
        let budi = app
            .get_as("/api/v1/employees?nip=198507122010011003", a)
            .await
            .json();
        assert_eq!(budi["items"][0]["supervisor"]["name"], "Jonri Sinaga");
        assert_eq!(budi["items"][0]["pangkat"], "Penata Muda Tingkat I");
        let ktp = app
            .get_as("/api/v1/units?q=DISDUKCAPIL.KTP", a)
            .await
            .json();
        assert_eq!(ktp["items"][0]["is_service_unit"], true);

        // Importing the same files again changes nothing.
        let again = app
            .import(a, "/api/v1/imports/units", "text/csv", UNITS_CSV)
            .await
            .json();
        assert_eq!(counts(&again), (0, 0, 7));
        let again = app
            .import(a, "/api/v1/imports/employees", "text/csv", EMPLOYEES_CSV)
            .await
            .json();
        assert_eq!(counts(&again), (0, 0, 8));

        // One change is one update; one import is one audit event.
        let promoted = EMPLOYEES_CSV.replace(
            "Budi Santoso Siregar,pns,III/b",
            "Budi Santoso Siregar,pns,III/c",
        );
        let changed = app
            .import(a, "/api/v1/imports/employees", "text/csv", promoted)
            .await
            .json();
        assert_eq!(counts(&changed), (0, 1, 7));
        let budi = app
            .get_as("/api/v1/employees?nip=198507122010011003", a)
            .await
            .json();
        assert_eq!(budi["items"][0]["golongan"], "III/c");
        assert_eq!(budi["items"][0]["version"], 2);
        let audit = app
            .get_as("/api/v1/audit-events?action=import.employees", a)
            .await
            .json();
        assert_eq!(audit["total"], 3);
        assert_eq!(audit["items"][0]["after"]["updated"], 1);
        assert_eq!(audit["items"][0]["entity_id"].as_str().unwrap().len(), 64);
    })
    .await;
}

#[tokio::test]
async fn semicolons_bom_and_json_are_accepted() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let semicolons = format!("\u{feff}{}", UNITS_CSV.replace(',', ";"));
        app.import(a, "/api/v1/imports/units", "text/csv; charset=utf-8", semicolons)
            .await
            .assert_status(200);
        let rows = json!([
            {"nip": test_nip(1), "name": "Kepala", "employment_type": "pns", "golongan": "IV/a", "position": "Kepala Bidang",
             "position_kind": "administrator", "unit_code": "DISDUKCAPIL.PIAK"},
            {"nip": test_nip(2), "name": "Staf", "employment_type": "pns", "golongan": "II/b", "position": "Pengadministrasi",
             "position_kind": "pelaksana", "unit_code": "DISDUKCAPIL.PIAK", "supervisor_nip": test_nip(1), "status": "active"}
        ]);
        let response = app.import(a, "/api/v1/imports/employees", "application/json", rows.to_string()).await;
        response.assert_status(200);
        assert_eq!(counts(&response.json()), (2, 0, 0));
        let bad_json = app.import(a, "/api/v1/imports/employees", "application/json", r#"[{"nip": "x", "colour": "red"}]"#).await;
        let problem = bad_json.assert_problem(422, "import_invalid");
        assert!(problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == "colour" && e["row"] == 1));
        app.import(a, "/api/v1/imports/employees", "application/xml", "<rows/>")
            .await
            .assert_problem(415, "unsupported_media_type");
    })
    .await;
}

#[tokio::test]
async fn every_bad_row_is_reported_and_nothing_is_written() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        app.import(a, "/api/v1/imports/units", "text/csv", UNITS_CSV)
            .await
            .assert_status(200);
        app.import(a, "/api/v1/imports/employees", "text/csv", EMPLOYEES_CSV)
            .await
            .assert_status(200);
        let before = total(app, a, "/api/v1/audit-events").await;

        let response = app
            .import(
                a,
                "/api/v1/imports/employees",
                "text/csv",
                EMPLOYEES_WITH_ERRORS,
            )
            .await;
        let problem = response.assert_problem(422, "import_invalid");
        let errors: Vec<(u64, String, String)> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["field"].as_str().unwrap().to_owned(),
                    e["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let has = |row: u64, field: &str, code: &str| {
            errors
                .iter()
                .any(|e| e.0 == row && e.1 == field && e.2 == code)
        };
        assert!(
            has(2, "golongan", "invalid_for_employment_type"),
            "{errors:?}"
        );
        assert!(has(3, "nip", "nip_tmt_before_age_18"), "{errors:?}");
        assert!(
            has(4, "supervisor_nip", "supervisor_not_found"),
            "{errors:?}"
        );
        assert!(has(5, "unit_code", "unknown_unit"), "{errors:?}");
        assert!(has(5, "nip", "duplicate_in_file"), "{errors:?}");
        // The counts describe the valid rows; nothing was written, not even the audit event.
        assert_eq!(problem["dry_run"], false);
        assert_eq!(total(app, a, "/api/v1/audit-events").await, before);
        let budi = app
            .get_as("/api/v1/employees?nip=198507122010011003", a)
            .await
            .json();
        assert_eq!(budi["items"][0]["golongan"], "III/b");

        // The same report in a dry run.
        app.import(
            a,
            "/api/v1/imports/employees?dry_run=true",
            "text/csv",
            EMPLOYEES_WITH_ERRORS,
        )
        .await
        .assert_problem(422, "import_invalid");
    })
    .await;
}

#[tokio::test]
async fn cycles_through_an_import_are_refused() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let units = "code,name,kind,parent_code\nA,Satu,bagian,C\nB,Dua,bagian,A\nC,Tiga,bagian,B\nD,Empat,bagian,\n";
        let problem = app.import(a, "/api/v1/imports/units", "text/csv", units).await.assert_problem(422, "import_invalid");
        let cyclic: Vec<u64> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["code"] == "unit_cycle")
            .map(|e| e["row"].as_u64().unwrap())
            .collect();
        assert_eq!(cyclic, vec![2, 3, 4]);
        assert_eq!(problem["created"], 1, "D alone is valid");

        app.import(a, "/api/v1/imports/units", "text/csv", UNITS_CSV).await.assert_status(200);
        app.import(a, "/api/v1/imports/employees", "text/csv", EMPLOYEES_CSV).await.assert_status(200);
        // The Sekda (stored) made subordinate of Budi, who reports up to him: a loop through
        // stored records.
        let looped = "nip,name,employment_type,golongan,position,position_kind,unit_code,supervisor_nip\n\
             197203151998031004,Drs. Hendra Purba,pns,IV/c,Sekretaris Daerah,jpt,SETDA,198507122010011003\n";
        let problem = app.import(a, "/api/v1/imports/employees", "text/csv", looped).await.assert_problem(422, "import_invalid");
        assert_eq!(problem["errors"][0]["code"], "reporting_cycle");
        let own = format!(
            "nip,name,employment_type,golongan,position,position_kind,unit_code,supervisor_nip\n{0},Diri Sendiri,pns,II/a,Staf,pelaksana,SETDA,{0}\n",
            test_nip(5)
        );
        app.import(a, "/api/v1/imports/employees", "text/csv", own).await.assert_problem(422, "import_invalid");
    })
    .await;
}

#[tokio::test]
async fn broken_files_say_what_is_wrong() {
    on_each_db_with(
        |config| config.import_limit = 4096,
        async |app: &TestApp| {
            let (_, admin) = app.session_as("admin", &["admin"]).await;
            let a = &admin.access_token;
            let missing = app
                .import(
                    a,
                    "/api/v1/imports/employees",
                    "text/csv",
                    "nip,name\n198507122010011003,Budi\n",
                )
                .await
                .assert_problem(422, "import_invalid");
            let missing_columns: Vec<&str> = missing["errors"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["code"] == "missing_column")
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert!(
                missing_columns.contains(&"unit_code") && missing_columns.contains(&"position"),
                "{missing}"
            );

            app.import(a, "/api/v1/imports/units", "text/csv", "")
                .await
                .assert_problem(422, "import_empty");
            app.import(a, "/api/v1/imports/units", "text/csv", "code,name,kind\n")
                .await
                .assert_problem(422, "import_empty");

            let big = format!("code,name,kind\n{}", "A,B,bagian\n".repeat(1000));
            let too_large = app
                .import(a, "/api/v1/imports/units", "text/csv", big)
                .await;
            let problem = too_large.assert_problem(413, "payload_too_large");
            assert_eq!(problem["limit_bytes"], 4096);
            assert!(problem["detail"].as_str().unwrap().contains("4096"));

            let ragged = app
                .import(
                    a,
                    "/api/v1/imports/units",
                    "text/csv",
                    "code,name,kind\nA,B\n",
                )
                .await;
            assert_eq!(
                ragged.assert_problem(422, "import_invalid")["errors"][0]["code"],
                "malformed_csv"
            );
            let latin1 = b"code,name,kind\nA,Caf\xe9,bagian\n".to_vec();
            let response = app
                .send(
                    app.authed(Method::POST, "/api/v1/imports/units", a)
                        .header("Content-Type", "text/csv")
                        .body(latin1),
                )
                .await;
            response.assert_problem(400, "invalid_encoding");
        },
    )
    .await;
}

#[tokio::test]
async fn integrations_import_with_their_scope_and_retries_replay() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let account = app
            .post_as("/api/v1/service-accounts", &admin.access_token, &json!({"name": "SIMPEG", "scopes": ["import:units"]}))
            .await
            .json();
        let token = app
            .post_json(
                "/api/v1/auth/token",
                &json!({"grant_type": "client_credentials", "client_id": account["client_id"], "client_secret": account["client_secret"]}),
            )
            .await
            .json()["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let send = |key: &'static str, path: &'static str, body: &'static str| {
            app.send(
                app.authed(Method::POST, path, &token)
                    .header("Content-Type", "text/csv")
                    .header("Idempotency-Key", key)
                    .body(body),
            )
        };
        let first = send("units-2026-03", "/api/v1/imports/units", UNITS_CSV).await;
        first.assert_status(200);
        let retry = send("units-2026-03", "/api/v1/imports/units", UNITS_CSV).await;
        assert_eq!(retry.header("idempotency-replayed"), Some("true"));
        assert_eq!(retry.json(), first.json());
        // Without import:employees the other import is closed to it.
        send("employees-1", "/api/v1/imports/employees", EMPLOYEES_CSV)
            .await
            .assert_problem(403, "forbidden");
        let audit = app.get_as("/api/v1/audit-events?action=import.units", &admin.access_token).await.json();
        assert_eq!(audit["total"], 1);
        assert_eq!(audit["items"][0]["actor_kind"], "service");
    })
    .await;
}
