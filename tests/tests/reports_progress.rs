//! Supervision reports on the progress of a cycle: participation per unit with the employees
//! behind each figure, the monthly payroll figures (JSON and CSV), and the per-OPD overview —
//! each figure checked against a hand-built city, and each report's scoping per role.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::city::{City, action, approved_and_running, assessment, city, draft, put, rhk};
use kinerja_tests::{TestApp, on_each_db};
use serde_json::{Value, json};
use uuid::Uuid;

/// What the city holds beyond [`city`]:
/// - the staff member proposed his own SKP (approved), realised 99 against q1's 90 (110%),
///   self-assessed q1, got two notes in q1 (one answered) and one in q2 from the kadis, was
///   rated baik and finalised in q1, objected and was refused;
/// - the kadis proposed his own SKP (approved) and has nothing else;
/// - an analyst (`=SUM(A1)` as name, to try the CSV) got a draft SKP written by the kadis and
///   24 approved JP on 14 February;
/// - the Sekda (Setda) has nothing.
struct Built {
    c: City,
    dinas: Uuid,
    setda: Uuid,
    analis: Uuid,
}

async fn unit_of(app: &TestApp, c: &City, employee: Uuid) -> Uuid {
    app.get_as(&format!("/api/v1/employees/{employee}"), &c.admin)
        .await
        .json()["unit_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn build(app: &TestApp) -> Built {
    let c = city(app).await;
    let (staf, kadis, sekda) = (&c.staf.1, &c.kadis.1, &c.sekda.1);
    let dinas = unit_of(app, &c, c.kadis.0).await;
    let setda = unit_of(app, &c, c.sekda.0).await;
    let (_, kadis_rhk) = approved_and_running(app, &c).await;
    let skp = draft(app, staf, &c.cycle, &c.staf.0).await;
    let added = app
        .post_as(
            &format!("/api/v1/skps/{skp}/rhk"),
            staf,
            &rhk(
                "utama",
                "Berkas KTP-el selesai tepat waktu",
                json!({"parent_rhk_id": kadis_rhk}),
            ),
        )
        .await;
    added.assert_status(201);
    let rhk_id = added.json()["rhk"][0]["id"].as_str().unwrap().to_owned();
    let indicator = added.json()["rhk"][0]["indicators"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    action(app, staf, &skp, "submit", None)
        .await
        .assert_status(200);
    action(app, kadis, &skp, "approve", None)
        .await
        .assert_status(200);
    app.post_as(
        &format!("/api/v1/skps/{skp}/realizations"),
        staf,
        &json!({"indicator_id": indicator, "period": "q1", "value": 99}),
    )
    .await
    .assert_status(201);
    let base = format!("/api/v1/skps/{skp}/evaluations");
    put(
        app,
        staf,
        &format!("{base}/q1/self-assessment"),
        &json!({"rhk": [{"rhk_id": rhk_id, "text": "Semua berkas selesai dalam 1 hari."}], "core_values": []}),
    )
    .await
    .assert_status(200);
    let mut notes = Vec::new();
    for (period, text) in [
        ("q1", "Pertahankan."),
        ("q1", "Arsip dirapikan."),
        ("q2", "Target q2."),
    ] {
        let given = app
            .post_as(
                &format!("/api/v1/skps/{skp}/feedback"),
                kadis,
                &json!({"period": period, "rhk_id": rhk_id, "text": text}),
            )
            .await;
        given.assert_status(201);
        notes.push(given.json()["id"].as_str().unwrap().to_owned());
    }
    app.post_as(
        &format!("/api/v1/skps/{skp}/feedback/{}/replies", notes[0]),
        staf,
        &json!({"text": "Siap, Pak."}),
    )
    .await
    .assert_status(201);
    put(app, kadis, &format!("{base}/q1/assessment"), &{
        let mut body = assessment(Some("di_atas_ekspektasi"), "sesuai_ekspektasi");
        body["override_reason"] = Value::Null;
        body
    })
    .await
    .assert_status(200);
    action(app, kadis, &skp, "evaluations/q1/finalize", None)
        .await
        .assert_status(200);
    let filed = app
        .post_as(
            &format!("{base}/q1/objections"),
            staf,
            &json!({"reason": "Capaian melampaui target; mohon ditinjau ulang."}),
        )
        .await;
    filed.assert_status(201);
    let objection = format!(
        "/api/v1/objections/{}",
        filed.json()["id"].as_str().unwrap()
    );
    app.post_as(
        &format!("{objection}/explanation"),
        kadis,
        &json!({"text": "Sudah sesuai."}),
    )
    .await
    .assert_status(200);
    app.post_as(
        &format!("{objection}/decide"),
        sekda,
        &json!({"decision": "rejected", "note": "Tetap."}),
    )
    .await
    .assert_status(200);

    let analis = app
        .create_employee(
            &c.admin,
            &kinerja_tests::test_nip(4),
            "=SUM(A1)",
            dinas,
            Some(c.kadis.0),
        )
        .await;
    draft(app, kadis, &c.cycle, &analis).await;
    let csv = format!(
        "nip,title,route,method,jp,completed_on,certificate_no\n{},Pelatihan Dasar Analisis Data,nonklasikal,e_learning,24,2026-02-14,LAN-1\n",
        kinerja_tests::test_nip(4)
    );
    app.import(
        &c.admin,
        "/api/v1/imports/training-records",
        "text/csv",
        csv,
    )
    .await
    .assert_status(200);
    Built {
        c,
        dinas,
        setda,
        analis,
    }
}

fn figures(v: &Value) -> Vec<u64> {
    [
        "employees",
        "skp_total",
        "skp_proposed_by_employee",
        "skp_written_for_employee",
        "self_assessed",
        "feedback_notes",
        "employees_with_feedback_in_period",
        "feedback_replies",
        "objections_filed",
        "objections_decided",
        "training_met",
    ]
    .iter()
    .map(|k| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}")))
    .collect()
}

fn unit(report: &Value, id: Uuid) -> &Value {
    report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == id.to_string())
        .unwrap_or_else(|| panic!("unit {id} in {report}"))
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn participation_figures_match_a_hand_built_city_and_name_who_is_missing() {
    on_each_db(async |app: &TestApp| {
        let b = build(app).await;
        let (c, a) = (&b.c, &b.c.admin);
        let url = |rest: &str| format!("/api/v1/reports/participation?cycle_id={}{rest}", c.cycle);

        let q1 = app.get_as(&url("&period=q1"), a).await;
        q1.assert_status(200);
        let q1 = q1.json();
        assert_eq!(q1["period"], "q1");
        // employees, skp_total, by employee, written for, self-assessed, notes, with feedback,
        // replies, objections filed, decided, training met.
        assert_eq!(figures(unit(&q1, b.dinas)), [3, 3, 2, 1, 1, 2, 1, 1, 1, 1, 1], "{q1}");
        assert_eq!(figures(unit(&q1, b.setda)), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(figures(&q1["total"]), [4, 3, 2, 1, 1, 2, 1, 1, 1, 1, 1]);

        // The default period is the latest with data: q2 has a note.
        let latest = app.get_as(&url(""), a).await.json();
        assert_eq!(latest["period"], "q2");
        assert_eq!(figures(&latest["total"]), [4, 3, 2, 1, 0, 1, 1, 0, 0, 0, 1]);

        // A unit's subtree only.
        let dinas = app.get_as(&url(&format!("&period=q1&unit_id={}", b.dinas)), a).await.json();
        assert_eq!(dinas["units"].as_array().unwrap().len(), 1);
        assert_eq!(figures(&dinas["total"]), [3, 3, 2, 1, 1, 2, 1, 1, 1, 1, 1]);

        // Who is behind each figure: everyone in scope it does not count.
        let who = |missing: &str| {
            format!(
                "/api/v1/reports/participation/employees?cycle_id={}&period=q1&missing={missing}",
                c.cycle
            )
        };
        let no_feedback = app.get_as(&who("feedback"), a).await;
        no_feedback.assert_status(200);
        let no_feedback = no_feedback.json();
        assert_eq!(names(&no_feedback), ["=SUM(A1)", "Kepala Dinas", "Sekretaris Daerah"]);
        assert_eq!((no_feedback["total"].as_u64(), no_feedback["items"][0]["period"].as_str()), (Some(3), Some("q1")));
        assert_eq!(names(&app.get_as(&who("self_assessment"), a).await.json()), ["=SUM(A1)", "Kepala Dinas", "Sekretaris Daerah"]);
        assert_eq!(names(&app.get_as(&who("skp"), a).await.json()), ["Sekretaris Daerah"]);
        assert_eq!(names(&app.get_as(&who("training"), a).await.json()), ["Kepala Dinas", "Pengadministrasi", "Sekretaris Daerah"]);
        assert_eq!(app.get_as(&format!("/api/v1/reports/participation/employees?cycle_id={}&period=q2&missing=feedback", c.cycle), a).await.json()["total"], 3);
        // Paged and sorted.
        let page = app.get_as(&format!("{}&per_page=1&page=2&sort=-name", who("feedback")), a).await.json();
        assert_eq!((names(&page), page["total"].as_u64()), (vec!["Kepala Dinas".to_owned()], Some(3)));
        assert_eq!(app.get_as(&format!("{}&unit_id={}", who("feedback"), b.dinas), a).await.json()["total"], 2);

        // Malformed input: 400 (values that do not parse are reported on `query` with serde's
        // message, as on every operation).
        for query in ["cycle_id=nope".to_owned(), format!("cycle_id={}&period=q5", c.cycle)] {
            let bad = app.get_as(&format!("/api/v1/reports/participation?{query}"), a).await;
            bad.assert_problem(400, "invalid_parameter");
        }
        app.get_as(&format!("/api/v1/reports/participation/employees?cycle_id={}", c.cycle), a)
            .await
            .assert_problem(400, "invalid_parameter");
        app.get_as(&format!("/api/v1/reports/participation?cycle_id={}", Uuid::now_v7()), a)
            .await
            .assert_problem(404, "not_found");
        let _ = b.analis;
    })
    .await;
}

#[tokio::test]
async fn participation_is_scoped_like_the_data_behind_it() {
    on_each_db(async |app: &TestApp| {
        let b = build(app).await;
        let c = &b.c;
        let url = |rest: &str| {
            format!(
                "/api/v1/reports/participation?cycle_id={}&period=q1{rest}",
                c.cycle
            )
        };
        let codes = |r: &Value| -> Vec<String> {
            r["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["unit_code"].as_str().unwrap().to_owned())
                .collect()
        };
        let (_, auditor) = app.session_as("auditor", &["auditor"]).await;
        let reports = app
            .service_token(&c.admin, "dasbor-walikota", &["read:reports"])
            .await;
        let org_only = app.service_token(&c.admin, "simpeg", &["read:org"]).await;

        // Admins, auditors and services with read:reports: the city.
        for token in [&c.admin, &auditor.access_token, &reports] {
            let r = app.get_as(&url(""), token).await;
            r.assert_status(200);
            assert_eq!(codes(&r.json()), ["DISDUKCAPIL", "SETDA"]);
        }
        // The head: his subtree, named; not a unit above.
        let head = app
            .get_as(&url(&format!("&unit_id={}", b.dinas)), &c.kadis.1)
            .await;
        head.assert_status(200);
        assert_eq!(figures(&head.json()["total"])[0], 3);
        app.get_as(&url(""), &c.kadis.1)
            .await
            .assert_problem(422, "validation_failed");
        app.get_as(&url(&format!("&unit_id={}", b.setda)), &c.kadis.1)
            .await
            .assert_problem(403, "forbidden");
        // The unit admin: the units he manages.
        let managed = app.get_as(&url(""), &c.operator).await;
        managed.assert_status(200);
        assert_eq!(codes(&managed.json()), ["DISDUKCAPIL"]);
        app.get_as(&url(&format!("&unit_id={}", b.setda)), &c.operator)
            .await
            .assert_problem(403, "forbidden");
        // A plain employee and a service without read:reports: nothing.
        app.get_as(&url(&format!("&unit_id={}", b.dinas)), &c.staf.1)
            .await
            .assert_problem(403, "forbidden");
        app.get_as(
            &format!(
                "/api/v1/reports/participation/employees?cycle_id={}&missing=skp&unit_id={}",
                c.cycle, b.dinas
            ),
            &c.staf.1,
        )
        .await
        .assert_problem(403, "forbidden");
        app.get_as(&url(""), &org_only)
            .await
            .assert_problem(403, "forbidden");
        // The drill-down follows the same scope.
        let operator_list = app
            .get_as(
                &format!(
                    "/api/v1/reports/participation/employees?cycle_id={}&missing=skp",
                    c.cycle
                ),
                &c.operator,
            )
            .await;
        operator_list.assert_status(200);
        assert_eq!(
            operator_list.json()["total"],
            0,
            "everyone in Disdukcapil has an SKP"
        );
    })
    .await;
}

#[tokio::test]
async fn monthly_figures_for_the_payroll_in_json_and_csv() {
    on_each_db(async |app: &TestApp| {
        let b = build(app).await;
        let c = &b.c;
        let a = &c.admin;
        let month = |m: &str| format!("/api/v1/reports/monthly-performance?month={m}");
        let march = app.get_as(&month("2026-03"), a).await;
        march.assert_status(200);
        let march = march.json();
        assert_eq!(march["total"], 4);
        let row = |page: &Value, name: &str| -> Value {
            page["items"].as_array().unwrap().iter().find(|i| i["name"] == name).unwrap().clone()
        };
        let staf = row(&march, "Pengadministrasi");
        assert_eq!(staf["nip"], kinerja_tests::test_nip(3));
        assert_eq!((staf["unit_code"].as_str(), staf["employment_type"].as_str()), (Some("DISDUKCAPIL"), Some("pns")));
        // 99 against q1's 90: 110%, one input; q1 finalised baik on 2 March.
        assert_eq!((staf["capaian_to_date"].as_f64(), staf["capaian_inputs"].as_u64()), (Some(110.0), Some(1)));
        assert_eq!((staf["predikat"].as_str(), staf["predikat_year"].as_i64(), staf["predikat_period"].as_str()), (Some("baik"), Some(2026), Some("q1")));
        let kadis = row(&march, "Kepala Dinas");
        assert_eq!((kadis["capaian_to_date"].clone(), kadis["predikat"].clone()), (Value::Null, Value::Null));
        assert_eq!(row(&march, "=SUM(A1)")["jp"], 24.0);

        // February: the predikat was not final yet, and January saw no JP.
        let feb = app.get_as(&month("2026-02"), a).await.json();
        assert_eq!(row(&feb, "Pengadministrasi")["predikat"], Value::Null);
        assert_eq!(row(&feb, "Pengadministrasi")["capaian_to_date"], 110.0);
        assert_eq!(row(&app.get_as(&month("2026-01"), a).await.json(), "=SUM(A1)")["jp"], 0.0);

        // CSV: every row, the documented header, `;` on request, formulas neutralised.
        let csv = app
            .send(app.authed(reqwest::Method::GET, &format!("{}&sep=;&per_page=1", month("2026-03")), a).header("Accept", "text/csv"))
            .await;
        csv.assert_status(200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        let text = csv.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "nip;name;unit_code;employment_type;month;capaian_to_date;capaian_inputs;predikat;predikat_year;predikat_period;jp;employee_id");
        assert_eq!(lines.len(), 5, "every row despite per_page: {text}");
        let staf_line = format!("{};Pengadministrasi;DISDUKCAPIL;pns;2026-03;110.00;1;baik;2026;q1;0;{}", kinerja_tests::test_nip(3), c.staf.0);
        assert!(lines.contains(&staf_line.as_str()), "{text}");
        assert!(lines.iter().any(|l| l.contains(";'=SUM(A1);") && l.ends_with(&b.analis.to_string())), "{text}");
        let comma = app
            .send(app.authed(reqwest::Method::GET, &month("2026-03"), a).header("Accept", "text/csv"))
            .await
            .text();
        assert!(comma.starts_with("nip,name,unit_code,"));

        // Scoping as the participation report; a malformed month names the parameter.
        let head = app.get_as(&format!("{}&unit_id={}", month("2026-03"), b.dinas), &c.kadis.1).await;
        head.assert_status(200);
        assert_eq!(head.json()["total"], 3);
        assert_eq!(app.get_as(&month("2026-03"), &c.operator).await.json()["total"], 3);
        app.get_as(&format!("{}&unit_id={}", month("2026-03"), b.dinas), &c.staf.1)
            .await
            .assert_problem(403, "forbidden");
        let reports = app.service_token(a, "simgaji", &["read:reports"]).await;
        assert_eq!(app.get_as(&month("2026-03"), &reports).await.json()["total"], 4);
        for bad in ["2026-13", "2026-3", "March", "1999-12"] {
            let problem = app.get_as(&month(bad), a).await.assert_problem(400, "invalid_parameter");
            assert!(problem.to_string().contains("month"), "{bad}: {problem}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_overview_counts_per_opd_for_admins_auditors_and_report_services() {
    on_each_db(async |app: &TestApp| {
        let b = build(app).await;
        let c = &b.c;
        // A service unit of Disdukcapil with two questionnaires: all 4 and all 3 → IKM 87.50, B.
        let ktp = app
            .post_as(
                "/api/v1/units",
                &c.admin,
                &json!({"code": "DISDUKCAPIL.KTP", "name": "UPT KTP", "kind": "upt", "parent_id": b.dinas,
                        "is_opd": false, "is_service_unit": true}),
            )
            .await;
        ktp.assert_status(201);
        let ktp = ktp.json()["id"].as_str().unwrap().to_owned();
        app.post_as(&format!("/api/v1/units/{ktp}/services"), &c.admin, &json!({"code": "KTP-BARU", "name": "KTP-el baru"}))
            .await
            .assert_status(201);
        let paper = "unit_code,service,date,u1,u2,u3,u4,u5,u6,u7,u8,u9\n\
                     DISDUKCAPIL.KTP,KTP-BARU,2026-02-27,4,4,4,4,4,4,4,4,4\n\
                     DISDUKCAPIL.KTP,KTP-BARU,2026-02-26,3,3,3,3,3,3,3,3,3\n";
        app.import(&c.admin, "/api/v1/imports/survey-responses", "text/csv", paper)
            .await
            .assert_status(200);
        let url = format!("/api/v1/reports/overview?cycle_id={}", c.cycle);
        let (_, auditor) = app.session_as("auditor", &["auditor"]).await;
        let reports = app.service_token(&c.admin, "dasbor", &["read:reports"]).await;
        for token in [&c.admin, &auditor.access_token, &reports] {
            app.get_as(&url, token).await.assert_status(200);
        }
        let o = app.get_as(&url, &c.admin).await.json();
        assert_eq!(o["year"], 2026);
        let opds = o["opds"].as_array().unwrap();
        assert_eq!(opds.len(), 2);
        let dinas = opds.iter().find(|u| u["unit_code"] == "DISDUKCAPIL").unwrap();
        assert_eq!(dinas["employees"], 3);
        assert_eq!(dinas["skps_approved"], 2);
        assert_eq!(dinas["evaluations_finalized"], json!({"q1": 1, "q2": 0, "q3": 0, "q4": 0}));
        assert_eq!(dinas["calibration"], json!({"q4_finalized": false, "opd_predikat": {"q1": null, "q2": null, "q3": null, "q4": null}}));
        assert_eq!(dinas["jp"], json!({"met": 1, "short": 2, "over_cap": 0}));
        assert_eq!(dinas["ikm"], json!({"ikm_unit": 87.5, "mutu": "B", "mutu_label": "Baik", "respondents": 2}));
        let setda = opds.iter().find(|u| u["unit_code"] == "SETDA").unwrap();
        assert_eq!(setda["ikm"], Value::Null, "no service unit of its own");
        assert_eq!((setda["employees"].as_u64(), setda["skps_approved"].as_u64()), (Some(1), Some(0)));

        for token in [&c.kadis.1, &c.operator, &c.staf.1] {
            app.get_as(&url, token).await.assert_problem(403, "forbidden");
        }
        app.get_as(&format!("/api/v1/reports/overview?cycle_id={}", Uuid::now_v7()), &c.admin)
            .await
            .assert_problem(404, "not_found");
        app.get_as("/api/v1/reports/overview", &c.admin)
            .await
            .assert_problem(400, "invalid_parameter");
    })
    .await;
}
