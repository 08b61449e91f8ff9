# Подсказки фона: идеи от YandexGPT или из встроенной библиотеки и собственный текст пользователя.
suggest-button = 💡 Предложить фон
suggest-thinking = 💭 Подбираю фоны для этого товара…
suggest-choose = Выберите фон, попросите ещё идей или напишите свой:
suggest-more = 🔄 Ещё идеи
suggest-own = ✍️ Написать свой
suggest-picked = Фон: { $text }
suggest-expired = Эти идеи устарели. Нажмите «Предложить фон» ещё раз.
suggest-translated = Фон: { $text }
    Для модели: { $prompt }
