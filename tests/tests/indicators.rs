//! Perjanjian Kinerja: an OPD's indicators for a cycle, kept by its people, with exact targets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{TestApp, on_each_db, test_nip};
use serde_json::json;

#[tokio::test]
async fn an_opd_keeps_its_perjanjian_kinerja() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let cycle = app.post_as("/api/v1/cycles", a, &json!({"year": 2026})).await.json()["id"].as_str().unwrap().to_owned();
        let opd = app.create_unit(a, "DISDUKCAPIL", "dinas", None, true).await;
        let bidang = app.create_unit(a, "DISDUKCAPIL.PIAK", "bidang", Some(opd), false).await;
        let kadis = app.create_employee(a, &test_nip(1), "Kepala Dinas", opd, None).await;
        app.patch_as(&format!("/api/v1/units/{opd}"), a, Some("*"), &json!({"head_employee_id": kadis}))
            .await
            .assert_status(200);
        let (kadis_user, _) = app.session_as("kadis", &["employee"]).await;
        app.link_user(a, kadis_user.id, kadis).await;
        let head = app.login(&kadis_user).await.access_token;
        let path = format!("/api/v1/cycles/{cycle}/units/{opd}/indicators");

        // The head writes his OPD's indicators; codes are assigned in order.
        let ktp = app
            .post_as(
                &path,
                &head,
                &json!({"description": "Persentase KTP-el terbit ≤ 1 hari kerja", "direction": "higher_is_better",
                        "target": 95, "unit": "persen", "aggregation": "average",
                        "period_targets": {"q1": 90, "q2": 92.5, "q3": 94.0001}}),
            )
            .await;
        ktp.assert_status(201);
        let body = ktp.json();
        assert_eq!(body["code"], "IKU1");
        assert_eq!(body["direction_label"], "Semakin tinggi semakin baik");
        assert_eq!(body["period_targets"], json!({"q1": 90.0, "q2": 92.5, "q3": 94.0001}));
        let akta = app
            .post_as(
                &path,
                &head,
                &json!({"description": "Rata-rata hari penerbitan akta kelahiran", "direction": "lower_is_better",
                        "target": 2, "unit": "hari", "aggregation": "average"}),
            )
            .await;
        akta.assert_status(201);
        assert_eq!(akta.json()["code"], "IKU2");
        let list = app.get_as(&path, &head).await.json();
        assert_eq!(list.as_array().unwrap().len(), 2);

        // Targets fit the direction, exactly.
        let cases = [
            (json!({"description": "x", "direction": "higher_is_better", "unit": "persen"}), "target", "required"),
            (json!({"description": "x", "direction": "higher_is_better", "target": 0, "unit": "persen"}), "target", "zero_not_allowed"),
            (json!({"description": "x", "direction": "range", "target": 90, "target_max": 80, "unit": "persen"}), "target_max", "below_target"),
            (json!({"description": "x", "direction": "qualitative", "target": 1, "unit": "-"}), "target", "not_allowed"),
            (json!({"description": "x", "direction": "higher_is_better", "target": 1.23456, "unit": "persen"}), "target", "too_precise"),
            (json!({"description": "x", "direction": "lower_is_better", "target": 2, "unit": "hari", "source": "ikm"}), "direction", "ikm_needs_higher_is_better"),
        ];
        for (body, field, code) in cases {
            let problem = app.post_as(&path, &head, &body).await.assert_problem(422, "validation_failed");
            let errors = problem["errors"].as_array().unwrap();
            assert!(errors.iter().any(|e| e["field"] == field && e["code"] == code), "{body}: {problem}");
        }
        app.post_as(&path, &head, &json!({"code": "IKU1", "description": "x", "direction": "qualitative", "unit": "-"}))
            .await
            .assert_problem(409, "indicator_code_taken");

        // A change needs the current ETag; null clears the quarter targets.
        let id = body["id"].as_str().unwrap();
        let one = format!("{path}/{id}");
        app.patch_as(&one, &head, None, &json!({"target": 97})).await.assert_problem(428, "precondition_required");
        let changed = app.patch_as(&one, &head, Some("\"1\""), &json!({"target": 97.5, "period_targets": null})).await;
        changed.assert_status(200);
        assert_eq!(changed.json()["target"], 97.5);
        assert_eq!(changed.json()["period_targets"], json!({"q1": null, "q2": null, "q3": null}));
        assert_eq!(changed.json()["version"], 2);

        // Not an OPD, not his OPD, a closed cycle.
        app.get_as(&format!("/api/v1/cycles/{cycle}/units/{bidang}/indicators"), &head)
            .await
            .assert_problem(422, "unit_not_opd");
        let other = app.create_unit(a, "DINKES", "dinas", None, true).await;
        app.post_as(
            &format!("/api/v1/cycles/{cycle}/units/{other}/indicators"),
            &head,
            &json!({"description": "x", "direction": "qualitative", "unit": "-"}),
        )
        .await
        .assert_problem(403, "forbidden");
        let (_, staff) = app.session_as("staf", &["employee"]).await;
        app.get_as(&path, &staff.access_token).await.assert_status(200);
        app.patch_as(&one, &staff.access_token, Some("*"), &json!({"target": 1})).await.assert_problem(403, "forbidden");
        app.post_as(&format!("/api/v1/cycles/{cycle}/start"), a, &json!({})).await.assert_status(200);
        app.post_as(&format!("/api/v1/cycles/{cycle}/close"), a, &json!({})).await.assert_status(200);
        app.patch_as(&one, &head, Some("*"), &json!({"target": 98})).await.assert_problem(409, "cycle_closed");
    })
    .await;
}
