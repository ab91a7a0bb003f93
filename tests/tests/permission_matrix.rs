//! The permission matrix: every operation of the OpenAPI spec, called by every kind of caller,
//! answers the status this table expects. An operation without a row fails the test, so every
//! new route must state who may call it.
//!
//! Each caller gets a fresh app with the same fixtures, so one caller's writes (a revoked
//! service account) never change what the next caller sees. Rows run in table order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use kinerja_tests::{Session, TestApp, TestUser, backends};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Admin,
    UnitAdmin,
    Employee,
    Auditor,
    Service,
}

const CALLERS: [Caller; 6] = [
    Caller::Anonymous,
    Caller::Admin,
    Caller::UnitAdmin,
    Caller::Employee,
    Caller::Auditor,
    Caller::Service,
];

/// One row: the operation, and the status for
/// [anonymous, admin, unit_admin, employee, auditor, service (every scope)].
struct Row {
    operation: &'static str,
    expect: [u16; 6],
}

const fn row(operation: &'static str, expect: [u16; 6]) -> Row {
    Row { operation, expect }
}

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    //                                                  anon admin unit  empl  audit svc
    row("GET /health",                                  [200, 200, 200, 200, 200, 200]),
    row("GET /ready",                                   [200, 200, 200, 200, 200, 200]),
    // Public: the status depends on the credentials sent, not on the caller.
    row("POST /api/v1/auth/token",                      [200, 200, 200, 200, 200, 200]),
    row("POST /api/v1/auth/refresh",                    [401, 401, 401, 401, 401, 401]),
    row("POST /api/v1/auth/logout",                     [204, 204, 204, 204, 204, 204]),
    row("GET /api/v1/me",                               [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/users",                            [401, 200, 403, 403, 200, 403]),
    row("POST /api/v1/users",                           [401, 201, 403, 403, 403, 403]),
    row("GET /api/v1/users/{id}",                       [401, 200, 403, 403, 200, 403]),
    row("PATCH /api/v1/users/{id}",                     [401, 200, 403, 403, 403, 403]),
    // Another user's password: only an admin sees that account at all.
    row("POST /api/v1/users/{id}/password",             [401, 204, 404, 404, 404, 404]),
    row("POST /api/v1/users/from-employees",            [401, 200, 200, 403, 403, 403]),
    // The unit tree is readable by everyone signed in (services need read:org).
    row("GET /api/v1/units",                            [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/units",                           [401, 201, 201, 403, 403, 403]),
    row("GET /api/v1/units/{id}",                       [401, 200, 200, 200, 200, 200]),
    row("PATCH /api/v1/units/{id}",                     [401, 200, 200, 403, 403, 403]),
    // Employees: lists are scoped per caller; the target is the employee caller's subordinate.
    row("GET /api/v1/employees",                        [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/employees",                       [401, 201, 201, 403, 403, 403]),
    row("GET /api/v1/employees/{id}",                   [401, 200, 200, 200, 200, 200]),
    row("PATCH /api/v1/employees/{id}",                 [401, 200, 200, 403, 403, 403]),
    row("GET /api/v1/employees/{id}/subordinates",      [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/imports/units",                   [401, 200, 403, 403, 403, 200]),
    row("POST /api/v1/imports/employees",               [401, 200, 403, 403, 403, 200]),
    row("POST /api/v1/service-accounts",                [401, 201, 403, 403, 403, 403]),
    row("GET /api/v1/service-accounts",                 [401, 200, 403, 403, 200, 403]),
    row("GET /api/v1/service-accounts/{id}",            [401, 200, 403, 403, 200, 403]),
    row("PATCH /api/v1/service-accounts/{id}",          [401, 200, 403, 403, 403, 403]),
    row("POST /api/v1/service-accounts/{id}/rotate",    [401, 200, 403, 403, 403, 403]),
    row("DELETE /api/v1/service-accounts/{id}",         [401, 204, 403, 403, 403, 403]),
    row("DELETE /api/v1/units/{id}",                    [401, 204, 204, 403, 403, 403]),
    row("GET /api/v1/audit-events",                     [401, 200, 403, 403, 200, 403]),
    // Integration: the events feed (read:events) and the annual predikat export
    // (read:performance or read:reports); the service caller has every scope.
    row("GET /api/v1/events",                           [401, 200, 403, 403, 200, 200]),
    row("GET /api/v1/exports/annual-predikat",          [401, 200, 403, 403, 200, 200]),
    row("GET /api/v1/cycles",                           [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/cycles",                          [401, 201, 403, 403, 403, 403]),
    row("GET /api/v1/cycles/{id}",                      [401, 200, 200, 200, 200, 200]),
    row("PATCH /api/v1/cycles/{id}",                    [401, 200, 403, 403, 403, 403]),
    row("GET /api/v1/cycles/{id}/units/{unit_id}/indicators", [401, 200, 200, 200, 200, 200]),
    // The OPD's people keep its Perjanjian Kinerja: admin, its unit admin, its head (the
    // employee caller heads the fixture OPD).
    row("POST /api/v1/cycles/{id}/units/{unit_id}/indicators", [401, 201, 201, 201, 403, 403]),
    row("PATCH /api/v1/cycles/{id}/units/{unit_id}/indicators/{indicator_id}", [401, 200, 200, 200, 403, 403]),
    // SKPs: the fixture SKP belongs to the employee caller (the OPD head, whose penilai is the
    // Wali Kota: an admin decides for him); the new one is written for his subordinate.
    row("GET /api/v1/skps",                             [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/skps",                            [401, 201, 201, 201, 403, 403]),
    row("GET /api/v1/skps/{id}",                        [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/skps/{id}/actions",                [401, 200, 200, 200, 200, 200]),
    row("PATCH /api/v1/skps/{id}",                      [401, 200, 200, 403, 403, 403]),
    row("POST /api/v1/skps/{id}/rhk",                   [401, 201, 201, 201, 403, 403]),
    row("PATCH /api/v1/skps/{id}/rhk/{rhk_id}",         [401, 200, 200, 200, 403, 403]),
    row("DELETE /api/v1/skps/{id}/rhk/{rhk_id}",        [401, 204, 204, 204, 403, 403]),
    row("POST /api/v1/skps/{id}/submit",                [401, 200, 200, 200, 403, 403]),
    // Only the penilai decides; the admin's return leaves nothing submitted to approve (409).
    row("POST /api/v1/skps/{id}/return",                [401, 200, 403, 403, 403, 403]),
    row("POST /api/v1/skps/{id}/approve",               [401, 409, 403, 403, 403, 403]),
    // Only an approved SKP is revised (the fixture's is not); the penilai-less roles may not.
    row("POST /api/v1/skps/{id}/revise",                [401, 409, 409, 409, 403, 403]),
    // Realisasi: the pegawai and his penilai (an admin for the Wali Kota), on approved SKPs only.
    row("POST /api/v1/skps/{id}/realizations",          [401, 409, 403, 409, 403, 403]),
    row("GET /api/v1/skps/{id}/realizations",           [401, 200, 200, 200, 200, 200]),
    // Perjanjian Kinerja realisasi: the OPD's people, while the cycle runs (it is in planning).
    row("POST /api/v1/cycles/{id}/units/{unit_id}/indicators/{indicator_id}/realizations", [401, 409, 409, 409, 403, 403]),
    // Feedback: the penilai (an admin for the Wali Kota) writes on approved SKPs (this one is a
    // draft); the pegawai answers. No thread exists in the fixtures: 404 for every reader.
    row("GET /api/v1/skps/{id}/feedback",               [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/skps/{id}/feedback",              [401, 409, 403, 403, 403, 403]),
    row("GET /api/v1/skps/{id}/feedback/{feedback_id}", [401, 404, 404, 404, 404, 404]),
    row("POST /api/v1/skps/{id}/feedback/{feedback_id}/replies", [401, 404, 404, 404, 404, 404]),
    row("POST /api/v1/skps/{id}/feedback/{feedback_id}/read", [401, 404, 404, 404, 404, 404]),
    // A unit's feedback: its head (the employee caller), its unit admin, admins, auditors, services.
    row("GET /api/v1/feedback",                         [401, 200, 200, 200, 200, 200]),
    // Evaluations open when an SKP is approved: the fixture's is a draft, so it has none (404 for
    // every reader); the object-level rules are exercised in tests/evaluations.rs.
    row("GET /api/v1/skps/{id}/evaluations",            [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/skps/{id}/evaluations/{period}",   [401, 404, 404, 404, 404, 404]),
    row("GET /api/v1/skps/{id}/evaluations/{period}/actions", [401, 404, 404, 404, 404, 404]),
    row("PUT /api/v1/skps/{id}/evaluations/{period}/self-assessment", [401, 404, 404, 404, 404, 404]),
    row("PUT /api/v1/skps/{id}/evaluations/{period}/assessment", [401, 404, 404, 404, 404, 404]),
    row("POST /api/v1/skps/{id}/evaluations/{period}/finalize", [401, 404, 404, 404, 404, 404]),
    row("POST /api/v1/skps/{id}/evaluations/{period}/reopen", [401, 404, 404, 404, 404, 404]),
    row("POST /api/v1/skps/{id}/evaluations/{period}/objections", [401, 404, 404, 404, 404, 404]),
    row("GET /api/v1/objections",                       [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/objections/{id}",                  [401, 404, 404, 404, 404, 404]),
    row("POST /api/v1/objections/{id}/explanation",     [401, 404, 404, 404, 404, 404]),
    row("POST /api/v1/objections/{id}/decide",          [401, 404, 404, 404, 404, 404]),
    // Imports of SKPs and realisasi: admins, the unit admin for his OPD's staff, integrations
    // with the scope. The new RHK cascades from the head's; realisasi waits for a running
    // cycle (422 for every caller allowed to import).
    row("POST /api/v1/imports/skps",                    [401, 200, 200, 403, 403, 200]),
    row("POST /api/v1/imports/realizations",            [401, 422, 422, 403, 403, 422]),
    // The survey: the OPD's sub-unit is a service unit with a service and a Q1 period.
    row("GET /api/v1/units/{id}/services",              [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/units/{id}/services",             [401, 201, 201, 403, 403, 403]),
    row("PATCH /api/v1/units/{id}/services/{service_id}", [401, 200, 200, 403, 403, 403]),
    row("GET /api/v1/units/{id}/survey-periods",        [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/units/{id}/survey-periods",       [401, 201, 201, 403, 403, 403]),
    row("POST /api/v1/units/{id}/survey-periods/{period_id}/close", [401, 200, 200, 403, 403, 403]),
    // A unit's survey feedback: its staff and heads (the employee caller heads the OPD above).
    row("GET /api/v1/units/{id}/feedback",              [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/skm/results",                      [401, 200, 200, 200, 200, 200]),
    // Published: no login.
    row("GET /api/v1/public/ikm",                       [200, 200, 200, 200, 200, 200]),
    // The citizen survey in public: the same for everyone (a service account with
    // submit:surveys submits as a kiosk). Paper questionnaires: admins, the unit admin for his
    // OPD's service units, integrations with import:survey-responses.
    row("GET /api/v1/public/surveys/{unit_code}",       [200, 200, 200, 200, 200, 200]),
    row("POST /api/v1/public/surveys/{unit_code}/token", [201, 201, 201, 201, 201, 201]),
    row("POST /api/v1/public/surveys/{unit_code}/responses", [201, 201, 201, 201, 201, 201]),
    row("POST /api/v1/imports/survey-responses",        [401, 200, 200, 403, 403, 200]),
    // OPD performance and calibration: records exist once the cycle runs (it is in planning
    // here: 404); the object-level rules are exercised in tests/calibration.rs.
    row("GET /api/v1/cycles/{id}/units/{unit_id}/performance", [401, 404, 404, 404, 404, 404]),
    row("PUT /api/v1/cycles/{id}/units/{unit_id}/performance", [401, 404, 404, 404, 404, 404]),
    row("GET /api/v1/cycles/{id}/units/{unit_id}/calibration", [401, 404, 404, 404, 404, 404]),
    row("POST /api/v1/cycles/{id}/units/{unit_id}/calibration/finalize", [401, 404, 404, 404, 404, 404]),
    row("GET /api/v1/cycles/{id}/calibration",          [401, 200, 200, 200, 200, 200]),
    // Competency development: the catalogue is the admins'; the fixture employee (the head's
    // subordinate) is enrolled and has a pending external record. Enrolment targets the head
    // himself (he enrols himself; an auditor or a service may not). Attendance and completion
    // are the organisers'; dropping a completed participation is 409; the head drops as the
    // superior.
    row("GET /api/v1/trainings",                        [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/trainings",                       [401, 201, 403, 403, 403, 403]),
    row("GET /api/v1/trainings/{id}",                   [401, 200, 200, 200, 200, 200]),
    row("PATCH /api/v1/trainings/{id}",                 [401, 200, 403, 403, 403, 403]),
    row("GET /api/v1/trainings/{id}/participants",      [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/trainings/{id}/participants",     [401, 201, 201, 201, 403, 403]),
    row("GET /api/v1/trainings/{id}/participants/{employee_id}", [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/trainings/{id}/participants/{employee_id}/attend", [401, 200, 200, 403, 403, 403]),
    row("POST /api/v1/trainings/{id}/participants/{employee_id}/complete", [401, 200, 200, 403, 403, 403]),
    row("POST /api/v1/trainings/{id}/participants/{employee_id}/drop", [401, 409, 409, 200, 403, 403]),
    row("GET /api/v1/employees/{id}/training-records",  [401, 200, 200, 200, 200, 200]),
    // Submitted by the employee himself: the row targets the head (the employee caller).
    row("POST /api/v1/employees/{id}/training-records", [401, 403, 403, 201, 403, 403]),
    row("GET /api/v1/training-records",                 [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/training-records/{id}",            [401, 200, 200, 200, 200, 200]),
    // Decided by the direct superior (the head) only; then it is decided (409).
    row("GET /api/v1/training-records/{id}/actions",    [401, 200, 200, 200, 200, 200]),
    row("POST /api/v1/training-records/{id}/approve",   [401, 403, 403, 200, 403, 403]),
    row("POST /api/v1/training-records/{id}/reject",    [401, 403, 403, 409, 403, 403]),
    row("POST /api/v1/imports/training-records",        [401, 200, 200, 403, 403, 200]),
    row("GET /api/v1/reports/training-compliance",      [401, 200, 200, 200, 200, 200]),
    // The employee caller heads the OPD; every report names it.
    row("GET /api/v1/reports/predikat-distribution",    [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/reports/ikm-trend",                [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/reports/follow-up",                [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/employees/{id}/development-recommendations", [401, 200, 200, 200, 200, 200]),
    // Nothing is recommended without evaluations: the superior and admins get 422.
    row("POST /api/v1/employees/{id}/development-plan", [401, 422, 403, 422, 403, 403]),
    row("GET /api/v1/employees/{id}/development-plan",  [401, 200, 200, 200, 200, 200]),
    // Progress reports: scoped per caller (the employee caller heads the OPD); the overview is
    // city-wide.
    row("GET /api/v1/reports/participation",            [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/reports/participation/employees",  [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/reports/monthly-performance",      [401, 200, 200, 200, 200, 200]),
    row("GET /api/v1/reports/overview",                 [401, 200, 403, 403, 200, 200]),
    row("POST /api/v1/cycles/{id}/start",               [401, 200, 403, 403, 403, 403]),
    row("POST /api/v1/cycles/{id}/close",               [401, 200, 403, 403, 403, 403]),
];

/// What every caller's app holds: an OPD with a sub-unit and a leaf unit, a head and his
/// subordinate, a user and a service account to act on.
struct Fixtures {
    /// The user the `/users/{id}` rows act on.
    target: TestUser,
    /// The service account the `/service-accounts/{id}` rows act on.
    service_account_id: String,
    /// The OPD (the unit admin's unit).
    opd: uuid::Uuid,
    /// A sub-unit of the OPD: the `/units/{id}` rows act on it.
    sub_unit: uuid::Uuid,
    /// A unit nothing refers to: `DELETE /units/{id}` removes it.
    leaf_unit: uuid::Uuid,
    /// The employee the `/employees/{id}` rows act on (the head's subordinate).
    employee: uuid::Uuid,
    /// A cycle in planning (started, then closed, by the admin rows).
    cycle: String,
    /// A Perjanjian Kinerja indicator of the OPD in that cycle.
    indicator: String,
    /// The head's SKP, with an utama RHK (changed by the rows) and a tambahan one (removed).
    skp: String,
    rhk_kept: String,
    rhk_removed: String,
    /// A service of the sub-unit (a service unit) and its Q1 survey period.
    service: uuid::Uuid,
    survey_period: uuid::Uuid,
    /// The OPD's head (the employee caller), the fixture employee's supervisor.
    head: uuid::Uuid,
    /// A programme the fixture employee is enrolled in.
    training: uuid::Uuid,
    /// A pending external training record of the fixture employee.
    record: uuid::Uuid,
    /// The caller's token (none for the anonymous caller).
    token: Option<String>,
}

async fn fixtures(app: &TestApp, caller: Caller) -> Fixtures {
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let target = app.create_user("target.user", &["employee"]).await;
    let created = app
        .post_as(
            "/api/v1/service-accounts",
            &admin.access_token,
            &json!({"name": "target", "scopes": ["read:org"]}),
        )
        .await;
    created.assert_status(201);
    let service_account_id = created.json()["id"].as_str().unwrap().to_owned();

    let a = &admin.access_token;
    let cycle = app
        .post_as("/api/v1/cycles", a, &json!({"year": 2026}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let opd = app.create_unit(a, "OPD1", "dinas", None, true).await;
    let sub_unit = app
        .create_unit(a, "OPD1.SUB", "bidang", Some(opd), false)
        .await;
    let leaf_unit = app
        .create_unit(a, "OPD1.LEAF", "bidang", Some(opd), false)
        .await;
    // A service unit of the OPD with one service, for the survey rows.
    let service_unit = app
        .post_as(
            "/api/v1/units",
            a,
            &json!({"code": "OPD1.LAYANAN", "name": "Layanan Terpadu", "kind": "upt", "parent_id": opd, "is_service_unit": true}),
        )
        .await;
    service_unit.assert_status(201);
    let now = app.clock_now();
    kinerja_persistence::repos::skm::insert_service(
        &app.db,
        &kinerja_persistence::repos::skm::ServiceRecord {
            id: uuid::Uuid::now_v7(),
            unit_id: service_unit.json()["id"].as_str().unwrap().parse().unwrap(),
            code: "LAYANAN-1".into(),
            name: "Layanan satu".into(),
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap();
    let head = app
        .create_employee(a, &kinerja_tests::test_nip(1), "Kepala Dinas", opd, None)
        .await;
    app.patch_as(
        &format!("/api/v1/units/{opd}"),
        a,
        Some("*"),
        &json!({"head_employee_id": head}),
    )
    .await
    .assert_status(200);
    let indicator = app
        .post_as(
            &format!("/api/v1/cycles/{cycle}/units/{opd}/indicators"),
            a,
            &json!({"description": "Persentase KTP-el terbit", "direction": "higher_is_better", "target": 95, "unit": "persen"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let employee = app
        .create_employee(a, &kinerja_tests::test_nip(2), "Staf", sub_unit, Some(head))
        .await;
    app.patch_as(
        &format!("/api/v1/units/{sub_unit}"),
        a,
        Some("*"),
        &json!({"is_service_unit": true}),
    )
    .await
    .assert_status(200);
    let id_of = |r: kinerja_tests::TestResponse| -> uuid::Uuid {
        r.assert_status(201);
        r.json()["id"].as_str().unwrap().parse().unwrap()
    };
    let service = id_of(
        app.post_as(
            &format!("/api/v1/units/{sub_unit}/services"),
            a,
            &json!({"code": "KTP-EL", "name": "Penerbitan KTP-el"}),
        )
        .await,
    );
    let survey_period = id_of(
        app.post_as(
            &format!("/api/v1/units/{sub_unit}/survey-periods"),
            a,
            &json!({"name": "Triwulan I", "start_date": "2026-01-01", "end_date": "2026-03-31"}),
        )
        .await,
    );
    let skp = app
        .post_as(
            "/api/v1/skps",
            a,
            &json!({"cycle_id": cycle, "employee_id": head}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut rhk_ids = Vec::new();
    for body in [
        json!({"kind": "utama", "description": "Pelayanan KTP-el tepat waktu", "unit_indicator_id": indicator,
               "indicators": [{"description": "KTP-el terbit", "aspect": "waktu", "direction": "higher_is_better", "target": 95, "unit": "persen"}]}),
        json!({"kind": "tambahan", "description": "Tugas tambahan", "indicators": []}),
    ] {
        let added = app
            .post_as(&format!("/api/v1/skps/{skp}/rhk"), a, &body)
            .await;
        added.assert_status(201);
        let rhks = added.json()["rhk"].as_array().unwrap().clone();
        rhk_ids.push(rhks.last().unwrap()["id"].as_str().unwrap().to_owned());
    }
    let (rhk_kept, rhk_removed) = (rhk_ids[0].clone(), rhk_ids[1].clone());
    let training = id_of(
        app.post_as(
            "/api/v1/trainings",
            a,
            &json!({"title": "Pelatihan SIAK", "route": "klasikal", "method": "pelatihan", "jp": 16,
                    "competencies": ["teknologi_informasi"], "provider": "BKPSDM",
                    "start_date": "2026-02-01", "end_date": "2026-12-31"}),
        )
        .await,
    );
    app.post_as(
        &format!("/api/v1/trainings/{training}/participants"),
        a,
        &json!({"employee_id": employee}),
    )
    .await
    .assert_status(201);
    let record = uuid::Uuid::now_v7();
    kinerja_persistence::repos::training::insert_record(
        &app.db,
        &kinerja_persistence::repos::training::RecordRecord {
            id: record,
            employee_id: employee,
            source: kinerja_domain::training::RecordSource::External,
            training_id: None,
            title: "E-Learning Literasi Digital".into(),
            route: kinerja_domain::training::Route::Nonklasikal,
            method: kinerja_domain::training::Method::ELearning,
            jp_minutes: 450,
            completed_on: chrono::NaiveDate::from_ymd_opt(2026, 2, 10).unwrap(),
            certificate_no: Some("ASNU-1".into()),
            evidence: Some("https://asn.example/1".into()),
            status: kinerja_domain::training::RecordStatus::Pending,
            submitted_by: None,
            decided_by: None,
            decided_at: None,
            decision_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap();

    let token = match caller {
        Caller::Anonymous => None,
        Caller::Admin => Some(admin.access_token.clone()),
        Caller::UnitAdmin => {
            let user = app
                .create_user_with("unit.admin", &["unit_admin"], false, Some(opd))
                .await;
            Some(app.login(&user).await.access_token)
        }
        Caller::Employee => {
            // The head himself: the target employee is his subordinate.
            let (user, _) = app.session_as("employee", &["employee"]).await;
            app.link_user(a, user.id, head).await;
            Some(app.login(&user).await.access_token)
        }
        Caller::Auditor => Some(app.session_as("auditor", &["auditor"]).await.1.access_token),
        Caller::Service => Some(service_token(app, &admin).await),
    };
    Fixtures {
        target,
        service_account_id,
        opd,
        sub_unit,
        leaf_unit,
        employee,
        cycle,
        indicator,
        skp,
        rhk_kept,
        rhk_removed,
        service,
        survey_period,
        head,
        training,
        record,
        token,
    }
}

/// A service account with every scope, logged in with client credentials.
async fn service_token(app: &TestApp, admin: &Session) -> String {
    let scopes = [
        "import:units",
        "import:employees",
        "import:skps",
        "import:realizations",
        "import:survey-responses",
        "import:training-records",
        "read:org",
        "read:performance",
        "read:reports",
        "read:events",
        "submit:surveys",
    ];
    app.service_token(&admin.access_token, "integration", &scopes)
        .await
}

/// The concrete path and body of a row, for these fixtures.
fn request(operation: &str, fx: &Fixtures, serial: usize) -> (Method, String, Option<Value>) {
    let (method, template) = operation.split_once(' ').unwrap();
    let method: Method = method.parse().unwrap();
    let id = if template.starts_with("/api/v1/users/") {
        fx.target.id.to_string()
    } else if template.starts_with("/api/v1/units/") {
        if method == Method::DELETE {
            fx.leaf_unit
        } else {
            fx.sub_unit
        }
        .to_string()
    } else if operation == "POST /api/v1/employees/{id}/training-records" {
        fx.head.to_string()
    } else if template.starts_with("/api/v1/employees/") {
        fx.employee.to_string()
    } else if template.starts_with("/api/v1/cycles/") {
        fx.cycle.clone()
    } else if template.starts_with("/api/v1/skps/") {
        fx.skp.clone()
    } else if template.starts_with("/api/v1/trainings/") {
        fx.training.to_string()
    } else if template.starts_with("/api/v1/training-records/") {
        fx.record.to_string()
    } else if template.starts_with("/api/v1/objections/") {
        uuid::Uuid::nil().to_string()
    } else {
        fx.service_account_id.clone()
    };
    let path = template
        .replace("{id}", &id)
        .replace("{unit_id}", &fx.opd.to_string())
        .replace("{indicator_id}", &fx.indicator)
        .replace("{employee_id}", &fx.employee.to_string())
        .replace("{feedback_id}", &uuid::Uuid::nil().to_string())
        .replace("{period}", "q1")
        .replace("{service_id}", &fx.service.to_string())
        .replace("{period_id}", &fx.survey_period.to_string())
        .replace("{unit_code}", "OPD1.LAYANAN")
        .replace(
            "{rhk_id}",
            if method == Method::DELETE {
                &fx.rhk_removed
            } else {
                &fx.rhk_kept
            },
        );
    let path = match operation {
        "GET /api/v1/feedback" => format!("{path}?unit_id={}", fx.opd),
        "GET /api/v1/skm/results" => format!("{path}?unit_id={}", fx.sub_unit),
        "GET /api/v1/public/ikm" => format!("{path}?unit_code=OPD1.SUB&year=2026"),
        "GET /api/v1/reports/training-compliance" => format!("{path}?unit_id={}", fx.opd),
        "GET /api/v1/reports/predikat-distribution" | "GET /api/v1/reports/follow-up" => {
            format!("{path}?cycle_id={}&unit_id={}", fx.cycle, fx.opd)
        }
        "GET /api/v1/reports/ikm-trend" => format!("{path}?unit_id={}", fx.opd),
        "GET /api/v1/employees/{id}/development-recommendations"
        | "GET /api/v1/employees/{id}/development-plan" => format!("{path}?cycle_id={}", fx.cycle),
        "GET /api/v1/exports/annual-predikat" => format!("{path}?year=2026"),
        "GET /api/v1/reports/participation" => {
            format!("{path}?cycle_id={}&unit_id={}", fx.cycle, fx.opd)
        }
        "GET /api/v1/reports/overview" => format!("{path}?cycle_id={}", fx.cycle),
        "GET /api/v1/reports/participation/employees" => {
            format!(
                "{path}?cycle_id={}&unit_id={}&missing=feedback",
                fx.cycle, fx.opd
            )
        }
        "GET /api/v1/reports/monthly-performance" => {
            format!("{path}?month=2026-03&unit_id={}", fx.opd)
        }
        _ => path,
    };
    let body = match operation {
        "POST /api/v1/auth/token" => Some(
            json!({"grant_type": "password", "username": fx.target.username, "password": fx.target.password}),
        ),
        "POST /api/v1/auth/refresh" | "POST /api/v1/auth/logout" => {
            Some(json!({"refresh_token": "not-a-token"}))
        }
        "POST /api/v1/users" => Some(
            json!({"username": format!("new.user.{serial}"), "password": "operator-sandi-2026", "roles": ["employee"]}),
        ),
        "PATCH /api/v1/users/{id}" => Some(json!({"roles": ["employee", "auditor"]})),
        "POST /api/v1/users/{id}/password" => Some(json!({"new_password": "sementara-sandi-2026"})),
        "POST /api/v1/service-accounts" => Some(json!({"name": "new", "scopes": ["read:org"]})),
        "PATCH /api/v1/service-accounts/{id}" => Some(json!({"name": "renamed"})),
        "POST /api/v1/users/from-employees" => {
            Some(json!({"unit_id": fx.opd, "roles": ["employee"]}))
        }
        "POST /api/v1/units" => Some(
            json!({"code": format!("NEW{serial}"), "name": "Bidang Baru", "kind": "bidang", "parent_id": fx.opd}),
        ),
        "PATCH /api/v1/units/{id}" => Some(json!({"name": "Bidang Pelayanan"})),
        "POST /api/v1/employees" => Some(json!({
            "nip": kinerja_tests::test_nip(1000 + serial as u32), "name": "Pegawai Baru", "employment_type": "pns",
            "golongan": "II/a", "position": "Pengadministrasi", "position_kind": "pelaksana", "unit_id": fx.sub_unit,
        })),
        "PATCH /api/v1/employees/{id}" => Some(json!({"position": "Analis Senior"})),
        "POST /api/v1/cycles" => Some(json!({"year": 2030 + serial})),
        "PATCH /api/v1/cycles/{id}" => Some(json!({"name": "Siklus Kinerja 2026 (revisi)"})),
        "POST /api/v1/cycles/{id}/units/{unit_id}/indicators" => Some(
            json!({"description": "Indeks kepuasan layanan", "direction": "higher_is_better", "target": 80, "unit": "indeks"}),
        ),
        "PATCH /api/v1/cycles/{id}/units/{unit_id}/indicators/{indicator_id}" => {
            Some(json!({"target": 96}))
        }
        "POST /api/v1/skps" => Some(json!({"cycle_id": fx.cycle, "employee_id": fx.employee})),
        "PATCH /api/v1/skps/{id}" => Some(json!({"end_date": "2026-12-31"})),
        "POST /api/v1/skps/{id}/rhk" => Some(
            json!({"kind": "tambahan", "description": format!("Tugas {serial}"), "indicators": []}),
        ),
        "PATCH /api/v1/skps/{id}/rhk/{rhk_id}" => {
            Some(json!({"description": "Pelayanan KTP-el dan KIA tepat waktu"}))
        }
        "POST /api/v1/skps/{id}/return" => Some(json!({"reason": "Perjelas indikator"})),
        "POST /api/v1/skps/{id}/realizations" => {
            Some(json!({"indicator_id": uuid::Uuid::nil(), "period": "q1", "value": 90}))
        }
        "POST /api/v1/cycles/{id}/units/{unit_id}/indicators/{indicator_id}/realizations" => {
            Some(json!({"period": "q1", "value": 93.5}))
        }
        "POST /api/v1/skps/{id}/feedback" => Some(
            json!({"period": "q1", "rhk_id": fx.rhk_kept, "text": "Pertahankan ketepatan waktu."}),
        ),
        "POST /api/v1/skps/{id}/feedback/{feedback_id}/replies" => {
            Some(json!({"text": "Terima kasih, Pak."}))
        }
        "PUT /api/v1/skps/{id}/evaluations/{period}/self-assessment" => {
            Some(json!({"core_values": [{"core_value": "adaptif", "text": "Belajar SIAK baru."}]}))
        }
        "PUT /api/v1/skps/{id}/evaluations/{period}/assessment" => Some(json!({
            "work_rating": "sesuai_ekspektasi", "behavior_rating": "sesuai_ekspektasi",
            "behavior_ratings": {"berorientasi_pelayanan": "sesuai_ekspektasi", "akuntabel": "sesuai_ekspektasi",
                "kompeten": "sesuai_ekspektasi", "harmonis": "sesuai_ekspektasi", "loyal": "sesuai_ekspektasi",
                "adaptif": "sesuai_ekspektasi", "kolaboratif": "sesuai_ekspektasi"},
        })),
        "POST /api/v1/skps/{id}/evaluations/{period}/reopen" => {
            Some(json!({"reason": "Koreksi data"}))
        }
        "POST /api/v1/skps/{id}/evaluations/{period}/objections" => {
            Some(json!({"reason": "Rating tidak sesuai capaian"}))
        }
        "POST /api/v1/objections/{id}/explanation" => Some(json!({"text": "Penjelasan"})),
        "POST /api/v1/objections/{id}/decide" => Some(json!({"decision": "rejected"})),
        "POST /api/v1/units/{id}/services" => {
            Some(json!({"code": format!("SVC{serial}"), "name": "Layanan baru"}))
        }
        "PATCH /api/v1/units/{id}/services/{service_id}" => Some(json!({"name": "KTP elektronik"})),
        "POST /api/v1/units/{id}/survey-periods" => Some(
            json!({"name": "Triwulan II", "start_date": "2026-04-01", "end_date": "2026-06-30", "population": 1000}),
        ),
        "PUT /api/v1/cycles/{id}/units/{unit_id}/performance" => {
            Some(json!({"period": "q1", "predikat": "baik", "reason": "Capaian IKU sesuai target"}))
        }
        "POST /api/v1/cycles/{id}/units/{unit_id}/calibration/finalize" => {
            Some(json!({"period": "q4"}))
        }
        "POST /api/v1/trainings" => Some(json!({
            "title": format!("Coaching {serial}"), "route": "nonklasikal", "method": "coaching", "jp": 4,
            "provider": "BKPSDM", "start_date": "2026-03-01", "end_date": "2026-03-31",
        })),
        "PATCH /api/v1/trainings/{id}" => Some(json!({"quota": 50})),
        "POST /api/v1/trainings/{id}/participants" => Some(json!({"employee_id": fx.head})),
        "POST /api/v1/trainings/{id}/participants/{employee_id}/attend" => Some(json!({})),
        "POST /api/v1/trainings/{id}/participants/{employee_id}/complete" => {
            Some(json!({"jp": 8, "certificate_no": format!("SIAK-{serial}")}))
        }
        "POST /api/v1/trainings/{id}/participants/{employee_id}/drop" => {
            Some(json!({"reason": "Tugas luar kota"}))
        }
        "POST /api/v1/employees/{id}/training-records" => Some(json!({
            "title": "Webinar Manajemen ASN", "route": "klasikal", "method": "seminar", "jp": 2,
            "completed_on": "2026-02-20", "evidence": "Sertifikat webinar",
        })),
        "POST /api/v1/training-records/{id}/approve" => Some(json!({})),
        "POST /api/v1/training-records/{id}/reject" => {
            Some(json!({"reason": "Sertifikat tidak terbaca"}))
        }
        "POST /api/v1/employees/{id}/development-plan" => {
            Some(json!({"cycle_id": fx.cycle, "training_ids": [fx.training]}))
        }
        "POST /api/v1/imports/training-records" => Some(json!([{
            "nip": kinerja_tests::test_nip(2), "title": "Bimtek Arsip Elektronik", "route": "klasikal",
            "method": "bimbingan_teknis", "jp": 8, "completed_on": "2026-02-20", "certificate_no": format!("IMP-{serial}"),
        }])),
        "POST /api/v1/imports/units" => Some(
            json!([{"code": format!("IMP{serial}"), "name": "Bidang Impor", "kind": "bidang", "parent_code": "OPD1"}]),
        ),
        "POST /api/v1/imports/employees" => Some(json!([{
            "nip": kinerja_tests::test_nip(2000 + serial as u32), "name": "Pegawai Impor", "employment_type": "pns",
            "golongan": "II/a", "position": "Pengadministrasi", "position_kind": "pelaksana", "unit_code": "OPD1.SUB",
        }])),
        "POST /api/v1/imports/skps" => Some(json!([{
            "nip": kinerja_tests::test_nip(2), "cycle_year": 2026, "rhk_code": format!("IMP{serial}"), "rhk_kind": "utama",
            "rhk_description": "Verifikasi berkas", "parent_rhk_code": "R1", "indicator_code": format!("IMP{serial}.1"),
            "indicator_description": "Berkas terverifikasi", "aspect": "kuantitas", "direction": "higher_is_better",
            "target": 100, "unit": "berkas",
        }])),
        "POST /api/v1/imports/realizations" => Some(json!([{
            "nip": kinerja_tests::test_nip(1), "cycle_year": 2026, "indicator_code": "R1.1", "period": "q1", "value": 90,
        }])),
        "POST /api/v1/public/surveys/{unit_code}/responses" => Some(json!({
            "service": "LAYANAN-1",
            "answers": {"u1": 4, "u2": 3, "u3": 3, "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u8": 2, "u9": 3},
            "gender": "l", "comment": format!("Baik ({serial})"),
        })),
        "POST /api/v1/imports/survey-responses" => Some(json!([{
            "unit_code": "OPD1.LAYANAN", "service": "LAYANAN-1", "date": "2026-03-01",
            "u1": 4, "u2": 3, "u3": 3, "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u8": 2, "u9": 3,
            "comment": format!("Kuesioner kertas ({serial})"),
        }])),
        _ => None,
    };
    (method, path, body)
}

/// Every operation in the spec, as "METHOD /path".
fn spec_operations() -> BTreeSet<String> {
    let spec = kinerja_api::openapi::spec();
    let mut operations = BTreeSet::new();
    for (path, item) in &spec.paths.paths {
        for (method, present) in [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ] {
            if present {
                operations.insert(format!("{method} {path}"));
            }
        }
    }
    operations
}

#[test]
fn every_operation_has_a_row_and_every_row_an_operation() {
    let in_spec = spec_operations();
    let in_matrix: BTreeSet<String> = MATRIX.iter().map(|r| r.operation.to_owned()).collect();
    let missing: Vec<_> = in_spec.difference(&in_matrix).collect();
    let stale: Vec<_> = in_matrix.difference(&in_spec).collect();
    assert!(
        missing.is_empty(),
        "operations without a permission-matrix row: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for operations that no longer exist: {stale:?}"
    );
    assert_eq!(in_matrix.len(), MATRIX.len(), "an operation has two rows");
}

#[tokio::test]
async fn every_caller_gets_the_expected_status_on_every_operation() {
    for backend in backends() {
        let mut failures = Vec::new();
        for (column, caller) in CALLERS.iter().enumerate() {
            let app = TestApp::spawn(backend).await;
            let fx = fixtures(&app, *caller).await;
            for (serial, row) in MATRIX.iter().enumerate() {
                let (method, path, body) = request(row.operation, &fx, serial);
                let mut builder = app.request(method, &path);
                if let Some(token) = &fx.token {
                    builder = builder.bearer_auth(token);
                }
                // Changes need the current ETag (deletes of SKP children too); `*` matches it.
                if row.operation.starts_with("PATCH")
                    || row.operation.starts_with("PUT")
                    || row.operation.starts_with("DELETE")
                {
                    builder = builder.header("If-Match", "*");
                }
                if let Some(body) = body {
                    builder = builder.json(&body);
                }
                let response = app.send(builder).await;
                let expected = row.expect[column];
                if response.status != expected {
                    failures.push(format!(
                        "{backend:?} {caller:?} {}: expected {expected}, got {} {}",
                        row.operation,
                        response.status,
                        response.text()
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "permission matrix violations:\n{}",
            failures.join("\n")
        );
    }
}
