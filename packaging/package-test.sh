#!/usr/bin/env bash
# The package as a user gets it, from the built ./build: cpack builds dpn-studio_*.deb, lintian checks it (errors and
# warnings fail, except the overrides it ships, each explained), apt-get installs it, and in an empty folder with an
# empty home the installed /usr/bin/dpn answers about the installed sample and /usr/bin/dpn-studio renders its window;
# the desktop entry and the AppStream metadata validate. A second, relocated install (cmake --install --prefix) must
# find its data beside itself and never in this source tree. The package is removed again at the end.
# Usage: packaging/package-test.sh   (after packaging/build.sh; uses sudo when not run as root)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_get() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

work=$(mktemp -d)
installed_here=0
cleanup() {
  [ $installed_here = 0 ] || apt_get purge -y -qq dpn-studio > /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== cpack"
rm -f build/dpn-studio_*.deb
(cd build && cpack -G DEB > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$src"/build/dpn-studio_*.deb)
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'

echo "== lintian $deb"
lintian --fail-on error,warning --display-info --show-overrides "$deb" || fail "lintian reports errors or warnings"

echo "== apt-get install $deb"
dpkg -s dpn-studio > /dev/null 2>&1 && fail "dpn-studio is already installed here: remove it first (apt-get purge dpn-studio)"
installed_here=1
apt_get install -y -qq "$deb" > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install"; }

echo "== desktop entry and AppStream metadata"
desktop-file-validate /usr/share/applications/org.dpnstudio.DpnStudio.desktop
appstreamcli validate --no-net /usr/share/metainfo/org.dpnstudio.DpnStudio.metainfo.xml
for f in /usr/share/icons/hicolor/scalable/apps/org.dpnstudio.DpnStudio.svg /usr/share/man/man1/dpn.1.gz \
         /usr/share/man/man1/dpn-studio.1.gz /usr/share/doc/dpn-studio/copyright; do
  [ -s "$f" ] || fail "$f is missing"
done
zcat /usr/share/man/man1/dpn.1.gz | grep -q 'dpn ask' || fail "dpn(1) lacks the commands"

echo "== the installed programs, in an empty folder with an empty home"
mkdir -p "$work/empty" "$work/home"
cd "$work/empty"
run_env=(env -u DPN_MODELS -u DPN_RESOURCES -u XDG_DATA_HOME -u XDG_CONFIG_HOME HOME="$work/home")
question="What is the background color?"
"${run_env[@]}" /usr/bin/dpn ask --model demo-dpn --image /usr/share/dpn-studio/samples/shapes.png \
  --question "$question" --json > "$work/installed.json" || fail "/usr/bin/dpn ask"
"$src/build/app/dpn" ask --model demo-dpn --image "$src/resources/samples/shapes.png" --question "$question" \
  --json > "$work/build.json"
answer() { sed -n 's/.*"answer": *"\([^"]*\)".*/\1/p' "$1"; }
tokens() { tr -d '\n ' < "$1" | sed -n 's/.*"tokens":\(\[[^]]*\]\).*/\1/p'; }
echo "installed dpn answers: $(answer "$work/installed.json") (tokens $(tokens "$work/installed.json"))"
[ -n "$(tokens "$work/installed.json")" ] || fail "the installed dpn gave no answer"
[ "$(tokens "$work/installed.json")" = "$(tokens "$work/build.json")" ] ||
  fail "the installed dpn answers $(tokens "$work/installed.json"), the build tree's $(tokens "$work/build.json")"
"${run_env[@]}" xvfb-run -a -s '-screen 0 1600x1000x24' /usr/bin/dpn-studio --screenshot "$work/shot.png" \
  > "$work/studio.log" 2>&1 || { cat "$work/studio.log"; fail "/usr/bin/dpn-studio --screenshot"; }
grep -v '^dpn-studio: wrote ' "$work/studio.log" | grep -q 'dpn-studio:' && { cat "$work/studio.log"; fail "dpn-studio reported an error"; }
[ "$(stat -c %s "$work/shot.png")" -gt 20000 ] || fail "the screenshot is (nearly) empty"
echo "installed dpn-studio rendered $(stat -c %s "$work/shot.png") bytes of PNG"
[ -z "$(ls -A "$work/empty")" ] || fail "the programs wrote into the working folder: $(ls -A "$work/empty")"

echo "== a relocated install finds its own data, never this source tree"
cmake --install "$src/build" --prefix "$work/stage" > /dev/null
rm -r "$work/stage/share/dpn-studio/models/tiny-random"
"${run_env[@]}" "$work/stage/bin/dpn" ask --model demo-dpn --image "$work/stage/share/dpn-studio/samples/shapes.png" \
  --question "$question" --max-new-tokens 2 > /dev/null || fail "the relocated dpn does not find demo-dpn beside itself"
if "${run_env[@]}" "$work/stage/bin/dpn" ask --model tiny-random --image "$src/resources/samples/shapes.png" \
     --question "$question" --max-new-tokens 2 > "$work/relocated.log" 2>&1; then
  fail "the relocated dpn found tiny-random, which only the source tree has"
fi
grep -q 'tiny-random' "$work/relocated.log" || { cat "$work/relocated.log"; fail "the error does not name the model"; }
echo "package-test: ok ($(du -h "$deb" | cut -f1) package)"
