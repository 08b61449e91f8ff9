start-greeting =
    Здравствуйте, { $name }! Я превращаю фото товара в рекламные изображения: товар остаётся точно таким, как на снимке, а вокруг я рисую новую сцену или чистый белый фон для маркетплейсов.
start-hint = Пришлите фото товара. Для лучшего качества отправьте его файлом (📎 → Файл).
help-text =
    Как это работает:
    1. Пришлите фото товара (лучше файлом, JPEG/PNG/WEBP).
    2. Выберите стиль и сколько изображений нужно.
    3. Получите альбом; можно попросить ещё или PNG-файлы.

    /history — ваши прошлые задания
    /language — сменить язык
    /cancel — отменить текущий шаг или задание
    /forget — удалить ваши фото и историю
language-choose = Выберите язык:
language-name = 🇷🇺 Русский
language-set = Язык: русский.
style-choose = Фото получено. Выберите стиль:
count-choose = Стиль: { $style }. Сколько изображений?
count-button = { $count ->
    [one] { $count } изображение
    [few] { $count } изображения
   *[many] { $count } изображений
}
options-choose = Стиль: { $style }, изображений: { $count }. Начинаем?
options-generate = ✨ Создать
options-own = ✍️ Описать фон самому
prompt-ask = Опишите фон в нескольких словах, по-русски или по-английски (например: «на белом мраморе в светлой ванной»).
prompt-too-long = Слишком длинно: уложитесь, пожалуйста, в { $max } символов.
prompt-saved = Фон: { $text }
status-queued = ⏳ В очереди, позиция { $position }.
status-queued-next = ⏳ В очереди, вы следующий.
status-cutting = ✂️ Вырезаю товар…
status-painting = 🎨 Рисую фон { $done }/{ $total }…
status-saving = 💾 Сохраняю изображения…
status-done = ✅ Готово.
status-cancelled = Отменено.
status-failed = 😔 Не получилось создать изображения. Ваше фото сохранено: нажмите «Ещё раз» или попробуйте позже.
button-cancel = ✖️ Отменить
button-regenerate = 🔁 Ещё раз
button-more = ➕ Ещё похожих
button-change-style = 🎨 Другой стиль
button-files = 📎 Прислать файлами
button-rerun = 🔁 Повторить №{ $n }
button-resend = 📨 Прислать снова №{ $n }
button-prev = ◀️ Новее
button-next = Старше ▶️
cancel-done = Отменено.
cancel-too-late = Это задание уже завершено.
cancel-nothing = Отменять нечего.
results-caption = { $style } · { $count ->
    [one] { $count } изображение
    [few] { $count } изображения
   *[many] { $count } изображений
}
results-actions = Что дальше?
results-actions-cutout-doubt = Что дальше? ✂️ На этом фото товар трудно отделить от фона: если на картинках он вырезан неверно, проверьте вырезку и попробуйте другой способ.
history-empty = Заданий пока нет. Пришлите фото товара, чтобы начать.
history-title = Ваши задания (страница { $page }):
history-item = { $when } · { $style } · { $count } · { $status }
history-item-prompt = { $when } · { $style } · { $count } · { $status } · { $prompt }
history-status-queued = в очереди
history-status-running = в работе
history-status-done = готово
history-status-failed = ошибка
history-status-cancelled = отменено
history-status-expired = изображения удалены по сроку хранения
error-not-image = Это не похоже на изображение. Пришлите фото в формате JPEG, PNG или WEBP.
error-corrupt = Не удалось прочитать изображение: файл, похоже, повреждён. Пришлите его ещё раз.
error-too-large = Файл слишком большой: не больше { $limit } МБ.
error-too-small = Изображение слишком маленькое: нужно хотя бы { $min } пикселей по каждой стороне.
error-queue-full = Очередь сейчас заполнена. Ваше фото сохранено: нажмите «Создать» ещё раз через несколько минут.
error-quota = Дневной лимит в { $limit } изображений исчерпан. Он обновится в полночь по UTC.
error-banned = Доступ к боту для этого чата закрыт.
error-photo-missing = Сначала пришлите фото товара.
error-job-missing = Не могу найти это задание.
error-images-expired = Изображения этого задания больше не хранятся. Пришлите фото ещё раз, чтобы сделать новые.
error-generic = Что-то пошло не так на моей стороне. Попробуйте ещё раз через минуту.
error-expired = Эта кнопка устарела. Пришлите фото, чтобы начать заново.
error-busy = У вас уже { $limit ->
    [one] выполняется задание
    [few] выполняются { $limit } задания
    [many] выполняются { $limit } заданий
   *[other] выполняются { $limit } задания
}. Нажмите «Создать» ещё раз, когда одно закончится; фото и выбор сохранены.
error-unavailable = Сейчас не могу связаться с хранилищем. Попробуйте ещё раз через минуту.
files-sending = Эти файлы уже отправляются.
fallback-text = Пришлите фото товара, чтобы начать, или /help.
command-start = Начать
command-help = Как это работает
command-history = Прошлые задания
command-language = Язык
command-cancel = Отменить
notice-banned = Администраторы закрыли доступ к боту для этого чата. Если это ошибка, напишите команде каталога.
notice-unbanned = Доступ к боту снова открыт. Пришлите фото товара, чтобы начать.
