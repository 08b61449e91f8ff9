# Admin commands, for ADMIN_IDS only (handlers/admin.py).
command-stats = Service figures (admin)
command-ban = Ban a user or chat (admin)
command-unban = Lift a ban (admin)
command-quota = Set a daily quota (admin)
admin-stats =
    Last 24 h: { $jobs } jobs, { $failed } failed.
    Waiting now: { $waiting }. Workers alive: { $workers }.
    Chats: { $chats }, banned: { $banned }.
admin-usage-ban = Usage: /{ $command } <Telegram id>
admin-usage-quota = Usage: /quota <Telegram id> <images per day | default>
admin-banned = { $id } is banned.
admin-unbanned = { $id } is no longer banned.
admin-quota-set = Daily quota of { $id }: { $limit } images.
admin-quota-default = Daily quota of { $id }: the default.
