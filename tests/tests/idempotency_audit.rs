//! Safe retries (Idempotency-Key), the audit trail, and the housekeeping that purges both kinds
//! of expiring rows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use kinerja_tests::{TestApp, on_each_db};
use reqwest::Method;
use serde_json::json;

fn new_user(name: &str) -> serde_json::Value {
    json!({"username": name, "password": "operator-sandi-2026", "roles": ["employee"]})
}

async fn post_with_key(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &serde_json::Value,
) -> kinerja_tests::TestResponse {
    app.send(
        app.authed(Method::POST, path, token)
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

async fn user_count(app: &TestApp, token: &str) -> u64 {
    app.get_as("/api/v1/users", token).await.json()["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_retried_post_replays_the_first_response() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let first = post_with_key(
            app,
            "/api/v1/users",
            &admin.access_token,
            "create-budi-1",
            &new_user("budi"),
        )
        .await;
        first.assert_status(201);
        assert_eq!(first.header("idempotency-replayed"), None);

        let again = post_with_key(
            app,
            "/api/v1/users",
            &admin.access_token,
            "create-budi-1",
            &new_user("budi"),
        )
        .await;
        again.assert_status(201);
        assert_eq!(again.header("idempotency-replayed"), Some("true"));
        assert_eq!(again.json(), first.json());
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(again.header("etag"), first.header("etag"));
        assert_eq!(user_count(app, &admin.access_token).await, 2);

        // Same key, another body: refused.
        post_with_key(
            app,
            "/api/v1/users",
            &admin.access_token,
            "create-budi-1",
            &new_user("siti"),
        )
        .await
        .assert_problem(422, "idempotency_key_reused");
        // Same key on another route is another key.
        let other_route = post_with_key(
            app,
            "/api/v1/service-accounts",
            &admin.access_token,
            "create-budi-1",
            &json!({"name": "SIMPEG", "scopes": ["read:org"]}),
        )
        .await;
        other_route.assert_status(201);
        // Keys belong to their caller: another admin's identical request is his own.
        let (_, admin2) = app.session_as("admin2", &["admin"]).await;
        post_with_key(
            app,
            "/api/v1/users",
            &admin2.access_token,
            "create-budi-1",
            &new_user("budi"),
        )
        .await
        .assert_problem(409, "username_taken");
        // A failure is kept and replayed like a success (the request was processed).
        let failed = post_with_key(
            app,
            "/api/v1/users",
            &admin.access_token,
            "bad-1",
            &new_user("x"),
        )
        .await;
        failed.assert_status(422);
        let replayed = post_with_key(
            app,
            "/api/v1/users",
            &admin.access_token,
            "bad-1",
            &new_user("x"),
        )
        .await;
        assert_eq!(replayed.status, 422);
        assert_eq!(replayed.header("idempotency-replayed"), Some("true"));
        assert_eq!(replayed.json()["code"], "validation_failed");

        let bad_key = post_with_key(
            app,
            "/api/v1/users",
            &admin.access_token,
            &"k".repeat(256),
            &new_user("z"),
        )
        .await;
        bad_key.assert_problem(400, "invalid_idempotency_key");
    })
    .await;
}

#[tokio::test]
async fn concurrent_duplicates_create_one_resource() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let body = new_user("budi");
        let attempts = (0..8)
            .map(|_| post_with_key(app, "/api/v1/users", &admin.access_token, "same-key", &body));
        let results = futures_util::future::join_all(attempts).await;
        let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 409),
            "{statuses:?}"
        );
        for conflict in results.iter().filter(|r| r.status == 409) {
            assert_eq!(conflict.json()["code"], "idempotency_in_flight");
        }
        let created: Vec<_> = results
            .iter()
            .filter(|r| r.status == 201)
            .map(|r| r.json()["id"].clone())
            .collect();
        assert!(!created.is_empty());
        assert!(created.iter().all(|id| *id == created[0]), "{created:?}");
        assert_eq!(user_count(app, &admin.access_token).await, 2);
    })
    .await;
}

#[tokio::test]
async fn responses_with_secrets_are_never_replayed() {
    on_each_db(async |app: &TestApp| {
        let budi = app.create_user("budi", &["employee"]).await;
        let body = json!({"grant_type": "password", "username": "budi", "password": budi.password});
        let first = app
            .send(
                app.request(Method::POST, "/api/v1/auth/token")
                    .header("Idempotency-Key", "login-1")
                    .json(&body),
            )
            .await;
        first.assert_status(200);
        let again = app
            .send(
                app.request(Method::POST, "/api/v1/auth/token")
                    .header("Idempotency-Key", "login-1")
                    .json(&body),
            )
            .await;
        again.assert_problem(409, "idempotency_not_replayable");
        assert!(!again.text().contains("access_token"));

        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let account = json!({"name": "SIMPEG", "scopes": ["read:org"]});
        post_with_key(
            app,
            "/api/v1/service-accounts",
            &admin.access_token,
            "sa-1",
            &account,
        )
        .await
        .assert_status(201);
        post_with_key(
            app,
            "/api/v1/service-accounts",
            &admin.access_token,
            "sa-1",
            &account,
        )
        .await
        .assert_problem(409, "idempotency_not_replayable");
    })
    .await;
}

#[tokio::test]
async fn keys_expire_after_a_day_and_housekeeping_purges_them() {
    on_each_db(async |app: &TestApp| {
        let (admin_user, admin) = app.session_as("admin", &["admin"]).await;
        post_with_key(
            app,
            "/api/v1/users",
            &admin.access_token,
            "k1",
            &new_user("budi"),
        )
        .await
        .assert_status(201);
        app.clock.advance(Duration::hours(23));
        // A new access token of the same user: the key is still his.
        let admin = app.login(&admin_user).await;
        let replay = post_with_key(
            app,
            "/api/v1/users",
            &admin.access_token,
            "k1",
            &new_user("budi"),
        )
        .await;
        assert_eq!(replay.header("idempotency-replayed"), Some("true"));

        app.clock.advance(Duration::hours(2));
        let purged = kinerja_api::services::housekeeping::run_once(&app.db, app.clock_now())
            .await
            .unwrap();
        assert_eq!(purged.idempotency_keys, 1);
        // The access token expired meanwhile; log in again and retry: processed afresh.
        let admin = app.login(&admin_user).await;
        post_with_key(
            app,
            "/api/v1/users",
            &admin.access_token,
            "k1",
            &new_user("budi"),
        )
        .await
        .assert_problem(409, "username_taken");
    })
    .await;
}

#[tokio::test]
async fn housekeeping_purges_old_refresh_tokens_and_login_failures() {
    on_each_db(async |app: &TestApp| {
        let budi = app.create_user("budi", &["employee"]).await;
        app.login(&budi).await;
        app.token("budi", "wrong-password").await.assert_status(401);
        let nothing = kinerja_api::services::housekeeping::run_once(&app.db, app.clock_now())
            .await
            .unwrap();
        assert_eq!(
            nothing,
            kinerja_api::services::housekeeping::Purged::default()
        );

        app.clock.advance(Duration::days(16));
        let purged = kinerja_api::services::housekeeping::run_once(&app.db, app.clock_now())
            .await
            .unwrap();
        assert_eq!(purged.refresh_tokens, 1);
        assert_eq!(purged.login_failures, 1);
    })
    .await;
}

#[tokio::test]
async fn every_write_leaves_an_audit_event_with_before_and_after() {
    on_each_db(async |app: &TestApp| {
        let (admin_user, admin) = app.session_as("admin", &["admin"]).await;
        let created = app
            .send(
                app.authed(Method::POST, "/api/v1/users", &admin.access_token)
                    .header("X-Request-Id", "req-create-budi")
                    .json(&new_user("budi")),
            )
            .await;
        created.assert_status(201);
        let id = created.json()["id"].as_str().unwrap().to_owned();
        app.patch_as(
            &format!("/api/v1/users/{id}"),
            &admin.access_token,
            Some("\"1\""),
            &json!({"active": false}),
        )
        .await
        .assert_status(200);
        app.post_as(
            &format!("/api/v1/users/{id}/password"),
            &admin.access_token,
            &json!({"new_password": "sementara-2026"}),
        )
        .await
        .assert_status(204);

        let trail = app
            .get_as(
                &format!("/api/v1/audit-events?entity_type=user&entity_id={id}"),
                &admin.access_token,
            )
            .await;
        trail.assert_status(200);
        let events = trail.json()["items"].as_array().unwrap().clone();
        let actions: Vec<&str> = events
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            vec!["user.password_reset", "user.updated", "user.created"]
        );
        for event in &events {
            assert_eq!(event["actor_id"], admin_user.id.to_string());
            assert_eq!(event["actor_kind"], "user");
            assert!(
                !event.to_string().contains("argon2"),
                "a password hash leaked: {event}"
            );
        }
        let creation = &events[2];
        assert_eq!(creation["request_id"], "req-create-budi");
        assert!(creation["before"].is_null());
        assert_eq!(creation["after"]["username"], "budi");
        let update = &events[1];
        assert_eq!(update["before"]["active"], true);
        assert_eq!(update["after"]["active"], false);

        let logins = app
            .get_as(
                &format!(
                    "/api/v1/audit-events?action=session.login&actor_id={}",
                    admin_user.id
                ),
                &admin.access_token,
            )
            .await
            .json();
        assert_eq!(logins["total"], 1);

        // Auditors read the trail; employees do not.
        let (_, auditor) = app.session_as("inspektorat", &["auditor"]).await;
        app.get_as("/api/v1/audit-events", &auditor.access_token)
            .await
            .assert_status(200);
        let (_, employee) = app.session_as("siti", &["employee"]).await;
        app.get_as("/api/v1/audit-events", &employee.access_token)
            .await
            .assert_problem(403, "forbidden");
    })
    .await;
}

#[tokio::test]
async fn a_failed_write_leaves_no_audit_event_and_no_row() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        app.create_user("budi", &["employee"]).await;
        let before = app
            .get_as("/api/v1/audit-events", &admin.access_token)
            .await
            .json()["total"]
            .clone();
        app.post_as("/api/v1/users", &admin.access_token, &new_user("BUDI"))
            .await
            .assert_problem(409, "username_taken");
        let after = app
            .get_as("/api/v1/audit-events", &admin.access_token)
            .await
            .json()["total"]
            .clone();
        assert_eq!(before, after);
        assert_eq!(user_count(app, &admin.access_token).await, 2);
    })
    .await;
}
