//! The demo city seeds on both databases, its logins work, and the README's sample files import
//! into it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{TestApp, on_each_db};

#[tokio::test]
async fn the_demo_city_seeds_and_its_logins_work() {
    on_each_db(async |app: &TestApp| {
        let summary = kinerja_api::demo::seed(&app.db, kinerja_api::demo::default_as_of())
            .await
            .unwrap();
        assert_eq!(summary.employees, 1500);
        assert!(summary.opds >= 30);
        assert_eq!(summary.logins.len(), 5);
        assert_eq!((summary.cycle_year, summary.indicators), (2026, 9));
        assert!(summary.skps >= 5, "Sekda, kadis, kabid, kasi and staff");
        // Seeding twice is refused: it would duplicate the city.
        assert!(matches!(
            kinerja_api::demo::seed(&app.db, kinerja_api::demo::default_as_of()).await,
            Err(kinerja_api::demo::SeedError::NotEmpty)
        ));

        let login = |username: &str, password: &str| {
            let (u, p) = (username.to_owned(), password.to_owned());
            async move {
                let response = app.token(&u, &p).await;
                response.assert_status(200);
                response.json()["access_token"].as_str().unwrap().to_owned()
            }
        };
        let staff = summary.logins.iter().find(|l| l.role == "staff").unwrap();
        let token = login(&staff.username, staff.password).await;
        let me = app.get_as("/api/v1/me", &token).await.json();
        assert_eq!(me["employee"]["nip"], staff.username);
        assert!(
            me["superiors"].as_array().unwrap().len() >= 3,
            "a line up to the Sekda: {me}"
        );
        assert_eq!(
            me["superiors"].as_array().unwrap().last().unwrap()["position"],
            "Sekretaris Daerah"
        );

        // The staff member's approved SKP cascades, RHK by RHK, up to the Sekda's, which
        // intervenes the Setda's Perjanjian Kinerja.
        let admin = login("admin", "demo-admin-2026").await;
        let mine = app.get_as("/api/v1/skps", &token).await.json();
        assert_eq!(mine["total"], 1, "{mine}");
        let mut skp = app
            .get_as(
                &format!("/api/v1/skps/{}", mine["items"][0]["id"].as_str().unwrap()),
                &token,
            )
            .await
            .json();
        assert_eq!(
            app.get_as(
                &format!("/api/v1/skps/{}/actions", skp["id"].as_str().unwrap()),
                &token
            )
            .await
            .json()["actions"],
            serde_json::json!(["record_realization", "revise"])
        );
        // Q1–Q3 realisasi with evidence, and the year so far derived from them.
        let first = &skp["rhk"][0]["indicators"][0];
        assert_eq!(
            first["realizations"].as_array().unwrap().len(),
            3,
            "{first}"
        );
        assert!(
            first["realizations"][0]["evidence"][0]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        let year = first["capaian"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["period"] == "q4")
            .expect("the year so far");
        // A sum of three quarters against the annual target: the year is three quarters done.
        let d = &year["derivation"];
        assert!(
            d["quarters"][3].is_null() && d["quarters"][2].is_number(),
            "{year}"
        );
        let expected = d["realisasi"].as_f64().unwrap() / d["target"].as_f64().unwrap() * 100.0;
        assert!(
            (year["capaian"].as_f64().unwrap() - expected).abs() < 1e-6,
            "{year}"
        );
        // Feedback threads through the year: the penilai's notes, most answered by the pegawai.
        let threads = app
            .get_as(
                &format!("/api/v1/skps/{}/feedback", skp["id"].as_str().unwrap()),
                &token,
            )
            .await
            .json();
        let threads = threads.as_array().unwrap();
        assert_eq!(threads.len(), 3, "one note per quarter: {threads:?}");
        assert!(threads.iter().all(|t| t["author_role"] == "penilai"));
        assert!(
            threads
                .iter()
                .any(|t| t["replies"][0]["author_role"] == "pegawai" && t["read_at"].is_string()),
            "{threads:?}"
        );
        // Q1 and Q2 are assessed and finalised.
        let skp_id = skp["id"].as_str().unwrap().to_owned();
        for period in ["q1", "q2"] {
            let e = app
                .get_as(
                    &format!("/api/v1/skps/{skp_id}/evaluations/{period}"),
                    &token,
                )
                .await;
            e.assert_status(200);
            let e = e.json();
            assert_eq!(e["status"], "finalized", "{e}");
            assert!(e["predikat"].is_string() && e["work_rating"]["rating"].is_string());
        }
        let q3 = app
            .get_as(&format!("/api/v1/skps/{skp_id}/evaluations/q3"), &token)
            .await
            .json();
        assert_eq!(q3["status"], "open");
        // Across the staff a spread of predikat; two objections, one decided, one waiting.
        let objections = app.get_as("/api/v1/objections", &admin).await.json();
        let statuses: Vec<&str> = objections["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses.len(), 2, "{objections}");
        assert!(statuses.contains(&"accepted") && statuses.contains(&"explained"));
        let all = app.get_as("/api/v1/skps?per_page=500", &admin).await.json();
        let mut predikat = std::collections::BTreeSet::new();
        for s in all["items"].as_array().unwrap() {
            let e = app
                .get_as(
                    &format!("/api/v1/skps/{}/evaluations", s["id"].as_str().unwrap()),
                    &admin,
                )
                .await
                .json();
            for x in e.as_array().unwrap() {
                if let Some(p) = x["predikat"].as_str() {
                    predikat.insert(p.to_owned());
                }
            }
        }
        assert!(predikat.len() >= 3, "a spread of predikat: {predikat:?}");

        // The survey of Disdukcapil's counters: several hundred responses a quarter, results
        // pooled over the counters, and the closed quarters' feedback to each counter.
        let units = app
            .get_as("/api/v1/units?per_page=500", &admin)
            .await
            .json();
        let unit_id = |code: &str| {
            units["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["code"] == code)
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let pooled = app
            .get_as(
                &format!(
                    "/api/v1/skm/results?unit_id={}&from=2026-01-01&to=2026-03-31",
                    unit_id("DISDUKCAPIL")
                ),
                &admin,
            )
            .await
            .json();
        assert_eq!(
            pooled["pooled_over"].as_array().unwrap().len(),
            3,
            "{pooled}"
        );
        assert!(pooled["respondents"].as_u64().unwrap() >= 850, "{pooled}");
        assert_eq!(pooled["mutu"], "B", "{pooled}");
        let feedback = app
            .get_as(
                &format!("/api/v1/units/{}/feedback", unit_id("DISDUKCAPIL.KTP")),
                &admin,
            )
            .await
            .json();
        assert!(
            feedback
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["unsur"] == "u3"),
            "waiting time at the KTP counter: {feedback}"
        );
        // The OPDs have their Q1 and Q2 predikat; Disdukcapil's Q2 curve is breached.
        let cycle_id = skp["cycle_id"].as_str().unwrap();
        let q2 = app
            .get_as(
                &format!("/api/v1/cycles/{cycle_id}/calibration?period=q2"),
                &admin,
            )
            .await
            .json();
        let dukcapil = q2
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["unit_code"] == "DISDUKCAPIL")
            .expect("Disdukcapil's calibration")
            .clone();
        assert_eq!(dukcapil["rule"], "istimewa", "{dukcapil}");
        assert!(
            !dukcapil["breaches"].as_array().unwrap().is_empty(),
            "{dukcapil}"
        );
        assert!(q2.as_array().unwrap().iter().all(|c| c["rule"].is_string()));
        let public = app
            .get("/api/v1/public/ikm?unit_code=DISDUKCAPIL&year=2026")
            .await;
        public.assert_status(200);

        // The Perjanjian Kinerja of the staff member's OPD has its realisasi too.
        let cycle = skp["cycle_id"].as_str().unwrap();
        let opds = app
            .get_as("/api/v1/units?is_opd=true&per_page=500", &admin)
            .await
            .json();
        let with_realisasi = indicators_with_realisasi(app, &admin, cycle, &opds).await;
        assert!(
            with_realisasi > 0,
            "no Perjanjian Kinerja realisasi in the demo"
        );
        let mut line = Vec::new();
        loop {
            assert_eq!(skp["status"], "approved");
            line.push(skp["snapshot"]["position"].as_str().unwrap().to_owned());
            let rhk = skp["rhk"].as_array().unwrap().clone();
            if skp["evaluator_id"].is_null() {
                assert!(
                    rhk.iter().all(|r| r["unit_indicator_id"].is_string()),
                    "{skp}"
                );
                break;
            }
            // Some utama RHK intervenes the penilai's (a JPT's may intervene the PK instead).
            let parent = rhk
                .iter()
                .find_map(|r| r["parent_rhk_id"].as_str())
                .expect("an RHK cascaded from the penilai's")
                .to_owned();
            let theirs = app
                .get_as(
                    &format!(
                        "/api/v1/skps?employee_id={}",
                        skp["evaluator_id"].as_str().unwrap()
                    ),
                    &admin,
                )
                .await
                .json();
            skp = app
                .get_as(
                    &format!(
                        "/api/v1/skps/{}",
                        theirs["items"][0]["id"].as_str().unwrap()
                    ),
                    &admin,
                )
                .await
                .json();
            assert!(
                skp["rhk"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["id"] == parent),
                "the parent RHK is the penilai's: {skp}"
            );
        }
        assert_eq!(line.len(), 5, "{line:?}");
        assert_eq!(line[3], "Kepala Dinas Kependudukan dan Pencatatan Sipil");
        assert_eq!(line[4], "Sekretaris Daerah");

        let operator = login("operator.disdukcapil", "demo-operator-2026").await;
        let seen = app
            .get_as("/api/v1/employees?per_page=1", &operator)
            .await
            .json();
        let all = app
            .get_as(
                "/api/v1/employees?per_page=1",
                &login("admin", "demo-admin-2026").await,
            )
            .await
            .json();
        assert!(seen["total"].as_u64().unwrap() > 20);
        assert!(
            seen["total"].as_u64().unwrap() < 200,
            "the operator sees Disdukcapil only: {seen}"
        );
        assert_eq!(all["total"], 1500);

        // A running cycle with Disdukcapil's Perjanjian Kinerja.
        let cycles = app
            .get_as("/api/v1/cycles?status=running", &operator)
            .await
            .json();
        assert_eq!(cycles["items"][0]["year"], 2026);
        let cycle = cycles["items"][0]["id"].as_str().unwrap().to_owned();
        let disdukcapil = app
            .get_as("/api/v1/units?q=DISDUKCAPIL&is_opd=true", &operator)
            .await
            .json()["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let indicators = app
            .get_as(
                &format!("/api/v1/cycles/{cycle}/units/{disdukcapil}/indicators"),
                &operator,
            )
            .await
            .json();
        let descriptions: Vec<&str> = indicators
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["description"].as_str().unwrap())
            .collect();
        assert!(
            descriptions.contains(&"Persentase KTP-el terbit ≤ 1 hari kerja"),
            "{descriptions:?}"
        );
        let akta = indicators
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["direction"] == "lower_is_better")
            .unwrap();
        assert_eq!(akta["period_targets"]["q2"], 2.5);

        // The README's scripted import, into the demo city.
        let admin = login("admin", "demo-admin-2026").await;
        let units = app
            .import(
                &admin,
                "/api/v1/imports/units",
                "text/csv",
                include_str!("../../examples/units.csv"),
            )
            .await;
        units.assert_status(200);
        let employees = app
            .import(
                &admin,
                "/api/v1/imports/employees",
                "text/csv",
                include_str!("../../examples/employees.csv"),
            )
            .await;
        employees.assert_status(200);
        assert_eq!(employees.json()["created"], 8);

        // The README's SKP and realisasi imports: drafts for Dinas Kesehatan's head and
        // Disdukcapil's Bidang 2 (cascading inside the file), and Q3 realisasi of Bidang 1.
        for (path, file, expected) in [
            (
                "/api/v1/imports/skps",
                include_str!("../../examples/skps.csv"),
                (15, 0),
            ),
            (
                "/api/v1/imports/realizations",
                include_str!("../../examples/realizations.csv"),
                (0, 9),
            ),
        ] {
            let dry = app
                .import(&admin, &format!("{path}?dry_run=true"), "text/csv", file)
                .await;
            dry.assert_status(200);
            let imported = app.import(&admin, path, "text/csv", file).await;
            imported.assert_status(200);
            let body = imported.json();
            assert_eq!(
                (
                    body["created"].as_u64().unwrap(),
                    body["updated"].as_u64().unwrap()
                ),
                expected,
                "{path}: {body}"
            );
            let again = app.import(&admin, path, "text/csv", file).await.json();
            assert_eq!(
                again["unchanged"],
                body["created"].as_u64().unwrap() + body["updated"].as_u64().unwrap(),
                "{path}: {again}"
            );
        }

        // Competency development: a catalogue of about 20 programmes, IT training for
        // Disdukcapil among them; a year in which some are short of 20 JP.
        let trainings = app
            .get_as("/api/v1/trainings?per_page=100", &admin)
            .await
            .json();
        assert!(
            trainings["total"].as_u64().unwrap() >= 20,
            "{}",
            trainings["total"]
        );
        let it = app
            .get_as(
                "/api/v1/trainings?competency=teknologi_informasi&q=siak",
                &admin,
            )
            .await
            .json();
        assert_eq!(it["total"], 1);
        assert!(it["items"][0]["seats_taken"].as_u64().unwrap() > 20);
        let report = app
            .get_as("/api/v1/reports/training-compliance?year=2026", &admin)
            .await
            .json();
        let totals = &report["totals"];
        let (met, short) = (
            totals["met"].as_u64().unwrap(),
            totals["short"].as_u64().unwrap(),
        );
        assert!(met > 300 && short > 300, "{totals}");
        let pending = app
            .get_as("/api/v1/training-records?status=pending", &admin)
            .await
            .json();
        assert!(pending["total"].as_u64().unwrap() > 0, "{pending}");
        // The README's training-record import.
        let file = include_str!("../../examples/training-records.csv");
        let path = "/api/v1/imports/training-records";
        let imported = app.import(&admin, path, "text/csv", file).await;
        imported.assert_status(200);
        assert_eq!(imported.json()["created"], 3, "{}", imported.json());
        assert_eq!(
            app.import(&admin, path, "text/csv", file).await.json()["unchanged"],
            3
        );
    })
    .await;
}

/// How many Perjanjian Kinerja indicators of these OPDs have Q1–Q3 realisasi with capaian.
async fn indicators_with_realisasi(
    app: &TestApp,
    token: &str,
    cycle: &str,
    opds: &serde_json::Value,
) -> usize {
    let mut n = 0;
    for unit in opds["items"].as_array().unwrap() {
        let list = app
            .get_as(
                &format!(
                    "/api/v1/cycles/{cycle}/units/{}/indicators",
                    unit["id"].as_str().unwrap()
                ),
                token,
            )
            .await
            .json();
        n += list
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                i["realizations"].as_array().unwrap().len() == 3
                    && i["capaian"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|c| c["period"] == "q4")
            })
            .count();
    }
    n
}
