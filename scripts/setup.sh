#!/usr/bin/env bash
# berth set-up: Debian packages (when missing), npm ci, TypeScript and C builds, test fixtures.
# Safe to run again: every step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# busybox-static: the test image; runc: the reference runtime the tests also judge;
# gcc/make/libc6-dev: the native helper; iproute2: network checks in tests;
# docker-registry: the reference registry the image tests push to and pull from; skopeo: an
# independent registry client that must read what berth writes; attr: setfattr, for the
# xattrs of image layers (Node has no xattr API); apache2-utils: htpasswd (bcrypt) for the
# registry behind Basic auth; openssl: the certificate of the test token server;
# containernetworking-plugins: the CNI plugins berthd's networks are made of (bridge, host-local,
# portmap, bandwidth, loopback); iptables: their NAT and berth's isolation rules; docker-compose:
# the compose test (Debian's 1.29, driving berthd through the Engine API).
packages=(busybox-static runc gcc make libc6-dev iproute2 docker-registry skopeo attr apache2-utils openssl
  containernetworking-plugins iptables docker-compose)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # The package starts a registry on :5000 where systemd runs; the tests start their own.
  if [[ " ${missing[*]} " == *" docker-registry "* ]] && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    "${sudo_cmd[@]}" systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
fi

npm ci --no-audit --no-fund
npm run build
bash scripts/make-fixtures.sh
# README's run command (`berth run --rm busybox echo hello`) needs busybox:latest, made here
# from the fixture rootfs: berth never pulls it from the network. It needs root (the default
# data root is /var/lib/berth), as berthd does.
if [[ $(id -u) -eq 0 ]]; then node scripts/seed-busybox-image.mjs; else echo "setup: not root: skipping the busybox image (run the set-up command as root to make it)"; fi
echo "setup: done"
