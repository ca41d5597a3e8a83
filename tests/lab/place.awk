# tests/lab/place.awk: put the TODO markers of a lab into the previous
# step's main.c.  Run by make-lab.sh as
#
#   awk -f place.awk step=NN words_file=F \
#       part=old_units OLD.units part=new_units NEW.units \
#       part=diff PREV-TO-NEW.diff part=words F part=old OLD.c part=new NEW.c
#
# (the .units files are units.awk's output for the two main.c).  Prints the
# lab's main.c on stdout; on stderr, what is wrong, and then exits 1, when a
# piece of code the diff changes has no words.
#
# Where a marker goes, for each run of changed lines ("block") of the diff
# and each piece (function, variable, ...) the block touches:
#   - a piece the previous step has: at its first line the block removes,
#     or where the block adds lines when that is within the piece;
#   - a new piece (or one that moves): between two pieces of the previous
#     step's file, where the block adds it (after the piece it would land in);
#   - never inside a comment: before the comment then.
# The first marker of a piece carries its words; a later one within the
# piece's code (more than a few lines further down) says "continued".

function trim_words(s) {
	sub(/^\n+/, "", s)
	sub(/\n+$/, "", s)
	return s
}

# Is old line p between pieces (or a piece's first line), where a marker
# stands on its own?
function top_level(p) {
	return p > nold || okind[p] == "pre" || okind[p] == "decl"
}

# The start of the run of lines between pieces that holds line p (the
# comment before a piece), past its blank lines.
function pre_start(p) {
	while (p > 1 && okind[p - 1] == "pre" && ounit[p - 1] == ounit[p])
		p--
	while (p < nold && okind[p] == "pre" && oldline[p] ~ /^[ \t]*$/)
		p++
	return p
}

# Where a marker for piece u goes, for a block at old line bstart that
# removes its first line of u at del (0: none).
function position(u, bstart, del,    p) {
	if (del)
		p = del
	else if ((u in ufirst) && bstart >= ufirst[u] && bstart <= ulast[u])
		p = bstart
	else if (bstart > nold)
		return nold + 1
	else if (top_level(bstart))	# a new piece, between two others
		return pre_start(bstart)
	else				# never inside another piece's code
		return ulast[ounit[bstart]] + 1
	if (okind[p] == "pre")		# the comment before the piece
		return pre_start(p)
	while (okind[p] == "comment")	# a comment within a body
		p--
	# not between an "if (...)" without braces and its statement
	while (okind[p] == "body" && oldline[p - 1] ~ /^[ \t]*(if|else|for|while)([ (]|$)/ &&
	       oldline[p - 1] !~ /[;{][ \t]*$/)
		p--
	return p
}

function add_marker(u, p, hunk) {
	if (p == last_p[u])
		return
	nmarkers++
	mp[nmarkers] = p
	mu[nmarkers] = u
	mhunk[nmarkers] = hunk
	last_p[u] = p
}

# (units.awk's lines are tab-separated: a name may hold a space)
part == "old_units" { split($0, f, "\t"); ounit[f[1]] = f[2]; okind[f[1]] = f[3]
	if (!(f[2] in ufirst)) ufirst[f[2]] = f[1]
	ulast[f[2]] = f[1]
	next }
part == "new_units" { split($0, f, "\t"); nunit[f[1]] = f[2]; in_new[f[2]] = 1; next }

part == "diff" && /^@@ / {
	hunk = $0
	split($2, a, /[-,]/); o = a[2]
	split($3, a, /[+,]/); n = a[2]
	inblock = 0
	next
}
part == "diff" && hunk != "" {
	c = substr($0, 1, 1)
	if (c == "-" || c == "+") {
		if (!inblock) {
			inblock = 1
			nblocks++
			bstart[nblocks] = o
			bhunk[nblocks] = hunk
			bn[nblocks] = 0
		}
		u = (c == "-") ? ounit[o] : nunit[n]
		# (a blank line changes nothing, whichever piece it is given to)
		if (substr($0, 2) ~ /^[ \t]*$/)
			u = ""
		if (u != "" && !((nblocks, u) in btouch)) {
			btouch[nblocks, u] = 1
			bn[nblocks]++
			bu[nblocks, bn[nblocks]] = u
			bdel[nblocks, u] = 0
		}
		if (u != "" && c == "-" && !bdel[nblocks, u])
			bdel[nblocks, u] = o
		if (c == "-") o++; else n++
	} else if (c == " ") {
		inblock = 0
		o++; n++
	}
	next
}

part == "words" && /^\[.*\]$/ { key = substr($0, 2, length($0) - 2); words[key] = ""; next }
part == "words" && key != "" { words[key] = words[key] "\n" $0; next }
part == "words" { next }

# A piece's text, blank lines left out: a piece whose text is the same in
# both files only looks changed in the diff (lines of it were matched with
# lines elsewhere), and gets no marker.
part == "old" { oldline[FNR] = $0; nold = FNR
	if ($0 !~ /^[ \t]*$/) oldtext[ounit[FNR]] = oldtext[ounit[FNR]] $0 "\n"
	next }
part == "new" { if ($0 !~ /^[ \t]*$/) newtext[nunit[FNR]] = newtext[nunit[FNR]] $0 "\n"; next }

END {
	for (b = 1; b <= nblocks; b++)
		for (i = 1; i <= bn[b]; i++) {
			u = bu[b, i]
			if ((u in oldtext) && (u in newtext) && oldtext[u] == newtext[u])
				continue
			add_marker(u, position(u, bstart[b], bdel[b, u]), bhunk[b])
		}
	# In the order of the file (a stable insertion sort: the list is short);
	# at one place, new pieces come before the piece that is there already.
	for (i = 1; i <= nmarkers; i++)
		mkey[i] = mp[i] * 2 + (mu[i] in ufirst)
	for (i = 2; i <= nmarkers; i++)
		for (j = i; j > 1 && mkey[j - 1] > mkey[j]; j--) {
			t = mkey[j]; mkey[j] = mkey[j - 1]; mkey[j - 1] = t
			t = mp[j]; mp[j] = mp[j - 1]; mp[j - 1] = t
			t = mu[j]; mu[j] = mu[j - 1]; mu[j - 1] = t
			t = mhunk[j]; mhunk[j] = mhunk[j - 1]; mhunk[j - 1] = t
		}
	# Number the pieces.  A piece's later markers stay only within its own
	# code, and a few lines further down than the one before: a new piece is
	# written in one place, and a piece that moves is changed where it is.
	k = 0
	for (i = 1; i <= nmarkers; i++) {
		u = mu[i]
		if (!(u in num)) {
			num[u] = ++k
			first_of[i] = 1
			prev_p[u] = mp[i]
			if (!(u in words) || trim_words(words[u]) == "") {
				printf "make-lab: step %s: no words for \"%s\" in %s (the diff changes it in the hunk %s)\n",
					step, u, words_file, mhunk[i] > "/dev/stderr"
				missing++
			}
			continue
		}
		if (!(u in ufirst) || top_level(mp[i]) || mp[i] - prev_p[u] <= 6)
			skip[i] = 1
		else
			prev_p[u] = mp[i]
	}
	if (missing) {
		printf "make-lab: step %s: write the words for these %d pieces (a section \"[NAME]\" each), then run it again\n",
			step, missing > "/dev/stderr"
		exit 1
	}
	for (u in words)
		if (!(u in num))
			printf "make-lab: step %s: warning: %s has words for \"%s\", which the diff does not change\n",
				step, words_file, u > "/dev/stderr"
	m = 1
	for (p = 1; p <= nold + 1; p++) {
		for (; m <= nmarkers && mp[m] == p; m++)
			if (!skip[m])
				print_marker(m, p)
		if (p <= nold)
			emit(oldline[p])
	}
}

# Print a line; remember whether it was blank.
function emit(s) {
	print s
	last_blank = (s ~ /^[ \t]*$/)
}

function print_marker(m, p,    u, ind, s, top, tag, n, i, w) {
	u = mu[m]
	top = top_level(p)
	ind = ""
	if (!top) {
		for (s = p; s <= nold && oldline[s] ~ /^[ \t]*$/; s++)
			;
		ind = oldline[s]
		sub(/[^ \t].*/, "", ind)
		if (ind == "")
			ind = "\t"
	}
	if (top && p > 1 && !last_blank)
		emit("")
	tag = sprintf("TODO(%s.%d) %s", step, num[u], u)
	if (!first_of[m]) {
		emit(ind "/* " tag ", continued: see TODO(" step "." num[u] ") above. */")
	} else {
		if (!(u in ufirst))
			tag = tag ", new"
		else if (!(u in in_new))
			tag = tag ", goes away"
		emit(ind "/*")
		emit(ind " * " tag ":")
		n = split(trim_words(words[u]), w, "\n")
		for (i = 1; i <= n; i++)
			emit(ind (w[i] == "" ? " *" : " * " w[i]))
		emit(ind " */")
	}
	if (top && p <= nold && oldline[p] !~ /^[ \t]*$/)
		emit("")
}
