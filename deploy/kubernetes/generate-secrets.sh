#!/usr/bin/env bash
# Writes base/secrets/<name>.env from each <name>.env.example with a random value (32 letters and digits) for every
# key, except the object store's credentials (postgres-backups.env), which come from its provider, and the alerting
# service's mail server (alerting-smtp.env), copied as it is for you to fill in (optional: empty, no email). A file that
# exists is left alone, so running it again changes nothing.
set -euo pipefail
cd "$(dirname "$0")/base/secrets"
random() { LC_ALL=C tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 32 || true; }
umask 077
for example in *.env.example; do
  target="${example%.example}"
  if [[ -e "$target" ]]; then
    echo "kept      $target"
  elif [[ "$target" == postgres-backups.env ]]; then
    echo "fill in   $target (from $example: the object store's access key)"
  elif [[ "$target" == alerting-smtp.env ]]; then
    cp "$example" "$target"
    echo "copied    $target (optional: fill in the mail server for email alerts)"
  else
    while IFS= read -r line; do
      if [[ "$line" =~ ^([A-Za-z0-9_]+)=$ ]]; then
        printf '%s=%s\n' "${BASH_REMATCH[1]}" "$(random)"
      else
        printf '%s\n' "$line"
      fi
    done < "$example" > "$target"
    echo "generated $target"
  fi
done
