//! Reading source text as code: what is comment or literal, by offset.

/// `code` with comments and string/char literals (Go raw strings too)
/// replaced by spaces, byte for byte, so offsets in the result are offsets
/// in `code` and a word found in it is real code: a doc comment saying "a
/// list of strings." does not use Go's `strings` package, and a call shown in
/// a comment ("f({1.0, 2.0}, 0.5) is false") is not a definition.
pub(crate) fn blank_comments_and_literals(code: &str) -> String {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        LineComment,
        BlockComment,
        Interpreted(char),
        Raw,
    }
    let mut out = String::with_capacity(code.len());
    let mut state = State::Code;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let (keep, new_state) = match state {
            State::Code => match (c, next) {
                ('/', Some('/')) => (false, State::LineComment),
                ('/', Some('*')) => {
                    chars.next();
                    out.push_str("  ");
                    state = State::BlockComment;
                    continue;
                }
                ('"' | '\'', _) => (true, State::Interpreted(c)),
                ('`', _) => (true, State::Raw),
                _ => (true, State::Code),
            },
            State::LineComment => (c == '\n', if c == '\n' { State::Code } else { state }),
            State::BlockComment => {
                if c == '*' && next == Some('/') {
                    chars.next();
                    out.push_str("  ");
                    state = State::Code;
                    continue;
                }
                (c == '\n', state)
            }
            State::Interpreted(quote) => {
                if c == '\\' {
                    out.push(' ');
                    if let Some(escaped) = chars.next() {
                        blank(&mut out, escaped);
                    }
                    continue;
                }
                (
                    c == quote || c == '\n',
                    if c == quote { State::Code } else { state },
                )
            }
            State::Raw => (
                c == '`' || c == '\n',
                if c == '`' { State::Code } else { state },
            ),
        };
        if keep {
            out.push(c);
        } else {
            blank(&mut out, c);
        }
        state = new_state;
    }
    out
}

/// As many spaces as `c` takes bytes.
fn blank(out: &mut String, c: char) {
    out.extend(std::iter::repeat_n(' ', c.len_utf8()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_kept_and_only_code_is_left() {
        let code = "/* é */ f(\"a\\\"é\") // ü\nx = 'é';";
        let blanked = blank_comments_and_literals(code);
        assert_eq!(blanked.len(), code.len());
        assert_eq!(blanked.find('f'), code.find('f'));
        assert_eq!(blanked.find('x'), code.find('x'));
        assert!(!blanked.contains('é') && !blanked.contains('ü') && !blanked.contains('a'));
    }
}
