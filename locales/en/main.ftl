start-greeting =
    Hello, { $name }! I turn a product photo into marketing images: the product stays exactly as photographed, I paint a new scene around it or a clean white marketplace background.
start-hint = Send a photo of the product. For full quality send it as a file (📎 → File).
help-text =
    How it works:
    1. Send a product photo (better as a file, JPEG/PNG/WEBP).
    2. Pick a style and how many images.
    3. Get an album; ask for more or for PNG files.

    /history — your earlier jobs
    /language — switch language
    /cancel — cancel the current step or job
    /forget — delete your photos and history
language-choose = Choose your language:
language-name = 🇬🇧 English
language-set = Language: English.
style-choose = Got the photo. Choose a style:
count-choose = Style: { $style }. How many images?
count-button = { $count ->
    [one] { $count } image
   *[other] { $count } images
}
options-choose = Style: { $style }, images: { $count }. Ready?
options-generate = ✨ Generate
options-own = ✍️ Write my own background
prompt-ask = Describe the background in a few words, in Russian or English (for example: "on white marble in a bright bathroom").
prompt-too-long = That is too long: please keep it under { $max } characters.
prompt-saved = Background: { $text }
status-queued = ⏳ In the queue, position { $position }.
status-queued-next = ⏳ In the queue, you are next.
status-cutting = ✂️ Cutting out the product…
status-painting = 🎨 Painting the background { $done }/{ $total }…
status-saving = 💾 Saving the images…
status-done = ✅ Done.
status-cancelled = Cancelled.
status-failed = 😔 Something went wrong while making the images. Your photo is saved: press Regenerate or try again later.
button-cancel = ✖️ Cancel
button-regenerate = 🔁 Regenerate
button-more = ➕ More like this
button-change-style = 🎨 Change style
button-files = 📎 Send as files
button-rerun = 🔁 Run again #{ $n }
button-resend = 📨 Send again #{ $n }
button-prev = ◀️ Newer
button-next = Older ▶️
cancel-done = Cancelled.
cancel-too-late = This job has already finished.
cancel-nothing = There is nothing to cancel.
results-caption = { $style } · { $count ->
    [one] { $count } image
   *[other] { $count } images
}
results-actions = What next?
results-actions-cutout-doubt = What next? ✂️ The product was hard to tell from its background in this photo: if it looks cut out wrong in the pictures, check the cut-out and try another way.
history-empty = You have no jobs yet. Send a product photo to start.
history-title = Your jobs (page { $page }):
history-item = { $when } · { $style } · { $count } · { $status }
history-item-prompt = { $when } · { $style } · { $count } · { $status } · { $prompt }
history-status-queued = queued
history-status-running = in progress
history-status-done = done
history-status-failed = failed
history-status-cancelled = cancelled
history-status-expired = images expired
error-not-image = This doesn't look like an image. Please send a JPEG, PNG or WEBP photo.
error-corrupt = I couldn't read this image: the file seems damaged. Please send it again.
error-too-large = The file is too large: the limit is { $limit } MB.
error-too-small = The image is too small: at least { $min } pixels on each side, please.
error-queue-full = The queue is full right now. Your photo is saved: please press Generate again in a few minutes.
error-quota = You have used today's limit of { $limit } images. It resets at midnight UTC.
error-banned = Access to the bot is closed for this chat.
error-photo-missing = Please send the product photo first.
error-job-missing = I can't find this job any more.
error-images-expired = The images of this job are no longer kept. Send the photo again to make new ones.
error-generic = Something went wrong on my side. Please try again in a minute.
error-expired = This button is out of date. Send a photo to start again.
error-busy = You already have { $limit ->
    [one] a job
   *[other] { $limit } jobs
} in progress. Press Generate again when one is done; your photo and choices are kept.
error-unavailable = I can't reach my storage right now. Please try again in a minute.
files-sending = Already sending these files.
fallback-text = Send me a product photo to start, or /help.
command-start = Start
command-help = How it works
command-history = Earlier jobs
command-language = Language
command-cancel = Cancel
notice-banned = Access to this bot has been closed for this chat by its administrators. If you think this is a mistake, please contact the catalogue team.
notice-unbanned = Access to the bot is open again. Send a product photo to start.
