//! Every route of the API, registered through utoipa-actix-web so the OpenAPI document is
//! collected from the same calls that build the router and cannot drift from it.

pub mod audit;
pub mod auth;
pub mod calibration;
pub mod cycles;
pub mod dto;
pub mod employees;
pub mod evaluations;
pub mod events;
pub mod exports;
pub mod feedback;
pub mod imports;
pub mod indicators;
pub mod progress;
pub mod public_survey;
pub mod realizations;
pub mod reports;
pub mod service;
pub mod service_accounts;
pub mod skm;
pub mod skps;
pub mod training;
pub mod units;
pub mod users;

use actix_web::middleware::from_fn;
use actix_web::web;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::fallback::not_found_or_method_not_allowed;
use crate::http::idempotency::idempotency;

/// Registers every documented route. Used by the server and by `kinerja openapi` alike.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(service::health)
        .service(service::ready)
        .service(
            scope::scope("/api/v1")
                // Inside the idempotency middleware: an abandoned request releases its key.
                .wrap(from_fn(crate::http::deadline::deadline))
                .wrap(from_fn(idempotency))
                .service(auth::token)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::me)
                .service(users::list_users)
                .service(users::create_user)
                .service(users::get_user)
                .service(users::update_user)
                .service(users::change_password)
                .service(users::create_from_employees)
                .service(units::list_units)
                .service(units::create_unit)
                .service(units::get_unit)
                .service(units::update_unit)
                .service(units::delete_unit)
                .service(employees::list_employees)
                .service(employees::create_employee)
                .service(employees::get_employee)
                .service(employees::update_employee)
                .service(employees::list_subordinates)
                .service(imports::import_units)
                .service(imports::import_employees)
                .service(imports::import_skps)
                .service(imports::import_realizations)
                .service(imports::import_survey_responses)
                .service(imports::import_training_records)
                .service(public_survey::get_questionnaire)
                .service(public_survey::issue_token)
                .service(public_survey::submit_response)
                .service(cycles::list_cycles)
                .service(cycles::create_cycle)
                .service(cycles::get_cycle)
                .service(cycles::update_cycle)
                .service(cycles::start_cycle)
                .service(cycles::close_cycle)
                .service(indicators::list_indicators)
                .service(indicators::create_indicator)
                .service(indicators::update_indicator)
                .service(skps::list_skps)
                .service(skps::create_skp)
                .service(skps::get_skp)
                .service(skps::update_skp)
                .service(skps::add_rhk)
                .service(skps::update_rhk)
                .service(skps::delete_rhk)
                .service(skps::submit_skp)
                .service(skps::approve_skp)
                .service(skps::revise_skp)
                .service(realizations::record_realization)
                .service(realizations::list_realizations)
                .service(realizations::record_unit_realization)
                .service(feedback::list_skp_feedback)
                .service(feedback::give_feedback)
                .service(feedback::get_feedback)
                .service(feedback::reply_feedback)
                .service(feedback::read_feedback)
                .service(feedback::list_unit_feedback)
                .service(evaluations::list_evaluations)
                .service(evaluations::get_evaluation)
                .service(evaluations::evaluation_actions)
                .service(evaluations::put_self_assessment)
                .service(evaluations::put_assessment)
                .service(evaluations::finalize_evaluation)
                .service(evaluations::reopen_evaluation)
                .service(evaluations::file_objection)
                .service(evaluations::list_objections)
                .service(evaluations::get_objection)
                .service(evaluations::explain_objection)
                .service(evaluations::decide_objection)
                .service(skm::list_services)
                .service(skm::create_service)
                .service(skm::update_service)
                .service(skm::list_survey_periods)
                .service(skm::create_survey_period)
                .service(skm::close_survey_period)
                .service(skm::unit_feedback)
                .service(skm::results)
                .service(skm::public_ikm)
                .service(calibration::get_performance)
                .service(calibration::put_performance)
                .service(calibration::get_calibration)
                .service(calibration::finalize_calibration)
                .service(calibration::city_calibration)
                .service(skps::return_skp)
                .service(skps::skp_actions)
                .service(service_accounts::create_service_account)
                .service(service_accounts::list_service_accounts)
                .service(service_accounts::get_service_account)
                .service(service_accounts::update_service_account)
                .service(service_accounts::rotate_service_account)
                .service(service_accounts::revoke_service_account)
                .service(reports::predikat_distribution)
                .service(reports::ikm_trend)
                .service(reports::follow_up)
                .service(training::list_trainings)
                .service(training::create_training)
                .service(training::get_training)
                .service(training::update_training)
                .service(training::list_participants)
                .service(training::enrol)
                .service(training::get_participant)
                .service(training::attend)
                .service(training::complete)
                .service(training::drop_out)
                .service(training::employee_records)
                .service(training::submit_record)
                .service(training::list_records)
                .service(training::get_record)
                .service(training::record_actions)
                .service(training::approve_record)
                .service(training::reject_record)
                .service(training::training_compliance)
                .service(training::recommendations)
                .service(training::accept_plan)
                .service(training::get_plan)
                .service(progress::participation)
                .service(progress::participation_employees)
                .service(progress::monthly_performance)
                .service(progress::overview)
                .service(audit::list_audit_events)
                .service(events::list_events)
                .service(exports::annual_predikat)
                // Unmatched paths under the scope would otherwise get actix's bare 404.
                .default_service(web::to(not_found_or_method_not_allowed)),
        );
}
