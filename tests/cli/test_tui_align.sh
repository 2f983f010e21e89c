#!/usr/bin/env bash
# The explorer's alignment overlay and AER column, driven in tmux (100x40, TERM=xterm-256color,
# UTF-8) on marian-tiny with a forced target, checked against `attnscope align` on the same pair:
#  - `3` then `A`: the hint line lists the links of the shown head, equal to `align --layer L
#    --head H` (and `--head mean` after `a`); the dots on the map sit exactly on the cells of
#    those links (every target piece row of a linked word x every source piece column of its
#    linked word, pieces grouped by the labels on screen: "##" continues a word, "<...>" is none);
#  - `t` with --gold: an AER column whose value per (layer, head) equals the per-head AER of
#    `align --gold FILE --rank-heads`, sortable (`>` moves the sort to it, rows ascending);
#  - without --gold the table has no AER column; a bad --gold, or --gold for a model without
#    cross-attention, is one line on stderr, status 2.
# Usage: test_tui_align.sh ATTNSCOPE FIXTURES_DIR
set -u
bin=$(realpath "$1") fixtures=$(realpath "$2")
model=$fixtures/marian-tiny
. "$(dirname "$0")/lib.sh"
tmux_init "$model"
src="A man sleeping in a green room."
tgt="Ein Mann schläft in einem grünen Raum."
gold="0-0 1-1 2-2 3-3 4-4 5-5 6-6 6p5"
# the alignment views are checked on the plain screen, captured without escapes
capture() {
  T capture-pane -p -t tui > "$tmp/screen" 2>/dev/null
}
start() { # start ARGS...: the explorer on the pair in a fresh session
  rm -f "$tmp/rc" "$tmp/stderr"
  {
    echo '#!/bin/sh'
    printf 'env -u COLORTERM -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8'
    printf ' %q' "$bin" "$model" --device cpu --src "$src" --tgt "$tgt" "$@"
    echo " 2>'$tmp/stderr'"
    echo "echo \$? > '$tmp/rc'"
  } > "$tmp/run.sh"
  chmod +x "$tmp/run.sh"
  T new-session -d -s tui -x 100 -y 40 "$tmp/run.sh" || fail "tmux cannot start a session"
}
quit() {
  exits q && [ "$(cat "$tmp/rc")" = 0 ] || fail "q did not exit with status 0"
  T kill-server 2>/dev/null
}
A() { "$bin" align "$model" --device cpu --src "$src" --tgt "$tgt" "$@"; }

# The cells the dots are on, "row,col" per line (matrix indices), and the cells the links of the
# hint line cover, from the labels on screen. Each non-ASCII character becomes one byte first so
# that columns count characters; the dot becomes '@'.
cells() { # cells SCREEN -> "marked" and "expected" lists in $tmp
  LC_ALL=C.UTF-8 sed 's/●/@/g; s/[^ -~]/?/g' "$1" | awk -v out="$tmp" '
    NR == 1 { next }
    NR == 2 { # the first line of column labels: a label starts at each bin
      for (x = 1; x <= length($0); x++)
        if (substr($0, x, 1) != " ")
          start[nb++] = x
      scale = start[1] - start[0]
      x0 = start[0]
      for (b = 0; b < nb; b++)
        clab[b] = substr($0, start[b], 1)
      inlabels = 1
      next
    }
    /^cross  layer/ { done = 1 }
    done { if ($0 ~ /links:/) links = $0; next }
    {
      prefix = substr($0, 1, x0 - 2)
      if (inlabels && prefix ~ /^ *$/) { # more column label lines: a second character each
        for (b = 0; b < nb; b++)
          if (clines == 0) clab[b] = clab[b] substr($0, start[b], 1)
        clines++
        next
      }
      inlabels = 0
      if (prefix !~ /^ *$/) { # a row label: the next matrix row
        r++
        gsub(/^ +| +$/, "", prefix)
        rlab[r - 1] = prefix
      }
      for (x = x0; x <= length($0); x++)
        if (substr($0, x, 1) == "@")
          print r - 1 "," int((x - x0) / scale) > (out "/marked")
    }
    END {
      # word of each piece: "##" continues, "<..." (a special) belongs to none
      w = -1
      for (b = 0; b < nb; b++) {
        if (substr(clab[b], 1, 1) == "<") { cw[b] = -1; continue }
        if (clab[b] != "##" || w < 0) w++
        cw[b] = w
      }
      w = -1
      for (i = 0; i < r; i++) {
        if (substr(rlab[i], 1, 1) == "<") { rw[i] = -1; continue }
        if (substr(rlab[i], 1, 2) != "##" || w < 0) w++
        rw[i] = w
      }
      sub(/.*links: */, "", links)
      n = split(links, L, " ")
      for (l = 1; l <= n; l++) {
        split(L[l], p, "-")
        for (i = 0; i < r; i++)
          for (b = 0; b < nb; b++)
            if (rw[i] == p[2] && cw[b] == p[1])
              print i "," b > (out "/expected")
      }
      print links > (out "/links")
    }'
}

check_overlay() { # check_overlay WHAT ALIGN-ARGS...: hint links = align output, dots on them
  local what=$1
  shift
  want=$(A "$@") || fail "align $*"
  rm -f "$tmp/marked" "$tmp/expected" "$tmp/links"
  cells "$tmp/screen"
  [ "$(cat "$tmp/links")" = "$want" ] \
    || fail "$what: hint links '$(cat "$tmp/links")', align says '$want'"
  [ -s "$tmp/expected" ] || fail "$what: no cells expected (labels not read?)"
  sort "$tmp/marked" > "$tmp/m.sorted" 2>/dev/null
  sort "$tmp/expected" > "$tmp/e.sorted"
  cmp -s "$tmp/m.sorted" "$tmp/e.sorted" \
    || fail "$what: dots on $(tr '\n' ' ' < "$tmp/m.sorted")," \
            "links cover $(tr '\n' ' ' < "$tmp/e.sorted")"
  ok "$what: links = align $*, $(wc -l < "$tmp/e.sorted") dots exactly on their cells"
}

# ---- overlay --------------------------------------------------------------------------------
start --gold "$gold"
wait_for '^encoder  layer 0/2'
key 3 A
wait_for '^cross  layer 0/2  head 0/4' 'word link \(A hides\)  argmax links: [0-9]'
check_overlay "layer 0 head 0" --layer 0 --head 0
key '>'
wait_for '^cross  layer 0/2  head 1/4'
check_overlay "layer 0 head 1" --layer 0 --head 1
key ']' a
wait_for '^cross  layer 1/2  head mean'
check_overlay "layer 1 mean" --layer 1 --head mean
key a
wait_for '^cross  layer 1/2  head max' 'word links: on the cross map, one head or the mean'
grep -q '●' "$tmp/screen" && fail "dots on the max over heads"
ok "max over heads: no dots, the hint says why"
key '?'
wait_for '^ *[│|] *A +word links on the cross map'
key m
wait_for '^cross  layer 1/2  head max'
ok "the help lists A"
key A
wait_for 'Tab/1-3 map'
grep -q '●' "$tmp/screen" && fail "A did not hide the dots"
ok "A hides the overlay"

# ---- AER column -----------------------------------------------------------------------------
printf '%s\n' "$gold" > "$tmp/gold"
A --gold "$tmp/gold" --rank-heads | awk 'NR > 1 && $2 != "mean" { print $1, $2, $5 }' \
  | sort > "$tmp/aer.want" || fail "align --rank-heads"
key t
wait_for '^ *layer +head +entropy\^.* AER( |$)' 'cross  head table  8 heads'
awk '/^ +[0-9]+ +[0-9]+ / { print $1, $2, $9 }' "$tmp/screen" | sort > "$tmp/aer.got"
[ "$(wc -l < "$tmp/aer.got")" = 8 ] || fail "table rows: $(wc -l < "$tmp/aer.got")"
cmp -s "$tmp/aer.got" "$tmp/aer.want" \
  || fail "AER column $(tr '\n' ';' < "$tmp/aer.got") vs align $(tr '\n' ';' < "$tmp/aer.want")"
ok "AER column = align --gold --rank-heads per head (8 heads)"
key '>' '>' '>' '>' '>' '>'
wait_for 'sorted by AER \(ascending\)' ' AER\^( |$)'
awk '/^ +[0-9]+ +[0-9]+ / { print $9 }' "$tmp/screen" > "$tmp/col"
sort -n "$tmp/col" | cmp -s - "$tmp/col" || fail "rows not ascending by AER"
ok "> sorts by AER (ascending)"
key 1
wait_for 'encoder  head table'
grep -q ' AER' "$tmp/screen" && fail "AER column on the encoder table"
ok "AER only on the cross table"
quit

start
wait_for '^encoder  layer 0/2'
key 3 t
wait_for 'cross  head table  8 heads'
grep -q 'AER' "$tmp/screen" && fail "AER column without --gold"
ok "no --gold: no AER column"
quit

err=$("$bin" "$model" --device cpu --src "$src" --tgt "$tgt" --gold "0-0 1x2" 2>&1 </dev/null)
rc=$?
[ $rc = 2 ] && [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ] \
  && printf '%s' "$err" | grep -q -- '--gold: .*1x2' || fail "bad --gold: status $rc: $err"
ok "bad --gold: one line naming the link, status 2"
err=$("$bin" "$fixtures/bert-tiny" --device cpu --src "a b" --gold "0-0" 2>&1 </dev/null)
rc=$?
want="attnscope: --gold: model_type bert has no cross-attention to align with"
[ $rc = 2 ] && [ "$err" = "$want" ] || fail "--gold on bert: status $rc: $err"
ok "--gold on a model without cross-attention: refused"
echo "$checks checks"
