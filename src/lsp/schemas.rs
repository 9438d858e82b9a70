//! What the JSON Schemas say about a key path: the keys an object allows, a field's
//! title and description, and the values an enum allows. Read from the same schema
//! files that `moment check` validates with.

use serde_json::Value;

use super::syntax::Seg;
use crate::load::schema::SchemaKind;

/// A parsed schema document.
#[derive(Debug)]
pub struct SchemaDoc {
    root: Value,
}

/// One key an object allows.
#[derive(Clone, Debug)]
pub struct KeyInfo {
    /// The key.
    pub name: String,
    /// The field's title and description, for documentation.
    pub doc: String,
    /// Whether the key is required.
    pub required: bool,
}

impl SchemaDoc {
    /// Parses the schema of `kind`; `None` only if a built-in schema is not JSON.
    pub fn of(kind: SchemaKind) -> Option<SchemaDoc> {
        serde_json::from_str(kind.text())
            .ok()
            .map(|root| SchemaDoc { root })
    }

    /// Follows `$ref`s inside the document.
    fn resolve<'v>(&'v self, mut node: &'v Value) -> &'v Value {
        for _ in 0..16 {
            let Some(target) = node.get("$ref").and_then(Value::as_str) else {
                return node;
            };
            let Some(pointer) = target.strip_prefix('#') else {
                return node;
            };
            match self.root.pointer(pointer) {
                Some(next) => node = next,
                None => return node,
            }
        }
        node
    }

    /// Every alternative a node stands for: itself and its `allOf`/`anyOf`/`oneOf`
    /// branches and `if`/`then`/`else` parts, resolved.
    fn alternatives<'v>(&'v self, node: &'v Value, out: &mut Vec<&'v Value>, depth: usize) {
        let node = self.resolve(node);
        if depth > 8 || out.iter().any(|n| std::ptr::eq(*n, node)) {
            return;
        }
        out.push(node);
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = node.get(key) {
                for b in branches {
                    self.alternatives(b, out, depth + 1);
                }
            }
        }
        for key in ["then", "else"] {
            if let Some(b) = node.get(key) {
                self.alternatives(b, out, depth + 1);
            }
        }
    }

    /// The schema nodes that describe the value at `path`.
    pub fn at(&self, path: &[Seg]) -> Vec<&Value> {
        let mut current = Vec::new();
        self.alternatives(&self.root, &mut current, 0);
        for seg in path {
            let mut next = Vec::new();
            for node in &current {
                let child = match seg {
                    Seg::Key(k) => node
                        .get("properties")
                        .and_then(|p| p.get(k))
                        .or_else(|| node.get("additionalProperties").filter(|a| a.is_object())),
                    Seg::Item => node.get("items").filter(|i| i.is_object()),
                };
                if let Some(child) = child {
                    self.alternatives(child, &mut next, 0);
                }
            }
            current = next;
            if current.is_empty() {
                break;
            }
        }
        current
    }

    /// The keys allowed in the object at `path`, in schema order.
    pub fn keys(&self, path: &[Seg]) -> Vec<KeyInfo> {
        let mut out: Vec<KeyInfo> = Vec::new();
        for node in self.at(path) {
            let required: Vec<&str> = node
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let Some(Value::Object(props)) = node.get("properties") else {
                continue;
            };
            for (name, prop) in props {
                if let Some(existing) = out.iter_mut().find(|k| &k.name == name) {
                    existing.required |= required.contains(&name.as_str());
                    continue;
                }
                out.push(KeyInfo {
                    name: name.clone(),
                    doc: self.doc(prop),
                    required: required.contains(&name.as_str()),
                });
            }
        }
        out
    }

    /// The title and description of a schema node, as Markdown.
    fn doc(&self, node: &Value) -> String {
        let mut alts = Vec::new();
        self.alternatives(node, &mut alts, 0);
        let title = alts
            .iter()
            .find_map(|n| n.get("title").and_then(Value::as_str));
        let description = alts
            .iter()
            .find_map(|n| n.get("description").and_then(Value::as_str));
        let values = self.enum_of(&alts);
        let mut text = String::new();
        if let Some(t) = title {
            text.push_str(&format!("**{t}**"));
        }
        if let Some(d) = description {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(d);
        }
        if !values.is_empty() {
            text.push_str(&format!("\n\nAllowed: `{}`", values.join("`, `")));
        }
        text
    }

    /// The documentation of the field at `path`.
    pub fn describe(&self, path: &[Seg]) -> Option<String> {
        let (last, parent) = path.split_last()?;
        let Seg::Key(key) = last else {
            return None;
        };
        let key_info = self.keys(parent).into_iter().find(|k| &k.name == key)?;
        (!key_info.doc.is_empty()).then_some(key_info.doc)
    }

    fn enum_of(&self, alts: &[&Value]) -> Vec<String> {
        let mut values = Vec::new();
        for node in alts {
            if let Some(Value::Array(list)) = node.get("enum") {
                values.extend(list.iter().map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }));
            }
            if let Some(v) = node.get("const") {
                values.push(v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            }
            if node.get("type").and_then(Value::as_str) == Some("boolean") {
                values.extend(["true".to_owned(), "false".to_owned()]);
            }
        }
        values.dedup();
        values
    }

    /// The values an enum (or boolean) at `path` allows.
    pub fn values(&self, path: &[Seg]) -> Vec<String> {
        let alts = self.at(path);
        self.enum_of(&alts)
    }

    /// Whether the value at `path` is an object with known keys.
    pub fn is_object(&self, path: &[Seg]) -> bool {
        self.at(path).iter().any(|n| n.get("properties").is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_descriptions_follow_refs() {
        let form = SchemaDoc::of(SchemaKind::Form).unwrap();
        let keys = form.keys(&[Seg::Key("items".into()), Seg::Item]);
        assert!(keys.iter().any(|k| k.name == "enable_when"), "{keys:?}");
        let doc = form.describe(&[Seg::Key("kind".into())]).unwrap();
        assert!(doc.contains("questionnaire"), "{doc}");
        let kinds = form.values(&[Seg::Key("kind".into())]);
        assert_eq!(kinds, ["questionnaire", "registration"]);
        let tests = SchemaDoc::of(SchemaKind::FormTests).unwrap();
        assert!(tests.keys(&[Seg::Item]).iter().any(|k| k.name == "answers"));
    }
}
