#!/bin/sh
# The stand-in host of oracle/hostile.test.ts. Run as root under
#   unshare -m --propagation private sh oracle/hostile-host.sh HOST OUT NODE
# so every mount below exists only in this private mount namespace.
# HOST: an empty directory (outside /tmp, which each scenario's executor covers
#       with its own tmpfs); a scratch tmpfs is mounted on it and filled with
#       files, a FIFO, device nodes, symlinks, a directory tree, and a bpffs.
# OUT:  holds `files` (the scenario files for `bpftc run --kernel`, one per
#       line) and `repros` (lines "NAME BINARY"); gets before/after snapshots
#       of the stand-in host, cli.json/cli.err/cli.rc, NAME.out/NAME.rc.
set -eu
H=$1
OUT=$2
NODE=$3
HERE=$(cd "$(dirname "$0")" && pwd)

mount -t tmpfs -o size=4m,mode=0755 bpftc-standin-host "$H"
mkdir -p "$H/etc" "$H/dir/sub/deep" "$H/dir/empty" "$H/dev" "$H/bpf"
printf 'stand-in host secret\n' > "$H/etc/secret"
chmod 600 "$H/etc/secret"
printf 'root:x:0:0::/root:/bin/sh\n' > "$H/etc/passwd"
printf 'deep\n' > "$H/dir/sub/deep/file"
mkfifo "$H/fifo"
mknod "$H/dev/null" c 1 3
mknod "$H/dev/zero" c 1 5
ln -s dir "$H/link-dir"
ln -s ../.. "$H/link-up"
ln -s "$H/etc/secret" "$H/link-abs"
mount -t bpf -o mode=0700,delegate_cmds=any,delegate_maps=any,delegate_progs=any,delegate_attachs=any bpftc-standin-bpffs "$H/bpf"
mkdir "$H/bpf/pinned"

# Everything a scenario could change: each entry's type, mode, owner, size,
# mtime, ctime and link target; every regular file's contents (hash); the
# mount table lines of the stand-in mounts (options and superblock options);
# the loaded kernel modules; the one sysctl the suite reads.
snap() {
  (cd "$H" && find . -printf '%p %y %m %U:%G %s %T@ %C@ %l\n' | LC_ALL=C sort)
  (cd "$H" && find . -type f -exec sha256sum {} + | LC_ALL=C sort)
  awk -v h="$H" '$5 == h || index($5, h "/") == 1' /proc/self/mountinfo
  echo "modules: $(cut -d' ' -f1 /proc/modules 2>/dev/null | LC_ALL=C sort | tr '\n' ' ')"
  echo "unprivileged_bpf_disabled: $(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null)"
}

snap > "$OUT/before"
set +e
T=""
if command -v timeout > /dev/null; then T="timeout 60"; fi
# shellcheck disable=SC2046 # one scenario file per line, no spaces in the names
"$NODE" "$HERE/../cli/bpftc.js" run --kernel --json $(cat "$OUT/files") > "$OUT/cli.json" 2> "$OUT/cli.err"
echo $? > "$OUT/cli.rc"
while read -r name bin; do
  $T "$bin" > "$OUT/$name.out" 2>&1
  echo $? > "$OUT/$name.rc"
done < "$OUT/repros"
snap > "$OUT/after"
exit 0
