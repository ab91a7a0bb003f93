//! The annual predikat export for the national systems: one row per employee with an annual (q4)
//! evaluation, ratings and predikat only once finalised, as JSON pages or CSV (formulas
//! neutralised), for admins, auditors and services with `read:performance` or `read:reports`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::city::{action, approved_and_running, assessment, city, draft, put, rhk};
use kinerja_tests::{TestApp, on_each_db};
use reqwest::Method;
use serde_json::{Value, json};

async fn service(app: &TestApp, admin: &str, scopes: &[&str]) -> String {
    app.service_token(admin, &format!("svc {}", scopes.join(" ")), scopes)
        .await
}

fn row<'a>(page: &'a Value, nip: &str) -> &'a Value {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["nip"] == nip)
        .unwrap_or_else(|| panic!("no row for {nip}: {page}"))
}

#[tokio::test]
async fn the_annual_predikat_lists_each_evaluated_employee_with_final_ratings_only() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let a = c.admin.clone();
        // The kadis's SKP is approved and the cycle runs; his staff member's SKP cascades from it.
        let (kadis_skp, kadis_rhk) = approved_and_running(app, &c).await;
        // A name a spreadsheet would run as a formula.
        app.patch_as(&format!("/api/v1/employees/{}", c.staf.0), &a, Some("*"), &json!({"name": "=HYPERLINK(\"x\") Staf"}))
            .await
            .assert_status(200);
        let staf_skp = draft(app, &a, &c.cycle, &c.staf.0).await;
        app.post_as(&format!("/api/v1/skps/{staf_skp}/rhk"), &a, &rhk("utama", "Berkas selesai", json!({"parent_rhk_id": kadis_rhk})))
            .await
            .assert_status(201);
        action(app, &a, &staf_skp, "submit", None).await.assert_status(200);
        action(app, &c.kadis.1, &staf_skp, "approve", None).await.assert_status(200);
        let dinas = app.get_as(&format!("/api/v1/employees/{}", c.kadis.0), &a).await.json()["unit_id"].as_str().unwrap().to_owned();
        let staf_nip = app.get_as(&format!("/api/v1/employees/{}", c.staf.0), &a).await.json()["nip"].as_str().unwrap().to_owned();
        let kadis_nip = app.get_as(&format!("/api/v1/employees/{}", c.kadis.0), &a).await.json()["nip"].as_str().unwrap().to_owned();
        let export = "/api/v1/exports/annual-predikat?year=2026";

        // Assessed but not final: listed with the status, no ratings. The sekda has no SKP: not listed.
        put(app, &c.kadis.1, &format!("/api/v1/skps/{staf_skp}/evaluations/q4/assessment"), &assessment(Some("di_atas_ekspektasi"), "di_atas_ekspektasi"))
            .await
            .assert_status(200);
        let before = app.get_as(export, &a).await;
        before.assert_status(200);
        let before = before.json();
        assert_eq!(before["total"], 2, "{before}");
        let staf = row(&before, &staf_nip);
        assert_eq!((staf["status"].as_str(), staf["predikat"].clone(), staf["work_rating"].clone()), (Some("assessed"), Value::Null, Value::Null));
        assert_eq!(row(&before, &kadis_nip)["status"], "open");

        // The leader above sets the OPD's predikat (baik: the head's hasil kerja is sesuai), rates
        // the head's perilaku, and the head finalises the calibration (2 staff: never blocked).
        let setda = app.get_as(&format!("/api/v1/units/{dinas}"), &a).await.json()["parent_id"].as_str().unwrap().to_owned();
        app.patch_as(&format!("/api/v1/units/{setda}"), &a, Some("*"), &json!({"head_employee_id": c.sekda.0}))
            .await
            .assert_status(200);
        let base = format!("/api/v1/cycles/{}/units/{dinas}", c.cycle);
        put(app, &c.sekda.1, &format!("{base}/performance"), &json!({"period": "q4", "predikat": "baik"}))
            .await
            .assert_status(200);
        put(app, &c.sekda.1, &format!("/api/v1/skps/{kadis_skp}/evaluations/q4/assessment"), &assessment(None, "di_bawah_ekspektasi"))
            .await
            .assert_status(200);
        app.post_as(&format!("{base}/calibration/finalize"), &c.kadis.1, &json!({"period": "q4"}))
            .await
            .assert_status(200);

        let after = app.get_as(export, &a).await.json();
        assert_eq!(after["total"], 2);
        let staf = row(&after, &staf_nip);
        assert_eq!(staf["name"], "=HYPERLINK(\"x\") Staf");
        assert_eq!(staf["year"], 2026);
        assert_eq!(staf["unit_code"], "DISDUKCAPIL");
        assert_eq!(staf["status"], "finalized");
        assert_eq!(staf["status_label"], "Final");
        assert_eq!(staf["work_rating"], "di_atas_ekspektasi");
        assert_eq!(staf["behavior_rating"], "di_atas_ekspektasi");
        assert_eq!((staf["predikat"].as_str(), staf["predikat_label"].as_str()), (Some("sangat_baik"), Some("Sangat Baik")));
        assert_eq!(staf["skp_id"], staf_skp);
        assert!(staf["finalized_at"].is_string());
        // The head: sesuai (from the OPD's baik) × di bawah → kurang.
        let kadis = row(&after, &kadis_nip);
        assert_eq!((kadis["work_rating"].as_str(), kadis["behavior_rating"].as_str()), (Some("sesuai_ekspektasi"), Some("di_bawah_ekspektasi")));
        assert_eq!((kadis["predikat"].as_str(), kadis["predikat_label"].as_str()), (Some("kurang"), Some("Kurang/Misconduct")));

        // Paged and sorted like every list; another year has no rows.
        let paged = app.get_as(&format!("{export}&per_page=1&page=2&sort=-nip"), &a).await.json();
        let mut nips = [kadis_nip.clone(), staf_nip.clone()];
        nips.sort();
        assert_eq!((paged["total"].as_u64(), paged["items"].as_array().unwrap().len()), (Some(2), 1));
        assert_eq!(paged["items"][0]["nip"], nips[0].as_str());
        assert_eq!(app.get_as("/api/v1/exports/annual-predikat?year=2025", &a).await.json()["total"], 0);

        // CSV: every row, the formula neutralised, `;` on request.
        let csv = app.send(app.authed(Method::GET, &format!("{export}&sep=%3B"), &a).header("Accept", "text/csv")).await;
        csv.assert_status(200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        let text = csv.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("nip;name;year;unit_code;unit_name;position;golongan;work_rating;behavior_rating;predikat;predikat_label;status;finalized_at"), "{text}");
        let staf_line = lines.iter().find(|l| l.starts_with(&staf_nip)).unwrap();
        assert!(staf_line.contains(";\"'=HYPERLINK(\"\"x\"\") Staf\";2026;DISDUKCAPIL;"), "{staf_line}");
        assert!(staf_line.contains(";di_atas_ekspektasi;di_atas_ekspektasi;sangat_baik;Sangat Baik;finalized;"), "{staf_line}");

        // Who may read it.
        let performance = service(app, &a, &["read:performance"]).await;
        let reports = service(app, &a, &["read:reports"]).await;
        let org = service(app, &a, &["read:org", "read:events"]).await;
        let (_, auditor) = app.session_as("auditor", &["auditor"]).await;
        for token in [&performance, &reports, &auditor.access_token] {
            app.get_as(export, token).await.assert_status(200);
        }
        for token in [&org, &c.kadis.1, &c.operator] {
            app.get_as(export, token).await.assert_problem(403, "forbidden");
        }
        app.get(export).await.assert_problem(401, "unauthorized");
        // The year is required and bounded.
        for bad in ["/api/v1/exports/annual-predikat", "/api/v1/exports/annual-predikat?year=1999", "/api/v1/exports/annual-predikat?year=x"] {
            app.get_as(bad, &a).await.assert_problem(400, "invalid_parameter");
        }
    })
    .await;
}
