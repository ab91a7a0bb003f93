//! Annual performance cycles: one per year, settings with the regulation's defaults, and the
//! planning → running → closed life.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{TestApp, on_each_db};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_cycle_opens_with_the_regulation_defaults_and_runs_its_course() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let created = app.post_as("/api/v1/cycles", a, &json!({"year": 2026})).await;
        created.assert_status(201);
        let cycle = created.json();
        assert_eq!(cycle["name"], "Siklus Kinerja 2026");
        assert_eq!(cycle["status"], "planning");
        assert_eq!(cycle["status_label"], "Perencanaan");
        assert_eq!(cycle["periods"], json!(["q1", "q2", "q3", "q4"]));
        let s = &cycle["settings"];
        assert_eq!(s["work_rating_thresholds"], json!({"di_atas": 110.0, "sesuai": 90.0}));
        assert_eq!(s["capaian_cap"], 120.0);
        assert_eq!(s["org_predikat_thresholds"]["butuh_perbaikan"], 80.0);
        assert_eq!(s["head_rating_from_org"]["baik"], "sesuai_ekspektasi");
        assert_eq!(s["curve_enforcement"], "block");
        assert_eq!(s["curve_min_headcount"], 5);
        assert_eq!((s["jp_minimum_pns"].clone(), s["jp_cap_pppk"].clone()), (json!(20.0), json!(24.0)));
        let id = cycle["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/cycles/{id}");

        app.post_as("/api/v1/cycles", a, &json!({"year": 2026})).await.assert_problem(409, "cycle_year_taken");

        // Planning: settings change freely, exactly as written.
        let changed = app
            .patch_as(&path, a, Some("\"1\""), &json!({"settings": {"weak_indicator_capaian": 80.25, "curve_enforcement": "warn"}}))
            .await;
        changed.assert_status(200);
        assert_eq!(changed.json()["settings"]["weak_indicator_capaian"], 80.25);
        assert_eq!(changed.json()["settings"]["curve_enforcement"], "warn");
        assert_eq!(changed.json()["settings"]["capaian_cap"], 120.0, "untouched settings keep their value");

        let start = app.send(app.authed(Method::POST, &format!("{path}/start"), a).header("If-Match", "\"2\"")).await;
        start.assert_status(200);
        assert_eq!(start.json()["status"], "running");
        assert!(start.json()["started_at"].is_string());
        app.send(app.authed(Method::POST, &format!("{path}/start"), a))
            .await
            .assert_problem(409, "cycle_not_planning");

        // Running: a settings change needs a reason, which the audit trail keeps.
        let problem = app
            .patch_as(&path, a, Some("*"), &json!({"settings": {"capaian_cap": 130}}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "reason");
        app.patch_as(&path, a, Some("*"), &json!({"settings": {"capaian_cap": 130}, "reason": "Perwali 12/2026"}))
            .await
            .assert_status(200);
        let trail = app.get_as(&format!("/api/v1/audit-events?entity_id={id}&action=cycle.updated"), a).await.json();
        assert_eq!(trail["items"][0]["after"]["reason"], "Perwali 12/2026");
        // A rename needs no reason.
        app.patch_as(&path, a, Some("*"), &json!({"name": "Siklus Kinerja Pemko 2026"})).await.assert_status(200);

        let closed = app.send(app.authed(Method::POST, &format!("{path}/close"), a)).await;
        closed.assert_status(200);
        assert_eq!(closed.json()["status"], "closed");
        app.send(app.authed(Method::POST, &format!("{path}/close"), a))
            .await
            .assert_problem(409, "cycle_not_running");
        app.patch_as(&path, a, Some("*"), &json!({"name": "x"})).await.assert_problem(409, "cycle_closed");

        // Everyone signed in reads cycles; only admins change them.
        let (_, employee) = app.session_as("budi", &["employee"]).await;
        let list = app.get_as("/api/v1/cycles?status=closed", &employee.access_token).await.json();
        assert_eq!(list["total"], 1);
        app.post_as("/api/v1/cycles", &employee.access_token, &json!({"year": 2027}))
            .await
            .assert_problem(403, "forbidden");
    })
    .await;
}

#[tokio::test]
async fn settings_that_break_their_rules_name_the_field() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let cases = [
            (json!({"curve_min_headcount": 4}), "settings.curve_min_headcount"),
            (json!({"work_rating_thresholds": {"di_atas": 90, "sesuai": 110}}), "settings.work_rating_thresholds.di_atas"),
            (json!({"org_predikat_thresholds": {"istimewa": 110, "baik": 120, "butuh_perbaikan": 80, "kurang": 60}}), "settings.org_predikat_thresholds"),
            (json!({"capaian_cap": 99}), "settings.capaian_cap"),
            (json!({"weak_indicator_capaian": 80.125}), "settings.weak_indicator_capaian"),
            (json!({"jp_minimum_pppk": 30, "jp_cap_pppk": 24}), "settings.jp_minimum_pppk"),
        ];
        for (settings, field) in cases {
            let problem = app
                .post_as("/api/v1/cycles", a, &json!({"year": 2026, "settings": settings}))
                .await
                .assert_problem(422, "validation_failed");
            let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert!(fields.contains(&field), "{settings}: {problem}");
        }
        app.post_as("/api/v1/cycles", a, &json!({"year": 1999})).await.assert_problem(422, "validation_failed");
        app.post_as("/api/v1/cycles", a, &json!({"year": 2026, "settings": {"colour": "red"}}))
            .await
            .assert_problem(400, "unknown_field");
        assert_eq!(app.get_as("/api/v1/cycles", a).await.json()["total"], 0, "nothing was written");
    })
    .await;
}
