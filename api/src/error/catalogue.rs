//! The catalogue of every error code the API can answer with.
//!
//! One line per code: its HTTP status, the stable machine `code`, a title in English and in
//! Bahasa Indonesia, and a description for integrators (rendered into the OpenAPI document).
//! Codes are a contract: never rename one; add a new code instead.

use actix_web::http::StatusCode;

macro_rules! catalogue {
    ($( $variant:ident = ($status:ident, $code:literal, $en:literal, $id:literal, $desc:literal); )*) => {
        /// A stable error code. See the module docs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $( #[doc = $desc] $variant, )* }

        impl ErrorCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            pub fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status,)* }
            }

            /// The machine-readable code sent as `code`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            pub fn title(self, lang: super::Lang) -> &'static str {
                match (self, lang) {
                    $((ErrorCode::$variant, super::Lang::En) => $en,
                      (ErrorCode::$variant, super::Lang::Id) => $id,)*
                }
            }

            /// What the code means and what the client should do.
            pub fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $desc,)* }
            }
        }
    };
}

catalogue! {
    // Generic request errors.
    MalformedJson = (BAD_REQUEST, "malformed_json", "Malformed JSON", "JSON tidak valid",
        "The request body is not well-formed JSON. `detail` gives the line and column.");
    InvalidEncoding = (BAD_REQUEST, "invalid_encoding", "Invalid text encoding", "Pengodean teks tidak valid",
        "The request body is not valid UTF-8.");
    UnknownField = (BAD_REQUEST, "unknown_field", "Unknown field", "Field tidak dikenal",
        "The body contains a field this operation does not accept; `errors[].field` names it.");
    InvalidParameter = (BAD_REQUEST, "invalid_parameter", "Invalid parameter", "Parameter tidak valid",
        "A path or query parameter is malformed (e.g. an id that is not a UUID); `errors[].field` names it.");
    ValidationFailed = (UNPROCESSABLE_ENTITY, "validation_failed", "Validation failed", "Validasi gagal",
        "The body is well-formed but some fields are invalid; `errors` lists each field, a code and a message.");
    UnsupportedMediaType = (UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Unsupported media type", "Jenis media tidak didukung",
        "The `Content-Type` is not one this operation accepts (usually `application/json`).");
    PayloadTooLarge = (PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large", "Muatan terlalu besar",
        "The body exceeds the limit for this kind of request; `detail` and `limit_bytes` give the limit.");
    BodyTimeout = (REQUEST_TIMEOUT, "body_timeout", "Body timed out", "Isi permintaan terhenti",
        "The body stopped arriving: no byte came for `KINERJA_REQUEST_TIMEOUT` seconds (30 by default). Nothing was changed; send the request again.");
    NotAcceptable = (NOT_ACCEPTABLE, "not_acceptable", "Not acceptable", "Format tidak tersedia",
        "No representation matches the `Accept` header.");
    RouteNotFound = (NOT_FOUND, "route_not_found", "Not found", "Tidak ditemukan",
        "No route matches this path.");
    NotFound = (NOT_FOUND, "not_found", "Not found", "Tidak ditemukan",
        "The resource does not exist or is not visible to the caller.");
    MethodNotAllowed = (METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed", "Metode tidak diizinkan",
        "The path exists but not with this method; the `Allow` header lists the methods it has.");
    BadRequest = (BAD_REQUEST, "bad_request", "Bad request", "Permintaan tidak valid",
        "The request could not be understood.");
    // Authentication and permissions.
    Unauthorized = (UNAUTHORIZED, "unauthorized", "Authentication required", "Autentikasi diperlukan",
        "No bearer token was sent. Get one from `POST /api/v1/auth/token`.");
    InvalidToken = (UNAUTHORIZED, "invalid_token", "Invalid token", "Token tidak valid",
        "The bearer token is malformed, forged, signed with another algorithm, expired, or its account is no longer active.");
    InvalidCredentials = (UNAUTHORIZED, "invalid_credentials", "Invalid credentials", "Kredensial tidak valid",
        "The username (or NIP) and password do not match an active account.");
    InvalidClient = (UNAUTHORIZED, "invalid_client", "Invalid client", "Klien tidak valid",
        "The client id and secret do not match an active service account.");
    InvalidRefreshToken = (UNAUTHORIZED, "invalid_refresh_token", "Invalid refresh token", "Refresh token tidak valid",
        "The refresh token is unknown, expired, revoked, or was already used (reuse revokes its whole family: log in again).");
    Forbidden = (FORBIDDEN, "forbidden", "Forbidden", "Tidak diizinkan",
        "The caller may see this resource but not do this action.");
    PasswordChangeRequired = (FORBIDDEN, "password_change_required", "Password change required", "Kata sandi harus diganti",
        "The account must change its password first (`POST /api/v1/users/{id}/password`); only `/me`, `/auth/*` and the password change answer until then.");
    TooManyAttempts = (TOO_MANY_REQUESTS, "too_many_attempts", "Too many attempts", "Terlalu banyak percobaan",
        "Too many failed logins for this account (from this address, or in all). Retry after `Retry-After` seconds.");
    RateLimited = (TOO_MANY_REQUESTS, "rate_limited", "Too many requests", "Terlalu banyak permintaan",
        "Too many requests from this client in the current window (public survey submissions: per client address and unit, or per kiosk account). Retry after `Retry-After` seconds.");
    // Concurrency and retries.
    PreconditionRequired = (PRECONDITION_REQUIRED, "precondition_required", "If-Match required", "If-Match diperlukan",
        "This change needs an `If-Match` header with the resource's current `ETag` (or `*`).");
    PreconditionFailed = (PRECONDITION_FAILED, "precondition_failed", "Resource changed", "Sumber daya telah berubah",
        "The resource changed since the `ETag` sent in `If-Match`: read it again and reapply the change.");
    InvalidIdempotencyKey = (BAD_REQUEST, "invalid_idempotency_key", "Invalid idempotency key", "Idempotency-Key tidak valid",
        "`Idempotency-Key` must be 1 to 255 visible ASCII characters.");
    IdempotencyKeyReused = (UNPROCESSABLE_ENTITY, "idempotency_key_reused", "Idempotency key reused", "Idempotency-Key dipakai ulang",
        "This `Idempotency-Key` was used for a different request body on this route within 24 hours.");
    IdempotencyInFlight = (CONFLICT, "idempotency_in_flight", "Request in progress", "Permintaan sedang diproses",
        "A request with this `Idempotency-Key` is still being processed; retry shortly to get its response.");
    IdempotencyNotReplayable = (CONFLICT, "idempotency_not_replayable", "Response not replayable", "Respons tidak dapat diulang",
        "This route's response carries a secret and is never stored: a repeated `Idempotency-Key` cannot be replayed. Use a new key.");
    // Accounts.
    UsernameTaken = (CONFLICT, "username_taken", "Username taken", "Nama pengguna sudah dipakai",
        "Another account already has this username (usernames are case-insensitive).");
    EmployeeHasAccount = (CONFLICT, "employee_has_account", "Employee has an account", "Pegawai sudah memiliki akun",
        "Another account is already linked to this employee (one account per employee).");
    LastAdmin = (CONFLICT, "last_admin", "Last administrator", "Administrator terakhir",
        "The change would leave no active administrator.");
    // Organisation.
    UnitCodeTaken = (CONFLICT, "unit_code_taken", "Unit code taken", "Kode unit sudah dipakai",
        "Another unit already has this code.");
    UnitCycle = (CONFLICT, "unit_cycle", "Unit tree cycle", "Siklus pohon unit",
        "The unit would become its own ancestor (moved under itself or a descendant).");
    UnitInUse = (CONFLICT, "unit_in_use", "Unit in use", "Unit masih dipakai",
        "The unit still has sub-units, staff, accounts or history: deactivate it with `active: false` instead.");
    NipTaken = (CONFLICT, "nip_taken", "NIP taken", "NIP sudah dipakai",
        "Another employee already has this NIP / NI PPPK.");
    ReportingCycle = (CONFLICT, "reporting_cycle", "Reporting line cycle", "Siklus garis atasan",
        "The employee would become his own (indirect) superior.");
    // Cycles.
    CycleYearTaken = (CONFLICT, "cycle_year_taken", "Year has a cycle", "Tahun sudah memiliki siklus",
        "A year has at most one performance cycle.");
    CycleNotPlanning = (CONFLICT, "cycle_not_planning", "Cycle not in planning", "Siklus tidak dalam perencanaan",
        "Only a cycle in planning can start.");
    CycleNotRunning = (CONFLICT, "cycle_not_running", "Cycle not running", "Siklus tidak berjalan",
        "Only a running cycle can close.");
    CycleClosed = (CONFLICT, "cycle_closed", "Cycle closed", "Siklus sudah ditutup",
        "A closed cycle does not change.");
    ObjectionsPending = (CONFLICT, "objections_pending", "Objections pending", "Keberatan masih berjalan",
        "The cycle closes only when no objection is open or may still be filed.");
    UnitNotOpd = (UNPROCESSABLE_ENTITY, "unit_not_opd", "Unit is not an OPD", "Unit bukan OPD",
        "A Perjanjian Kinerja belongs to an OPD (a unit with `is_opd: true`).");
    IndicatorCodeTaken = (CONFLICT, "indicator_code_taken", "Indicator code taken", "Kode indikator sudah dipakai",
        "The OPD already has an indicator with this code in the cycle.");
    // SKP.
    SkpExists = (CONFLICT, "skp_exists", "SKP exists", "SKP sudah ada",
        "The employee already has an SKP in this cycle for these dates (a transfer ends one with `end_date` first).");
    SkpNotEditable = (CONFLICT, "skp_not_editable", "SKP not editable", "SKP tidak dapat diubah",
        "Only a draft or returned SKP can be edited.");
    SkpNotSubmittable = (CONFLICT, "skp_not_submittable", "SKP cannot be submitted", "SKP tidak dapat diajukan",
        "Only a draft or returned SKP can be submitted.");
    SkpNotSubmitted = (CONFLICT, "skp_not_submitted", "SKP not submitted", "SKP belum diajukan",
        "Only a submitted SKP can be approved or returned.");
    SkpEmpty = (UNPROCESSABLE_ENTITY, "skp_empty", "SKP empty", "SKP kosong",
        "An SKP needs at least one utama RHK with an indicator to be submitted.");
    PenilaiSkpNotApproved = (CONFLICT, "penilai_skp_not_approved", "Penilai's SKP not approved", "SKP penilai belum disetujui",
        "An RHK intervenes an RHK of the penilai's SKP, which must be approved before this SKP is submitted.");
    SkpNotApproved = (CONFLICT, "skp_not_approved", "SKP not approved", "SKP belum disetujui",
        "Only an approved SKP can be revised.");
    RevisionOpen = (CONFLICT, "revision_open", "Revision open", "Revisi masih terbuka",
        "This SKP already has an open revision: finish that one first.");
    IndicatorComputed = (CONFLICT, "indicator_computed", "Indicator computed", "Indikator dihitung sistem",
        "This Perjanjian Kinerja indicator takes its realisasi from the citizen satisfaction survey (source ikm); it is not entered by hand.");
    RhkCodeTaken = (CONFLICT, "rhk_code_taken", "RHK code taken", "Kode RHK sudah dipakai",
        "Another RHK or indicator of this SKP has this code.");
    // Evaluations and objections.
    PeriodLocked = (CONFLICT, "period_locked", "Period locked", "Periode terkunci",
        "The evaluation of this period is finalised: its realisasi no longer changes (an admin reopens it with a reason).");
    EvaluationFinalized = (CONFLICT, "evaluation_finalized", "Evaluation finalised", "Evaluasi sudah final",
        "A finalised evaluation is locked: an admin reopens it with a reason first.");
    EvaluationVoid = (CONFLICT, "evaluation_void", "Evaluation void", "Evaluasi batal",
        "The SKP ended before this period: its evaluation is void.");
    SelfAssessmentClosed = (CONFLICT, "self_assessment_closed", "Self-assessment closed", "Penilaian diri ditutup",
        "The penilai has already rated: the self-assessment is given before that.");
    EvaluationNotAssessed = (CONFLICT, "evaluation_not_assessed", "Evaluation not assessed", "Evaluasi belum dinilai",
        "Only an assessed evaluation is finalised.");
    EvaluationNotFinalized = (CONFLICT, "evaluation_not_finalized", "Evaluation not finalised", "Evaluasi belum final",
        "Only a finalised evaluation is reopened or objected to.");
    FinalizedByCalibration = (CONFLICT, "finalized_by_calibration", "Finalised by calibration", "Difinalkan melalui kalibrasi",
        "The annual (q4) evaluation is finalised through the OPD's calibration, not one by one.");
    OrgPredikatMissing = (CONFLICT, "org_predikat_missing", "OPD predikat not set", "Predikat OPD belum ditetapkan",
        "The head of an OPD is rated from the OPD's predikat of the period, which is not set yet.");
    ObjectionWindowClosed = (CONFLICT, "objection_window_closed", "Objection window closed", "Batas waktu keberatan lewat",
        "Objections are filed within the cycle's objection window (14 calendar days by default, WIB) after finalisation.");
    ObjectionExists = (CONFLICT, "objection_exists", "Objection exists", "Keberatan sudah ada",
        "This evaluation already has an objection; its decision is final.");
    ObjectionExplained = (CONFLICT, "objection_explained", "Objection explained", "Keberatan sudah ditanggapi",
        "The penilai has already given his explanation.");
    ObjectionDecided = (CONFLICT, "objection_decided", "Objection decided", "Keberatan sudah diputus",
        "The objection is decided; the decision is final.");
    ObjectionAwaitingExplanation = (CONFLICT, "objection_awaiting_explanation", "Awaiting the explanation", "Menunggu tanggapan penilai",
        "The decision comes after the penilai's explanation, or once its 7 days have passed without one.");
    // Organisational performance and calibration.
    EvaluationsOpen = (CONFLICT, "evaluations_open", "Evaluations still open", "Evaluasi masih terbuka",
        "Calibration finalises the OPD's annual evaluations once every one of them is assessed; `employees` lists those still open.");
    CurveBreached = (CONFLICT, "curve_breached", "Distribution curve breached", "Kurva distribusi dilanggar",
        "The employees' predikat break the distribution the OPD's predikat allows (SE MenPANRB 3/2023); `breaches` lists each rule. Re-assess, or the leader above or an admin finalises with an `override_reason`.");
    CalibrationFinalized = (CONFLICT, "calibration_finalized", "Calibration finalised", "Kalibrasi sudah final",
        "The OPD's annual calibration is finalised: its predikat and its employees' annual evaluations stand.");
    // Citizen satisfaction survey.
    UnitNotServiceUnit = (UNPROCESSABLE_ENTITY, "unit_not_service_unit", "Unit is not a service unit", "Unit bukan unit layanan",
        "Services and survey periods belong to a service unit (`is_service_unit: true`).");
    ServiceCodeTaken = (CONFLICT, "service_code_taken", "Service code taken", "Kode layanan sudah dipakai",
        "The unit already has a service with this code.");
    SurveyPeriodOverlap = (CONFLICT, "survey_period_overlap", "Survey periods overlap", "Periode survei tumpang tindih",
        "A response belongs to the one survey period whose dates contain it: a unit's periods do not overlap.");
    SurveyPeriodClosed = (CONFLICT, "survey_period_closed", "Survey period closed", "Periode survei sudah ditutup",
        "The survey period is closed: it takes no more responses, and its results and the feedback they gave stand.");
    // Competency development.
    TrainingFull = (CONFLICT, "training_full", "Programme full", "Kuota program penuh",
        "Every seat of the programme's quota is taken (dropped participations free theirs).");
    TrainingEnded = (CONFLICT, "training_ended", "Programme ended", "Program sudah berakhir",
        "The programme's end date has passed: it takes no new enrolments.");
    AlreadyEnrolled = (CONFLICT, "already_enrolled", "Already enrolled", "Sudah terdaftar",
        "The employee already holds a seat in this programme (or has completed it).");
    ParticipationClosed = (CONFLICT, "participation_closed", "Participation closed", "Keikutsertaan sudah ditutup",
        "The participation is completed or dropped: it no longer changes.");
    RecordDecided = (CONFLICT, "record_decided", "Record already decided", "Catatan sudah diputuskan",
        "The training record was already approved or rejected; the decision stands.");
    DuplicateRecord = (CONFLICT, "duplicate_record", "Duplicate training record", "Catatan pelatihan ganda",
        "The employee already has a training record with this certificate number (or this title on this date): JP count once.");
    NotRecommended = (UNPROCESSABLE_ENTITY, "not_recommended", "Programme not recommended", "Program tidak direkomendasikan",
        "A development plan takes programmes from the employee's recommendations for the cycle; `errors` names each that is not one.");
    // Imports.
    ImportInvalid = (UNPROCESSABLE_ENTITY, "import_invalid", "Import invalid", "Impor tidak valid",
        "Some rows are invalid; nothing was written. `errors` lists every bad row (`row` as in the file: the spreadsheet row for CSV with the header as row 1, the 1-based position for JSON), `field`, `code` and `message`; `created`, `updated`, `unchanged` count the valid rows.");
    ImportEmpty = (UNPROCESSABLE_ENTITY, "import_empty", "Empty import", "Impor kosong",
        "The file has no data rows.");
    ImportAlreadyApplied = (CONFLICT, "import_already_applied", "Import already applied", "Impor sudah diterapkan",
        "This very file (the same SHA-256) was imported before. Imports without a natural key (survey responses) would count its rows twice, so a file is applied once.");
    // Integration.
    InvalidCursor = (UNPROCESSABLE_ENTITY, "invalid_cursor", "Invalid cursor", "Kursor tidak valid",
        "`after` is not a cursor of the events feed: send the `cursor` of an event you received, or the `next_cursor` of the last page (omit it to start from the beginning).");
    // Service state.
    DatabaseUnavailable = (SERVICE_UNAVAILABLE, "database_unavailable", "Database unavailable", "Basis data tidak tersedia",
        "The database cannot be reached right now. Retry after the number of seconds in `Retry-After`.");
    InternalError = (INTERNAL_SERVER_ERROR, "internal_error", "Internal server error", "Kesalahan internal server",
        "An unexpected error. The body never contains internals; quote `request_id` when reporting it.");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_and_described() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "code {s} is not snake_case"
            );
            assert!(!code.description().is_empty());
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
    }
}
