//! Imports of SKPs and realisasi: 200 draft SKPs cascaded from their penilai in one file, read
//! back through `/skps`, re-imported unchanged, edited, refused row by row with nothing written;
//! realisasi of three quarters with their capaian; who may import for whom.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{TestApp, TestResponse, on_each_db, test_nip};
use reqwest::Method;
use serde_json::{Value, json};

const HEADER: &str = "nip,cycle_year,rhk_code,rhk_kind,rhk_description,parent_rhk_code,unit_indicator_code,indicator_code,indicator_description,aspect,direction,target,target_max,unit,aggregation,q1_target,q2_target,q3_target";
const REALISASI: &str = "nip,cycle_year,indicator_code,period,value,achieved,evidence,note";

struct City {
    admin: String,
    cycle: String,
    /// The Sekda (no penilai among the employees), the kepala dinas (his penilai: the Sekda),
    /// and the staff under the kepala dinas, by NIP.
    sekda: String,
    kadis: String,
    staff: Vec<String>,
    /// A kepala puskesmas of another OPD (Dinas Kesehatan), outside Disdukcapil.
    other: String,
    /// Disdukcapil's unit admin.
    operator: String,
}

fn counts(body: &Value) -> (u64, u64, u64) {
    (
        body["created"].as_u64().unwrap(),
        body["updated"].as_u64().unwrap(),
        body["unchanged"].as_u64().unwrap(),
    )
}

async fn total(app: &TestApp, token: &str, path: &str) -> u64 {
    let body = app.get_as(path, token).await.json();
    body["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("{path}: {body}"))
}

/// Setda and Disdukcapil with their Perjanjian Kinerja (`IKU1` each), Dinas Kesehatan, the Sekda,
/// the kepala dinas and `staff` staff members under him (through the employee import).
async fn city(app: &TestApp, staff: u32) -> City {
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = admin.access_token.clone();
    let cycle = app
        .post_as("/api/v1/cycles", &a, &json!({"year": 2026}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let units = "code,name,kind,parent_code,is_opd\nSETDA,Sekretariat Daerah,sekretariat,,true\n\
                 DISDUKCAPIL,Dinas Kependudukan dan Pencatatan Sipil,dinas,SETDA,true\n\
                 DISDUKCAPIL.PIAK,Bidang PIAK,bidang,DISDUKCAPIL,false\n\
                 DINKES,Dinas Kesehatan,dinas,SETDA,true\n";
    app.import(&a, "/api/v1/imports/units", "text/csv", units)
        .await
        .assert_status(200);
    let (sekda, kadis, other) = (test_nip(1), test_nip(2), test_nip(3));
    let mut people = format!(
        "nip,name,employment_type,golongan,position,position_kind,unit_code,supervisor_nip\n\
         {sekda},Sekretaris Daerah,pns,IV/d,Sekretaris Daerah,jpt,SETDA,\n\
         {kadis},Kepala Dinas,pns,IV/c,Kepala Dinas,jpt,DISDUKCAPIL,{sekda}\n\
         {other},Kepala Puskesmas,pns,III/d,Kepala Puskesmas,administrator,DINKES,{sekda}\n"
    );
    let staff: Vec<String> = (0..staff).map(|i| test_nip(100 + i)).collect();
    for (i, nip) in staff.iter().enumerate() {
        people.push_str(&format!(
            "{nip},Staf {i},pns,II/c,Verifikator,pelaksana,DISDUKCAPIL.PIAK,{kadis}\n"
        ));
    }
    app.import(&a, "/api/v1/imports/employees", "text/csv", people)
        .await
        .assert_status(200);
    for (code, head) in [("SETDA", &sekda), ("DISDUKCAPIL", &kadis)] {
        let unit = app
            .get_as(&format!("/api/v1/units?q={code}"), &a)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == code)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let head = app
            .get_as(&format!("/api/v1/employees?nip={head}"), &a)
            .await
            .json()["items"][0]["id"]
            .clone();
        app.patch_as(
            &format!("/api/v1/units/{unit}"),
            &a,
            Some("*"),
            &json!({"head_employee_id": head}),
        )
        .await
        .assert_status(200);
        app.post_as(
            &format!("/api/v1/cycles/{cycle}/units/{unit}/indicators"),
            &a,
            &json!({"code": "IKU1", "description": format!("Indikator kinerja utama {code}"), "direction": "higher_is_better", "target": 90, "unit": "persen"}),
        )
        .await
        .assert_status(201);
    }
    let disdukcapil = app
        .get_as("/api/v1/units?q=DISDUKCAPIL.PIAK", &a)
        .await
        .json()["items"][0]["parent_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let operator = app
        .create_user_with(
            "operator.disdukcapil",
            &["unit_admin"],
            false,
            Some(disdukcapil),
        )
        .await;
    City {
        operator: app.login(&operator).await.access_token,
        admin: a,
        cycle,
        sekda,
        kadis,
        staff,
        other,
    }
}

/// The rows of the kepala dinas (three RHK intervening Disdukcapil's IKU1, one indicator each)
/// and of every staff member (three RHK cascaded from them, two indicators each).
fn skp_file(c: &City) -> String {
    let mut file = format!("{HEADER}\n");
    for r in 1..=3 {
        file.push_str(&format!(
            "{},2026,R{r},utama,Sasaran kepala dinas {r},,IKU1,R{r}.1,Indikator kepala dinas {r},kuantitas,higher_is_better,95,,persen,average,90,92,94\n",
            c.kadis
        ));
    }
    for nip in &c.staff {
        for r in 1..=3 {
            file.push_str(&format!(
                "{nip},2026,R{r},utama,Terlaksananya tugas {r},R{r},,R{r}.1,Jumlah berkas {r} terverifikasi,kuantitas,higher_is_better,2400,,berkas,sum,600,600,600\n\
                 {nip},2026,R{r},utama,Terlaksananya tugas {r},R{r},,R{r}.2,Rata-rata hari verifikasi {r},waktu,lower_is_better,1.5,,hari,average,2,,\n"
            ));
        }
    }
    file
}

async fn skp_of(app: &TestApp, token: &str, nip: &str) -> Value {
    let employee = app
        .get_as(&format!("/api/v1/employees?nip={nip}"), token)
        .await
        .json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = app
        .get_as(&format!("/api/v1/skps?employee_id={employee}"), token)
        .await
        .json();
    assert_eq!(list["total"], 1, "{list}");
    app.get_as(
        &format!("/api/v1/skps/{}", list["items"][0]["id"].as_str().unwrap()),
        token,
    )
    .await
    .json()
}

async fn action(app: &TestApp, token: &str, skp: &Value, what: &str, body: Value) -> TestResponse {
    app.send(
        app.authed(
            Method::POST,
            &format!("/api/v1/skps/{}/{what}", skp["id"].as_str().unwrap()),
            token,
        )
        .json(&body),
    )
    .await
}

/// The (row, field, code) of every error of a problem.
fn errors(problem: &Value) -> Vec<(u64, String, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn two_hundred_skps_import_read_back_and_import_again_unchanged() {
    on_each_db(async |app: &TestApp| {
        let c = city(app, 200).await;
        let a = &c.admin;
        let file = skp_file(&c);
        let skps = format!("/api/v1/skps?cycle_id={}", c.cycle);

        // A dry run counts and writes nothing.
        let dry = app
            .import(a, "/api/v1/imports/skps?dry_run=true", "text/csv", file.clone())
            .await;
        dry.assert_status(200);
        assert_eq!(dry.json()["dry_run"], true);
        assert_eq!(counts(&dry.json()), (1203, 0, 0));
        assert_eq!(total(app, a, &skps).await, 0, "a dry run writes nothing");

        let started = std::time::Instant::now();
        let imported = app.import(a, "/api/v1/imports/skps", "text/csv", file.clone()).await;
        eprintln!("201 SKPs, 1,203 rows imported in {:?}", started.elapsed());
        imported.assert_status(200);
        assert_eq!(counts(&imported.json()), (1203, 0, 0));
        assert_eq!(total(app, a, &skps).await, 201);

        // Read back: a draft written by the import, cascaded from the kepala dinas's RHK.
        let kadis = skp_of(app, a, &c.kadis).await;
        let staff = skp_of(app, a, &c.staff[199]).await;
        assert_eq!(staff["status"], "draft");
        assert_eq!(staff["proposed_by"], "import");
        assert_eq!(staff["version"], 1);
        assert_eq!(staff["start_date"], "2026-01-01");
        assert_eq!(staff["evaluator_id"], kadis["employee_id"]);
        assert_eq!(staff["snapshot"]["unit"]["code"], "DISDUKCAPIL.PIAK");
        let rhk = staff["rhk"].as_array().unwrap();
        assert_eq!(rhk.len(), 3);
        for (n, r) in rhk.iter().enumerate() {
            assert_eq!(r["code"], format!("R{}", n + 1));
            assert_eq!(r["kind"], "utama");
            assert_eq!(r["parent_rhk_id"], kadis["rhk"][n]["id"], "{r}");
            assert_eq!(r["indicators"].as_array().unwrap().len(), 2);
        }
        let first = &rhk[0]["indicators"][0];
        assert_eq!(first["code"], "R1.1");
        assert_eq!(first["target"], 2400.0);
        assert_eq!(first["aggregation"], "sum");
        assert_eq!(first["period_targets"], json!({"q1": 600.0, "q2": 600.0, "q3": 600.0}));
        let second = &rhk[0]["indicators"][1];
        assert_eq!(second["direction"], "lower_is_better");
        assert_eq!(second["target"], 1.5);
        assert_eq!(second["period_targets"], json!({"q1": 2.0, "q2": null, "q3": null}));
        assert!(kadis["rhk"][0]["unit_indicator_id"].is_string(), "{kadis}");

        // The same file again changes nothing.
        let again = app.import(a, "/api/v1/imports/skps", "text/csv", file.clone()).await;
        again.assert_status(200);
        assert_eq!(counts(&again.json()), (0, 0, 1203));
        assert_eq!(skp_of(app, a, &c.staff[199]).await["version"], 1);

        // One target changed: one row updated, that SKP's version bumped once.
        let changed = file.replacen(
            &format!("{},2026,R2,utama,Terlaksananya tugas 2,R2,,R2.1,Jumlah berkas 2 terverifikasi,kuantitas,higher_is_better,2400", c.staff[7]),
            &format!("{},2026,R2,utama,Terlaksananya tugas 2,R2,,R2.1,Jumlah berkas 2 terverifikasi,kuantitas,higher_is_better,2500", c.staff[7]),
            1,
        );
        let response = app.import(a, "/api/v1/imports/skps", "text/csv", changed).await;
        assert_eq!(counts(&response.json()), (0, 1, 1202));
        let seventh = skp_of(app, a, &c.staff[7]).await;
        assert_eq!(seventh["version"], 2);
        assert_eq!(seventh["rhk"][1]["indicators"][0]["target"], 2500.0);
        // The RHK keeps its id and its position.
        assert_eq!(seventh["rhk"][1]["code"], "R2");

        // One audit event per import that wrote.
        let audit = app
            .get_as("/api/v1/audit-events?action=import.skps", a)
            .await
            .json();
        assert_eq!(audit["total"], 3);
        assert_eq!(audit["items"][0]["after"]["updated"], 1);
        assert_eq!(audit["items"][0]["entity_id"].as_str().unwrap().len(), 64);
    })
    .await;
}

#[tokio::test]
async fn every_bad_row_is_listed_and_nothing_is_written() {
    on_each_db(async |app: &TestApp| {
        let c = city(app, 3).await;
        let a = &c.admin;
        let (kadis, s0, s1, s2) = (&c.kadis, &c.staff[0], &c.staff[1], &c.staff[2]);
        let good = |nip: &str, rhk: u32, ind: u32| {
            format!("{nip},2026,R{rhk},utama,Tugas {rhk},R{rhk},,R{rhk}.{ind},Indikator {rhk}.{ind},kuantitas,higher_is_better,10,,berkas,sum,,,\n")
        };
        let mut file = format!("{HEADER}\n{kadis},2026,R1,utama,Sasaran,,IKU1,R1.1,Indikator,kuantitas,higher_is_better,95,,persen,average,,,\n");
        file.push_str(&good(s0, 1, 1)); // row 3
        file.push_str(&good(s0, 1, 2)); // row 4
        file.push_str(&format!("{s0},2026,R1,utama,Tugas 1,R1,,R1.3,Indikator,kuantitas,higher_is_better,10.12345,,berkas,sum,,,\n")); // 5: too precise
        file.push_str(&format!("{s1},2026,R1,utama,Tugas lain,R1,,R1.1,Indikator,kuantitas,higher_is_better,10,,berkas,sum,,,\n")); // 6
        file.push_str(&format!("{s1},2026,R1,tambahan,Tugas lain,R1,,R1.2,Indikator,kuantitas,higher_is_better,10,,berkas,sum,,,\n")); // 7: mismatch
        file.push_str(&format!("{s1},2026,R2,utama,Tanpa intervensi,,,R2.1,Indikator,kuantitas,higher_is_better,10,,berkas,sum,,,\n")); // 8
        file.push_str(&format!("{s1},2026,R3,utama,Induk tidak ada,R9,,R3.1,Indikator,kuantitas,higher_is_better,10,,berkas,sum,,,\n")); // 9
        file.push_str(&format!("{s2},2026,R1,utama,PK,,IKU1,R1.1,Indikator,kuantitas,higher_is_better,10,,berkas,sum,,,\n")); // 10: not JPT
        file.push_str(&format!("{s2},2026,R2,tambahan,Kualitatif,,,R2.1,Indikator,kualitas,qualitative,5,,laporan,last,,,\n")); // 11
        file.push_str(&format!("{s2},2026,R3,tambahan,Rentang,,,R3.1,Indikator,biaya,range,100,90,persen,last,,,\n")); // 12
        file.push_str(&format!("{s2},2026,R3,tambahan,Rentang,,,R3.1,Indikator,biaya,range,90,100,persen,last,,,\n")); // 13: duplicate
        file.push_str(&format!("{},2026,R1,utama,Tugas,R1,,R1.1,Indikator,kuantitas,higher_is_better,10,,berkas,sum,,,\n", test_nip(999))); // 14
        file.push_str(&format!("{s0},2031,R1,utama,Tugas,R1,,R1.1,Indikator,kuantitas,higher_is_better,10,,berkas,sum,,,\n")); // 15
        file.push_str(&format!("{s0},2026,R4,penting,Tugas,R1,,R4.1,Indikator,kuantitas,naik,abc,,berkas,sum,,,\n")); // 16
        file.push_str(&format!("{s0},2026,R5,tambahan,Tugas tambahan,,,R5.1,Indikator,kuantitas,higher_is_better,10,,berkas,sum,,,\n")); // 17
        let skps = format!("/api/v1/skps?cycle_id={}", c.cycle);
        let audit_before = total(app, a, "/api/v1/audit-events").await;

        let problem = app
            .import(a, "/api/v1/imports/skps", "text/csv", file.clone())
            .await
            .assert_problem(422, "import_invalid");
        let found = errors(&problem);
        let expected: &[(u64, &str, &str)] = &[
            (5, "target", "too_precise"),
            (7, "rhk_kind", "rhk_mismatch"),
            (8, "parent_rhk_code", "intervention_required"),
            (9, "parent_rhk_code", "parent_not_penilai"),
            (10, "unit_indicator_code", "unit_indicator_not_allowed"),
            (11, "target", "not_allowed"),
            (12, "target_max", "below_target"),
            (13, "indicator_code", "duplicate_in_file"),
            (14, "nip", "unknown_employee"),
            (15, "cycle_year", "unknown_cycle"),
            (16, "rhk_kind", "invalid"),
            (16, "direction", "invalid"),
            (16, "target", "not_a_number"),
        ];
        for (row, field, code) in expected {
            assert!(
                found.iter().any(|e| e.0 == *row && e.1 == *field && e.2 == *code),
                "row {row} {field} {code} missing from {found:?}"
            );
        }
        let bad_rows: std::collections::BTreeSet<u64> = found.iter().map(|e| e.0).collect();
        assert_eq!(
            bad_rows.into_iter().collect::<Vec<_>>(),
            vec![5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
            "{found:?}"
        );
        let message = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["row"] == 9)
            .unwrap()["message"]
            .clone();
        assert!(message.as_str().unwrap().contains("R9"), "{message}");
        // The good rows of RHK that pass are counted (rows 3 and 4 share their RHK with row 5);
        // nothing was written, not even the audit event.
        assert_eq!(counts(&problem), (3, 0, 0));
        assert_eq!(total(app, a, &skps).await, 0);
        assert_eq!(total(app, a, "/api/v1/audit-events").await, audit_before);

        // The same answer in a dry run, and in Bahasa Indonesia on request.
        let dry = app
            .send(
                app.authed(Method::POST, "/api/v1/imports/skps?dry_run=true", a)
                    .header("Content-Type", "text/csv")
                    .header("Accept-Language", "id")
                    .body(file),
            )
            .await
            .assert_problem(422, "import_invalid");
        assert_eq!(errors(&dry), found);
        assert!(dry["detail"].as_str().unwrap().contains("tidak ada yang disimpan"));
        assert_eq!(total(app, a, &skps).await, 0);
    })
    .await;
}

#[tokio::test]
async fn drafts_are_updated_kept_whole_and_submitted_ones_refused() {
    on_each_db(async |app: &TestApp| {
        let c = city(app, 1).await;
        let a = &c.admin;
        let (sekda, kadis) = (&c.sekda, &c.kadis);
        let sekda_rows = format!(
            "{HEADER}\n{sekda},2026,R1,utama,Tata kelola,,IKU1,R1.1,Indeks RB,kualitas,higher_is_better,70,,indeks,last,,,\n"
        );
        let kadis_rows = |description: &str| {
            format!(
                "{HEADER}\n{kadis},2026,R1,utama,{description},R1,,R1.1,Persentase KTP-el terbit,waktu,higher_is_better,95,,persen,average,,,\n\
                 {kadis},2026,R2,tambahan,Pendampingan,,,R2.1,Laporan pendampingan,waktu,qualitative,,,laporan,last,,,\n\
                 {kadis},2026,R3,utama,Akta,,IKU1,R3.1,Rata-rata hari akta,waktu,lower_is_better,2,,hari,average,3,2.5,2\n"
            )
        };
        app.import(a, "/api/v1/imports/skps", "text/csv", sekda_rows.clone())
            .await
            .assert_status(200);
        let first = app
            .import(a, "/api/v1/imports/skps", "text/csv", kadis_rows("Pelayanan KTP-el"))
            .await;
        assert_eq!(counts(&first.json()), (3, 0, 0));

        // A file naming one RHK changes it and keeps the others.
        let only_r1 = kadis_rows("Pelayanan KTP-el tepat waktu")
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n");
        let response = app.import(a, "/api/v1/imports/skps", "text/csv", only_r1).await;
        assert_eq!(counts(&response.json()), (0, 1, 0));
        let skp = skp_of(app, a, kadis).await;
        assert_eq!(skp["version"], 2);
        let codes: Vec<&str> = skp["rhk"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["R1", "R2", "R3"]);
        assert_eq!(skp["rhk"][0]["description"], "Pelayanan KTP-el tepat waktu");
        assert_eq!(skp["rhk"][1]["indicators"][0]["direction"], "qualitative");

        // Edited through the API in between: what the file does not say is kept.
        let rhk3 = skp["rhk"][2]["id"].as_str().unwrap();
        app.patch_as(
            &format!("/api/v1/skps/{}/rhk/{rhk3}", skp["id"].as_str().unwrap()),
            a,
            Some("*"),
            &json!({"indicators": [{"id": skp["rhk"][2]["indicators"][0]["id"], "code": "R3.1", "description": "Rata-rata hari akta", "aspect": "waktu",
                    "direction": "lower_is_better", "target": 2, "unit": "hari", "aggregation": "average",
                    "period_targets": {"q1": 3, "q2": 2.5, "q3": 2}, "competencies": ["akuntabel"]}]}),
        )
        .await
        .assert_status(200);
        let again = app
            .import(a, "/api/v1/imports/skps", "text/csv", kadis_rows("Pelayanan KTP-el tepat waktu"))
            .await;
        assert_eq!(counts(&again.json()), (0, 0, 3));
        let skp = skp_of(app, a, kadis).await;
        assert_eq!(skp["rhk"][2]["indicators"][0]["competencies"], json!(["akuntabel"]));

        // Submitted: the import refuses it. The Sekda's is submitted and returned by an admin
        // acting for the Wali Kota: returned drafts are edited again.
        let sekda_skp = skp_of(app, a, sekda).await;
        action(app, a, &sekda_skp, "submit", json!({})).await.assert_status(200);
        action(app, a, &skp, "submit", json!({})).await.assert_status(409);
        let problem = app
            .import(a, "/api/v1/imports/skps", "text/csv", sekda_rows.replace("Indeks RB", "Indeks Reformasi Birokrasi"))
            .await
            .assert_problem(422, "import_invalid");
        assert_eq!(errors(&problem), [(2, "nip".to_owned(), "skp_not_editable".to_owned())]);
        action(app, a, &sekda_skp, "return", json!({"reason": "Tambahkan target triwulan"}))
            .await
            .assert_status(200);
        let response = app
            .import(a, "/api/v1/imports/skps", "text/csv", sekda_rows.replace("70,,indeks,last,,,", "70,,indeks,last,60,65,68"))
            .await;
        response.assert_status(200);
        assert_eq!(counts(&response.json()), (0, 1, 0));
        let sekda_skp = skp_of(app, a, sekda).await;
        assert_eq!(sekda_skp["status"], "returned");
        assert_eq!(sekda_skp["rhk"][0]["indicators"][0]["period_targets"]["q3"], 68.0);

        // JSON rows, numbers as numbers, for a staff member cascading from the kepala dinas.
        let rows = json!([
            {"nip": c.staff[0], "cycle_year": 2026, "rhk_code": "A", "rhk_kind": "utama", "rhk_description": "Verifikasi berkas",
             "parent_rhk_code": "R1", "indicator_code": "A.1", "indicator_description": "Berkas terverifikasi", "aspect": "kuantitas",
             "direction": "higher_is_better", "target": 1200.5, "unit": "berkas", "aggregation": "sum", "q1_target": "300"}
        ]);
        let response = app
            .import(a, "/api/v1/imports/skps", "application/json", rows.to_string())
            .await;
        response.assert_status(200);
        assert_eq!(counts(&response.json()), (1, 0, 0));
        let staff = skp_of(app, a, &c.staff[0]).await;
        assert_eq!(staff["rhk"][0]["indicators"][0]["target"], 1200.5);
        assert_eq!(staff["rhk"][0]["parent_rhk_id"], skp["rhk"][0]["id"]);
    })
    .await;
}

#[tokio::test]
async fn realisasi_of_three_quarters_imports_with_its_capaian() {
    on_each_db(async |app: &TestApp| {
        let c = city(app, 1).await;
        let a = &c.admin;
        let (sekda, kadis) = (&c.sekda, &c.kadis);
        let file = format!(
            "{HEADER}\n\
             {sekda},2026,R1,utama,Tata kelola,,IKU1,R1.1,Dokumen kebijakan,kuantitas,higher_is_better,100,,dokumen,sum,25,25,25\n\
             {sekda},2026,R1,utama,Tata kelola,,IKU1,R1.2,Laporan tepat waktu,waktu,qualitative,,,laporan,last,,,\n\
             {kadis},2026,R1,utama,KTP-el,R1,,R1.1,Rata-rata hari terbit,waktu,lower_is_better,2,,hari,average,3,3,2\n\
             {kadis},2026,R1,utama,KTP-el,R1,,R1.2,Persentase serapan anggaran,biaya,range,90,100,persen,average,,,\n"
        );
        app.import(a, "/api/v1/imports/skps", "text/csv", file)
            .await
            .assert_status(200);
        // Agreed: the admin for the Wali Kota approves the Sekda's; the Sekda the kadis's.
        let sekda_skp = skp_of(app, a, sekda).await;
        action(app, a, &sekda_skp, "submit", json!({})).await.assert_status(200);
        action(app, a, &sekda_skp, "approve", json!({})).await.assert_status(200);
        let (user, _) = app.session_as("sekda", &["employee"]).await;
        app.link_user(a, user.id, sekda_skp["employee_id"].as_str().unwrap().parse().unwrap())
            .await;
        let sekda_token = app.login(&user).await.access_token;
        let kadis_skp = skp_of(app, a, kadis).await;
        action(app, a, &kadis_skp, "submit", json!({})).await.assert_status(200);
        action(app, &sekda_token, &kadis_skp, "approve", json!({})).await.assert_status(200);
        let sekda_skp = skp_of(app, a, sekda).await;
        assert_eq!(sekda_skp["status"], "approved");

        // Not while the cycle is in planning.
        let realisasi = format!(
            "{REALISASI}\n\
             {sekda},2026,R1.1,q1,24,,https://arsip.example.go.id/q1.pdf|https://arsip.example.go.id/q1.xlsx,Rapat koordinasi\n\
             {sekda},2026,R1.1,q2,26,,,\n\
             {sekda},2026,R1.1,q3,25,,,\n\
             {sekda},2026,R1.2,q1,,ya,,\n\
             {sekda},2026,R1.2,q2,,tidak,,\n\
             {sekda},2026,R1.2,q3,,true,,\n\
             {kadis},2026,R1.1,q1,3,,,\n\
             {kadis},2026,R1.1,q2,2.5,,,\n\
             {kadis},2026,R1.1,q3,2,,,\n\
             {kadis},2026,R1.2,q1,95,,,\n\
             {kadis},2026,R1.2,q2,101,,,\n\
             {kadis},2026,R1.2,q3,85,,,\n"
        );
        let problem = app
            .import(a, "/api/v1/imports/realizations", "text/csv", realisasi.clone())
            .await
            .assert_problem(422, "import_invalid");
        assert_eq!(problem["errors"][0]["code"], "cycle_not_running");
        app.post_as(&format!("/api/v1/cycles/{}/start", c.cycle), a, &json!({}))
            .await
            .assert_status(200);

        let dry = app
            .import(a, "/api/v1/imports/realizations?dry_run=true", "text/csv", realisasi.clone())
            .await;
        assert_eq!(counts(&dry.json()), (12, 0, 0));
        assert_eq!(skp_of(app, a, sekda).await["version"], sekda_skp["version"]);
        let imported = app
            .import(a, "/api/v1/imports/realizations", "text/csv", realisasi.clone())
            .await;
        imported.assert_status(200);
        assert_eq!(counts(&imported.json()), (12, 0, 0));

        // Read back with their capaian; each SKP's version moved once.
        let skp = skp_of(app, a, sekda).await;
        assert_eq!(skp["version"], sekda_skp["version"].as_i64().unwrap() + 1);
        let documents = &skp["rhk"][0]["indicators"][0];
        assert_eq!(documents["realizations"].as_array().unwrap().len(), 3);
        assert_eq!(
            documents["realizations"][0]["evidence"],
            json!(["https://arsip.example.go.id/q1.pdf", "https://arsip.example.go.id/q1.xlsx"])
        );
        let capaian = |indicator: &Value, period: &str| {
            indicator["capaian"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["period"] == period)
                .map(|c| c["capaian"].as_f64().unwrap())
        };
        assert_eq!(capaian(documents, "q1"), Some(96.0));
        assert_eq!(capaian(documents, "q2"), Some(104.0));
        // The year so far: 75 documents of 100.
        assert_eq!(capaian(documents, "q4"), Some(75.0));
        let report = &skp["rhk"][0]["indicators"][1];
        assert_eq!(report["realizations"][1]["achieved"], false);
        assert_eq!(capaian(report, "q4"), Some(100.0), "the last quarter's: achieved");
        let kadis_now = skp_of(app, a, kadis).await;
        let days = &kadis_now["rhk"][0]["indicators"][0];
        assert_eq!(capaian(days, "q1"), Some(100.0));
        assert_eq!(capaian(days, "q3"), Some(100.0));
        let budget = &kadis_now["rhk"][0]["indicators"][1];
        assert_eq!(capaian(budget, "q1"), None, "no quarter target");
        assert_eq!(capaian(budget, "q4"), Some(100.0), "an average of 93.67 is in the range");

        // Again: unchanged; one value replaced: updated.
        let again = app
            .import(a, "/api/v1/imports/realizations", "text/csv", realisasi.clone())
            .await;
        assert_eq!(counts(&again.json()), (0, 0, 12));
        let replaced = realisasi.replace(&format!("{kadis},2026,R1.2,q3,85"), &format!("{kadis},2026,R1.2,q3,92"));
        let response = app
            .import(a, "/api/v1/imports/realizations", "text/csv", replaced)
            .await;
        assert_eq!(counts(&response.json()), (0, 1, 11));
        let kadis_after = skp_of(app, a, kadis).await;
        assert_eq!(kadis_after["version"], kadis_now["version"].as_i64().unwrap() + 1);
        assert_eq!(kadis_after["rhk"][0]["indicators"][1]["realizations"][2]["value"], 92.0);
        assert_eq!(skp_of(app, a, sekda).await["version"], skp["version"], "untouched");

        // Bad rows, every one listed; nothing written.
        let bad = format!(
            "{REALISASI}\n\
             {sekda},2026,R1.1,q5,10,,,\n\
             {sekda},2026,R1.2,q1,1,,,\n\
             {sekda},2026,R1.1,q1,10,,ftp://arsip.example.go.id/q1.pdf,\n\
             {kadis},2026,R1.1,q1,,true,,\n\
             {kadis},2026,R9.9,q1,1,,,\n\
             {kadis},2026,R1.1,q2,1.23456,,,\n\
             {kadis},2026,R1.2,q4,97,,,\n"
        );
        let problem = app
            .import(a, "/api/v1/imports/realizations", "text/csv", bad)
            .await
            .assert_problem(422, "import_invalid");
        let found = errors(&problem);
        for (row, field, code) in [
            (2, "period", "invalid"),
            (3, "value", "not_allowed"),
            (3, "achieved", "required"),
            (4, "evidence", "invalid_url"),
            (5, "achieved", "not_allowed"),
            (5, "value", "required"),
            (6, "indicator_code", "unknown_indicator"),
            (7, "value", "too_precise"),
        ] {
            assert!(
                found.iter().any(|e| e.0 == row && e.1 == field && e.2 == code),
                "row {row} {field} {code} missing from {found:?}"
            );
        }
        assert!(!found.iter().any(|e| e.0 == 8), "q4 is fine: {found:?}");
        assert_eq!(counts(&problem), (1, 0, 0));
        assert_eq!(skp_of(app, a, kadis).await["version"], kadis_after["version"]);

        // A transfer ends the kadis's SKP on 30 June: q3 has no SKP in force any more.
        app.patch_as(
            &format!("/api/v1/skps/{}", kadis_after["id"].as_str().unwrap()),
            a,
            Some("*"),
            &json!({"end_date": "2026-06-30"}),
        )
        .await
        .assert_status(200);
        let problem = app
            .import(a, "/api/v1/imports/realizations", "text/csv", format!("{REALISASI}\n{kadis},2026,R1.1,q2,2,,,\n{kadis},2026,R1.1,q3,2,,,\n"))
            .await
            .assert_problem(422, "import_invalid");
        assert_eq!(errors(&problem), [(3, "period".to_owned(), "no_skp_in_force".to_owned())]);
        assert_eq!(counts(&problem), (0, 1, 0));
    })
    .await;
}

#[tokio::test]
async fn who_may_import_for_whom() {
    on_each_db(async |app: &TestApp| {
        let c = city(app, 2).await;
        let a = &c.admin;
        let kadis = format!(
            "{HEADER}\n{},2026,R1,utama,Sasaran,,IKU1,R1.1,Indikator,kuantitas,higher_is_better,95,,persen,average,,,\n",
            c.kadis
        );
        app.import(a, "/api/v1/imports/skps", "text/csv", kadis).await.assert_status(200);
        let staff = |nip: &str| {
            format!("{nip},2026,R1,utama,Tugas,R1,,R1.1,Indikator,kuantitas,higher_is_better,10,,berkas,sum,,,\n")
        };

        // The unit admin imports for Disdukcapil's staff, not for another OPD's.
        let own = format!("{HEADER}\n{}", staff(&c.staff[0]));
        let response = app.import(&c.operator, "/api/v1/imports/skps", "text/csv", own).await;
        response.assert_status(200);
        assert_eq!(counts(&response.json()), (1, 0, 0));
        let outside = format!("{HEADER}\n{}{}", staff(&c.staff[1]), staff(&c.other));
        let problem = app
            .import(&c.operator, "/api/v1/imports/skps", "text/csv", outside)
            .await
            .assert_problem(422, "import_invalid");
        assert_eq!(errors(&problem), [(3, "nip".to_owned(), "unknown_employee".to_owned())]);
        let problem = app
            .import(&c.operator, "/api/v1/imports/realizations", "text/csv", format!("{REALISASI}\n{},2026,R1.1,q1,1,,,\n", c.other))
            .await
            .assert_problem(422, "import_invalid");
        assert!(
            errors(&problem).contains(&(2, "nip".to_owned(), "unknown_employee".to_owned())),
            "{problem}"
        );

        // Integrations need the import's own scope.
        let token = |scopes: Value| async move {
            let account = app
                .post_as("/api/v1/service-accounts", a, &json!({"name": format!("simpeg {scopes}"), "scopes": scopes}))
                .await
                .json();
            app.post_json(
                "/api/v1/auth/token",
                &json!({"grant_type": "client_credentials", "client_id": account["client_id"], "client_secret": account["client_secret"]}),
            )
            .await
            .json()["access_token"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let skps_only = token(json!(["import:skps"])).await;
        let units_only = token(json!(["import:units", "import:employees"])).await;
        let file = format!("{HEADER}\n{}", staff(&c.staff[1]));
        app.import(&skps_only, "/api/v1/imports/skps?dry_run=true", "text/csv", file.clone())
            .await
            .assert_status(200);
        app.import(&units_only, "/api/v1/imports/skps", "text/csv", file.clone())
            .await
            .assert_problem(403, "forbidden");
        let realisasi = format!("{REALISASI}\n{},2026,R1.1,q1,1,,,\n", c.staff[0]);
        for token in [&skps_only, &units_only] {
            app.import(token, "/api/v1/imports/realizations", "text/csv", realisasi.clone())
                .await
                .assert_problem(403, "forbidden");
        }
        // Employees and auditors do not import at all.
        let (_, employee) = app.session_as("pegawai", &["employee"]).await;
        let (_, auditor) = app.session_as("auditor", &["auditor"]).await;
        for token in [&employee.access_token, &auditor.access_token] {
            app.import(token, "/api/v1/imports/skps", "text/csv", file.clone())
                .await
                .assert_problem(403, "forbidden");
            app.import(token, "/api/v1/imports/realizations", "text/csv", realisasi.clone())
                .await
                .assert_problem(403, "forbidden");
        }
    })
    .await;
}
