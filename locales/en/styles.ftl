# The styles' names: one line per style of catalog/styles.json.
style-minimal = Minimalistic
style-scandinavian = Scandinavian
style-loft = Loft
style-classic = Classic
style-nature = Nature
style-studio-white = Studio white (marketplaces)
style-custom = My own description
