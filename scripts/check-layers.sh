#!/bin/sh
# Checks that no `use crate::X` in src/ runs back up the layers of
# book/src/contributing.md ("The layers"). Prints each import that does; exit 1 then.
# (`t` is the message macro of `diagnostic::msg`, exported at the crate root.)
cd "$(dirname "$0")/.." || exit 2
rank() {
  case "$1" in
    t|error|model|diagnostic|digest|media_type|file_types|version|keys|risk_analysis|scoring|git|codeowners) echo 0 ;;
    load) echo 1 ;;
    validate|report) echo 2 ;;
    render) echo 3 ;;
    bundle|cache) echo 4 ;;
    build|preview|publish|lsp|fhir|pipeline) echo 5 ;;
    diff) echo 6 ;;
    *) echo 9 ;;
  esac
}
bad=0
for file in $(find src -name '*.rs'); do
  from=$(echo "${file#src/}" | cut -d/ -f1 | sed 's/\.rs$//')
  case "$from" in main|lib|cli|cmd) continue ;; esac
  for to in $(grep -o 'crate::[a-z_]*' "$file" | sed 's/crate:://' | sort -u); do
    [ "$to" = "$from" ] && continue
    if [ "$(rank "$to")" -gt "$(rank "$from")" ]; then
      echo "$file: $from imports $to, a higher layer"
      bad=1
    fi
  done
done
exit $bad
