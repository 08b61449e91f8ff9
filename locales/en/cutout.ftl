# The cut-out check: the product on a checkerboard before anything is painted.
cutout-check-button = ✂️ Check the cut-out
cutout-preparing = ✂️ Cutting the product out so you can take a look…
cutout-shown = ✂️ This is the product as it will be cut out ({ $choice }); the checkerboard is what gets replaced. Wrong? Try another way:
cutout-failed = 😔 This way ({ $choice }) could not cut the product out reliably. Try another way:
cutout-doubtful = 😔 This is what the automatic cut-out found, but it is not sure of it, so I will not paint with it. Does another way look right?
cutout-busy = ⏳ The workers are busy right now. Please press "Check the cut-out" again in a minute.
cutout-use = ✅ Use this cut-out
cutout-back = ↩️ Back to the options
cutout-chosen = ✂️ Cut-out: { $choice }. Style: { $style }, images: { $count }. Ready?
cutout-choice-auto = automatic
cutout-choice-holes_filled = keep holes filled
cutout-choice-tighter = tighter
cutout-choice-looser = looser
cutout-choice-grabcut = second opinion
status-unsure-cutout = 😔 I could not cut the product out of this photo reliably, so I made no images and took nothing from your quota. Check the cut-out and pick a way that looks right, or send a photo of the whole product against a plainer background.
