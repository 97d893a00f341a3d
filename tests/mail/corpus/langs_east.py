"""Corpus material, written for Mesa, per language (2 of 2). See langs_west for the fields."""

from __future__ import annotations

from tests.mail.corpus.langs_west import Lang

NB = Lang(
    "nb", (("Ingrid Hansen", "ingrid.hansen@online.example"), ("Magnus Berg", "magnus@berg-regnskap.example"),
           ("Nora Solberg", "nora.solberg@altibox.example")),
    "Feil på fakturaen",
    "Hei {first},\n\nVi har rettet fakturaen og sendt den på nytt.\n\nMed vennlig hilsen\nMesa kundestøtte\n\n"
    "Sak #{ticket}: svar på denne e-posten for å fortsette.",
    ("Hei,\n\nDen nye fakturaen stemmer. Takk!\n\nVennlig hilsen\n{me}",
     "Hei,\n\nBeløpet er fortsatt feil, det står 1 250 kr i stedet for 950 kr.\n\nMvh\n{me}",
     "Hei,\n\nJeg får ikke logget inn i appen etter oppdateringen.\n\nMed vennlig hilsen\n{me}",
     "Takk, pakken kom frem i dag.\n\n{me}"),
    "man. 2. mar. 2026 kl. {t} skrev {name} <{email}>:",
    "{t} 2. mar. 2026 skrev {name} <{email}>:",
    "Den 02.03.2026 {t}, skrev {name}:",
    ("Fra", "Sendt", "Til", "Emne"), "mandag 2. mars 2026 {t}", "Opprinnelig melding",
    "Sendt fra min iPhone", "Sendt fra min Samsung Galaxy-smarttelefon.",
)

FI = Lang(
    "fi", (("Aino Virtanen", "aino.virtanen@elisa.example"), ("Mikko Korhonen", "mikko@korhonen-kuljetus.example"),
           ("Laura Mäkinen", "laura.makinen@dna.example")),
    "Toimitus myöhässä",
    "Hei {first},\n\nKuljetusliike vahvisti, että paketti toimitetaan torstaina.\n\nYstävällisin terveisin\n"
    "Mesan asiakastuki\n\nTiketti #{ticket}: vastaa tähän viestiin jatkaaksesi.",
    ("Hei,\n\nPaketti tuli tänään. Kiitos avusta!\n\nTerveisin\n{me}",
     "Hei,\n\nSeurantakoodi ei vieläkään näytä mitään. Voitteko tarkistaa osoitteen?\n\n"
     "Ystävällisin terveisin\n{me}",
     "Hei,\n\nEn pääse kirjautumaan sisään, salasanan vaihto ei toimi.\n\nKiitos,\n{me}",
     "Kiitos, lasku on nyt oikein.\n\n{me}"),
    "ma 2. maalisk. 2026 klo {t} {name} <{email}> kirjoitti:",
    "{name} <{email}> kirjoitti 2.3.2026 kello {t}:",
    "2.3.2026 {t}, {name} kirjoitti:",
    ("Lähettäjä", "Lähetetty", "Vastaanottaja", "Aihe"), "maanantai 2. maaliskuuta 2026 {t}",
    "Alkuperäinen viesti", "Lähetetty iPhonesta", "Lähetetty Samsung Galaxy -älypuhelimesta.",
)

RU = Lang(
    "ru", (("Анна Смирнова", "anna.smirnova@mail.example"), ("Дмитрий Козлов", "d.kozlov@stroytorg.example"),
           ("Елена Морозова", "elena.morozova@yandex.example")),
    "Не приходит счёт за март",
    "Здравствуйте, {first}!\n\nМы отправили счёт за март повторно. Проверьте, пожалуйста, папку «Спам».\n\n"
    "С уважением,\nСлужба поддержки Mesa\n\nОбращение №{ticket}: ответьте на это письмо, чтобы продолжить.",
    ("Здравствуйте!\n\nСчёт пришёл, спасибо.\n\nС уважением,\n{me}",
     "Добрый день!\n\nВ спаме тоже ничего нет. Можно отправить на buh@stroytorg.example?\n\nСпасибо,\n{me}",
     "Здравствуйте,\n\nне могу войти в личный кабинет: после ввода кода страница просто обновляется.\n\n{me}",
     "Спасибо, посылку получила сегодня утром. Обращение можно закрыть.\n\nВсего доброго,\n{me}"),
    "пн, 2 мар. 2026 г. в {t}, {name} <{email}>:",
    "2 марта 2026 г., в {t}, {name} <{email}> написал(а):",
    "02.03.2026 {t}, {name} пишет:",
    ("От", "Отправлено", "Кому", "Тема"), "2 марта 2026 г. {t}", "Исходное сообщение",
    "Отправлено с iPhone", "Отправлено с устройства Samsung Galaxy.",
)

UK = Lang(
    "uk", (("Оксана Коваленко", "oksana.kovalenko@ukr.example"), ("Андрій Шевчук", "andriy@shevchuk-trade.example"),
           ("Ірина Бондаренко", "iryna.bondarenko@i.example")),
    "Не можу увійти в кабінет",
    "Добрий день, {first}!\n\nМи скинули ваш пароль. Спробуйте увійти ще раз.\n\nЗ повагою,\n"
    "Служба підтримки Mesa\n\nЗвернення №{ticket}: дайте відповідь на цей лист, щоб продовжити.",
    ("Добрий день!\n\nВсе працює, дякую.\n\nЗ повагою,\n{me}",
     "Вітаю,\n\nдосі бачу помилку «Обліковий запис заблоковано».\nЧи можете ви його розблокувати?\n\n"
     "Дякую,\n{me}",
     "Доброго дня,\n\nрахунок за лютий надійшов двічі. Підкажіть, який оплачувати?\n\n{me}",
     "Щиро дякую, посилку отримали.\n\n{me}"),
    "пн, 2 бер. 2026 р. о {t} {name} <{email}> пише:",
    "2 бер. 2026 р. о {t} {name} <{email}> написав(-ла):",
    "02.03.2026 {t}, {name} написав:",
    ("Від", "Надіслано", "Кому", "Тема"), "2 березня 2026 р. {t}", "Оригінальне повідомлення",
    "Надіслано з iPhone", "Надіслано з пристрою Samsung Galaxy.",
)

TR = Lang(
    "tr", (("Elif Yılmaz", "elif.yilmaz@gmail.example"), ("Mehmet Kaya", "mehmet@kaya-lojistik.example"),
           ("Zeynep Demir", "zeynep.demir@turk.example")),
    "Fatura tutarı hatalı",
    "Merhaba {first},\n\nFaturanızı düzelttik ve yeniden gönderdik.\n\nSaygılarımızla,\nMesa Destek Ekibi\n\n"
    "Talep #{ticket}: devam etmek için bu e-postayı yanıtlayın.",
    ("Merhaba,\n\nYeni fatura geldi, tutar doğru. Teşekkürler!\n\n{me}",
     "İyi günler,\n\nPortalda hâlâ eski tutar görünüyor. Kontrol edebilir misiniz?\n\nSaygılarımla,\n{me}",
     "Merhaba,\n\nŞifremi değiştirdikten sonra giriş yapamıyorum.\n\nİyi çalışmalar,\n{me}",
     "Teşekkürler, kargo bugün teslim edildi.\n\n{me}"),
    "{name} <{email}>, 2 Mar 2026 Pzt, {t} tarihinde şunu yazdı:",
    "2 Mar 2026 tarihinde {t} saatinde, {name} <{email}> şunları yazdı:",
    "02.03.2026 {t} tarihinde {name} yazdı:",
    ("Kimden", "Gönderildi", "Kime", "Konu"), "2 Mart 2026 Pazartesi {t}", "Orijinal ileti",
    "iPhone'umdan gönderildi", "Samsung Galaxy cihazımdan gönderildi.",
)

JA = Lang(
    "ja", (("田中 美咲", "misaki.tanaka@docomo.example"), ("佐藤 健", "ken.sato@sato-shoji.example"),
           ("鈴木 花子", "hanako.suzuki@yahoo.example")),
    "請求書が届きません",
    "{first} 様\n\nいつもご利用ありがとうございます。\n3月分の請求書を再送いたしました。ご確認ください。\n\n"
    "Mesa サポート\n\nお問い合わせ番号 #{ticket}：このメールに返信してください。",
    ("お世話になっております。\n\n請求書を受け取りました。ありがとうございました。\n\n{me}",
     "お世話になっております。\n\n迷惑メールフォルダも確認しましたが、まだ届いていません。\n"
     "keiri@sato-shoji.example 宛に送っていただけますか。\n\nよろしくお願いいたします。\n{me}",
     "こんにちは。\n\nパスワードを変更した後、ログインできなくなりました。\n確認をお願いします。\n\n{me}",
     "荷物が本日届きました。対応ありがとうございました。\n\n{me}"),
    "2026年3月2日(月) {t} {name} <{email}>:",
    "2026/03/02 {t}、{name} <{email}>のメール:",
    "2026/03/02 {t}, {name} wrote:",
    ("差出人", "送信日時", "宛先", "件名"), "2026年3月2日 {t}", "元のメッセージ",
    "iPhoneから送信", "Galaxy スマートフォンから送信",
)

ZH = Lang(
    "zh", (("王芳", "wangfang@163.example"), ("李伟", "liwei@huaxin-tech.example"), ("张静", "zhangjing@qq.example")),
    "无法登录账户",
    "{first}，您好：\n\n我们已为您重置密码，请重新登录试试。\n\nMesa 客服团队\n\n工单 #{ticket}：直接回复此邮件即可。",
    ("您好，\n\n已经可以登录了，谢谢！\n\n{me}",
     "你好，\n\n还是提示“账户已锁定”。能帮忙解锁吗？\n\n谢谢\n{me}",
     "您好，\n\n二月份的发票金额不对，请核对一下。\n\n此致\n{me}",
     "包裹今天已经收到了，可以关闭工单。\n\n{me}"),
    "{name} <{email}> 于2026年3月2日周一 {t}写道：",
    "{name} <{email}> 于2026年3月2日 {t} 写道：",
    "在 2026/3/2 {t}, {name} 写道:",
    ("发件人", "发送时间", "收件人", "主题"), "2026年3月2日 {t}", "原始邮件",
    "发自我的iPhone", "发自我的三星 Galaxy 智能手机",
)

KO = Lang(
    "ko", (("김민지", "minji.kim@naver.example"), ("이준호", "junho@hanbit-logis.example"),
           ("박서연", "seoyeon.park@daum.example")),
    "배송이 지연되고 있습니다",
    "{first}님, 안녕하세요.\n\n택배사에 확인한 결과 내일 배송될 예정입니다.\n\n감사합니다.\nMesa 고객지원팀\n\n"
    "문의 번호 #{ticket}: 이 메일에 회신해 주세요.",
    ("안녕하세요.\n\n오늘 택배 잘 받았습니다. 감사합니다.\n\n{me} 드림",
     "안녕하세요,\n\n아직도 배송 조회가 되지 않습니다. 주소를 다시 확인해 주시겠어요?\n\n감사합니다.\n{me}",
     "안녕하세요.\n\n비밀번호를 바꾼 뒤로 로그인이 안 됩니다.\n\n{me}",
     "청구서 금액이 맞습니다. 문의를 닫아 주세요.\n\n{me}"),
    "2026년 3월 2일 (월) 오전 {t}, {name} <{email}>님이 작성:",
    "2026. 3. 2. 오전 {t}, {name} <{email}> 작성:",
    "2026-03-02 오전 {t}에 {name}이(가) 쓴 글:",
    ("보낸 사람", "보낸 날짜", "받는 사람", "제목"), "2026년 3월 2일 월요일 오전 {t}", "원본 메일",
    "iPhone에서 보냄", "Galaxy 스마트폰에서 보냄",
)

VI = Lang(
    "vi", (("Nguyễn Thu Trang", "trang.nguyen@gmail.example"), ("Trần Minh Quân", "quan@minhquan-shop.example"),
           ("Lê Thị Hoa", "hoa.le@fpt.example")),
    "Không đăng nhập được",
    "Chào {first},\n\nChúng tôi đã đặt lại mật khẩu của bạn. Vui lòng đăng nhập lại.\n\nTrân trọng,\n"
    "Bộ phận hỗ trợ Mesa\n\nYêu cầu #{ticket}: trả lời email này để tiếp tục.",
    ("Chào anh/chị,\n\nTôi đã đăng nhập được rồi. Cảm ơn nhiều!\n\n{me}",
     "Xin chào,\n\nVẫn báo lỗi \"Tài khoản bị khóa\". Nhờ anh/chị kiểm tra giúp.\n\nTrân trọng,\n{me}",
     "Chào bạn,\n\nHóa đơn tháng 2 bị tính hai lần. Mong được hoàn tiền.\n\nCám ơn,\n{me}",
     "Cảm ơn, tôi đã nhận được hàng hôm nay.\n\n{me}"),
    "Vào Th 2, 2 thg 3, 2026 vào lúc {t} {name} <{email}> đã viết:",
    "Vào {t}, ngày 2 thg 3, 2026, {name} <{email}> đã viết:",
    "Vào 02/03/2026 {t}, {name} đã viết:",
    ("Từ", "Đã gửi", "Đến", "Chủ đề"), "Thứ Hai, ngày 2 tháng 3 năm 2026 {t}", "Thư gốc",
    "Gửi từ iPhone của tôi", "Gửi từ điện thoại Samsung Galaxy của tôi.",
)

EAST = (NB, FI, RU, UK, TR, JA, ZH, KO, VI)
