//! Organisational performance and calibration: the leader above sets the OPD's predikat, the
//! head's work rating follows, and the OPD's annual evaluations are finalised at once only when
//! its employees' predikat fit the curve — or the leader above overrides it with a reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::city::{City, action, approved_and_running, assessment, city, draft, put, rhk};
use kinerja_tests::{TestApp, TestResponse, on_each_db, test_nip};
use serde_json::{Value, json};

/// The (work, behaviour) ratings that give each predikat.
fn ratings(predikat: &str) -> (&'static str, &'static str) {
    match predikat {
        "sangat_baik" => ("di_atas_ekspektasi", "di_atas_ekspektasi"),
        "baik" => ("sesuai_ekspektasi", "sesuai_ekspektasi"),
        "butuh_perbaikan" => ("di_bawah_ekspektasi", "sesuai_ekspektasi"),
        "kurang" => ("sesuai_ekspektasi", "di_bawah_ekspektasi"),
        _ => ("di_bawah_ekspektasi", "di_bawah_ekspektasi"),
    }
}

/// Disdukcapil with its head and nine staff, each with an approved SKP, in the running cycle:
/// the head's SKP id, the staff's SKP ids, the Disdukcapil unit id.
async fn opd(app: &TestApp, c: &City) -> (String, Vec<String>, String) {
    let (kadis_skp, kadis_rhk) = approved_and_running(app, c).await;
    let unit = app
        .get_as(&format!("/api/v1/employees/{}", c.kadis.0), &c.admin)
        .await
        .json()["unit_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The Sekda heads the Setda: the leader above Disdukcapil.
    let setda = app
        .get_as(&format!("/api/v1/units/{unit}"), &c.admin)
        .await
        .json()["parent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch_as(
        &format!("/api/v1/units/{setda}"),
        &c.admin,
        Some("*"),
        &json!({"head_employee_id": c.sekda.0}),
    )
    .await
    .assert_status(200);
    let mut staff = vec![c.staf.0];
    for n in 0..8 {
        staff.push(
            app.create_employee(
                &c.admin,
                &test_nip(100 + n),
                &format!("Staf {n}"),
                unit.parse().unwrap(),
                Some(c.kadis.0),
            )
            .await,
        );
    }
    let mut skps = Vec::new();
    for employee in staff {
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
    (kadis_skp, skps, unit)
}

/// The kadis rates his nine staff's annual evaluations with these predikat.
async fn rate_staff(app: &TestApp, c: &City, skps: &[String], predikat: &[&str]) {
    for (skp, p) in skps.iter().zip(predikat) {
        let (work, behavior) = ratings(p);
        put(
            app,
            &c.kadis.1,
            &format!("/api/v1/skps/{skp}/evaluations/q4/assessment"),
            &assessment(Some(work), behavior),
        )
        .await
        .assert_status(200);
    }
}

/// The leader above (the Sekda) sets the OPD's predikat for q4.
async fn set(app: &TestApp, token: &str, base: &str, predikat: &str) -> TestResponse {
    put(
        app,
        token,
        &format!("{base}/performance"),
        &json!({"period": "q4", "predikat": predikat}),
    )
    .await
}

#[tokio::test]
async fn a_baik_opd_with_8_of_10_sangat_baik_is_refused_then_finalises_once_re_assessed() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (kadis_skp, staff, unit) = opd(app, &c).await;
        let base = format!("/api/v1/cycles/{}/units/{unit}", c.cycle);

        // Only the leader above sets the predikat; without realisasi there is no suggestion.
        let p = app.get_as(&format!("{base}/performance"), &c.kadis.1).await;
        p.assert_status(200);
        let p = p.json();
        assert_eq!(p["leader"]["employee_id"], c.sekda.0.to_string());
        assert_eq!((p["predikat"].clone(), p["suggested_predikat"].clone()), (Value::Null, Value::Null));
        set(app, &c.kadis.1, &base, "istimewa").await.assert_problem(403, "forbidden");
        let set_baik = set(app, &c.sekda.1, &base, "baik").await;
        set_baik.assert_status(200);
        assert_eq!(set_baik.json()["head_work_rating"], "sesuai_ekspektasi");
        // The period's manual Perjanjian Kinerja realisasi lock; other periods stay open.
        let pk = format!("{base}/indicators/{}/realizations", c.indicator);
        app.post_as(&pk, &c.operator, &json!({"period": "q4", "value": 96}))
            .await
            .assert_problem(409, "period_locked");
        app.post_as(&pk, &c.operator, &json!({"period": "q1", "value": 96}))
            .await
            .assert_status(201);

        // The head's work rating follows; his penilai rates only his behaviour.
        let head_q4 = format!("/api/v1/skps/{kadis_skp}/evaluations/q4");
        put(app, &c.sekda.1, &format!("{head_q4}/assessment"), &assessment(None, "sesuai_ekspektasi"))
            .await
            .assert_status(200);
        let head = app.get_as(&head_q4, &c.sekda.1).await.json();
        assert_eq!((head["work_rating"]["rating"].as_str(), head["predikat"].as_str()), (Some("sesuai_ekspektasi"), Some("baik")));

        // 8 sangat baik and the head's baik among 10: refused, every breach listed.
        rate_staff(app, &c, &staff, &["sangat_baik"; 8].iter().copied().chain(["baik"]).collect::<Vec<_>>()).await;
        let cal = app.get_as(&format!("{base}/calibration"), &c.kadis.1).await.json();
        assert_eq!(cal["headcount"], 10, "{cal}");
        assert_eq!(cal["counts"]["sangat_baik"], 8);
        assert_eq!(cal["rule"], "baik");
        assert_eq!(cal["blocked"], true);
        assert_eq!(
            cal["breaches"],
            json!([
                {"rule": "baik_largest_group", "limit": 8, "actual": 2, "to_move": 3},
                {"rule": "butuh_perbaikan_or_kurang_at_least_one", "limit": 1, "actual": 0, "to_move": 1}
            ])
        );
        let finalize = format!("{base}/calibration/finalize");
        let refused = app.post_as(&finalize, &c.kadis.1, &json!({"period": "q4"})).await;
        let problem = refused.assert_problem(409, "curve_breached");
        assert_eq!(problem["breaches"], cal["breaches"]);
        // The OPD head does not override his own curve; q1..q3 are not finalised this way.
        app.post_as(&finalize, &c.kadis.1, &json!({"period": "q4", "override_reason": "Kinerja staf memang istimewa"}))
            .await
            .assert_problem(403, "forbidden");
        app.post_as(&finalize, &c.kadis.1, &json!({"period": "q2"}))
            .await
            .assert_problem(422, "validation_failed");

        // Re-assessed to 2 sangat baik, 6 baik (the head's included) and 2 butuh perbaikan.
        rate_staff(app, &c, &staff, &["sangat_baik", "sangat_baik", "baik", "baik", "baik", "baik", "baik", "butuh_perbaikan", "butuh_perbaikan"]).await;
        let cal = app.get_as(&format!("{base}/calibration"), &c.kadis.1).await.json();
        assert_eq!(cal["breaches"], json!([]), "{cal}");
        let done = app.post_as(&finalize, &c.kadis.1, &json!({"period": "q4"})).await;
        done.assert_status(200);
        assert_eq!(done.json()["finalized"], true);
        for skp in staff.iter().chain([&kadis_skp]) {
            let e = app.get_as(&format!("/api/v1/skps/{skp}/evaluations/q4"), &c.admin).await.json();
            assert_eq!(e["status"], "finalized", "{skp}");
        }
        app.post_as(&finalize, &c.kadis.1, &json!({"period": "q4"}))
            .await
            .assert_problem(409, "calibration_finalized");
        set(app, &c.sekda.1, &base, "istimewa").await.assert_problem(409, "calibration_finalized");

        // The city-wide view lists every OPD of the running cycle.
        let city_view = app.get_as(&format!("/api/v1/cycles/{}/calibration", c.cycle), &c.admin).await.json();
        let mine = city_view.as_array().unwrap().iter().find(|x| x["unit_id"] == unit.as_str()).unwrap().clone();
        assert_eq!(mine["finalized"], true);
    })
    .await;
}

#[tokio::test]
async fn the_leader_above_overrides_a_breach_with_a_reason_and_each_curve_is_checked() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (kadis_skp, staff, unit) = opd(app, &c).await;
        let base = format!("/api/v1/cycles/{}/units/{unit}", c.cycle);
        set(app, &c.sekda.1, &base, "baik").await.assert_status(200);
        put(app, &c.sekda.1, &format!("/api/v1/skps/{kadis_skp}/evaluations/q4/assessment"), &assessment(None, "sesuai_ekspektasi"))
            .await
            .assert_status(200);
        // Not every evaluation is assessed yet: finalising waits.
        rate_staff(app, &c, &staff[..8], &["baik"; 8]).await;
        let waiting = app.post_as(&format!("{base}/calibration/finalize"), &c.sekda.1, &json!({"period": "q4"})).await;
        let problem = waiting.assert_problem(409, "evaluations_open");
        assert_eq!(problem["employees"].as_array().unwrap().len(), 1);
        rate_staff(app, &c, &staff[8..], &["sangat_baik"]).await;
        // Now 9 baik (head included) and 1 sangat baik.

        // Each curve, through the API: the head's predikat follows the OPD's every time.
        let cal = async |predikat: &str| {
            set(app, &c.sekda.1, &base, predikat).await.assert_status(200);
            let v = app.get_as(&format!("{base}/calibration"), &c.sekda.1).await.json();
            v["breaches"].as_array().unwrap().iter().map(|b| b["rule"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        };
        // The staff: 8 baik and 1 sangat baik; the head's behaviour sesuai. Istimewa makes him
        // baik (di atas × sesuai): sangat baik is far from the largest group.
        assert_eq!(cal("istimewa").await, ["sangat_baik_largest_group"]);
        // Butuh perbaikan, kurang and sangat kurang make him butuh perbaikan (di bawah × sesuai).
        assert_eq!(cal("butuh_perbaikan").await, ["butuh_perbaikan_at_least_60"]);
        assert_eq!(cal("kurang").await, ["kurang_at_least_60"]);
        assert_eq!(cal("sangat_kurang").await, ["sangat_kurang_at_least_60", "sangat_baik_none"]);
        assert_eq!(cal("baik").await, ["baik_at_most_70", "butuh_perbaikan_or_kurang_at_least_one"]);

        // The leader above overrides with a reason: it passes and is audited.
        let finalize = format!("{base}/calibration/finalize");
        app.post_as(&finalize, &c.sekda.1, &json!({"period": "q4"}))
            .await
            .assert_problem(409, "curve_breached");
        let done = app
            .post_as(&finalize, &c.sekda.1, &json!({"period": "q4", "override_reason": "Seluruh IKU layanan kependudukan tercapai di atas target."}))
            .await;
        done.assert_status(200);
        assert_eq!(done.json()["override_reason"], "Seluruh IKU layanan kependudukan tercapai di atas target.");
        let id = app.get_as(&format!("{base}/performance"), &c.admin).await.json()["id"].as_str().unwrap().to_owned();
        let events = app
            .get_as(&format!("/api/v1/audit-events?entity_id={id}&action=calibration.finalized"), &c.admin)
            .await
            .json();
        assert_eq!(events["total"], 1);
        assert_eq!(events["items"][0]["after"]["override_reason"], "Seluruh IKU layanan kependudukan tercapai di atas target.");
    })
    .await;
}
