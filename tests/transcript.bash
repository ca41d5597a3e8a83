# tests/transcript.bash: every ```console block of a chapter is a test.
#
# A step's file calls `check_transcripts` in one test: each fenced block of
# stepNN-NAME/README.md that opens with ```console is run and compared with
# what it shows. The rules (also in tests/README.md):
#
# - A line that starts with "# " is a command (the prompt of root). The other
#   lines are the output expected from the commands above them. A command line
#   that ends with a backslash goes on in the next line.
# - All the commands of one block run in one bash process (so `cd`, variables
#   and `$?` carry over from one command to the next), as root, in the step's
#   directory, with stdin from /dev/null, stdout and stderr merged (2>&1), no
#   descriptor open but 0, 1 and 2, the environment reduced to PATH, HOME,
#   LC_ALL=C and TERM=dumb, and at most TRANSCRIPT_TIMEOUT seconds (60).
#   Steps 06-08 find the root filesystem at ../rootfs (`make rootfs`).
# - The whole block is compared, the command lines included, line by line.
#   Every line must match exactly, except for these placeholders:
#       <pid>   a process id (digits)
#       <n>     a number (digits, maybe a sign and a decimal part)
#       <any>   any text within the line (maybe none)
#       ...     (a line of its own) zero or more whole lines
# - Holes that could hide a failure are closed:
#   - a command that exits non-zero must show it: the next command uses $?
#     (or PIPESTATUS), else the transcript gets a line "(exit status N not
#     shown)" and differs. Pipelines run with pipefail, so a program that
#     fails before a `| grep` is seen too;
#   - a block may not end with "...", and no line may be "<any>" alone;
#   - the lines that "..." passes over may not look like a failure: a crash
#     (Segmentation fault, Aborted, core dumped, Killed...), a sanitizer's
#     report, an engine's error message ("container: what: why") or a failed
#     call in --verbose ("= -1 ENAME").
# - On a mismatch the test prints the block's place in README.md and a
#   `diff -u` of the expected and the actual transcript.
# - Every chapter has at least one console block: a README.md without one
#   fails. Under CONTAINER= (grading another program) transcripts are
#   skipped; they are skipped too when not run as root.

TRANSCRIPT_TIMEOUT=${TRANSCRIPT_TIMEOUT:-60}

# transcript_blocks README: fill TRANSCRIPT_BLOCKS (each block's lines joined
# with newlines) and TRANSCRIPT_LINES (the README line of each opening fence).
transcript_blocks() {
	local line n=0 in_block= indent= text=
	TRANSCRIPT_BLOCKS=()
	TRANSCRIPT_LINES=()
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		if [ -z "$in_block" ]; then
			if [[ $line =~ ^([[:space:]]*)\`\`\`console[[:space:]]*$ ]]; then
				in_block=1
				indent=${BASH_REMATCH[1]}
				text=
				TRANSCRIPT_LINES+=("$n")
			fi
		elif [[ $line =~ ^[[:space:]]*\`\`\`[[:space:]]*$ ]]; then
			in_block=
			TRANSCRIPT_BLOCKS+=("$text")
		else
			text+=${line#"$indent"}$'\n'
		fi
	done <"$1"
	if [ -n "$in_block" ]; then
		TRANSCRIPT_BLOCKS+=("$text")
	fi
}

# transcript_script BLOCK: the bash program that replays BLOCK's commands,
# printing each command line before running it.
transcript_script() {
	local line quoted first=1 shown=() text=
	printf '%s\n' \
		'__fds=(/proc/$$/fd/*); for __fd in "${__fds[@]##*/}"; do [ "$__fd" -gt 2 ] && [ "$__fd" -ne 255 ] && eval "exec $__fd>&-" 2>/dev/null; done; unset __fds __fd' \
		'__status() { return "$1"; }' \
		'__unshown() { [ "$1" -eq 0 ] || printf "(exit status %s not shown)\n" "$1"; }' \
		'set -o pipefail' \
		'__s=0'
	while IFS= read -r line; do
		if [ ${#shown[@]} -eq 0 ]; then
			[[ $line == "# "* ]] || continue
			text=${line#"# "}
		else
			text+=$'\n'$line
		fi
		shown+=("$line")
		# a trailing backslash: the command goes on in the next line
		[[ $line == *\\ ]] && continue
		if [ -z "$first" ]; then
			printf '__s=$?\n'
			# this command shows the status of the one before it, or nothing does
			[[ $text == *'$?'* || $text == *PIPESTATUS* ]] || printf '__unshown "$__s"\n'
		fi
		first=
		for line in "${shown[@]}"; do
			printf -v quoted '%q' "$line"
			printf 'printf "%%s\\n" %s\n' "$quoted"
		done
		printf '__status "$__s"\n%s\n' "$text"
		shown=()
	done <<<"$1"
	[ -n "$first" ] || printf '__unshown "$?"\n'
}

# transcript_block_problem BLOCK: what makes BLOCK unable to catch a failure
# (it ends with "...", or a line is "<any>" alone); nothing when it is sound.
transcript_block_problem() {
	local last
	last=$(printf '%s' "$1" | tail -n 1)
	if [ "$last" = "..." ]; then
		echo "it ends with '...', which would accept anything after it"
	elif printf '%s' "$1" | grep -qx '<any>'; then
		echo "a line is '<any>' alone, which would match an error message"
	fi
}

# transcript_failure_line LINE: LINE looks like a failure, which "..." may not pass over.
transcript_failure_line() {
	[[ $1 =~ (Segmentation\ fault|Aborted|core\ dumped|Killed|Bus\ error|Illegal\ instruction|Sanitizer|runtime\ error:) ]] ||
		[[ $1 =~ ^container:\ [^\(]*:\  ]] || [[ $1 =~ \ =\ -1\ E[A-Z0-9]+ ]]
}

# transcript_line_matches PATTERN LINE
transcript_line_matches() {
	local p=$1 c
	if [[ $p != *"<"* ]]; then
		[ "$p" = "$2" ]
		return
	fi
	for c in '\' . '[' ']' '(' ')' '{' '}' '*' + '?' '^' '$' '|'; do
		p=${p//"$c"/"\\$c"}
	done
	p=${p//<pid>/[0-9]+}
	p=${p//<n>/[-+]?[0-9]+(\\.[0-9]+)?}
	p=${p//<any>/.*}
	[[ $2 =~ ^$p$ ]]
}

# transcript_match I J: do expected lines I.. match actual lines J..?
# (TRANSCRIPT_WANT and TRANSCRIPT_GOT hold the lines.)
transcript_match() {
	local i=$1 j=$2 k n=${#TRANSCRIPT_WANT[@]} m=${#TRANSCRIPT_GOT[@]}
	while [ "$i" -lt "$n" ]; do
		if [ "${TRANSCRIPT_WANT[i]}" = "..." ]; then
			[ $((i + 1)) -lt "$n" ] || return 0
			for ((k = j; k <= m; k++)); do
				transcript_match $((i + 1)) "$k" && return 0
				# "..." passes over line k next: never over a failure
				[ "$k" -lt "$m" ] && transcript_failure_line "${TRANSCRIPT_GOT[k]}" && return 1
			done
			return 1
		fi
		[ "$j" -lt "$m" ] || return 1
		transcript_line_matches "${TRANSCRIPT_WANT[i]}" "${TRANSCRIPT_GOT[j]}" || return 1
		i=$((i + 1))
		j=$((j + 1))
	done
	[ "$j" -eq "$m" ]
}

# run_transcript BLOCK DIR: run BLOCK's commands in DIR; the transcript on stdout.
run_transcript() {
	local script
	script=$(transcript_script "$1")
	(
		cd "$2" || exit 1
		env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME="${HOME:-/root}" LC_ALL=C TERM=dumb \
			timeout --kill-after=5 "$TRANSCRIPT_TIMEOUT" \
			bash --norc --noprofile -c "$script" </dev/null 2>&1
		status=$?
		if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
			echo "(transcript stopped: still running after ${TRANSCRIPT_TIMEOUT}s)"
		fi
	)
}

# check_transcripts [STEP]: run and compare every console block of STEP's
# README.md (default: this file's step).
check_transcripts() {
	local step=${1:-$STEP} readme i k got failed=0 shown problem
	readme=$REPO/$step/README.md
	requires transcripts root
	[ -f "$readme" ] || fail "$step/README.md does not exist: every chapter shows a console block"
	transcript_blocks "$readme"
	[ "${#TRANSCRIPT_BLOCKS[@]}" -gt 0 ] || fail "$step/README.md has no console block"
	[ -x "$REPO/$step/container" ] || fail "$step/container is not built (make)"
	for i in "${!TRANSCRIPT_BLOCKS[@]}"; do
		problem=$(transcript_block_problem "${TRANSCRIPT_BLOCKS[i]}")
		if [ -n "$problem" ]; then
			failed=$((failed + 1))
			echo "$step/README.md line ${TRANSCRIPT_LINES[i]}: the console block cannot catch a failure: $problem"
			continue
		fi
		got=$(run_transcript "${TRANSCRIPT_BLOCKS[i]}" "$REPO/$step")
		mapfile -t TRANSCRIPT_WANT <<<"${TRANSCRIPT_BLOCKS[i]%$'\n'}"
		mapfile -t TRANSCRIPT_GOT <<<"$got"
		[ -n "${TRANSCRIPT_BLOCKS[i]}" ] || TRANSCRIPT_WANT=()
		[ -n "$got" ] || TRANSCRIPT_GOT=()
		if ! transcript_match 0 0; then
			failed=$((failed + 1))
			echo "$step/README.md line ${TRANSCRIPT_LINES[i]}: the console block differs from what its commands print:"
			# show an actual line that its placeholder line matches as that line,
			# so that the diff shows only real differences
			shown=("${TRANSCRIPT_GOT[@]}")
			for ((k = 0; k < ${#shown[@]} && k < ${#TRANSCRIPT_WANT[@]}; k++)); do
				if [ "${TRANSCRIPT_WANT[k]}" != "..." ] &&
					transcript_line_matches "${TRANSCRIPT_WANT[k]}" "${shown[k]}"; then
					shown[k]=${TRANSCRIPT_WANT[k]}
				fi
			done
			diff -u --label "expected ($step/README.md line ${TRANSCRIPT_LINES[i]})" --label actual \
				<(printf '%s\n' "${TRANSCRIPT_WANT[@]}") <(printf '%s\n' "${shown[@]}") || true
			echo
		fi
	done
	[ "$failed" -eq 0 ] || fail "$failed of ${#TRANSCRIPT_BLOCKS[@]} console blocks of $step/README.md differ"
}
