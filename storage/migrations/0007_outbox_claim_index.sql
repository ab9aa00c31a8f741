-- The sender's claim (OutboxRepository.claim_due) at a cost independent of the pending rows.
-- Pending rows in id order (oldest first), with what the claim filters on, so a large due
-- backlog (a broadcast) is read from its start and the scan stops after `limit` rows.
CREATE INDEX outbox_pending_order ON outbox (id, not_before, chat_id) WHERE status = 'pending';
-- Per-chat checks over the few rows in flight and the few waiting for a retry; the query's
-- terms imply these WHERE clauses exactly (0003's outbox_chat_open is not usable for them).
CREATE INDEX outbox_chat_sending ON outbox (chat_id) WHERE status = 'sending';
CREATE INDEX outbox_chat_retrying ON outbox (chat_id, id) WHERE status = 'pending' AND attempts > 0;
