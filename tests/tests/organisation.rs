//! Units, employees, reporting lines and who sees what.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{TestApp, on_each_db, test_nip};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn employee(
    nip: &str,
    employment_type: &str,
    golongan: Option<&str>,
    unit: Uuid,
    supervisor: Option<Uuid>,
) -> Value {
    json!({
        "nip": nip, "name": "Pegawai Uji", "employment_type": employment_type, "golongan": golongan,
        "position": "Analis", "position_kind": "pelaksana", "unit_id": unit, "supervisor_id": supervisor,
    })
}

#[tokio::test]
async fn the_unit_tree_is_built_listed_and_protected_from_cycles() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let setda = app.create_unit(a, "SETDA", "sekretariat", None, true).await;
        let umum = app
            .create_unit(a, "SETDA.UMUM", "bagian", Some(setda), false)
            .await;
        let subbag = app
            .create_unit(a, "SETDA.UMUM.TU", "lainnya", Some(umum), false)
            .await;
        let dinas = app
            .create_unit(a, "DISDUKCAPIL", "dinas", Some(setda), true)
            .await;

        let read = app.get_as(&format!("/api/v1/units/{dinas}"), a).await;
        read.assert_status(200);
        let body = read.json();
        assert_eq!(body["kind"], "dinas");
        assert_eq!(body["kind_label"], "Dinas");
        assert_eq!(body["parent_id"], setda.to_string());

        let children = app
            .get_as(&format!("/api/v1/units?parent_id={setda}&sort=-code"), a)
            .await
            .json();
        assert_eq!(children["total"], 2);
        assert_eq!(children["items"][0]["code"], "SETDA.UMUM");
        let subtree = app
            .get_as(&format!("/api/v1/units?subtree_of={umum}"), a)
            .await
            .json();
        assert_eq!(subtree["total"], 2);
        let opds = app.get_as("/api/v1/units?is_opd=true", a).await.json();
        assert_eq!(opds["total"], 2);
        let found = app.get_as("/api/v1/units?q=dukcap", a).await.json();
        assert_eq!(found["items"][0]["code"], "DISDUKCAPIL");
        let roots = app.get_as("/api/v1/units?root=true", a).await.json();
        assert_eq!(roots["total"], 1);

        // Moving SETDA under its own grandchild would loop.
        let problem = app
            .patch_as(
                &format!("/api/v1/units/{setda}"),
                a,
                Some("*"),
                &json!({"parent_id": subbag}),
            )
            .await
            .assert_problem(409, "unit_cycle");
        assert!(problem["detail"].as_str().unwrap().contains("descendant"));
        app.patch_as(
            &format!("/api/v1/units/{setda}"),
            a,
            Some("*"),
            &json!({"parent_id": setda}),
        )
        .await
        .assert_problem(409, "unit_cycle");

        // Codes: unique, and safe for URLs.
        app.post_as(
            "/api/v1/units",
            a,
            &json!({"code": "SETDA", "name": "x", "kind": "badan"}),
        )
        .await
        .assert_problem(409, "unit_code_taken");
        let bad = app
            .post_as(
                "/api/v1/units",
                a,
                &json!({"code": "../etc", "name": "x", "kind": "badan"}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(bad["errors"][0]["field"], "code");
        app.post_as(
            "/api/v1/units",
            a,
            &json!({"code": "X", "name": "x", "kind": "kantor"}),
        )
        .await
        .assert_problem(422, "validation_failed");
        app.post_as(
            "/api/v1/units",
            a,
            &json!({"code": "X", "name": "x", "kind": "badan", "parent_id": Uuid::now_v7()}),
        )
        .await
        .assert_problem(422, "validation_failed");

        // A unit with sub-units or staff is deactivated, not deleted.
        let in_use = app
            .send(app.authed(Method::DELETE, &format!("/api/v1/units/{umum}"), a))
            .await;
        let problem = in_use.assert_problem(409, "unit_in_use");
        assert!(problem["detail"].as_str().unwrap().contains("sub-units"));
        app.create_employee(a, &test_nip(1), "Staf TU", subbag, None)
            .await;
        let staffed = app
            .send(app.authed(Method::DELETE, &format!("/api/v1/units/{subbag}"), a))
            .await;
        assert!(
            staffed.assert_problem(409, "unit_in_use")["detail"]
                .as_str()
                .unwrap()
                .contains("staff")
        );
        let deactivated = app
            .patch_as(
                &format!("/api/v1/units/{subbag}"),
                a,
                Some("*"),
                &json!({"active": false}),
            )
            .await;
        deactivated.assert_status(200);
        assert_eq!(deactivated.json()["active"], false);
        let leaf = app
            .create_unit(a, "SETDA.KOSONG", "bagian", Some(setda), false)
            .await;
        app.send(app.authed(Method::DELETE, &format!("/api/v1/units/{leaf}"), a))
            .await
            .assert_status(204);
        app.get_as(&format!("/api/v1/units/{leaf}"), a)
            .await
            .assert_problem(404, "not_found");
    })
    .await;
}

#[tokio::test]
async fn every_nip_failure_reason_has_its_own_code() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let unit = app.create_unit(a, "DINKES", "dinas", None, true).await;
        let cases = [
            ("19850712201001100A", "pns", "nip_not_digits"),
            ("198513122010011003", "pns", "nip_invalid_birth_date"),
            ("198507122010131003", "pns", "nip_invalid_tmt"),
            ("199201152009121001", "pns", "nip_tmt_before_age_18"),
            ("198507122010013003", "pns", "nip_invalid_gender_digit"),
            ("198507122010011000", "pns", "nip_invalid_serial"),
            (
                "199005202007012001",
                "pppk",
                "nip_appointment_before_age_18",
            ),
        ];
        for (nip, kind, code) in cases {
            let golongan = if kind == "pns" { "III/a" } else { "IX" };
            let problem = app
                .post_as(
                    "/api/v1/employees",
                    a,
                    &employee(nip, kind, Some(golongan), unit, None),
                )
                .await
                .assert_problem(422, "validation_failed");
            let errors = problem["errors"].as_array().unwrap();
            assert!(
                errors
                    .iter()
                    .any(|e| e["field"] == "nip" && e["code"] == code),
                "{nip}: {problem}"
            );
        }
        // The wrong length is refused by the schema rule already, naming the field.
        let problem = app
            .post_as(
                "/api/v1/employees",
                a,
                &employee("1985071220100110", "pns", Some("III/a"), unit, None),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "nip");

        // The domain reference's own examples.
        app.post_as(
            "/api/v1/employees",
            a,
            &employee("199201152010011001", "pns", Some("III/a"), unit, None),
        )
        .await
        .assert_status(201);
        app.post_as(
            "/api/v1/employees",
            a,
            &employee("199005202021012001", "pppk", Some("IX"), unit, None),
        )
        .await
        .assert_status(201);
        // Indonesian messages for the same reasons.
        let id = app
            .send(
                app.authed(Method::POST, "/api/v1/employees", a)
                    .header("Accept-Language", "id")
                    .json(&employee(
                        "199201152009121002",
                        "pns",
                        Some("III/a"),
                        unit,
                        None,
                    )),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert!(
            id["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("18 tahun"),
            "{id}"
        );
    })
    .await;
}

#[tokio::test]
async fn golongan_supervisors_and_duplicates_are_checked() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let unit = app.create_unit(a, "DINKES", "dinas", None, true).await;
        let field_error = |problem: &Value, field: &str, code: &str| {
            let errors = problem["errors"].as_array().unwrap();
            assert!(
                errors
                    .iter()
                    .any(|e| e["field"] == field && e["code"] == code),
                "{problem}"
            );
        };
        let wrong_for_pns = app
            .post_as(
                "/api/v1/employees",
                a,
                &employee(&test_nip(1), "pns", Some("IX"), unit, None),
            )
            .await
            .assert_problem(422, "validation_failed");
        field_error(&wrong_for_pns, "golongan", "invalid_for_employment_type");
        let wrong_for_pppk = app
            .post_as(
                "/api/v1/employees",
                a,
                &employee("199005202021012001", "pppk", Some("III/b"), unit, None),
            )
            .await
            .assert_problem(422, "validation_failed");
        field_error(&wrong_for_pppk, "golongan", "invalid_for_employment_type");
        let missing = app
            .post_as(
                "/api/v1/employees",
                a,
                &employee(&test_nip(1), "pns", None, unit, None),
            )
            .await
            .assert_problem(422, "validation_failed");
        field_error(&missing, "golongan", "required");
        // A part-time PPPK may have no golongan.
        app.post_as(
            "/api/v1/employees",
            a,
            &employee("199005202021012002", "pppk_paruh_waktu", None, unit, None),
        )
        .await
        .assert_status(201);

        let unknown = app
            .post_as(
                "/api/v1/employees",
                a,
                &employee(
                    &test_nip(1),
                    "pns",
                    Some("II/a"),
                    unit,
                    Some(Uuid::now_v7()),
                ),
            )
            .await
            .assert_problem(422, "validation_failed");
        field_error(&unknown, "supervisor_id", "supervisor_not_found");

        let retired = app
            .create_employee(a, &test_nip(2), "Pensiunan", unit, None)
            .await;
        app.patch_as(
            &format!("/api/v1/employees/{retired}"),
            a,
            Some("*"),
            &json!({"status": "pensiun"}),
        )
        .await
        .assert_status(200);
        let inactive = app
            .post_as(
                "/api/v1/employees",
                a,
                &employee(&test_nip(1), "pns", Some("II/a"), unit, Some(retired)),
            )
            .await
            .assert_problem(422, "validation_failed");
        field_error(&inactive, "supervisor_id", "supervisor_inactive");

        app.create_employee(a, &test_nip(3), "Asli", unit, None)
            .await;
        app.post_as(
            "/api/v1/employees",
            a,
            &employee(&test_nip(3), "pns", Some("II/a"), unit, None),
        )
        .await
        .assert_problem(409, "nip_taken");
    })
    .await;
}

#[tokio::test]
async fn a_reporting_line_never_loops() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let unit = app.create_unit(a, "DINKES", "dinas", None, true).await;
        let kepala = app
            .create_employee(a, &test_nip(1), "Kepala", unit, None)
            .await;
        let kabid = app
            .create_employee(a, &test_nip(2), "Kabid", unit, Some(kepala))
            .await;
        let staf = app
            .create_employee(a, &test_nip(3), "Staf", unit, Some(kabid))
            .await;

        app.patch_as(
            &format!("/api/v1/employees/{kepala}"),
            a,
            Some("*"),
            &json!({"supervisor_id": staf}),
        )
        .await
        .assert_problem(409, "reporting_cycle");
        app.patch_as(
            &format!("/api/v1/employees/{kepala}"),
            a,
            Some("*"),
            &json!({"supervisor_id": kepala}),
        )
        .await
        .assert_problem(409, "reporting_cycle");
        // A transfer to another supervisor is fine and bumps the version.
        let moved = app
            .patch_as(
                &format!("/api/v1/employees/{staf}"),
                a,
                Some("\"1\""),
                &json!({"supervisor_id": kepala}),
            )
            .await;
        moved.assert_status(200);
        assert_eq!(moved.json()["version"], 2);
        assert_eq!(moved.json()["supervisor"]["name"], "Kepala");

        let direct = app
            .get_as(&format!("/api/v1/employees/{kepala}/subordinates"), a)
            .await
            .json();
        assert_eq!(direct["total"], 2);
        let kabid_line = app
            .get_as(
                &format!("/api/v1/employees/{kabid}/subordinates?depth=all"),
                a,
            )
            .await
            .json();
        assert_eq!(kabid_line["total"], 0);
        app.patch_as(
            &format!("/api/v1/employees/{staf}"),
            a,
            Some("*"),
            &json!({"supervisor_id": kabid}),
        )
        .await
        .assert_status(200);
        let all = app
            .get_as(
                &format!("/api/v1/employees/{kepala}/subordinates?depth=all"),
                a,
            )
            .await
            .json();
        assert_eq!(all["total"], 2);
        let only_direct = app
            .get_as(&format!("/api/v1/employees/{kepala}/subordinates"), a)
            .await
            .json();
        assert_eq!(only_direct["total"], 1);
    })
    .await;
}

#[tokio::test]
async fn employee_lists_filter_page_and_export_csv() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let dinkes = app.create_unit(a, "DINKES", "dinas", None, true).await;
        let puskesmas = app
            .create_unit(a, "DINKES.PKM1", "upt", Some(dinkes), false)
            .await;
        let kepala = app
            .create_employee(a, &test_nip(1), "Dr. Rina Simanjuntak", dinkes, None)
            .await;
        for i in 2..=6 {
            app.create_employee(
                a,
                &test_nip(i),
                &format!("Perawat {i}"),
                puskesmas,
                Some(kepala),
            )
            .await;
        }
        app.create_employee(
            a,
            &test_nip(7),
            "=HYPERLINK(\"http://evil\")",
            puskesmas,
            Some(kepala),
        )
        .await;

        let page = app
            .get_as("/api/v1/employees?per_page=2&page=2&sort=nip", a)
            .await
            .json();
        assert_eq!(page["total"], 7);
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        assert_eq!(page["items"][0]["nip"], test_nip(3));
        let in_unit = app
            .get_as(&format!("/api/v1/employees?unit_id={dinkes}"), a)
            .await
            .json();
        assert_eq!(in_unit["total"], 1);
        let with_subunits = app
            .get_as(
                &format!("/api/v1/employees?unit_id={dinkes}&include_subunits=true"),
                a,
            )
            .await
            .json();
        assert_eq!(with_subunits["total"], 7);
        let by_name = app
            .get_as("/api/v1/employees?q=SIMANJUNTAK", a)
            .await
            .json();
        assert_eq!(by_name["items"][0]["id"], kepala.to_string());
        let by_nip = app
            .get_as(&format!("/api/v1/employees?nip={}", test_nip(4)), a)
            .await
            .json();
        assert_eq!(by_nip["total"], 1);
        let by_supervisor = app
            .get_as(&format!("/api/v1/employees?supervisor_id={kepala}"), a)
            .await
            .json();
        assert_eq!(by_supervisor["total"], 6);
        let none = app
            .get_as("/api/v1/employees?updated_since=2030-01-01T00:00:00Z", a)
            .await
            .json();
        assert_eq!(none["total"], 0);

        let csv = app
            .send(
                app.authed(Method::GET, "/api/v1/employees?sep=;&sort=nip", a)
                    .header("Accept", "text/csv"),
            )
            .await;
        csv.assert_status(200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        let text = csv.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 8, "{text}");
        assert!(lines[0].starts_with("id;nip;name;employment_type"));
        assert!(
            text.contains("'=HYPERLINK"),
            "formula not neutralised: {text}"
        );
        assert!(!text.contains(";=HYPERLINK"));
    })
    .await;
}

#[tokio::test]
async fn each_role_sees_only_its_part_of_the_organisation() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let setda = app.create_unit(a, "SETDA", "sekretariat", None, true).await;
        let umum = app.create_unit(a, "SETDA.UMUM", "bagian", Some(setda), false).await;
        let dinas = app.create_unit(a, "DISDUKCAPIL", "dinas", Some(setda), true).await;
        let sekda = app.create_employee(a, &test_nip(1), "Sekda", setda, None).await;
        let kabag = app.create_employee(a, &test_nip(2), "Kabag Umum", umum, Some(sekda)).await;
        let staf = app.create_employee(a, &test_nip(3), "Staf Umum", umum, Some(kabag)).await;
        let kadis = app.create_employee(a, &test_nip(4), "Kadis", dinas, Some(sekda)).await;

        // A unit admin of the Setda manages the Setda and its bagian, not the dinas below it.
        let operator = app.create_user_with("operator.setda", &["unit_admin"], false, Some(setda)).await;
        let op = app.login(&operator).await.access_token;
        let list = app.get_as("/api/v1/employees", &op).await.json();
        assert_eq!(list["total"], 3, "{list}");
        app.get_as(&format!("/api/v1/employees/{kadis}"), &op).await.assert_problem(404, "not_found");
        app.post_as("/api/v1/employees", &op, &employee(&test_nip(9), "pns", Some("II/a"), dinas, None))
            .await
            .assert_problem(403, "forbidden");
        app.post_as("/api/v1/employees", &op, &employee(&test_nip(9), "pns", Some("II/a"), umum, Some(kabag)))
            .await
            .assert_status(201);
        app.patch_as(&format!("/api/v1/units/{dinas}"), &op, Some("*"), &json!({"name": "x"}))
            .await
            .assert_problem(403, "forbidden");
        app.post_as("/api/v1/units", &op, &json!({"code": "SETDA.HUKUM", "name": "Bagian Hukum", "kind": "bagian", "parent_id": setda}))
            .await
            .assert_status(201);
        app.post_as("/api/v1/units", &op, &json!({"code": "DINAS.X", "name": "x", "kind": "bidang", "parent_id": dinas}))
            .await
            .assert_problem(403, "forbidden");

        // An employee sees himself and his subordinates at every depth; his superiors by name.
        let (kabag_user, _) = app.session_as("kabag", &["employee"]).await;
        app.link_user(a, kabag_user.id, kabag).await;
        let k = app.login(&kabag_user).await.access_token;
        let seen = app.get_as("/api/v1/employees", &k).await.json();
        let names: Vec<&str> = seen["items"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"Kabag Umum") && names.contains(&"Staf Umum"), "{names:?}");
        assert!(!names.contains(&"Kadis") && !names.contains(&"Sekda"), "{names:?}");
        app.get_as(&format!("/api/v1/employees/{staf}"), &k).await.assert_status(200);
        app.get_as(&format!("/api/v1/employees/{sekda}"), &k).await.assert_problem(404, "not_found");
        let me = app.get_as("/api/v1/me", &k).await.json();
        assert_eq!(me["employee"]["name"], "Kabag Umum");
        assert_eq!(me["employee"]["supervisor"]["name"], "Sekda");
        assert_eq!(me["superiors"][0]["name"], "Sekda");
        app.patch_as(&format!("/api/v1/employees/{staf}"), &k, Some("*"), &json!({"name": "x"}))
            .await
            .assert_problem(403, "forbidden");

        // Login by NIP reaches the linked account.
        let by_nip = app.token(&test_nip(2), &kabag_user.password).await;
        by_nip.assert_status(200);

        // The auditor reads everything and changes nothing.
        let (_, auditor) = app.session_as("inspektorat", &["auditor"]).await;
        let all = app.get_as("/api/v1/employees", &auditor.access_token).await.json();
        assert_eq!(all["total"], 5);
        app.patch_as(&format!("/api/v1/units/{umum}"), &auditor.access_token, Some("*"), &json!({"name": "x"}))
            .await
            .assert_problem(403, "forbidden");
    })
    .await;
}

#[tokio::test]
async fn accounts_are_made_for_a_whole_unit_at_once() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = &admin.access_token;
        let dinas = app.create_unit(a, "DISDUKCAPIL", "dinas", None, true).await;
        let bidang = app
            .create_unit(a, "DISDUKCAPIL.PIAK", "bidang", Some(dinas), false)
            .await;
        let kadis = app
            .create_employee(a, &test_nip(1), "Kadis", dinas, None)
            .await;
        app.create_employee(a, &test_nip(2), "Kabid", bidang, Some(kadis))
            .await;
        let leaver = app
            .create_employee(a, &test_nip(3), "Pindah", bidang, Some(kadis))
            .await;
        app.patch_as(
            &format!("/api/v1/employees/{leaver}"),
            a,
            Some("*"),
            &json!({"status": "inactive"}),
        )
        .await
        .assert_status(200);

        let made = app
            .post_as(
                "/api/v1/users/from-employees",
                a,
                &json!({"unit_id": dinas, "roles": ["employee"]}),
            )
            .await;
        made.assert_status(200);
        assert_eq!(made.header("cache-control"), Some("no-store"));
        let body = made.json();
        let created = body["created"].as_array().unwrap();
        assert_eq!(created.len(), 2, "inactive staff get no account: {body}");
        let first = &created[0];
        assert_eq!(first["username"], first["nip"]);
        let password = first["password"].as_str().unwrap();
        let login = app.token(first["nip"].as_str().unwrap(), password).await;
        login.assert_status(200);
        let token = login.json()["access_token"].as_str().unwrap().to_owned();
        let me = app.get_as("/api/v1/me", &token).await.json();
        assert_eq!(me["user"]["must_change_password"], true);
        assert_eq!(me["employee"]["nip"], first["nip"]);
        app.get_as("/api/v1/employees", &token)
            .await
            .assert_problem(403, "password_change_required");

        // A second run finds nobody left without an account.
        let again = app
            .post_as(
                "/api/v1/users/from-employees",
                a,
                &json!({"unit_id": dinas}),
            )
            .await
            .json();
        assert_eq!(again["created"].as_array().unwrap().len(), 0);

        // CSV for the operator who hands out the slips.
        let newcomer = app
            .create_employee(a, &test_nip(4), "Baru", bidang, Some(kadis))
            .await;
        let csv = app
            .send(
                app.authed(Method::POST, "/api/v1/users/from-employees", a)
                    .header("Accept", "text/csv")
                    .json(&json!({"unit_id": dinas})),
            )
            .await;
        csv.assert_status(200);
        let text = csv.text();
        assert!(text.starts_with("nip,name,username,password\n"), "{text}");
        assert!(text.contains(&test_nip(4)));
        let _ = newcomer;

        // Bulk accounts never carry admin rights.
        app.post_as(
            "/api/v1/users/from-employees",
            a,
            &json!({"unit_id": dinas, "roles": ["admin"]}),
        )
        .await
        .assert_problem(422, "validation_failed");
        app.post_as(
            "/api/v1/users/from-employees",
            a,
            &json!({"unit_id": Uuid::now_v7()}),
        )
        .await
        .assert_problem(422, "validation_failed");
    })
    .await;
}
