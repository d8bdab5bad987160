#!/usr/bin/env bash
# Builds the busybox test image rootfs from Debian's busybox-static: /bin/busybox and its applet
# links, plus the few files a container expects. Made here, never committed as a binary.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/build/busybox-rootfs
bb=/bin/busybox
[[ -x $bb ]] || { echo "make-fixtures: $bb missing (Debian package busybox-static)" >&2; exit 1; }
# Bump when the layout below changes, so that existing checkouts rebuild.
layout=2
if ! [[ -x $out/bin/busybox ]] || ! cmp -s "$bb" "$out/bin/busybox" || [[ $(cat "$out.layout" 2>/dev/null) != "$layout" ]]; then
  rm -rf "$out.tmp"
  mkdir -p "$out.tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home,var,run}
  chmod 1777 "$out.tmp/tmp"
  cp "$bb" "$out.tmp/bin/busybox"
  # One link per applet, in the directory busybox itself names for it.
  "$bb" --list-full | while read -r applet; do
    [[ $applet == bin/busybox ]] && continue
    # -s: lexically, since on a merged-/usr host /bin itself is a link to /usr/bin.
    rel=$(realpath -m -s --relative-to="$(dirname "/$applet")" /bin/busybox)
    ln -sf "$rel" "$out.tmp/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$out.tmp/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$out.tmp/etc/group"
  rm -rf "$out"
  mv "$out.tmp" "$out"
  echo "$layout" > "$out.layout"
  echo "make-fixtures: $out"
fi

# A ready bundle for README's run command: berth-runtime's own example spec, made to print a
# greeting without a terminal, on the rootfs above (read-only, shared).
bundle=test/fixtures/build/busybox-bundle
rm -rf "$bundle"
mkdir -p "$bundle"
./bin/berth-runtime spec --bundle "$bundle"
node -e '
  const fs = require("node:fs");
  const path = process.argv[1] + "/config.json";
  const spec = JSON.parse(fs.readFileSync(path, "utf8"));
  spec.process.terminal = false;
  spec.process.args = ["sh", "-c", "echo hello from $(hostname), pid $$ of $(ls /proc | grep -c \"^[0-9]\") processes"];
  spec.root = { path: "../busybox-rootfs", readonly: true };
  fs.writeFileSync(path, JSON.stringify(spec, null, 2) + "\n");
' "$bundle"
