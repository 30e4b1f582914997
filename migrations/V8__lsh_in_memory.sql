-- LSH band keys are no longer stored: the one writing process recomputes
-- them from `minhash` into memory on the first new article of a run. The
-- table cost 32 random B-tree inserts per article and about a fifth of the
-- raw text size; signatures, links and stories are unchanged.

DROP TABLE lsh;
