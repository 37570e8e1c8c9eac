-- A document event's read-model slice in its own row instead of two event_tag rows (its slice's
-- tag and the change feed's): dev.cairn.persistence.journal.JournalSlices. Events written before
-- keep their slice, read from their tag rows, which are then removed.
ALTER TABLE "event_journal" ADD COLUMN IF NOT EXISTS "slice" SMALLINT;

UPDATE "event_journal" j SET "slice" = (
    SELECT CAST(SUBSTRING(t."tag" FROM 11) AS SMALLINT) FROM "event_tag" t
    WHERE t."event_id" = j."ordering" AND t."tag" LIKE 'documents-%')
  WHERE EXISTS (SELECT 1 FROM "event_tag" t
    WHERE t."event_id" = j."ordering" AND t."tag" LIKE 'documents-%');

DELETE FROM "event_tag" WHERE "tag" = 'documents' OR "tag" LIKE 'documents-%';

-- A slice's events from an offset on are one range of this index; the change feed reads the
-- journal by ordering.
CREATE INDEX IF NOT EXISTS "event_journal_slice_idx" ON "event_journal" ("slice", "ordering");
