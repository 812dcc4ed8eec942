// The few words the widget says about translation, in the buyer's own language (English otherwise).
const TEXT = {
  en: ['Translated', 'Show original', 'Show translation', 'Translating…'],
  pt: ['Traduzido', 'Ver original', 'Ver tradução', 'Traduzindo…'],
  es: ['Traducido', 'Ver original', 'Ver traducción', 'Traduciendo…'],
  fr: ['Traduit', "Voir l'original", 'Voir la traduction', 'Traduction…'],
  de: ['Übersetzt', 'Original anzeigen', 'Übersetzung anzeigen', 'Wird übersetzt…'],
  ru: ['Переведено', 'Показать оригинал', 'Показать перевод', 'Переводим…'],
  ar: ['مترجم', 'عرض النص الأصلي', 'عرض الترجمة', 'جارٍ الترجمة…'],
  id: ['Diterjemahkan', 'Lihat asli', 'Lihat terjemahan', 'Menerjemahkan…'],
  tr: ['Çevrildi', 'Orijinali göster', 'Çeviriyi göster', 'Çevriliyor…'],
  vi: ['Đã dịch', 'Xem bản gốc', 'Xem bản dịch', 'Đang dịch…'],
  th: ['แปลแล้ว', 'ดูต้นฉบับ', 'ดูคำแปล', 'กำลังแปล…'],
  pl: ['Przetłumaczono', 'Pokaż oryginał', 'Pokaż tłumaczenie', 'Tłumaczenie…'],
  ja: ['翻訳済み', '原文を表示', '翻訳を表示', '翻訳中…'],
  ko: ['번역됨', '원문 보기', '번역 보기', '번역 중…'],
  zh: ['已翻译', '查看原文', '查看译文', '翻译中…'],
};

/** Labels for a language code such as "pt" or "pt-BR". */
export function translationLabels(language) {
  const [translated, showOriginal, showTranslation, translating] =
    TEXT[(language ?? '').split('-')[0].toLowerCase()] ?? TEXT.en;
  return { translated, showOriginal, showTranslation, translating };
}

// Order tracking, in the buyer's language (English otherwise).
const TRACK = {
  en: ['Track an order', 'Order number', 'Email used for the order', 'Find', 'No order with that number and email.', 'Expected', 'Too many tries; wait a moment.'],
  pt: ['Rastrear um pedido', 'Número do pedido', 'E-mail usado no pedido', 'Buscar', 'Nenhum pedido com esse número e e-mail.', 'Previsão', 'Muitas tentativas; aguarde um pouco.'],
  es: ['Seguir un pedido', 'Número de pedido', 'Correo usado en el pedido', 'Buscar', 'Ningún pedido con ese número y correo.', 'Llegada prevista', 'Demasiados intentos; espera un momento.'],
  fr: ['Suivre une commande', 'Numéro de commande', 'E-mail de la commande', 'Chercher', 'Aucune commande avec ce numéro et cet e-mail.', 'Prévue', 'Trop d\'essais ; patientez un peu.'],
  de: ['Bestellung verfolgen', 'Bestellnummer', 'E-Mail der Bestellung', 'Suchen', 'Keine Bestellung mit dieser Nummer und E-Mail.', 'Erwartet', 'Zu viele Versuche; bitte kurz warten.'],
  ru: ['Отследить заказ', 'Номер заказа', 'E-mail заказа', 'Найти', 'Нет заказа с таким номером и e-mail.', 'Ожидается', 'Слишком много попыток; подождите.'],
  ar: ['تتبع طلب', 'رقم الطلب', 'البريد المستخدم في الطلب', 'بحث', 'لا يوجد طلب بهذا الرقم والبريد.', 'الموعد المتوقع', 'محاولات كثيرة؛ انتظر قليلاً.'],
  id: ['Lacak pesanan', 'Nomor pesanan', 'Email pesanan', 'Cari', 'Tidak ada pesanan dengan nomor dan email itu.', 'Perkiraan tiba', 'Terlalu banyak percobaan; tunggu sebentar.'],
  zh: ['查询订单', '订单号', '下单邮箱', '查询', '没有找到该订单号和邮箱对应的订单。', '预计送达', '尝试次数过多，请稍候。'],
};

export function trackingLabels(language) {
  const [track, number, email, find, notFound, expected, tooMany] =
    TRACK[(language ?? '').split('-')[0].toLowerCase()] ?? TRACK.en;
  return { track, number, email, find, notFound, expected, tooMany };
}
