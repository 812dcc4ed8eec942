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

// Calls, in the buyer's language (English otherwise). The pitch is the playbook's invitation: a few
// minutes, point the camera at the product, faster than typing, nothing to install.
const CALL = {
  en: ['Video call from {name}', 'Voice call from {name}', 'A few minutes on camera are faster than typing: point it at the product and we will look at it together. Nothing to install.', 'Accept', 'Decline', 'Connecting…', 'On a call with {name}, who sees what your camera shows.', 'Mute', 'Unmute', 'Camera off', 'Camera on', 'Switch camera', 'Hang up', 'The call has ended.', 'Your browser blocked the camera. Allow it from the address bar, then ask us to call again.', 'No camera or microphone was found on this device.', 'The call could not connect on this network.', "{name} asks to record this call. The recording is kept with your order for the shop's records.", 'Allow', "Don't record", '● Recording'],
  pt: ['Chamada de vídeo de {name}', 'Chamada de voz de {name}', 'Alguns minutos na câmera são mais rápidos que digitar: aponte-a para o produto e vemos juntos. Não precisa instalar nada.', 'Aceitar', 'Recusar', 'Conectando…', 'Em chamada com {name}, que vê o que sua câmera mostra.', 'Silenciar', 'Ativar som', 'Desligar câmera', 'Ligar câmera', 'Trocar câmera', 'Encerrar', 'A chamada terminou.', 'Seu navegador bloqueou a câmera. Permita na barra de endereço e peça para ligarmos de novo.', 'Nenhuma câmera ou microfone encontrado neste aparelho.', 'A chamada não conseguiu conectar nesta rede.', '{name} pede para gravar esta chamada. A gravação fica com o seu pedido, nos registros da loja.', 'Permitir', 'Não gravar', '● Gravando'],
  es: ['Videollamada de {name}', 'Llamada de voz de {name}', 'Unos minutos con la cámara son más rápidos que escribir: apúntala al producto y lo vemos juntos. No hay que instalar nada.', 'Aceptar', 'Rechazar', 'Conectando…', 'En llamada con {name}, que ve lo que muestra tu cámara.', 'Silenciar', 'Activar sonido', 'Apagar cámara', 'Encender cámara', 'Cambiar cámara', 'Colgar', 'La llamada ha terminado.', 'Tu navegador bloqueó la cámara. Permítela desde la barra de direcciones y pídenos que volvamos a llamar.', 'No se encontró cámara ni micrófono en este dispositivo.', 'La llamada no pudo conectarse en esta red.', '{name} pide grabar esta llamada. La grabación se guarda con tu pedido en los registros de la tienda.', 'Permitir', 'No grabar', '● Grabando'],
  fr: ['Appel vidéo de {name}', 'Appel vocal de {name}', "Quelques minutes en vidéo vont plus vite qu'écrire : montrez le produit à la caméra et regardons ensemble. Rien à installer.", 'Accepter', 'Refuser', 'Connexion…', 'En appel avec {name}, qui voit ce que montre votre caméra.', 'Couper le micro', 'Réactiver le micro', 'Couper la caméra', 'Activer la caméra', 'Changer de caméra', 'Raccrocher', "L'appel est terminé.", "Votre navigateur a bloqué la caméra. Autorisez-la depuis la barre d'adresse, puis demandez-nous de rappeler.", 'Aucune caméra ni aucun micro sur cet appareil.', "L'appel n'a pas pu se connecter sur ce réseau.", "{name} demande à enregistrer cet appel. L'enregistrement est conservé avec votre commande dans les archives de la boutique.", 'Autoriser', 'Ne pas enregistrer', '● Enregistrement'],
  de: ['Videoanruf von {name}', 'Sprachanruf von {name}', 'Ein paar Minuten per Kamera gehen schneller als Tippen: Halten Sie sie auf das Produkt, und wir sehen es uns gemeinsam an. Nichts zu installieren.', 'Annehmen', 'Ablehnen', 'Verbinde…', 'Im Gespräch mit {name}, der sieht, was Ihre Kamera zeigt.', 'Stumm', 'Ton an', 'Kamera aus', 'Kamera an', 'Kamera wechseln', 'Auflegen', 'Der Anruf ist beendet.', 'Ihr Browser hat die Kamera blockiert. Erlauben Sie sie in der Adressleiste und bitten Sie uns, erneut anzurufen.', 'Auf diesem Gerät wurde keine Kamera und kein Mikrofon gefunden.', 'Der Anruf konnte in diesem Netz keine Verbindung aufbauen.', '{name} möchte diesen Anruf aufzeichnen. Die Aufzeichnung wird mit Ihrer Bestellung in den Unterlagen des Shops aufbewahrt.', 'Erlauben', 'Nicht aufzeichnen', '● Aufnahme läuft'],
  ru: ['Видеозвонок от {name}', 'Голосовой звонок от {name}', 'Пара минут по видео быстрее переписки: наведите камеру на товар, и мы посмотрим вместе. Ничего устанавливать не нужно.', 'Принять', 'Отклонить', 'Соединение…', 'Идёт звонок с {name}: собеседник видит то, что показывает ваша камера.', 'Выкл. микрофон', 'Вкл. микрофон', 'Выкл. камеру', 'Вкл. камеру', 'Сменить камеру', 'Завершить', 'Звонок завершён.', 'Браузер заблокировал камеру. Разрешите её в адресной строке и попросите нас перезвонить.', 'На этом устройстве нет камеры и микрофона.', 'Не удалось соединиться в этой сети.', '{name} просит разрешения записать звонок. Запись хранится вместе с вашим заказом в архиве магазина.', 'Разрешить', 'Не записывать', '● Идёт запись'],
  ar: ['مكالمة فيديو من {name}', 'مكالمة صوتية من {name}', 'دقائق قليلة بالكاميرا أسرع من الكتابة: وجّهها نحو المنتج وسنراه معًا. لا حاجة لتثبيت أي شيء.', 'قبول', 'رفض', 'جارٍ الاتصال…', 'أنت في مكالمة مع {name}، ويرى ما تعرضه الكاميرا.', 'كتم الصوت', 'إلغاء الكتم', 'إيقاف الكاميرا', 'تشغيل الكاميرا', 'تبديل الكاميرا', 'إنهاء', 'انتهت المكالمة.', 'حظر المتصفح الكاميرا. اسمح بها من شريط العنوان ثم اطلب منا الاتصال مجددًا.', 'لم يتم العثور على كاميرا أو ميكروفون في هذا الجهاز.', 'تعذر الاتصال على هذه الشبكة.', 'يطلب {name} تسجيل هذه المكالمة. يُحفظ التسجيل مع طلبك في سجلات المتجر.', 'السماح', 'عدم التسجيل', '● جارٍ التسجيل'],
  id: ['Panggilan video dari {name}', 'Panggilan suara dari {name}', 'Beberapa menit lewat kamera lebih cepat daripada mengetik: arahkan ke produk dan kita lihat bersama. Tanpa perlu instal apa pun.', 'Terima', 'Tolak', 'Menyambungkan…', 'Sedang panggilan dengan {name}, yang melihat apa yang ditampilkan kamera Anda.', 'Bisukan', 'Bunyikan', 'Matikan kamera', 'Nyalakan kamera', 'Ganti kamera', 'Tutup', 'Panggilan telah berakhir.', 'Browser Anda memblokir kamera. Izinkan dari bilah alamat, lalu minta kami menelepon lagi.', 'Tidak ada kamera atau mikrofon di perangkat ini.', 'Panggilan tidak dapat tersambung di jaringan ini.', '{name} meminta izin merekam panggilan ini. Rekaman disimpan bersama pesanan Anda dalam catatan toko.', 'Izinkan', 'Jangan rekam', '● Merekam'],
  zh: ['{name} 邀请您视频通话', '{name} 邀请您语音通话', '几分钟视频比打字更快：把镜头对准商品，我们一起看看。无需安装任何应用。', '接听', '拒绝', '正在连接…', '正在与 {name} 通话，对方能看到您摄像头的画面。', '静音', '取消静音', '关闭摄像头', '打开摄像头', '切换摄像头', '挂断', '通话已结束。', '浏览器阻止了摄像头。请在地址栏中允许，然后请我们再打一次。', '此设备上没有找到摄像头或麦克风。', '在当前网络下无法接通通话。', '{name} 请求录制本次通话。录像将与您的订单一起保存在店铺记录中。', '允许', '不录制', '● 正在录制'],
};
const CALL_KEYS = ['inviteVideo', 'inviteVoice', 'pitch', 'accept', 'decline', 'connecting', 'live', 'mute', 'unmute',
  'cameraOff', 'cameraOn', 'switchCamera', 'hangUp', 'ended', 'denied', 'noDevices', 'failed',
  'askRecord', 'allowRecord', 'refuseRecord', 'recording'];

/** The call screens' words; `{name}` is replaced by the caller's name. */
export function callLabels(language, name = '') {
  const words = CALL[(language ?? '').split('-')[0].toLowerCase()] ?? CALL.en;
  return Object.fromEntries(CALL_KEYS.map((key, i) => [key, words[i].replace('{name}', name)]));
}
