"""Platform constants (limits, URLs, event names): one place, so a change on a platform's side is a one-line change."""

# --- Zalo Official Account Open API v3 (see /work/shared/CHANNELS.md, "Zalo") ---
ZALO_API_BASE = "https://openapi.zalo.me"
ZALO_OAUTH_BASE = "https://oauth.zaloapp.com"
ZALO_CS_MESSAGE_PATH = "/v3.0/oa/message/cs"
ZALO_TOKEN_PATH = "/v4/oa/access_token"
ZALO_SIGNATURE_HEADER = "X-ZEvent-Signature"
ZALO_SIGNATURE_PREFIX = "mac="
ZALO_TEXT_LIMIT = 2000  # characters per message (unverified on Zalo's side: split longer replies)
ZALO_MAX_BUTTONS = 4  # the SDK is inconsistent between 4 and 5
ZALO_BUTTON_TITLE_LIMIT = 100
ZALO_BUTTON_PAYLOAD_LIMIT = 1000
ZALO_BUTTON_QUERY_SHOW = "oa.query.show"
# Zalo retries a failed delivery for hours: an event older than this is kept and answered, only logged as late.
# Replays are stopped by deduplicating message ids, not by age.
ZALO_LATE_EVENT_S = 600
# A reply sent with recipient.message_id inside this window after the user's message is a free customer-service
# reply; beyond it Zalo counts a message as proactive (and refuses it after 7 days: -230).
ZALO_REPLY_WINDOW_S = 48 * 3600
ZALO_FREE_REPLIES = 8  # free messages within that window; beyond them, or outside it, they count as proactive
ZALO_ERROR_OK = 0
ZALO_ERROR_TOKEN_INVALID = -216
ZALO_ERROR_NO_INTERACTION_7D = -230
ZALO_ERROR_NO_INTERACTION_48H = -213
ZALO_ERROR_NOT_FOLLOWING = -201
# Why Zalo refuses a message for good (for logs and the stored row); retrying cannot help.
ZALO_ERROR_REASONS = {
    ZALO_ERROR_NO_INTERACTION_7D: "the user has not interacted with the OA in the past 7 days",
    ZALO_ERROR_NO_INTERACTION_48H: "the user has not interacted with the OA in the past 48 hours",
    ZALO_ERROR_NOT_FOLLOWING: "the user does not follow the OA",
}
ZALO_EVENT_TEXT = "user_send_text"
ZALO_EVENT_FOLLOW = "follow"
ZALO_EVENT_UNFOLLOW = "unfollow"
ZALO_ATTACHMENT_EVENTS = frozenset({
    "user_send_image", "user_send_gif", "user_send_link", "user_send_audio", "user_send_video",
    "user_send_sticker", "user_send_location", "user_send_file",
})
# Known events that need no answer: delivery and read receipts, a submitted info form.
ZALO_SILENT_EVENTS = frozenset({"user_received_message", "user_seen_message", "user_submit_info"})
ZALO_OA_ECHO_PREFIX = "oa_send_"  # the OA's own messages, echoed back to the webhook
ZALO_MAX_ID_LENGTH = 64  # user and OA ids (numeric strings on Zalo); Account.zalo_id is 64 wide
ZALO_MAX_MSG_ID_LENGTH = 100  # InboundMessage.external_id is 100 wide

# --- Telegram Bot API (python-telegram-bot 22; see /work/shared/CHANNELS.md, "Telegram") ---
TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_BASE_URL = "https://api.telegram.org/file/bot"
# Characters per message. Counted here in UTF-16 code units, as Telegram counts entity offsets:
# the safe reading for emoji and other characters outside the BMP.
TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CALLBACK_DATA_LIMIT = 64  # bytes of InlineKeyboardButton.callback_data
TELEGRAM_CALLBACK_ANSWER_LIMIT = 200  # characters of answerCallbackQuery text
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_SECRET_TOKEN_LIMIT = 256  # characters A-Z, a-z, 0-9, "_" and "-"
TELEGRAM_TYPING_REFRESH_S = 4.0  # "typing…" lasts about 5 s; renew it before it fades
# Flood control: about one message a second to one chat and 30 a second overall; beyond that Telegram
# answers 429 (RetryAfter). Messages are paced to stay under both.
TELEGRAM_CHAT_INTERVAL_S = 1.0
TELEGRAM_MESSAGES_PER_SECOND = 30
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)  # ports Telegram delivers webhooks to
TELEGRAM_ALLOWED_UPDATES = ("message", "callback_query")
