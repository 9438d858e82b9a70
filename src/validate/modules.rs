//! Module identity: every module of a moment has its own id (front matter `id:`, else
//! its path in `modules/`), which importers use to keep a citizen's progress across
//! versions.

use crate::diagnostic::msg::Rules;
use crate::diagnostic::{Code, Diagnostic};
use crate::load::LoadedMoment;
use crate::model::module_id;

/// E070 for a module whose id another module of the same moment already has.
pub fn check(moment: &LoadedMoment, out: &mut Vec<Diagnostic>) {
    for (j, module) in moment.modules.iter().enumerate() {
        let id = module_id(module.front.as_ref(), &module.path);
        let Some(first) = moment.modules[..j]
            .iter()
            .find(|m| module_id(m.front.as_ref(), &m.path) == id)
        else {
            continue;
        };
        let pos = module
            .front_node
            .as_ref()
            .and_then(|n| n.entry("id").map(|(k, _)| k.pos))
            .unwrap_or(module.listed_at);
        let file = if module.front.as_ref().is_some_and(|f| f.id.is_some()) {
            format!("{}/{}", moment.rel_dir, module.path)
        } else {
            moment.meta_rel()
        };
        out.push(
            Diagnostic::new(
                Code::DuplicateModuleId,
                Rules::DuplicateModuleId {
                    module: module.path.to_string(),
                    first: first.path.to_string(),
                    id: id.to_string(),
                },
            )
            .in_file(file)
            .at_pos(pos)
            .with_hint(Rules::DuplicateModuleIdHint { id: id.to_string() }),
        );
    }
}
