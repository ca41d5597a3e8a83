# tests/lab/units.awk: name the top-level piece of a C file that each line
# belongs to, for make-lab.sh.  Prints one line per input line, tab-separated:
#
#     LINE	UNIT	KIND
#
# UNIT is "header" (the file's first comment), "includes" (#include lines
# and #define _GNU_SOURCE), a function's name, a variable's, a macro's,
# "struct NAME", or for an anonymous enum its first constant.  Blank lines,
# comments and __attribute__ lines between two pieces belong to the piece
# that follows them.
#
# KIND says where the line is: "pre" (outside any piece's code: a blank
# line, a comment, an attribute), "decl" (a piece's first line of code),
# "body" (the rest of its code), "comment" (within a body, inside a comment
# that began on an earlier line: nothing can be put before such a line).
#
# The workbook's code is written in one style (kernel style): a piece starts
# at column 0, and a body ends with "}" or "};" at column 0.

function unit_name(i,    s) {
	s = line[i]
	if (s ~ /^#include/ || s ~ /^#define _GNU_SOURCE/)
		return "includes"
	if (s ~ /^#define/) {
		split(s, w, /[ \t(]+/)
		return w[2]
	}
	if (s ~ /^(static )?(const )?struct [A-Za-z_0-9]+ \{/) {
		sub(/^(static )?(const )?struct /, "", s)
		sub(/ .*/, "", s)
		return "struct " s
	}
	if (s ~ /^enum( [A-Za-z_0-9]+)? \{/) {
		sub(/^enum( [A-Za-z_0-9]+)? \{[ \t]*/, "", s)
		if (s == "")	# the constants start on the next line
			s = line[i + 1]
		sub(/^[ \t]*/, "", s)
		sub(/[^A-Za-z_0-9].*/, "", s)
		return s
	}
	# A function: the name before the first "("; a variable: the last
	# name before "=", "[" or ";".
	if (s ~ /^[^=]*\(/)
		sub(/\(.*/, "", s)
	else
		sub(/[ \t]*(=|\[|;).*/, "", s)
	sub(/.*[^A-Za-z_0-9]/, "", s)
	return s
}

# Is a comment open at the end of line i, given whether one was open before it?
function comment_open_after(i, open,    rest) {
	rest = line[i]
	if (open) {
		if (!sub(/^.*\*\//, "", rest))
			return 1
	}
	while (match(rest, /\/\*/)) {
		rest = substr(rest, RSTART + 2)
		if (!sub(/^.*\*\//, "", rest))
			return 1
	}
	return 0
}

{ line[NR] = $0 }

END {
	OFS = "\t"
	open = 0	# a comment open before the current line
	inside = 0	# within a piece's code
	first = 0	# the first line not yet given a piece
	header_done = 0
	for (i = 1; i <= NR; i++) {
		kind = open ? "comment" : ""
		next_open = comment_open_after(i, open)
		s = line[i]
		if (inside) {
			unit[i] = name
			kinds[i] = kind == "" ? "body" : kind
			if (kind == "" && (s ~ /^\}.*;[ \t]*$/ || s ~ /^\}[ \t]*$/ ||
			    (!has_body && s ~ /;[ \t]*$/)))
				inside = 0
			else if (s ~ /\{[ \t]*$/ || s ~ /^\{/)
				has_body = 1
		} else if (kind == "comment" || s ~ /^[ \t]*$/ || s ~ /^\/\*/ || s ~ /^__attribute__/) {
			kinds[i] = "pre"
			# The file's first comment is its header.
			if (!header_done && (s ~ /^\/\*/ || kind == "comment")) {
				unit[i] = "header"
				if (!next_open)
					header_done = 1
				first = i + 1
			}
		} else {
			name = unit_name(i)
			for (j = first; j < i; j++)
				if (!(j in unit))
					unit[j] = name
			unit[i] = name
			kinds[i] = "decl"
			first = i + 1
			if (s !~ /^#/) {
				has_body = (s ~ /\{/)
				inside = !(s ~ /;[ \t]*$/ && gsub(/\{/, "{", s) == gsub(/\}/, "}", s))
			}
		}
		open = next_open
	}
	# What follows the last piece belongs to it.
	for (j = 1; j <= NR; j++) {
		if (!(j in unit))
			unit[j] = name
		print j, unit[j], kinds[j]
	}
}
