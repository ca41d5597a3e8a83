#!/usr/bin/env bash
# tests/lab/make-lab.sh: make a step's classroom lab from its diff.
#
#   tests/lab/make-lab.sh [--force] STEP [DIR]
#
# STEP is 05 or step05-pid.  Writes DIR/stepNN-NAME/ (DIR: lab by default):
#   main.c     the previous step's main.c (for step 01, tests/lab/step00.c, a
#              program that does nothing), with a comment TODO(NN.k) at each
#              place where `diff -u PREV/main.c stepNN-NAME/main.c` adds or
#              changes code, saying in words what belongs there;
#   README.md  what to do: read the chapter, fill the TODOs, build, try the
#              chapter's sessions, grade;
# and DIR/rootfs, a link to the workbook's root filesystem, for the
# chapters' sessions (they name ../rootfs).
#
# The words are in tests/lab/stepNN.words, one section "[NAME]" for each
# piece of code (function, variable, struct, macro; "header" for the file's
# first comment, "includes") that the diff touches; place.awk says where the
# markers go.  When the diff touches a piece that has no words, nothing is
# written: the script names the pieces and the hunks and exits 1.
#
# A main.c already in DIR/stepNN-NAME is a student's work: it is never
# overwritten unless it is what this script would write, or with --force.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

force=
if [ "${1:-}" = --force ]; then force=1; shift; fi
step=${1:?usage: tests/lab/make-lab.sh [--force] STEP [DIR]}
dir=${2:-lab}

# The step's directory, and the one before it.
num=${step#step}
num=${num:0:2}
cur='' prev=''
for d in step[0-9][0-9]-*/; do
	d=${d%/}
	if [ "${d:4:2}" = "$num" ]; then cur=$d; break; fi
	prev=$d
done
if [ -z "$cur" ] || [ ! -f "$cur/main.c" ]; then
	echo "make-lab: no step $step" >&2
	exit 2
fi
if [ -z "$prev" ]; then prev_c=tests/lab/step00.c; else prev_c=$prev/main.c; fi
words=tests/lab/step$num.words
[ -f "$words" ] || { echo "make-lab: no $words: write the words of step $num first" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -f "$here/units.awk" "$prev_c" >"$tmp/old.units"
awk -f "$here/units.awk" "$cur/main.c" >"$tmp/new.units"
diff -u "$prev_c" "$cur/main.c" >"$tmp/diff" || [ $? -eq 1 ]
awk -f "$here/place.awk" step="$num" words_file="$words" \
	part=old_units "$tmp/old.units" part=new_units "$tmp/new.units" \
	part=diff "$tmp/diff" part=words "$words" part=old "$prev_c" part=new "$cur/main.c" >"$tmp/main.c"
if grep -n '\*/' "$words" >&2; then
	echo "make-lab: $words: the words may not hold \"*/\" (it would end the comment)" >&2
	exit 1
fi

lab=$dir/$cur
if [ -f "$lab/main.c" ] && [ -z "$force" ] && ! cmp -s "$lab/main.c" "$tmp/main.c"; then
	echo "make-lab: $lab/main.c exists and is not the lab's starting point (your work?): left alone." >&2
	echo "make-lab: move it away first, or use tests/lab/make-lab.sh --force $num $dir" >&2
	exit 1
fi
mkdir -p "$lab"
cp "$tmp/main.c" "$lab/main.c"
ln -sfn "$(realpath --relative-to="$dir" "$repo/rootfs")" "$dir/rootfs"

# The README: the chapter's title, the list of TODOs with their first line.
title=$(sed -n '1s/^# //p' "$cur/README.md")
# (each TODO's first sentence)
todos=$(awk 'function flush() { if (tag != "") { sub(/\. .*/, ".", text); printf "   - `%s`: %s\n", tag, text }; tag = "" }
	/^[ \t]*\* TODO\([0-9]+\.[0-9]+\) .*:$/ { flush(); sub(/^[ \t]*\* /, ""); sub(/:$/, ""); tag = $0; text = ""; next }
	tag != "" && /^[ \t]*\*\// { flush(); next }
	tag != "" { sub(/^[ \t]*\* ?/, ""); text = text (text == "" ? "" : " ") $0 }' "$lab/main.c")
if [ "$num" -ge 04 ]; then sudo="sudo "; else sudo=; fi
if [ "$num" -ge 06 ]; then args=" ../rootfs"; else args=; fi
cat >"$lab/README.md" <<README
# Lab $num: ${title#"Step $num: "}

\`main.c\` here is where you start: $(if [ "$prev_c" = tests/lab/step00.c ]; then
	echo "a program that does nothing yet"; else echo "step ${prev:4:2}'s program, which builds and runs as it is"; fi).
Your work is step $num: the comments \`TODO($num.k)\` in it say, in words, what
goes where; the code is yours to write.

1. Read the chapter, [\`$cur/README.md\`](../../$cur/README.md).
2. Work through the TODOs, in order:

$todos

3. Build, in this directory:

       cc -o container main.c

   (the workbook builds its own with \`-std=c11 -Wall -Wextra -Wpedantic
   -Werror -O2 -g\`: try those flags too).
4. Try the chapter's sessions (its \`console\` blocks under "Try it") here:
   they run \`${sudo}./container$args ...\`.$(if [ -n "$args" ]; then printf '%s' " \`../rootfs\` is a link to the
   workbook's root filesystem (\`make rootfs\` at the top makes it)."; fi)
5. Grade your program, from the top of the workbook:

       ${sudo}CONTAINER=$lab/container make test STEP=$num

   The tests check step $num's promises and those of the steps before it.
   $(if [ -n "$sudo" ]; then printf '%s' "Without root, run the same inside a VM:
   \`CONTAINER=$lab/container make test STEP=$num VM=1\` (tests/lab/README.md)."; fi)

Stuck? \`make diff STEP=$num\` shows the whole answer.
README
echo "make-lab: wrote $lab/main.c ($(grep -c 'TODO(' "$lab/main.c") TODO comments) and $lab/README.md"
