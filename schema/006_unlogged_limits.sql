-- lectern 006: rate-limit counters are unlogged.
--
-- Every authenticated request updates one counter row.  Counters are
-- worth nothing after a crash (a window simply starts again) and are not
-- needed on replicas, so they skip the write-ahead log: no WAL record
-- and no fsync per request.
ALTER TABLE rate_limits SET UNLOGGED;
