"""User-facing Vietnamese texts of the channel connectors."""

# First line of an answer meant to be copied and forwarded to a citizen by a staff member.
RELAY_PREFIX = "Trả lời để chuyển cho người dân:"

# --- Zalo ---
# A follower's first message from the assistant (sent on the "follow" event).
ZALO_FOLLOW_GREETING = (
    "Cảm ơn bạn đã quan tâm Trợ lý chính sách xã hội! Tôi trả lời câu hỏi về bảo hiểm y tế, học phí, "
    "nhà ở xã hội, chính sách người có công, giảm nghèo, trợ giúp xã hội, việc làm và nhiều chính sách khác, "
    "theo kế hoạch của địa phương bạn. Bạn cứ gõ câu hỏi bằng chữ, có dấu hoặc không dấu."
)
# Answer to an image, sticker, voice message, file, location or link.
ZALO_TEXT_ONLY = (
    "Xin lỗi, tôi chỉ đọc được tin nhắn bằng chữ, chưa xem được hình ảnh, nhãn dán, tệp hay tin nhắn thoại. "
    "Bạn vui lòng gõ câu hỏi bằng chữ để tôi trả lời nhé."
)
# Text of a follow-up message that carries buttons beyond the platform's limit per message.
ZALO_MORE_CHOICES = "Các lựa chọn khác:"
# Text of a message that carries only buttons.
ZALO_CHOOSE = "Mời bạn chọn:"
# What a tapped quick-reply button says in the chat (Zalo posts the payload as the user's own message), for
# Rasa's intent payloads; the connector turns these phrases back into the payloads (connectors/zalo_buttons.py).
ZALO_INTENT_PHRASES = (
    ("/more", "Xem thêm"),
    ("/ask_human", "Gặp cán bộ"),
    ("/help", "Chủ đề khác"),
    ("/subscribe", "Báo cho tôi khi chính sách này thay đổi"),
    ("/list_subscriptions", "Mục đang theo dõi"),
    ("/unsubscribe", "Hủy theo dõi"),
)
# The same for a locality button (``/choose_locality{"locality": …}``).
ZALO_LOCALITY_PHRASE = "Tôi ở {locality}"

# --- Telegram ---
# Shown when Rasa cannot be reached: the question is kept and answered when the system is back.
TELEGRAM_BUSY = (
    "Xin lỗi, hệ thống đang bận nên chưa trả lời ngay được. Tôi đã ghi lại câu hỏi của bạn "
    "và sẽ trả lời tại đây ngay khi hệ thống hoạt động trở lại."
)
# Sent when a kept question could not be answered after many attempts.
TELEGRAM_GAVE_UP = (
    "Xin lỗi, tôi vẫn chưa trả lời được câu hỏi bạn gửi lúc trước vì hệ thống gặp sự cố. "
    "Bạn vui lòng gửi lại câu hỏi sau ít phút nhé."
)
# Rasa answered, but with nothing to say (for instance an action failed).
TELEGRAM_NO_ANSWER = (
    "Xin lỗi, tôi chưa trả lời được câu này. Bạn thử hỏi cách khác, hoặc gõ /canbo để gặp cán bộ."
)
# Per-user flood protection.
TELEGRAM_RATE_LIMITED = (
    "Bạn gửi tin nhắn hơi nhanh nên tôi chưa kịp trả lời. Bạn vui lòng đợi vài giây rồi gửi tiếp nhé."
)
TELEGRAM_TEXT_ONLY = (
    "Xin lỗi, tôi chỉ đọc được tin nhắn bằng chữ, chưa xem được hình ảnh, nhãn dán, tệp hay tin nhắn thoại. "
    "Bạn vui lòng gõ câu hỏi bằng chữ để tôi trả lời nhé."
)
TELEGRAM_UNKNOWN_COMMAND = (
    "Tôi chưa hiểu lệnh này. Bạn có thể gõ câu hỏi, hoặc dùng các lệnh: "
    "/start, /help, /diaphuong, /chude, /canbo, /theodoi, /huy."
)
# Answer to a press on a button whose payload is no longer known (a long payload, after a restart).
TELEGRAM_BUTTON_EXPIRED = "Nút này đã hết hạn. Bạn gõ lại câu hỏi giúp tôi nhé."
TELEGRAM_CHOOSE_LOCALITY = "Bạn ở địa phương nào? Chọn một địa phương để tôi trả lời theo kế hoạch của nơi đó:"
TELEGRAM_CHOOSE_TOPIC = "Bạn muốn hỏi về chủ đề nào?"
# What the commands do, sent to Rasa as the user: /start greets, /diaphuong asks to change locality.
TELEGRAM_START_MESSAGE = "xin chào"
TELEGRAM_CHANGE_LOCALITY_MESSAGE = "đổi địa phương"
# /chude: button title -> text sent to Rasa as the user's question (the first four as in the greeting).
TELEGRAM_TOPIC_BUTTONS = (
    ("Bảo hiểm y tế", "Chính sách bảo hiểm y tế"),
    ("Học phí", "Chính sách miễn giảm học phí"),
    ("Nhà ở xã hội", "Chính sách nhà ở xã hội"),
    ("Người có công", "Chính sách cho người có công"),
    ("Giảm nghèo", "Chính sách giảm nghèo"),
    ("Trợ giúp xã hội", "Chính sách trợ giúp xã hội"),
    ("Bảo hiểm xã hội", "Chính sách bảo hiểm xã hội và bảo hiểm thất nghiệp"),
    ("Việc làm, học nghề", "Chính sách việc làm và dạy nghề"),
    ("Nước sạch", "Chính sách nước sạch và vệ sinh môi trường"),
)
# The command menu shown by Telegram clients (command -> description).
TELEGRAM_COMMANDS = (
    ("start", "Bắt đầu, chọn địa phương"),
    ("help", "Hướng dẫn hỏi đáp"),
    ("diaphuong", "Đổi địa phương"),
    ("chude", "Chọn chủ đề chính sách"),
    ("canbo", "Gặp cán bộ"),
    ("theodoi", "Theo dõi chính sách, xem mục đang theo dõi"),
    ("huy", "Hủy theo dõi, ngừng nhận thông báo"),
)
