# Background suggestions: ideas from YandexGPT or the built-in library, as buttons.
suggest-button = 💡 Suggest backgrounds
suggest-thinking = 💭 Thinking of backgrounds for this product…
suggest-choose = Pick a background, ask for more ideas, or write your own:
suggest-more = 🔄 More ideas
suggest-expired = These ideas are out of date. Press "Suggest backgrounds" again.
