//! Messages of the content rules: images, links, media, forms placed in modules,
//! headings and readability.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// What the content rules report.
#[derive(Clone, Debug)]
pub enum Content {
    /// W014.
    WelcomeBlock { kind: &'static str },
    /// Hint.
    WelcomeBlockHint,
    /// W001.
    ImageNoAlt,
    /// W001, the alt text is still the editor's placeholder.
    ImageAltPlaceholder,
    /// Hint.
    ImageNoAltHint,
    /// An unsafe image scheme.
    ImageScheme { scheme: String },
    /// Hint.
    ImageSchemeHint,
    /// W005.
    VagueLink { text: String },
    /// Hint.
    VagueLinkHint,
    /// An unsafe link scheme.
    LinkScheme { scheme: String },
    /// Hint.
    LinkSchemeHint,
    /// W011.
    RawHtml,
    /// Hint.
    RawHtmlHint,
    /// W002.
    VideoNoCaptions { title: String },
    /// Hint.
    VideoNoCaptionsHint,
    /// W003.
    AudioNoTranscript { title: String },
    /// Hint.
    AudioNoTranscriptHint,
    /// E029.
    NoForm { id: String },
    /// Hint: a close id.
    DidYouMean { close: String },
    /// Hint: create the form.
    CreateForm { id: String },
    /// W009.
    Lix { value: String, limit: String },
    /// Hint.
    LixHint,
    /// W024.
    ScheduleUnused { form: String },
    /// Hint.
    ScheduleUnusedHint { form: String },
    /// W012.
    UnusedForm { form: String },
    /// Hint.
    UnusedFormHint { form: String },
    /// W004.
    HeadingSkip { level: u8, previous: u8 },
    /// Hint.
    HeadingSkipHint { hashes: String },
    /// E050.
    FileType { written: String, ext: String },
    /// Hint.
    FileTypeHint { allowed: String },
    /// W006, not a module.
    NotAModule { path: String },
    /// Hint.
    NotAModuleHint,
    /// W006, missing target.
    LinkMissing { path: String },
    /// Hint.
    LinkMissingHint,
    /// Hint for links that leave the moment.
    LinkInsideHint,
    /// W006, no such anchor.
    NoAnchor { anchor: String },
    /// Hint: a close anchor.
    DidYouMeanAnchor { close: String },
    /// Hint: no headings.
    NoHeadings,
    /// Hint: the anchors there.
    AnchorsThere { list: String },
}

impl Message for Content {
    fn text(&self, lang: Lang) -> String {
        use Content::*;
        match self {
            WelcomeBlock { kind } => t!(
                lang,
                "a {kind} block in the welcome text is not shown",
                "ett {kind}-block i välkomsttexten visas inte"
            ),
            WelcomeBlockHint => t!(
                lang,
                "the welcome text is plain prose; put videos, audio and forms in a module",
                "välkomsttexten är bara löptext; lägg filmer, ljud och formulär i en modul"
            ),
            ImageNoAlt => t!(lang, "image without alt text", "bild utan alternativtext"),
            ImageAltPlaceholder => t!(
                lang,
                "the image's alt text is still the placeholder",
                "bildens alternativtext är fortfarande platshållaren"
            ),
            ImageNoAltHint => t!(
                lang,
                "describe what the image shows between the brackets: ![Person som sover](../media/somn.png)",
                "beskriv vad bilden visar mellan hakparenteserna: ![Person som sover](../media/somn.png)"
            ),
            ImageScheme { scheme } => t!(
                lang,
                "`{scheme}:` images are not allowed and are removed from the output",
                "bilder med `{scheme}:` är inte tillåtna och tas bort ur resultatet"
            ),
            ImageSchemeHint => t!(
                lang,
                "put the image in the moment's media/ folder and refer to it relatively",
                "lägg bilden i momentets mapp media/ och hänvisa till den relativt"
            ),
            VagueLink { text } => t!(
                lang,
                "the link text `{text}` does not say where it leads",
                "länktexten `{text}` säger inte vart länken leder"
            ),
            VagueLinkHint => t!(
                lang,
                "use words that make sense on their own, such as [Sömndagboken](02-somndagbok.md)",
                "använd ord som går att förstå fristående, som [Sömndagboken](02-somndagbok.md)"
            ),
            LinkScheme { scheme } => t!(
                lang,
                "`{scheme}:` links are not allowed and are removed from the output",
                "länkar med `{scheme}:` är inte tillåtna och tas bort ur resultatet"
            ),
            LinkSchemeHint => t!(
                lang,
                "link to a module of this moment, or to a full https:// address",
                "länka till en modul i det här momentet, eller till en fullständig https://-adress"
            ),
            RawHtml => t!(
                lang,
                "raw HTML is dropped from the output",
                "rå HTML tas bort ur resultatet"
            ),
            RawHtmlHint => t!(
                lang,
                "use Markdown instead; HTML in content is never shown, for the citizens' safety",
                "använd Markdown i stället; HTML i innehållet visas aldrig, för invånarnas säkerhet"
            ),
            VideoNoCaptions { title } => t!(
                lang,
                "video `{title}` has no captions",
                "filmen `{title}` har ingen undertext"
            ),
            VideoNoCaptionsHint => t!(
                lang,
                "add `captions: ../media/<name>.sv.vtt` with WebVTT captions, for people who cannot hear the sound",
                "lägg till `captions: ../media/<namn>.sv.vtt` med undertext i WebVTT, för den som inte kan höra ljudet"
            ),
            AudioNoTranscript { title } => t!(
                lang,
                "audio `{title}` has no transcript",
                "ljudet `{title}` har ingen textversion"
            ),
            AudioNoTranscriptHint => t!(
                lang,
                "add `transcript: ../media/<name>.txt` with the spoken words, for people who cannot hear them",
                "lägg till `transcript: ../media/<namn>.txt` med det som sägs, för den som inte kan höra det"
            ),
            NoForm { id } => t!(
                lang,
                "no form `{id}` in forms/",
                "inget formulär `{id}` i forms/"
            ),
            DidYouMean { close } => t!(lang, "did you mean `{close}`?", "menade du `{close}`?"),
            CreateForm { id } => t!(lang, "create forms/{id}.yaml", "skapa forms/{id}.yaml"),
            Lix { value, limit } => t!(
                lang,
                "LIX readability index is {value}, above the limit of {limit}",
                "läsbarhetsindex LIX är {value}, över gränsen {limit}"
            ),
            LixHint => t!(
                lang,
                "use shorter sentences and shorter words; below 40 is easy to read for most citizens",
                "använd kortare meningar och kortare ord; under 40 är lätt att läsa för de flesta invånare"
            ),
            ScheduleUnused { form } => t!(
                lang,
                "form `{form}` has a schedule, but no module places it: no measurement is ever made",
                "formuläret `{form}` har ett schema, men ingen modul visar det: ingen mätning görs någonsin"
            ),
            ScheduleUnusedHint { form } => t!(
                lang,
                "place it in the module where the measurement starts, with a block ```form / ref: {form} / ```, or delete the form",
                "placera det i modulen där mätningen börjar, med ett block ```form / ref: {form} / ```, eller ta bort formuläret"
            ),
            UnusedForm { form } => t!(
                lang,
                "form `{form}` is not used by any module",
                "formuläret `{form}` används inte i någon modul"
            ),
            UnusedFormHint { form } => t!(
                lang,
                "place it in a module with a block ```form / ref: {form} / ```, or delete it",
                "placera det i en modul med ett block ```form / ref: {form} / ```, eller ta bort det"
            ),
            HeadingSkip { level, previous } => t!(
                lang,
                "heading level {level} follows level {previous}",
                "rubriknivå {level} kommer efter nivå {previous}"
            ),
            HeadingSkipHint { hashes } => t!(
                lang,
                "use {hashes} here; the page title is the level-1 heading and each level goes one step deeper",
                "använd {hashes} här; sidans titel är rubriken på nivå 1 och varje nivå går ett steg djupare"
            ),
            FileType { written, ext } => t!(
                lang,
                "`{written}`: files of type .{ext} are not published",
                "`{written}`: filer av typen .{ext} publiceras inte"
            ),
            FileTypeHint { allowed } => t!(
                lang,
                "browsers can run scripts in some file types; use one of: {allowed}",
                "webbläsare kan köra skript i vissa filtyper; använd någon av: {allowed}"
            ),
            NotAModule { path } => t!(
                lang,
                "`{path}` is not a module of this moment",
                "`{path}` är inte en modul i det här momentet"
            ),
            NotAModuleHint => t!(
                lang,
                "link to a file listed under `modules:` in moment.yaml, or to the welcome text",
                "länka till en fil som står under `modules:` i moment.yaml, eller till välkomsttexten"
            ),
            LinkMissing { path } => t!(
                lang,
                "the link target `{path}` does not exist",
                "länkmålet `{path}` finns inte"
            ),
            LinkMissingHint => t!(
                lang,
                "links between modules are relative to the module's file, such as 02-somndagbok.md",
                "länkar mellan moduler är relativa till modulens fil, som 02-somndagbok.md"
            ),
            LinkInsideHint => t!(
                lang,
                "link only to modules of this moment, or to a full https:// address",
                "länka bara till moduler i det här momentet, eller till en fullständig https://-adress"
            ),
            NoAnchor { anchor } => t!(
                lang,
                "no heading with the anchor `#{anchor}`",
                "ingen rubrik har ankaret `#{anchor}`"
            ),
            DidYouMeanAnchor { close } => {
                t!(lang, "did you mean `#{close}`?", "menade du `#{close}`?")
            }
            NoHeadings => t!(
                lang,
                "the target has no headings",
                "målet har inga rubriker"
            ),
            AnchorsThere { list } => t!(lang, "anchors there: {list}", "ankare där: {list}"),
        }
    }
}
