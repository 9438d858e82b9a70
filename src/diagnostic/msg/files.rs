//! Messages about files: reading them safely, paths that refer to them, and the
//! files every repository and moment needs.

use crate::diagnostic::{Lang, Message};
use crate::t;

/// What a special (not regular) file is, in words.
#[derive(Clone, Copy, Debug)]
pub enum Special {
    /// A folder.
    Folder,
    /// A named pipe.
    Fifo,
    /// A device.
    Device,
    /// A socket.
    Socket,
    /// Anything else.
    Other,
}

impl Message for Special {
    fn text(&self, lang: Lang) -> String {
        match self {
            Special::Folder => t!(lang, "a folder", "en mapp"),
            Special::Fifo => t!(lang, "a named pipe (fifo)", "ett namngivet rör (fifo)"),
            Special::Device => t!(lang, "a device", "en enhet"),
            Special::Socket => t!(lang, "a socket", "en socket"),
            Special::Other => t!(lang, "not a regular file", "inte en vanlig fil"),
        }
    }
}

/// A way a written path can be wrong.
#[derive(Clone, Copy, Debug)]
pub enum PathWrong {
    /// `/x` or `\x`.
    Absolute,
    /// `C:`.
    DriveLetter,
    /// `https://…` where a file is meant.
    Url,
    /// A `:` in a name.
    NotPortable,
    /// `..` out of the moment.
    Escapes,
    /// Through a symbolic link.
    Symlink,
    /// Does not exist.
    Missing,
}

/// What the file stage reports.
#[derive(Clone, Debug)]
pub enum Files {
    /// The file does not exist.
    FileMissing,
    /// Hint: check it exists.
    CheckReadable,
    /// The file or a folder above it is a symbolic link.
    SymlinkFile,
    /// Hint: replace the link with a copy.
    ReplaceLink,
    /// The file is a special file.
    NotRegular { kind: Special },
    /// Hint: sources and media are ordinary files.
    NotRegularHint,
    /// Larger than the limit.
    TooLarge { limit: String },
    /// Hint: split it.
    TooLargeHint,
    /// An I/O error.
    Io { error: String },
    /// UTF-8 byte order mark.
    Bom,
    /// Hint for [`Files::Bom`].
    BomHint,
    /// NUL bytes: binary.
    Nul,
    /// Hint for [`Files::Nul`].
    NulHint,
    /// Not UTF-8.
    NotUtf8,
    /// Hint for [`Files::NotUtf8`].
    NotUtf8Hint,
    /// A path problem with the path as written.
    Path { wrong: PathWrong, written: String },
    /// Hint: drive letters.
    DriveLetterHint,
    /// Hint: URLs.
    UrlHint,
    /// Hint: `:` in names.
    NotPortableHint,
    /// Hint: a moment.yaml path is missing.
    CheckSpelling,
    /// Hint: keep files in the moment's folder.
    KeepInside,
    /// Hint: media paths in a module.
    MediaPathHint,
    /// Hint: keep media in the folder.
    KeepMediaInside,
    /// The welcome text file does not exist.
    WelcomeMissing { written: String },
    /// Hint for [`Files::WelcomeMissing`].
    WelcomeMissingHint,
    /// The welcome text is empty.
    WelcomeEmpty,
    /// Hint for [`Files::WelcomeEmpty`].
    WelcomeEmptyHint,
    /// A folder in moments/ without moment.yaml.
    NoMomentYaml { folder: String },
    /// Hint for [`Files::NoMomentYaml`].
    NoMomentYamlHint,
    /// A form with too many items.
    TooManyItems { count: usize, limit: usize },
    /// Hint for [`Files::TooManyItems`].
    TooManyItemsHint,
    /// units.yaml missing.
    UnitsMissing,
    /// Hint for [`Files::UnitsMissing`].
    UnitsMissingHint,
    /// No moments found.
    NoMoments,
    /// Hint for [`Files::NoMoments`].
    NoMomentsHint,
    /// A module without front matter `title`.
    ModuleTitleMissing,
    /// Hint for [`Files::ModuleTitleMissing`].
    ModuleTitleMissingHint,
    /// An empty YAML file.
    Empty,
    /// Hint: see the schema.
    SeeSchema { schema: String },
    /// A media file larger than the limit.
    MediaTooLarge { written: String, limit: String },
    /// Hint for [`Files::MediaTooLarge`].
    MediaTooLargeHint,
    /// A referenced media path is a special file.
    MediaNotRegular { written: String, kind: Special },
    /// Hint for [`Files::MediaNotRegular`].
    MediaNotRegularHint,
}

impl Message for Files {
    fn text(&self, lang: Lang) -> String {
        use Files::*;
        match self {
            FileMissing => t!(lang, "the file does not exist", "filen finns inte"),
            CheckReadable => t!(
                lang,
                "check that the file exists and is readable",
                "kontrollera att filen finns och går att läsa"
            ),
            SymlinkFile => t!(
                lang,
                "the file, or a folder on the way to it, is a symbolic link, which moment never follows",
                "filen, eller en mapp på vägen till den, är en symbolisk länk, och sådana följer moment aldrig"
            ),
            ReplaceLink => t!(
                lang,
                "replace the link with the file itself (a copy), inside the moment's folder",
                "ersätt länken med själva filen (en kopia) i momentets mapp"
            ),
            NotRegular { kind } => {
                let kind = kind.text(lang);
                t!(
                    lang,
                    "the file is {kind}, not a regular file; it was not opened",
                    "filen är {kind}, inte en vanlig fil; den öppnades inte"
                )
            }
            NotRegularHint => t!(
                lang,
                "sources and media must be ordinary files; replace it with the file's content",
                "källfiler och media måste vara vanliga filer; ersätt den med filens innehåll"
            ),
            TooLarge { limit } => t!(
                lang,
                "the file is larger than the limit of {limit}",
                "filen är större än gränsen {limit}"
            ),
            TooLargeHint => t!(
                lang,
                "split the text into several files (modules), or make the media file smaller",
                "dela upp texten i flera filer (moduler), eller gör mediefilen mindre"
            ),
            Io { error } => t!(
                lang,
                "cannot read the file: {error}",
                "filen kan inte läsas: {error}"
            ),
            Bom => t!(
                lang,
                "the file starts with a UTF-8 byte order mark",
                "filen börjar med en UTF-8-byteordningsmarkering (BOM)"
            ),
            BomHint => t!(
                lang,
                "save the file as UTF-8 without BOM; the mark is ignored",
                "spara filen som UTF-8 utan BOM; markeringen ignoreras"
            ),
            Nul => t!(
                lang,
                "the file contains NUL bytes: it looks like binary data, not text",
                "filen innehåller NUL-byte: den ser ut som binärdata, inte text"
            ),
            NulHint => t!(
                lang,
                "moment sources are UTF-8 text; put binary files under media/",
                "källfiler för moment är UTF-8-text; lägg binära filer under media/"
            ),
            NotUtf8 => t!(
                lang,
                "the file is not valid UTF-8 text",
                "filen är inte giltig UTF-8-text"
            ),
            NotUtf8Hint => t!(
                lang,
                "save the file as UTF-8 (files saved as Latin-1 or UTF-16 show this)",
                "spara filen som UTF-8 (filer sparade som Latin-1 eller UTF-16 ger detta)"
            ),
            Path { wrong, written } => match wrong {
                PathWrong::Absolute => t!(
                    lang,
                    "`{written}` is an absolute path",
                    "`{written}` är en absolut sökväg"
                ),
                PathWrong::DriveLetter => t!(
                    lang,
                    "`{written}` names a Windows drive",
                    "`{written}` anger en Windows-enhet"
                ),
                PathWrong::Url => t!(
                    lang,
                    "`{written}` is an address, not a file of the moment",
                    "`{written}` är en adress, inte en fil i momentet"
                ),
                PathWrong::NotPortable => t!(
                    lang,
                    "`{written}` has a `:` in a file name",
                    "`{written}` har ett `:` i ett filnamn"
                ),
                PathWrong::Escapes => t!(
                    lang,
                    "`{written}` leaves the moment's folder",
                    "`{written}` leder ut ur momentets mapp"
                ),
                PathWrong::Symlink => t!(
                    lang,
                    "`{written}` is a symbolic link, or lies under one; moment never follows symbolic links",
                    "`{written}` är en symbolisk länk, eller ligger under en; moment följer aldrig symboliska länkar"
                ),
                PathWrong::Missing => {
                    t!(lang, "`{written}` does not exist", "`{written}` finns inte")
                }
            },
            DriveLetterHint => t!(
                lang,
                "refer to files of the moment relatively, with `/`, such as ../media/bild.png; a drive letter only exists on one computer",
                "hänvisa till momentets filer relativt, med `/`, som ../media/bild.png; en enhetsbokstav finns bara på en dator"
            ),
            UrlHint => t!(
                lang,
                "put the file in the moment's folder and refer to it relatively; links to web pages use https://",
                "lägg filen i momentets mapp och hänvisa till den relativt; länkar till webbsidor börjar med https://"
            ),
            NotPortableHint => t!(
                lang,
                "rename the file without `:` (such as 02-del-tva.md) and refer to the new name: Windows cannot check out a file whose name holds `:`, and macOS shows it as `/`",
                "byt namn på filen utan `:` (som 02-del-tva.md) och hänvisa till det nya namnet: Windows kan inte checka ut en fil vars namn har `:`, och macOS visar det som `/`"
            ),
            CheckSpelling => t!(
                lang,
                "check the spelling; paths are relative and case-sensitive",
                "kontrollera stavningen; sökvägar är relativa och skiljer på stora och små bokstäver"
            ),
            KeepInside => t!(
                lang,
                "keep every file inside the moment's folder and refer to it with a relative path",
                "ha alla filer i momentets mapp och hänvisa till dem med en relativ sökväg"
            ),
            MediaPathHint => t!(
                lang,
                "check the file name; paths in a module are relative to the module's file, such as ../media/bild.png",
                "kontrollera filnamnet; sökvägar i en modul är relativa till modulens fil, som ../media/bild.png"
            ),
            KeepMediaInside => t!(
                lang,
                "keep media inside the moment's folder, such as media/, and refer to it relatively",
                "ha media i momentets mapp, som media/, och hänvisa till dem relativt"
            ),
            WelcomeMissing { written } => t!(
                lang,
                "the welcome text `{written}` does not exist",
                "välkomsttexten `{written}` finns inte"
            ),
            WelcomeMissingHint => t!(
                lang,
                "every moment has a welcome text: create it, or point `welcome:` at it",
                "varje moment har en välkomsttext: skapa den, eller låt `welcome:` peka på den"
            ),
            WelcomeEmpty => t!(lang, "the welcome text is empty", "välkomsttexten är tom"),
            WelcomeEmptyHint => t!(
                lang,
                "write the first page a citizen sees: what the program is, for whom, and how it works",
                "skriv den första sidan invånaren ser: vad programmet är, för vem och hur det går till"
            ),
            NoMomentYaml { folder } => t!(
                lang,
                "the folder {folder} has no moment.yaml",
                "mappen {folder} har ingen moment.yaml"
            ),
            NoMomentYamlHint => t!(
                lang,
                "every folder in moments/ is a moment and needs a moment.yaml; `moment new <id>` writes one",
                "varje mapp i moments/ är ett moment och behöver en moment.yaml; `moment new <id>` skapar en"
            ),
            TooManyItems { count, limit } => t!(
                lang,
                "the form has {count} items, more than the limit of {limit}",
                "formuläret har {count} frågor, fler än gränsen {limit}"
            ),
            TooManyItemsHint => t!(
                lang,
                "split it into several forms; no one answers this many questions",
                "dela upp det i flera formulär; ingen svarar på så många frågor"
            ),
            UnitsMissing => t!(
                lang,
                "units.yaml is missing at the repository root",
                "units.yaml saknas i arkivets rot"
            ),
            UnitsMissingHint => t!(
                lang,
                "create units.yaml at the repository root listing the publisher units (see the format reference)",
                "skapa units.yaml i arkivets rot med utgivarenheterna (se formatreferensen)"
            ),
            NoMoments => t!(lang, "no moments found", "inga moment hittades"),
            NoMomentsHint => t!(
                lang,
                "each moment is a folder moments/<id>/ with a moment.yaml; `moment new <id>` creates one",
                "varje moment är en mapp moments/<id>/ med en moment.yaml; `moment new <id>` skapar ett"
            ),
            ModuleTitleMissing => t!(
                lang,
                "missing required key `title`",
                "nyckeln `title` krävs men saknas"
            ),
            ModuleTitleMissingHint => t!(
                lang,
                "add `title: …` between the `---` lines: the module's heading as citizens see it",
                "lägg till `title: …` mellan `---`-raderna: modulens rubrik som invånarna ser den"
            ),
            Empty => t!(lang, "the file is empty", "filen är tom"),
            SeeSchema { schema } => t!(
                lang,
                "see schemas/{schema} for what belongs here",
                "se schemas/{schema} för vad som hör hemma här"
            ),
            MediaTooLarge { written, limit } => t!(
                lang,
                "`{written}` is larger than the limit of {limit} for a media file",
                "`{written}` är större än gränsen {limit} för en mediefil"
            ),
            MediaTooLargeHint => t!(
                lang,
                "make the file smaller (a lower resolution or bit rate), or split it",
                "gör filen mindre (lägre upplösning eller bithastighet), eller dela upp den"
            ),
            MediaNotRegular { written, kind } => {
                let kind = kind.text(lang);
                t!(
                    lang,
                    "`{written}` is {kind}, not a regular file",
                    "`{written}` är {kind}, inte en vanlig fil"
                )
            }
            MediaNotRegularHint => t!(
                lang,
                "media must be ordinary files in the moment's folder; replace it with the file itself",
                "media måste vara vanliga filer i momentets mapp; ersätt den med själva filen"
            ),
        }
    }
}
