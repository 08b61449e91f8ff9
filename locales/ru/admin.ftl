# Команды администратора, только для ADMIN_IDS (handlers/admin.py).
command-stats = Показатели сервиса (админ)
command-ban = Заблокировать пользователя или чат (админ)
command-unban = Снять блокировку (админ)
command-quota = Задать дневной лимит (админ)
admin-stats =
    За 24 ч: заданий { $jobs }, с ошибкой { $failed }.
    Сейчас в очереди: { $waiting }. Работающих воркеров: { $workers }.
    Чатов: { $chats }, заблокировано: { $banned }.
admin-usage-ban = Так: /{ $command } <Telegram id>
admin-usage-quota = Так: /quota <Telegram id> <изображений в день | default>
admin-banned = { $id } заблокирован.
admin-unbanned = { $id } разблокирован.
admin-quota-set = Дневной лимит { $id }: { $limit } изображений.
admin-quota-default = Дневной лимит { $id }: по умолчанию.
