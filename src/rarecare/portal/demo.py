"""The portal's demo content: plain-language summaries of a few listed diseases, how-to pages
and a news post — written for the demonstration, marked as illustrative demo text on every
page, published through the same workflow as real content (written by the demo ministry
analyst, reviewed by the demo administrator)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Principal
from rarecare.accounts import service as accounts
from rarecare.portal import service
from rarecare.portal.models import Article, ArticleKind
from rarecare.portal.schemas import ArticleIn, ReviewIn

SUMMARY_PARTS = (
    "## Bệnh là gì?\n\n{what}\n\n## Dấu hiệu chính\n\n{signs}\n\n"
    "## Chẩn đoán thế nào?\n\n{diagnosis}\n\n## Điều trị\n\n{treatment}\n"
)

SUMMARIES: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    (
        "benh-pompe",
        "ORPHA:365",
        "Bệnh Pompe",
        {
            "what": "Bệnh di truyền hiếm gặp do thiếu enzym acid alpha-glucosidase (GAA), làm "
            "glycogen tích tụ trong cơ, nhất là cơ tim và cơ hô hấp.",
            "signs": "- Trẻ nhũ nhi: yếu cơ, trương lực cơ giảm, tim to, bú kém, khó thở.\n"
            "- Thể khởi phát muộn: yếu cơ gốc chi tăng dần, khó leo cầu thang, khó thở khi nằm.",
            "diagnosis": "Đo hoạt độ enzym GAA (giọt máu khô), khẳng định bằng xét nghiệm gen "
            "GAA tại các trung tâm chuyên sâu.",
            "treatment": "Liệu pháp thay thế enzym (alglucosidase alfa) truyền tĩnh mạch mỗi 2 "
            "tuần, suốt đời, tại bệnh viện được chỉ định; kèm phục hồi chức năng và hỗ trợ hô hấp.",
        },
    ),
    (
        "teo-co-tuy-song",
        "ORPHA:70",
        "Teo cơ tủy sống (SMA)",
        {
            "what": "Bệnh di truyền làm thoái hóa tế bào thần kinh vận động ở tủy sống, do "
            "thiếu protein SMN (gen SMN1).",
            "signs": "- Yếu cơ hai bên, nhất là chân và cơ gốc chi.\n- Trẻ chậm hoặc mất các mốc "
            "vận động (ngẩng đầu, ngồi, đứng).\n- Khó thở, khó nuốt ở thể nặng.",
            "diagnosis": "Xét nghiệm gen SMN1; sàng lọc sơ sinh giúp phát hiện trước khi có "
            "triệu chứng.",
            "treatment": "Thuốc điều chỉnh gen (ví dụ nusinersen tiêm nội tủy) cùng chăm sóc hô "
            "hấp, dinh dưỡng và phục hồi chức năng; điều trị càng sớm càng tốt.",
        },
    ),
    (
        "benh-mps-i",
        "ORPHA:579",
        "Bệnh MPS I (Hurler/Scheie)",
        {
            "what": "Bệnh ứ đọng mucopolysaccharid do thiếu enzym alpha-L-iduronidase.",
            "signs": "- Nét mặt thô, gan lách to, thoát vị.\n- Cứng khớp, chậm lớn, đục giác "
            "mạc.\n- Viêm tai, nhiễm trùng hô hấp tái diễn.",
            "diagnosis": "Định lượng glycosaminoglycan niệu, đo hoạt độ enzym và xét nghiệm "
            "gen IDUA.",
            "treatment": "Liệu pháp thay thế enzym (laronidase) hằng tuần; ghép tế bào gốc tạo "
            "máu ở trẻ nhỏ thể nặng; theo dõi đa chuyên khoa.",
        },
    ),
    (
        "benh-hemophilia-a",
        "ORPHA:98878",
        "Bệnh Hemophilia A",
        {
            "what": "Rối loạn đông máu di truyền liên kết nhiễm sắc thể X do thiếu yếu tố "
            "đông máu VIII; gặp chủ yếu ở nam.",
            "signs": "- Chảy máu kéo dài sau vết thương, nhổ răng.\n- Chảy máu khớp, tụ máu cơ.\n"
            "- Bầm tím dễ dàng.",
            "diagnosis": "Xét nghiệm đông máu (APTT kéo dài) và định lượng yếu tố VIII.",
            "treatment": "Bổ sung yếu tố VIII khi chảy máu hoặc dự phòng định kỳ; tập luyện và "
            "chăm sóc khớp; cơ sở điều trị hemophilia hướng dẫn tự tiêm tại nhà.",
        },
    ),
    (
        "benh-fabry",
        "ORPHA:324",
        "Bệnh Fabry",
        {
            "what": "Bệnh ứ đọng lysosom liên kết nhiễm sắc thể X do thiếu enzym "
            "alpha-galactosidase A, tổn thương thận, tim và thần kinh.",
            "signs": "- Đau rát bàn tay, bàn chân từ tuổi thiếu niên.\n- Ban mạch ở da, giảm tiết "
            "mồ hôi.\n- Về sau: protein niệu, suy thận, bệnh cơ tim, đột quỵ sớm.",
            "diagnosis": "Đo hoạt độ enzym (nam), xét nghiệm gen GLA (nữ và nam).",
            "treatment": "Liệu pháp thay thế enzym (agalsidase) mỗi 2 tuần, điều trị hỗ trợ "
            "thận, tim; khám sàng lọc người thân trong gia đình.",
        },
    ),
)

HOWTOS: tuple[tuple[str, str, str, str], ...] = (
    (
        "lam-sao-duoc-chan-doan",
        "Làm sao để được chẩn đoán bệnh hiếm?",
        "Các bước từ lúc nghi ngờ đến khi có chẩn đoán xác định.",
        "1. Khám tại bệnh viện tuyến tỉnh; nói rõ các dấu hiệu kéo dài, bất thường và tiền sử "
        "gia đình.\n2. Bác sĩ chuyển tuyến lên trung tâm chuyên sâu (xem **Trung tâm**) khi "
        "nghi ngờ bệnh hiếm.\n3. Trung tâm làm xét nghiệm sinh hóa, enzym hoặc gen; kết quả "
        "gen có thể mất vài tuần.\n4. Mang theo giấy tờ khám trước đây và thẻ bảo hiểm y tế.",
    ),
    (
        "chuyen-tuyen-va-bao-hiem",
        "Chuyển tuyến và bảo hiểm y tế",
        "Khi nào cần giấy chuyển tuyến và bảo hiểm chi trả bao nhiêu.",
        "- Với bệnh **có trong danh mục bệnh hiếm quốc gia**, khám chữa bệnh tại cơ sở chuyên "
        "sâu được bảo hiểm y tế chi trả theo quy tắc đang áp dụng, kể cả không có giấy chuyển "
        "tuyến (xem mức chi trả trên trang của từng bệnh).\n- Với các bệnh khác, cần giấy chuyển "
        "tuyến để được hưởng đúng mức.\n- Hỏi phòng công tác xã hội của bệnh viện về các chương "
        "trình hỗ trợ thuốc.",
    ),
    (
        "chuong-trinh-ho-tro",
        "Các chương trình hỗ trợ chi phí",
        "Nguồn hỗ trợ ngoài bảo hiểm y tế cho gia đình người bệnh.",
        "- Chương trình tiếp cận thuốc của nhà sản xuất (một phần chi phí thuốc, có mức trần).\n"
        "- Quỹ từ thiện và hội người bệnh.\n- Hỗ trợ đi lại của địa phương cho người bệnh điều "
        "trị định kỳ xa nhà.",
    ),
)

POSTS: tuple[tuple[str, str, str, str], ...] = (
    (
        "ngay-benh-hiem-2026",
        "Ngày Bệnh hiếm 2026: cùng nâng cao nhận thức",
        "Các hoạt động truyền thông nhân Ngày Bệnh hiếm (ngày cuối tháng 2).",
        "Nhân Ngày Bệnh hiếm, các bệnh viện và hội người bệnh tổ chức buổi nói chuyện, tư "
        "vấn và khám sàng lọc. Xem lịch sự kiện ở mục **Tin tức và sự kiện**.",
    ),
)


def _principal(session: Session, username: str) -> Principal:
    user = accounts.get_user_by_username(session=session, username=username)
    return accounts.principal_for(user) if user is not None else SYSTEM


def load(*, session: Session) -> dict[str, int]:
    """Publish the demo articles once (running it again changes nothing)."""
    if session.scalar(select(Article.id).where(Article.demo)) is not None:
        return {"portal articles": 0}
    author, reviewer = _principal(session, "analyst"), _principal(session, "admin")
    items: list[ArticleIn] = [
        ArticleIn(
            kind=ArticleKind.SUMMARY,
            slug=slug,
            orpha_code=code,
            title=title,
            summary=parts["what"][:300],
            body=SUMMARY_PARTS.format(**parts),
            demo=True,
        )
        for slug, code, title, parts in SUMMARIES
    ]
    items += [
        ArticleIn(kind=kind, slug=slug, title=title, summary=summary, body=body, demo=True)
        for kind, rows in ((ArticleKind.HOWTO, HOWTOS), (ArticleKind.POST, POSTS))
        for slug, title, summary, body in rows
    ]
    for data in items:
        article = service.create(session=session, principal=author, data=data)
        service.submit(session=session, principal=author, article_id=article.id, review=ReviewIn())
        service.publish(
            session=session,
            principal=reviewer,
            article_id=article.id,
            review=ReviewIn(note="Nội dung minh họa cho bản demo"),
        )
    return {"portal articles": len(items)}
