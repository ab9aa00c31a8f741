-- One store for Telegram and Bale (issue 13): an outbox row goes out on the platform of the
-- person it is for, through that platform's bot. A citizen's row takes the citizen's platform
-- (the trigger below, so every writer, bulk ones included, gets it right); an officer's row
-- names the officer's platform. NULL: a row from before this migration, or one for nobody in
-- particular: the first bot's (BOT_PLATFORM's) sender delivers it.
ALTER TABLE outbox ADD COLUMN platform TEXT;  -- telegram | bale

UPDATE outbox
   SET platform = (SELECT c.platform FROM citizens AS c WHERE c.id = outbox.citizen_id)
 WHERE citizen_id IS NOT NULL;

CREATE TRIGGER outbox_platform_of_citizen AFTER INSERT ON outbox
WHEN NEW.platform IS NULL AND NEW.citizen_id IS NOT NULL
BEGIN
    UPDATE outbox
       SET platform = (SELECT c.platform FROM citizens AS c WHERE c.id = NEW.citizen_id)
     WHERE id = NEW.id;
END;

-- A ticket's assignee is an officer's account: the user id and, now, its platform.
ALTER TABLE tickets ADD COLUMN assignee_platform TEXT;

-- A file in a ticket is sent on by its file id, which only the bot that received it can use:
-- the platform it came through (NULL: the first bot's). Across platforms the stored copy goes.
ALTER TABLE ticket_messages ADD COLUMN file_platform TEXT;
