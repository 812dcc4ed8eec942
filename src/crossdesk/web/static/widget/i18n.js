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
