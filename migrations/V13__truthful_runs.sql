-- Runs recorded before marsad wrote a run's counts with each transaction:
-- a killed or failed run said 0 new articles (or counted a rolled-back
-- transaction). Its new articles are exactly those that carry its run id.
UPDATE runs SET new_articles = (SELECT count(*) FROM articles a WHERE a.run_id = runs.id)
WHERE status IN ('interrupted', 'failed', 'running');
