"""User-facing Vietnamese text of the actions."""

ASK_LOCALITY = "Bạn đang ở địa phương nào? Tôi sẽ trả lời theo kế hoạch của địa phương đó."
LOCALITY_NOTED = "Tôi đã ghi nhận địa phương: {name}. Bạn muốn hỏi về chính sách nào?"
UNKNOWN_LOCALITY = ("Tôi chưa có kế hoạch của \"{name}\". Hiện tôi có kế hoạch của: {known}. "
                    "Bạn chọn một địa phương dưới đây nhé.")
NOT_FOUND = ("Xin lỗi, tôi chưa tìm thấy nội dung phù hợp trong các kế hoạch tôi có, nên không muốn trả lời đoán. "
             "Tôi đã ghi lại câu hỏi để cán bộ xem xét. Bạn có thể hỏi về một chủ đề dưới đây, "
             "hoặc chọn \"Gặp cán bộ\".")
NO_MORE = "Tôi không còn nội dung nào khác liên quan đến câu hỏi này."
MORE_HEADER = "Thêm nội dung liên quan:"
COMPARE_HEADER = "So sánh {topic} giữa các địa phương:"
COMPARE_NEED_TWO = "Bạn muốn so sánh những địa phương nào? Ví dụ: \"so sánh BHYT Đà Nẵng và Cần Thơ\"."
COMPARE_NONE = "- {name}: kế hoạch chưa có nội dung này."
HANDOFF = ("Tôi đã chuyển yêu cầu của bạn đến cán bộ phụ trách; cán bộ sẽ trả lời bạn tại đây. "
           "Nếu cần gấp, bạn liên hệ trực tiếp Ủy ban nhân dân xã, phường nơi bạn ở.")
FEEDBACK = "Cảm ơn bạn đã góp ý. Tôi đã ghi lại để đội ngũ cải thiện câu trả lời."
AGENCY_FALLBACK = ("Kế hoạch không nêu cơ quan riêng cho nội dung này. Bạn có thể hỏi {contact} hoặc "
                   "Ủy ban nhân dân xã, phường nơi bạn ở.")

SCREENER_INTRO = "Tôi sẽ hỏi vài câu ngắn để tìm các chính sách có thể áp dụng cho bạn."
SCREENER_QUESTIONS = {
    "household": ("Hộ gia đình bạn thuộc diện nào?", {"Hộ nghèo": "ho-ngheo", "Hộ cận nghèo": "ho-can-ngheo",
                                                      "Không thuộc diện nào": "khong"}),
    "age": ("Bạn (hoặc người cần hỗ trợ) thuộc nhóm tuổi nào?", {"Trẻ em dưới 6 tuổi": "tre-em-duoi-6",
                                                               "Đang đi học": "hoc-sinh",
                                                               "Người lao động": "nguoi-lao-dong",
                                                               "Người cao tuổi": "nguoi-cao-tuoi"}),
    "meritorious": ("Gia đình có người có công với cách mạng (thương binh, liệt sĩ…) không?",
                    {"Có": "co", "Không": "khong"}),
    "disability": ("Có người khuyết tật trong gia đình không?", {"Có": "co", "Không": "khong"}),
}
SCREENER_RESULT = "Các chính sách có thể áp dụng cho bạn (theo kế hoạch của {locality}):"
SCREENER_NONE = "Tôi chưa tìm thấy chính sách riêng cho hoàn cảnh này trong kế hoạch của {locality}."
SCREENER_DISCLAIMER = ("Đây chỉ là gợi ý từ kế hoạch của địa phương; quyết định cuối cùng thuộc về cơ quan có thẩm quyền. "
                       "Bạn nên liên hệ Ủy ban nhân dân xã, phường để được xét cụ thể.")

TOPIC_BUTTONS = {"Bảo hiểm y tế": "Chính sách bảo hiểm y tế", "Học phí": "Chính sách miễn giảm học phí",
                 "Nhà ở xã hội": "Chính sách nhà ở xã hội", "Người có công": "Chính sách cho người có công"}
BUTTON_MORE = "Xem thêm"
BUTTON_HUMAN = "Gặp cán bộ"
BUTTON_OTHER_TOPIC = "Chủ đề khác"

HANDOFF_ASK_LOCALITY = ("Để chuyển đúng cán bộ phụ trách, bạn cho biết bạn đang ở địa phương nào? "
                        "Bạn chọn một địa phương dưới đây nhé.")
HANDOFF_ALREADY = ("Yêu cầu của bạn đã được chuyển đến cán bộ rồi; cán bộ sẽ trả lời bạn tại đây. "
                   "Bạn có thể hỏi tiếp câu khác trong lúc chờ.")
NO_PLAN_PLACE = ("Tôi chưa có kế hoạch của nơi bạn nêu ({place}). Hiện tôi trả lời theo kế hoạch của: {known}. "
                 "Về chính sách ở nơi bạn ở, bạn hỏi Ủy ban nhân dân xã, phường hoặc cơ quan Lao động - "
                 "Thương binh và Xã hội của tỉnh, thành phố. Nếu bạn ở một trong các địa phương trên, bạn chọn bên dưới.")
MERGED_NOTE = ("Lưu ý: {place} nay thuộc {province}, nhưng kế hoạch này ban hành cho {plan} trước khi sắp xếp "
               "đơn vị hành chính, nên có thể chưa áp dụng cho nơi bạn ở.")
OUTSIDE_PLANS = ("Câu hỏi này thuộc quy định chung của Nhà nước (như mức đóng, mức hưởng bảo hiểm xã hội, lương hưu), "
                 "không nằm trong các kế hoạch của địa phương mà tôi có, nên tôi không trả lời để tránh sai. "
                 "Bạn hỏi cơ quan Bảo hiểm xã hội nơi bạn ở, hoặc Ủy ban nhân dân xã, phường.")
NOT_STATED = "Kế hoạch của {plan} không nêu {missing}. Nội dung liên quan:"
ASK_STAFF = "Để biết chi tiết, bạn hỏi {contact} hoặc Ủy ban nhân dân xã, phường nơi bạn ở, hoặc chọn \"Gặp cán bộ\"."

# Following policies (actions/subscribing.py); the notices themselves are worded in knowledge/notice_text.py.
BUTTON_FOLLOW = "Báo cho tôi khi chính sách này thay đổi"
BUTTON_FOLLOWING = "Mục đang theo dõi"
BUTTON_UNFOLLOW = "Hủy theo dõi"
FOLLOW_LABEL = "{topic} ở {place}"
FOLLOW_TOPIC = "chính sách về {topic}"
FOLLOW_ALL_TOPICS = "mọi chính sách"
FOLLOW_ALL_PLACES = "mọi địa phương"
FOLLOWED = ("Đã đăng ký: khi {what} thay đổi, tôi sẽ báo bạn tại đây. "
            "Muốn dừng, bạn nhắn «hủy theo dõi» hoặc bấm nút bên dưới.")
FOLLOWED_ALREADY = "Bạn đã theo dõi {what} rồi; khi có thay đổi tôi sẽ báo bạn tại đây."
FOLLOW_NEEDS_ANSWER = ("Bạn hỏi tôi một câu về chính sách trước (ví dụ «bảo hiểm y tế cho hộ cận nghèo ở Cần Thơ»), "
                       "rồi bấm «Báo cho tôi khi chính sách này thay đổi» dưới câu trả lời.")
FOLLOW_NO_CHANNEL = ("Kênh này chưa gửi được thông báo. Bạn có thể theo dõi chính sách qua Telegram, Zalo "
                     "hoặc trang trò chuyện trên web.")
FOLLOWING_HEADER = "Bạn đang theo dõi:"
FOLLOWING_NONE = "Bạn chưa theo dõi chính sách nào."
UNFOLLOWED = "Đã hủy theo dõi. Tôi sẽ không gửi thông báo nào nữa, và địa chỉ nhận thông báo của bạn đã được xóa."
UNFOLLOW_NOTHING = "Bạn không theo dõi chính sách nào, nên không có gì để hủy."
