"""The bot's conversations: one module per state machine."""

import warnings

from telegram.warnings import PTBUserWarning

# Our conversations track callback queries per chat and user, not per message, on purpose:
# one conversation may edit or send several messages. PTB warns about that choice.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
