//! Assessment: evaluations open when an SKP is approved; the self-assessment, the penilai's
//! ratings against the suggestion, the predikat of every cell of the quadrant, finalisation that
//! locks realisasi, reopening, and objections with their windows and decisions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use kinerja_tests::city::{
    City, action, approved_and_running, city, core_values, draft, put, relogin, rhk,
};
use kinerja_tests::{TestApp, TestResponse, on_each_db};
use reqwest::Method;
use serde_json::{Value, json};

/// The staff member's approved SKP (cascading from the kadis's), in the running cycle, with its
/// indicator's id: (skp, indicator).
async fn staff_skp(app: &TestApp, c: &City) -> (String, String, String) {
    let (kadis_skp, kadis_rhk) = approved_and_running(app, c).await;
    let skp = draft(app, &c.staf.1, &c.cycle, &c.staf.0).await;
    let added = app
        .post_as(
            &format!("/api/v1/skps/{skp}/rhk"),
            &c.staf.1,
            &rhk(
                "utama",
                "Berkas KTP-el selesai tepat waktu",
                json!({"parent_rhk_id": kadis_rhk}),
            ),
        )
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
    (skp, indicator, kadis_skp)
}

async fn realisasi(
    app: &TestApp,
    token: &str,
    skp: &str,
    indicator: &str,
    period: &str,
    value: f64,
) -> TestResponse {
    app.post_as(
        &format!("/api/v1/skps/{skp}/realizations"),
        token,
        &json!({"indicator_id": indicator, "period": period, "value": value}),
    )
    .await
}

fn assessment(work: Option<&str>, behavior: &str, reason: Option<&str>) -> Value {
    json!({"work_rating": work, "behavior_ratings": core_values(behavior), "behavior_rating": behavior,
           "override_reason": reason})
}

#[tokio::test]
async fn the_penilai_rates_against_the_suggestion_and_finalises_which_locks_the_quarter() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (staf, kadis, sekda) = (&c.staf.1, &c.kadis.1, &c.sekda.1);
        let (skp, indicator, kadis_skp) = staff_skp(app, &c).await;
        let base = format!("/api/v1/skps/{skp}/evaluations");
        let q1 = format!("{base}/q1");

        // Approval opened one evaluation per quarter the SKP's dates overlap.
        let list = app.get_as(&base, staf).await.json();
        let periods: Vec<&str> = list.as_array().unwrap().iter().map(|e| e["period"].as_str().unwrap()).collect();
        assert_eq!(periods, ["q1", "q2", "q3", "q4"]);
        assert!(list.as_array().unwrap().iter().all(|e| e["status"] == "open"));

        // 99 against the quarter's 90: 110% capped at 120 → suggested di atas ekspektasi.
        realisasi(app, staf, &skp, &indicator, "q1", 99.0).await.assert_status(201);
        let e = app.get_as(&q1, staf).await;
        e.assert_status(200);
        let e = e.json();
        let s = &e["suggested_work_rating"];
        assert_eq!(s["rating"], "di_atas_ekspektasi", "{e}");
        assert_eq!((s["inputs"].as_u64(), s["mean_rounded"].as_f64()), (Some(1), Some(110.0)));
        assert_eq!(s["threshold_di_atas"], 110.0);
        assert_eq!(e["capaian"][0]["capaian"]["capaian"], 110.0);
        assert_eq!(e["actions"], json!(["self_assess"]));
        assert_eq!(e["missing"][0], "self_assessment");
        assert_eq!(app.get_as(&q1, kadis).await.json()["actions"], json!(["assess"]));
        // The staff member's subordinates see nothing, and neither does the kadis's subordinate
        // see his penilai's evaluation.
        app.get_as(&format!("/api/v1/skps/{kadis_skp}/evaluations/q1"), staf)
            .await
            .assert_problem(404, "not_found");

        // The pegawai assesses himself first; the penilai sees it.
        let mine = json!({"rhk": [{"rhk_id": e["capaian"][0]["rhk_id"], "text": "Semua berkas selesai dalam 1 hari."}],
                          "core_values": [{"core_value": "adaptif", "text": "Belajar SIAK versi baru."}]});
        app.send(app.authed(Method::PUT, &format!("{q1}/self-assessment"), staf).json(&mine))
            .await
            .assert_problem(428, "precondition_required");
        put(app, kadis, &format!("{q1}/self-assessment"), &mine)
            .await
            .assert_problem(403, "forbidden");
        let done = put(app, staf, &format!("{q1}/self-assessment"), &mine).await;
        done.assert_status(200);
        assert_eq!(
            app.get_as(&q1, kadis).await.json()["self_assessment"]["core_values"][0]["text"],
            "Belajar SIAK versi baru."
        );

        // Only the penilai rates: not the pegawai, not the penilai's superior, not an admin.
        let fair = assessment(Some("di_atas_ekspektasi"), "sesuai_ekspektasi", None);
        for who in [staf, sekda, &c.admin] {
            put(app, who, &format!("{q1}/assessment"), &fair)
                .await
                .assert_problem(403, "forbidden");
        }
        // A work rating other than the suggestion needs a reason.
        let lower = assessment(Some("sesuai_ekspektasi"), "sesuai_ekspektasi", None);
        let problem = put(app, kadis, &format!("{q1}/assessment"), &lower)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "override_reason");
        let mut partial = fair.clone();
        partial["behavior_ratings"].as_object_mut().unwrap().remove("loyal");
        let problem = put(app, kadis, &format!("{q1}/assessment"), &partial)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "behavior_ratings.loyal");
        let rated = put(app, kadis, &format!("{q1}/assessment"), &fair).await;
        rated.assert_status(200);
        let rated = rated.json();
        assert_eq!((rated["status"].as_str(), rated["predikat"].as_str()), (Some("assessed"), Some("baik")));
        assert_eq!(rated["override_reason"], Value::Null);
        put(app, staf, &format!("{q1}/self-assessment"), &mine)
            .await
            .assert_problem(409, "self_assessment_closed");

        // Every cell of the quadrant, through the API.
        let cells = [
            ("di_atas_ekspektasi", "di_atas_ekspektasi", "sangat_baik", "Sangat Baik"),
            ("di_atas_ekspektasi", "sesuai_ekspektasi", "baik", "Baik"),
            ("di_atas_ekspektasi", "di_bawah_ekspektasi", "kurang", "Kurang/Misconduct"),
            ("sesuai_ekspektasi", "di_atas_ekspektasi", "baik", "Baik"),
            ("sesuai_ekspektasi", "sesuai_ekspektasi", "baik", "Baik"),
            ("sesuai_ekspektasi", "di_bawah_ekspektasi", "kurang", "Kurang/Misconduct"),
            ("di_bawah_ekspektasi", "di_atas_ekspektasi", "butuh_perbaikan", "Butuh Perbaikan"),
            ("di_bawah_ekspektasi", "sesuai_ekspektasi", "butuh_perbaikan", "Butuh Perbaikan"),
            ("di_bawah_ekspektasi", "di_bawah_ekspektasi", "sangat_kurang", "Sangat Kurang"),
        ];
        for (work, behavior, predikat, label) in cells {
            let body = assessment(Some(work), behavior, Some("Dinilai bersama atasan langsung."));
            let r = put(app, kadis, &format!("{q1}/assessment"), &body).await;
            r.assert_status(200);
            let r = r.json();
            assert_eq!((r["predikat"].as_str(), r["predikat_label"].as_str()), (Some(predikat), Some(label)), "{work} × {behavior}");
            let reason = if work == "di_atas_ekspektasi" { Value::Null } else { json!("Dinilai bersama atasan langsung.") };
            assert_eq!(r["override_reason"], reason, "kept only when overriding");
        }
        put(app, kadis, &format!("{q1}/assessment"), &fair).await.assert_status(200);

        // Finalising locks the evaluation and the quarter's realisasi; q2 stays open.
        action(app, staf, &skp, "evaluations/q1/finalize", None)
            .await
            .assert_problem(403, "forbidden");
        let final_q1 = action(app, kadis, &skp, "evaluations/q1/finalize", None).await;
        final_q1.assert_status(200);
        let final_q1 = final_q1.json();
        assert_eq!(final_q1["status"], "finalized");
        // Finalised on 2 March 2026 (09:00 WIB): objections until 16 March 23:59:59 WIB.
        assert_eq!(final_q1["objection_deadline"], "2026-03-16T16:59:59Z");
        assert_eq!(app.get_as(&q1, staf).await.json()["actions"], json!(["object"]));
        realisasi(app, staf, &skp, &indicator, "q1", 98.0)
            .await
            .assert_problem(409, "period_locked");
        let code = app.get_as(&format!("/api/v1/skps/{skp}"), staf).await.json()["rhk"][0]["indicators"][0]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let csv = format!(
            "nip,cycle_year,indicator_code,period,value,achieved,evidence,note\n{},2026,{code},q1,97,,,\n",
            kinerja_tests::test_nip(3)
        );
        let problem = app
            .import(&c.admin, "/api/v1/imports/realizations", "text/csv", csv)
            .await
            .assert_problem(422, "import_invalid");
        assert_eq!(problem["errors"][0]["code"], "period_locked", "{problem}");
        realisasi(app, staf, &skp, &indicator, "q2", 93.0).await.assert_status(201);
        put(app, kadis, &format!("{q1}/assessment"), &fair)
            .await
            .assert_problem(409, "evaluation_finalized");
        action(app, kadis, &skp, "evaluations/q2/finalize", None)
            .await
            .assert_problem(409, "evaluation_not_assessed");
        put(app, kadis, &format!("{base}/q4/assessment"), &assessment(Some("sesuai_ekspektasi"), "sesuai_ekspektasi", Some("Tahunan")))
            .await
            .assert_status(200);
        action(app, kadis, &skp, "evaluations/q4/finalize", None)
            .await
            .assert_problem(409, "finalized_by_calibration");

        // Reopening: an admin, with a reason, audited.
        let reopen = format!("{q1}/reopen");
        app.post_as(&reopen, kadis, &json!({"reason": "Koreksi"}))
            .await
            .assert_problem(403, "forbidden");
        app.post_as(&reopen, &c.admin, &json!({"reason": "  "}))
            .await
            .assert_problem(422, "validation_failed");
        let reopened = app
            .post_as(&reopen, &c.admin, &json!({"reason": "Realisasi Q1 salah input; dikoreksi atas nota dinas BKPSDM."}))
            .await;
        reopened.assert_status(200);
        assert_eq!(reopened.json()["status"], "assessed");
        realisasi(app, staf, &skp, &indicator, "q1", 98.0).await.assert_status(200);
        let id = reopened.json()["id"].as_str().unwrap().to_owned();
        let events = app
            .get_as(&format!("/api/v1/audit-events?entity_id={id}&action=evaluation.reopened"), &c.admin)
            .await
            .json();
        assert_eq!(events["total"], 1);

        // The head of an OPD: his work rating follows the OPD's predikat, not the penilai.
        let head = format!("/api/v1/skps/{kadis_skp}/evaluations/q1");
        let e = app.get_as(&head, sekda).await.json();
        assert_eq!(e["work_rating_from_org"], true);
        let problem = put(app, sekda, &format!("{head}/assessment"), &assessment(Some("sesuai_ekspektasi"), "sesuai_ekspektasi", Some("x")))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "work_rating_derived");
        let rated = put(app, sekda, &format!("{head}/assessment"), &assessment(None, "di_atas_ekspektasi", None)).await;
        rated.assert_status(200);
        assert_eq!(rated.json()["predikat"], Value::Null);
        assert!(rated.json()["missing"].as_array().unwrap().contains(&json!("org_predikat")));
        action(app, sekda, &kadis_skp, "evaluations/q1/finalize", None)
            .await
            .assert_problem(409, "org_predikat_missing");
    })
    .await;
}

#[tokio::test]
async fn an_objection_is_filed_in_time_explained_and_decided_once() {
    on_each_db(async |app: &TestApp| {
        let mut c = city(app).await;
        let (staf, kadis, sekda) = (&c.staf.1.clone(), &c.kadis.1.clone(), &c.sekda.1.clone());
        let (skp, indicator, _) = staff_skp(app, &c).await;
        let base = format!("/api/v1/skps/{skp}/evaluations");
        for period in ["q1", "q2", "q3"] {
            realisasi(app, staf, &skp, &indicator, period, 80.0).await.assert_status(201);
            put(app, kadis, &format!("{base}/{period}/assessment"), &assessment(Some("sesuai_ekspektasi"), "sesuai_ekspektasi", Some("Capaian belum stabil.")))
                .await
                .assert_status(200);
        }
        let objection = |period: &str| format!("{base}/{period}/objections");
        let reason = json!({"reason": "Capaian sudah mendekati target; rating sesuai ekspektasi tidak tepat."});
        app.post_as(&objection("q1"), staf, &reason)
            .await
            .assert_problem(409, "evaluation_not_finalized");
        for period in ["q1", "q2", "q3"] {
            action(app, kadis, &skp, &format!("evaluations/{period}/finalize"), None)
                .await
                .assert_status(200);
        }

        // Only the pegawai objects, once.
        app.post_as(&objection("q1"), kadis, &reason)
            .await
            .assert_problem(403, "forbidden");
        let filed = app.post_as(&objection("q1"), staf, &reason).await;
        filed.assert_status(201);
        let filed = filed.json();
        assert_eq!(filed["status"], "filed");
        assert_eq!(filed["original"]["predikat"], "baik");
        app.post_as(&objection("q1"), staf, &reason)
            .await
            .assert_problem(409, "objection_exists");
        let id = filed["id"].as_str().unwrap().to_owned();
        let url = format!("/api/v1/objections/{id}");

        // The atasan decides after the penilai's explanation; the penilai does not decide.
        let accept = json!({"decision": "accepted", "note": "Capaian mendukung.", "work_rating": "di_atas_ekspektasi", "behavior_rating": "di_atas_ekspektasi"});
        app.post_as(&format!("{url}/decide"), sekda, &accept)
            .await
            .assert_problem(409, "objection_awaiting_explanation");
        app.post_as(&format!("{url}/decide"), kadis, &accept)
            .await
            .assert_problem(403, "forbidden");
        app.post_as(&format!("{url}/explanation"), staf, &json!({"text": "x"}))
            .await
            .assert_problem(403, "forbidden");
        app.post_as(&format!("{url}/explanation"), kadis, &json!({"text": "Dua bulan di bawah target kuartal."}))
            .await
            .assert_status(200);
        app.post_as(&format!("{url}/explanation"), kadis, &json!({"text": "Lagi."}))
            .await
            .assert_problem(409, "objection_explained");
        // The cycle does not close while an objection is open.
        app.post_as(&format!("/api/v1/cycles/{}/close", c.cycle), &c.admin, &json!({}))
            .await
            .assert_problem(409, "objections_pending");
        let decided = app.post_as(&format!("{url}/decide"), sekda, &accept).await;
        decided.assert_status(200);
        let decided = decided.json();
        assert_eq!((decided["status"].as_str(), decided["decision"].as_str()), (Some("accepted"), Some("accepted")));
        assert_eq!(decided["original"]["predikat"], "baik", "the history keeps the original");
        assert_eq!(decided["decided"]["predikat"], "sangat_baik");
        let q1 = app.get_as(&format!("{base}/q1"), staf).await.json();
        assert_eq!((q1["predikat"].as_str(), q1["status"].as_str()), (Some("sangat_baik"), Some("finalized")));
        assert_eq!(q1["objection"]["status"], "accepted");
        app.post_as(&format!("{url}/decide"), sekda, &json!({"decision": "rejected"}))
            .await
            .assert_problem(409, "objection_decided");

        // Day 14 WIB is the last day: at 23:59:59 WIB a filing is in time, a second later not.
        app.clock.set(Utc.with_ymd_and_hms(2026, 3, 16, 17, 0, 0).unwrap());
        relogin(app, &mut c).await;
        let staf = &c.staf.1.clone();
        app.post_as(&objection("q2"), staf, &reason)
            .await
            .assert_problem(409, "objection_window_closed");
        app.clock.set(Utc.with_ymd_and_hms(2026, 3, 16, 16, 59, 59).unwrap());
        let late = app.post_as(&objection("q3"), staf, &reason).await;
        late.assert_status(201);
        let late_id = late.json()["id"].as_str().unwrap().to_owned();
        let late_url = format!("/api/v1/objections/{late_id}");
        // Without an explanation the atasan decides once its 7 days have passed; a rejection
        // changes no rating.
        app.clock.set(Utc.with_ymd_and_hms(2026, 3, 24, 2, 0, 0).unwrap());
        relogin(app, &mut c).await;
        let (staf, sekda) = (&c.staf.1.clone(), &c.sekda.1.clone());
        let problem = app
            .post_as(&format!("{late_url}/decide"), sekda, &json!({"decision": "rejected", "work_rating": "di_atas_ekspektasi"}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "not_allowed");
        let rejected = app
            .post_as(&format!("{late_url}/decide"), sekda, &json!({"decision": "rejected", "note": "Rating sesuai capaian."}))
            .await;
        rejected.assert_status(200);
        assert_eq!(rejected.json()["decided"]["predikat"], "baik");

        // Each side lists what concerns him; every step is audited.
        let mine = app.get_as("/api/v1/objections", staf).await.json();
        assert_eq!(mine["total"], 2);
        let first_page = app.get_as("/api/v1/objections?per_page=1", staf).await.json();
        assert_eq!((first_page["items"].as_array().unwrap().len(), first_page["total"].as_u64()), (1, Some(2)));
        let accepted = app.get_as("/api/v1/objections?status=accepted", &c.admin).await.json();
        assert_eq!(accepted["items"].as_array().unwrap().len(), 1);
        for (action, n) in [("objection.filed", 1), ("objection.explained", 1), ("objection.decided", 1)] {
            let events = app
                .get_as(&format!("/api/v1/audit-events?entity_id={id}&action={action}"), &c.admin)
                .await
                .json();
            assert_eq!(events["total"], n, "{action}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_transfer_voids_later_quarters_and_the_annual_evaluation_shows_the_earlier_skp() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (staf, kadis) = (&c.staf.1, &c.kadis.1);
        let (first, indicator, kadis_skp) = staff_skp(app, &c).await;
        realisasi(app, staf, &first, &indicator, "q1", 90.0).await.assert_status(201);
        put(app, kadis, &format!("/api/v1/skps/{first}/evaluations/q1/assessment"), &assessment(Some("sesuai_ekspektasi"), "sesuai_ekspektasi", None))
            .await
            .assert_status(200);
        action(app, kadis, &first, "evaluations/q1/finalize", None)
            .await
            .assert_status(200);

        // Transferred on 15 May: the first SKP ends the day before; q3 and q4 become void.
        app.patch_as(&format!("/api/v1/skps/{first}"), &c.operator, Some("*"), &json!({"end_date": "2026-05-14"}))
            .await
            .assert_status(200);
        let statuses: Vec<(String, String)> = app
            .get_as(&format!("/api/v1/skps/{first}/evaluations"), staf)
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["period"].as_str().unwrap().to_owned(), e["status"].as_str().unwrap().to_owned()))
            .collect();
        let expected = [("q1", "finalized"), ("q2", "open"), ("q3", "void"), ("q4", "void")];
        assert_eq!(
            statuses,
            expected.map(|(p, s)| (p.to_owned(), s.to_owned())),
        );
        put(app, kadis, &format!("/api/v1/skps/{first}/evaluations/q4/assessment"), &assessment(Some("sesuai_ekspektasi"), "sesuai_ekspektasi", None))
            .await
            .assert_problem(409, "evaluation_void");

        // The second SKP, from 15 May, is evaluated in q2..q4; its annual evaluation shows the
        // periodic results of the first.
        let second = app
            .post_as("/api/v1/skps", &c.operator, &json!({"cycle_id": c.cycle, "employee_id": c.staf.0, "start_date": "2026-05-15"}))
            .await;
        second.assert_status(201);
        let second = second.json()["id"].as_str().unwrap().to_owned();
        let kadis_rhk = app.get_as(&format!("/api/v1/skps/{kadis_skp}"), kadis).await.json()["rhk"][0]["id"].clone();
        app.post_as(&format!("/api/v1/skps/{second}/rhk"), staf, &rhk("utama", "Layanan KIA", json!({"parent_rhk_id": kadis_rhk})))
            .await
            .assert_status(201);
        action(app, staf, &second, "submit", None).await.assert_status(200);
        action(app, kadis, &second, "approve", None).await.assert_status(200);
        let periods: Vec<Value> = app
            .get_as(&format!("/api/v1/skps/{second}/evaluations"), staf)
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["period"].clone())
            .collect();
        assert_eq!(periods, [json!("q2"), json!("q3"), json!("q4")]);
        let annual = app.get_as(&format!("/api/v1/skps/{second}/evaluations/q4"), kadis).await.json();
        let earlier = annual["earlier"].as_array().unwrap();
        assert_eq!(earlier.len(), 3, "q1..q3 of the first SKP: {annual}");
        assert_eq!(earlier[0]["period"], "q1");
        assert_eq!(earlier[0]["status"], "finalized");
        assert_eq!(earlier[0]["outcome"]["predikat"], "baik");
        assert_eq!(earlier[0]["skp_id"], first.as_str());

        // What finalised evaluations were judged by no longer changes.
        let problem = app
            .patch_as(
                &format!("/api/v1/cycles/{}", c.cycle),
                &c.admin,
                Some("*"),
                &json!({"settings": {"work_rating_thresholds": {"di_atas": 105, "sesuai": 85}}, "reason": "Kebijakan baru"}),
            )
            .await;
        problem.assert_problem(409, "evaluation_finalized");

        // SKPs approved before evaluations existed get theirs when the server starts.
        let conn = app.db.connection();
        use sea_orm::ConnectionTrait;
        conn.execute_unprepared("DELETE FROM evaluations").await.unwrap();
        let opened = kinerja_api::services::evaluations::backfill(&app.db, app.clock_now())
            .await
            .unwrap();
        assert_eq!(opened, 3, "the kadis's and both of the staff member's");
        assert_eq!(
            app.get_as(&format!("/api/v1/skps/{first}/evaluations"), staf).await.json().as_array().unwrap().len(),
            2,
            "q1 and q2: the quarters its dates overlap"
        );
        assert_eq!(
            kinerja_api::services::evaluations::backfill(&app.db, app.clock_now()).await.unwrap(),
            0
        );
    })
    .await;
}
