//! No lost updates: many writers racing on one version of a record — exactly one wins, every
//! other one is told its copy is stale (412), and the stored record and the audit trail are the
//! winner's. Idempotency-Key under the same pressure creates one resource.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_util::future::join_all;
use kinerja_tests::city::{approved_and_running, assessment, city};
use kinerja_tests::{TestApp, TestResponse, on_each_db};
use reqwest::Method;
use serde_json::{Value, json};

const WRITERS: usize = 50;

/// The one 200 among the answers; every other one must be a 412 precondition problem.
#[track_caller]
fn the_one_winner(answers: &[TestResponse]) -> usize {
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    let winners: Vec<usize> = (0..answers.len())
        .filter(|i| answers[*i].status == 200)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one writer wins: {statuses:?}");
    for (i, answer) in answers.iter().enumerate() {
        if i != winners[0] {
            answer.assert_problem(412, "precondition_failed");
        }
    }
    winners[0]
}

/// How many audit events of `action` the entity has.
async fn audit_events(app: &TestApp, token: &str, entity_id: &str, action: &str) -> Vec<Value> {
    let trail = app
        .get_as(
            &format!("/api/v1/audit-events?entity_id={entity_id}&action={action}"),
            token,
        )
        .await;
    trail.assert_status(200);
    trail.json()["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn fifty_editors_of_one_employee_version_leave_exactly_one_change() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let unit = app.create_unit(a, "DISKOMINFO", "dinas", None, true).await;
        let id = app
            .create_employee(a, &kinerja_tests::test_nip(1), "Rina Wulandari", unit, None)
            .await;
        let path = format!("/api/v1/employees/{id}");

        let mut expected_version = 1;
        for round in 0..2 {
            let current = app.get_as(&path, a).await;
            current.assert_status(200);
            let etag = current.header("etag").unwrap().to_owned();
            assert_eq!(etag, format!("\"{expected_version}\""));

            // Every editor read the same version and writes another name and position.
            let edits = (0..WRITERS).map(|i| {
                app.patch_as(
                    &path,
                    a,
                    Some(&etag),
                    &json!({"name": format!("Rina Wulandari {round}-{i}"), "position": format!("Pranata Komputer {i}")}),
                )
            });
            let answers = join_all(edits).await;
            let winner = the_one_winner(&answers);
            let won = answers[winner].json();
            assert_eq!(won["name"], format!("Rina Wulandari {round}-{winner}"));
            expected_version += 1;
            assert_eq!(won["version"], expected_version);
            assert_eq!(
                answers[winner].header("etag"),
                Some(format!("\"{expected_version}\"").as_str())
            );

            // What is stored is the winner's change, one version on.
            let stored = app.get_as(&path, a).await;
            stored.assert_status(200);
            assert_eq!(stored.json(), won);
            assert_eq!(
                stored.header("etag"),
                Some(format!("\"{expected_version}\"").as_str())
            );

            // One audit event per winning write, carrying the winner's change.
            let events = audit_events(app, a, &id.to_string(), "employee.updated").await;
            assert_eq!(events.len(), round + 1, "{events:?}");
            assert_eq!(events[0]["after"]["name"], won["name"]);
            assert_eq!(events[0]["after"]["position"], won["position"]);
        }
    })
    .await;
}

#[tokio::test]
async fn fifty_assessments_of_one_evaluation_version_leave_exactly_one_rating() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (skp, _) = approved_and_running(app, &c).await;
        // The sekda rates the kepala dinas (an OPD head: no work rating of his own).
        let path = format!("/api/v1/skps/{skp}/evaluations/q1");
        let current = app.get_as(&path, &c.sekda.1).await;
        current.assert_status(200);
        let etag = current.header("etag").unwrap().to_owned();
        let version = current.json()["version"].as_i64().unwrap();
        let id = current.json()["id"].as_str().unwrap().to_owned();

        let ratings = [
            "di_atas_ekspektasi",
            "sesuai_ekspektasi",
            "di_bawah_ekspektasi",
        ];
        let puts = (0..WRITERS).map(|i| {
            let mut body = assessment(None, ratings[i % 3]);
            body["behavior_notes"] = json!({"adaptif": format!("Catatan penilai nomor {i}")});
            let request = app
                .authed(Method::PUT, &format!("{path}/assessment"), &c.sekda.1)
                .header("If-Match", &etag)
                .json(&body);
            app.send(request)
        });
        let answers = join_all(puts).await;
        let winner = the_one_winner(&answers);
        let won = answers[winner].json();
        assert_eq!(won["version"], version + 1);
        assert_eq!(won["status"], "assessed");
        assert_eq!(
            won["behavior_rating"]["rating"],
            ratings[winner % 3],
            "{won}"
        );
        let adaptif = won["behavior_ratings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["core_value"] == "adaptif")
            .unwrap();
        assert_eq!(adaptif["note"], format!("Catatan penilai nomor {winner}"));

        // Stored: the winner's ratings, one version on.
        let stored = app.get_as(&path, &c.sekda.1).await;
        stored.assert_status(200);
        assert_eq!(
            stored.header("etag"),
            Some(format!("\"{}\"", version + 1).as_str())
        );
        let stored = stored.json();
        assert_eq!(stored["behavior_ratings"], won["behavior_ratings"]);
        assert_eq!(stored["behavior_rating"], won["behavior_rating"]);
        assert_eq!(stored["version"], won["version"]);

        let events = audit_events(app, &c.admin, &id, "evaluation.assessed").await;
        assert_eq!(events.len(), 1, "{events:?}");
    })
    .await;
}

async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> TestResponse {
    app.send(
        app.authed(Method::POST, path, token)
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

async fn total(app: &TestApp, token: &str, path: &str) -> u64 {
    let list = app.get_as(path, token).await;
    list.assert_status(200);
    list.json()["total"].as_u64().unwrap()
}

#[tokio::test]
async fn twenty_identical_retries_under_one_key_create_one_unit() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let units_before = total(app, a, "/api/v1/units").await;
        let body = json!({"code": "BAPPEDA", "name": "Badan Perencanaan Pembangunan Daerah", "kind": "badan", "is_opd": true});
        let answers = join_all(
            (0..20).map(|_| post_with_key(app, "/api/v1/units", a, "create-bappeda", &body)),
        )
        .await;

        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        let originals: Vec<&TestResponse> = answers
            .iter()
            .filter(|r| r.status == 201 && r.header("idempotency-replayed").is_none())
            .collect();
        assert_eq!(originals.len(), 1, "one request did the work: {statuses:?}");
        let original = originals[0].json();
        for answer in &answers {
            match answer.status {
                201 => {
                    assert_eq!(answer.json(), original, "a replay is the original");
                    assert_eq!(answer.header("location"), originals[0].header("location"));
                }
                409 => {
                    answer.assert_problem(409, "idempotency_in_flight");
                    assert_eq!(answer.header("retry-after"), Some("1"));
                }
                other => panic!("unexpected {other}: {}", answer.text()),
            }
        }
        assert_eq!(total(app, a, "/api/v1/units").await, units_before + 1);
        let id = original["id"].as_str().unwrap();
        assert_eq!(audit_events(app, a, id, "unit.created").await.len(), 1);

        // Once done, a late retry is a replay of the same unit.
        let late = post_with_key(app, "/api/v1/units", a, "create-bappeda", &body).await;
        late.assert_status(201);
        assert_eq!(late.header("idempotency-replayed"), Some("true"));
        assert_eq!(late.json(), original);
    })
    .await;
}

#[tokio::test]
async fn one_key_racing_with_two_bodies_creates_one_employee() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let unit = app.create_unit(a, "DINKES", "dinas", None, true).await;
        let employees_before = total(app, a, "/api/v1/employees").await;
        let body = |n: u32, name: &str| {
            json!({"nip": kinerja_tests::test_nip(n), "name": name, "employment_type": "pns", "golongan": "III/a",
                   "position": "Perawat", "position_kind": "fungsional", "unit_id": unit})
        };
        let bodies = [body(10, "Dewi Lestari"), body(11, "Agus Salim")];
        let answers = join_all((0..20).map(|i| {
            post_with_key(
                app,
                "/api/v1/employees",
                a,
                "new-nurse",
                &bodies[i % 2],
            )
        }))
        .await;

        let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        let originals: Vec<usize> = (0..answers.len())
            .filter(|i| {
                answers[*i].status == 201 && answers[*i].header("idempotency-replayed").is_none()
            })
            .collect();
        assert_eq!(originals.len(), 1, "one request did the work: {statuses:?}");
        let winner = originals[0];
        let original = answers[winner].json();
        for (i, answer) in answers.iter().enumerate() {
            if i % 2 != winner % 2 {
                // The other body under the same key: refused, whatever the timing.
                answer.assert_problem(422, "idempotency_key_reused");
            } else if answer.status == 201 {
                assert_eq!(answer.json(), original);
            } else {
                answer.assert_problem(409, "idempotency_in_flight");
            }
        }
        assert_eq!(original["nip"], bodies[winner % 2]["nip"]);
        assert_eq!(total(app, a, "/api/v1/employees").await, employees_before + 1);
        let id = original["id"].as_str().unwrap();
        assert_eq!(audit_events(app, a, id, "employee.created").await.len(), 1);
    })
    .await;
}
