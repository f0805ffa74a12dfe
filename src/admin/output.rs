//! Readable output: aligned tables and `key: value` blocks, and the [`Render`] trait every
//! report implements (the CLI prints [`Render::render`] by default and the serde JSON with
//! `-o json`).

/// A report that has a readable form.
pub trait Render {
    /// The readable form, ending with a newline.
    fn render(&self) -> String;
}

/// Several reports: a JSON array, or their readable forms one after the other.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(transparent)]
pub struct Many<T>(pub Vec<T>);

impl<T: Render> Render for Many<T> {
    fn render(&self) -> String {
        self.0.iter().map(Render::render).collect()
    }
}

/// An aligned, space-separated table with an upper-case header, as `kubectl get` prints.
#[derive(Debug, Clone, Default)]
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&str]) -> Table {
        Table {
            rows: vec![headers.iter().map(|h| h.to_uppercase()).collect()],
        }
    }

    /// Adds a row.
    pub fn row<I, S>(&mut self, cells: I) -> &mut Table
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// The table as text, columns separated by three spaces.
    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let pad = widths[c].saturating_sub(cell.chars().count());
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad + 3));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `Key:   value` lines, aligned, as `oc describe` prints; a list value continues on the
/// following lines under the first.
pub fn fields(pairs: &[(&str, Vec<String>)]) -> String {
    let width = pairs.iter().map(|(k, _)| k.len() + 1).max().unwrap_or(0) + 2;
    let mut out = String::new();
    for (key, values) in pairs {
        let label = format!("{key}:");
        let mut values = values.iter();
        let first = values.next().map(String::as_str).unwrap_or("<none>");
        out.push_str(&format!("{label:<width$}{first}\n"));
        for v in values {
            out.push_str(&format!("{:<width$}{v}\n", ""));
        }
    }
    out
}

/// `<none>` for an absent value, as kubectl prints.
pub fn or_none(value: Option<&str>) -> String {
    value.unwrap_or("<none>").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let mut t = Table::new(&["name", "uid"]);
        t.row(["a", "1"]).row(["long-name", "2"]);
        assert_eq!(
            t.render(),
            "NAME        UID\na           1\nlong-name   2\n"
        );
    }

    #[test]
    fn fields_align_and_continue() {
        let text = fields(&[
            ("Name", vec!["robot".into()]),
            ("Tokens", vec!["a".into(), "b".into()]),
            ("Expires", vec![]),
        ]);
        assert_eq!(
            text,
            "Name:     robot\nTokens:   a\n          b\nExpires:  <none>\n"
        );
    }
}
