# /forget (handlers/forget.py).
command-forget = Delete my photos and history
forget-ask = Delete every photo you sent me, every image I made for you, your history and your unfinished choices? This cannot be undone. (Today's image count stays as it is.)
forget-yes = 🗑 Yes, delete everything
forget-no = Keep it
forget-done = Done: deleted { $jobs ->
    [one] { $jobs } job
   *[other] { $jobs } jobs
} and { $images ->
    [one] { $images } image
   *[other] { $images } images
}. Send a new photo whenever you like.
forget-kept = Nothing was deleted.
