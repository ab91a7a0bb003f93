//! CSV exports of lists (`Accept: text/csv`): every matching row, streamed in batches, UTF-8,
//! `,` or `?sep=;`, decimal point `.`. Cells that a spreadsheet would run as a formula
//! (`= + - @`, tab, carriage return) are neutralised with a leading `'`.

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::error::ApiError;

/// Whether the caller asked for CSV.
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept
                .split(',')
                .any(|part| part.trim().starts_with("text/csv"))
        })
}

#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct CsvParams {
    /// Separator of a CSV export: `,` (default) or `;` (for spreadsheets set to Indonesian).
    #[validate(custom(function = "separator_ok"))]
    #[param(pattern = "^[,;]$", example = ";")]
    pub sep: Option<String>,
}

fn separator_ok(sep: &str) -> Result<(), validator::ValidationError> {
    if sep == "," || sep == ";" {
        return Ok(());
    }
    let mut error = validator::ValidationError::new("invalid");
    error.message = Some("must be ',' or ';'|harus ',' atau ';'".into());
    Err(error)
}

impl CsvParams {
    /// The separator byte (the value was validated by `separator_ok`).
    pub fn separator(&self) -> u8 {
        if self.sep.as_deref() == Some(";") {
            b';'
        } else {
            b','
        }
    }
}

/// Makes a cell safe to open in a spreadsheet.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Encodes rows as CSV text.
pub fn encode(rows: &[Vec<String>], separator: u8) -> web::Bytes {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(separator)
        .from_writer(Vec::new());
    for row in rows {
        let cells: Vec<Cow<'_, str>> = row.iter().map(|c| neutralise(c)).collect();
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(cells.iter().map(|c| c.as_ref()));
    }
    web::Bytes::from(writer.into_inner().unwrap_or_default())
}

/// A CSV response for a small list held in memory.
pub fn respond(
    filename: &str,
    header: &[&str],
    rows: Vec<Vec<String>>,
    separator: u8,
) -> HttpResponse {
    let mut all = Vec::with_capacity(rows.len() + 1);
    all.push(header.iter().map(|h| (*h).to_owned()).collect());
    all.extend(rows);
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(encode(&all, separator))
}

/// Fetches the rows starting at an offset; an empty batch ends the export.
pub type FetchBatch =
    Box<dyn Fn(u64) -> LocalBoxFuture<'static, Result<Vec<Vec<String>>, ApiError>>>;

/// A streamed CSV response: the header, then batches until one comes back empty.
pub fn stream(filename: &str, header: &[&str], separator: u8, fetch: FetchBatch) -> HttpResponse {
    let head = encode(
        &[header.iter().map(|h| (*h).to_owned()).collect()],
        separator,
    );
    let body = futures_util::stream::unfold(
        (Some(head), 0u64, fetch, false),
        move |(head, offset, fetch, done)| async move {
            if let Some(head) = head {
                return Some((Ok::<_, actix_web::Error>(head), (None, offset, fetch, done)));
            }
            if done {
                return None;
            }
            match fetch(offset).await {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let n = rows.len() as u64;
                    Some((
                        Ok(encode(&rows, separator)),
                        (None, offset + n, fetch, false),
                    ))
                }
                Err(e) => {
                    // The status is already sent: end the stream with the error logged.
                    log::error!("CSV export failed after {offset} rows: {e}");
                    Some((
                        Err(actix_web::error::ErrorInternalServerError("export failed")),
                        (None, offset, fetch, true),
                    ))
                }
            }
        },
    );
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+62"), "'+62");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@SUM"), "'@SUM");
        assert_eq!(neutralise("Budi"), "Budi");
        let text = encode(&[vec!["a;b".into(), "=1+1".into()]], b';');
        assert_eq!(std::str::from_utf8(&text).unwrap(), "\"a;b\";'=1+1\n");
    }
}
