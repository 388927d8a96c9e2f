//! JSON as small models write it: with `//`, `#` and `/* */` comments,
//! trailing commas, raw line breaks inside strings, and cut off wherever
//! the token limit fell. Strict JSON reads the same as with serde.
//!
//! The reader walks the text from a given byte and lets its caller take
//! each complete element of a list as soon as it closes, so a reply cut
//! off in the middle of a list still yields the elements before the cut.

use serde_json::{Map, Value};

/// Why reading stopped before the value closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Stop {
    /// The text ended first (a reply cut off at the token limit).
    End,
    /// Something that is not JSON even by lenient rules, with where.
    Invalid(String),
}

pub(super) struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn at(text: &'a str, pos: usize) -> Self {
        Reader { text, pos }
    }

    /// Skip whitespace and comments; the next byte, if any.
    pub(super) fn peek(&mut self) -> Option<u8> {
        loop {
            let rest = &self.text.as_bytes()[self.pos..];
            match rest {
                [c, ..] if c.is_ascii_whitespace() => self.pos += 1,
                [b'/', b'/', ..] | [b'#', ..] => self.skip_line(),
                [b'/', b'*', ..] => match self.text[self.pos + 2..].find("*/") {
                    Some(end) => self.pos += 2 + end + 2,
                    None => self.pos = self.text.len(),
                },
                [c, ..] => return Some(*c),
                [] => return None,
            }
        }
    }

    fn skip_line(&mut self) {
        self.pos = match self.text[self.pos..].find('\n') {
            Some(end) => self.pos + end + 1,
            None => self.text.len(),
        };
    }

    /// Consume `byte` as the next token.
    pub(super) fn expect(&mut self, byte: u8) -> Result<(), Stop> {
        match self.peek() {
            Some(found) if found == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.invalid(&format!("expected `{}`", byte as char))),
            None => Err(Stop::End),
        }
    }

    fn invalid(&self, what: &str) -> Stop {
        let near: String = self.text[self.pos..].chars().take(20).collect();
        Stop::Invalid(format!("{what} at byte {} (near `{near}`)", self.pos))
    }

    /// Any value, read whole.
    pub(super) fn value(&mut self) -> Result<Value, Stop> {
        match self.peek() {
            None => Err(Stop::End),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[') => {
                let mut items = Vec::new();
                self.list(|item| items.push(item))?;
                Ok(Value::Array(items))
            }
            Some(b'{') => {
                let mut fields = Map::new();
                self.object(|key, reader| {
                    fields.insert(key, reader.value()?);
                    Ok(())
                })?;
                Ok(Value::Object(fields))
            }
            Some(_) => self.scalar(),
        }
    }

    /// A list, handing each element to `each` as soon as it closes. On a
    /// stop the elements before it have been handed over already.
    pub(super) fn list(&mut self, mut each: impl FnMut(Value)) -> Result<(), Stop> {
        self.expect(b'[')?;
        loop {
            match self.peek() {
                None => return Err(Stop::End),
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => each(self.value()?),
            }
            self.separator(b']')?;
        }
    }

    /// An object, handing each key to `member`, which must read its value.
    pub(super) fn object(
        &mut self,
        mut member: impl FnMut(String, &mut Self) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        self.expect(b'{')?;
        loop {
            match self.peek() {
                None => return Err(Stop::End),
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'"') => {
                    let key = self.string()?;
                    self.expect(b':')?;
                    member(key, self)?;
                }
                Some(_) => return Err(self.invalid("expected a quoted key")),
            }
            self.separator(b'}')?;
        }
    }

    /// After an element: a comma (a trailing one before `close` is
    /// fine), or `close` itself, or a missing comma before the next value.
    fn separator(&mut self, close: u8) -> Result<(), Stop> {
        match self.peek() {
            None => Err(Stop::End),
            Some(b',') => {
                self.pos += 1;
                Ok(())
            }
            Some(c) if c == close => Ok(()),
            Some(b'"' | b'[' | b'{') => Ok(()),
            Some(_) => Err(self.invalid(&format!("expected `,` or `{}`", close as char))),
        }
    }

    fn string(&mut self) -> Result<String, Stop> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut at = start + 1;
        loop {
            match bytes.get(at) {
                None => return Err(Stop::End),
                Some(b'\\') => at += 2,
                Some(b'"') => break,
                Some(_) => at += 1,
            }
        }
        let literal = &self.text[start..=at];
        // Raw line breaks and tabs are the one thing models put in strings
        // that strict JSON refuses; escaping them keeps their meaning.
        let escaped = literal
            .replace('\n', "\\n")
            .replace('\r', "\\r")
            .replace('\t', "\\t");
        let text = serde_json::from_str(&escaped).map_err(|_| self.invalid("a broken string"))?;
        self.pos = at + 1;
        Ok(text)
    }

    /// A number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Result<Value, Stop> {
        let rest = &self.text[self.pos..];
        let length = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.')))
            .unwrap_or(rest.len());
        if length == rest.len() {
            // A token running to the very end may be cut short (`12` of `1234`).
            return Err(Stop::End);
        }
        match serde_json::from_str::<Value>(&rest[..length]) {
            Ok(value) if length > 0 => {
                self.pos += length;
                Ok(value)
            }
            _ => Err(self.invalid("expected a JSON value")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Result<Value, Stop> {
        Reader::at(text, 0).value()
    }

    #[test]
    fn strict_json_reads_as_serde_reads_it() {
        let text = r#"{"a": [1, -2.5e3, true, null, "x\"y\u00e9"], "b": {}}"#;
        assert_eq!(read(text), Ok(serde_json::from_str(text).unwrap()));
    }

    #[test]
    fn comments_trailing_commas_and_raw_line_breaks_are_accepted() {
        let text = "{\n  // small ones\n  \"a\": [1, 2,], # python style\n  /* block */ \"b\": \"x\ny\",\n}";
        assert_eq!(read(text), Ok(json!({"a": [1, 2], "b": "x\ny"})));
    }

    #[test]
    fn a_cut_off_list_hands_over_the_elements_that_closed() {
        let mut seen = Vec::new();
        let stop = Reader::at(r#"[[1], ["a", "b"], ["c", 12"#, 0).list(|item| seen.push(item));
        assert_eq!(stop, Err(Stop::End));
        assert_eq!(seen, vec![json!([1]), json!(["a", "b"])]);
    }

    #[test]
    fn a_number_at_the_very_end_is_not_trusted() {
        assert_eq!(read("[1, 23"), Err(Stop::End));
        assert_eq!(read("\"unterminated"), Err(Stop::End));
    }

    #[test]
    fn unquoted_code_is_invalid_and_says_where() {
        let Err(Stop::Invalid(message)) = read("[list(range(10))]") else {
            panic!("expected invalid");
        };
        assert!(message.contains("at byte 1"), "{message}");
    }
}
