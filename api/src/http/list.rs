//! List conventions: `?page=1&per_page=50` (at most 500), `?sort=name,-updated_at`,
//! `?updated_since=RFC3339`, and the `{"items","page","per_page","total"}` envelope.

use chrono::{DateTime, Utc};
use kinerja_persistence::{ListQuery, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::{ApiError, ErrorCode, FieldError, Msg};

pub const MAX_PER_PAGE: u64 = 500;

/// Paging and sorting parameters, shared by every list.
#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page number, from 1.
    #[validate(range(min = 1, max = 1_000_000))]
    #[param(minimum = 1, maximum = 1_000_000, example = 1)]
    pub page: Option<u64>,
    /// Items per page (1 to 500; default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500, example = 50)]
    pub per_page: Option<u64>,
    /// Comma-separated fields; `-` before a field sorts it descending.
    #[validate(length(max = 200))]
    #[param(max_length = 200, example = "-updated_at")]
    pub sort: Option<String>,
    /// Only items changed at or after this instant (RFC 3339), for integrations.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-03-01T00:00:00Z")]
    pub updated_since: Option<DateTime<Utc>>,
}

impl ListParams {
    /// Checks the sort fields against `sortable` (paging was validated with the query).
    pub fn to_query(&self, sortable: &[&str]) -> Result<ListQuery, ApiError> {
        let mut errors = Vec::new();
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        let mut sort = Vec::new();
        for part in self
            .sort
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (name, desc) = match part.strip_prefix('-') {
                Some(name) => (name, true),
                None => (part.strip_prefix('+').unwrap_or(part), false),
            };
            if sortable.contains(&name) {
                sort.push((name.to_owned(), desc));
            } else {
                errors.push(FieldError::new(
                    "sort",
                    "unknown_field",
                    Msg::new(
                        format!("cannot sort by {name:?}; sortable: {}", sortable.join(", ")),
                        format!(
                            "tidak dapat diurutkan menurut {name:?}; yang dapat: {}",
                            sortable.join(", ")
                        ),
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidParameter)
                .with_detail(
                    "Some list parameters are invalid.",
                    "Beberapa parameter daftar tidak valid.",
                )
                .with_errors(errors));
        }
        Ok(ListQuery {
            page,
            per_page,
            sort,
        })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T: ToSchema> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    /// How many items match in all.
    pub total: u64,
}

impl<T: ToSchema> Paged<T> {
    pub fn new<R>(page: Page<R>, query: &ListQuery, map: impl FnMut(R) -> T) -> Paged<T> {
        Paged {
            items: page.items.into_iter().map(map).collect(),
            page: query.page,
            per_page: query.per_page,
            total: page.total,
        }
    }
}
