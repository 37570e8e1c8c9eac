-- What a finished administrative operation produced, as JSON (an import's report: imported,
-- skipped, conflicting and the conflicts), for GET /admin/operations/{id}.
ALTER TABLE admin_operation ADD COLUMN IF NOT EXISTS result TEXT;
