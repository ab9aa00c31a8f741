"""A Telegram/Bale Bot API emulator on loopback, with simulated citizens."""

from .bot_message import BotMessage
from .citizen import Citizen
from .faults import FaultConfig
from .server import Emulator
from .state import RecordedCall

__all__ = ["BotMessage", "Citizen", "Emulator", "FaultConfig", "RecordedCall"]
