//! Bulk imports (DESIGN §3): CSV (header row, UTF-8 with or without BOM, `,` or `;`) or a JSON
//! array of objects with the same names. All rows or none: every bad row is reported (also in a
//! dry run) and nothing is written; upserts by natural key report `created`, `updated` and
//! `unchanged`; one audit event per import (counts and file hash).

pub mod employees;
pub mod realizations;
pub mod skps;
pub mod survey_responses;
pub mod training_records;
pub mod units;

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorCode, FieldError, Msg};

/// The format of an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// One data row: its number as the user sees it, and its cells by column name (empty → null).
#[derive(Debug, Clone)]
pub struct Row {
    pub number: u64,
    pub cells: Map<String, Value>,
}

impl Row {
    /// The cell as trimmed text; `None` when empty or absent.
    pub fn text(&self, column: &str) -> Option<String> {
        match self.cells.get(column)? {
            Value::Null => None,
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            other => Some(other.to_string()),
        }
    }
}

/// The result of an import or a dry run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"dry_run": false, "created": 120, "updated": 3, "unchanged": 1377}))]
pub struct ImportOutcome {
    pub dry_run: bool,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Collects row errors with their row number.
#[derive(Debug, Default)]
pub struct RowErrors(pub Vec<FieldError>);

impl RowErrors {
    pub fn add(
        &mut self,
        row: u64,
        field: &str,
        code: &str,
        en: impl Into<String>,
        id: impl Into<String>,
    ) {
        let mut error = FieldError::new(field, code.to_owned(), Msg::new(en.into(), id.into()));
        error.row = Some(row);
        self.0.push(error);
    }

    pub fn add_field(&mut self, row: u64, mut error: FieldError) {
        error.row = Some(row);
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// 422 `import_invalid` with every error (ordered by row) and the counts of the valid rows.
    pub fn into_problem(mut self, counts: ImportOutcome) -> ApiError {
        self.0
            .sort_by(|a, b| (a.row, &a.field).cmp(&(b.row, &b.field)));
        let rows: BTreeSet<u64> = self.0.iter().filter_map(|e| e.row).collect();
        ApiError::new(ErrorCode::ImportInvalid)
            .with_detail(
                format!("{} row(s) are invalid; nothing was written.", rows.len()),
                format!("{} baris tidak valid; tidak ada yang disimpan.", rows.len()),
            )
            .with_extension("dry_run", counts.dry_run)
            .with_extension("created", counts.created)
            .with_extension("updated", counts.updated)
            .with_extension("unchanged", counts.unchanged)
            .with_errors(self.0)
    }
}

/// SHA-256 of the uploaded bytes, for the audit trail.
pub fn file_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn file_problem(
    code: ErrorCode,
    field: &str,
    field_code: &str,
    en: String,
    id: String,
) -> ApiError {
    let mut error = FieldError::new(
        field,
        field_code.to_owned(),
        Msg::new(en.clone(), id.clone()),
    );
    error.row = Some(1);
    ApiError::new(code)
        .with_detail(en, id)
        .with_errors(vec![error])
}

fn empty() -> ApiError {
    ApiError::new(ErrorCode::ImportEmpty).with_detail(
        "The file has no data rows.",
        "Berkas tidak memiliki baris data.",
    )
}

/// The columns of an import.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    pub all: &'a [&'a str],
    /// Columns a CSV header must have (JSON rows report missing fields row by row).
    pub required: &'a [&'a str],
    /// Yes/no columns: JSON booleans (CSV spells them `true`, `ya`, `1`, ...).
    pub flags: &'a [&'a str],
    /// Number columns: JSON numbers or strings (CSV cells are text anyway).
    pub numbers: &'a [&'a str],
}

/// Parses the file into rows, checking the columns (those required must be there; others are
/// refused, so a misspelt column is not silently ignored) and the cells (no NUL characters; in
/// JSON, text columns hold strings and yes/no columns booleans).
pub fn parse(bytes: &[u8], format: Format, columns: Columns<'_>) -> Result<Vec<Row>, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ApiError::new(ErrorCode::InvalidEncoding).with_detail(
            format!("The file is not UTF-8 ({e}); save it as CSV UTF-8."),
            format!("Berkas bukan UTF-8 ({e}); simpan sebagai CSV UTF-8."),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = match format {
        Format::Csv => parse_csv(text, columns.all, columns.required)?,
        Format::Json => parse_json(text, columns)?,
    };
    let mut errors = RowErrors::default();
    for row in &rows {
        for (column, value) in &row.cells {
            if matches!(value, Value::String(s) if s.contains('\0')) {
                errors.add(
                    row.number,
                    column,
                    "nul_character",
                    "must not contain a NUL character",
                    "tidak boleh berisi karakter NUL",
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.into_problem(ImportOutcome::default()));
    }
    Ok(rows)
}

fn check_columns<'a>(
    present: impl Iterator<Item = &'a str>,
    columns: &[&str],
    required: &[&str],
) -> Result<(), ApiError> {
    let present: Vec<&str> = present.collect();
    let mut errors = Vec::new();
    for column in &present {
        if !columns.contains(column) {
            let mut e = FieldError::new(
                *column,
                "unknown_column",
                Msg::new(
                    format!(
                        "is not a column of this import; expected: {}",
                        columns.join(",")
                    ),
                    format!(
                        "bukan kolom impor ini; yang diharapkan: {}",
                        columns.join(",")
                    ),
                ),
            );
            e.row = Some(1);
            errors.push(e);
        }
    }
    for column in required {
        if !present.contains(column) {
            let mut e = FieldError::new(
                *column,
                "missing_column",
                Msg::new("the column is missing", "kolom ini tidak ada"),
            );
            e.row = Some(1);
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::ImportInvalid)
            .with_detail(
                "The columns do not match this import; nothing was written.",
                "Kolom tidak sesuai impor ini; tidak ada yang disimpan.",
            )
            .with_extension("dry_run", false)
            .with_extension("created", 0)
            .with_extension("updated", 0)
            .with_extension("unchanged", 0)
            .with_errors(errors))
    }
}

/// Indonesian spreadsheets often save CSV with `;`: the header line decides.
fn delimiter(header: &str) -> u8 {
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

fn parse_csv(text: &str, columns: &[&str], required: &[&str]) -> Result<Vec<Row>, ApiError> {
    let header_line = text.lines().next().unwrap_or("");
    if header_line.trim().is_empty() {
        return Err(empty());
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(header_line))
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_problem(1, &e))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    check_columns(headers.iter().map(String::as_str), columns, required)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| csv_problem(e.position().map(|p| p.line()).unwrap_or(0), &e))?;
        // The spreadsheet row: the header is row 1.
        let number = record
            .position()
            .map(|p| p.line())
            .unwrap_or(rows.len() as u64 + 2);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| {
                let v = v.trim();
                (
                    h.clone(),
                    if v.is_empty() {
                        Value::Null
                    } else {
                        Value::String(v.to_owned())
                    },
                )
            })
            .collect();
        rows.push(Row { number, cells });
    }
    if rows.is_empty() {
        return Err(empty());
    }
    Ok(rows)
}

fn csv_problem(line: u64, e: &csv::Error) -> ApiError {
    file_problem(
        ErrorCode::ImportInvalid,
        "file",
        "malformed_csv",
        format!("The CSV cannot be read at line {line}: {e}."),
        format!("CSV tidak dapat dibaca pada baris {line}: {e}."),
    )
    .with_extension("dry_run", false)
    .with_extension("created", 0)
    .with_extension("updated", 0)
    .with_extension("unchanged", 0)
}

/// JSON rows are objects; a missing required field is reported per row by the import itself.
fn parse_json(text: &str, columns: Columns<'_>) -> Result<Vec<Row>, ApiError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        ApiError::new(ErrorCode::MalformedJson).with_detail(
            format!("The body is not valid JSON: {e}."),
            format!("Isi permintaan bukan JSON yang valid: {e}."),
        )
    })?;
    let Value::Array(items) = value else {
        return Err(ApiError::new(ErrorCode::ValidationFailed).with_detail(
            "Send a JSON array of row objects.",
            "Kirim array JSON berisi objek baris.",
        ));
    };
    if items.is_empty() {
        return Err(empty());
    }
    let mut rows = Vec::with_capacity(items.len());
    let mut errors = RowErrors::default();
    for (index, item) in items.into_iter().enumerate() {
        let number = index as u64 + 1;
        let Value::Object(cells) = item else {
            errors.add(
                number,
                "row",
                "not_an_object",
                "must be an object",
                "harus berupa objek",
            );
            continue;
        };
        for (key, value) in &cells {
            if !columns.all.contains(&key.as_str()) {
                errors.add(
                    number,
                    key,
                    "unknown_column",
                    "is not a field of this import",
                    "bukan field impor ini",
                );
                continue;
            }
            let flag = columns.flags.contains(&key.as_str());
            let numeric = columns.numbers.contains(&key.as_str());
            match (value, flag) {
                (Value::Null, _) | (Value::Bool(_), true) | (Value::String(_), false) => {}
                (Value::Number(_), false) if numeric => {}
                (_, true) => errors.add(
                    number,
                    key,
                    "invalid_type",
                    "must be true, false or null",
                    "harus true, false atau null",
                ),
                (_, false) if numeric => errors.add(
                    number,
                    key,
                    "invalid_type",
                    "must be a number, a string or null",
                    "harus berupa angka, string atau null",
                ),
                // Numbers too: a NIP as a JSON number loses digits.
                (_, false) => errors.add(
                    number,
                    key,
                    "invalid_type",
                    "must be a string or null",
                    "harus berupa string atau null",
                ),
            }
        }
        rows.push(Row { number, cells });
    }
    if !errors.is_empty() {
        return Err(errors.into_problem(ImportOutcome::default()));
    }
    Ok(rows)
}

/// The units whose staff the caller may import for: `None` for all (admins, and integrations
/// with the import's `scope`), else those a unit admin manages (his subtree, not reaching into
/// descendant OPDs).
pub async fn units_in_scope(
    db: &kinerja_persistence::Db,
    caller: &crate::auth::Caller,
    scope: kinerja_domain::accounts::Scope,
) -> Result<Option<std::collections::HashSet<uuid::Uuid>>, ApiError> {
    if caller.is_admin() || caller.has_scope(scope) {
        return Ok(None);
    }
    crate::services::scope::managed_units(db, caller).await
}

/// The stored employees with these NIPs (any order, repeats allowed), by NIP.
pub async fn staff_by_nip(
    db: &kinerja_persistence::Db,
    nips: impl IntoIterator<Item = String>,
) -> Result<
    std::collections::HashMap<String, kinerja_persistence::repos::employees::EmployeeRecord>,
    ApiError,
> {
    let mut wanted: Vec<String> = nips.into_iter().collect();
    wanted.sort();
    wanted.dedup();
    Ok(kinerja_persistence::repos::employees::by_nips(db, &wanted)
        .await?
        .into_iter()
        .map(|e| (e.nip.clone(), e))
        .collect())
}

/// The employee a row's NIP names, if the caller may import for him: outside his scope an
/// employee does not exist for him (`unknown_employee`, as for reads).
pub fn employee_in_scope<'a>(
    row: u64,
    nip: &str,
    staff: &'a std::collections::HashMap<
        String,
        kinerja_persistence::repos::employees::EmployeeRecord,
    >,
    units: Option<&std::collections::HashSet<uuid::Uuid>>,
    errors: &mut RowErrors,
) -> Option<&'a kinerja_persistence::repos::employees::EmployeeRecord> {
    match staff.get(nip) {
        Some(e) if units.is_none_or(|u| u.contains(&e.unit_id)) => Some(e),
        _ if units.is_some() => {
            errors.add(
                row,
                "nip",
                "unknown_employee",
                format!("no employee of the units you manage has the NIP {nip}"),
                format!("tidak ada pegawai unit yang Anda kelola dengan NIP {nip}"),
            );
            None
        }
        _ => {
            errors.add(
                row,
                "nip",
                "unknown_employee",
                format!("no employee has the NIP {nip}"),
                format!("tidak ada pegawai dengan NIP {nip}"),
            );
            None
        }
    }
}

/// The cycle of a row's year, or the error.
pub fn cycle_of_year<'a>(
    row: u64,
    year: i32,
    cycles: &'a std::collections::HashMap<i32, kinerja_persistence::repos::cycles::CycleRecord>,
    errors: &mut RowErrors,
) -> Option<&'a kinerja_persistence::repos::cycles::CycleRecord> {
    let found = cycles.get(&year);
    if found.is_none() {
        errors.add(
            row,
            "cycle_year",
            "unknown_cycle",
            format!("there is no performance cycle for {year}"),
            format!("tidak ada siklus kinerja untuk tahun {year}"),
        );
    }
    found
}

/// A cell the row cannot do without: its text, or the `required` error.
pub fn required(row: &Row, column: &str, errors: &mut RowErrors) -> Option<String> {
    let text = row.text(column);
    if text.is_none() {
        errors.add(row.number, column, "required", "is required", "wajib diisi");
    }
    text
}

/// A cell naming one of `all` (spelt as `name` gives, any case); `None` when empty, or (with the
/// error) when it names something else.
pub fn choice<T: Copy>(
    row: &Row,
    column: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    errors: &mut RowErrors,
) -> Option<T> {
    let raw = row.text(column)?.to_ascii_lowercase();
    let found = all.iter().copied().find(|v| name(*v) == raw);
    if found.is_none() {
        let all = all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", ");
        errors.add(
            row.number,
            column,
            "invalid",
            format!("must be one of {all}"),
            format!("harus salah satu dari {all}"),
        );
    }
    found
}

/// A decimal cell written with a decimal point (`91.8`); `None` when empty, or (with the error)
/// when it is no such number. How many decimals it may have is the rule of what it measures.
pub fn decimal(row: &Row, column: &str, errors: &mut RowErrors) -> Option<rust_decimal::Decimal> {
    let raw = row.text(column)?;
    match raw.parse::<rust_decimal::Decimal>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(
                row.number,
                column,
                "not_a_number",
                "must be a number written with a decimal point, e.g. 91.8",
                "harus angka dengan titik desimal, mis. 91.8",
            );
            None
        }
    }
}

/// A required year cell (`2026`).
pub fn year(row: &Row, column: &str, errors: &mut RowErrors) -> Option<i32> {
    let raw = required(row, column, errors)?;
    match raw.parse::<i32>() {
        Ok(y) if (1900..=9999).contains(&y) => Some(y),
        _ => {
            errors.add(
                row.number,
                column,
                "invalid",
                "must be a year, e.g. 2026",
                "harus tahun, mis. 2026",
            );
            None
        }
    }
}

/// `true`/`false` in the spellings spreadsheets use.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "ya" | "y" | "yes" => Some(true),
        "false" | "0" | "tidak" | "t" | "n" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[&str] = &["code", "name", "parent_code", "is_opd"];

    fn cols<'a>(required: &'a [&'a str]) -> Columns<'a> {
        Columns {
            all: ALL,
            required,
            flags: &["is_opd"],
            numbers: &[],
        }
    }

    #[test]
    fn csv_with_bom_semicolons_and_blank_lines() {
        let text = "\u{feff}code;name;parent_code\nA;Satu;\n\n;;\nB;\"Dua; dan tiga\";A\n";
        let rows = parse(text.as_bytes(), Format::Csv, cols(&["code", "name"])).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].number, 2);
        assert_eq!(rows[0].text("parent_code"), None);
        assert_eq!(rows[1].number, 5);
        assert_eq!(rows[1].text("name").as_deref(), Some("Dua; dan tiga"));
    }

    #[test]
    fn columns_are_checked() {
        let missing = parse(b"code\nA\n", Format::Csv, cols(&["code", "name"])).unwrap_err();
        assert_eq!(missing.code, ErrorCode::ImportInvalid);
        assert_eq!(missing.errors[0].code, "missing_column");
        assert_eq!(missing.errors[0].field, "name");
        let unknown = parse(b"code,name,nmae\nA,B,C\n", Format::Csv, cols(&["code"])).unwrap_err();
        assert_eq!(unknown.errors[0].code, "unknown_column");
        assert_eq!(unknown.errors[0].field, "nmae");
    }

    #[test]
    fn empty_files_are_refused() {
        for text in ["", "\n", "code,name\n", "code,name\n\n,\n"] {
            assert_eq!(
                parse(text.as_bytes(), Format::Csv, cols(&[]))
                    .unwrap_err()
                    .code,
                ErrorCode::ImportEmpty,
                "{text:?}"
            );
        }
        assert_eq!(
            parse(b"[]", Format::Json, cols(&[])).unwrap_err().code,
            ErrorCode::ImportEmpty
        );
    }

    #[test]
    fn ragged_csv_rows_are_reported_with_their_line() {
        let error = parse(b"code,name\nA,B\nC\n", Format::Csv, cols(&[])).unwrap_err();
        assert_eq!(error.errors[0].code, "malformed_csv");
        assert!(
            error.errors[0].message.en.contains("line 3"),
            "{}",
            error.errors[0].message.en
        );
    }

    #[test]
    fn json_rows_are_numbered_from_one() {
        let rows = parse(
            br#"[{"code":"A","name":"x"},{"code":"B","name":"y","parent_code":"A"}]"#,
            Format::Json,
            cols(&[]),
        )
        .unwrap();
        assert_eq!(rows[1].number, 2);
        assert_eq!(rows[1].text("parent_code").as_deref(), Some("A"));
        let error = parse(
            br#"[{"code":"A","colour":"red"}, 5]"#,
            Format::Json,
            cols(&[]),
        )
        .unwrap_err();
        assert_eq!(error.errors.len(), 2);
    }

    #[test]
    fn json_cells_have_their_types_and_no_nul() {
        let file = br#"[{"code":{},"name":["x"],"is_opd":"ya"},{"code":198507122010011003}]"#;
        let error = parse(file, Format::Json, cols(&[])).unwrap_err();
        let fields: Vec<(u64, &str)> = error
            .errors
            .iter()
            .map(|e| (e.row.unwrap(), e.field.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![(1, "code"), (1, "is_opd"), (1, "name"), (2, "code")]
        );
        assert!(parse(br#"[{"code":"A","is_opd":true}]"#, Format::Json, cols(&[])).is_ok());
        let nul = parse(b"code,name\nA,x\x00y\n", Format::Csv, cols(&[])).unwrap_err();
        assert_eq!(nul.errors[0].code, "nul_character");
    }

    #[test]
    fn number_columns_take_json_numbers_and_cells_parse() {
        let columns = Columns {
            all: &["code", "target"],
            required: &[],
            flags: &[],
            numbers: &["target"],
        };
        let rows = parse(
            br#"[{"code":"A","target":91.8},{"code":"B","target":"1.5"},{"code":"C","target":"9,5"}]"#,
            Format::Json,
            columns,
        )
        .unwrap();
        let mut errors = RowErrors::default();
        let parsed: Vec<_> = rows
            .iter()
            .map(|r| decimal(r, "target", &mut errors))
            .collect();
        assert_eq!(
            parsed,
            [
                Some("91.8".parse().unwrap()),
                Some("1.5".parse().unwrap()),
                None
            ]
        );
        assert_eq!(errors.0.len(), 1);
        assert_eq!(
            (errors.0[0].row, errors.0[0].code.as_ref()),
            (Some(3), "not_a_number")
        );
        // Elsewhere a number is refused (a NIP as a JSON number loses digits).
        let refused = parse(br#"[{"code":5}]"#, Format::Json, columns).unwrap_err();
        assert_eq!(refused.errors[0].code, "invalid_type");
        let row = &rows[0];
        let mut errors = RowErrors::default();
        assert_eq!(
            choice(row, "code", &["a", "b"], |v| v, &mut errors),
            Some("a"),
            "any case"
        );
        assert_eq!(choice(row, "code", &["x"], |v| v, &mut errors), None);
        assert_eq!(errors.0[0].code, "invalid");
        assert!(required(row, "missing", &mut errors).is_none());
        assert_eq!(errors.0[1].code, "required");
    }

    #[test]
    fn booleans_in_spreadsheet_spellings() {
        assert_eq!(parse_bool("Ya"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
