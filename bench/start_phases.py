#!/usr/bin/env python3
"""start_phases.py: the CPU of one kenes start-up by phase, from a perf profile.

    perf script -i OUT.perf.data -F time,ip,sym > OUT.script.txt
    bench/start_phases.py OUT.script.txt

OUT.perf.data is what bench/profile_start.sh perf records (perf record -g).  Each
sample is labelled by the first start-up function in its stack (the table below);
a sample whose stack a library without frame pointers cut short takes the label of
the nearest labelled sample in time (the phases run one after another).  Prints
each phase's share of the samples and when it ran.
"""
import sys, re, collections
# Each sample: "time:" line then frames. Label a sample by the first phase function in its stack
# (innermost first); unlabelled samples take the label of the nearest labelled one in time.
PHASES = [  # (function, phase), checked innermost-first
    ("cases_load", "vault_open: read + unwrap every case key"),
    ("vault_open", "vault_open: read + unwrap every case key"),
    ("read_journal", "journal: read + parse + index_record"),
    ("journal_load", "journal: read + parse + index_record"),
    ("load_head", "load_head: read + unseal + parse every document"),
    ("load_face", "public faces"),
    ("datadir_load_public_faces", "public faces"),
    ("map_former", "map former stages"),
    ("vault_settle", "vault_settle"),
    ("auth_open", "auth_open (dummy Argon2id hash)"),
    ("report_load", "report_load"),
    ("next_deadline", "next_deadline (docs_due of all)"),
    ("report_timers_start", "next_deadline (docs_due of all)"),
    ("datadir_load_rules", "workflows, plugins, content"),
    ("anchor_start", "anchor / access log"),
    ("alog_open", "anchor / access log"),
    ("store_open", "store_open"),
    ("datadir_signing_open", "signing key"),
    ("ui_open", "ui templates"),
    ("index_free", "after listening: shutdown (index_free, ...)"),
    ("_dl_close", "after listening: shutdown (index_free, ...)"),
    ("plugin_set_free", "after listening: shutdown (index_free, ...)"),
    ("_dl_", "dynamic loading"),
]
samples = []
cur = None
for line in open(sys.argv[1], errors="replace"):
    if re.match(r"^\s*\d+\.\d+:", line):
        cur = [float(line.split(":")[0].strip()), None]
        samples.append(cur)
    elif cur is not None and cur[1] is None:
        fn = line.strip().split(" ", 1)[-1]
        for f, ph in PHASES:
            if f in fn:
                cur[1] = ph
                break
lab = [i for i, s in enumerate(samples) if s[1]]
j = 0
for i, s in enumerate(samples):
    if s[1] is None and lab:
        while j + 1 < len(lab) and abs(lab[j + 1] - i) <= abs(lab[j] - i):
            j += 1
        s[1] = samples[lab[j]][1] + ""
        s.append("inferred")
n = len(samples)
c = collections.Counter(s[1] for s in samples)
direct = collections.Counter(s[1] for s in samples if len(s) == 2)
t0, t1 = samples[0][0], samples[-1][0]
print("%d samples over %.1f s of wall time" % (n, t1 - t0))
first = {}; last = {}
for s in samples:
    first.setdefault(s[1], s[0]); last[s[1]] = s[0]
for ph, k in c.most_common():
    print("%5.1f%%  %6d samples (%5d in the phase's own stack)  %6.1f-%6.1f s  %s" % (100.0 * k / n, k, direct[ph], first[ph] - t0, last[ph] - t0, ph))
