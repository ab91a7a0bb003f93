//! Permissions stated in handler signatures: `Need<ManageUsers>` lets the handler run only for
//! callers the policy allows (403 otherwise). Object-level checks (is this SKP mine?) happen in
//! the services, which know the objects.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::caller::{Caller, resolve};
use crate::error::{ApiError, ErrorCode};

pub trait Policy: 'static {
    /// Who passes, in words (for error details).
    const WHO: &'static str;
    fn allows(caller: &Caller) -> bool;
}

/// An authenticated caller that the policy `P` allows.
#[derive(Debug)]
pub struct Need<P: Policy> {
    pub caller: Caller,
    _policy: PhantomData<P>,
}

impl<P: Policy> FromRequest for Need<P> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let caller = resolve(&req, false).await?;
            if !P::allows(&caller) {
                return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
                    format!("Only {} may do this.", P::WHO),
                    format!("Hanya {} yang boleh melakukan ini.", P::WHO),
                ));
            }
            Ok(Need {
                caller,
                _policy: PhantomData,
            })
        })
    }
}

/// BKPSDM administrators.
#[derive(Debug)]
pub struct AdminOnly;
impl Policy for AdminOnly {
    const WHO: &'static str = "admin";
    fn allows(caller: &Caller) -> bool {
        caller.is_admin()
    }
}

/// Administrators and auditors (read-only everywhere).
#[derive(Debug)]
pub struct AdminOrAuditor;
impl Policy for AdminOrAuditor {
    const WHO: &'static str = "admin, auditor";
    fn allows(caller: &Caller) -> bool {
        caller.is_admin() || caller.is_auditor()
    }
}

/// Reads the organisation: every signed-in person, and services with `read:org`.
#[derive(Debug)]
pub struct OrgReader;
impl Policy for OrgReader {
    const WHO: &'static str = "signed-in users and services with read:org";
    fn allows(caller: &Caller) -> bool {
        caller.user().is_some() || caller.has_scope(kinerja_domain::accounts::Scope::ReadOrg)
    }
}

/// Changes the organisation: admins everywhere, unit admins in the units they manage (the
/// service checks which).
#[derive(Debug)]
pub struct OrgManager;
impl Policy for OrgManager {
    const WHO: &'static str = "admin, unit_admin";
    fn allows(caller: &Caller) -> bool {
        crate::services::scope::may_manage_org(caller)
    }
}

/// Imports units: admins, and integrations with `import:units`.
#[derive(Debug)]
pub struct ImportsUnits;
impl Policy for ImportsUnits {
    const WHO: &'static str = "admin or a service account with import:units";
    fn allows(caller: &Caller) -> bool {
        caller.is_admin() || caller.has_scope(kinerja_domain::accounts::Scope::ImportUnits)
    }
}

/// Imports employees: admins, and integrations with `import:employees`.
#[derive(Debug)]
pub struct ImportsEmployees;
impl Policy for ImportsEmployees {
    const WHO: &'static str = "admin or a service account with import:employees";
    fn allows(caller: &Caller) -> bool {
        caller.is_admin() || caller.has_scope(kinerja_domain::accounts::Scope::ImportEmployees)
    }
}

/// Imports SKPs: admins, unit admins (for the staff of the units they manage: the import checks
/// every row), and integrations with `import:skps`.
#[derive(Debug)]
pub struct ImportsSkps;
impl Policy for ImportsSkps {
    const WHO: &'static str = "admin, unit_admin or a service account with import:skps";
    fn allows(caller: &Caller) -> bool {
        crate::services::scope::may_manage_org(caller)
            || caller.has_scope(kinerja_domain::accounts::Scope::ImportSkps)
    }
}

/// Imports realisasi: admins, unit admins (for the staff of the units they manage: the import
/// checks every row), and integrations with `import:realizations`.
#[derive(Debug)]
pub struct ImportsRealizations;
impl Policy for ImportsRealizations {
    const WHO: &'static str = "admin, unit_admin or a service account with import:realizations";
    fn allows(caller: &Caller) -> bool {
        crate::services::scope::may_manage_org(caller)
            || caller.has_scope(kinerja_domain::accounts::Scope::ImportRealizations)
    }
}

/// Reads performance data (cycles, SKPs as scoped by the services): every signed-in person, and
/// services with `read:performance`.
#[derive(Debug)]
pub struct PerformanceReader;
impl Policy for PerformanceReader {
    const WHO: &'static str = "signed-in users and services with read:performance";
    fn allows(caller: &Caller) -> bool {
        caller.user().is_some()
            || caller.has_scope(kinerja_domain::accounts::Scope::ReadPerformance)
    }
}

/// Imports paper survey questionnaires: admins, unit admins (for the service units they manage:
/// the import checks every row), and integrations with `import:survey-responses`.
#[derive(Debug)]
pub struct ImportsSurveyResponses;
impl Policy for ImportsSurveyResponses {
    const WHO: &'static str = "admin, unit_admin or a service account with import:survey-responses";
    fn allows(caller: &Caller) -> bool {
        crate::services::scope::may_manage_org(caller)
            || caller.has_scope(kinerja_domain::accounts::Scope::ImportSurveyResponses)
    }
}

/// Reads reports (scoped by the services): every signed-in person, and services with
/// `read:reports` or `read:performance`.
#[derive(Debug)]
pub struct ReportReader;
impl Policy for ReportReader {
    const WHO: &'static str = "signed-in users and services with read:reports or read:performance";
    fn allows(caller: &Caller) -> bool {
        caller.user().is_some()
            || caller.has_scope(kinerja_domain::accounts::Scope::ReadReports)
            || caller.has_scope(kinerja_domain::accounts::Scope::ReadPerformance)
    }
}

/// Imports training records: admins, unit admins (for the staff of the units they manage: the
/// import checks every row), and integrations with `import:training-records`.
#[derive(Debug)]
pub struct ImportsTrainingRecords;
impl Policy for ImportsTrainingRecords {
    const WHO: &'static str = "admin, unit_admin or a service account with import:training-records";
    fn allows(caller: &Caller) -> bool {
        crate::services::scope::may_manage_org(caller)
            || caller.has_scope(kinerja_domain::accounts::Scope::ImportTrainingRecords)
    }
}

/// Reads the events feed: admins, auditors, and integrations with `read:events`.
#[derive(Debug)]
pub struct EventsReader;
impl Policy for EventsReader {
    const WHO: &'static str = "admin, auditor or a service account with read:events";
    fn allows(caller: &Caller) -> bool {
        caller.is_admin()
            || caller.is_auditor()
            || caller.has_scope(kinerja_domain::accounts::Scope::ReadEvents)
    }
}

/// Reads city-wide performance exports (the annual predikat of every employee): admins,
/// auditors, and integrations with `read:performance` or `read:reports`.
#[derive(Debug)]
pub struct PerformanceExporter;
impl Policy for PerformanceExporter {
    const WHO: &'static str =
        "admin, auditor or a service account with read:performance or read:reports";
    fn allows(caller: &Caller) -> bool {
        caller.is_admin()
            || caller.is_auditor()
            || caller.has_scope(kinerja_domain::accounts::Scope::ReadPerformance)
            || caller.has_scope(kinerja_domain::accounts::Scope::ReadReports)
    }
}
