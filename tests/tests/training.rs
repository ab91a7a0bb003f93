//! Competency development: programmes and their seats, participation and completion, external
//! records that count only once the superior approves them, the yearly JP compliance of PNS and
//! PPPK against a hand-built year, and recommendations and development plans that follow an
//! evaluation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::city::{
    City, action, approved_and_running, city, core_values, draft, employee, put, rhk,
};
use kinerja_tests::{TestApp, TestResponse, on_each_db};
use serde_json::{Value, json};
use uuid::Uuid;

fn programme(title: &str, tags: &[&str], quota: Option<u32>) -> Value {
    json!({"title": title, "route": "klasikal", "method": "pelatihan", "jp": 24,
           "competencies": tags, "provider": "BKPSDM Kota Pematangsiantar",
           "start_date": "2026-02-20", "end_date": "2026-03-20", "quota": quota,
           "sessions": [{"date": "2026-02-20", "start_time": "08:00", "end_time": "16:00", "location": "Aula BKPSDM"}]})
}

async fn create(app: &TestApp, admin: &str, body: &Value) -> String {
    let created = app.post_as("/api/v1/trainings", admin, body).await;
    created.assert_status(201);
    created.json()["id"].as_str().unwrap().to_owned()
}

async fn enrol(app: &TestApp, token: &str, training: &str, employee: Uuid) -> TestResponse {
    app.post_as(
        &format!("/api/v1/trainings/{training}/participants"),
        token,
        &json!({"employee_id": employee}),
    )
    .await
}

async fn complete(
    app: &TestApp,
    token: &str,
    training: &str,
    employee: Uuid,
    body: &Value,
) -> TestResponse {
    app.post_as(
        &format!("/api/v1/trainings/{training}/participants/{employee}/complete"),
        token,
        body,
    )
    .await
}

/// Enrols `employee` and completes the programme with `jp`.
async fn earn(app: &TestApp, c: &City, training: &str, employee: Uuid, jp: f64, cert: &str) {
    enrol(app, &c.admin, training, employee)
        .await
        .assert_status(201);
    complete(
        app,
        &c.admin,
        training,
        employee,
        &json!({"jp": jp, "certificate_no": cert}),
    )
    .await
    .assert_status(200);
}

async fn pppk(app: &TestApp, c: &City, nip: &str, name: &str, unit: &str) -> Uuid {
    let created = app
        .post_as(
            "/api/v1/employees",
            &c.admin,
            &json!({"nip": nip, "name": name, "employment_type": "pppk", "golongan": "IX",
                    "position": "Pranata Komputer", "position_kind": "fungsional", "unit_id": unit,
                    "supervisor_id": c.kadis.0}),
        )
        .await;
    created.assert_status(201);
    created.json()["id"].as_str().unwrap().parse().unwrap()
}

async fn unit_of(app: &TestApp, c: &City, employee: Uuid) -> String {
    app.get_as(&format!("/api/v1/employees/{employee}"), &c.admin)
        .await
        .json()["unit_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn item(report: &Value, employee: Uuid) -> &Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["employee_id"] == json!(employee))
        .unwrap_or_else(|| panic!("{employee} not in {report}"))
}

#[tokio::test]
async fn compliance_figures_match_a_hand_built_year() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let a = &c.admin;
        let dinas = unit_of(app, &c, c.kadis.0).await;
        let pppk_over = pppk(app, &c, "199005202021012001", "Dedi Saragih", &dinas).await;
        let pppk_none = pppk(app, &c, "199106152022012002", "Sari Purba", &dinas).await;
        let t1 = create(app, a, &programme("Pelatihan SIAK Terpusat", &["teknologi_informasi"], None)).await;
        let t2 = create(app, a, &programme("Pelayanan Prima", &["berorientasi_pelayanan"], None)).await;

        // The staff member (PNS): 12 + 7.6 JP = 19.6 (882 minutes), 0.4 JP short of 20.
        earn(app, &c, &t1, c.staf.0, 12.0, "SIAK-001").await;
        earn(app, &c, &t2, c.staf.0, 7.6, "PP-001").await;
        // The kadis (PNS): the full 24 JP of one programme (jp left out).
        enrol(app, a, &t1, c.kadis.0).await.assert_status(201);
        complete(app, a, &t1, c.kadis.0, &json!({"certificate_no": "SIAK-002"}))
            .await
            .assert_status(200);
        // A PPPK with 24 + 1.33 JP: above the cap of 24.
        earn(app, &c, &t1, pppk_over, 24.0, "SIAK-003").await;
        earn(app, &c, &t2, pppk_over, 1.33, "PP-002").await;
        // A record of 2025 counts for 2025 only.
        let old = app
            .post_as(
                &format!("/api/v1/employees/{}/training-records", c.kadis.0),
                &c.kadis.1,
                &json!({"title": "Bimtek SAKIP", "route": "klasikal", "method": "bimbingan_teknis", "jp": 30,
                        "completed_on": "2025-11-10", "evidence": "Sertifikat No. 55/2025"}),
            )
            .await;
        old.assert_status(201);
        let old_id = old.json()["id"].as_str().unwrap().to_owned();
        app.post_as(&format!("/api/v1/training-records/{old_id}/approve"), &c.sekda.1, &json!({}))
            .await
            .assert_status(200);

        let report = app
            .get_as(&format!("/api/v1/reports/training-compliance?year=2026&unit_id={dinas}"), a)
            .await;
        report.assert_status(200);
        let r = report.json();
        assert_eq!(r["requirements"], json!({"pns_minimum": 20.0, "pppk_minimum": 0.0, "pppk_cap": 24.0}));
        let staf = item(&r, c.staf.0);
        assert_eq!(
            (staf["jp"].clone(), staf["required"].clone(), staf["met"].clone(), staf["missing_jp"].clone()),
            (json!(19.6), json!(20.0), json!(false), json!(0.4))
        );
        let kadis = item(&r, c.kadis.0);
        assert_eq!((kadis["jp"].clone(), kadis["met"].clone()), (json!(24.0), json!(true)));
        let over = item(&r, pppk_over);
        // 1.33 JP = 59.85 minutes, stored as 60: 24 JP + 60 minutes = 25.33 JP.
        assert_eq!(
            (over["jp"].clone(), over["required"].clone(), over["cap"].clone(), over["met"].clone(), over["over_cap"].clone()),
            (json!(25.33), json!(0.0), json!(24.0), json!(false), json!(true))
        );
        let none = item(&r, pppk_none);
        assert_eq!((none["jp"].clone(), none["met"].clone(), none["over_cap"].clone()), (json!(0.0), json!(true), json!(false)));
        assert_eq!(r["totals"], json!({"employees": 4, "met": 2, "short": 1, "over_cap": 1, "jp": 68.93}));
        assert_eq!(r["units"].as_array().unwrap().len(), 1);
        assert_eq!(r["units"][0]["employees"], 4);

        // Who is short: only the staff member is listed; totals still count everyone.
        let short = app
            .get_as(&format!("/api/v1/reports/training-compliance?year=2026&unit_id={dinas}&standing=short"), a)
            .await
            .json();
        assert_eq!(short["total"], 1);
        assert_eq!(short["items"][0]["employee_id"], json!(c.staf.0));
        assert_eq!(short["totals"]["employees"], 4);

        // The city as a whole, by JP descending: the sekda (no JP) is short too.
        let city_report = app
            .get_as("/api/v1/reports/training-compliance?year=2026&sort=-jp", a)
            .await
            .json();
        assert_eq!(city_report["totals"]["employees"], 5);
        assert_eq!(city_report["totals"]["short"], 2);
        assert_eq!(city_report["items"][0]["employee_id"], json!(pppk_over));

        // 2025: only the Bimtek.
        let y2025 = app
            .get_as(&format!("/api/v1/employees/{}/training-records?year=2025", c.kadis.0), &c.kadis.1)
            .await
            .json();
        assert_eq!((y2025["compliance"]["jp"].clone(), y2025["compliance"]["met"].clone()), (json!(30.0), json!(true)));
        assert_eq!(y2025["items"].as_array().unwrap().len(), 1);
        let y2026 = app
            .get_as(&format!("/api/v1/employees/{}/training-records", c.staf.0), &c.staf.1)
            .await
            .json();
        assert_eq!(y2026["year"], 2026);
        assert_eq!(y2026["compliance"]["jp"], 19.6);
        assert_eq!(y2026["items"].as_array().unwrap().len(), 2);

        // The requirement follows the year's cycle: a PPPK minimum of 10 JP leaves Sari short.
        app.patch_as(
            &format!("/api/v1/cycles/{}", c.cycle),
            a,
            Some("*"),
            &json!({"settings": {"jp_minimum_pppk": 10}}),
        )
        .await
        .assert_status(200);
        let r = app
            .get_as(&format!("/api/v1/reports/training-compliance?year=2026&unit_id={dinas}"), a)
            .await
            .json();
        let none = item(&r, pppk_none);
        assert_eq!((none["required"].clone(), none["met"].clone(), none["missing_jp"].clone()), (json!(10.0), json!(false), json!(10.0)));
        assert_eq!(r["totals"]["short"], 2);
    })
    .await;
}

#[tokio::test]
async fn the_report_is_scoped_like_the_units_behind_it() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let dinas = unit_of(app, &c, c.kadis.0).await;
        let setda = unit_of(app, &c, c.sekda.0).await;
        let path = |unit: &str| format!("/api/v1/reports/training-compliance?unit_id={unit}");
        app.patch_as(
            &format!("/api/v1/units/{setda}"),
            &c.admin,
            Some("*"),
            &json!({"head_employee_id": c.sekda.0}),
        )
        .await
        .assert_status(200);
        // The kadis heads Disdukcapil; the sekda heads Setda above it.
        app.get_as(&path(&dinas), &c.kadis.1)
            .await
            .assert_status(200);
        app.get_as(&path(&dinas), &c.sekda.1)
            .await
            .assert_status(200);
        app.get_as(&path(&setda), &c.kadis.1)
            .await
            .assert_problem(403, "forbidden");
        app.get_as(&path(&dinas), &c.staf.1)
            .await
            .assert_problem(403, "forbidden");
        // A head must name his unit; the unit admin defaults to his units.
        app.get_as("/api/v1/reports/training-compliance", &c.kadis.1)
            .await
            .assert_problem(422, "validation_failed");
        let mine = app
            .get_as("/api/v1/reports/training-compliance", &c.operator)
            .await;
        mine.assert_status(200);
        assert_eq!(
            mine.json()["totals"]["employees"],
            2,
            "the kadis and his staff"
        );
        app.get_as(&path(&setda), &c.operator)
            .await
            .assert_problem(403, "forbidden");
        let (_, auditor) = app.session_as("inspektur", &["auditor"]).await;
        let all = app
            .get_as("/api/v1/reports/training-compliance", &auditor.access_token)
            .await;
        assert_eq!(all.json()["totals"]["employees"], 3);
        app.get_as(
            &format!(
                "/api/v1/reports/training-compliance?unit_id={}",
                Uuid::now_v7()
            ),
            &c.admin,
        )
        .await
        .assert_problem(404, "not_found");
    })
    .await;
}

#[tokio::test]
async fn an_external_record_counts_only_after_the_superior_approves_it() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let records = format!("/api/v1/employees/{}/training-records", c.staf.0);
        let body = json!({"title": "E-Learning Literasi Digital ASN", "route": "nonklasikal", "method": "e_learning",
                          "jp": 10, "completed_on": "2026-02-15", "certificate_no": "ASNU-2026-118844",
                          "evidence": "https://asn.futurelearning.id/sertifikat/118844"});
        // Only the employee submits his own.
        app.post_as(&records, &c.kadis.1, &body).await.assert_problem(403, "forbidden");
        app.post_as(&records, &c.admin, &body).await.assert_problem(403, "forbidden");
        let submitted = app.post_as(&records, &c.staf.1, &body).await;
        submitted.assert_status(201);
        let record = submitted.json();
        assert_eq!((record["status"].as_str(), record["counts"].as_bool()), (Some("pending"), Some(false)));
        let id = record["id"].as_str().unwrap().to_owned();
        let standing = app.get_as(&records, &c.staf.1).await.json();
        assert_eq!((standing["compliance"]["jp"].clone(), standing["pending_jp"].clone()), (json!(0.0), json!(10.0)));
        // The same certificate again is refused: JP count once.
        app.post_as(&records, &c.staf.1, &body).await.assert_problem(409, "duplicate_record");

        // Bad input names each field.
        let bad = app
            .post_as(&records, &c.staf.1, &json!({"title": " ", "route": "klasikal", "method": "e_learning",
                "jp": 0.001, "completed_on": "2026-12-31", "evidence": "x"}))
            .await;
        let problem = bad.assert_problem(422, "validation_failed");
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["title", "method", "jp", "completed_on"]);

        // The superior's queue, then his decision: not the sekda (above him), not the staff.
        let queue = app.get_as("/api/v1/training-records?status=pending", &c.kadis.1).await.json();
        assert_eq!(queue["total"], 1);
        let actions = format!("/api/v1/training-records/{id}/actions");
        assert_eq!(app.get_as(&actions, &c.kadis.1).await.json()["actions"], json!(["approve", "reject"]));
        assert_eq!(app.get_as(&actions, &c.staf.1).await.json()["actions"], json!([]));
        let approve = format!("/api/v1/training-records/{id}/approve");
        app.post_as(&approve, &c.staf.1, &json!({})).await.assert_problem(403, "forbidden");
        app.post_as(&approve, &c.sekda.1, &json!({})).await.assert_problem(403, "forbidden");
        app.post_as(&approve, &c.admin, &json!({})).await.assert_problem(403, "forbidden");
        let approved = app.post_as(&approve, &c.kadis.1, &json!({})).await;
        approved.assert_status(200);
        assert_eq!(approved.json()["status"], "approved");
        app.post_as(&approve, &c.kadis.1, &json!({})).await.assert_problem(409, "record_decided");
        assert_eq!(app.get_as(&actions, &c.kadis.1).await.json()["actions"], json!([]));
        let standing = app.get_as(&records, &c.staf.1).await.json();
        assert_eq!((standing["compliance"]["jp"].clone(), standing["pending_jp"].clone()), (json!(10.0), json!(0.0)));

        // A rejection needs a reason and leaves the JP uncounted.
        let other = app
            .post_as(&records, &c.staf.1, &json!({"title": "Webinar Kearsipan", "route": "klasikal", "method": "seminar",
                "jp": 2, "completed_on": "2026-02-20", "evidence": "Foto sertifikat"}))
            .await;
        let other_id = other.json()["id"].as_str().unwrap().to_owned();
        let reject = format!("/api/v1/training-records/{other_id}/reject");
        app.post_as(&reject, &c.kadis.1, &json!({})).await.assert_problem(422, "validation_failed");
        let rejected = app.post_as(&reject, &c.kadis.1, &json!({"reason": "Sertifikat tidak terbaca."})).await;
        rejected.assert_status(200);
        assert_eq!(rejected.json()["decision_reason"], "Sertifikat tidak terbaca.");
        assert_eq!(app.get_as(&records, &c.staf.1).await.json()["compliance"]["jp"], 10.0);

        // The sekda has no superior: an admin decides for him.
        let sekda_record = app
            .post_as(&format!("/api/v1/employees/{}/training-records", c.sekda.0), &c.sekda.1,
                &json!({"title": "Diklat PIM II", "route": "klasikal", "method": "pelatihan", "jp": 20,
                        "completed_on": "2026-01-30", "evidence": "STTPP 12/2026"}))
            .await;
        let sekda_id = sekda_record.json()["id"].as_str().unwrap().to_owned();
        app.post_as(&format!("/api/v1/training-records/{sekda_id}/approve"), &c.admin, &json!({}))
            .await
            .assert_status(200);

        // Someone outside the line does not see the record at all.
        let outsider = employee(app, &c.admin, 9, "Analis Setda", "pelaksana", unit_of(app, &c, c.sekda.0).await.parse().unwrap(), Some(c.sekda.0)).await;
        let (_, outsider_token) = kinerja_tests::city::person(app, &c.admin, "analis", outsider).await;
        app.get_as(&format!("/api/v1/training-records/{id}"), &outsider_token)
            .await
            .assert_problem(404, "not_found");
        app.get_as(&records, &outsider_token).await.assert_problem(404, "not_found");
        assert_eq!(app.get_as("/api/v1/training-records", &outsider_token).await.json()["total"], 0);

        // Every step is audited.
        let audit = app.get_as(&format!("/api/v1/audit-events?entity_id={id}"), &c.admin).await.json();
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"training_record.submitted") && actions.contains(&"training_record.approved"), "{actions:?}");
    })
    .await;
}

#[tokio::test]
async fn programmes_keep_their_quota_dates_and_who_may_enrol() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let a = &c.admin;
        // Only admins write the catalogue; every field is checked.
        app.post_as("/api/v1/trainings", &c.operator, &programme("X", &[], None))
            .await
            .assert_problem(403, "forbidden");
        let mut bad = programme("Coaching", &["Teknologi Informasi"], Some(0));
        bad["method"] = json!("coaching");
        bad["jp"] = json!(1.234);
        bad["end_date"] = json!("2026-02-01");
        bad["sessions"] = json!([{"date": "2026-02-20", "start_time": "8 pagi"}]);
        let problem = app
            .post_as("/api/v1/trainings", a, &bad)
            .await
            .assert_problem(422, "validation_failed");
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        for f in [
            "method",
            "jp",
            "competencies[0]",
            "end_date",
            "quota",
            "sessions[0].start_time",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }

        let t = create(
            app,
            a,
            &programme("Pelatihan SIAK Terpusat", &["teknologi_informasi"], Some(2)),
        )
        .await;
        let got = app
            .get_as(&format!("/api/v1/trainings/{t}"), &c.staf.1)
            .await;
        got.assert_status(200);
        assert_eq!(got.header("etag"), Some("\"1\""));
        assert_eq!(
            (got.json()["jp"].clone(), got.json()["seats_left"].clone()),
            (json!(24.0), json!(2))
        );
        let listed = app
            .get_as(
                "/api/v1/trainings?competency=teknologi_informasi&year=2026",
                &c.staf.1,
            )
            .await
            .json();
        assert_eq!(listed["total"], 1);
        assert_eq!(
            app.get_as("/api/v1/trainings?competency=teknologi", &c.staf.1)
                .await
                .json()["total"],
            0
        );

        // Who may enrol: himself, his superior, his unit admin; nobody he does not see.
        enrol(app, &c.staf.1, &t, c.kadis.0)
            .await
            .assert_problem(404, "not_found");
        enrol(app, &c.staf.1, &t, c.staf.0).await.assert_status(201);
        enrol(app, &c.staf.1, &t, c.staf.0)
            .await
            .assert_problem(409, "already_enrolled");
        enrol(app, &c.operator, &t, c.sekda.0)
            .await
            .assert_problem(404, "not_found");
        enrol(app, &c.sekda.1, &t, c.kadis.0)
            .await
            .assert_status(201);
        // Two seats, both taken.
        enrol(app, &c.sekda.1, &t, c.sekda.0)
            .await
            .assert_problem(409, "training_full");
        // The quota cannot drop below the seats taken.
        app.patch_as(
            &format!("/api/v1/trainings/{t}"),
            a,
            Some("\"1\""),
            &json!({"quota": 1}),
        )
        .await
        .assert_problem(422, "validation_failed");
        // Dropping frees the seat; only the employee, his line, his unit admin or an admin drop.
        let drop = format!("/api/v1/trainings/{t}/participants/{}/drop", c.kadis.0);
        app.post_as(&drop, &c.staf.1, &json!({}))
            .await
            .assert_problem(404, "not_found");
        let (_, auditor) = app.session_as("inspektur", &["auditor"]).await;
        app.post_as(&drop, &auditor.access_token, &json!({}))
            .await
            .assert_problem(403, "forbidden");
        enrol(app, &auditor.access_token, &t, c.sekda.0)
            .await
            .assert_problem(403, "forbidden");
        let dropped = app
            .post_as(&drop, &c.kadis.1, &json!({"reason": "Rapat koordinasi."}))
            .await;
        dropped.assert_status(200);
        assert_eq!(dropped.json()["status"], "dropped");
        enrol(app, &c.sekda.1, &t, c.sekda.0)
            .await
            .assert_status(201);
        // Attendance and completion belong to the organisers.
        let attend = format!("/api/v1/trainings/{t}/participants/{}/attend", c.staf.0);
        app.post_as(&attend, &c.kadis.1, &json!({}))
            .await
            .assert_problem(403, "forbidden");
        app.post_as(&attend, &c.operator, &json!({}))
            .await
            .assert_status(200);
        complete(app, a, &t, c.staf.0, &json!({"jp": 30}))
            .await
            .assert_problem(422, "validation_failed");
        let done = complete(
            app,
            &c.operator,
            &t,
            c.staf.0,
            &json!({"jp": 20, "certificate_no": "SIAK-9"}),
        )
        .await;
        done.assert_status(200);
        assert_eq!(
            (
                done.json()["participant"]["status"].clone(),
                done.json()["record"]["jp"].clone()
            ),
            (json!("completed"), json!(20.0))
        );
        complete(app, a, &t, c.staf.0, &json!({}))
            .await
            .assert_problem(409, "participation_closed");
        app.post_as(
            &format!("/api/v1/trainings/{t}/participants/{}/drop", c.staf.0),
            &c.staf.1,
            &json!({}),
        )
        .await
        .assert_problem(409, "participation_closed");
        let participants = app
            .get_as(&format!("/api/v1/trainings/{t}/participants"), a)
            .await
            .json();
        assert_eq!(participants["total"], 3);
        // The staff member sees only himself among the participants.
        assert_eq!(
            app.get_as(&format!("/api/v1/trainings/{t}/participants"), &c.staf.1)
                .await
                .json()["total"],
            1
        );

        // Once ended, a programme takes no enrolment.
        app.patch_as(
            &format!("/api/v1/trainings/{t}"),
            a,
            Some("*"),
            &json!({"end_date": "2026-03-01", "sessions": []}),
        )
        .await
        .assert_status(200);
        app.post_as(
            &format!("/api/v1/trainings/{t}/participants/{}/drop", c.sekda.0),
            &c.sekda.1,
            &json!({}),
        )
        .await
        .assert_status(200);
        enrol(app, &c.sekda.1, &t, c.sekda.0)
            .await
            .assert_problem(409, "training_ended");
    })
    .await;
}

/// Every core value rated `rating`, except `berorientasi_pelayanan`, rated `service`.
fn values(rating: &str, service: &str) -> Value {
    let mut v = core_values(rating);
    v["berorientasi_pelayanan"] = json!(service);
    v
}

/// The staff member's approved SKP with one indicator tagged "Teknologi Informasi", whose q1
/// realisasi reaches `percent` of its quarter target (90): (skp id, indicator id).
async fn staff_skp(app: &TestApp, c: &City, realisasi: f64) -> (String, String) {
    let (_, kadis_rhk) = approved_and_running(app, c).await;
    let skp = draft(app, &c.staf.1, &c.cycle, &c.staf.0).await;
    let mut body = rhk(
        "utama",
        "Berkas KTP-el selesai tepat waktu",
        json!({"parent_rhk_id": kadis_rhk}),
    );
    body["indicators"][0]["competencies"] = json!(["Teknologi Informasi"]);
    let added = app
        .post_as(&format!("/api/v1/skps/{skp}/rhk"), &c.staf.1, &body)
        .await;
    added.assert_status(201);
    let indicator = added.json()["rhk"][0]["indicators"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    action(app, &c.staf.1, &skp, "submit", None)
        .await
        .assert_status(200);
    action(app, &c.kadis.1, &skp, "approve", None)
        .await
        .assert_status(200);
    app.post_as(
        &format!("/api/v1/skps/{skp}/realizations"),
        &c.staf.1,
        &json!({"indicator_id": indicator, "period": "q1", "value": realisasi}),
    )
    .await
    .assert_status(201);
    (skp, indicator)
}

#[tokio::test]
async fn recommendations_follow_a_below_expectation_rating_to_the_right_programmes() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let a = &c.admin;
        let service = create(app, a, &programme("Pelayanan Prima", &["berorientasi_pelayanan"], None)).await;
        let it = create(app, a, &programme("Pelatihan SIAK Terpusat", &["teknologi_informasi"], None)).await;
        let both = create(app, a, &programme("Layanan Digital Kependudukan", &["teknologi_informasi", "berorientasi_pelayanan"], None)).await;
        let other = create(app, a, &programme("Akuntabilitas Kinerja", &["akuntabel"], None)).await;
        let (skp, indicator) = staff_skp(app, &c, 63.0).await;
        let recs = format!("/api/v1/employees/{}/development-recommendations?cycle_id={}", c.staf.0, c.cycle);

        // Before any assessment nothing is recommended.
        let none = app.get_as(&recs, &c.staf.1).await.json();
        assert_eq!((none["findings"].as_array().unwrap().len(), none["plan_required"].clone()), (0, json!(false)));

        // The kadis rates q1: work below expectation (capaian 70%), service below expectation.
        let body = json!({"work_rating": "di_bawah_ekspektasi", "behavior_rating": "sesuai_ekspektasi",
                          "behavior_ratings": values("sesuai_ekspektasi", "di_bawah_ekspektasi")});
        let rated = put(app, &c.kadis.1, &format!("/api/v1/skps/{skp}/evaluations/q1/assessment"), &body).await;
        rated.assert_status(200);
        assert_eq!(rated.json()["predikat"], "butuh_perbaikan");

        let r = app.get_as(&recs, &c.staf.1).await;
        r.assert_status(200);
        let r = r.json();
        assert_eq!(r["plan_required"], true);
        let rules: Vec<&str> = r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
        assert_eq!(rules, ["core_value_below_expectation", "predikat_low", "weak_indicator"]);
        assert_eq!(r["findings"][0]["core_value"], "berorientasi_pelayanan");
        assert_eq!(r["findings"][2]["indicator_id"].as_str(), Some(indicator.as_str()));
        assert_eq!(r["findings"][2]["capaian"], 70.0);
        assert_eq!(r["findings"][2]["tags"], json!(["teknologi_informasi"]));
        let items: Vec<(&str, Value)> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["training"]["id"].as_str().unwrap(), i["findings"].clone()))
            .collect();
        assert_eq!(
            items,
            vec![(both.as_str(), json!([0, 2])), (service.as_str(), json!([0])), (it.as_str(), json!([2]))],
            "the programme answering both findings first; the akuntabel one not at all"
        );
        assert_eq!(r["items"][1]["rules"][0]["rule"], "core_value_below_expectation");

        // Outside the line: not found.
        let outsider = employee(app, a, 9, "Analis Setda", "pelaksana", unit_of(app, &c, c.sekda.0).await.parse().unwrap(), Some(c.sekda.0)).await;
        let (_, outsider_token) = kinerja_tests::city::person(app, a, "analis", outsider).await;
        app.get_as(&recs, &outsider_token).await.assert_problem(404, "not_found");

        // The superior accepts recommended programmes only; all or nothing.
        let plan = format!("/api/v1/employees/{}/development-plan", c.staf.0);
        let not_recommended = app
            .post_as(&plan, &c.kadis.1, &json!({"cycle_id": c.cycle, "training_ids": [service, other]}))
            .await;
        let problem = not_recommended.assert_problem(422, "not_recommended");
        assert_eq!(problem["errors"][0]["field"], "training_ids[1]");
        app.post_as(&plan, &c.staf.1, &json!({"cycle_id": c.cycle, "training_ids": [service]}))
            .await
            .assert_problem(403, "forbidden");
        let empty = app.get_as(&format!("{plan}?cycle_id={}", c.cycle), &c.staf.1).await.json();
        assert_eq!((empty["status"].clone(), empty["items"].clone()), (json!("none"), json!([])));

        let accepted = app
            .post_as(&plan, &c.kadis.1, &json!({"cycle_id": c.cycle, "training_ids": [both, service]}))
            .await;
        accepted.assert_status(200);
        let p = accepted.json();
        assert_eq!(p["status"], "planned");
        assert_eq!(p["items"].as_array().unwrap().len(), 2);
        assert_eq!(p["items"][0]["participation_status"], "enrolled");
        assert_eq!(p["items"][0]["findings"][0]["rule"], "core_value_below_expectation");
        let seats = app.get_as(&format!("/api/v1/trainings/{both}"), a).await.json();
        assert_eq!(seats["seats_taken"], 1, "the plan enrolled him");

        // The plan's status follows the enrolments.
        app.post_as(&format!("/api/v1/trainings/{both}/participants/{}/attend", c.staf.0), &c.operator, &json!({}))
            .await
            .assert_status(200);
        assert_eq!(app.get_as(&format!("{plan}?cycle_id={}", c.cycle), &c.kadis.1).await.json()["status"], "in_progress");
        for t in [&both, &service] {
            complete(app, &c.operator, t, c.staf.0, &json!({})).await.assert_status(200);
        }
        assert_eq!(app.get_as(&format!("{plan}?cycle_id={}", c.cycle), &c.staf.1).await.json()["status"], "done");
        // Completed programmes are no longer recommended.
        let after = app.get_as(&recs, &c.staf.1).await.json();
        assert_eq!(after["items"].as_array().unwrap().len(), 1);
        assert_eq!(after["items"][0]["training"]["id"].as_str(), Some(it.as_str()));
    })
    .await;
}

#[tokio::test]
async fn imported_records_count_at_once_and_upsert_by_certificate() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let staf_nip = kinerja_tests::test_nip(3);
        let kadis_nip = kinerja_tests::test_nip(2);
        // The staff member's pending e-learning record: the import approves it.
        app.post_as(
            &format!("/api/v1/employees/{}/training-records", c.staf.0),
            &c.staf.1,
            &json!({"title": "E-Learning Literasi Digital", "route": "nonklasikal", "method": "e_learning",
                    "jp": 10, "completed_on": "2026-02-15", "certificate_no": "ASNU-77", "evidence": "tautan"}),
        )
        .await
        .assert_status(201);
        let csv = format!(
            "nip,title,route,method,jp,completed_on,certificate_no\n\
             {staf_nip},Pelatihan Dasar Analisis Data,nonklasikal,e_learning,12,2026-02-14,LAN-ELN-871\n\
             {staf_nip},Bimtek Arsip Elektronik,klasikal,bimbingan_teknis,2.5,2026-02-20,\n\
             {staf_nip},E-Learning Literasi Digital,nonklasikal,e_learning,10,2026-02-15,asnu-77\n\
             {kadis_nip},Coaching Kepemimpinan,nonklasikal,coaching,6,2026-01-31,LAN-CO-5\n"
        );
        let path = "/api/v1/imports/training-records";
        let dry = app.import(&c.admin, &format!("{path}?dry_run=true"), "text/csv", csv.clone()).await;
        dry.assert_status(200);
        assert_eq!(dry.json(), json!({"dry_run": true, "created": 3, "updated": 1, "unchanged": 0}));
        let records = format!("/api/v1/employees/{}/training-records", c.staf.0);
        assert_eq!(app.get_as(&records, &c.staf.1).await.json()["compliance"]["jp"], 0.0, "a dry run writes nothing");

        // The unit admin imports for his own units only.
        app.import(&c.operator, path, "text/csv", csv.clone())
            .await
            .assert_status(200);
        let standing = app.get_as(&records, &c.staf.1).await.json();
        // 12 + 2.5 (113 minutes) + 10 = 24.51 JP, all counted.
        assert_eq!((standing["compliance"]["jp"].clone(), standing["pending_jp"].clone()), (json!(24.51), json!(0.0)));
        assert_eq!(standing["items"].as_array().unwrap().len(), 3);
        let again = app.import(&c.operator, path, "text/csv", csv.clone()).await;
        assert_eq!(again.json(), json!({"dry_run": false, "created": 0, "updated": 0, "unchanged": 4}));
        let changed = csv.replace("Bimtek Arsip Elektronik,klasikal,bimbingan_teknis,2.5", "Bimtek Arsip Elektronik,klasikal,bimbingan_teknis,3");
        let changed = app.import(&c.admin, path, "text/csv", changed).await;
        // Without a certificate the key is the title and date: the JP change is an update.
        assert_eq!(changed.json(), json!({"dry_run": false, "created": 0, "updated": 1, "unchanged": 3}));

        // Every bad row is reported, nothing is written.
        let bad = format!(
            "nip,title,route,method,jp,completed_on,certificate_no\n\
             {staf_nip},Pelatihan Baru,klasikal,coaching,4,2026-02-01,X-1\n\
             {staf_nip},Pelatihan Baru,klasikal,pelatihan,0,2026-02-01,X-2\n\
             {staf_nip},Pelatihan Baru,klasikal,pelatihan,4,2027-01-01,X-3\n\
             {},Pelatihan Baru,klasikal,pelatihan,4,2026-02-01,X-4\n\
             {staf_nip},Pelatihan Baru,klasikal,pelatihan,4,2026-02-01,x-5\n\
             {staf_nip},Pelatihan Lain,klasikal,pelatihan,4,2026-02-02,X-5\n",
            kinerja_tests::test_nip(1)
        );
        let problem = app.import(&c.operator, path, "text/csv", bad).await.assert_problem(422, "import_invalid");
        let errors: Vec<(u64, &str, &str)> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            errors,
            vec![
                (2, "method", "wrong_route"),
                (3, "jp", "invalid"),
                (4, "completed_on", "invalid"),
                (5, "nip", "unknown_employee"),
                (7, "certificate_no", "duplicate_in_file"),
            ]
        );
        assert_eq!(app.get_as(&records, &c.staf.1).await.json()["items"].as_array().unwrap().len(), 3);
        // Employees and auditors do not import.
        app.import(&c.staf.1, path, "text/csv", csv).await.assert_problem(403, "forbidden");
        let audit = app.get_as("/api/v1/audit-events?action=import.training_records", &c.admin).await.json();
        assert_eq!(audit["total"], 3, "one event per applied import, none for the dry run or the refused one");
    })
    .await;
}
