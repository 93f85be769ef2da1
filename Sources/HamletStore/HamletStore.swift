// HamletStore
