//! The OpenAPI document: collected from the router (see [`crate::routes::configure`]), then
//! completed here with the error responses every operation can give, so each status a client
//! may meet is documented with the problem schema without pasting it into every handler.

use std::collections::BTreeSet;

use actix_web::App;
use serde_json::json;
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi as Spec, Ref, RefOr, ResponseBuilder};
use utoipa_actix_web::AppExt;

use crate::error::{ErrorCode, Problem, ProblemFieldError};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Siantar Kinerja API",
        description = "Manajemen kinerja ASN berbasis hasil untuk Pemerintah Kota Pematangsiantar.\n\n\
            A JSON REST API for performance-based management of civil servants (ASN): organisation \
            and staff, SKP planning and evaluation, scoring by PermenPANRB 6/2022, citizen \
            satisfaction surveys (SKM), competency development and participation.\n\n\
            Every error is `application/problem+json` (RFC 9457) with a stable `code`; send \
            `Accept-Language: id` for Bahasa Indonesia. The codes are listed below.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(Problem, ProblemFieldError)),
    tags(
        (name = "service", description = "Liveness and readiness."),
        (name = "auth", description = "Tokens for people (username or NIP and password) and integrations (client credentials)."),
        (name = "users", description = "Accounts of people."),
        (name = "service-accounts", description = "Accounts of integrations, with scopes."),
        (name = "organisation", description = "Units (the unit tree, OPDs, service units) and employees (ASN) with their reporting line."),
        (name = "imports", description = "Bulk uploads: CSV or JSON arrays, all rows or none, with a dry run."),
        (name = "cycles", description = "Annual performance cycles and their settings (DOMAIN §8)."),
        (name = "skps", description = "SKP: RHK and indicators cascaded from the penilai, agreed in dialogue."),
        (name = "evaluations", description = "Periodic and annual evaluations of an SKP: self-assessment, ratings, the predikat, finalisation, objections (keberatan)."),
        (name = "calibration", description = "Organisational performance per OPD and the calibration of its employees' predikat against the distribution curve (SE MenPANRB 3/2023)."),
        (name = "skm", description = "The citizen satisfaction survey for signed-in users: services, survey periods, results, unit feedback."),
        (name = "training", description = "Competency development: programmes, participation, training records (JP kept as minutes), the yearly 20 JP compliance, recommendations from evaluations and development plans."),
        (name = "public", description = "Published figures, without login."),
        (name = "survey", description = "The citizen satisfaction survey (SKM) in public: the questionnaire of a service unit, submission tokens and responses, without login (rate limited)."),
        (name = "reports", description = "Supervision reports for leaders, BKPSDM and the Inspektorat, scoped like the data behind them: predikat distribution with the curve, IKM trend, follow-up of low predikat, participation per unit with its drill-down, the monthly figures for the TPP payroll, the progress of a cycle per OPD."),
        (name = "audit", description = "The audit trail of every write."),
        (name = "integration", description = "For HR, payroll and national systems: the ordered events feed of changes, and exports."),
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// The `bearer` security scheme operations refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, spec: &mut Spec) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = spec.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from `POST /api/v1/auth/token`."))
                    .build(),
            ),
        );
    }
}

/// The complete document the server serves and `kinerja openapi` prints.
pub fn spec() -> Spec {
    let (_, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    document_errors(&mut spec);
    spec.info.version = env!("CARGO_PKG_VERSION").to_owned();
    spec
}

/// The document as YAML (the committed `openapi.yaml`).
pub fn to_yaml(spec: &Spec) -> String {
    serde_norway::to_string(spec).unwrap_or_else(|e| format!("# could not render the spec: {e}\n"))
}

/// Named responses: one per error status, listing the codes that status can carry.
const ERROR_RESPONSES: &[(u16, &str)] = &[
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (405, "MethodNotAllowed"),
    (406, "NotAcceptable"),
    (408, "RequestTimeout"),
    (409, "Conflict"),
    (412, "PreconditionFailed"),
    (413, "PayloadTooLarge"),
    (415, "UnsupportedMediaType"),
    (422, "UnprocessableEntity"),
    (428, "PreconditionRequired"),
    (429, "TooManyRequests"),
    (500, "InternalError"),
    (503, "ServiceUnavailable"),
];

fn document_errors(spec: &mut Spec) {
    let components = spec.components.get_or_insert_with(Default::default);
    for (status, name) in ERROR_RESPONSES {
        let codes: Vec<&ErrorCode> = ErrorCode::ALL
            .iter()
            .filter(|c| c.status().as_u16() == *status)
            .collect();
        let description = if codes.is_empty() {
            "Problem details.".to_owned()
        } else {
            let list: Vec<String> = codes.iter().map(|c| format!("`{}`", c.as_str())).collect();
            format!("Problem details; `code` is one of {}.", list.join(", "))
        };
        let example = codes.first().map(|c| {
            json!({
                "type": format!("urn:siantar-kinerja:problem:{}", c.as_str()),
                "title": c.title(crate::error::Lang::En),
                "status": status,
                "detail": c.title(crate::error::Lang::En),
                "code": c.as_str(),
                "request_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f"
            })
        });
        let response = ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .example(example)
                    .build(),
            )
            .build();
        components
            .responses
            .insert((*name).to_owned(), RefOr::T(response));
    }

    for (path, item) in spec.paths.paths.iter_mut() {
        let operations = [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ];
        for (method, operation) in operations {
            if let Some(operation) = operation {
                add_error_responses(path, method, operation);
            }
        }
    }

    let table: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| {
            format!(
                "| `{}` | {} | {} |",
                c.as_str(),
                c.status().as_u16(),
                c.description()
            )
        })
        .collect();
    let description = spec.info.description.get_or_insert_with(String::new);
    description.push_str("\n\n| code | status | meaning |\n|---|---|---|\n");
    description.push_str(&table.join("\n"));
}

/// Which generic errors an operation can give, from its shape.
fn add_error_responses(path: &str, method: &str, operation: &mut Operation) {
    let mut statuses = BTreeSet::new();
    statuses.insert(500);
    if path != "/health" {
        statuses.insert(503);
    }
    if operation.request_body.is_some() {
        // 408: the body stopped arriving (`body_timeout`).
        statuses.extend([400, 408, 413, 415, 422]);
    }
    let parameters = operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        });
    for parameter in parameters {
        match parameter.parameter_in {
            ParameterIn::Path => {
                statuses.extend([400, 404]);
            }
            ParameterIn::Query => {
                statuses.insert(400);
            }
            _ => {}
        }
    }
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    if secured {
        statuses.extend([401, 403]);
    }
    if matches!(method, "put" | "patch") {
        statuses.extend([412, 428]);
    }
    // Error responses a handler declared with a description only get the problem body too.
    for (key, response) in operation.responses.responses.iter_mut() {
        let status: u16 = key.parse().unwrap_or(0);
        if let RefOr::T(declared) = response
            && status >= 400
            && declared.content.is_empty()
        {
            declared.content.insert(
                crate::error::PROBLEM_JSON.to_owned(),
                RefOr::T(
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                ),
            );
        }
    }
    for status in statuses {
        let key = status.to_string();
        if operation.responses.responses.contains_key(&key) {
            continue;
        }
        if let Some((_, name)) = ERROR_RESPONSES.iter().find(|(s, _)| *s == status) {
            operation
                .responses
                .responses
                .insert(key, RefOr::Ref(Ref::from_response_name(*name)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_documents_its_errors_with_the_problem_schema() {
        let spec = spec();
        assert!(!spec.paths.paths.is_empty());
        for (path, item) in &spec.paths.paths {
            for operation in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                assert!(
                    operation.responses.responses.contains_key("500"),
                    "{path} does not document 500"
                );
            }
        }
        let yaml = to_yaml(&spec);
        assert!(yaml.contains("application/problem+json"));
        for code in ErrorCode::ALL {
            assert!(
                yaml.contains(code.as_str()),
                "{} is not documented",
                code.as_str()
            );
        }
    }
}
