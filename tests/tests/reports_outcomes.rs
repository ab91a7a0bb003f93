//! Supervision reports against a hand-built dataset: the predikat distribution per unit and
//! pooled over a subtree with the OPD's curve, the IKM trend of a unit over its survey periods,
//! and the follow-up of low predikat with the state of each development plan — and who may read
//! each report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use kinerja_domain::skm::Answer;
use kinerja_persistence::repos::skm::{Channel, ResponseRecord, insert_responses};
use kinerja_tests::city::{City, action, approved_and_running, assessment, city, draft, put, rhk};
use kinerja_tests::{TestApp, on_each_db, test_nip};
use serde_json::{Value, json};
use uuid::Uuid;

/// The (work, behaviour) ratings that give each predikat.
fn ratings(predikat: &str) -> (&'static str, &'static str) {
    match predikat {
        "sangat_baik" => ("di_atas_ekspektasi", "di_atas_ekspektasi"),
        "baik" => ("sesuai_ekspektasi", "sesuai_ekspektasi"),
        "butuh_perbaikan" => ("di_bawah_ekspektasi", "sesuai_ekspektasi"),
        _ => ("sesuai_ekspektasi", "di_bawah_ekspektasi"), // kurang
    }
}

async fn rate(app: &TestApp, c: &City, skp: &str, period: &str, predikat: &str) {
    let (work, behavior) = ratings(predikat);
    let r = put(
        app,
        &c.kadis.1,
        &format!("/api/v1/skps/{skp}/evaluations/{period}/assessment"),
        &assessment(Some(work), behavior),
    )
    .await;
    r.assert_status(200);
    assert_eq!(r.json()["predikat"], predikat);
}

/// The dataset: Setda (OPD) ⊃ Disdukcapil (OPD, head kadis) ⊃ Bidang Pelayanan (not an OPD).
/// Approved SKPs: kadis, staf and Staf A in Disdukcapil; Staf B and Staf C in the Bidang.
/// q1: staf baik, Staf A butuh_perbaikan, Staf B kurang; kadis and Staf C not assessed.
/// q4: staf sangat_baik (the latest quarter with an assessment).
struct Data {
    setda: String,
    dinas: String,
    bidang: String,
    staf_a: Uuid,
    staf_b: Uuid,
}

async fn dataset(app: &TestApp, c: &City) -> Data {
    let (_, kadis_rhk) = approved_and_running(app, c).await;
    let unit_of = async |e: Uuid| {
        app.get_as(&format!("/api/v1/employees/{e}"), &c.admin)
            .await
            .json()["unit_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let dinas = unit_of(c.kadis.0).await;
    let setda = unit_of(c.sekda.0).await;
    app.patch_as(
        &format!("/api/v1/units/{setda}"),
        &c.admin,
        Some("*"),
        &json!({"head_employee_id": c.sekda.0}),
    )
    .await
    .assert_status(200);
    let bidang = app
        .create_unit(
            &c.admin,
            "DISDUKCAPIL.PEL",
            "bidang",
            Some(dinas.parse().unwrap()),
            false,
        )
        .await;
    let a = app
        .create_employee(
            &c.admin,
            &test_nip(200),
            "Staf A",
            dinas.parse().unwrap(),
            Some(c.kadis.0),
        )
        .await;
    let b = app
        .create_employee(&c.admin, &test_nip(201), "Staf B", bidang, Some(c.kadis.0))
        .await;
    let cc = app
        .create_employee(&c.admin, &test_nip(202), "Staf C", bidang, Some(c.kadis.0))
        .await;
    let mut skps = Vec::new();
    for employee in [c.staf.0, a, b, cc] {
        let skp = draft(app, &c.admin, &c.cycle, &employee).await;
        app.post_as(
            &format!("/api/v1/skps/{skp}/rhk"),
            &c.admin,
            &rhk(
                "utama",
                "Berkas selesai",
                json!({"parent_rhk_id": kadis_rhk}),
            ),
        )
        .await
        .assert_status(201);
        action(app, &c.admin, &skp, "submit", None)
            .await
            .assert_status(200);
        action(app, &c.kadis.1, &skp, "approve", None)
            .await
            .assert_status(200);
        skps.push(skp);
    }
    rate(app, c, &skps[0], "q1", "baik").await;
    rate(app, c, &skps[1], "q1", "butuh_perbaikan").await;
    rate(app, c, &skps[2], "q1", "kurang").await;
    rate(app, c, &skps[0], "q4", "sangat_baik").await;
    Data {
        setda,
        dinas,
        bidang: bidang.to_string(),
        staf_a: a,
        staf_b: b,
    }
}

fn unit<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {report}"))
}

fn figures(employees: u32, assessed: u32, counts: [u32; 6], shares: [Option<f64>; 6]) -> Value {
    let names = [
        "sangat_baik",
        "baik",
        "butuh_perbaikan",
        "kurang",
        "sangat_kurang",
        "not_assessed",
    ];
    json!({
        "employees": employees, "assessed": assessed,
        "counts": names.iter().zip(counts).map(|(n, c)| ((*n).to_owned(), json!(c))).collect::<serde_json::Map<_, _>>(),
        "shares": names.iter().zip(shares).map(|(n, s)| ((*n).to_owned(), json!(s))).collect::<serde_json::Map<_, _>>(),
    })
}

#[tokio::test]
async fn predikat_distribution_counts_shares_and_curve_match_the_dataset() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let d = dataset(app, &c).await;
        // The leader above sets Disdukcapil's q1 predikat: its curve applies.
        put(
            app,
            &c.sekda.1,
            &format!("/api/v1/cycles/{}/units/{}/performance", c.cycle, d.dinas),
            &json!({"period": "q1", "predikat": "baik"}),
        )
        .await
        .assert_status(200);
        let path = |q: &str| {
            format!(
                "/api/v1/reports/predikat-distribution?cycle_id={}{q}",
                c.cycle
            )
        };

        let r = app
            .get_as(
                &path(&format!("&unit_id={}&period=q1", d.dinas)),
                &c.kadis.1,
            )
            .await;
        r.assert_status(200);
        let r = r.json();
        assert_eq!(
            (r["period"].clone(), r["period_defaulted"].clone()),
            (json!("q1"), json!(false))
        );
        let s = |x: f64| Some(x);
        // Disdukcapil itself: kadis (not assessed), staf baik, Staf A butuh_perbaikan.
        let dinas_own = figures(
            3,
            2,
            [0, 1, 1, 0, 0, 1],
            [s(0.0), s(50.0), s(50.0), s(0.0), s(0.0), s(33.33)],
        );
        // The Bidang: Staf B kurang, Staf C not assessed.
        let bidang = figures(
            2,
            1,
            [0, 0, 0, 1, 0, 1],
            [s(0.0), s(0.0), s(0.0), s(100.0), s(0.0), s(50.0)],
        );
        // Pooled: 1/3 each = 33.33; 2 of 5 not assessed = 40.
        let pooled = figures(
            5,
            3,
            [0, 1, 1, 1, 0, 2],
            [s(0.0), s(33.33), s(33.33), s(33.33), s(0.0), s(40.0)],
        );
        assert_eq!(unit(&r, &d.dinas)["own"], dinas_own);
        assert_eq!(unit(&r, &d.dinas)["subtree"], pooled);
        assert_eq!(unit(&r, &d.bidang)["own"], bidang);
        assert_eq!(unit(&r, &d.bidang)["subtree"], bidang);
        assert_eq!(r["total"], pooled);
        assert_eq!(
            r["units"].as_array().unwrap().len(),
            2,
            "Setda is outside the subtree"
        );
        assert!(
            r["share_basis"]
                .as_str()
                .unwrap()
                .contains("count / assessed")
        );

        // The curve is the calibration's, for the OPD the units belong to.
        let cal = app
            .get_as(
                &format!(
                    "/api/v1/cycles/{}/units/{}/calibration?period=q1",
                    c.cycle, d.dinas
                ),
                &c.admin,
            )
            .await
            .json();
        assert_eq!(r["curves"].as_array().unwrap().len(), 1);
        let curve = &r["curves"][0];
        assert_eq!(curve["unit_id"], d.dinas.as_str());
        assert_eq!(
            (curve["rule"].clone(), curve["headcount"].clone()),
            (json!("baik"), json!(3))
        );
        assert_eq!(curve["headcount"], cal["headcount"]);
        assert_eq!(curve["breaches"], cal["breaches"]);
        assert_eq!(curve["blocked"], cal["blocked"]);
        let expected = if cal["breaches"].as_array().unwrap().is_empty() {
            "within"
        } else {
            "breached"
        };
        assert_eq!(curve["status"], expected);

        // Default period: the latest quarter with an assessment (q4: only staf, sangat_baik).
        let q4 = app
            .get_as(&path(&format!("&unit_id={}", d.dinas)), &c.kadis.1)
            .await
            .json();
        assert_eq!(
            (q4["period"].clone(), q4["period_defaulted"].clone()),
            (json!("q4"), json!(true))
        );
        assert_eq!(
            q4["total"],
            figures(
                5,
                1,
                [1, 0, 0, 0, 0, 4],
                [s(100.0), s(0.0), s(0.0), s(0.0), s(0.0), s(80.0)]
            )
        );
        assert_eq!(
            q4["curves"][0]["status"], "no_rule",
            "no q4 OPD predikat yet"
        );

        // The city for an admin: Setda pools everything; both OPDs' curves.
        let city_wide = app.get_as(&path("&period=q1"), &c.admin).await.json();
        assert_eq!(unit(&city_wide, &d.setda)["subtree"], pooled);
        assert_eq!(
            unit(&city_wide, &d.setda)["own"],
            figures(0, 0, [0; 6], [None; 6])
        );
        assert_eq!(city_wide["curves"].as_array().unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn reports_are_scoped_like_the_data_behind_them() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let d = dataset(app, &c).await;
        let (_, auditor) = app.session_as("inspektur", &["auditor"]).await;
        let reader = app
            .service_token(&c.admin, "dashboard", &["read:reports"])
            .await;
        let org_only = app
            .service_token(&c.admin, "directory", &["read:org"])
            .await;
        let reports = |q: &str| {
            [
                format!(
                    "/api/v1/reports/predikat-distribution?cycle_id={}&period=q1{q}",
                    c.cycle
                ),
                format!(
                    "/api/v1/reports/follow-up?cycle_id={}&period=q1{q}",
                    c.cycle
                ),
            ]
        };
        let trend = |u: &str| format!("/api/v1/reports/ikm-trend?unit_id={u}");
        for (who, token) in [
            ("admin", &c.admin),
            ("auditor", &auditor.access_token),
            ("service", &reader),
        ] {
            for p in reports("") {
                let r = app.get_as(&p, token).await;
                assert_eq!(r.status, 200, "{who} {p}: {}", r.json());
            }
            app.get_as(&trend(&d.setda), token).await.assert_status(200);
        }
        // The head of Disdukcapil: his subtree only, and he names it.
        let dinas = format!("&unit_id={}", d.dinas);
        let setda = format!("&unit_id={}", d.setda);
        for p in reports(&dinas) {
            app.get_as(&p, &c.kadis.1).await.assert_status(200);
            app.get_as(&p, &c.sekda.1).await.assert_status(200); // the head above
            app.get_as(&p, &c.staf.1)
                .await
                .assert_problem(403, "forbidden");
            app.get_as(&p, &org_only)
                .await
                .assert_problem(403, "forbidden");
        }
        for p in reports(&setda) {
            app.get_as(&p, &c.kadis.1)
                .await
                .assert_problem(403, "forbidden");
            app.get_as(&p, &c.operator)
                .await
                .assert_problem(403, "forbidden");
        }
        for p in reports("") {
            app.get_as(&p, &c.kadis.1)
                .await
                .assert_problem(422, "validation_failed");
        }
        app.get_as(&trend(&d.dinas), &c.kadis.1)
            .await
            .assert_status(200);
        app.get_as(&trend(&d.setda), &c.kadis.1)
            .await
            .assert_problem(403, "forbidden");
        app.get_as(&trend(&d.dinas), &c.staf.1)
            .await
            .assert_problem(403, "forbidden");
        app.get_as(&trend(&d.bidang), &c.operator)
            .await
            .assert_status(200);

        // The unit admin defaults to the units he manages: Disdukcapil and its Bidang.
        let mine = app.get_as(&reports("")[0], &c.operator).await.json();
        assert_eq!(mine["units"].as_array().unwrap().len(), 2);
        assert_eq!(mine["total"]["employees"], 5);
        let follow = app.get_as(&reports("")[1], &c.operator).await.json();
        assert_eq!(follow["total"], 2);

        // Bad parameters are named; unknown ones are not found.
        let base = "/api/v1/reports/predikat-distribution";
        for (query, field) in [
            ("".to_owned(), "cycle_id"),
            ("?cycle_id=nope".to_owned(), "cycle_id"),
            (format!("?cycle_id={}&unit_id=x", c.cycle), "unit_id"),
            (format!("?cycle_id={}&period=q5", c.cycle), "period"),
        ] {
            let p = app
                .get_as(&format!("{base}{query}"), &c.admin)
                .await
                .assert_problem(400, "invalid_parameter");
            assert_eq!(p["errors"][0]["field"], field, "{query}");
        }
        let p = app
            .get_as(
                &format!(
                    "/api/v1/reports/follow-up?cycle_id={}&updated_since=2026-01-01T00:00:00Z",
                    c.cycle
                ),
                &c.admin,
            )
            .await
            .assert_problem(400, "invalid_parameter");
        assert_eq!(p["errors"][0]["field"], "updated_since");
        app.get_as("/api/v1/reports/ikm-trend", &c.admin)
            .await
            .assert_problem(400, "invalid_parameter");
        app.get_as(&format!("{base}?cycle_id={}", Uuid::now_v7()), &c.admin)
            .await
            .assert_problem(404, "not_found");
        app.get_as(
            &format!("{base}?cycle_id={}&unit_id={}", c.cycle, Uuid::now_v7()),
            &c.admin,
        )
        .await
        .assert_problem(404, "not_found");
        app.get_as(&trend(&Uuid::now_v7().to_string()), &c.admin)
            .await
            .assert_problem(404, "not_found");
    })
    .await;
}

#[tokio::test]
async fn follow_up_lists_low_predikat_with_their_plan_status() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let d = dataset(app, &c).await;
        let path = format!("/api/v1/reports/follow-up?cycle_id={}&period=q1&unit_id={}", c.cycle, d.dinas);
        let r = app.get_as(&path, &c.kadis.1).await;
        r.assert_status(200);
        let r = r.json();
        // Lowest predikat first: Staf B (kurang), then Staf A (butuh_perbaikan); staf's baik is not listed.
        let listed: Vec<(Value, Value, Value)> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["employee_id"].clone(), i["predikat"].clone(), i["plan_status"].clone()))
            .collect();
        assert_eq!(
            listed,
            vec![
                (json!(d.staf_b), json!("kurang"), json!("none")),
                (json!(d.staf_a), json!("butuh_perbaikan"), json!("none")),
            ]
        );
        assert_eq!((r["total"].clone(), r["page"].clone(), r["period"].clone()), (json!(2), json!(1), json!("q1")));
        assert!(r["items"].as_array().unwrap().iter().all(|i| i["plan_required"] == true && i["evaluation_status"] == "assessed"));
        assert_eq!(r["by_plan_status"], json!({"none": 2, "planned": 0, "in_progress": 0, "done": 0}));

        // The kadis accepts a programme for Staf B (his core values were below expectation): planned,
        // then in progress once he attends.
        let training = app
            .post_as("/api/v1/trainings", &c.admin,
                &json!({"title": "Pelayanan Prima", "route": "klasikal", "method": "pelatihan", "jp": 24,
                        "competencies": ["berorientasi_pelayanan"], "provider": "BKPSDM Kota Pematangsiantar",
                        "start_date": "2026-02-20", "end_date": "2026-03-20",
                        "sessions": [{"date": "2026-02-20", "start_time": "08:00", "end_time": "16:00", "location": "Aula BKPSDM"}]}))
            .await;
        training.assert_status(201);
        let training = training.json()["id"].as_str().unwrap().to_owned();
        app.post_as(&format!("/api/v1/employees/{}/development-plan", d.staf_b), &c.kadis.1,
                    &json!({"cycle_id": c.cycle, "training_ids": [training]}))
            .await
            .assert_status(200);
        let planned = app.get_as(&path, &c.kadis.1).await.json();
        assert_eq!(planned["items"][0]["plan_status"], "planned");
        assert_eq!(planned["items"][1]["plan_status"], "none");
        app.post_as(&format!("/api/v1/trainings/{training}/participants/{}/attend", d.staf_b), &c.operator, &json!({}))
            .await
            .assert_status(200);
        let going = app.get_as(&path, &c.kadis.1).await.json();
        assert_eq!(going["items"][0]["plan_status"], "in_progress");
        assert_eq!(going["by_plan_status"], json!({"none": 1, "planned": 0, "in_progress": 1, "done": 0}));
        // The plan status is the development plan's own.
        let plan = app
            .get_as(&format!("/api/v1/employees/{}/development-plan?cycle_id={}", d.staf_b, c.cycle), &c.kadis.1)
            .await
            .json();
        assert_eq!(plan["status"], going["items"][0]["plan_status"]);

        // Paginated, and sortable by name.
        let page2 = app.get_as(&format!("{path}&per_page=1&page=2&sort=name"), &c.kadis.1).await.json();
        assert_eq!((page2["total"].clone(), page2["items"][0]["name"].clone()), (json!(2), json!("Staf B")));
        // q4 has no low predikat.
        let q4 = app
            .get_as(&format!("/api/v1/reports/follow-up?cycle_id={}&period=q4&unit_id={}", c.cycle, d.dinas), &c.kadis.1)
            .await
            .json();
        assert_eq!(q4["total"], 0);
    })
    .await;
}

/// Stores survey responses of a unit's service as a kiosk would.
async fn respond(app: &TestApp, unit: Uuid, service: Uuid, rows: &[(&str, [i64; 9])]) {
    let records: Vec<ResponseRecord> = rows
        .iter()
        .map(|(day, answers)| ResponseRecord {
            id: Uuid::now_v7(),
            unit_id: unit,
            service_id: service,
            responded_on: day.parse::<NaiveDate>().unwrap(),
            answers: answers.map(|a| Answer::new(a).unwrap()),
            gender: None,
            age: None,
            education: None,
            occupation: None,
            comment: None,
            channel: Channel::Kiosk,
            created_at: app.clock_now(),
        })
        .collect();
    insert_responses(&app.db, &records).await.unwrap();
}

async fn service_unit(
    app: &TestApp,
    a: &str,
    code: &str,
    parent: Option<Uuid>,
    opd: bool,
) -> (Uuid, Uuid) {
    let unit = app
        .create_unit(a, code, if opd { "dinas" } else { "upt" }, parent, opd)
        .await;
    app.patch_as(
        &format!("/api/v1/units/{unit}"),
        a,
        Some("*"),
        &json!({"is_service_unit": true}),
    )
    .await
    .assert_status(200);
    let s = app
        .post_as(
            &format!("/api/v1/units/{unit}/services"),
            a,
            &json!({"code": format!("{code}-S"), "name": "Layanan"}),
        )
        .await;
    s.assert_status(201);
    (unit, s.json()["id"].as_str().unwrap().parse().unwrap())
}

#[tokio::test]
async fn ikm_trend_follows_the_survey_periods_pooled_over_the_subtree() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let (dukcapil, ktp) = service_unit(app, a, "DISDUKCAPIL", None, true).await;
        let (upt, upt_service) = service_unit(app, a, "UPT.KEC", Some(dukcapil), false).await;
        for (name, from, to) in [
            ("Triwulan IV 2025", "2025-10-01", "2025-12-31"),
            ("Triwulan I 2026", "2026-01-01", "2026-03-31"),
            ("Triwulan II 2026", "2026-04-01", "2026-06-30"),
        ] {
            app.post_as(
                &format!("/api/v1/units/{dukcapil}/survey-periods"),
                a,
                &json!({"name": name, "start_date": from, "end_date": to}),
            )
            .await
            .assert_status(201);
        }
        respond(app, dukcapil, ktp, &[("2025-11-03", [4; 9])]).await;
        respond(
            app,
            dukcapil,
            ktp,
            &[
                ("2026-01-05", [4, 4, 2, 4, 4, 4, 4, 3, 3]),
                ("2026-02-10", [3, 3, 2, 4, 3, 4, 4, 2, 3]),
                ("2026-03-02", [4, 3, 3, 4, 3, 4, 4, 3, 3]),
                ("2026-03-31", [3, 3, 2, 4, 3, 3, 4, 2, 3]),
            ],
        )
        .await;
        // The UPT below adds one respondent to Q1 (pooled: answers added, never averages).
        respond(app, upt, upt_service, &[("2026-01-10", [4; 9])]).await;

        let r = app
            .get_as(&format!("/api/v1/reports/ikm-trend?unit_id={dukcapil}"), a)
            .await;
        r.assert_status(200);
        let r = r.json();
        let mut pooled: Vec<String> = r["pooled_over"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap().to_owned())
            .collect();
        pooled.sort();
        let mut expected = vec![dukcapil.to_string(), upt.to_string()];
        expected.sort();
        assert_eq!(pooled, expected);
        let rows: Vec<Value> = r["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                json!([
                    p["name"],
                    p["respondents"],
                    p["ikm_unit"],
                    p["mutu"],
                    p["weakest_unsur"],
                    p["weakest_nrr"],
                    p["change"]
                ])
            })
            .collect();
        // Q4 2025: all 4s → 100, A, ties broken by unsur number (u1).
        // Q1 2026, five respondents: Σ per unsur 18 17 13 20 17 19 20 14 16 = 154;
        // IKM unit 25 × 154 / 45 = 85.5555… → 85.56, B; weakest u3 at 13/5 = 2.6; change −14.44.
        // Q2 2026: no respondents yet.
        assert_eq!(
            rows,
            vec![
                json!(["Triwulan IV 2025", 1, 100.0, "A", "u1", 4.0, null]),
                json!(["Triwulan I 2026", 5, 85.56, "B", "u3", 2.6, -14.44]),
                json!(["Triwulan II 2026", 0, null, null, null, null, null]),
            ]
        );
    })
    .await;
}
