//! FHIR R4 Questionnaire interop: import a Questionnaire (with SDC scoring) as a form,
//! and export every form as a Questionnaire.
//!
//! The stages, one module each: [`json`] reads the file within limits and knows where
//! every JSON value is; [`import`] maps a Questionnaire to a [`crate::model::Form`],
//! with [`expr`] recognising scoring expressions; [`scenarios`] writes form tests with
//! our scoring engine; [`yaml`] writes the form files; [`export`] goes the other way.

pub mod export;
pub mod expr;
pub mod ext;
pub mod import;
pub mod json;
pub mod problem;
pub mod scenarios;
pub mod yaml;

use crate::diagnostic::Code;

/// The diagnostic codes of FHIR import and export. `moment check` never gives them;
/// `tests/fhir.rs` holds a fixture for each.
pub const CODES: &[Code] = &[
    Code::FhirNotJson,
    Code::FhirNotQuestionnaire,
    Code::FhirVersion,
    Code::FhirDuplicateLinkId,
    Code::FhirTooDeep,
    Code::FhirTooLarge,
    Code::FhirUnknownExtension,
    Code::FhirUnsupported,
    Code::FhirTargetExists,
    Code::FhirImportFails,
    Code::FhirNotCarried,
    Code::FhirScoreGap,
    Code::FhirRenamed,
    Code::FhirNoBands,
    Code::FhirExportLoss,
];
