//! The citizen satisfaction survey in public: the questionnaire, submissions from web forms and
//! kiosks (strict validation, a per-client rate limit kept in the database, single-use tokens),
//! and paper questionnaires imported in bulk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use kinerja_persistence::repos::skm::{self, PeriodRecord, ResponseFilter, ServiceRecord};
use kinerja_tests::{TestApp, TestResponse, on_each_db, on_each_db_with, start_instant};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

const KTP: &str = "DISDUKCAPIL.KTP";
const AKTA: &str = "DISDUKCAPIL.AKTA";

/// Disdukcapil with two service units (KTP-el: two active services and a retired one; akta: one
/// service), a bidang that serves nobody, and a closed-down service unit.
struct Survey {
    admin: String,
    opd: Uuid,
    ktp: Uuid,
    akta: Uuid,
}

async fn unit(
    app: &TestApp,
    token: &str,
    code: &str,
    kind: &str,
    parent: Option<Uuid>,
    service: bool,
    active: bool,
) -> Uuid {
    let created = app
        .post_as(
            "/api/v1/units",
            token,
            &json!({"code": code, "name": format!("Unit {code}"), "kind": kind, "parent_id": parent,
                    "is_opd": parent.is_none(), "is_service_unit": service, "active": active}),
        )
        .await;
    created.assert_status(201);
    created.json()["id"].as_str().unwrap().parse().unwrap()
}

async fn service(app: &TestApp, unit_id: Uuid, code: &str, name: &str, active: bool) {
    let now = app.clock_now();
    skm::insert_service(
        &app.db,
        &ServiceRecord {
            id: Uuid::now_v7(),
            unit_id,
            code: code.to_owned(),
            name: name.to_owned(),
            active,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap();
}

async fn period(app: &TestApp, unit_id: Uuid, start: &str, end: &str, closed: bool) {
    let now = app.clock_now();
    skm::insert_period(
        &app.db,
        &PeriodRecord {
            id: Uuid::now_v7(),
            unit_id,
            name: format!("{start} s.d. {end}"),
            start_date: start.parse().unwrap(),
            end_date: end.parse().unwrap(),
            population: None,
            weights: None,
            closed,
            closed_at: closed.then_some(now),
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap();
}

async fn survey(app: &TestApp) -> Survey {
    let (_, admin) = app.session_as("admin", &["admin"]).await;
    let a = &admin.access_token;
    let opd = unit(app, a, "DISDUKCAPIL", "dinas", None, false, true).await;
    let ktp = unit(app, a, KTP, "upt", Some(opd), true, true).await;
    let akta = unit(app, a, AKTA, "upt", Some(opd), true, true).await;
    unit(app, a, "DISDUKCAPIL.PIAK", "bidang", Some(opd), false, true).await;
    unit(app, a, "DISDUKCAPIL.LAMA", "upt", Some(opd), true, false).await;
    service(app, ktp, "KTP-BARU", "Perekaman KTP-el baru", true).await;
    service(app, ktp, "KTP-HILANG", "Penggantian KTP-el hilang", true).await;
    service(app, ktp, "KTP-LAMA", "Cetak ulang blangko lama", false).await;
    service(app, akta, "AKTA-LAHIR", "Akta kelahiran", true).await;
    Survey {
        admin: a.clone(),
        opd,
        ktp,
        akta,
    }
}

fn answers() -> Value {
    json!({"u1": 4, "u2": 3, "u3": 2, "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u8": 1, "u9": 3})
}

fn valid() -> Value {
    json!({
        "service": "KTP-BARU",
        "answers": answers(),
        "gender": "p", "age": "u26_35", "education": "sma", "occupation": "wirausaha",
        "comment": "  Antrean cepat, tetapi ruang tunggu panas.  ",
    })
}

fn responses(code: &str) -> String {
    format!("/api/v1/public/surveys/{code}/responses")
}

async fn submit(app: &TestApp, code: &str, body: &Value) -> TestResponse {
    app.post_json(&responses(code), body).await
}

/// A submission from `client` through the (trusted) proxy at 127.0.0.1.
async fn submit_from(app: &TestApp, code: &str, client: &str, body: &Value) -> TestResponse {
    app.send(
        app.request(Method::POST, &responses(code))
            .header("X-Forwarded-For", client)
            .json(body),
    )
    .await
}

async fn tally(app: &TestApp, unit_id: Uuid) -> kinerja_domain::skm::Tally {
    skm::tally(
        &app.db,
        &ResponseFilter {
            unit_ids: vec![unit_id],
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn rows(app: &TestApp, sql: &str) -> Vec<sea_orm::QueryResult> {
    let conn = app.db.connection();
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    rows(app, &format!("SELECT COUNT(*) AS n FROM {table}")).await[0]
        .try_get::<i64>("", "n")
        .unwrap()
}

/// The one field error of a 422, as (field, code).
fn field_errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The questionnaire

#[tokio::test]
async fn the_questionnaire_has_the_unsur_the_active_services_and_the_profile_lists() {
    on_each_db(async |app: &TestApp| {
        survey(app).await;
        let q = app.get(&format!("/api/v1/public/surveys/{KTP}")).await;
        q.assert_status(200);
        let q = q.json();
        assert_eq!(
            q["unit"],
            json!({"code": KTP, "name": "Unit DISDUKCAPIL.KTP"})
        );
        let unsur = q["unsur"].as_array().unwrap();
        assert_eq!(unsur.len(), 9);
        assert_eq!(unsur[0]["code"], "u1");
        assert_eq!(unsur[0]["name"], "Persyaratan");
        assert_eq!(
            unsur[3]["answers"],
            json!([{"value": 1, "label": "Sangat mahal"}, {"value": 2, "label": "Cukup mahal"},
                   {"value": 3, "label": "Murah"}, {"value": 4, "label": "Gratis"}])
        );
        assert_eq!(
            unsur[7]["answers"][1]["label"],
            "Ada tetapi tidak berfungsi"
        );
        assert_eq!(unsur[8]["code"], "u9");
        // Only active services.
        assert_eq!(
            q["services"],
            json!([{"code": "KTP-BARU", "name": "Perekaman KTP-el baru"},
                   {"code": "KTP-HILANG", "name": "Penggantian KTP-el hilang"}])
        );
        let fields: Vec<&str> = q["profile"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["gender", "age", "education", "occupation"]);
        assert_eq!(
            q["profile"][0]["options"],
            json!([{"code": "l", "label": "Laki-laki"}, {"code": "p", "label": "Perempuan"}])
        );
        assert_eq!(q["profile"][1]["options"].as_array().unwrap().len(), 5);
        assert_eq!(q["profile"][2]["options"].as_array().unwrap().len(), 7);
        assert_eq!(q["profile"][3]["options"][5]["code"], "lainnya");
        assert!(
            q["profile"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["required"] == false)
        );
        assert_eq!(q["comment"], json!({"required": false, "max_length": 1000}));
        assert_eq!(q["accepting_responses"], true);
        assert_eq!(q["submission_token"]["required"], false);
        assert_eq!(q["submission_token"]["available"], true);
        assert_eq!(
            q["submission_token"]["endpoint"],
            format!("/api/v1/public/surveys/{KTP}/token")
        );
        assert_eq!(q["responses_endpoint"], responses(KTP));

        // Unknown, not a service unit, inactive, malformed or a path trick: 404 alike.
        for code in [
            "NOPE",
            "DISDUKCAPIL",
            "DISDUKCAPIL.PIAK",
            "DISDUKCAPIL.LAMA",
            "..",
            "..%2F..%2Fetc%2Fpasswd",
            "%2e%2e%2f%2e%2e%2fetc",
            "KTP%00",
            "DISDUKCAPIL.KTP%20OR%201=1",
            &"X".repeat(40),
        ] {
            let response = app.get(&format!("/api/v1/public/surveys/{code}")).await;
            assert_eq!(response.status, 404, "{code}: {}", response.text());
            assert_eq!(
                submit(app, code, &valid()).await.status,
                404,
                "{code}: submissions too"
            );
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Submissions

#[tokio::test]
async fn a_valid_submission_is_stored_as_answered_with_nothing_that_identifies_the_respondent() {
    on_each_db(async |app: &TestApp| {
        let s = survey(app).await;
        // 17:30 UTC on 2 March is 00:30 WIB on 3 March: the response's date.
        app.clock
            .set(Utc.with_ymd_and_hms(2026, 3, 2, 17, 30, 0).unwrap());
        let created = submit(app, KTP, &valid()).await;
        created.assert_status(201);
        let receipt = created.json();
        assert_eq!(
            receipt,
            json!({"received": true, "unit_code": KTP, "service": "KTP-BARU", "responded_on": "2026-03-03",
                   "channel": "web", "channel_label": "Formulir web",
                   "message": "Terima kasih. Penilaian Anda sudah kami terima."})
        );
        for echoed in ["wirausaha", "u26_35", "Antrean"] {
            assert!(!created.text().contains(echoed), "{echoed} echoed");
        }

        let t = tally(app, s.ktp).await;
        assert_eq!(t.respondents, 1);
        assert_eq!(t.sums, [4, 3, 2, 4, 3, 4, 4, 1, 3]);

        let stored = rows(app, "SELECT * FROM survey_responses").await;
        assert_eq!(stored.len(), 1);
        let r = &stored[0];
        let mut columns = r.column_names();
        columns.sort();
        assert_eq!(
            columns,
            [
                "age", "channel", "comment", "created_at", "education", "gender", "id",
                "occupation", "responded_on", "service_id", "u1", "u2", "u3", "u4", "u5",
                "u6", "u7", "u8", "u9", "unit_id"
            ],
            "nothing beyond the answers and the profile"
        );
        assert_eq!(r.try_get::<String>("", "channel").unwrap(), "web");
        assert_eq!(r.try_get::<String>("", "gender").unwrap(), "p");
        assert_eq!(
            r.try_get::<String>("", "comment").unwrap(),
            "Antrean cepat, tetapi ruang tunggu panas.",
            "trimmed"
        );
        assert_eq!(
            r.try_get::<NaiveDate>("", "responded_on").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
        );
        // The counter is keyed by a hash: no address anywhere.
        let counters = rows(app, "SELECT client_key, count FROM survey_rate").await;
        assert_eq!(counters.len(), 1);
        let key: String = counters[0].try_get("", "client_key").unwrap();
        assert_eq!(key.len(), 64);
        assert!(!key.contains("127.0.0.1"));

        // The profile is optional; an empty comment is none.
        let minimal = json!({"service": "KTP-HILANG", "answers": answers(), "comment": "   "});
        submit(app, KTP, &minimal).await.assert_status(201);
        let nulls = rows(
            app,
            "SELECT gender, age, education, occupation, comment FROM survey_responses WHERE comment IS NULL",
        )
        .await;
        assert_eq!(nulls.len(), 1);
        assert_eq!(nulls[0].try_get::<Option<String>>("", "gender").unwrap(), None);
        assert_eq!(tally(app, s.ktp).await.respondents, 2);
        assert_eq!(tally(app, s.akta).await.respondents, 0);
        // Exactly 1,000 characters (of two bytes each) is the limit, inclusive.
        let long = json!({"service": "KTP-BARU", "answers": answers(), "comment": "é".repeat(1000)});
        submit(app, KTP, &long).await.assert_status(201);
        assert_eq!(count(app, "audit_events WHERE action LIKE 'survey%'").await, 0);
    })
    .await;
}

/// Every way a submission can be wrong, one at a time, each named in `errors`.
#[tokio::test]
async fn every_bad_submission_is_refused_with_its_field_error() {
    // Every attempt counts towards the rate limit; this test makes far more than 30.
    on_each_db_with(
        |c| c.survey_rate_per_minute = 10_000,
        async |app: &TestApp| {
            let s = survey(app).await;
            let mut cases: Vec<(String, Value, &str)> = Vec::new();
            for u in 1..=9 {
                let key = format!("u{u}");
                let field = format!("answers.u{u}");
                let mut missing = valid();
                missing["answers"].as_object_mut().unwrap().remove(&key);
                cases.push((field.clone(), missing, "required"));
                for (value, code) in [
                    (json!(null), "required"),
                    (json!(0), "out_of_range"),
                    (json!(5), "out_of_range"),
                    (json!(-3), "out_of_range"),
                    (json!(2.5), "invalid_type"),
                    (json!("4"), "invalid_type"),
                    (json!(true), "invalid_type"),
                    (json!([4]), "invalid_type"),
                ] {
                    let mut body = valid();
                    body["answers"][&key] = value;
                    cases.push((field.clone(), body, code));
                }
            }
            let with = |field: &str, value: Value| {
                let mut body = valid();
                body[field] = value;
                body
            };
            let without = |field: &str| {
                let mut body = valid();
                body.as_object_mut().unwrap().remove(field);
                body
            };
            cases.push(("answers".into(), without("answers"), "required"));
            cases.push(("answers".into(), with("answers", json!(null)), "required"));
            cases.push(("service".into(), without("service"), "required"));
            cases.push((
                "service".into(),
                with("service", json!("KTP-PALSU")),
                "unknown_service",
            ));
            cases.push((
                "service".into(),
                with("service", json!("")),
                "unknown_service",
            ));
            // Another unit's service, and a retired one.
            cases.push((
                "service".into(),
                with("service", json!("AKTA-LAHIR")),
                "unknown_service",
            ));
            cases.push((
                "service".into(),
                with("service", json!("KTP-LAMA")),
                "service_inactive",
            ));
            for (field, bad) in [
                ("gender", "x"),
                ("gender", "L"),
                ("gender", ""),
                ("age", "u17"),
                ("age", "26-35"),
                ("education", "sarjana"),
                ("occupation", "petani"),
            ] {
                cases.push((field.into(), with(field, json!(bad)), "invalid"));
            }
            for field in [
                "gender",
                "age",
                "education",
                "occupation",
                "comment",
                "service",
            ] {
                cases.push((field.into(), with(field, json!(7)), "invalid_type"));
            }
            cases.push((
                "comment".into(),
                with("comment", json!("a".repeat(1001))),
                "length",
            ));
            cases.push((
                "comment".into(),
                with("comment", json!(format!(" {} ", "é".repeat(1001)))),
                "length",
            ));
            cases.push((
                "submission_token".into(),
                with("submission_token", json!("bukan-token")),
                "token_unknown",
            ));

            for (field, body, code) in &cases {
                let response = submit(app, KTP, body).await;
                let problem = response.assert_problem(422, "validation_failed");
                assert_eq!(
                    field_errors(&problem),
                    [(field.clone(), (*code).to_owned())],
                    "{field} {code}: {body}"
                );
            }

            // Several at once: each one named.
            let mut body = valid();
            body["answers"] =
                json!({"u1": 0, "u2": 3, "u3": "x", "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u9": 5});
            body["service"] = json!("NOPE");
            body["gender"] = json!("z");
            body["comment"] = json!("b".repeat(1001));
            let problem = submit(app, KTP, &body)
                .await
                .assert_problem(422, "validation_failed");
            let fields: Vec<String> = field_errors(&problem).into_iter().map(|(f, _)| f).collect();
            assert_eq!(
                fields,
                [
                    "answers.u1",
                    "answers.u3",
                    "answers.u8",
                    "answers.u9",
                    "comment",
                    "gender",
                    "service"
                ]
            );
            // Messages in Bahasa Indonesia on request.
            let id = app
                .send(
                    app.request(Method::POST, &responses(KTP))
                        .header("Accept-Language", "id")
                        .json(&with("gender", json!("x"))),
                )
                .await
                .json();
            assert_eq!(id["errors"][0]["message"], "harus salah satu dari l, p");

            // Unknown fields: 400, at the top and inside the answers.
            for (body, field) in [
                (with("email", json!("warga@example.com")), "email"),
                (with("ip", json!("1.2.3.4")), "ip"),
                (
                    {
                        let mut b = valid();
                        b["answers"]["u10"] = json!(4);
                        b
                    },
                    "answers.u10",
                ),
            ] {
                let problem = submit(app, KTP, &body)
                    .await
                    .assert_problem(400, "unknown_field");
                assert_eq!(problem["errors"][0]["field"], field);
            }
            // Oversized: 413 naming the limit (16 KiB), with and without a declared length.
            let mut big = valid();
            big["comment"] = json!("a".repeat(20_000));
            let problem = submit(app, KTP, &big)
                .await
                .assert_problem(413, "payload_too_large");
            assert_eq!(problem["limit_bytes"], 16 * 1024);
            let stream =
                reqwest::Body::wrap_stream(futures_util::stream::iter(vec![
                    Ok::<_, std::io::Error>(big.to_string().into_bytes()),
                ]));
            app.send(
                app.request(Method::POST, &responses(KTP))
                    .header("Content-Type", "application/json")
                    .body(stream),
            )
            .await
            .assert_problem(413, "payload_too_large");
            // Not JSON.
            app.send(
                app.request(Method::POST, &responses(KTP))
                    .header("Content-Type", "text/plain")
                    .body(valid().to_string()),
            )
            .await
            .assert_problem(415, "unsupported_media_type");
            app.send(
                app.request(Method::POST, &responses(KTP))
                    .header("Content-Type", "application/json")
                    .body("{\"service\": "),
            )
            .await
            .assert_problem(400, "malformed_json");
            app.send(
                app.request(Method::POST, &responses(KTP))
                    .header("Content-Type", "application/json")
                    .body("[4,3,2]"),
            )
            .await
            .assert_problem(422, "validation_failed");

            assert_eq!(tally(app, s.ktp).await.respondents, 0, "nothing was stored");
            submit(app, KTP, &valid()).await.assert_status(201);
        },
    )
    .await;
}

#[tokio::test]
async fn a_closed_survey_period_takes_no_more_responses() {
    on_each_db(async |app: &TestApp| {
        let s = survey(app).await;
        // Today (2 March, WIB) in an open period of KTP; January closed.
        period(app, s.ktp, "2026-01-01", "2026-01-31", true).await;
        period(app, s.ktp, "2026-02-01", "2026-03-31", false).await;
        submit(app, KTP, &valid()).await.assert_status(201);
        // Akta's period of today is closed.
        period(app, s.akta, "2026-03-01", "2026-03-31", true).await;
        let mut body = valid();
        body["service"] = json!("AKTA-LAHIR");
        submit(app, AKTA, &body)
            .await
            .assert_problem(409, "survey_period_closed");
        let q = app
            .get(&format!("/api/v1/public/surveys/{AKTA}"))
            .await
            .json();
        assert_eq!(q["accepting_responses"], false);
        // A day in no period is fine: responses are counted by date.
        app.clock
            .set(Utc.with_ymd_and_hms(2026, 4, 1, 2, 0, 0).unwrap());
        submit(app, AKTA, &body).await.assert_status(201);
        assert_eq!(
            app.get(&format!("/api/v1/public/surveys/{AKTA}"))
                .await
                .json()["accepting_responses"],
            true
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Abuse resistance

#[tokio::test]
async fn the_31st_submission_in_a_minute_from_one_address_is_refused_until_the_next_minute() {
    on_each_db(async |app: &TestApp| {
        let s = survey(app).await;
        let start = start_instant(); // 02:00:00 UTC, a window's start
        app.clock.set(start + Duration::seconds(5));
        // An invalid attempt counts too.
        let mut bad = valid();
        bad["gender"] = json!("x");
        submit(app, KTP, &bad).await.assert_status(422);
        for i in 1..30 {
            app.clock.set(start + Duration::seconds(5 + i));
            submit(app, KTP, &valid()).await.assert_status(201);
        }
        app.clock.set(start + Duration::milliseconds(45_500));
        let refused = submit(app, KTP, &valid()).await;
        let problem = refused.assert_problem(429, "rate_limited");
        assert_eq!(refused.header("retry-after"), Some("15"), "{problem}");
        assert_eq!(tally(app, s.ktp).await.respondents, 29);
        // The token route has its own counter; another unit is fine.
        let mut akta = valid();
        akta["service"] = json!("AKTA-LAHIR");
        submit(app, AKTA, &akta).await.assert_status(201);
        app.post_json(&format!("/api/v1/public/surveys/{KTP}/token"), &json!({}))
            .await
            .assert_status(201);
        // The last second of the window, then the next minute.
        app.clock.set(start + Duration::milliseconds(59_999));
        let last = submit(app, KTP, &valid()).await;
        last.assert_problem(429, "rate_limited");
        assert_eq!(last.header("retry-after"), Some("1"));
        app.clock.set(start + Duration::seconds(60));
        submit(app, KTP, &valid()).await.assert_status(201);
        assert_eq!(tally(app, s.ktp).await.respondents, 30);

        // The counter is one upsert: forty hits at once each see their own count.
        let window = start + Duration::minutes(3);
        let mut seen: Vec<u32> = futures_util::future::join_all(
            (0..40).map(|_| kinerja_persistence::repos::survey_guard::hit(&app.db, "race", window)),
        )
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
        seen.sort_unstable();
        assert_eq!(seen, (1..=40).collect::<Vec<u32>>());

        // The housekeeping task purges past windows.
        let before = count(app, "survey_rate").await;
        assert!(before >= 3, "{before}");
        app.clock.set(start + Duration::minutes(10));
        kinerja_api::services::housekeeping::run_once(&app.db, app.clock_now())
            .await
            .unwrap();
        assert_eq!(count(app, "survey_rate").await, 0);
    })
    .await;
}

#[tokio::test]
async fn forwarded_for_counts_only_behind_a_trusted_proxy() {
    // Untrusted: X-Forwarded-For is the client's own say and is ignored.
    on_each_db(async |app: &TestApp| {
        survey(app).await;
        for i in 0..30 {
            submit_from(app, KTP, &format!("198.51.100.{i}"), &valid())
                .await
                .assert_status(201);
        }
        submit_from(app, KTP, "198.51.100.200", &valid())
            .await
            .assert_problem(429, "rate_limited");
    })
    .await;
    // Behind a trusted proxy each client has its own counter: the right-most untrusted entry.
    on_each_db_with(
        |c| {
            c.trusted_proxies = vec![
                "127.0.0.1/32".parse().unwrap(),
                "10.0.0.0/8".parse().unwrap(),
            ]
        },
        async |app: &TestApp| {
            let s = survey(app).await;
            for _ in 0..30 {
                submit_from(app, KTP, "203.0.113.7", &valid())
                    .await
                    .assert_status(201);
            }
            submit_from(app, KTP, "203.0.113.7", &valid())
                .await
                .assert_problem(429, "rate_limited");
            // A spoofed left-most entry changes nothing; an inner proxy hop is skipped.
            submit_from(app, KTP, "1.1.1.1, 203.0.113.7", &valid())
                .await
                .assert_problem(429, "rate_limited");
            submit_from(app, KTP, "203.0.113.7, 10.1.2.3", &valid())
                .await
                .assert_problem(429, "rate_limited");
            // Another client behind the same proxy is fine.
            submit_from(app, KTP, "203.0.113.8", &valid())
                .await
                .assert_status(201);
            submit_from(app, KTP, "6.6.6.6, 203.0.113.9, 10.1.2.3", &valid())
                .await
                .assert_status(201);
            // IPv6 clients count by their /64.
            for i in 0..30 {
                submit_from(app, KTP, &format!("2001:db8:7:1::{i:x}"), &valid())
                    .await
                    .assert_status(201);
            }
            submit_from(app, KTP, "2001:db8:7:1:abcd::1", &valid())
                .await
                .assert_problem(429, "rate_limited");
            submit_from(app, KTP, "2001:db8:7:2::1", &valid())
                .await
                .assert_status(201);
            assert_eq!(tally(app, s.ktp).await.respondents, 63);
        },
    )
    .await;
}

async fn kiosk(app: &TestApp, admin: &str, name: &str, scopes: &[&str]) -> String {
    app.service_token(admin, name, scopes).await
}

#[tokio::test]
async fn a_kiosk_is_counted_per_account_and_recorded_as_kiosk() {
    on_each_db_with(
        |c| {
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            c.survey_require_token = true;
        },
        async |app: &TestApp| {
            let s = survey(app).await;
            let lobby = kiosk(app, &s.admin, "Anjungan lobi", &["submit:surveys"]).await;
            let upstairs = kiosk(app, &s.admin, "Anjungan lantai 2", &["submit:surveys"]).await;
            let reader = kiosk(app, &s.admin, "Dasbor", &["read:org"]).await;
            let from_kiosk = |token: &str, client: &str| {
                app.request(Method::POST, &responses(KTP))
                    .bearer_auth(token)
                    .header("X-Forwarded-For", client)
                    .json(&valid())
            };
            // Signed-in kiosks need no submission token; whatever address they come from, one
            // account has one counter.
            for i in 0..30 {
                let created = app.send(from_kiosk(&lobby, &format!("192.0.2.{i}"))).await;
                created.assert_status(201);
                assert_eq!(created.json()["channel"], "kiosk");
            }
            app.send(from_kiosk(&lobby, "192.0.2.99"))
                .await
                .assert_problem(429, "rate_limited");
            app.send(from_kiosk(&upstairs, "192.0.2.1"))
                .await
                .assert_status(201);
            // An anonymous citizen at an address the kiosk used is not held back by it (but
            // needs a token here).
            let token = app
                .post_json(&format!("/api/v1/public/surveys/{KTP}/token"), &json!({}))
                .await
                .json()["submission_token"]
                .as_str()
                .unwrap()
                .to_owned();
            let mut body = valid();
            body["submission_token"] = json!(token);
            let web = submit_from(app, KTP, "192.0.2.1", &body).await;
            web.assert_status(201);
            assert_eq!(web.json()["channel"], "web");
            // A service account without the scope is an anonymous web client.
            let problem = app
                .send(from_kiosk(&reader, "192.0.2.1"))
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(
                field_errors(&problem),
                [("submission_token".into(), "required".into())]
            );
            // A bearer that is sent must be valid.
            app.send(from_kiosk("not.a.token", "192.0.2.1"))
                .await
                .assert_problem(401, "invalid_token");

            let channels = rows(
                app,
                "SELECT channel, COUNT(*) AS n FROM survey_responses GROUP BY channel ORDER BY channel",
            )
            .await;
            let channels: Vec<(String, i64)> = channels
                .iter()
                .map(|r| (r.try_get("", "channel").unwrap(), r.try_get("", "n").unwrap()))
                .collect();
            assert_eq!(channels, [("kiosk".to_owned(), 31), ("web".to_owned(), 1)]);
            assert_eq!(tally(app, s.ktp).await.respondents, 32);
        },
    )
    .await;
}

async fn fetch_token(app: &TestApp, code: &str) -> String {
    let response = app
        .request(
            Method::POST,
            &format!("/api/v1/public/surveys/{code}/token"),
        )
        .send()
        .await
        .unwrap();
    let response = TestResponse::from(response).await;
    response.assert_status(201);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = response.json();
    assert_eq!(body["expires_in"], 7200);
    body["submission_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn submission_tokens_work_once_for_their_unit_until_they_expire() {
    on_each_db_with(
        |c| c.survey_require_token = true,
        async |app: &TestApp| {
            let s = survey(app).await;
            let q = app
                .get(&format!("/api/v1/public/surveys/{KTP}"))
                .await
                .json();
            assert_eq!(q["submission_token"]["required"], true);
            let with_token = |token: &str| {
                let mut body = valid();
                body["submission_token"] = json!(token);
                body
            };
            let refused = |problem: Value, code: &str| {
                assert_eq!(
                    field_errors(&problem),
                    [("submission_token".to_owned(), code.to_owned())]
                );
            };

            // Required: none is refused.
            refused(
                submit(app, KTP, &valid())
                    .await
                    .assert_problem(422, "validation_failed"),
                "required",
            );
            let token = fetch_token(app, KTP).await;
            // Only its hash is stored.
            let stored: String = rows(app, "SELECT token_hash FROM survey_tokens").await[0]
                .try_get("", "token_hash")
                .unwrap();
            assert_ne!(stored, token);
            assert_eq!(stored.len(), 64);
            // Not for another unit.
            let mut akta = with_token(&token);
            akta["service"] = json!("AKTA-LAHIR");
            refused(
                submit(app, AKTA, &akta)
                    .await
                    .assert_problem(422, "validation_failed"),
                "token_unknown",
            );
            // A refused submission does not use it up.
            let mut bad = with_token(&token);
            bad["answers"]["u1"] = json!(9);
            submit(app, KTP, &bad).await.assert_status(422);
            submit(app, KTP, &with_token(&token))
                .await
                .assert_status(201);
            refused(
                submit(app, KTP, &with_token(&token))
                    .await
                    .assert_problem(422, "validation_failed"),
                "token_used",
            );
            refused(
                submit(app, KTP, &with_token("dibuat-sendiri"))
                    .await
                    .assert_problem(422, "validation_failed"),
                "token_unknown",
            );
            // Two hours later it has expired.
            let late = fetch_token(app, KTP).await;
            app.clock.advance(Duration::hours(2));
            refused(
                submit(app, KTP, &with_token(&late))
                    .await
                    .assert_problem(422, "validation_failed"),
                "token_expired",
            );
            // The response keeps no link to its token.
            let columns = rows(app, "SELECT * FROM survey_responses").await[0].column_names();
            assert!(!columns.iter().any(|c| c.contains("token")), "{columns:?}");

            // Ten submissions racing with one token: exactly one wins.
            let token = fetch_token(app, KTP).await;
            let body = with_token(&token);
            let results =
                futures_util::future::join_all((0..10).map(|_| submit(app, KTP, &body))).await;
            let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
            assert_eq!(
                statuses.iter().filter(|s| **s == 201).count(),
                1,
                "{statuses:?}"
            );
            assert_eq!(
                statuses.iter().filter(|s| **s == 422).count(),
                9,
                "{statuses:?}"
            );
            assert_eq!(tally(app, s.ktp).await.respondents, 2);

            // The use itself is one conditional update: a second use of a token, a use for
            // another unit or after expiry changes nothing (whatever checks came before it).
            use kinerja_persistence::repos::survey_guard::use_token;
            let hash = kinerja_api::auth::password::sha256_hex(&fetch_token(app, KTP).await);
            let now = app.clock_now();
            assert!(!use_token(&app.db, &hash, s.akta, now).await.unwrap());
            assert!(
                !use_token(&app.db, &hash, s.ktp, now + Duration::hours(2))
                    .await
                    .unwrap()
            );
            assert!(use_token(&app.db, &hash, s.ktp, now).await.unwrap());
            assert!(!use_token(&app.db, &hash, s.ktp, now).await.unwrap());

            // An Idempotency-Key never replays a token.
            let keyed = || {
                app.request(Method::POST, &format!("/api/v1/public/surveys/{KTP}/token"))
                    .header("Idempotency-Key", "form-1")
            };
            app.send(keyed()).await.assert_status(201);
            app.send(keyed())
                .await
                .assert_problem(409, "idempotency_not_replayable");

            // Expired tokens go a day after they expire.
            app.clock.advance(Duration::days(2));
            kinerja_api::services::housekeeping::run_once(&app.db, app.clock_now())
                .await
                .unwrap();
            assert_eq!(count(app, "survey_tokens").await, 0);
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Paper questionnaires

const HEADER: &str =
    "unit_code,service,date,u1,u2,u3,u4,u5,u6,u7,u8,u9,gender,age,education,occupation,comment\n";

fn paper_file() -> String {
    let mut file = HEADER.to_owned();
    file.push_str("DISDUKCAPIL.KTP,KTP-BARU,2026-02-27,4,3,3,4,3,4,4,2,3,l,u46_55,sma,wirausaha,Petugas ramah.\n");
    file.push_str("DISDUKCAPIL.KTP,KTP-LAMA,2026-02-26,3,3,2,4,3,3,4,3,3,,,,,\n");
    file.push_str("DISDUKCAPIL.AKTA,AKTA-LAHIR,2026-03-02,2,2,2,2,2,2,2,2,2,P,U17_25,D4_S1,PNS,\"Lama, tapi jelas\"\n");
    file
}

#[tokio::test]
async fn paper_questionnaires_import_once_all_or_nothing() {
    on_each_db(async |app: &TestApp| {
        let s = survey(app).await;
        let a = &s.admin;
        let path = "/api/v1/imports/survey-responses";

        // A dry run counts and writes nothing.
        let dry = app
            .import(a, &format!("{path}?dry_run=true"), "text/csv", paper_file())
            .await;
        dry.assert_status(200);
        assert_eq!(
            dry.json(),
            json!({"dry_run": true, "created": 3, "updated": 0, "unchanged": 0})
        );
        assert_eq!(count(app, "survey_responses").await, 0);
        assert_eq!(count(app, "survey_imports").await, 0);

        let done = app.import(a, path, "text/csv", paper_file()).await;
        done.assert_status(200);
        assert_eq!(
            done.json(),
            json!({"dry_run": false, "created": 3, "updated": 0, "unchanged": 0})
        );
        let t = tally(app, s.ktp).await;
        assert_eq!((t.respondents, t.sums[2]), (2, 5));
        assert_eq!(tally(app, s.akta).await.sums, [2; 9]);
        let stored = rows(
            app,
            "SELECT responded_on, channel, gender, comment FROM survey_responses ORDER BY responded_on",
        )
        .await;
        let dates: Vec<NaiveDate> = stored
            .iter()
            .map(|r| r.try_get("", "responded_on").unwrap())
            .collect();
        assert_eq!(
            dates,
            ["2026-02-26", "2026-02-27", "2026-03-02"].map(|d| d.parse::<NaiveDate>().unwrap())
        );
        assert!(stored
            .iter()
            .all(|r| r.try_get::<String>("", "channel").unwrap() == "paper"));
        assert_eq!(stored[2].try_get::<String>("", "gender").unwrap(), "p");
        assert_eq!(
            stored[2].try_get::<String>("", "comment").unwrap(),
            "Lama, tapi jelas"
        );
        // One audit event with the file's hash.
        let audit = app
            .get_as("/api/v1/audit-events?entity_type=import", a)
            .await
            .json();
        let events: Vec<&Value> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "import.survey_responses")
            .collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["entity_id"].as_str().unwrap().len(), 64);

        // The same file again: 409, also as a dry run; nothing counted twice.
        app.import(a, path, "text/csv", paper_file())
            .await
            .assert_problem(409, "import_already_applied");
        app.import(a, &format!("{path}?dry_run=true"), "text/csv", paper_file())
            .await
            .assert_problem(409, "import_already_applied");
        assert_eq!(count(app, "survey_responses").await, 3);

        // JSON works too; answers may be numbers.
        let json_rows = json!([{"unit_code": KTP, "service": "KTP-HILANG", "date": "2026-03-01",
            "u1": 4, "u2": "4", "u3": 4, "u4": 4, "u5": 4, "u6": 4, "u7": 4, "u8": 4, "u9": 4, "gender": null}]);
        let imported = app
            .import(a, path, "application/json", json_rows.to_string())
            .await;
        imported.assert_status(200);
        assert_eq!(imported.json()["created"], 1);
    })
    .await;
}

#[tokio::test]
async fn every_bad_paper_row_is_listed_and_nothing_is_written() {
    on_each_db(async |app: &TestApp| {
        let s = survey(app).await;
        period(app, s.ktp, "2026-01-01", "2026-01-31", true).await;
        let a = &s.admin;
        let mut file = HEADER.to_owned();
        for line in [
            // 2: fine
            "DISDUKCAPIL.KTP,KTP-BARU,2026-02-27,4,3,3,4,3,4,4,2,3,l,,,,",
            // 3: an answer of 5 and one missing
            "DISDUKCAPIL.KTP,KTP-BARU,2026-02-27,5,3,3,4,3,4,4,,3,,,,,",
            // 4: unknown unit
            "DISDUKCAPIL.XYZ,KTP-BARU,2026-02-27,4,3,3,4,3,4,4,2,3,,,,,",
            // 5: not a service unit
            "DISDUKCAPIL.PIAK,KTP-BARU,2026-02-27,4,3,3,4,3,4,4,2,3,,,,,",
            // 6: another unit's service
            "DISDUKCAPIL.KTP,AKTA-LAHIR,2026-02-27,4,3,3,4,3,4,4,2,3,,,,,",
            // 7: tomorrow (WIB)
            "DISDUKCAPIL.KTP,KTP-BARU,2026-03-03,4,3,3,4,3,4,4,2,3,,,,,",
            // 8: in the closed January period
            "DISDUKCAPIL.KTP,KTP-BARU,2026-01-15,4,3,3,4,3,4,4,2,3,,,,,",
            // 9: a date written the local way, a decimal answer, bad profile codes
            "DISDUKCAPIL.KTP,KTP-BARU,27/02/2026,4,3.5,3,4,3,4,4,2,3,x,u99,sarjana,petani,",
        ] {
            file.push_str(line);
            file.push('\n');
        }
        file.push_str(&format!(
            "DISDUKCAPIL.KTP,KTP-BARU,2026-02-27,4,3,3,4,3,4,4,2,3,,,,,{}\n",
            "k".repeat(1001)
        ));
        let problem = app
            .import(
                a,
                "/api/v1/imports/survey-responses",
                "text/csv",
                file.clone(),
            )
            .await
            .assert_problem(422, "import_invalid");
        let errors: Vec<(u64, String, String)> = problem["errors"]
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
            .collect();
        let expected: Vec<(u64, &str, &str)> = vec![
            (3, "u1", "out_of_range"),
            (3, "u8", "required"),
            (4, "unit_code", "unknown_unit"),
            (5, "unit_code", "not_a_service_unit"),
            (6, "service", "unknown_service"),
            (7, "date", "in_future"),
            (8, "date", "survey_period_closed"),
            (9, "age", "invalid"),
            (9, "date", "invalid_date"),
            (9, "education", "invalid"),
            (9, "gender", "invalid"),
            (9, "occupation", "invalid"),
            (9, "u2", "invalid_type"),
            (10, "comment", "length"),
        ];
        assert_eq!(
            errors,
            expected
                .iter()
                .map(|(r, f, c)| (*r, (*f).to_owned(), (*c).to_owned()))
                .collect::<Vec<_>>()
        );
        assert_eq!(problem["created"], 1, "the valid rows are counted");
        assert_eq!(count(app, "survey_responses").await, 0);
        assert_eq!(
            count(app, "survey_imports").await,
            0,
            "a refused file is not recorded"
        );
        // The same mistakes in a dry run: the same answer.
        app.import(
            a,
            "/api/v1/imports/survey-responses?dry_run=true",
            "text/csv",
            file,
        )
        .await
        .assert_problem(422, "import_invalid");
        // A missing column is named.
        let problem = app
            .import(
                a,
                "/api/v1/imports/survey-responses",
                "text/csv",
                "unit_code,service,date,u1\nDISDUKCAPIL.KTP,KTP-BARU,2026-02-27,4\n",
            )
            .await
            .assert_problem(422, "import_invalid");
        assert_eq!(problem["errors"][0]["code"], "missing_column");
    })
    .await;
}

#[tokio::test]
async fn who_may_import_paper_questionnaires() {
    on_each_db(async |app: &TestApp| {
        let s = survey(app).await;
        let path = "/api/v1/imports/survey-responses";
        let file = |n: u32| {
            format!("{HEADER}DISDUKCAPIL.KTP,KTP-BARU,2026-02-{n:02},4,3,3,4,3,4,4,2,3,,,,,\n")
        };
        // The unit admin of Disdukcapil imports for its service units.
        let operator = app
            .create_user_with("operator.dukcapil", &["unit_admin"], false, Some(s.opd))
            .await;
        let operator = app.login(&operator).await.access_token;
        app.import(&operator, path, "text/csv", file(10))
            .await
            .assert_status(200);
        // Another OPD's unit admin does not see Disdukcapil's units.
        let other = unit(app, &s.admin, "DINKES", "dinas", None, false, true).await;
        let stranger = app
            .create_user_with("operator.dinkes", &["unit_admin"], false, Some(other))
            .await;
        let stranger = app.login(&stranger).await.access_token;
        let problem = app
            .import(&stranger, path, "text/csv", file(11))
            .await
            .assert_problem(422, "import_invalid");
        assert_eq!(problem["errors"][0]["code"], "unknown_unit");
        // Employees and auditors may not; integrations need the scope.
        let (_, employee) = app.session_as("pegawai", &["employee"]).await;
        app.import(&employee.access_token, path, "text/csv", file(12))
            .await
            .assert_problem(403, "forbidden");
        let (_, auditor) = app.session_as("inspektorat", &["auditor"]).await;
        app.import(&auditor.access_token, path, "text/csv", file(12))
            .await
            .assert_problem(403, "forbidden");
        let kiosk_only = kiosk(app, &s.admin, "Anjungan", &["submit:surveys"]).await;
        app.import(&kiosk_only, path, "text/csv", file(12))
            .await
            .assert_problem(403, "forbidden");
        let scanner = kiosk(app, &s.admin, "Pemindai", &["import:survey-responses"]).await;
        app.import(&scanner, path, "text/csv", file(12))
            .await
            .assert_status(200);
        assert_eq!(tally(app, s.ktp).await.respondents, 2);
    })
    .await;
}
