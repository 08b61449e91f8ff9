# The styles' names: one line per style of catalog/styles.json.
style-minimal = Минимализм
style-scandinavian = Скандинавский
style-loft = Лофт
style-classic = Классика
style-nature = Природа
style-studio-white = Белый фон (маркетплейсы)
style-custom = Своё описание
