//! The citizen satisfaction survey: a hand-computed set of responses gives exactly the expected
//! NRR, IKM and mutu; a parent unit pools answers (never averages of averages); closing a period
//! turns every unsur below mutu B into feedback to the unit; an IKM-sourced Perjanjian Kinerja
//! indicator takes the OPD's IKM; the published figures carry no comments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use kinerja_domain::skm::Answer;
use kinerja_persistence::repos::skm::{Channel, ResponseRecord, insert_responses};
use kinerja_tests::{TestApp, on_each_db, test_nip};
use serde_json::{Value, json};
use uuid::Uuid;

/// Stores responses of a unit's service as a kiosk would: (date, answers, comment).
async fn respond(
    app: &TestApp,
    unit: Uuid,
    service: Uuid,
    rows: &[(&str, [i64; 9], Option<&str>)],
) {
    let records: Vec<ResponseRecord> = rows
        .iter()
        .map(|(day, answers, comment)| ResponseRecord {
            id: Uuid::now_v7(),
            unit_id: unit,
            service_id: service,
            responded_on: day.parse::<NaiveDate>().unwrap(),
            answers: answers.map(|a| Answer::new(a).unwrap()),
            gender: None,
            age: None,
            education: None,
            occupation: None,
            comment: comment.map(str::to_owned),
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
    is_opd: bool,
) -> Uuid {
    let kind = if is_opd { "dinas" } else { "upt" };
    let unit = app.create_unit(a, code, kind, parent, is_opd).await;
    app.patch_as(
        &format!("/api/v1/units/{unit}"),
        a,
        Some("*"),
        &json!({"is_service_unit": true}),
    )
    .await
    .assert_status(200);
    unit
}

async fn service(app: &TestApp, a: &str, unit: Uuid, code: &str) -> Uuid {
    let r = app
        .post_as(
            &format!("/api/v1/units/{unit}/services"),
            a,
            &json!({"code": code, "name": format!("Layanan {code}")}),
        )
        .await;
    r.assert_status(201);
    r.json()["id"].as_str().unwrap().parse().unwrap()
}

async fn period(
    app: &TestApp,
    a: &str,
    unit: Uuid,
    name: &str,
    from: &str,
    to: &str,
    population: Option<u64>,
) -> String {
    let r = app
        .post_as(
            &format!("/api/v1/units/{unit}/survey-periods"),
            a,
            &json!({"name": name, "start_date": from, "end_date": to, "population": population}),
        )
        .await;
    r.assert_status(201);
    r.json()["id"].as_str().unwrap().to_owned()
}

/// Four respondents: sums u1..u9 = 14, 13, 9, 16, 13, 15, 16, 10, 12 (Σ 118).
const FOUR: [[i64; 9]; 4] = [
    [4, 4, 2, 4, 4, 4, 4, 3, 3],
    [3, 3, 2, 4, 3, 4, 4, 2, 3],
    [4, 3, 3, 4, 3, 4, 4, 3, 3],
    [3, 3, 2, 4, 3, 3, 4, 2, 3],
];

#[tokio::test]
async fn hand_computed_results_pooling_feedback_and_the_ikm_indicator() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let dukcapil = service_unit(app, a, "DISDUKCAPIL", None, true).await;
        let ktp = service(app, a, dukcapil, "KTP-EL").await;
        let akta = service(app, a, dukcapil, "AKTA").await;
        app.post_as(&format!("/api/v1/units/{dukcapil}/services"), a, &json!({"code": "ktp-el", "name": "x"}))
            .await
            .assert_problem(409, "service_code_taken");
        period(app, a, dukcapil, "Triwulan IV 2025", "2025-10-01", "2025-12-31", None).await;
        let q1 = period(app, a, dukcapil, "Triwulan I 2026", "2026-01-01", "2026-03-31", Some(100)).await;
        let q2 = period(app, a, dukcapil, "Triwulan II 2026", "2026-04-01", "2026-06-30", Some(1000)).await;
        // Periods of a unit never overlap; weights sum to exactly 1.
        app.post_as(&format!("/api/v1/units/{dukcapil}/survey-periods"), a,
                    &json!({"name": "x", "start_date": "2026-03-15", "end_date": "2026-04-15"}))
            .await
            .assert_problem(409, "survey_period_overlap");
        let problem = app
            .post_as(&format!("/api/v1/units/{dukcapil}/survey-periods"), a,
                     &json!({"name": "x", "start_date": "2027-01-01", "end_date": "2027-03-31",
                             "weights": {"u1": 0.111, "u2": 0.111, "u3": 0.111, "u4": 0.111, "u5": 0.111, "u6": 0.111, "u7": 0.111, "u8": 0.111, "u9": 0.111}}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "invalid_weights");

        respond(app, dukcapil, ktp, &[("2025-11-03", [4; 9], None)]).await;
        respond(app, dukcapil, ktp, &[("2026-01-05", FOUR[0], Some("Antrean perekaman terlalu lama.")), ("2026-02-10", FOUR[1], None)]).await;
        respond(app, dukcapil, akta, &[("2026-03-02", FOUR[2], None), ("2026-03-31", FOUR[3], Some("Petugas ramah."))]).await;

        // The four Q1 responses by hand: NRR 3.5 3.25 2.25 4 3.25 3.75 4 2.5 3; IKM 118/36;
        // IKM unit 25 × 118 / 36 = 81.9444… → 81.94, mutu B.
        let r = app.get_as(&format!("/api/v1/skm/results?unit_id={dukcapil}&period_id={q1}"), a).await;
        r.assert_status(200);
        let r = r.json();
        assert_eq!(r["respondents"], 4);
        assert_eq!(
            r["nrr"],
            json!({"u1": 3.5, "u2": 3.25, "u3": 2.25, "u4": 4.0, "u5": 3.25, "u6": 3.75, "u7": 4.0, "u8": 2.5, "u9": 3.0})
        );
        assert_eq!(r["ikm"], 3.2778);
        assert_eq!(r["ikm_unit"], 81.944444);
        assert_eq!(r["ikm_unit_rounded"], 81.94);
        assert_eq!((r["mutu"].as_str(), r["mutu_label"].as_str()), (Some("B"), Some("Baik")));
        assert_eq!(r["weighting"], "exact_1_9");
        assert_eq!(r["sample"], json!({"population": 100, "required": 80, "met": false}));
        assert_eq!(r["weakest"], json!(["u3", "u8", "u9"]));
        assert_eq!(r["below_b"], json!(["u3", "u8", "u9"]));
        // The previous period for comparison: one respondent, all 4s.
        assert_eq!(r["previous"]["ikm_unit_rounded"], 100.0);
        assert_eq!(r["previous"]["mutu"], "A");
        // One service: Σ 60 over two respondents → 83.33.
        let k = app
            .get_as(&format!("/api/v1/skm/results?unit_id={dukcapil}&from=2026-01-01&to=2026-03-31&service=KTP-EL"), a)
            .await
            .json();
        assert_eq!((k["respondents"].as_u64(), k["ikm_unit_rounded"].as_f64()), (Some(2), Some(83.33)));
        assert_eq!(k["previous"]["respondents"], 1, "the 90 days before");
        app.get_as(&format!("/api/v1/skm/results?unit_id={dukcapil}&service=NOPE"), a)
            .await
            .assert_problem(422, "validation_failed");

        // A parent unit pools its service units' answers: 1 respondent all 4s and 3 all 1s give
        // NRR 1.75 and 43.75 (D), not the 62.5 an average of the two units' IKM would.
        let dinkes = app.create_unit(a, "DINKES", "dinas", None, true).await;
        let pa = service_unit(app, a, "PKM-A", Some(dinkes), false).await;
        let pb = service_unit(app, a, "PKM-B", Some(dinkes), false).await;
        let (sa, sb) = (service(app, a, pa, "UMUM").await, service(app, a, pb, "UMUM").await);
        respond(app, pa, sa, &[("2026-02-01", [4; 9], None)]).await;
        respond(app, pb, sb, &[("2026-02-01", [1; 9], None), ("2026-02-02", [1; 9], None), ("2026-02-03", [1; 9], None)]).await;
        let pooled = app
            .get_as(&format!("/api/v1/skm/results?unit_id={dinkes}&from=2026-01-01&to=2026-12-31"), a)
            .await
            .json();
        assert_eq!(pooled["respondents"], 4);
        assert_eq!(pooled["nrr"]["u1"], 1.75);
        assert_eq!((pooled["ikm_unit_rounded"].as_f64(), pooled["mutu"].as_str()), (Some(43.75), Some("D")));
        assert_eq!(pooled["pooled_over"].as_array().unwrap().len(), 2);

        // Closing Q1 turns u3, u8 and u9 into feedback to the unit, with the comments.
        let staff = app.create_employee(a, &test_nip(1), "Petugas loket", dukcapil, None).await;
        let outsider = app.create_employee(a, &test_nip(2), "Staf Dinkes", dinkes, None).await;
        let (u, _) = app.session_as("petugas", &["employee"]).await;
        app.link_user(a, u.id, staff).await;
        let petugas = app.login(&u).await.access_token;
        let (o, _) = app.session_as("orang.lain", &["employee"]).await;
        app.link_user(a, o.id, outsider).await;
        let orang_lain = app.login(&o).await.access_token;
        let close = format!("/api/v1/units/{dukcapil}/survey-periods/{q1}/close");
        app.post_as(&close, &petugas, &json!({})).await.assert_problem(403, "forbidden");
        let closed = app.post_as(&close, a, &json!({})).await;
        closed.assert_status(200);
        let closed = closed.json();
        assert_eq!(closed["period"]["status"], "closed");
        let unsur: Vec<&str> = closed["feedback"].as_array().unwrap().iter().map(|f| f["unsur"].as_str().unwrap()).collect();
        assert_eq!(unsur, ["u3", "u8", "u9"]);
        assert_eq!(closed["feedback"][0]["nrr"], 2.25);
        assert_eq!(closed["feedback"][0]["unsur_label"], "Waktu penyelesaian");
        assert_eq!(closed["feedback"][0]["comments"], json!(["Petugas ramah.", "Antrean perekaman terlalu lama."]));
        app.post_as(&close, a, &json!({})).await.assert_problem(409, "survey_period_closed");
        let seen = app.get_as(&format!("/api/v1/units/{dukcapil}/feedback"), &petugas).await;
        seen.assert_status(200);
        assert_eq!(seen.json().as_array().unwrap().len(), 3);
        assert_eq!(seen.json()[0]["period_name"], "Triwulan I 2026");
        app.get_as(&format!("/api/v1/units/{dukcapil}/feedback"), &orang_lain)
            .await
            .assert_problem(403, "forbidden");

        // The housekeeping task closes a period once its last day (WIB) has passed: on 30 June
        // Triwulan II is still open (Triwulan IV 2025, long over, may already have been closed by
        // the app's own housekeeping run); a second later (1 July WIB) it closes.
        let close_at = |y, m, d, h, mi, s| Utc.with_ymd_and_hms(y, m, d, h, mi, s).unwrap();
        let on_last_day = close_at(2026, 6, 30, 16, 59, 59);
        kinerja_api::services::housekeeping::close_ended_survey_periods(&app.db, on_last_day).await.unwrap();
        let status_of_q2 = async || {
            let periods = app.get_as(&format!("/api/v1/units/{dukcapil}/survey-periods"), a).await.json();
            periods.as_array().unwrap().iter().find(|p| p["id"] == q2.as_str()).unwrap()["status"].clone()
        };
        assert_eq!(status_of_q2().await, "open");
        let next_day = close_at(2026, 6, 30, 17, 0, 0);
        assert_eq!(kinerja_api::services::housekeeping::close_ended_survey_periods(&app.db, next_day).await.unwrap(), 1);
        assert_eq!(status_of_q2().await, "closed");

        // An IKM-sourced Perjanjian Kinerja indicator takes the OPD's IKM unit: per quarter, and
        // for the year the whole year's IKM, not an aggregate of the quarters.
        let cycle = app.post_as("/api/v1/cycles", a, &json!({"year": 2026})).await.json()["id"].as_str().unwrap().to_owned();
        let indicator = app
            .post_as(
                &format!("/api/v1/cycles/{cycle}/units/{dukcapil}/indicators"),
                a,
                &json!({"description": "Indeks Kepuasan Masyarakat", "direction": "higher_is_better", "target": 80,
                        "unit": "indeks", "aggregation": "average", "source": "ikm", "period_targets": {"q1": 78, "q2": 80}}),
            )
            .await;
        indicator.assert_status(201);
        respond(app, dukcapil, ktp, &[("2026-05-05", [4; 9], None)]).await;
        let list = app.get_as(&format!("/api/v1/cycles/{cycle}/units/{dukcapil}/indicators"), a).await.json();
        let capaian = list[0]["capaian"].as_array().unwrap();
        let of = |p: &str| capaian.iter().find(|c| c["period"] == p).cloned().unwrap_or(Value::Null);
        // Q1: 81.94 / 78; Q2: 100 / 80; the year: 25 × 154 / 45 = 85.56 against 80.
        assert_eq!(of("q1")["derivation"]["realisasi"], 81.94);
        assert_eq!(of("q1")["capaian"], 105.051282);
        assert_eq!(of("q2")["derivation"]["realisasi"], 100.0);
        assert_eq!(of("q4")["derivation"]["realisasi"], 85.56, "{list}");
        assert_eq!(of("q4")["capaian"], 106.95);

        // Published without login: figures, no comments.
        let public = app.get("/api/v1/public/ikm?unit_code=DISDUKCAPIL&year=2026").await;
        public.assert_status(200);
        let public = public.json();
        assert_eq!(public["year_total"]["respondents"], 5);
        assert_eq!(public["periods"].as_array().unwrap().len(), 2);
        assert!(!public.to_string().contains("Antrean"), "no comments published");
        app.get("/api/v1/public/ikm?unit_code=TIDAK-ADA&year=2026").await.assert_problem(404, "not_found");
    })
    .await;
}
