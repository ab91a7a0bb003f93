//! SKP drafting and agreement: a kepala dinas's SKP intervening the Perjanjian Kinerja, a staff
//! SKP cascaded from it, returned once and approved, and every breach with its code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::city::{action, approved_and_running, city, draft, rhk};
use kinerja_tests::{TestApp, on_each_db};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test]
async fn an_skp_cascades_from_the_perjanjian_kinerja_down_to_staff() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (kadis_id, kadis) = (&c.kadis.0, &c.kadis.1);
        let (staf_id, staf) = (&c.staf.0, &c.staf.1);

        // The kepala dinas writes his own SKP; his penilai is the Sekda.
        let created = app
            .post_as(
                "/api/v1/skps",
                kadis,
                &json!({"cycle_id": c.cycle, "employee_id": kadis_id}),
            )
            .await;
        created.assert_status(201);
        let skp = created.json();
        assert_eq!(skp["status"], "draft");
        assert_eq!(skp["proposed_by"], "employee");
        assert_eq!(skp["evaluator_id"], c.sekda.0.to_string());
        assert_eq!(skp["start_date"], "2026-01-01");
        assert_eq!(skp["snapshot"]["penilai"]["name"], "Sekretaris Daerah");
        assert_eq!(skp["snapshot"]["unit"]["code"], "DISDUKCAPIL");
        let kadis_skp = skp["id"].as_str().unwrap().to_owned();

        // Empty SKPs cannot be proposed; an utama RHK must intervene something.
        action(app, kadis, &kadis_skp, "submit", None)
            .await
            .assert_problem(422, "skp_empty");
        let problem = app
            .post_as(
                &format!("/api/v1/skps/{kadis_skp}/rhk"),
                kadis,
                &rhk("utama", "Pelayanan KTP-el", json!({})),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "intervention_required");

        let added = app
            .post_as(
                &format!("/api/v1/skps/{kadis_skp}/rhk"),
                kadis,
                &rhk(
                    "utama",
                    "Meningkatnya kecepatan penerbitan KTP-el",
                    json!({"unit_indicator_id": c.indicator}),
                ),
            )
            .await;
        added.assert_status(201);
        assert_eq!(added.header("etag"), Some("\"2\""));
        let kadis_rhk = added.json()["rhk"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(added.json()["rhk"][0]["code"], "R1");
        assert_eq!(added.json()["rhk"][0]["indicators"][0]["code"], "R1.1");

        // The staff member cascades from it, but may not submit before it is approved.
        let staf_skp = draft(app, staf, &c.cycle, staf_id).await;
        let problem = app
            .post_as(
                &format!("/api/v1/skps/{staf_skp}/rhk"),
                staf,
                &rhk("utama", "x", json!({"unit_indicator_id": c.indicator})),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unit_indicator_not_allowed");
        app.post_as(
            &format!("/api/v1/skps/{staf_skp}/rhk"),
            staf,
            &rhk(
                "utama",
                "Terlayaninya perekaman KTP-el",
                json!({"parent_rhk_id": kadis_rhk}),
            ),
        )
        .await
        .assert_status(201);
        action(app, staf, &staf_skp, "submit", None)
            .await
            .assert_problem(409, "penilai_skp_not_approved");

        // Kepala dinas proposes; only his penilai decides.
        action(app, kadis, &kadis_skp, "submit", None)
            .await
            .assert_status(200);
        action(app, kadis, &kadis_skp, "approve", None)
            .await
            .assert_problem(403, "forbidden");
        action(app, &c.operator, &kadis_skp, "approve", None)
            .await
            .assert_problem(403, "forbidden");
        let actions = app
            .get_as(&format!("/api/v1/skps/{kadis_skp}/actions"), &c.sekda.1)
            .await
            .json();
        assert_eq!(actions["actions"], json!(["approve", "return"]));
        let approved = action(app, &c.sekda.1, &kadis_skp, "approve", None).await;
        approved.assert_status(200);
        assert_eq!(approved.json()["status"], "approved");

        // The staff SKP: submitted, returned with a reason, edited, resubmitted, approved.
        action(app, staf, &staf_skp, "submit", None)
            .await
            .assert_status(200);
        action(
            app,
            kadis,
            &staf_skp,
            "return",
            Some(json!({"reason": " "})),
        )
        .await
        .assert_problem(422, "validation_failed");
        let returned = action(
            app,
            kadis,
            &staf_skp,
            "return",
            Some(json!({"reason": "Tambahkan target triwulan II dan III."})),
        )
        .await;
        returned.assert_status(200);
        assert_eq!(returned.json()["status"], "returned");
        assert_eq!(
            returned.json()["return_reason"],
            "Tambahkan target triwulan II dan III."
        );
        let current = app.get_as(&format!("/api/v1/skps/{staf_skp}"), staf).await;
        let etag = current.header("etag").unwrap().to_owned();
        let rhk_id = current.json()["rhk"][0]["id"].as_str().unwrap().to_owned();
        let indicator = current.json()["rhk"][0]["indicators"][0].clone();
        let mut changed = indicator.clone();
        for key in ["aspect_label", "origin_id", "realizations", "capaian"] {
            changed.as_object_mut().unwrap().remove(key);
        }
        changed["period_targets"] = json!({"q1": 90, "q2": 92, "q3": 94});
        app.patch_as(
            &format!("/api/v1/skps/{staf_skp}/rhk/{rhk_id}"),
            staf,
            Some("\"1\""),
            &json!({"indicators": [changed]}),
        )
        .await
        .assert_problem(412, "precondition_failed");
        let edited = app
            .patch_as(
                &format!("/api/v1/skps/{staf_skp}/rhk/{rhk_id}"),
                staf,
                Some(&etag),
                &json!({"indicators": [changed]}),
            )
            .await;
        edited.assert_status(200);
        let kept = &edited.json()["rhk"][0]["indicators"][0];
        assert_eq!(
            kept["id"], indicator["id"],
            "an indicator matched by id keeps its id"
        );
        assert_eq!(kept["period_targets"]["q3"], 94.0);
        action(app, staf, &staf_skp, "submit", None)
            .await
            .assert_status(200);
        action(app, kadis, &staf_skp, "approve", None)
            .await
            .assert_status(200);

        // An approved SKP is not edited; a draft is not approved.
        app.post_as(
            &format!("/api/v1/skps/{staf_skp}/rhk"),
            staf,
            &rhk("tambahan", "x", json!({})),
        )
        .await
        .assert_problem(409, "skp_not_editable");
        app.post_as(
            "/api/v1/skps",
            staf,
            &json!({"cycle_id": c.cycle, "employee_id": staf_id}),
        )
        .await
        .assert_problem(409, "skp_exists");

        // The staff member reads his penilai's approved SKP; a stranger sees nothing.
        app.get_as(&format!("/api/v1/skps/{kadis_skp}"), staf)
            .await
            .assert_status(200);
        let (_, stranger) = app.session_as("orang.lain", &["employee"]).await;
        app.get_as(&format!("/api/v1/skps/{staf_skp}"), &stranger.access_token)
            .await
            .assert_problem(404, "not_found");
        let mine = app
            .get_as(&format!("/api/v1/skps?cycle_id={}", c.cycle), staf)
            .await
            .json();
        assert_eq!(mine["total"], 1);
        let audit = app
            .get_as(
                &format!("/api/v1/audit-events?entity_id={staf_skp}"),
                &c.admin,
            )
            .await
            .json();
        let actions: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.contains(&"skp.returned") && actions.contains(&"skp.approved"),
            "{actions:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_sekda_is_approved_by_an_admin_for_the_wali_kota() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (sekda_id, sekda) = (&c.sekda.0, &c.sekda.1);
        let skp = app.post_as("/api/v1/skps", sekda, &json!({"cycle_id": c.cycle, "employee_id": sekda_id})).await.json();
        assert!(skp["evaluator_id"].is_null());
        let id = skp["id"].as_str().unwrap().to_owned();
        app.post_as(&format!("/api/v1/skps/{id}/rhk"), sekda, &rhk("tambahan", "Koordinasi perangkat daerah", json!({})))
            .await
            .assert_status(201);
        // A tambahan RHK alone is not enough to propose.
        action(app, sekda, &id, "submit", None).await.assert_problem(422, "skp_empty");
        // A penilai's RHK must come from the penilai's own SKP.
        let other = app.post_as("/api/v1/skps", &c.kadis.1, &json!({"cycle_id": c.cycle, "employee_id": c.kadis.0})).await.json();
        let other_rhk = app
            .post_as(
                &format!("/api/v1/skps/{}/rhk", other["id"].as_str().unwrap()),
                &c.kadis.1,
                &rhk("utama", "x", json!({"unit_indicator_id": c.indicator})),
            )
            .await
            .json()["rhk"][0]["id"]
            .clone();
        let problem = app
            .post_as(&format!("/api/v1/skps/{id}/rhk"), sekda, &rhk("utama", "x", json!({"parent_rhk_id": other_rhk})))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "parent_not_penilai");
        let utama = app
            .post_as(&format!("/api/v1/skps/{id}/rhk"), sekda, &rhk("utama", "Tata kelola pemerintahan", json!({"perspective": "Penerima Layanan", "parent_rhk_id": null})))
            .await;
        assert_eq!(utama.status, 422, "{}", utama.text());
        // Nobody approves his own SKP; the admin finds nothing submitted yet.
        action(app, sekda, &id, "approve", None).await.assert_problem(403, "forbidden");
        action(app, &c.admin, &id, "approve", None).await.assert_problem(409, "skp_not_submitted");

        // Admin, acting for the Wali Kota, names the end of the SKP and decides it.
        let ended = app.patch_as(&format!("/api/v1/skps/{id}"), &c.admin, Some("*"), &json!({"end_date": "2026-06-30"})).await;
        ended.assert_status(200);
        assert_eq!(ended.json()["end_date"], "2026-06-30");
        app.patch_as(&format!("/api/v1/skps/{id}"), sekda, Some("*"), &json!({"end_date": null}))
            .await
            .assert_problem(403, "forbidden");
        app.patch_as(&format!("/api/v1/skps/{id}"), &c.admin, Some("*"), &json!({"end_date": "2027-01-01"}))
            .await
            .assert_problem(422, "validation_failed");

        // The Sekda (a JPT) intervenes the Setda's Perjanjian Kinerja, with a perspective.
        let setda = skp["snapshot"]["unit"]["id"].as_str().unwrap().to_owned();
        let setda_indicator = app
            .post_as(
                &format!("/api/v1/cycles/{}/units/{setda}/indicators", c.cycle),
                &c.admin,
                &json!({"description": "Indeks reformasi birokrasi", "direction": "higher_is_better", "target": 70, "unit": "indeks"}),
            )
            .await
            .json()["id"]
            .clone();
        app.post_as(
            &format!("/api/v1/skps/{id}/rhk"),
            sekda,
            &rhk("utama", "Meningkatnya kualitas tata kelola", json!({"unit_indicator_id": setda_indicator, "perspective": "Proses Bisnis"})),
        )
        .await
        .assert_status(201);
        action(app, sekda, &id, "submit", None).await.assert_status(200);
        let approved = action(app, &c.admin, &id, "approve", None).await;
        approved.assert_status(200);
        let audit = app.get_as(&format!("/api/v1/audit-events?entity_id={id}&action=skp.approved"), &c.admin).await.json();
        assert_eq!(audit["items"][0]["acting_for"], "Wali Kota");
    })
    .await;
}

#[tokio::test]
async fn a_revision_is_agreed_and_applied_onto_the_approved_skp() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (kadis_id, kadis) = (&c.kadis.0, &c.kadis.1);
        let sekda = &c.sekda.1;
        let original = draft(app, kadis, &c.cycle, kadis_id).await;
        action(app, kadis, &original, "revise", None)
            .await
            .assert_problem(409, "skp_not_approved");
        let added = app
            .post_as(
                &format!("/api/v1/skps/{original}/rhk"),
                kadis,
                &rhk(
                    "utama",
                    "Meningkatnya kecepatan penerbitan KTP-el",
                    json!({"unit_indicator_id": c.indicator}),
                ),
            )
            .await
            .json();
        let r1 = added["rhk"][0]["id"].as_str().unwrap().to_owned();
        let r1_indicator = added["rhk"][0]["indicators"][0]["id"].clone();
        action(app, kadis, &original, "submit", None)
            .await
            .assert_status(200);
        action(app, sekda, &original, "approve", None)
            .await
            .assert_status(200);
        let actions = app
            .get_as(&format!("/api/v1/skps/{original}/actions"), kadis)
            .await
            .json();
        assert_eq!(actions["actions"], json!(["record_realization", "revise"]));

        // Only who may edit revises; the staff member reads this SKP but does not own it.
        action(app, &c.staf.1, &original, "revise", None)
            .await
            .assert_problem(403, "forbidden");
        let opened = action(app, kadis, &original, "revise", None).await;
        opened.assert_status(201);
        let revision = opened.json();
        let rev = revision["id"].as_str().unwrap().to_owned();
        assert_eq!(
            opened.header("location"),
            Some(format!("/api/v1/skps/{rev}").as_str())
        );
        assert_eq!(revision["status"], "draft");
        assert_eq!(revision["revision_of"], original.as_str());
        assert_eq!(revision["rhk"][0]["origin_id"], r1.as_str());
        assert_eq!(
            revision["rhk"][0]["indicators"][0]["origin_id"],
            r1_indicator
        );
        assert_ne!(revision["rhk"][0]["id"], r1.as_str());
        action(app, kadis, &original, "revise", None)
            .await
            .assert_problem(409, "revision_open");
        let actions = app
            .get_as(&format!("/api/v1/skps/{original}/actions"), kadis)
            .await
            .json();
        assert_eq!(
            actions["actions"],
            json!(["record_realization"]),
            "one open revision at a time"
        );

        // The revision rewrites R1 and adds a tambahan RHK; the original stays in force meanwhile.
        let rev_r1 = revision["rhk"][0]["id"].as_str().unwrap().to_owned();
        app.patch_as(
            &format!("/api/v1/skps/{rev}/rhk/{rev_r1}"),
            kadis,
            Some("\"1\""),
            &json!({"description": "Meningkatnya kecepatan dan akurasi penerbitan KTP-el"}),
        )
        .await
        .assert_status(200);
        app.post_as(
            &format!("/api/v1/skps/{rev}/rhk"),
            kadis,
            &rhk("tambahan", "Menjadi narasumber sosialisasi IKD", json!({})),
        )
        .await
        .assert_status(201);
        let before = app.get_as(&format!("/api/v1/skps/{original}"), kadis).await;
        assert_eq!(before.json()["rhk"].as_array().unwrap().len(), 1);
        action(app, kadis, &rev, "submit", None)
            .await
            .assert_status(200);
        let merged = action(app, sekda, &rev, "approve", None).await;
        merged.assert_status(200);
        let skp = merged.json();
        assert_eq!(
            skp["id"],
            original.as_str(),
            "approval answers the original"
        );
        assert_eq!(skp["status"], "approved");
        assert_eq!(skp["rhk"].as_array().unwrap().len(), 2);
        assert_eq!(skp["rhk"][0]["id"], r1.as_str(), "a kept RHK keeps its id");
        assert_eq!(
            skp["rhk"][0]["description"],
            "Meningkatnya kecepatan dan akurasi penerbitan KTP-el"
        );
        assert_eq!(skp["rhk"][0]["indicators"][0]["id"], r1_indicator);
        assert_eq!(skp["rhk"][1]["kind"], "tambahan");
        assert_eq!(
            app.get_as(&format!("/api/v1/skps/{rev}"), kadis)
                .await
                .json()["status"],
            "merged"
        );

        // Forbidden transitions, each with its code.
        action(app, kadis, &original, "submit", None)
            .await
            .assert_problem(409, "skp_not_submittable");
        action(app, sekda, &original, "approve", None)
            .await
            .assert_problem(409, "skp_not_submitted");
        action(app, sekda, &rev, "return", Some(json!({"reason": "x"})))
            .await
            .assert_problem(409, "skp_not_submitted");
        action(app, kadis, &rev, "revise", None)
            .await
            .assert_problem(409, "skp_not_approved");
        app.post_as(
            &format!("/api/v1/skps/{rev}/rhk"),
            kadis,
            &rhk("tambahan", "x", json!({})),
        )
        .await
        .assert_problem(409, "skp_not_editable");

        // A second revision drops the tambahan RHK: it retires from the approved SKP.
        let second = action(app, kadis, &original, "revise", None).await;
        second.assert_status(201);
        let second = second.json();
        let rev2 = second["id"].as_str().unwrap().to_owned();
        let dropped = second["rhk"][1]["id"].as_str().unwrap().to_owned();
        app.send(
            app.authed(
                Method::DELETE,
                &format!("/api/v1/skps/{rev2}/rhk/{dropped}"),
                kadis,
            )
            .header("if-match", "\"1\""),
        )
        .await
        .assert_status(204);
        action(app, kadis, &rev2, "submit", None)
            .await
            .assert_status(200);
        let merged = action(app, sekda, &rev2, "approve", None).await;
        merged.assert_status(200);
        let rhks = merged.json()["rhk"].clone();
        assert_eq!(rhks.as_array().unwrap().len(), 1);
        assert_eq!(rhks[0]["id"], r1.as_str());

        let audit = app
            .get_as(
                &format!("/api/v1/audit-events?entity_id={original}"),
                &c.admin,
            )
            .await
            .json();
        let merges = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "skp.revision_merged")
            .count();
        assert_eq!(merges, 2);
    })
    .await;
}

#[tokio::test]
async fn a_transfer_ends_one_skp_and_starts_another_and_the_penilai_changes_by_unit_admin() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (staf_id, staf) = (&c.staf.0, &c.staf.1);
        let first = app
            .post_as(
                "/api/v1/skps",
                staf,
                &json!({"cycle_id": c.cycle, "employee_id": staf_id}),
            )
            .await
            .json();
        let first_id = first["id"].as_str().unwrap().to_owned();

        // The penilai is changed by the unit admin, never by the pegawai; it is audited.
        app.patch_as(
            &format!("/api/v1/skps/{first_id}"),
            staf,
            Some("*"),
            &json!({"evaluator_id": c.sekda.0}),
        )
        .await
        .assert_problem(403, "forbidden");
        let problem = app
            .patch_as(
                &format!("/api/v1/skps/{first_id}"),
                &c.operator,
                Some("*"),
                &json!({"evaluator_id": staf_id}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "evaluator_id");
        assert_eq!(problem["errors"][0]["code"], "self");
        let changed = app
            .patch_as(
                &format!("/api/v1/skps/{first_id}"),
                &c.operator,
                Some("*"),
                &json!({"evaluator_id": c.sekda.0}),
            )
            .await;
        changed.assert_status(200);
        assert_eq!(changed.json()["evaluator_id"], c.sekda.0.to_string());
        let audit = app
            .get_as(
                &format!("/api/v1/audit-events?entity_id={first_id}&action=skp.updated"),
                &c.admin,
            )
            .await
            .json();
        assert_eq!(audit["total"], 1);

        // A transfer on 1 July: the first SKP ends on 30 June, a second one starts after it.
        app.post_as(
            "/api/v1/skps",
            &c.operator,
            &json!({"cycle_id": c.cycle, "employee_id": staf_id, "start_date": "2026-07-01"}),
        )
        .await
        .assert_problem(409, "skp_exists");
        app.patch_as(
            &format!("/api/v1/skps/{first_id}"),
            &c.operator,
            Some("*"),
            &json!({"end_date": "2026-06-30"}),
        )
        .await
        .assert_status(200);
        app.post_as(
            "/api/v1/skps",
            &c.operator,
            &json!({"cycle_id": c.cycle, "employee_id": staf_id, "start_date": "2026-06-15"}),
        )
        .await
        .assert_problem(409, "skp_exists");
        let second = app
            .post_as(
                "/api/v1/skps",
                &c.operator,
                &json!({"cycle_id": c.cycle, "employee_id": staf_id, "start_date": "2026-07-01"}),
            )
            .await;
        second.assert_status(201);
        assert_eq!(second.json()["proposed_by"], "unit_admin");
        assert_eq!(second.json()["evaluator_id"], c.kadis.0.to_string());
        let mine = app
            .get_as(&format!("/api/v1/skps?cycle_id={}", c.cycle), staf)
            .await
            .json();
        assert_eq!(mine["total"], 2);
    })
    .await;
}

#[tokio::test]
async fn realisasi_is_recorded_replaced_and_its_capaian_derived_for_every_direction() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (kadis_id, kadis) = (&c.kadis.0, &c.kadis.1);
        let sekda = &c.sekda.1;
        let skp = draft(app, kadis, &c.cycle, kadis_id).await;
        let ind = |description: &str, extra: Value| {
            let mut body = json!({"description": description, "aspect": "waktu", "unit": "persen", "aggregation": "average"});
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            body
        };
        let added = app
            .post_as(
                &format!("/api/v1/skps/{skp}/rhk"),
                kadis,
                &json!({"kind": "utama", "description": "Meningkatnya kecepatan layanan", "unit_indicator_id": c.indicator,
                        "indicators": [
                            ind("Persentase KTP-el terbit ≤ 1 hari kerja", json!({"direction": "higher_is_better", "target": 95, "period_targets": {"q1": 90}})),
                            ind("Rata-rata hari penerbitan akta kelahiran", json!({"direction": "lower_is_better", "target": 2, "unit": "hari", "period_targets": {"q1": 3}})),
                            ind("Persentase anggaran terserap", json!({"direction": "range", "target": 80, "target_max": 90, "aggregation": "last"})),
                            ind("Tersusunnya SOP layanan IKD", json!({"direction": "qualitative", "target_text": "SOP ditetapkan", "unit": "dokumen", "aggregation": "last"}))
                        ]}),
            )
            .await;
        added.assert_status(201);
        let ids: Vec<String> = added.json()["rhk"][0]["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        let (ktp, akta, range, sop) = (&ids[0], &ids[1], &ids[2], &ids[3]);
        let post = |who: &str, body: Value| {
            let (who, body, skp) = (who.to_owned(), body, skp.clone());
            async move {
                app.post_as(&format!("/api/v1/skps/{skp}/realizations"), &who, &body)
                    .await
            }
        };

        // Only on an approved SKP.
        post(kadis, json!({"indicator_id": ktp, "period": "q1", "value": 91.8}))
            .await
            .assert_problem(409, "skp_not_approved");
        action(app, kadis, &skp, "submit", None)
            .await
            .assert_status(200);
        action(app, sekda, &skp, "approve", None)
            .await
            .assert_status(200);

        // Only while the cycle runs.
        post(kadis, json!({"indicator_id": ktp, "period": "q1", "value": 91.8}))
            .await
            .assert_problem(409, "cycle_not_running");
        app.post_as(
            &format!("/api/v1/cycles/{}/start", c.cycle),
            &c.admin,
            &json!({}),
        )
        .await
        .assert_status(200);

        // The pegawai records q1 with evidence; the capaian comes back with its derivation.
        let q1 = post(
            kadis,
            json!({"indicator_id": ktp, "period": "q1", "value": 91.8,
                   "evidence": ["https://drive.example.go.id/ktp-q1.pdf"], "note": "8 kecamatan"}),
        )
        .await;
        q1.assert_status(201);
        let body = q1.json();
        assert_eq!(body["realization"]["version"], 1);
        assert_eq!(body["capaian"][0]["period"], "q1");
        assert_eq!(body["capaian"][0]["capaian"], 102.0);
        assert_eq!(
            body["capaian"][0]["derivation"]["formula"],
            "realisasi / target × 100"
        );
        assert_eq!(body["capaian"][0]["derivation"]["target"], 90.0);
        // Posting again replaces it (audited); the penilai may record too.
        let replaced = post(
            sekda,
            json!({"indicator_id": ktp, "period": "q1", "value": 90}),
        )
        .await;
        replaced.assert_status(200);
        assert_eq!(replaced.json()["realization"]["version"], 2);
        assert_eq!(replaced.json()["realization"]["evidence"], json!([]));
        assert_eq!(replaced.json()["capaian"][0]["capaian"], 100.0);
        for (period, value) in [("q2", 93), ("q3", 96)] {
            post(kadis, json!({"indicator_id": ktp, "period": period, "value": value}))
                .await
                .assert_status(201);
        }
        for (period, value) in [("q1", 2.4), ("q2", 2.0)] {
            post(kadis, json!({"indicator_id": akta, "period": period, "value": value}))
                .await
                .assert_status(201);
        }
        post(kadis, json!({"indicator_id": range, "period": "q4", "value": 95}))
            .await
            .assert_status(201);
        post(kadis, json!({"indicator_id": sop, "period": "q4", "achieved": true}))
            .await
            .assert_status(201);

        let full = app.get_as(&format!("/api/v1/skps/{skp}"), kadis).await.json();
        let indicators = full["rhk"][0]["indicators"].as_array().unwrap().clone();
        let capaian = |n: usize, period: &str| {
            indicators[n]["capaian"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["period"] == period)
                .cloned()
        };
        // Higher is better: q1 against its own target; q2, q3 have none; the year averages
        // (90 + 93 + 96) / 3 = 93 against 95.
        assert_eq!(capaian(0, "q1").unwrap()["capaian"], 100.0);
        assert!(capaian(0, "q2").is_none());
        let year = capaian(0, "q4").unwrap();
        assert_eq!(year["capaian"], 97.894737);
        assert_eq!(year["capaian_rounded"], 97.89);
        assert_eq!(year["derivation"]["aggregation"], "average");
        assert_eq!(year["derivation"]["quarters"], json!([90.0, 93.0, 96.0, null]));
        assert_eq!(indicators[0]["realizations"].as_array().unwrap().len(), 3);
        // Lower is better: q1 2.4 days against 3 → 120; the year 2.2 against 2 → 90.
        assert_eq!(capaian(1, "q1").unwrap()["capaian"], 120.0);
        assert_eq!(capaian(1, "q4").unwrap()["capaian"], 90.0);
        // A range exceeded above its top: 95 / 90; capped at the cycle's 120 only above it.
        let r = capaian(2, "q4").unwrap();
        assert_eq!(r["capaian"], 105.555556);
        assert_eq!(r["capaian_capped"], 105.555556);
        assert_eq!(r["derivation"]["cap"], 120.0);
        // Qualitative: achieved → 100.
        assert_eq!(capaian(3, "q4").unwrap()["capaian"], 100.0);

        // What each direction needs, and the evidence rules, each with its field.
        let problem = post(kadis, json!({"indicator_id": sop, "period": "q1", "value": 1}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "achieved");
        let problem = post(
            kadis,
            json!({"indicator_id": ktp, "period": "q4", "value": 95, "evidence": ["ftp://x.go.id/a"]}),
        )
        .await
        .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "evidence[0]");
        let many: Vec<String> = (0..11).map(|n| format!("https://x.go.id/{n}")).collect();
        let problem = post(
            kadis,
            json!({"indicator_id": ktp, "period": "q4", "value": 95, "evidence": many}),
        )
        .await
        .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "too_many");
        let problem = post(
            kadis,
            json!({"indicator_id": Uuid::nil(), "period": "q4", "value": 95}),
        )
        .await
        .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_indicator");
        let problem = post(kadis, json!({"indicator_id": ktp, "period": "q5", "value": 95}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "period");
        // The unit admin reads but does not record; a stranger sees nothing.
        post(&c.operator, json!({"indicator_id": ktp, "period": "q4", "value": 95}))
            .await
            .assert_problem(403, "forbidden");
        let (_, stranger) = app.session_as("orang.lain", &["employee"]).await;
        post(
            &stranger.access_token,
            json!({"indicator_id": ktp, "period": "q4", "value": 95}),
        )
        .await
        .assert_problem(404, "not_found");

        let audit = app
            .get_as(
                &format!("/api/v1/audit-events?entity_id={skp}&action=skp.realization_replaced"),
                &c.admin,
            )
            .await
            .json();
        assert_eq!(audit["total"], 1);
    })
    .await;
}

#[tokio::test]
async fn feedback_is_exchanged_both_ways_and_listed_per_skp_and_per_unit() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let (kadis, sekda, staf) = (&c.kadis.1, &c.sekda.1, &c.staf.1);
        // Feedback belongs to the execution stage: on an approved SKP.
        let staf_draft = draft(app, staf, &c.cycle, &c.staf.0).await;
        let note = json!({"period": "q1", "core_value": "adaptif", "text": "Bagus."});
        app.post_as(&format!("/api/v1/skps/{staf_draft}/feedback"), kadis, &note)
            .await
            .assert_problem(409, "skp_not_approved");
        let (skp, rhk_id) = approved_and_running(app, &c).await;
        let url = format!("/api/v1/skps/{skp}/feedback");

        // The penilai writes; the pegawai may not open a thread.
        let text = "Antrean perekaman KTP-el di Siantar Barat masih panjang; coba jemput bola Sabtu.";
        app.post_as(&url, kadis, &json!({"period": "q1", "rhk_id": rhk_id, "text": text}))
            .await
            .assert_problem(403, "forbidden");
        let first = app
            .post_as(&url, sekda, &json!({"period": "q1", "rhk_id": rhk_id, "text": format!("  {text}\n")}))
            .await;
        first.assert_status(201);
        let thread = first.json();
        let note_id = thread["id"].as_str().unwrap().to_owned();
        assert_eq!(
            first.header("location"),
            Some(format!("/api/v1/skps/{skp}/feedback/{note_id}").as_str())
        );
        assert_eq!(thread["text"], text, "stored trimmed");
        assert_eq!(thread["author_role"], "penilai");
        assert_eq!(thread["author_role_label"], "Pejabat Penilai");
        assert_eq!(thread["employee_id"], c.kadis.0.to_string());
        assert_eq!(thread["period_label"], "Triwulan I");
        assert_eq!(thread["read_at"], Value::Null);
        let second = app
            .post_as(
                &url,
                sekda,
                &json!({"period": "q2", "core_value": "berorientasi_pelayanan", "text": "Sikap melayani warga sudah baik."}),
            )
            .await;
        second.assert_status(201);
        assert_eq!(second.json()["core_value_label"], "Berorientasi Pelayanan");

        // What a note is about, and its text, are checked.
        let bad = |body: Value| app.post_as(&url, sekda, &body);
        let problem = bad(json!({"period": "q1", "rhk_id": rhk_id, "core_value": "loyal", "text": "x"}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "core_value");
        assert_eq!(problem["errors"][0]["code"], "one_subject_only");
        let problem = bad(json!({"period": "q1", "text": "x"}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "rhk_id");
        assert_eq!(problem["errors"][0]["code"], "required");
        let problem = bad(json!({"period": "q1", "rhk_id": Uuid::now_v7(), "text": "x"}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_rhk");
        let problem = bad(json!({"period": "q1", "core_value": "loyal", "text": "   "}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "text");
        let problem = bad(json!({"period": "q1", "core_value": "jujur", "text": "x"}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "core_value");

        // The pegawai answers, and the penilai answers back: the thread holds both.
        let replies = format!("{url}/{note_id}/replies");
        app.post_as(&replies, kadis, &json!({"text": "Siap, Pak. Mulai Sabtu depan."}))
            .await
            .assert_status(201);
        let back = app
            .post_as(&replies, sekda, &json!({"text": "Baik, laporkan hasilnya di Triwulan II."}))
            .await;
        back.assert_status(201);
        let roles: Vec<Value> = back.json()["replies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["author_role"].clone())
            .collect();
        assert_eq!(roles, [json!("pegawai"), json!("penilai")]);
        // Others who read the SKP may not write in it: his subordinate, the unit admin.
        for outsider in [staf, &c.operator] {
            app.post_as(&replies, outsider, &json!({"text": "Ikut menanggapi."}))
                .await
                .assert_problem(403, "forbidden");
        }
        // A reply's id leads to its thread; an unknown one is 404.
        let reply_id = back.json()["replies"][0]["id"].as_str().unwrap().to_owned();
        let via_reply = app.get_as(&format!("{url}/{reply_id}"), kadis).await;
        via_reply.assert_status(200);
        assert_eq!(via_reply.json()["id"], note_id.as_str());
        app.get_as(&format!("{url}/{}", Uuid::now_v7()), kadis)
            .await
            .assert_problem(404, "not_found");

        // The pegawai marks it read, once; the penilai cannot mark it for him.
        let read = format!("{url}/{note_id}/read");
        app.post_as(&read, sekda, &json!({}))
            .await
            .assert_problem(403, "forbidden");
        let marked = app.post_as(&read, kadis, &json!({})).await;
        marked.assert_status(200);
        let read_at = marked.json()["read_at"].clone();
        assert!(read_at.is_string());
        assert_eq!(app.post_as(&read, kadis, &json!({})).await.json()["read_at"], read_at);

        // Both sides see the threads, newest first; a period filters them.
        for who in [kadis, sekda] {
            let all = app.get_as(&url, who).await;
            all.assert_status(200);
            let all = all.json();
            assert_eq!(all.as_array().unwrap().len(), 2);
            assert_eq!(all[0]["period"], "q2");
            assert_eq!(all[1]["replies"].as_array().unwrap().len(), 2);
        }
        let q1 = app.get_as(&format!("{url}?period=q1"), kadis).await.json();
        assert_eq!(q1.as_array().unwrap().len(), 1);

        // Per unit: its head, its unit admin and admins; not a plain employee.
        let dinas = app
            .get_as(&format!("/api/v1/employees/{}", c.kadis.0), &c.admin)
            .await
            .json()["unit_id"]
            .as_str()
            .unwrap()
            .to_owned();
        for who in [&c.admin, &c.operator, kadis] {
            let page = app
                .get_as(&format!("/api/v1/feedback?unit_id={dinas}"), who)
                .await;
            page.assert_status(200);
            let page = page.json();
            assert_eq!(page["total"], 2, "{page}");
            assert_eq!(page["items"][1]["replies"].as_array().unwrap().len(), 2);
        }
        let q2 = app
            .get_as(&format!("/api/v1/feedback?unit_id={dinas}&period=q2"), &c.admin)
            .await
            .json();
        assert_eq!(q2["total"], 1);
        app.get_as(&format!("/api/v1/feedback?unit_id={dinas}"), staf)
            .await
            .assert_problem(403, "forbidden");
        app.get_as("/api/v1/feedback", &c.admin)
            .await
            .assert_status(400);

        // Every write is audited.
        for (action, n) in [
            ("skp.feedback_given", 2),
            ("skp.feedback_replied", 2),
            ("skp.feedback_read", 1),
        ] {
            let events = app
                .get_as(
                    &format!("/api/v1/audit-events?entity_id={skp}&action={action}"),
                    &c.admin,
                )
                .await
                .json();
            assert_eq!(events["total"], n, "{action}");
        }
    })
    .await;
}

#[tokio::test]
async fn perjanjian_kinerja_realisasi_is_recorded_by_the_opd_and_its_capaian_shown() {
    on_each_db(async |app: &TestApp| {
        let c = city(app).await;
        let dinas = app
            .get_as(&format!("/api/v1/employees/{}", c.kadis.0), &c.admin)
            .await
            .json()["unit_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let base = format!("/api/v1/cycles/{}/units/{dinas}/indicators", c.cycle);
        let url = format!("{base}/{}/realizations", c.indicator);
        app.patch_as(
            &format!("{base}/{}", c.indicator),
            &c.admin,
            Some("*"),
            &json!({"aggregation": "average", "period_targets": {"q1": 90}}),
        )
        .await
        .assert_status(200);
        let q1 = json!({"period": "q1", "value": 93.4, "evidence": ["https://siak.example.go.id/rekap-q1.pdf"]});
        app.post_as(&url, &c.operator, &q1)
            .await
            .assert_problem(409, "cycle_not_running");
        app.post_as(
            &format!("/api/v1/cycles/{}/start", c.cycle),
            &c.admin,
            &json!({}),
        )
        .await
        .assert_status(200);

        // The unit admin records q1: 93.4 against the quarter's 90; q4 averages against 95.
        let first = app.post_as(&url, &c.operator, &q1).await;
        first.assert_status(201);
        let body = first.json();
        assert_eq!(body["realization"]["value"], 93.4);
        let capaian = body["capaian"].as_array().unwrap();
        assert_eq!(capaian.len(), 2, "{body}");
        assert_eq!(capaian[0]["period"], "q1");
        assert_eq!(capaian[0]["capaian"], 103.777778);
        assert_eq!(capaian[0]["capaian_rounded"], 103.78);
        assert_eq!(capaian[1]["period"], "q4");
        assert_eq!(capaian[1]["capaian"], 98.315789);
        assert_eq!(capaian[1]["derivation"]["aggregation"], "average");

        // Replaced by the head, with the ETag of the indicator it moved.
        let etag = first.header("etag").unwrap().to_owned();
        let replaced = app
            .send(
                app.authed(Method::POST, &url, &c.kadis.1)
                    .header("If-Match", &etag)
                    .json(&json!({"period": "q1", "value": 96})),
            )
            .await;
        replaced.assert_status(200);
        assert_eq!(replaced.json()["realization"]["version"], 2);
        assert_eq!(replaced.json()["capaian"][0]["capaian"], 106.666667);
        assert_eq!(replaced.json()["capaian"][1]["capaian"], 101.052632);
        app.send(
            app.authed(Method::POST, &url, &c.kadis.1)
                .header("If-Match", &etag)
                .json(&json!({"period": "q1", "value": 97})),
        )
        .await
        .assert_problem(412, "precondition_failed");

        // Staff of the OPD and auditors do not enter the OPD's realisasi; bad input is named.
        app.post_as(&url, &c.staf.1, &q1)
            .await
            .assert_problem(403, "forbidden");
        let problem = app
            .post_as(&url, &c.operator, &json!({"period": "q2", "value": 1, "evidence": ["ftp://x/y"]}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "evidence[0]");
        let problem = app
            .post_as(&url, &c.operator, &json!({"period": "q2", "achieved": true}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");

        // An indicator fed by the survey is computed, never entered.
        let ikm = app
            .post_as(
                &base,
                &c.admin,
                &json!({"description": "Indeks Kepuasan Masyarakat", "direction": "higher_is_better", "target": 82,
                        "unit": "indeks", "aggregation": "average", "source": "ikm"}),
            )
            .await;
        ikm.assert_status(201);
        assert_eq!(ikm.json()["realizations"], json!([]));
        let ikm_id = ikm.json()["id"].as_str().unwrap().to_owned();
        app.post_as(&format!("{base}/{ikm_id}/realizations"), &c.admin, &json!({"period": "q1", "value": 80}))
            .await
            .assert_problem(409, "indicator_computed");

        // The Perjanjian Kinerja shows every realisasi and capaian; the writes are audited.
        let list = app.get_as(&base, &c.staf.1).await;
        list.assert_status(200);
        let list = list.json();
        let iku = list
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == c.indicator.as_str())
            .unwrap();
        assert_eq!(iku["realizations"][0]["value"], 96.0);
        assert_eq!(iku["capaian"][0]["capaian_rounded"], 106.67);
        for (action, n) in [
            ("unit_indicator.realization_recorded", 1),
            ("unit_indicator.realization_replaced", 1),
        ] {
            let events = app
                .get_as(
                    &format!("/api/v1/audit-events?entity_id={}&action={action}", c.indicator),
                    &c.admin,
                )
                .await
                .json();
            assert_eq!(events["total"], n, "{action}");
        }
    })
    .await;
}
