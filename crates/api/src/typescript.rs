//! One TypeScript file with every type the UI receives or sends, generated from the Rust types
//! with ts-rs. `tests/api/main.rs` fails when `ui/src/lib/api.gen.ts` is stale.

use std::any::TypeId;
use std::collections::HashSet;
use ts_rs::{Config, TS, TypeVisitor};

pub struct Collector {
    cfg: Config,
    seen: HashSet<TypeId>,
    decls: Vec<String>,
}

impl Default for Collector {
    fn default() -> Self {
        Collector {
            cfg: Config::new().with_large_int("number"),
            seen: HashSet::new(),
            decls: Vec::new(),
        }
    }
}

impl TypeVisitor for Collector {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if T::output_path().is_some() {
            let docs = T::docs().map(|d| format!("{d}\n")).unwrap_or_default();
            self.decls
                .push(format!("{docs}export {}", T::decl(&self.cfg)));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

impl Collector {
    /// Declare `T` and everything it names; returns its name.
    pub fn add<T: TS + 'static>(&mut self) -> String {
        self.visit::<T>();
        T::name(&self.cfg)
    }

    pub fn finish(mut self, endpoints: &str) -> String {
        self.decls.sort_by(|a, b| name_of(a).cmp(name_of(b)));
        let mut out = String::from(
            "// Generated from the Rust API types (crates/api) by ts-rs. Do not edit:\n// `cargo run -p bosun-api --example gen-ts` rewrites it; a test fails when it is stale.\n\n",
        );
        for d in &self.decls {
            out.push_str(d);
            out.push_str("\n\n");
        }
        out.push_str(endpoints);
        out
    }
}

fn name_of(decl: &str) -> &str {
    decl.split("export type ")
        .nth(1)
        .and_then(|s| s.split([' ', '<', '=']).next())
        .unwrap_or(decl)
}
