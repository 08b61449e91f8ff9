# What the user is told about a file or message the bot cannot use (bot/services/uploads.py).
error-empty = This file is empty. Please send the product photo again.
error-svg = SVG is a vector drawing, not a photo. Please export it as PNG or JPEG and send that.
error-no-decoder = I can't open { $format } images. Send the picture as a photo (not as a file), or save it as JPEG first (on an iPhone: Settings → Camera → Formats → Most Compatible).
error-format-unsupported = I can't use { $format } files. Please send a JPEG, PNG or WEBP photo.
error-too-many-pixels = This picture has too many pixels for me: at most { $limit } megapixels, please. Send a smaller version (a photo, not a file, is fine).
error-download = I couldn't download your file from Telegram. Please send it again.
error-sticker = Stickers can't become product images. Please send a photo of the product.
error-video = I work with photos, not videos or animations. Please send a photo of the product.
error-voice = I can't listen to audio. Please send a photo of the product; I'll ask about the rest with buttons.
error-slow-down = Too many messages at once: please slow down a little. I'll answer again in a few seconds.
note-animated = This is an animation: I'll use its first frame.
note-album = You sent several photos at once. I work with one photo at a time, so I took the one I'm replying to. To use another one, send it on its own.
group-refused = I only work in private chats, so your photos and history stay yours. Write to me directly: @{ $bot }
