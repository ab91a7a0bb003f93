//! Logging in and staying logged in: every auth path, good and bad.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use chrono::Duration;
use kinerja_tests::{TestApp, on_each_db, on_each_db_with};
use reqwest::Method;
use serde_json::json;

fn bearer_challenge(response: &kinerja_tests::TestResponse) -> String {
    response
        .header("www-authenticate")
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_user_logs_in_with_the_right_password_only() {
    on_each_db(async |app: &TestApp| {
        let budi = app.create_user("budi.santoso", &["employee"]).await;

        let ok = app.token("Budi.Santoso", &budi.password).await;
        ok.assert_status(200);
        let body = ok.json();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 900);
        assert!(body["refresh_token"].as_str().unwrap().len() >= 40);
        assert_eq!(ok.header("cache-control"), Some("no-store"));

        // Wrong password and unknown user look exactly alike.
        let wrong = app.token("budi.santoso", "not-the-password").await;
        let unknown = app.token("nobody.here", "not-the-password").await;
        let a = wrong.assert_problem(401, "invalid_credentials");
        let b = unknown.assert_problem(401, "invalid_credentials");
        assert_eq!(a["detail"], b["detail"]);
    })
    .await;
}

#[tokio::test]
async fn me_needs_a_valid_token() {
    on_each_db(async |app: &TestApp| {
        let (budi, session) = app.session_as("budi.santoso", &["employee"]).await;
        let me = app.get_as("/api/v1/me", &session.access_token).await;
        me.assert_status(200);
        let body = me.json();
        assert_eq!(body["user"]["id"], budi.id.to_string());
        assert_eq!(body["roles"], json!(["employee"]));
        assert_eq!(body["user"]["roles_label"], json!(["Pegawai"]));
        assert!(body["employee"].is_null());
        assert!(body["user"].get("password_hash").is_none());

        let none = app.get("/api/v1/me").await;
        none.assert_problem(401, "unauthorized");
        assert!(
            bearer_challenge(&none).starts_with("Bearer"),
            "{}",
            bearer_challenge(&none)
        );

        for bad in ["garbage", "a.b.c", ""] {
            let response = app
                .send(
                    app.request(Method::GET, "/api/v1/me")
                        .header("Authorization", format!("Bearer {bad}")),
                )
                .await;
            assert_eq!(response.status, 401, "{bad:?}");
            assert!(bearer_challenge(&response).starts_with("Bearer"));
        }
        let basic = app
            .send(
                app.request(Method::GET, "/api/v1/me")
                    .header("Authorization", "Basic YWRtaW46YWRtaW4="),
            )
            .await;
        basic.assert_problem(401, "invalid_token");
    })
    .await;
}

#[tokio::test]
async fn forged_alg_swapped_and_expired_tokens_are_refused() {
    on_each_db(async |app: &TestApp| {
        let (_, session) = app.session_as("budi.santoso", &["employee"]).await;
        let parts: Vec<&str> = session.access_token.split('.').collect();
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;

        // Claims edited to admin, signature kept: the signature no longer matches.
        let claims: serde_json::Value =
            serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
        let mut elevated = claims.clone();
        elevated["roles"] = json!(["admin"]);
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            engine.encode(elevated.to_string()),
            parts[2]
        );
        // alg "none": no signature at all.
        let none = format!(
            "{}.{}.",
            engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
            parts[1]
        );
        // HS512 with a guessed secret.
        let guessed = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"guessed-secret-guessed-secret-00"),
        )
        .unwrap();
        let hs512 = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"test-secret-test-secret-test-secret!"),
        )
        .unwrap();
        for (name, token) in [
            ("tampered", tampered),
            ("alg none", none),
            ("guessed secret", guessed),
            ("HS512", hs512),
        ] {
            let response = app.get_as("/api/v1/me", &token).await;
            response.assert_problem(401, "invalid_token");
            assert!(
                bearer_challenge(&response).contains("invalid_token"),
                "{name}"
            );
        }

        // Valid for 15 minutes by the app's clock.
        app.clock.advance(Duration::minutes(14));
        app.get_as("/api/v1/me", &session.access_token)
            .await
            .assert_status(200);
        app.clock.advance(Duration::minutes(1));
        let expired = app.get_as("/api/v1/me", &session.access_token).await;
        let problem = expired.assert_problem(401, "invalid_token");
        assert!(
            problem["detail"].as_str().unwrap().contains("expired"),
            "{problem}"
        );
    })
    .await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    on_each_db(async |app: &TestApp| {
        let (_, first) = app.session_as("budi.santoso", &["employee"]).await;
        let r1 = first.refresh_token.clone().unwrap();

        let rotated = app
            .post_json("/api/v1/auth/refresh", &json!({"refresh_token": r1}))
            .await;
        rotated.assert_status(200);
        let r2 = rotated.json()["refresh_token"].as_str().unwrap().to_owned();
        let access2 = rotated.json()["access_token"].as_str().unwrap().to_owned();
        assert_ne!(r1, r2);
        app.get_as("/api/v1/me", &access2).await.assert_status(200);

        // r1 presented again: reuse. The whole family dies, r2 included.
        let reuse = app
            .post_json("/api/v1/auth/refresh", &json!({"refresh_token": r1}))
            .await;
        reuse.assert_problem(401, "invalid_refresh_token");
        app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r2}))
            .await
            .assert_problem(401, "invalid_refresh_token");

        // Another login is another family and is unaffected.
        let (_, other) = app.session_as("siti.aminah", &["employee"]).await;
        app.post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": other.refresh_token.unwrap()}),
        )
        .await
        .assert_status(200);

        app.post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": "never-issued"}),
        )
        .await
        .assert_problem(401, "invalid_refresh_token");
    })
    .await;
}

#[tokio::test]
async fn refresh_tokens_expire_and_logout_ends_the_login() {
    on_each_db(async |app: &TestApp| {
        let budi = app.create_user("budi.santoso", &["employee"]).await;
        let session = app.login(&budi).await;
        app.post_json(
            "/api/v1/auth/logout",
            &json!({"refresh_token": session.refresh_token.clone().unwrap()}),
        )
        .await
        .assert_status(204);
        app.post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": session.refresh_token.unwrap()}),
        )
        .await
        .assert_problem(401, "invalid_refresh_token");
        // Logging out with an unknown token reveals nothing.
        app.post_json("/api/v1/auth/logout", &json!({"refresh_token": "unknown"}))
            .await
            .assert_status(204);

        let later = app.login(&budi).await;
        app.clock.advance(Duration::days(14));
        app.post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": later.refresh_token.unwrap()}),
        )
        .await
        .assert_problem(401, "invalid_refresh_token");
    })
    .await;
}

#[tokio::test]
async fn concurrent_refreshes_with_one_token_rotate_once() {
    on_each_db(async |app: &TestApp| {
        let (_, session) = app.session_as("budi.santoso", &["employee"]).await;
        let token = session.refresh_token.unwrap();
        let body = json!({"refresh_token": token});
        let attempts = (0..5).map(|_| app.post_json("/api/v1/auth/refresh", &body));
        let results = futures_util::future::join_all(attempts).await;
        let ok = results.iter().filter(|r| r.status == 200).count();
        assert!(ok <= 1, "one token rotated {ok} times");
        assert!(results.iter().all(|r| r.status == 200 || r.status == 401));
    })
    .await;
}

/// Throttling sees client addresses through a trusted proxy, so one test can be many clients.
fn behind_proxy(config: &mut kinerja_api::Config) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
}

async fn login_from(
    app: &TestApp,
    addr: &str,
    username: &str,
    password: &str,
) -> kinerja_tests::TestResponse {
    app.send(
        app.request(Method::POST, "/api/v1/auth/token")
            .header("X-Forwarded-For", addr)
            .json(&json!({"grant_type": "password", "username": username, "password": password})),
    )
    .await
}

#[tokio::test]
async fn five_failures_lock_the_pair_for_fifteen_minutes() {
    on_each_db_with(behind_proxy, async |app: &TestApp| {
        let budi = app.create_user("budi.santoso", &["employee"]).await;
        for _ in 0..5 {
            login_from(app, "198.51.100.7", "budi.santoso", "wrong-password")
                .await
                .assert_problem(401, "invalid_credentials");
        }
        // Locked, even with the right password.
        let locked = login_from(app, "198.51.100.7", "budi.santoso", &budi.password).await;
        locked.assert_problem(429, "too_many_attempts");
        let retry: i64 = locked.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry), "{retry}");

        // The official himself, from his own address, is not locked out.
        login_from(app, "203.0.113.20", "budi.santoso", &budi.password)
            .await
            .assert_status(200);

        app.clock.advance(Duration::minutes(14));
        login_from(app, "198.51.100.7", "budi.santoso", &budi.password)
            .await
            .assert_problem(429, "too_many_attempts");
        app.clock.advance(Duration::minutes(1));
        login_from(app, "198.51.100.7", "budi.santoso", &budi.password)
            .await
            .assert_status(200);
        // Success forgot the failures: one more failure does not lock again.
        login_from(app, "198.51.100.7", "budi.santoso", "wrong-password")
            .await
            .assert_problem(401, "invalid_credentials");
        login_from(app, "198.51.100.7", "budi.santoso", &budi.password)
            .await
            .assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn fifty_failures_an_hour_lock_the_username_everywhere() {
    on_each_db_with(behind_proxy, async |app: &TestApp| {
        let budi = app.create_user("budi.santoso", &["employee"]).await;
        for client in 0..10 {
            for _ in 0..5 {
                login_from(
                    app,
                    &format!("198.51.100.{client}"),
                    "budi.santoso",
                    "wrong-password",
                )
                .await
                .assert_problem(401, "invalid_credentials");
            }
        }
        let locked = login_from(app, "203.0.113.20", "budi.santoso", &budi.password).await;
        locked.assert_problem(429, "too_many_attempts");
        // Other accounts are untouched.
        let siti = app.create_user("siti.aminah", &["employee"]).await;
        login_from(app, "203.0.113.20", "siti.aminah", &siti.password)
            .await
            .assert_status(200);

        app.clock.advance(Duration::hours(1));
        login_from(app, "203.0.113.20", "budi.santoso", &budi.password)
            .await
            .assert_status(200);
    })
    .await;
}

#[tokio::test]
async fn a_pending_password_change_blocks_everything_but_me_and_the_change() {
    on_each_db(async |app: &TestApp| {
        let newbie = app
            .create_user_with("operator.baru", &["admin"], true, None)
            .await;
        let session = app.login(&newbie).await;

        let me = app.get_as("/api/v1/me", &session.access_token).await;
        me.assert_status(200);
        assert_eq!(me.json()["user"]["must_change_password"], true);
        app.get_as("/api/v1/users", &session.access_token)
            .await
            .assert_problem(403, "password_change_required");

        let path = format!("/api/v1/users/{}/password", newbie.id);
        app.post_as(
            &path,
            &session.access_token,
            &json!({"current_password": newbie.password, "new_password": "sandi-baru-yang-kuat"}),
        )
        .await
        .assert_status(204);
        // The change ended his sessions; he logs in with the new password.
        let fresh = app.token("operator.baru", "sandi-baru-yang-kuat").await;
        fresh.assert_status(200);
        let token = fresh.json()["access_token"].as_str().unwrap().to_owned();
        app.get_as("/api/v1/users", &token).await.assert_status(200);
        app.token("operator.baru", &newbie.password)
            .await
            .assert_problem(401, "invalid_credentials");
    })
    .await;
}

#[tokio::test]
async fn password_changes_check_the_current_password_and_the_policy() {
    on_each_db(async |app: &TestApp| {
        let (budi, session) = app.session_as("budi.santoso", &["employee"]).await;
        let path = format!("/api/v1/users/{}/password", budi.id);
        let cases = [
            (
                json!({"new_password": "sandi-baru-yang-kuat"}),
                "current_password",
                "required",
            ),
            (
                json!({"current_password": "wrong", "new_password": "sandi-baru-yang-kuat"}),
                "current_password",
                "incorrect",
            ),
            (
                json!({"current_password": budi.password, "new_password": "budi.santoso"}),
                "new_password",
                "same_as_username",
            ),
            (
                json!({"current_password": budi.password, "new_password": "aaaaaaaaaaaa"}),
                "new_password",
                "repetitive",
            ),
            (
                json!({"current_password": budi.password, "new_password": "short"}),
                "new_password",
                "length",
            ),
        ];
        for (body, field, code) in cases {
            let problem = app
                .post_as(&path, &session.access_token, &body)
                .await
                .assert_problem(422, "validation_failed");
            let errors = problem["errors"].as_array().unwrap();
            assert!(
                errors
                    .iter()
                    .any(|e| e["field"] == field && e["code"] == code),
                "{body}: {problem}"
            );
        }
        // Someone else's password: invisible to an employee.
        let siti = app.create_user("siti.aminah", &["employee"]).await;
        app.post_as(
            &format!("/api/v1/users/{}/password", siti.id),
            &session.access_token,
            &json!({"new_password": "sandi-baru-yang-kuat"}),
        )
        .await
        .assert_problem(404, "not_found");
    })
    .await;
}

#[tokio::test]
async fn an_admin_reset_forces_a_change_and_ends_sessions() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let (budi, budi_session) = app.session_as("budi.santoso", &["employee"]).await;
        app.post_as(
            &format!("/api/v1/users/{}/password", budi.id),
            &admin.access_token,
            &json!({"new_password": "sementara-2026"}),
        )
        .await
        .assert_status(204);
        app.post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": budi_session.refresh_token.unwrap()}),
        )
        .await
        .assert_problem(401, "invalid_refresh_token");
        let login = app.token("budi.santoso", "sementara-2026").await;
        login.assert_status(200);
        let token = login.json()["access_token"].as_str().unwrap().to_owned();
        assert_eq!(
            app.get_as("/api/v1/me", &token).await.json()["user"]["must_change_password"],
            true
        );
    })
    .await;
}

#[tokio::test]
async fn deactivated_accounts_stop_working_at_once() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let (budi, session) = app.session_as("budi.santoso", &["employee"]).await;
        app.patch_as(
            &format!("/api/v1/users/{}", budi.id),
            &admin.access_token,
            Some("*"),
            &json!({"active": false}),
        )
        .await
        .assert_status(200);
        app.get_as("/api/v1/me", &session.access_token)
            .await
            .assert_problem(401, "invalid_token");
        app.token("budi.santoso", &budi.password)
            .await
            .assert_problem(401, "invalid_credentials");
        app.post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": session.refresh_token.unwrap()}),
        )
        .await
        .assert_problem(401, "invalid_refresh_token");
    })
    .await;
}
