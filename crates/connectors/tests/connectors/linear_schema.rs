//! Every field the Linear connector selects exists, on the type it is selected from, in Linear's
//! published GraphQL schema (real data nobody on the team wrote), and every argument it passes to
//! a field is one that field takes.

use bosun_connectors::linear::queries;
use std::collections::HashMap;
use std::path::Path;

/// type name → field name → (return type name, argument names).
type Schema = HashMap<String, HashMap<String, (String, Vec<String>)>>;

/// Strip descriptions (`"""…"""`, `"…"`) and comments.
fn strip(sdl: &str) -> String {
    let mut out = String::new();
    let mut rest = sdl;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("\"\"\"") {
            rest = r.find("\"\"\"").map_or("", |i| &r[i + 3..]);
        } else if let Some(r) = rest.strip_prefix('"') {
            rest = r.find('"').map_or("", |i| &r[i + 1..]);
        } else if let Some(r) = rest.strip_prefix('#') {
            rest = r.find('\n').map_or("", |i| &r[i..]);
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn parse_schema(sdl: &str) -> Schema {
    let text = strip(sdl);
    let mut schema = Schema::new();
    let head = regex_lite(&text);
    for (name, body) in head {
        let mut fields = HashMap::new();
        let mut rest = body.as_str();
        // `name(args): Type` or `name: Type`, one after the other.
        while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic() || c == '_') {
            rest = &rest[start..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let field = rest[..end].to_string();
            rest = rest[end..].trim_start();
            let mut args = Vec::new();
            if let Some(r) = rest.strip_prefix('(') {
                let close = r.find(')').expect("closed arguments");
                for part in r[..close].split(['\n', ',']) {
                    if let Some((arg, _)) = part.split_once(':') {
                        let arg = arg.trim();
                        if !arg.is_empty() {
                            args.push(arg.to_string());
                        }
                    }
                }
                rest = r[close + 1..].trim_start();
            }
            let Some(r) = rest.strip_prefix(':') else {
                continue;
            };
            let r = r.trim_start();
            let end = r
                .find(|c: char| c.is_whitespace() || c == '@')
                .unwrap_or(r.len());
            let ty: String = r[..end]
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            rest = &r[end..];
            // Skip a directive's arguments (`@deprecated(reason: …)`).
            let trimmed = rest.trim_start();
            if let Some(d) = trimmed.strip_prefix('@') {
                let e = d
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(d.len());
                rest = &d[e..];
                if let Some(r) = rest.trim_start().strip_prefix('(') {
                    rest = r.find(')').map_or("", |i| &r[i + 1..]);
                }
            }
            fields.insert(field, (ty, args));
        }
        schema.insert(name, fields);
    }
    schema
}

/// `type X … {body}` and `interface X … {body}` blocks.
fn regex_lite(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for kw in ["\ntype ", "\ninterface "] {
        let mut from = 0;
        while let Some(i) = text[from..].find(kw) {
            let start = from + i + kw.len();
            let name: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let open = start + text[start..].find('{').unwrap();
            let close = open + text[open..].find("\n}").unwrap();
            out.push((name, text[open + 1..close].to_string()));
            from = close;
        }
    }
    out
}

/// Walk a query's selections from `Query`, checking each field and argument.
fn check(schema: &Schema, op: &str, query: &str) -> usize {
    let body = &query[query.find('{').expect("a selection set")..];
    let mut stack: Vec<String> = Vec::new();
    let mut last: Option<String> = None;
    let mut checked = 0;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => stack.push(last.take().unwrap_or_else(|| "Query".into())),
            '}' => {
                stack.pop();
            }
            '(' => {
                // Arguments of the field just named.
                let mut depth = 1;
                let mut args = String::new();
                for (_, c) in chars.by_ref() {
                    match c {
                        '(' | '{' => depth += 1,
                        ')' | '}' if depth == 1 => break,
                        ')' | '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 1 {
                        args.push(c);
                    }
                }
                let field = last_field(body, i);
                let parent = stack.last().unwrap();
                let takes = &schema[parent][&field].1;
                for part in args.split(',') {
                    if let Some((name, _)) = part.split_once(':') {
                        let name = name.trim();
                        assert!(
                            takes.iter().any(|a| a == name),
                            "{op}: {parent}.{field} takes no argument {name:?} (it takes {takes:?})"
                        );
                    }
                }
            }
            c if c.is_ascii_alphabetic() => {
                let mut name = c.to_string();
                while let Some((_, n)) = chars.peek() {
                    if n.is_ascii_alphanumeric() || *n == '_' {
                        name.push(*n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let parent = stack.last().unwrap().clone();
                let fields = schema
                    .get(&parent)
                    .unwrap_or_else(|| panic!("{op}: no type {parent} in the schema"));
                let (ty, _) = fields
                    .get(&name)
                    .unwrap_or_else(|| panic!("{op}: {parent} has no field {name:?}"));
                last = Some(ty.clone());
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(stack.is_empty(), "{op}: unbalanced selection set");
    checked
}

/// The field name just before position `i` (an opening parenthesis).
fn last_field(body: &str, i: usize) -> String {
    body[..i]
        .trim_end()
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn every_query_fits_linears_published_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/linear/schema.graphql");
    let schema = parse_schema(&std::fs::read_to_string(&path).unwrap());
    assert!(schema["Issue"].contains_key("identifier"));
    assert_eq!(schema["Query"]["issues"].0, "IssueConnection");
    let mut total = 0;
    for (op, q) in queries::ALL {
        assert!(q.starts_with(&format!("query {op}")), "{op}");
        total += check(&schema, op, q);
    }
    // Every selection was checked, not just a few.
    assert!(total > 80, "only {total} fields checked");
}

#[test]
fn the_checker_catches_a_wrong_field_and_argument() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/linear/schema.graphql");
    let schema = parse_schema(&std::fs::read_to_string(&path).unwrap());
    let wrong_field = std::panic::catch_unwind(|| {
        check(
            &schema,
            "X",
            "query X { issues(first: 1) { nodes { storyPoints } } }",
        )
    });
    assert!(wrong_field.is_err());
    let wrong_arg = std::panic::catch_unwind(|| {
        check(
            &schema,
            "X",
            "query X { issues(limit: 1) { nodes { id } } }",
        )
    });
    assert!(wrong_arg.is_err());
}
