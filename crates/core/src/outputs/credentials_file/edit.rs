//! The text edits behind [`super`], on a whole credentials file held in memory (no I/O here).
//!
//! The file is kept as a list of lines, each with its own terminator (`\n`, `\r\n`, or nothing
//! for a last line without one). An edit marks lines as dropped or replaced and adds new ones;
//! rendering copies every untouched line byte for byte, so whatever the edit does not name
//! (other sections, their order, comments, blank lines, unknown keys, odd spacing, even lines
//! the AWS CLI would reject) comes out as it went in.
//!
//! Lines are judged with [`crate::profile::ini::classify`] and grouped the way
//! [`crate::profile::ini::parse`] groups them: an indented `key = value` (or unparsable) line
//! below a property continues that property, even across blank and comment lines.

use crate::profile::ini::{classify, LineKind};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// The key that marks a section as Rolebar's (awsume marks its own with `manager = awsume`).
pub const MANAGER_KEY: &str = "manager";
pub const MANAGER_VALUE: &str = "rolebar";
/// When the credentials of a Rolebar section expire, RFC 3339 in UTC.
pub const EXPIRATION_KEY: &str = "rolebar_expiration";
/// The profile whose session a Rolebar section holds (so a restarted app knows what to refresh).
pub const SOURCE_KEY: &str = "rolebar_source_profile";

/// Every key Rolebar writes into a section: the lines it takes back on log out and expiry.
pub const WRITTEN_KEYS: [&str; 6] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    MANAGER_KEY,
    EXPIRATION_KEY,
    SOURCE_KEY,
];

/// A UTF-8 byte order mark, as editors on Windows start files with. Read past, and kept.
const BOM: &str = "\u{feff}";

/// Credential keys describing the credentials being replaced that Rolebar does not write: dropped
/// from the target section so nothing stale is mixed with the new session. `aws_security_token` is
/// the old name botocore still reads for the session token; `aws_account_id` is read next to the
/// keys (for account-based endpoints) and would name the wrong account after a switch.
const STALE_KEYS: [&str; 2] = ["aws_security_token", "aws_account_id"];

#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    /// Without the terminator.
    text: &'a str,
    /// `"\n"`, `"\r\n"`, or `""` for a last line without a terminator.
    ending: &'a str,
}

impl Line<'_> {
    fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

#[derive(Debug)]
struct Prop<'a> {
    /// As written; compared without regard to ASCII case, as the AWS CLI compares keys.
    key: &'a str,
    /// The value on the key line (continuation lines are not needed by anything read here).
    value: &'a str,
    /// The key line.
    line: usize,
    /// Its continuation lines (empty, so no allocation, for nearly every property).
    continuations: Vec<usize>,
}

impl Prop<'_> {
    fn is(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key)
    }

    fn lines(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.line).chain(self.continuations.iter().copied())
    }

    fn last_line(&self) -> usize {
        self.continuations.last().copied().unwrap_or(self.line)
    }

    fn is_written_by_rolebar(&self) -> bool {
        WRITTEN_KEYS.iter().any(|key| self.is(key))
    }
}

#[derive(Debug)]
pub(crate) struct SectionSpan<'a> {
    pub(crate) name: &'a str,
    /// Index of the header line (0-based).
    header: usize,
    props: Vec<Prop<'a>>,
}

impl SectionSpan<'_> {
    fn get(&self, key: &str) -> Option<&Prop<'_>> {
        self.props.iter().find(|p| p.is(key))
    }

    /// 1-based, for messages.
    pub(crate) fn line_number(&self) -> usize {
        self.header + 1
    }

    /// Carries `manager = rolebar` (value compared without regard to case).
    pub(crate) fn is_rolebar(&self) -> bool {
        self.get(MANAGER_KEY)
            .is_some_and(|p| p.value.eq_ignore_ascii_case(MANAGER_VALUE))
    }

    /// The value of `key` on its key line, if the section has it.
    pub(crate) fn value(&self, key: &str) -> Option<&str> {
        self.get(key).map(|p| p.value)
    }

    /// A Rolebar section whose `rolebar_expiration` is at or before `now`. A Rolebar section
    /// without a readable expiration is not expired: unknown is kept (`remove_profile` can still
    /// take it).
    pub(crate) fn is_expired_rolebar(&self, now: &Now) -> bool {
        if !self.is_rolebar() {
            return false;
        }
        let Some(value) = self.get(EXPIRATION_KEY).map(|p| p.value) else {
            return false;
        };
        // What Rolebar writes (`YYYY-MM-DDTHH:MM:SSZ`) orders as text; anything else is parsed.
        if let Some(now_text) = now.text.as_deref().filter(|_| is_canonical_utc(value)) {
            return value <= now_text;
        }
        OffsetDateTime::parse(value, &Rfc3339).is_ok_and(|at| at <= now.at)
    }

    /// An access key id without a session token: long-term IAM user keys. A key id starting
    /// `ASIA` is temporary by AWS's own prefix (long-term ones start `AKIA`), so a section
    /// holding one without its token is a broken leftover, not keys anyone could be locked out of.
    pub(crate) fn holds_long_term_keys(&self) -> bool {
        self.get("aws_access_key_id")
            .is_some_and(|id| !id.value.starts_with("ASIA"))
            && self.get("aws_session_token").is_none()
            && self.get("aws_security_token").is_none()
    }

    /// The last line that belongs to the section itself: its last property or continuation
    /// line, or the header when it has none. Blank and comment lines after it are left to
    /// whatever follows (comments right above a header describe the section below them).
    fn last_own_line(&self) -> usize {
        self.props.iter().map(Prop::last_line).max().unwrap_or(self.header)
    }
}

/// The time expiry is judged at, with its canonical text when it has one.
#[derive(Debug)]
pub(crate) struct Now {
    at: OffsetDateTime,
    text: Option<String>,
}

impl Now {
    pub(crate) fn new(at: OffsetDateTime) -> Now {
        Now {
            at,
            // The text is cut to whole seconds: a whole-second expiration is <= `at` exactly when
            // it is <= `at` cut to whole seconds, so comparing texts stays exact.
            text: crate::outputs::text::rfc3339_utc(at)
                .ok()
                .filter(|t| is_canonical_utc(t)),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the one shape in which RFC 3339 times order as text.
fn is_canonical_utc(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 20
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'Z',
            _ => b.is_ascii_digit(),
        })
}

#[derive(Debug)]
pub(crate) struct Document<'a> {
    /// The file started with a byte order mark (not part of `lines`; rendered back).
    bom: bool,
    lines: Vec<Line<'a>>,
    pub(crate) sections: Vec<SectionSpan<'a>>,
    /// The terminator for new lines: the file's first one (`\n` when it has none).
    newline: &'static str,
    /// Whether the file ends with a terminator (an empty file counts as one that does).
    final_newline: bool,
}

impl<'a> Document<'a> {
    pub(crate) fn parse(text: &'a str) -> Document<'a> {
        let (bom, text) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let lines: Vec<Line<'a>> = text
            .split_inclusive('\n')
            .map(|raw| match raw.strip_suffix('\n') {
                Some(rest) => match rest.strip_suffix('\r') {
                    Some(text) => Line { text, ending: "\r\n" },
                    None => Line {
                        text: rest,
                        ending: "\n",
                    },
                },
                None => Line { text: raw, ending: "" },
            })
            .collect();
        let newline = match lines.iter().find(|l| !l.ending.is_empty()) {
            Some(l) if l.ending == "\r\n" => "\r\n",
            _ => "\n",
        };
        let final_newline = text.is_empty() || text.ends_with('\n');

        let mut sections: Vec<SectionSpan<'a>> = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            let kind = classify(line.text);
            if let LineKind::Section(name) = kind {
                sections.push(SectionSpan {
                    name,
                    header: index,
                    props: Vec::new(),
                });
                continue;
            }
            // Lines before the first header, blank lines, comments: nobody's, kept as they are.
            let Some(section) = sections.last_mut() else {
                continue;
            };
            let indented = line.text.starts_with([' ', '\t']);
            match kind {
                LineKind::Property { .. } | LineKind::Invalid(_) if indented && !section.props.is_empty() => {
                    if let Some(last) = section.props.last_mut() {
                        last.continuations.push(index);
                    }
                }
                LineKind::Property { key, value } => section.props.push(Prop {
                    key,
                    value,
                    line: index,
                    continuations: Vec::new(),
                }),
                // An unparsable line that continues nothing is left alone where it is.
                _ => {}
            }
        }
        Document {
            bom,
            lines,
            sections,
            newline,
            final_newline,
        }
    }

    /// The section of that name Rolebar works on: the first. (The AWS CLI refuses a file with a
    /// duplicate section outright; other readers merge or take one. Rolebar edits the first and
    /// leaves later ones exactly as they are, reporting them, rather than guess which one the
    /// user meant or delete bytes it does not own.)
    pub(crate) fn first(&self, name: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.name == name)
    }

    /// What a section holds, for a refusal to write over it: its keys (names only, never
    /// values) and the other lines of its own, e.g. "aws_access_key_id, region, 1 comment".
    pub(crate) fn describe(&self, section: &SectionSpan<'_>) -> String {
        let mut parts: Vec<String> = Vec::new();
        for prop in &section.props {
            let key = prop.key.to_ascii_lowercase();
            if !parts.contains(&key) {
                parts.push(key);
            }
        }
        let (comments, unreadable) =
            self.notes(section)
                .fold((0, 0), |(c, u), line| match classify(self.lines[line].text) {
                    LineKind::Comment => (c + 1, u),
                    _ => (c, u + 1),
                });
        let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if comments > 0 {
            parts.push(count(comments, "comment", "comments"));
        }
        if unreadable > 0 {
            parts.push(count(unreadable, "unreadable line", "unreadable lines"));
        }
        if parts.is_empty() {
            return "nothing but its header".to_string();
        }
        parts.join(", ")
    }

    /// The lines of a section's own span (header to last property) that are neither blank nor
    /// part of a property: comments and unreadable lines someone wrote there.
    fn notes<'s>(&'s self, section: &'s SectionSpan<'_>) -> impl Iterator<Item = usize> + 's {
        (section.header + 1..=section.last_own_line()).filter(move |&line| {
            !self.lines[line].is_blank() && !section.props.iter().any(|p| p.lines().any(|l| l == line))
        })
    }

    /// 1-based header lines of the sections named `name` after the first.
    pub(crate) fn duplicate_lines(&self, name: &str) -> Vec<usize> {
        self.sections
            .iter()
            .filter(|s| s.name == name)
            .skip(1)
            .map(SectionSpan::line_number)
            .collect()
    }
}

/// A pending change to a [`Document`].
#[derive(Debug)]
pub(crate) struct Edit<'d, 'a> {
    doc: &'d Document<'a>,
    kept: Vec<bool>,
    /// Line index → index into `new_lines` that replaces the line.
    replaced: Vec<Option<usize>>,
    /// New lines to put right after an existing line.
    inserted: Option<(usize, Vec<usize>)>,
    /// New lines to put at the end of the file.
    appended: Vec<usize>,
    new_lines: Vec<Zeroizing<String>>,
    changed: bool,
}

impl<'d, 'a> Edit<'d, 'a> {
    pub(crate) fn new(doc: &'d Document<'a>) -> Self {
        Edit {
            doc,
            kept: vec![true; doc.lines.len()],
            replaced: vec![None; doc.lines.len()],
            inserted: None,
            appended: Vec::new(),
            new_lines: Vec::new(),
            changed: false,
        }
    }

    pub(crate) fn is_changed(&self) -> bool {
        self.changed
    }

    fn add_line(&mut self, key: &str, value: &str) -> usize {
        let parts = [key, " = ", value];
        self.new_lines
            .push(crate::outputs::text::zeroizing_concat(parts.into_iter()));
        self.new_lines.len() - 1
    }

    fn drop_line(&mut self, index: usize) {
        self.kept[index] = false;
        self.changed = true;
    }

    /// Writes `entries` (`key`, `value`, keys lower-case) into section `target`, or into a new
    /// section `[name]` at the end when `target` is `None`.
    ///
    /// In an existing section, the first line of each key is replaced in place (its continuation
    /// lines dropped), any later line of the same key and the [`STALE_KEYS`] are dropped, and keys
    /// not there yet go right after the section's last remaining property. Every other line of the
    /// section (comments, blank lines, other keys) stays where it is.
    pub(crate) fn upsert(&mut self, target: Option<usize>, name: &str, entries: &[(&str, &str)]) {
        self.changed = true;
        let doc = self.doc;
        let Some(index) = target else {
            let header = crate::outputs::text::zeroizing_concat(["[", name, "]"].into_iter());
            self.new_lines.push(header);
            self.appended.push(self.new_lines.len() - 1);
            for (key, value) in entries {
                let line = self.add_line(key, value);
                self.appended.push(line);
            }
            return;
        };
        let section = &doc.sections[index];
        let mut written = vec![false; entries.len()];
        let mut anchor = section.header;
        for prop in &section.props {
            match entries.iter().position(|(key, _)| prop.is(key)) {
                Some(entry) if !written[entry] => {
                    written[entry] = true;
                    let (key, value) = entries[entry];
                    let new = self.add_line(key, value);
                    self.replaced[prop.line] = Some(new);
                    for &continuation in &prop.continuations {
                        self.drop_line(continuation);
                    }
                    anchor = anchor.max(prop.line);
                }
                Some(_) => prop.lines().for_each(|l| self.drop_line(l)),
                None if STALE_KEYS.iter().any(|stale| prop.is(stale)) => {
                    prop.lines().for_each(|l| self.drop_line(l));
                }
                None => anchor = anchor.max(prop.last_line()),
            }
        }
        let missing: Vec<usize> = entries
            .iter()
            .zip(&written)
            .filter(|(_, done)| !**done)
            .map(|((key, value), _)| self.add_line(key, value))
            .collect();
        if !missing.is_empty() {
            self.inserted = Some((anchor, missing));
        }
    }

    /// Takes Rolebar's lines ([`WRITTEN_KEYS`]) out of section `index`. When nothing else is
    /// left (no other key, no comment or unreadable line inside it) the whole section goes, as
    /// [`Self::remove_section`] removes it; otherwise the header and everyone else's lines stay.
    pub(crate) fn take_back(&mut self, index: usize) {
        let doc = self.doc;
        let section = &doc.sections[index];
        let others_left =
            section.props.iter().any(|p| !p.is_written_by_rolebar()) || doc.notes(section).next().is_some();
        if !others_left {
            self.remove_section(index);
            return;
        }
        for prop in section.props.iter().filter(|p| p.is_written_by_rolebar()) {
            prop.lines().for_each(|line| self.drop_line(line));
        }
    }

    /// Removes section `index`: its header and every line up to its last property (comments
    /// and blank lines between its properties included). Comment lines after its last property
    /// stay (they sit above the next section and are taken to describe it). One blank separator
    /// goes with it: the blank lines after it when it had a blank line (or the file's start)
    /// above it, or, when only blank lines follow it to the end of the file, those and the blank
    /// lines right above it, so removing an appended section gives back the file it was
    /// appended to.
    pub(crate) fn remove_section(&mut self, index: usize) {
        let section = &self.doc.sections[index];
        let (header, last) = (section.header, section.last_own_line());
        for line in header..=last {
            self.drop_line(line);
        }
        let lines = &self.doc.lines;
        let after = last + 1..lines.len();
        let next_content = after.clone().find(|&i| self.kept[i] && !lines[i].is_blank());
        let above = (0..header).rev().find(|&i| self.kept[i]);
        let blank_above = above.is_none_or(|i| lines[i].is_blank());
        if next_content.is_none() {
            for i in after {
                if self.kept[i] {
                    self.drop_line(i);
                }
            }
            for i in (0..header).rev() {
                if !self.kept[i] {
                    continue;
                }
                if !lines[i].is_blank() {
                    break;
                }
                self.drop_line(i);
            }
        } else if blank_above {
            for i in after {
                if !self.kept[i] {
                    continue;
                }
                if !lines[i].is_blank() {
                    break;
                }
                self.drop_line(i);
            }
        }
    }

    /// The edited file. Every kept line keeps its text and terminator; lines Rolebar writes take
    /// the file's terminator; whether the file ends with a terminator is kept too.
    pub(crate) fn render(&self) -> Zeroizing<String> {
        let doc = self.doc;
        // (text, terminator if it had one of its own)
        let mut out: Vec<(&str, &str)> = Vec::with_capacity(doc.lines.len() + self.new_lines.len() + 1);
        for (index, line) in doc.lines.iter().enumerate() {
            if self.kept[index] {
                // A replaced line is Rolebar's: it takes the file's terminator like any new line.
                out.push(match self.replaced[index] {
                    Some(new) => (self.new_lines[new].as_str(), ""),
                    None => (line.text, line.ending),
                });
            }
            if let Some((_, new)) = self.inserted.as_ref().filter(|(at, _)| *at == index) {
                out.extend(new.iter().map(|&n| (self.new_lines[n].as_str(), "")));
            }
        }
        if !self.appended.is_empty() {
            if out.last().is_some_and(|(text, _)| !text.trim().is_empty()) {
                out.push(("", ""));
            }
            out.extend(self.appended.iter().map(|&n| (self.new_lines[n].as_str(), "")));
        }
        let count = out.len();
        let pieces = out.iter().enumerate().flat_map(|(i, &(text, ending))| {
            // Without a final newline the last line keeps none, unless it is empty: then its
            // terminator is all there is of it.
            let ending = if i + 1 == count && !doc.final_newline && !text.is_empty() {
                ""
            } else if ending.is_empty() {
                doc.newline
            } else {
                ending
            };
            [text, ending]
        });
        let bom = if doc.bom { BOM } else { "" };
        crate::outputs::text::zeroizing_concat(std::iter::once(bom).chain(pieces))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const ENTRIES: [(&str, &str); 5] = [
        ("aws_access_key_id", "ASIANEW"),
        ("aws_secret_access_key", "newsecret"),
        ("aws_session_token", "newtoken"),
        ("manager", "rolebar"),
        ("rolebar_expiration", "2026-05-01T12:00:00Z"),
    ];
    const BLOCK: &str = "aws_access_key_id = ASIANEW\naws_secret_access_key = newsecret\naws_session_token = newtoken\nmanager = rolebar\nrolebar_expiration = 2026-05-01T12:00:00Z\n";

    fn upsert(text: &str, name: &str) -> String {
        let doc = Document::parse(text);
        let mut edit = Edit::new(&doc);
        edit.upsert(doc.first(name), name, &ENTRIES);
        edit.render().to_string()
    }

    fn remove(text: &str, name: &str) -> String {
        let doc = Document::parse(text);
        let mut edit = Edit::new(&doc);
        edit.remove_section(doc.first(name).expect("section"));
        edit.render().to_string()
    }

    #[test]
    fn appends_with_a_blank_separator_only_when_needed() {
        assert_eq!(upsert("", "x"), format!("[x]\n{BLOCK}"));
        assert_eq!(upsert("[a]\nk = v\n", "x"), format!("[a]\nk = v\n\n[x]\n{BLOCK}"));
        assert_eq!(upsert("[a]\nk = v\n\n", "x"), format!("[a]\nk = v\n\n[x]\n{BLOCK}"));
        assert_eq!(
            upsert("# only a comment", "x"),
            format!("# only a comment\n\n[x]\n{}", BLOCK.trim_end())
        );
    }

    #[test]
    fn keeps_crlf_and_a_missing_final_newline() {
        let got = upsert("[a]\r\nk = v", "x");
        assert_eq!(
            got,
            format!("[a]\r\nk = v\r\n\r\n[x]\r\n{}", BLOCK.trim_end().replace('\n', "\r\n"))
        );
    }

    #[test]
    fn replaces_in_place_keeping_comments_and_unknown_keys() {
        let text = "[a]\nk = v\n\n[x]\n# mine\nregion = eu-west-1\nAWS_ACCESS_KEY_ID=OLD\naws_security_token = stale\n  more\n\n# about b\n[b]\nk = v\n";
        let got = upsert(text, "x");
        assert_eq!(
            got,
            "[a]\nk = v\n\n[x]\n# mine\nregion = eu-west-1\naws_access_key_id = ASIANEW\naws_secret_access_key = newsecret\naws_session_token = newtoken\nmanager = rolebar\nrolebar_expiration = 2026-05-01T12:00:00Z\n\n# about b\n[b]\nk = v\n"
        );
    }

    #[test]
    fn replaced_lines_keep_their_place_and_duplicates_of_a_key_go() {
        let text = "[x]\nmanager = awsume\naws_session_token = t1\n  continued\nother = 1\naws_session_token = t2\n";
        let got = upsert(text, "x");
        assert_eq!(
            got,
            "[x]\nmanager = rolebar\naws_session_token = newtoken\nother = 1\naws_access_key_id = ASIANEW\naws_secret_access_key = newsecret\nrolebar_expiration = 2026-05-01T12:00:00Z\n"
        );
    }

    #[test]
    fn an_empty_last_line_keeps_its_terminator() {
        // Its terminator is all there is of it: dropping it would drop the line.
        assert_eq!(upsert("[x]\n\naws_security_token = t", "x"), format!("[x]\n{BLOCK}\n"));
    }

    #[test]
    fn an_empty_section_at_the_end_without_newline_gets_its_keys() {
        assert_eq!(upsert("[a]\n[x]", "x"), format!("[a]\n[x]\n{}", BLOCK.trim_end()));
    }

    #[test]
    fn only_the_first_of_duplicate_sections_is_edited() {
        let text = "[x]\nk = 1\n[x]\nk = 2\n";
        let doc = Document::parse(text);
        assert_eq!(doc.duplicate_lines("x"), vec![3]);
        assert_eq!(upsert(text, "x"), format!("[x]\nk = 1\n{BLOCK}[x]\nk = 2\n"));
    }

    #[test]
    fn removing_an_appended_section_gives_the_file_back() {
        for original in ["[a]\nk = v\n", "[a]\nk = v", "", "[a]\r\nk = v\r\n", "# c\n"] {
            let written = upsert(original, "x");
            assert_eq!(remove(&written, "x"), original, "{written:?}");
        }
    }

    #[test]
    fn removing_keeps_comments_above_the_next_section_and_one_separator() {
        let text = "[a]\nk = v\n\n[x]\n# inside\nmanager = rolebar\n\n# about b\n[b]\nk = v\n";
        assert_eq!(remove(text, "x"), "[a]\nk = v\n\n# about b\n[b]\nk = v\n");
        let text = "[x]\nmanager = rolebar\n\n[b]\n";
        assert_eq!(remove(text, "x"), "[b]\n");
        let text = "[a]\nk = v\n[x]\nmanager = rolebar\n[b]\n";
        assert_eq!(remove(text, "x"), "[a]\nk = v\n[b]\n");
    }

    #[test]
    fn removing_neighbours_at_the_end_leaves_no_trailing_blank() {
        let text = "[a]\nk = v\n\n[x]\nmanager = rolebar\n\n[y]\nmanager = rolebar\n";
        let doc = Document::parse(text);
        let mut edit = Edit::new(&doc);
        edit.remove_section(1);
        edit.remove_section(2);
        assert_eq!(edit.render().as_str(), "[a]\nk = v\n");
    }

    #[test]
    fn reads_marks_expiry_and_long_term_keys() {
        let doc = Document::parse(
            "[lt]\naws_access_key_id = AKIA\naws_secret_access_key = s\n[old]\naws_access_key_id = ASIAOLD\n[rb]\nManager = Rolebar\nrolebar_expiration = 2026-05-01T12:00:00Z\n[bad]\nmanager = rolebar\nrolebar_expiration = soon\n",
        );
        let [lt, old, rb, bad] = [&doc.sections[0], &doc.sections[1], &doc.sections[2], &doc.sections[3]];
        assert!(lt.holds_long_term_keys() && !lt.is_rolebar());
        assert!(!old.holds_long_term_keys());
        assert!(rb.is_rolebar() && !rb.holds_long_term_keys());
        let at = |t| Now::new(t);
        assert!(rb.is_expired_rolebar(&at(datetime!(2026-05-01 12:00:00 UTC))));
        assert!(rb.is_expired_rolebar(&at(datetime!(2026-05-01 21:00:00.5 +09:00))));
        assert!(!rb.is_expired_rolebar(&at(datetime!(2026-05-01 11:59:59.999 UTC))));
        assert!(bad.is_rolebar() && !bad.is_expired_rolebar(&at(datetime!(2100-01-01 0:00 UTC))));
    }

    #[test]
    fn expirations_in_other_shapes_are_parsed() {
        let doc = Document::parse("[a]\nmanager = rolebar\nrolebar_expiration = 2026-05-01T21:00:00.250+09:00\n");
        let a = &doc.sections[0];
        assert!(!a.is_expired_rolebar(&Now::new(datetime!(2026-05-01 12:00:00 UTC))));
        assert!(a.is_expired_rolebar(&Now::new(datetime!(2026-05-01 12:00:00.250 UTC))));
        assert!(is_canonical_utc("2026-05-01T12:00:00Z"));
        assert!(!is_canonical_utc("2026-05-01T12:00:00+00:00") && !is_canonical_utc("2026-05-01 12:00:00Z"));
    }

    #[test]
    fn untouched_text_renders_identically() {
        for text in ["", "\n", "a", "[x]\r\nk=v\n\n; c\r\n  cont\n", "garbage\n[x\n"] {
            let doc = Document::parse(text);
            assert_eq!(Edit::new(&doc).render().as_str(), text);
        }
    }
}
