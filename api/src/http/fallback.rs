//! What answers when no route matched: 405 with `Allow` when the path exists under other
//! methods, 404 otherwise — both problem+json. actix itself would answer 404 for a known path
//! with an undeclared method, because every `#[get]`/`#[post]` handler is its own resource.

use actix_router::ResourceDef;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{ApiError, ErrorCode};

/// Every path template the app serves, with its methods.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<String>)>,
}

impl RouteTable {
    pub fn add(&mut self, template: &str, method: &str) {
        let method = method.to_ascii_uppercase();
        if let Some((_, methods)) = self
            .routes
            .iter_mut()
            .find(|(def, _)| def.pattern() == Some(template))
        {
            if !methods.contains(&method) {
                methods.push(method);
            }
            return;
        }
        self.routes.push((ResourceDef::new(template), vec![method]));
    }

    /// The methods a concrete path allows, if any template matches it.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let mut allowed: Vec<String> = self
            .routes
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        if allowed.is_empty() {
            return None;
        }
        allowed.sort();
        allowed.dedup();
        Some(allowed)
    }
}

pub async fn not_found_or_method_not_allowed(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match table.allowed(req.path()) {
        Some(methods) => {
            let allow = methods.join(", ");
            ApiError::new(ErrorCode::MethodNotAllowed)
                .with_detail(
                    format!("{} is not allowed here; use {allow}.", req.method()),
                    format!("{} tidak diizinkan di sini; gunakan {allow}.", req.method()),
                )
                .with_header(header::ALLOW, allow)
        }
        None => ApiError::new(ErrorCode::RouteNotFound).with_detail(
            format!("No route matches {}.", req.path()),
            format!("Tidak ada rute untuk {}.", req.path()),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_concrete_paths() {
        let mut table = RouteTable::default();
        table.add("/api/v1/users/{id}", "get");
        table.add("/api/v1/users/{id}", "patch");
        table.add("/health", "get");
        assert_eq!(
            table.allowed("/api/v1/users/0193"),
            Some(vec!["GET".to_owned(), "PATCH".to_owned()])
        );
        assert_eq!(table.allowed("/health"), Some(vec!["GET".to_owned()]));
        assert_eq!(table.allowed("/nope"), None);
        assert_eq!(table.allowed("/api/v1/users/1/extra"), None);
    }
}
