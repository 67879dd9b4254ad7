# procs.awk: puts a multi-process trace (strace -f -o, or lxemu --trace=FILE:
# each line "PID rest") in an order that does not depend on scheduling.
#   - A call split by other tasks' lines ("name(args <unfinished ...>" and
#     "<... name resumed>rest") is joined into one line.
#   - Each task's lines come together, the tasks in the order they were
#     created: the first task is PID, the k-th child it creates (fork, vfork,
#     clone, clone3) is its name with "-k" added (PID-1, PID-1-2, ...).
#   - Every number that is one of the trace's pids, as a whole word, becomes
#     that task's name; the leading pid column becomes the name too.
# Only the interleaving of tasks is lost: each task's own sequence is kept.

function is_word_char(c) { return c ~ /[0-9A-Za-z_]/ }

# s with each whole-word pid replaced by its task's name.
function rename(s,    out, pre, num, post) {
    out = ""
    while (match(s, /[0-9]+/)) {
        pre = substr(s, 1, RSTART - 1)
        num = substr(s, RSTART, RLENGTH)
        post = substr(s, RSTART + RLENGTH)
        if ((num in name) && !is_word_char(substr(pre, length(pre), 1)) &&
            !is_word_char(substr(post, 1, 1)))
            out = out pre name[num]
        else
            out = out pre num
        s = post
    }
    return out s
}

{
    pid = $1
    rest = $0
    sub(/^[0-9]+ +/, "", rest)
    if (!(pid in nlines)) {
        nlines[pid] = 0
        order[++npids] = pid
    }
    if (rest ~ / <unfinished \.\.\.>$/) {
        sub(/ <unfinished \.\.\.>$/, "", rest)
        held[pid] = rest
        next
    }
    if (rest ~ /^<\.\.\. [a-z0-9_]+ resumed>/) {
        sub(/^<\.\.\. [a-z0-9_]+ resumed>/, "", rest)
        rest = held[pid] rest
        delete held[pid]
    }
    lines[pid, ++nlines[pid]] = rest
}

END {
    # Calls still under way when the trace ended.
    for (pid in held)
        lines[pid, ++nlines[pid]] = held[pid] " <unfinished ...>"
    if (!npids)
        exit
    # Names down the tree of creations, breadth first.
    name[order[1]] = "PID"
    queue[1] = order[1]
    qn = 1
    for (qi = 1; qi <= qn; qi++) {
        p = queue[qi]
        k = 0
        for (i = 1; i <= nlines[p]; i++) {
            l = lines[p, i]
            if (l !~ /^(fork|vfork|clone|clone3)\(/ || !match(l, /= [0-9]+$/))
                continue
            child = substr(l, RSTART + 2)
            if (child in name)
                continue
            name[child] = name[p] "-" (++k)
            queue[++qn] = child
        }
    }
    # Tasks no creation names (none expected): after the others, by first line.
    for (i = 1; i <= npids; i++)
        if (!(order[i] in name)) {
            name[order[i]] = "TASK" i
            queue[++qn] = order[i]
        }
    for (qi = 1; qi <= qn; qi++) {
        p = queue[qi]
        for (i = 1; i <= nlines[p]; i++)
            print name[p] " " rename(lines[p, i])
    }
}
