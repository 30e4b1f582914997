#!/usr/bin/env python3
"""Deterministic sample of sentences for the hand-annotated NER gold set.

Reads the two shared ANT news corpora (gzip JSON Lines) and prints CoNLL
(`token O`, one token a line, a blank line between sentences) with every label
O, ready to be annotated by hand.  No randomness and no model: articles are
ordered by the sha256 of their `id`, and from each chosen article we take the
FIRST sentence of the body (`text`) that has 10-40 words, whatever it holds.
Nothing about names is used to choose sentences.

  2018 file    : 30 sentences, 6 from each of the 5 outlets (`source`)
  Jawhara file : 30 sentences

One sentence per article; an article whose text (whitespace-normalised) was
already seen is skipped (the 2018 file holds exact duplicates), and so is an
article with no qualifying sentence.

Tokenisation follows ANERcorp: split on white space, split punctuation off as
its own tokens, keep proclitics attached (وإسرائيل is one token), keep numbers
whole (3.5, 1,200, 2018/02/18 and 10:30 stay one token).

Usage:
  python3 scripts/sample_ner_gold.py 2018    > tests/fixtures/ner-gold-2018.conll
  python3 scripts/sample_ner_gold.py jawhara > tests/fixtures/ner-gold-jawhara.conll
  (optional second argument: the corpus directory, default /work/shared/corpus)
"""
import gzip
import hashlib
import json
import re
import sys
import unicodedata

CORPUS_DIR = "/work/shared/corpus"
FILES = {
    "2018": "ant-multisource-2018.jsonl.gz",
    "jawhara": "ant-jawharafm-2013-2017.jsonl.gz",
}
PER_SOURCE_2018 = 6   # 5 outlets x 6 = 30
TOTAL = 30
MIN_WORDS, MAX_WORDS = 10, 40

# A number keeps its inner separators: 3.5, 1,200, 12/03/2018, 10:30, ٣٫٥
NUM_SEP = ".,:/\u066b\u066c"


def is_punct(ch):
    """Punctuation or symbol (Unicode P* / S*), but not the tatweel or the
    underscore of hashtags, which stay inside words."""
    if ch in "_\u0640":
        return False
    return unicodedata.category(ch)[0] in "PS"


def tokenise(text):
    tokens = []
    for chunk in text.split():
        cur = ""
        n = len(chunk)
        for i, ch in enumerate(chunk):
            if is_punct(ch):
                if (ch in NUM_SEP and cur and cur[-1].isdigit()
                        and i + 1 < n and chunk[i + 1].isdigit()):
                    cur += ch            # inside a number
                    continue
                if cur:
                    tokens.append(cur)
                    cur = ""
                tokens.append(ch)
            else:
                cur += ch
        if cur:
            tokens.append(cur)
    return tokens


def n_words(tokens):
    return sum(1 for t in tokens if any(c.isalnum() for c in t))


# A sentence ends at . ! ? ؟ … (and runs of them, with closing quotes or
# brackets) followed by white space, or at a line break.  A period between
# digits (3.5) is not an end because white space must follow.
SENT_END = re.compile(r"""(?<=[.!?\u061f\u2026])["'»”)\]]*\s+""")


def sentences(body):
    for para in body.split("\n"):
        para = para.strip()
        if not para:
            continue
        start = 0
        for m in SENT_END.finditer(para):
            yield para[start:m.start() + len(m.group(0).rstrip())].strip()
            start = m.end()
        if start < len(para):
            yield para[start:].strip()


def first_sentence(body):
    for s in sentences(body):
        toks = tokenise(s)
        if MIN_WORDS <= n_words(toks) <= MAX_WORDS:
            return toks
    return None


def key(article):
    return hashlib.sha256(article["id"].encode("utf-8")).hexdigest()


def sample(which, corpus_dir=CORPUS_DIR):
    with gzip.open(f"{corpus_dir}/{FILES[which]}", "rt", encoding="utf-8") as f:
        arts = [json.loads(line) for line in f]
    arts.sort(key=key)
    seen_text = set()
    per_source = {}
    out = []
    for a in arts:
        body = a.get("text") or ""
        norm = " ".join(body.split())
        if not norm or norm in seen_text:
            continue
        seen_text.add(norm)
        src = a.get("source", "")
        if which == "2018" and per_source.get(src, 0) >= PER_SOURCE_2018:
            continue
        toks = first_sentence(body)
        if toks is None:
            continue
        per_source[src] = per_source.get(src, 0) + 1
        out.append((a["id"], src, toks))
        if len(out) >= TOTAL:
            break
    return out


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "2018"
    corpus_dir = sys.argv[2] if len(sys.argv) > 2 else CORPUS_DIR
    if which not in FILES:
        sys.exit(f"usage: {sys.argv[0]} 2018|jawhara [corpus_dir]")
    rows = sample(which, corpus_dir)
    if len(rows) != TOTAL:
        sys.exit(f"only {len(rows)} sentences found")
    for i, (_id, _src, toks) in enumerate(rows):
        if i:
            sys.stdout.write("\n")
        for t in toks:
            sys.stdout.write(f"{t} O\n")
    for _id, src, toks in rows:
        print(f"{src}\t{_id}\t{len(toks)} tokens", file=sys.stderr)


if __name__ == "__main__":
    main()
