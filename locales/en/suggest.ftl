# Background suggestions: ideas from YandexGPT or the built-in library, and the user's own text.
suggest-button = 💡 Suggest backgrounds
suggest-thinking = 💭 Thinking of backgrounds for this product…
suggest-choose = Pick a background, ask for more ideas, or write your own:
suggest-more = 🔄 More ideas
suggest-own = ✍️ Write my own
suggest-picked = Background: { $text }
suggest-expired = These ideas are out of date. Press "Suggest backgrounds" again.
suggest-translated = Background: { $text }
    For the model: { $prompt }
