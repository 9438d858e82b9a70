//! Extension URLs: the canonical SDC and core-extension ones, and moment's own.

/// The score of an answer option (core extensions, used by SDC 3+).
pub const ITEM_WEIGHT: &str = "http://hl7.org/fhir/StructureDefinition/itemWeight";
/// The score of a coding (R4 core).
pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// An item's computed value (SDC).
pub const CALCULATED_EXPRESSION: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";
/// When an item is shown, as a FHIRPath expression (SDC).
pub const ENABLE_WHEN_EXPRESSION: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression";
/// A named FHIRPath expression usable as `%name` (core).
pub const VARIABLE: &str = "http://hl7.org/fhir/StructureDefinition/variable";
/// Smallest allowed answer (core).
pub const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
/// Largest allowed answer (core).
pub const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
/// How an item is shown: slider, help text… (core).
pub const ITEM_CONTROL: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl";
/// The unit of a numeric answer (core).
pub const UNIT: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
/// The step of a slider (core).
pub const SLIDER_STEP: &str =
    "http://hl7.org/fhir/StructureDefinition/questionnaire-sliderStepValue";
/// The code system of `itemControl` codes.
pub const ITEM_CONTROL_SYSTEM: &str = "http://hl7.org/fhir/questionnaire-item-control";

/// moment's own: a band of a score, on the score's calculated item (`min`, `max`,
/// `label` as sub-extensions). FHIR has no standard one; import reads it back.
pub const MOMENT_BAND: &str = "https://moment.invalid/fhir/StructureDefinition/score-band";
/// moment's own: a score's missing-answer rule (`allow`, `method`, `round`).
pub const MOMENT_MISSING: &str = "https://moment.invalid/fhir/StructureDefinition/score-missing";
/// moment's own: what the smallest and largest value of a scale mean.
pub const MOMENT_SCALE_LABEL: &str = "https://moment.invalid/fhir/StructureDefinition/scale-label";

/// Extensions import reads and maps.
pub const UNDERSTOOD: &[&str] = &[
    ITEM_WEIGHT,
    ORDINAL_VALUE,
    CALCULATED_EXPRESSION,
    ENABLE_WHEN_EXPRESSION,
    VARIABLE,
    MIN_VALUE,
    MAX_VALUE,
    ITEM_CONTROL,
    UNIT,
    SLIDER_STEP,
    MOMENT_BAND,
    MOMENT_MISSING,
    MOMENT_SCALE_LABEL,
];

/// Extensions that only change how a renderer shows something, or record where the
/// content came from: import reports each as not carried over and goes on.
pub const PRESENTATION: &[&str] = &[
    "http://hl7.org/fhir/StructureDefinition/rendering-xhtml",
    "http://hl7.org/fhir/StructureDefinition/rendering-style",
    "http://hl7.org/fhir/StructureDefinition/rendering-markdown",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-displayCategory",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-optionPrefix",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-choiceOrientation",
    "http://hl7.org/fhir/StructureDefinition/entryFormat",
    "http://hl7.org/fhir/StructureDefinition/translation",
    "http://hl7.org/fhir/StructureDefinition/questionnaire-supportLink",
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-shortText",
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-entryMode",
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-width",
];
